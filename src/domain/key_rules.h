#pragma once

#include <algorithm>
#include <string_view>

namespace orgd::domain {

// True for a key that is non-empty and holds no whitespace (feature flag and property keys,
// contracts/kinde.md §1.8). Keys are otherwise free-form and compared byte for byte.
inline bool IsValidKey(std::string_view key) {
  return !key.empty() && std::none_of(key.begin(), key.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  });
}

}  // namespace orgd::domain
