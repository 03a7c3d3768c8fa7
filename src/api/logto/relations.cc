#include "api/logto/relations.h"

#include "api/logto/errors.h"

namespace orgd::api::logto {

Result<void> ReadIdArray(const Json& body, std::string_view key, bool required, bool non_empty,
                         std::optional<std::vector<std::string>>& out) {
  auto it = body.find(key);
  if (it == body.end()) {
    if (required) return FieldError(key, "invalid_type", "Required");
    return {};
  }
  if (!it->is_array()) return FieldError(key, "invalid_type", "Expected array");
  if (non_empty && it->empty()) {
    return FieldError(key, "too_small", "Array must contain at least 1 element(s)");
  }
  std::vector<std::string> values;
  values.reserve(it->size());
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& item = (*it)[i];
    std::string path = std::string(key) + "." + std::to_string(i);
    if (!item.is_string()) return FieldError(path, "invalid_type", "Expected string");
    if (item.get_ref<const std::string&>().empty()) {
      return FieldError(path, "too_small", "String must contain at least 1 character(s)");
    }
    values.push_back(item.get<std::string>());
  }
  out = std::move(values);
  return {};
}

http::Response RenderRelationError(const Error& error) {
  if (error.code == ErrorCode::kNotFound && error.reason == "foreign_key") {
    return Render(Error::FailedPrecondition("foreign_key", error.message));
  }
  return Render(error);
}

}  // namespace orgd::api::logto
