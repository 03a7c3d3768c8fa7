#include "auth/secret_hash.h"

#include <openssl/rand.h>

#include <array>
#include <atomic>
#include <string>

#include <argon2.h>

#include "auth/testing_hooks.h"

namespace orgd::auth {
namespace {

// OWASP's Argon2id baseline: 19 MiB, 2 passes, 1 lane.
constexpr uint32_t kTimeCost = 2;
constexpr uint32_t kMemoryKib = 19456;
constexpr uint32_t kParallelism = 1;
constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

std::atomic<bool> cheap_for_testing{false};

}  // namespace

void UseCheapSecretHashForTesting() { cheap_for_testing.store(true); }

Result<std::string> HashSecret(std::string_view secret) {
  std::array<unsigned char, kSaltBytes> salt{};
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
    return Error::Internal("RAND_bytes failed");
  }
  const bool cheap = cheap_for_testing.load(std::memory_order_relaxed);
  const uint32_t time_cost = cheap ? 1 : kTimeCost;
  const uint32_t memory_kib = cheap ? 64 : kMemoryKib;
  size_t encoded_len =
      argon2_encodedlen(time_cost, memory_kib, kParallelism, kSaltBytes, kHashBytes, Argon2_id);
  std::string encoded(encoded_len, '\0');
  int rc =
      argon2id_hash_encoded(time_cost, memory_kib, kParallelism, secret.data(), secret.size(),
                            salt.data(), salt.size(), kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) return Error::Internal("argon2id hashing failed", argon2_error_message(rc));
  // argon2_encodedlen counts the terminating NUL.
  encoded.resize(encoded.find('\0'));
  return encoded;
}

bool VerifySecret(std::string_view secret, std::string_view phc) {
  // libargon2 reads a C string; an embedded NUL would silently cut the hash short.
  if (phc.empty() || phc.find('\0') != std::string_view::npos) return false;
  if (!phc.starts_with("$argon2id$")) return false;
  std::string encoded(phc);
  // argon2id_verify recomputes the hash and compares in constant time; any decoding failure of a
  // malformed string comes back as a non-OK code.
  return argon2id_verify(encoded.c_str(), secret.data(), secret.size()) == ARGON2_OK;
}

}  // namespace orgd::auth
