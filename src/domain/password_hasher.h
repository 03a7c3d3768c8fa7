#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace orgd::domain {

// Turns a plain password into a stored hash. The domain owns this port and the auth layer
// implements it with Argon2id (auth::Argon2PasswordHasher), so the domain links no crypto library
// and its tests use a cheap fake. Implementations are thread-safe.
class PasswordHasher {
 public:
  virtual ~PasswordHasher() = default;
  // A PHC string for `password`. kInternal when hashing fails.
  virtual Result<std::string> Hash(std::string_view password) const = 0;
  // The algorithm name stored beside hashes made by Hash ("Argon2id").
  virtual std::string_view algorithm() const = 0;
};

}  // namespace orgd::domain
