#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orgd::domain {

// How one search term compares a field with each of its values.
enum class SearchMode {
  kLike,   // SQL LIKE: `%` matches any run, `_` one character; the caller supplies wildcards
  kExact,  // the whole value
};

// One term of a search: its values are OR-ed; `field` empty means every searchable field (OR-ed).
struct SearchTerm {
  std::string field;
  SearchMode mode = SearchMode::kLike;
  std::vector<std::string> values;
};

// A structured text search (the Logto dialect's `search` / `search.<field>` / `mode` / `joint` /
// `isCaseSensitive` syntax, contracts/logto.md §3.9.1). No terms: everything matches.
struct TextSearch {
  std::vector<SearchTerm> terms;
  bool match_all_terms = false;  // `joint=and`; otherwise any term suffices
  bool case_sensitive = false;   // otherwise ASCII letters compare case-insensitively

  bool empty() const { return terms.empty(); }
};

// SQL LIKE of `text` against `pattern` (`%`, `_` wildcards, no escape character; `_` matches one
// UTF-8 code point). Case-insensitive for ASCII letters unless `case_sensitive`.
bool LikeMatch(std::string_view text, std::string_view pattern, bool case_sensitive);

// The value of a searchable field of one record; nullopt for a null column (which never matches).
using FieldValue = std::function<std::optional<std::string_view>(std::string_view field)>;

// Whether the record whose fields `value` returns matches `search`. A term without a field is
// tried against every field in `fields`. Pure; thread-safe.
bool MatchesSearch(const TextSearch& search, const std::vector<std::string_view>& fields,
                   const FieldValue& value);

}  // namespace orgd::domain
