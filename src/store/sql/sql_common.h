#pragma once

// Helpers shared by the SQL store's source files (users.cc, roles.cc, resources.cc,
// memberships.cc). Internal to src/store/sql.

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <span>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/error.h"
#include "common/result.h"
#include "common/text.h"
#include "domain/model/page.h"
#include "store/db.h"

namespace orgd::store::sql::internal {

// Joins constexpr string_views at compile time, so that shared fragments (column lists, filters)
// are written once and every statement is still one constant.
template <const std::string_view&... Parts>
struct JoinedSql {
  static constexpr auto kChars = [] {
    std::array<char, (Parts.size() + ...)> chars{};
    size_t i = 0;
    for (std::string_view part : {Parts...}) {
      for (char c : part) chars[i++] = c;
    }
    return chars;
  }();
  static constexpr std::string_view kValue{kChars.data(), kChars.size()};
};
template <const std::string_view&... Parts>
constexpr std::string_view kJoin = JoinedSql<Parts...>::kValue;

// ASCII lower-casing, identical on both engines.
using orgd::AsciiLower;

inline std::optional<std::string> OptAsciiLower(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return AsciiLower(*s);
}

// `%q%` over lower-cased columns; % and _ in q stay wildcards (the Logto contract's quirk).
inline std::string SearchPattern(std::string_view q) { return "%" + AsciiLower(q) + "%"; }

inline Param OptInt(const std::optional<int64_t>& v) { return v ? Param{*v} : Param{nullptr}; }
// For the patch columns written as `CASE WHEN $flag = 1 THEN $value ELSE col END`.
inline Param Flag(bool engaged) { return Int(engaged ? 1 : 0); }
template <typename T>
Param OptBool(const std::optional<T>& v) {
  return v ? Bool(*v) : Param{nullptr};
}

struct UniqueRule {
  std::string_view needle;
  std::string_view reason;
};

// Maps a unique violation to kAlreadyExists for `subject`, with the reason of the first rule whose
// needle occurs in the driver's detail (SQLite names the columns, "users.primary_email_lower";
// PostgreSQL the constraint, "users_primary_email_lower_key"). Other errors pass unchanged.
inline Error MapUnique(Error error, std::string_view subject,
                       std::initializer_list<UniqueRule> rules) {
  if (error.code != ErrorCode::kAlreadyExists) return error;
  std::string_view reason = "unique";
  for (const UniqueRule& rule : rules) {
    if (error.detail.find(rule.needle) != std::string::npos) {
      reason = rule.reason;
      break;
    }
  }
  return Error::AlreadyExists(std::string(subject), std::string(reason))
      .WithDetail(std::move(error.detail));
}

// Checks the paging of a list request. kInvalidArgument (field "limit" / "offset").
inline Result<void> CheckPage(const domain::PageRequest& page) {
  if (page.limit < 0) return Error::InvalidArgument("limit must not be negative", "limit");
  if (page.offset < 0) return Error::InvalidArgument("offset must not be negative", "offset");
  return {};
}

// The decimal created_at of a creation-order cursor. kInvalidArgument (field "after").
inline Result<int64_t> ParseIntCursor(const std::string& key) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), value);
  if (key.empty() || ec != std::errc() || end != key.data() + key.size()) {
    return Error::InvalidArgument("invalid cursor", "after");
  }
  return value;
}

// One row beyond the page tells whether there is more.
inline int64_t FetchCount(int64_t limit) {
  return limit == std::numeric_limits<int64_t>::max() ? limit : limit + 1;
}

}  // namespace orgd::store::sql::internal

namespace orgd::store::sql::internal {

// Runs a list statement fetched with FetchCount(limit) rows and fills `page.items` (and
// `has_more`) with `read(row)`.
template <typename T, typename Read>
Result<void> FillPage(Connection& conn, std::string_view sql, std::span<const Param> params,
                      int64_t limit, domain::Page<T>& page, Read read) {
  page = domain::Page<T>{};
  return conn.Query(sql, params, [&](const Row& row) {
    if (static_cast<int64_t>(page.items.size()) == limit) {
      page.has_more = true;
      return;
    }
    page.items.push_back(read(row));
  });
}

}  // namespace orgd::store::sql::internal
