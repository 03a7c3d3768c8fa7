#pragma once

#include <cstddef>
#include <string_view>

namespace orgd::api {

// True when `s` is well-formed UTF-8 (no overlong two-byte forms), which is what PostgreSQL
// accepts as text: query values bound as SQL text are checked with it so that bad bytes answer
// 400 rather than fail in the database.
inline bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t n = c < 0x80           ? 1
                     : (c >> 5) == 0x6  ? 2
                     : (c >> 4) == 0xE  ? 3
                     : (c >> 3) == 0x1E ? 4
                                        : 0;
    if (n == 0 || i + n > s.size() || (n == 2 && c < 0xC2)) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

}  // namespace orgd::api
