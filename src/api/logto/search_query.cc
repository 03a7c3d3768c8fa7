#include "api/logto/search_query.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace orgd::api::logto {
namespace {

Error Invalid(std::string message) {
  return Error::InvalidArgument(std::move(message)).WithReason("business");
}

// "search" → "", "search.name" → "name"; nullopt when `key` is not `prefix` or `prefix.<x>`.
std::optional<std::string> FieldOf(std::string_view key, std::string_view prefix) {
  if (key == prefix) return std::string();
  if (key.size() > prefix.size() + 1 && key.starts_with(prefix) && key[prefix.size()] == '.') {
    return std::string(key.substr(prefix.size() + 1));
  }
  return std::nullopt;
}

}  // namespace

Result<domain::TextSearch> ParseSearchQuery(const http::QueryParams& query,
                                            const std::vector<std::string_view>& fields) {
  domain::TextSearch search;
  std::vector<domain::SearchTerm> terms;  // in order of first appearance
  std::map<std::string, domain::SearchMode> modes;
  auto known = [&](const std::string& field) {
    return field.empty() || std::find(fields.begin(), fields.end(), field) != fields.end();
  };
  bool joint_seen = false, case_seen = false;
  for (const auto& [key, value] : query.entries()) {
    if (auto field = FieldOf(key, "search")) {
      if (!known(*field)) return Invalid("Unknown search field `" + *field + "`.");
      if (value.empty()) continue;
      auto term = std::find_if(terms.begin(), terms.end(),
                               [&](const domain::SearchTerm& t) { return t.field == *field; });
      if (term == terms.end()) {
        terms.push_back(domain::SearchTerm{.field = *field});
        term = terms.end() - 1;
      }
      term->values.push_back(value);
    } else if (auto mode_field = FieldOf(key, "mode")) {
      if (!known(*mode_field)) return Invalid("Unknown search field `" + *mode_field + "`.");
      if (modes.contains(*mode_field)) {
        return Invalid("Duplicate mode for field `" + *mode_field + "`.");
      }
      if (value == "like") {
        modes[*mode_field] = domain::SearchMode::kLike;
      } else if (value == "exact") {
        modes[*mode_field] = domain::SearchMode::kExact;
      } else if (value == "similar_to" || value == "posix") {
        return Invalid("Search mode `" + value + "` is not supported.");
      } else {
        return Invalid("Unknown search mode `" + value + "`.");
      }
    } else if (key == "joint" || key == "jointMode") {
      if (joint_seen) return Invalid("Duplicate joint mode.");
      joint_seen = true;
      if (value == "and") {
        search.match_all_terms = true;
      } else if (value != "or") {
        return Invalid("Unknown joint mode `" + value + "`.");
      }
    } else if (key == "isCaseSensitive") {
      if (case_seen) return Invalid("Duplicate isCaseSensitive.");
      case_seen = true;
      if (value == "true") {
        search.case_sensitive = true;
      } else if (value != "false") {
        return Invalid("isCaseSensitive must be `true` or `false`.");
      }
    }
  }
  for (domain::SearchTerm& term : terms) {
    auto own = modes.find(term.field);
    auto general = modes.find("");
    term.mode = own != modes.end()       ? own->second
                : general != modes.end() ? general->second
                                         : domain::SearchMode::kLike;
  }
  search.terms = std::move(terms);
  return search;
}

}  // namespace orgd::api::logto
