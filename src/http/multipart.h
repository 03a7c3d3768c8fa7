#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

// A strict multipart/form-data reader (RFC 7578 over the RFC 2046 multipart grammar). Pure
// functions with no I/O and no global state, so that they can be fuzzed on their own (issue #8).
namespace orgd::http {

// One part of a multipart/form-data body. `data` views the request body it was parsed from and
// is valid only while that body lives and is not modified; the other fields are copies.
struct MultipartPart {
  std::string name;                     // Content-Disposition `name`
  std::optional<std::string> filename;  // Content-Disposition `filename`, when present
  std::string content_type;             // the part's Content-Type as declared; "" when absent
  std::string_view data;                // the part's bytes, exactly as sent
};

// The boundary of a `multipart/form-data` Content-Type header value
// (`multipart/form-data; boundary=xyz` or `boundary="x y z"`; the media type and parameter
// names are case-insensitive). kInvalidArgument (subject "content_type") when the media type is
// not multipart/form-data, when the boundary parameter is missing or appears twice, or when the
// boundary is not 1–70 characters of RFC 2046 `bchars` (not ending in a space).
Result<std::string> MultipartBoundary(std::string_view content_type);

// Splits `body` into its parts, in order. Strict: lines end in CRLF; the body starts with the
// first delimiter (or a preamble ending in CRLF before it); each delimiter line may carry only
// spaces and tabs after the boundary; the close delimiter `--boundary--` must be present (an
// epilogue after it, on a new line, is ignored); every part has a Content-Disposition of type
// form-data with a `name`; header lines are `Name: value` without folding, control characters or
// duplicates of Content-Disposition / Content-Type; a Content-Transfer-Encoding, if any, is 7bit,
// 8bit or binary (nothing is decoded). A body of only the close delimiter has no parts.
// kInvalidArgument (subject "body") with a message saying what is wrong otherwise.
// Requires: `boundary` is non-empty (as MultipartBoundary returns it).
Result<std::vector<MultipartPart>> ParseMultipart(std::string_view body, std::string_view boundary);

}  // namespace orgd::http
