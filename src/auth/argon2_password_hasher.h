#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "domain/password_hasher.h"

namespace orgd::auth {

// The domain's PasswordHasher on Argon2id (the same parameters as client secrets, secret_hash.h).
// Thread-safe.
class Argon2PasswordHasher final : public domain::PasswordHasher {
 public:
  Result<std::string> Hash(std::string_view password) const override;
  std::string_view algorithm() const override { return "Argon2id"; }
};

}  // namespace orgd::auth
