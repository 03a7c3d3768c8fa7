#pragma once

#include <string>
#include <vector>

namespace orgd::testing {

// Fixed RSA signing keys (PKCS#8 PEM) that TestServer hands to auth::SigningKey::Generate
// through auth::UsePresetSigningKeysForTesting, so that a test's server does not spend ~0.1 s of
// CPU generating one. Test-only: never use them anywhere else.
const std::vector<std::string>& TestSigningKeyPems();

}  // namespace orgd::testing
