#include "auth/argon2_password_hasher.h"

#include "auth/secret_hash.h"

namespace orgd::auth {

Result<std::string> Argon2PasswordHasher::Hash(std::string_view password) const {
  return HashSecret(password);
}

}  // namespace orgd::auth
