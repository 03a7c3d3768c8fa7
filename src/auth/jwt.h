#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace orgd::auth {

std::string Base64UrlEncode(std::string_view bytes);
// Decodes unpadded (or padded) base64url; nullopt on any character outside the alphabet.
std::optional<std::string> Base64UrlDecode(std::string_view text);
std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);

// An RSA key pair used to sign RS256 JWTs. Immutable after construction; thread-safe.
class SigningKey {
 public:
  ~SigningKey();
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;

  // A fresh 2048-bit RSA key.
  static Result<std::unique_ptr<SigningKey>> Generate(std::string kid);
  // Loads a PKCS#8 PEM private key. kInvalidArgument when it does not parse or is not RSA.
  static Result<std::unique_ptr<SigningKey>> FromPem(std::string kid, std::string_view pem);

  const std::string& kid() const { return kid_; }
  std::string PrivatePem() const;
  // The public key as one JWK object (JSON text): {"kty":"RSA","kid","use":"sig","alg":"RS256","n","e"}.
  std::string PublicJwk() const;

  // header.payload.signature with header {"alg":"RS256","typ":"JWT","kid":kid}; `payload_json`
  // is the claims object text.
  Result<std::string> Sign(std::string_view payload_json) const;
  // True when `signature` is a valid RS256 signature of `signing_input` by this key.
  bool Verify(std::string_view signing_input, std::string_view signature) const;

 private:
  SigningKey(std::string kid, void* pkey);
  std::string kid_;
  void* pkey_;  // EVP_PKEY*, owned
};

// The claims orgd checks and uses, decoded from a verified token.
struct JwtClaims {
  std::string iss;
  std::vector<std::string> aud;  // a string aud becomes one element
  std::string sub;
  std::string client_id;         // client_id or azp claim
  std::string scope;             // space-separated
  int64_t exp = 0;
  int64_t iat = 0;
  std::optional<int64_t> nbf;
  std::string jti;
  std::optional<int64_t> cv;     // orgd's client secret version (an integer), when present
};

// Splits and verifies a compact JWS: exactly three base64url segments, header alg "RS256" (every
// other alg, including "none" and HS*, is rejected), a kid naming one of `keys`, a valid signature,
// and a JSON object payload. Does not check times, issuer or audience. kUnauthenticated on any
// failure, with the reason in `detail`; a kid that names none of `keys` has reason "unknown_kid". Tokens over 8 KiB are rejected unparsed.
Result<JwtClaims> VerifyJwt(std::string_view token,
                            const std::vector<std::shared_ptr<const SigningKey>>& keys);

}  // namespace orgd::auth
