#include "common/id_generator.h"

#include <openssl/rand.h>

#include <array>
#include <cstdio>
#include <stdexcept>

namespace orgd {
namespace {

constexpr std::string_view kAlnum = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kHex = "0123456789abcdef";

// Fills `out` with random bytes. RAND_bytes only fails when the OS entropy source is broken,
// which is not a state a server can continue from.
void FillRandom(unsigned char* out, size_t n) {
  if (RAND_bytes(out, static_cast<int>(n)) != 1) throw std::runtime_error("RAND_bytes failed");
}

struct Format {
  std::string_view prefix;
  size_t length;  // characters after the prefix
  bool hex;       // hex digits; otherwise [0-9a-z]
  bool uuid;
};

Format FormatFor(IdKind kind, IdStyle style) {
  if (style == IdStyle::kLogto) {
    switch (kind) {
      case IdKind::kOrganization:
      case IdKind::kUser:
      case IdKind::kConnection:
        return {"", 12, false, false};
      default:
        return {"", 21, false, false};
    }
  }
  switch (kind) {
    case IdKind::kOrganization: return {"org_", 11, true, false};
    case IdKind::kUser: return {"kp_", 32, true, false};
    case IdKind::kRole: return {"", 0, true, true};
    case IdKind::kPermission: return {"perm_", 32, true, false};
    case IdKind::kResource: return {"", 32, true, false};
    case IdKind::kResourceScope: return {"api_scope_", 32, true, false};
    case IdKind::kConnection: return {"conn_", 32, true, false};
    case IdKind::kInvitation: return {"inv_", 12, true, false};
    case IdKind::kProperty: return {"prop_", 32, true, false};
    case IdKind::kPropertyCategory: return {"cat_", 32, true, false};
    case IdKind::kMfaFactor: return {"mfa_", 32, true, false};
    case IdKind::kApplication: return {"", 32, true, false};
    case IdKind::kClient: return {"", 32, true, false};
    case IdKind::kSigningKey: return {"", 16, true, false};
    case IdKind::kRequest: return {"", 16, true, false};
  }
  return {"", 21, false, false};
}

std::string Uuid(const std::array<unsigned char, 16>& b) {
  std::string s;
  s.reserve(36);
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[b[i] >> 4]);
    s.push_back(kHex[b[i] & 15]);
  }
  return s;
}

}  // namespace

std::string RandomHex(size_t n) {
  std::string s(n, '0');
  unsigned char buf[64];
  for (size_t i = 0; i < n;) {
    size_t chunk = std::min(sizeof(buf), (n - i + 1) / 2);
    FillRandom(buf, chunk);
    for (size_t j = 0; j < chunk && i < n; ++j) {
      s[i++] = kHex[buf[j] >> 4];
      if (i < n) s[i++] = kHex[buf[j] & 15];
    }
  }
  return s;
}

std::string RandomAlnum(size_t n) {
  std::string s;
  s.reserve(n);
  unsigned char buf[64];
  while (s.size() < n) {
    FillRandom(buf, sizeof(buf));
    for (unsigned char c : buf) {
      // Rejection sampling keeps the 36 symbols uniform: 252 = 7 * 36.
      if (c < 252 && s.size() < n) s.push_back(kAlnum[c % 36]);
    }
  }
  return s;
}

std::string RandomIdGenerator::Next(IdKind kind, IdStyle style) {
  Format f = FormatFor(kind, style);
  if (f.uuid) {
    std::array<unsigned char, 16> b{};
    FillRandom(b.data(), b.size());
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
    return Uuid(b);
  }
  std::string id(f.prefix);
  id += f.hex ? RandomHex(f.length) : RandomAlnum(f.length);
  return id;
}

std::string SequentialIdGenerator::Next(IdKind kind, IdStyle style) {
  Format f = FormatFor(kind, style);
  uint64_t n = next_.fetch_add(1);
  if (f.uuid) {
    char buf[40];
    std::snprintf(buf, sizeof(buf), "00000000-0000-4000-8000-%012llx",
                  static_cast<unsigned long long>(n));
    return buf;
  }
  std::string digits;
  uint64_t base = f.hex ? 16 : 36;
  do {
    digits.insert(digits.begin(), kAlnum[n % base]);
    n /= base;
  } while (n > 0);
  std::string id(f.prefix);
  if (digits.size() < f.length) id.append(f.length - digits.size(), '0');
  id += digits;
  return id;
}

}  // namespace orgd
