#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace orgd::auth {

// Argon2id hash of `secret` with a fresh random salt, in PHC string format
// ("$argon2id$v=19$m=...,t=...,p=...$salt$hash"). Slow on purpose (~tens of ms).
Result<std::string> HashSecret(std::string_view secret);
// Constant-time check of `secret` against a PHC string made by HashSecret. False on any mismatch
// or a malformed hash.
bool VerifySecret(std::string_view secret, std::string_view phc);

}  // namespace orgd::auth
