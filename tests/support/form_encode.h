#pragma once

#include <cctype>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Percent-encoding for the bodies of token requests (application/x-www-form-urlencoded) and for
// query strings, shared by every suite that builds them by hand. Header-only so that suites
// outside orgd_test_support (the multiprocess helpers) need no extra library.
namespace orgd::testing {

// `s` with every byte other than the unreserved characters of RFC 3986 (ALPHA DIGIT - . _ ~) as
// %XX (upper-case hex); a space becomes %20, never '+'.
inline std::string FormEncode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// `name=value` pairs joined by '&', each value encoded as above; names are written as they are
// (callers pass plain field names).
inline std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += name + "=" + FormEncode(value);
  }
  return out;
}

}  // namespace orgd::testing
