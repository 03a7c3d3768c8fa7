#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/json_input.h"
#include "http/request.h"

// Request input rules of the Logto dialect (contracts/logto.md §1.4).
namespace orgd::api::logto {

// The body as a JSON object. Parsed only when Content-Type is application/json or *+json; any
// other or missing type, and an empty body, read as {}. Invalid JSON → reason "json"; a JSON value
// that is not an object → guard.invalid_input.
Result<Json> ReadBody(const http::Request& request);

// Checks the length of a string field in code points: below `min` → reason "too_small", above
// `max` → "too_big", with zod's wording.
Result<void> CheckLength(std::string_view key, const std::string& value, size_t min, size_t max);

// Reads a required string of `min`..`max` code points into `out`.
Result<void> ReadRequiredString(const Json& body, std::string_view key, size_t min, size_t max,
                                std::string& out);

// True for "1", "true", "y", "yes", "yep", "yeah" in any case.
bool IsYes(std::string_view value);

// A single-valued query parameter: repeated → 400 guard.invalid_input (query). Empty means absent.
Result<std::optional<std::string_view>> SingleQuery(const http::QueryParams& query,
                                                    std::string_view key);

// What WHATWG `new URL()` accepts, near enough: a scheme, ':', and no whitespace.
bool IsUrl(std::string_view s);

}  // namespace orgd::api::logto
