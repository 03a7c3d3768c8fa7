// libFuzzer target: the multipart/form-data parser of logo uploads. The input's first line is the
// Content-Type header value, the rest the body. Every part the parser returns must lie inside the
// body it was given and have a name.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/multipart.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  std::string_view content_type = input.substr(0, newline);
  std::string_view body = input.substr(newline + 1);
  auto boundary = orgd::http::MultipartBoundary(content_type);
  if (!boundary) return 0;
  auto parts = orgd::http::ParseMultipart(body, *boundary);
  if (!parts) return 0;
  const char* begin = body.data();
  const char* end = body.data() + body.size();
  for (const auto& part : *parts) {
    if (part.data.data() < begin || part.data.data() + part.data.size() > end) std::abort();
    if (part.name.empty()) std::abort();
  }
  return 0;
}
