#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"

namespace orgd::auth {

// The authenticated caller of a Management API request.
struct Principal {
  ClientId client_id;
  std::vector<std::string> scopes;  // sorted, unique
  int64_t expires_at = 0;           // epoch seconds of the token's exp

  bool HasScope(std::string_view scope) const {
    return std::binary_search(scopes.begin(), scopes.end(), scope);
  }
};

}  // namespace orgd::auth
