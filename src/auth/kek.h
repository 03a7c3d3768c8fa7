#pragma once

#include <array>
#include <string>
#include <string_view>

#include "common/result.h"

namespace orgd::auth {

// The key-encryption key (KEK): 32 random bytes that seal the token-signing keys at rest with
// AES-256-GCM, so that a copy of the database alone does not let anyone mint tokens.
//
// Text form (ORGD_KEK, the content of ORGD_KEK_FILE / --kek-file, and what `orgd kek generate`
// prints): the 32 bytes in standard base64 with padding (44 characters), or as 64 hex digits.
// Surrounding whitespace (a file's trailing newline) is ignored. Immutable; thread-safe.
class Kek {
 public:
  static constexpr size_t kBytes = 32;

  // kInvalidArgument, with a message fit for the terminal that never echoes the text, when
  // `text` is neither form of exactly 32 bytes.
  static Result<Kek> Parse(std::string_view text);
  // 32 bytes from the OpenSSL CSPRNG.
  static Kek Generate();
  // The base64 text form.
  std::string ToText() const;

  // Seals `plaintext` as "kek1:<base64 nonce>:<base64 ciphertext and 16-byte tag>": a fresh random
  // 96-bit nonce per call, and `aad` (the signing key's kid) bound as associated data, so a
  // sealed key moved to another kid does not open.
  Result<std::string> Seal(std::string_view plaintext, std::string_view aad) const;
  // Opens what Seal made with the same KEK and `aad`. kInvalidArgument (reason "envelope") when
  // `envelope` is not a kek1 envelope; kPermissionDenied (reason "wrong_kek") when it does not
  // authenticate: another KEK sealed it, or it was altered.
  Result<std::string> Open(std::string_view envelope, std::string_view aad) const;
  // True when `text` is a kek1 envelope (by its prefix), i.e. not a plaintext PEM.
  static bool IsSealed(std::string_view text);

 private:
  Kek() = default;
  std::array<unsigned char, kBytes> bytes_{};
};

// Reads a KEK from the file at `path` (its whole content, in the text form). kInvalidArgument
// naming the path when it cannot be read or does not parse.
Result<Kek> ReadKekFile(const std::string& path);

// The KEK file beside an SQLite database: reads `path` when it exists; otherwise creates it with
// a new KEK, mode 0600, exclusively (when two processes race through a first start, the loser
// reads the winner's file). `created` tells which happened.
Result<Kek> LoadOrCreateKekFile(const std::string& path, bool& created);

}  // namespace orgd::auth
