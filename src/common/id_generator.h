#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace orgd {

// Which dialect minted an entity: ids keep the creating dialect's format for life.
enum class IdStyle { kLogto, kKinde };

// The kinds of entity that get generated ids. The format per (kind, style) is fixed by the
// contracts: Logto uses 12 or 21 characters of [0-9a-z]; Kinde uses prefixed lowercase hex
// (org_ + 11, kp_ + 32, perm_ + 32, ...) or a UUID for roles.
enum class IdKind {
  kOrganization,
  kUser,
  kRole,
  kPermission,
  kApplication,
  kResource,
  kResourceScope,
  kConnection,
  kInvitation,
  kProperty,
  kPropertyCategory,
  kMfaFactor,
  kClient,
  kSigningKey,
  kRequest,
};

// Mints ids. Thread-safe.
class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  virtual std::string Next(IdKind kind, IdStyle style) = 0;
};

// Cryptographically random ids (OpenSSL RAND_bytes) in the contract formats.
class RandomIdGenerator final : public IdGenerator {
 public:
  std::string Next(IdKind kind, IdStyle style) override;
};

// Deterministic ids for tests: the contract format's prefix and length, filled from a counter.
class SequentialIdGenerator final : public IdGenerator {
 public:
  std::string Next(IdKind kind, IdStyle style) override;

 private:
  std::atomic<uint64_t> next_{1};
};

// Random lowercase hex of `n` characters / random [0-9a-z] of `n` characters.
std::string RandomHex(size_t n);
std::string RandomAlnum(size_t n);

}  // namespace orgd
