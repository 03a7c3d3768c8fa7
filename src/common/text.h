#pragma once

// Byte-level text helpers that several layers need alike: ASCII case folding (the only folding
// orgd does: SQLite's LIKE and every case-insensitive rule of the contracts fold ASCII alone) and
// UTF-8 structure.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace orgd {

// `c` with A-Z mapped to a-z; every other byte as it is.
inline char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// `s` with A-Z mapped to a-z; every other byte (UTF-8 included) as it is.
inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

// Whether `a` and `b` are equal once ASCII letters are folded.
inline bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

// The bytes of the UTF-8 sequence that `lead` starts: 2, 3 or 4 for a lead byte, 1 for anything
// else (ASCII, or a stray continuation byte), so that a scan always moves on.
inline size_t Utf8SequenceLength(unsigned char lead) {
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
inline bool IsStrictUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    if (b < 0x80) {
      n = 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
      n = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      n = 3;
    } else if (b >= 0xF0 && b <= 0xF4) {
      n = 4;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    const auto b1 = n > 1 ? static_cast<unsigned char>(s[i + 1]) : 0;
    if ((b == 0xE0 && b1 < 0xA0) ||  // overlong three-byte form
        (b == 0xED && b1 > 0x9F) ||  // surrogate
        (b == 0xF0 && b1 < 0x90) ||  // overlong four-byte form
        (b == 0xF4 && b1 > 0x8F)) {  // above U+10FFFF
      return false;
    }
    i += n;
  }
  return true;
}

}  // namespace orgd
