#include "domain/text_search.h"

#include <cstddef>

#include "common/text.h"

namespace orgd::domain {
namespace {

char Fold(char c, bool case_sensitive) {
  if (!case_sensitive && c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
  return c;
}

bool Equal(std::string_view a, std::string_view b, bool case_sensitive) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Fold(a[i], case_sensitive) != Fold(b[i], case_sensitive)) return false;
  }
  return true;
}

bool TermMatchesValue(const SearchTerm& term, std::string_view text, bool case_sensitive) {
  for (const std::string& value : term.values) {
    bool hit = term.mode == SearchMode::kExact ? Equal(text, value, case_sensitive)
                                               : LikeMatch(text, value, case_sensitive);
    if (hit) return true;
  }
  return false;
}

bool TermMatches(const SearchTerm& term, const std::vector<std::string_view>& fields,
                 const FieldValue& value, bool case_sensitive) {
  auto try_field = [&](std::string_view field) {
    std::optional<std::string_view> text = value(field);
    return text && TermMatchesValue(term, *text, case_sensitive);
  };
  if (!term.field.empty()) return try_field(term.field);
  for (std::string_view field : fields) {
    if (try_field(field)) return true;
  }
  return false;
}

}  // namespace

bool LikeMatch(std::string_view text, std::string_view pattern, bool case_sensitive) {
  // Greedy wildcard matching with one backtrack point (the last `%`), linear in practice.
  size_t t = 0, p = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '%') {
      star_p = p++;
      star_t = t;
    } else if (p < pattern.size() && pattern[p] == '_') {
      t += Utf8SequenceLength(static_cast<unsigned char>(text[t]));
      ++p;
    } else if (p < pattern.size() &&
               Fold(pattern[p], case_sensitive) == Fold(text[t], case_sensitive)) {
      ++t;
      ++p;
    } else if (star_p != std::string_view::npos) {
      p = star_p + 1;
      star_t += Utf8SequenceLength(static_cast<unsigned char>(text[star_t]));
      t = star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size() && t <= text.size();
}

bool MatchesSearch(const TextSearch& search, const std::vector<std::string_view>& fields,
                   const FieldValue& value) {
  if (search.terms.empty()) return true;
  for (const SearchTerm& term : search.terms) {
    bool hit = TermMatches(term, fields, value, search.case_sensitive);
    if (search.match_all_terms && !hit) return false;
    if (!search.match_all_terms && hit) return true;
  }
  return search.match_all_terms;
}

}  // namespace orgd::domain
