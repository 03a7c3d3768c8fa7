#pragma once

#include <optional>
#include <string>
#include <string_view>

// Recognising uploaded images by their bytes, and naming their content. Pure functions.
namespace orgd::domain {

// The media type of `bytes` judged by their leading magic numbers, never by any declared type:
// "image/png" (\x89PNG\r\n\x1a\n), "image/jpeg" (FF D8 FF), "image/gif" (GIF87a / GIF89a),
// "image/webp" (RIFF <size> WEBP), "image/x-icon" (00 00 01 00 and a non-zero image count), or
// "image/svg+xml" for text (an optional UTF-8 byte order mark and leading whitespace) whose root
// element is <svg: either right away, or after an XML declaration, comments, processing
// instructions and a DOCTYPE. nullopt for anything else.
std::optional<std::string_view> DetectImageType(std::string_view bytes);

// A short, stable fingerprint of `bytes`: 16 lowercase hex digits of their 64-bit FNV-1a hash.
// It busts caches in logo URLs and serves as the ETag; it is not a security boundary (whoever can
// upload can already replace the logo), so a fast non-cryptographic hash suffices.
std::string ContentHash(std::string_view bytes);

}  // namespace orgd::domain
