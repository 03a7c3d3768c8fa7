#include "api/json_input.h"

#include <cctype>
#include <cmath>
#include <limits>

namespace orgd::api {

Result<Json> ParseJson(std::string_view body) {
  Json value;
  try {
    value = Json::parse(body.begin(), body.end());
  } catch (const Json::exception& e) {
    // nlohmann prefixes its text with "[json.exception.parse_error.101] "; clients get the rest.
    std::string message = e.what();
    if (auto pos = message.find("] "); pos != std::string::npos) message.erase(0, pos + 2);
    // The parser quotes the offending bytes, which may be the invalid UTF-8 that failed; keep the
    // message printable ASCII so it can be rendered as JSON.
    for (char& c : message) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
    }
    return Error::InvalidArgument(std::move(message)).WithReason("json");
  }
  return value;
}

Error FieldError(std::string_view key, std::string_view reason, std::string message) {
  if (message.empty()) {
    message = std::string(key) + (reason == "required" ? " is required" : " is invalid");
  }
  return Error::InvalidArgument(std::move(message), std::string(key)).WithReason(std::string(reason));
}

Result<void> ReadString(const Json& obj, std::string_view key, std::optional<std::string>& out) {
  auto it = obj.find(key);
  if (it == obj.end()) return {};
  if (!it->is_string()) return FieldError(key, "invalid", std::string(key) + " must be a string");
  out = it->get<std::string>();
  return {};
}

Result<void> ReadNullableString(const Json& obj, std::string_view key,
                                std::optional<std::optional<std::string>>& out) {
  auto it = obj.find(key);
  if (it == obj.end()) return {};
  if (it->is_null()) {
    out.emplace(std::nullopt);
    return {};
  }
  if (!it->is_string()) {
    return FieldError(key, "invalid", std::string(key) + " must be a string or null");
  }
  out.emplace(it->get<std::string>());
  return {};
}

Result<void> ReadBool(const Json& obj, std::string_view key, std::optional<bool>& out) {
  auto it = obj.find(key);
  if (it == obj.end()) return {};
  if (!it->is_boolean()) return FieldError(key, "invalid", std::string(key) + " must be a boolean");
  out = it->get<bool>();
  return {};
}

Result<void> ReadInt(const Json& obj, std::string_view key, std::optional<int64_t>& out) {
  auto it = obj.find(key);
  if (it == obj.end()) return {};
  if (it->is_number_integer()) {
    if (it->is_number_unsigned() &&
        it->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return FieldError(key, "invalid", std::string(key) + " is out of range");
    }
    out = it->get<int64_t>();
    return {};
  }
  if (it->is_number_float()) {
    double d = it->get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) {
      out = static_cast<int64_t>(d);
      return {};
    }
  }
  return FieldError(key, "invalid", std::string(key) + " must be an integer");
}

Result<void> ReadObjectText(const Json& obj, std::string_view key, std::optional<std::string>& out) {
  auto it = obj.find(key);
  if (it == obj.end()) return {};
  if (!it->is_object()) return FieldError(key, "invalid", std::string(key) + " must be an object");
  out = it->dump();
  return {};
}

Result<void> ReadStringArray(const Json& obj, std::string_view key,
                             std::optional<std::vector<std::string>>& out) {
  auto it = obj.find(key);
  if (it == obj.end()) return {};
  if (!it->is_array()) return FieldError(key, "invalid", std::string(key) + " must be an array");
  std::vector<std::string> values;
  values.reserve(it->size());
  for (const auto& item : *it) {
    if (!item.is_string()) {
      return FieldError(key, "invalid", std::string(key) + " must be an array of strings");
    }
    values.push_back(item.get<std::string>());
  }
  out = std::move(values);
  return {};
}

bool IsHexColor(std::string_view s) {
  if ((s.size() != 4 && s.size() != 7) || s[0] != '#') return false;
  for (size_t i = 1; i < s.size(); ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace orgd::api
