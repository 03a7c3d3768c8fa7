#include "api/kinde/pagination.h"

#include <nlohmann/json.hpp>

#include "api/json_input.h"
#include "auth/jwt.h"

namespace orgd::api::kinde {

Result<std::optional<std::string_view>> SingleQuery(const http::QueryParams& query,
                                                    std::string_view key) {
  size_t count = query.Count(key);
  if (count == 0) return std::optional<std::string_view>();
  if (count > 1) return FieldError(key, "invalid", "Invalid " + std::string(key));
  std::string_view value = *query.Get(key);
  if (value.empty()) return std::optional<std::string_view>();
  return std::optional<std::string_view>(value);
}

Result<int64_t> ParsePageSize(const http::QueryParams& query) {
  auto raw = SingleQuery(query, "page_size");
  if (!raw) return std::move(raw).error();
  if (!*raw) return kDefaultPageSize;
  std::string_view s = **raw;
  int64_t v = 0;
  // At most 15 digits, checked before any is added up: a longer number would overflow.
  bool ok = !s.empty() && s.size() <= 15;
  for (char c : ok ? s : std::string_view()) {
    if (c < '0' || c > '9') {
      ok = false;
      break;
    }
    v = v * 10 + (c - '0');
  }
  if (!ok || v < 1) return FieldError("page_size", "invalid", "Invalid page_size");
  if (v > kMaxPageSize) {
    return FieldError("page_size", "page_size_limit_exceeded",
                      "Page size cannot be greater than 500");
  }
  return v;
}

std::string EncodeNextToken(std::string_view list, std::string_view sort, std::string_view filter,
                            const TokenPosition& position) {
  nlohmann::json j = {{"l", list}, {"s", sort}, {"f", filter}, {"k", position.key},
                      {"i", position.id}};
  return auth::Base64UrlEncode(j.dump());
}

Result<TokenPosition> DecodeNextToken(std::string_view token, std::string_view list,
                                      std::string_view sort, std::string_view filter) {
  Error invalid = FieldError("next_token", "invalid", "Invalid next_token");
  auto raw = auth::Base64UrlDecode(token);
  if (!raw) return invalid;
  auto j = nlohmann::json::parse(*raw, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return invalid;
  auto str = [&](const char* k) -> const std::string* {
    auto it = j.find(k);
    return it != j.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
  };
  const std::string *l = str("l"), *s = str("s"), *f = str("f"), *k = str("k"), *i = str("i");
  if (!l || !s || !f || !k || !i || *l != list || *s != sort || *f != filter) return invalid;
  return TokenPosition{*k, *i};
}

}  // namespace orgd::api::kinde
