#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"

// Reading request bodies without exceptions. Every reader leaves `out` untouched when the key is
// absent and returns kInvalidArgument with `subject` = the key and `reason` = "invalid" when the
// value has the wrong type or shape; dialects turn that into their own error bodies.
namespace orgd::api {

using Json = nlohmann::json;

// Parses `body` as JSON (invalid UTF-8 is invalid JSON). On failure: kInvalidArgument with
// reason "json" and the parser's message.
Result<Json> ParseJson(std::string_view body);

// kInvalidArgument for `key` with `reason` ("invalid", "required", "too_long", ...).
Error FieldError(std::string_view key, std::string_view reason, std::string message = {});

// Absent → unchanged; a string → set; anything else (null included) → invalid.
Result<void> ReadString(const Json& obj, std::string_view key, std::optional<std::string>& out);
// Absent → unchanged; null → engaged empty; a string → engaged value; else invalid.
Result<void> ReadNullableString(const Json& obj, std::string_view key,
                                std::optional<std::optional<std::string>>& out);
Result<void> ReadBool(const Json& obj, std::string_view key, std::optional<bool>& out);
// Integral JSON numbers only (1.0 counts as integral); else invalid.
Result<void> ReadInt(const Json& obj, std::string_view key, std::optional<int64_t>& out);
// Absent → unchanged; an object → its compact text; anything else → invalid.
Result<void> ReadObjectText(const Json& obj, std::string_view key, std::optional<std::string>& out);
// Absent → unchanged; an array of strings → set; else invalid.
Result<void> ReadStringArray(const Json& obj, std::string_view key,
                             std::optional<std::vector<std::string>>& out);

// `#rgb` or `#rrggbb`, case-insensitive: the colour syntax of both dialects.
bool IsHexColor(std::string_view s);

// Length in Unicode code points of valid UTF-8 text (what JavaScript clients count, near enough).
size_t Utf8Length(std::string_view s);

}  // namespace orgd::api
