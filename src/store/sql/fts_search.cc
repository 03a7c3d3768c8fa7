#include "store/sql/fts_search.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "store/db.h"

namespace orgd::store::sql::internal {
namespace {

// The length in bytes of the well-formed UTF-8 sequence at the start of `s` (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF), or 0 if there is none.
size_t Utf8SequenceLength(std::string_view s) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  const auto continuation = [&](size_t i) { return i < s.size() && (byte(i) & 0xC0) == 0x80; };
  const uint8_t b0 = byte(0);
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) return continuation(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!continuation(1) || !continuation(2)) return 0;
    if (b0 == 0xE0 && byte(1) < 0xA0) return 0;  // overlong
    if (b0 == 0xED && byte(1) > 0x9F) return 0;  // surrogate
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
    if (b0 == 0xF0 && byte(1) < 0x90) return 0;  // overlong
    if (b0 == 0xF4 && byte(1) > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

// Collects runs of literal characters; a run shorter than kMinRunChars is dropped.
class RunCollector {
 public:
  void Add(std::string_view character) {
    if (character == std::string_view("\0", 1)) {
      End();
      return;
    }
    current_.append(character);
    ++chars_;
  }
  void End() {
    if (chars_ >= kMinRunChars) runs_.push_back(std::move(current_));
    current_.clear();
    chars_ = 0;
  }
  std::vector<std::string> Take() {
    End();
    return std::move(runs_);
  }

 private:
  std::vector<std::string> runs_;
  std::string current_;
  size_t chars_ = 0;
};

}  // namespace

std::vector<std::string> LiteralRuns(std::string_view pattern, LikeEscape escape) {
  RunCollector runs;
  size_t i = 0;
  while (i < pattern.size()) {
    const char c = pattern[i];
    if (c == '%' || c == '_') {
      runs.End();
      ++i;
      continue;
    }
    if (c == '\\' && escape == LikeEscape::kBackslash) {
      ++i;
      if (i == pattern.size()) {  // a dangling escape: nothing literal follows
        runs.End();
        break;
      }
    }
    const size_t length = Utf8SequenceLength(pattern.substr(i));
    if (length == 0) return {};
    runs.Add(pattern.substr(i, length));
    i += length;
  }
  return runs.Take();
}

std::string FtsPhrase(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::optional<std::string> FtsLike(std::string_view pattern, LikeEscape escape) {
  std::vector<std::optional<std::string>> phrases;
  for (const std::string& run : LiteralRuns(pattern, escape)) phrases.push_back(FtsPhrase(run));
  return FtsAnd(phrases);
}

std::optional<std::string> FtsEquals(std::string_view value) {
  size_t chars = 0;
  for (size_t i = 0; i < value.size();) {
    const size_t length = Utf8SequenceLength(value.substr(i));
    if (length == 0 || value[i] == '\0') return std::nullopt;
    i += length;
    ++chars;
  }
  if (chars < kMinRunChars) return std::nullopt;
  return FtsPhrase(value);
}

std::optional<std::string> FtsAnd(const std::vector<std::optional<std::string>>& operands) {
  std::optional<std::string> out;
  for (const std::optional<std::string>& operand : operands) {
    if (!operand) continue;
    out = out ? *out + " AND (" + *operand + ")" : "(" + *operand + ")";
  }
  return out;
}

std::optional<std::string> FtsOr(const std::vector<std::optional<std::string>>& operands) {
  if (operands.empty()) return std::nullopt;
  std::string out;
  for (const std::optional<std::string>& operand : operands) {
    if (!operand) return std::nullopt;
    out += (out.empty() ? "(" : " OR (") + *operand + ")";
  }
  return out;
}

std::optional<std::string> FtsInColumn(std::string_view column,
                                       const std::optional<std::string>& expression) {
  if (!expression) return std::nullopt;
  return std::string(column) + " : (" + *expression + ")";
}

Result<bool> FewFtsHits(Connection& conn, std::string_view probe_sql, const std::string& match) {
  int64_t hits = 0;
  ORGD_TRY(conn.Query(probe_sql, {Text(match), Int(kDenseHits)},
                      [&](const Row& row) { hits = row.GetInt(0); }));
  return hits < kDenseHits;
}

}  // namespace orgd::store::sql::internal
