#pragma once

#include <string>
#include <vector>

namespace orgd::auth {

// Test-only knobs. A test process builds a fresh server per test, and RSA key generation plus
// the Argon2id work of the bootstrap client dominate that (about 0.2 s of CPU per test). The test
// support calls these once per process; orgd itself never does, and nothing else reads them.

// From now on HashSecret uses Argon2id with 64 KiB and 1 pass instead of the production cost.
// Hashes made before keep verifying (the PHC string carries its own parameters).
void UseCheapSecretHashForTesting();

// From now on SigningKey::Generate hands out these PKCS#8 PEM keys in order, and generates
// fresh keys again once they are used up.
void UsePresetSigningKeysForTesting(std::vector<std::string> pems);

}  // namespace orgd::auth
