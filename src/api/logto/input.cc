#include "api/logto/input.h"

#include <cctype>

namespace orgd::api::logto {

Result<Json> ReadBody(const http::Request& request) {
  std::string type = request.MediaType();
  bool is_json = type == "application/json" ||
                 (type.size() > 5 && type.compare(type.size() - 5, 5, "+json") == 0);
  if (!is_json || request.body.empty()) return Json::object();
  auto parsed = ParseJson(request.body);
  if (!parsed) return std::move(parsed).error();
  if (!parsed->is_object()) {
    return FieldError("", "invalid_type", "Expected object, received " +
                                              std::string(parsed->type_name()));
  }
  return std::move(*parsed);
}

Result<void> CheckLength(std::string_view key, const std::string& value, size_t min, size_t max) {
  size_t n = Utf8Length(value);
  if (n < min) {
    return FieldError(key, "too_small",
                      "String must contain at least " + std::to_string(min) + " character(s)");
  }
  if (n > max) {
    return FieldError(key, "too_big",
                      "String must contain at most " + std::to_string(max) + " character(s)");
  }
  return {};
}

Result<void> ReadRequiredString(const Json& body, std::string_view key, size_t min, size_t max,
                                std::string& out) {
  std::optional<std::string> value;
  ORGD_TRY(ReadString(body, key, value));
  if (!value) return FieldError(key, "required", "Required");
  ORGD_TRY(CheckLength(key, *value, min, max));
  out = std::move(*value);
  return {};
}

bool IsYes(std::string_view value) {
  std::string lower;
  for (char c : value) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return lower == "1" || lower == "true" || lower == "y" || lower == "yes" || lower == "yep" ||
         lower == "yeah";
}

Result<std::optional<std::string_view>> SingleQuery(const http::QueryParams& query,
                                                    std::string_view key) {
  size_t count = query.Count(key);
  if (count == 0) return std::optional<std::string_view>();
  if (count > 1) {
    Error e = FieldError(key, "invalid_type", "Expected string, received array");
    e.fields["_in"] = "query";
    return e;
  }
  std::string_view value = *query.Get(key);
  if (value.empty()) return std::optional<std::string_view>();
  return std::optional<std::string_view>(value);
}

bool IsUrl(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  if (!std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (size_t i = 1; i < colon; ++i) {
    char c = s[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return colon + 1 < s.size();
}

}  // namespace orgd::api::logto
