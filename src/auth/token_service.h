#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "auth/jwt.h"
#include "auth/principal.h"
#include "common/clock.h"
#include "common/id_generator.h"
#include "common/result.h"
#include "store/store.h"

namespace orgd::auth {

// The Management API scopes of the Kinde dialect (contracts/kinde.md §5), sorted. The Logto
// dialect has the single scope "all".
const std::vector<std::string>& KindeScopes();
inline constexpr std::string_view kLogtoScope = "all";
// Every scope orgd knows: "all" plus KindeScopes(), sorted. A bootstrap admin client gets these.
std::vector<std::string> AllScopes();

struct AuthConfig {
  std::string public_url;  // "http://127.0.0.1:3001", no trailing slash
  std::string logto_indicator = "https://default.logto.app/api";
  int64_t logto_token_ttl_s = 3600;
  int64_t kinde_token_ttl_s = 86399;
};

// The signing keys: the active one signs; all are published and accepted. Loaded from the
// KeyStore, or generated and stored on first start. Immutable once loaded; thread-safe.
class KeyRing {
 public:
  // Loads every stored RS256 key (retired ones too: they are still published and accepted). The
  // newest unretired key is active. When no unretired key exists, generates one under a kid
  // derived from the number of stored keys, stores it and lists again: processes racing through a
  // first start insert the same kid, one wins, and all load that one key. Store errors pass
  // through; kInternal when a stored key does not load.
  static Result<std::unique_ptr<KeyRing>> LoadOrCreate(store::KeyStore& keys, const Clock& clock);
  std::shared_ptr<const SigningKey> active() const;
  std::vector<std::shared_ptr<const SigningKey>> all() const;
  // {"keys":[jwk,...]}
  std::string JwksJson() const;

 private:
  std::vector<std::shared_ptr<const SigningKey>> keys_;  // active first
};

// A new client's credentials; the secret is shown once and never stored.
struct CreatedClient {
  store::ClientRecord record;
  std::string secret;
};

// Management API clients. Thread-safe.
//
// Authenticate remembers a successful (client id, SHA-256 of the secret) for 60 s, because the
// Argon2 check is slow on purpose. Create and EnsureClient drop the entry of the client they
// change; a change made by another process is seen once the entry expires.
class ClientService {
 public:
  ClientService(store::ClientStore& clients, const Clock& clock, IdGenerator& ids);
  // Creates a client with a generated id (unless `id` is given) and secret (unless `secret` is
  // given). Scopes must be known (AllScopes), else kInvalidArgument; they are stored sorted and
  // unique, and an empty list means every scope. kInvalidArgument too for an id that is empty,
  // over 128 characters, or holds ':', spaces or control characters, and for an empty secret;
  // kAlreadyExists when the id is taken.
  Result<CreatedClient> Create(std::string name, std::vector<std::string> scopes,
                               std::optional<std::string> id = std::nullopt,
                               std::optional<std::string> secret = std::nullopt);
  // Makes sure a client with exactly this id and secret and every scope exists (bootstrap): inserts
  // it when missing; rewrites its hash and scopes (keeping name and created_at) when the secret
  // does not verify or its scopes are not exactly AllScopes(); otherwise writes nothing.
  Result<void> EnsureClient(const std::string& id, const std::string& secret, std::string name);
  // The client when `secret` matches its stored hash; kUnauthenticated "invalid client" otherwise
  // (unknown id too, after the same Argon2 work). Store errors other than kNotFound pass through.
  Result<store::ClientRecord> Authenticate(std::string_view id, std::string_view secret);

 private:
  struct CachedAuth {
    std::array<unsigned char, 32> secret_digest;  // SHA-256 of the secret that verified
    store::ClientRecord record;
    int64_t expires_at_ms = 0;
  };
  void Forget(const std::string& id);

  store::ClientStore& clients_;
  const Clock& clock_;
  IdGenerator& ids_;
  std::mutex cache_mu_;
  std::unordered_map<std::string, CachedAuth> auth_cache_;  // by client id
  // Bumped by Forget, so that an Authenticate that read the store before a change does not cache
  // what it read.
  uint64_t cache_generation_ = 0;
};

// A token request as read from the form body and headers by the dialect.
struct TokenRequest {
  std::optional<std::string> grant_type;
  std::optional<std::string> client_id;
  std::optional<std::string> client_secret;
  std::optional<std::string> resource;  // Logto
  std::optional<std::string> audience;  // Kinde
  std::optional<std::string> scope;
  bool has_organization_id = false;     // Logto: organization tokens are not supported
  bool malformed = false;               // the form or the Basic header did not parse
};

struct IssuedToken {
  std::string access_token;
  int64_t expires_in = 0;
  std::string scope;
};

// An OAuth 2.0 error answer of a token endpoint.
struct OAuthError {
  int status = 400;
  std::string error;        // "invalid_request", "invalid_client", ...
  std::string description;
};

using TokenOutcome = std::variant<IssuedToken, OAuthError>;

// Issues client-credentials tokens for both dialects (contracts: logto.md §1.2, kinde.md §1.2).
// Empty form values count as absent. A store or signing failure while issuing is logged and
// answered 503 "temporarily_unavailable" (kUnavailable, kAborted) or 500 "server_error".
class TokenIssuer {
 public:
  TokenIssuer(AuthConfig config, ClientService& clients, const KeyRing& keys, const Clock& clock);
  TokenOutcome IssueLogto(const TokenRequest& request) const;
  TokenOutcome IssueKinde(const TokenRequest& request) const;
  const AuthConfig& config() const { return config_; }

 private:
  AuthConfig config_;
  ClientService& clients_;
  const KeyRing& keys_;
  const Clock& clock_;
};

// Why a bearer token was refused, for the dialects' error codes.
enum class TokenFailure {
  kInvalid,     // bad signature, shape, issuer, audience or expired
  kSubMissing,  // verified, but no `sub`
};

// Verifies bearer tokens for each dialect, caching verified tokens by their text until they
// expire so that the signature is checked once per token, not once per request. Thread-safe.
class TokenVerifier {
 public:
  TokenVerifier(AuthConfig config, const KeyRing& keys, const Clock& clock);

  // Logto: iss = public_url + "/oidc", aud contains the indicator, not expired, sub present.
  Result<Principal> VerifyLogto(std::string_view token) const;
  // Kinde: iss = public_url, not expired.
  Result<Principal> VerifyKinde(std::string_view token) const;

  // The failure kind of an error returned by Verify*: the error's `reason` is "sub_missing" for
  // kSubMissing, empty otherwise.

  // How many tokens were checked cryptographically (cache misses), for tests and metrics.
  int64_t signature_checks() const { return signature_checks_.load(std::memory_order_relaxed); }

 private:
  struct Cached {
    JwtClaims claims;
    Principal principal;
  };
  // The verified claims of `token` (signature and shape, from the cache when seen before), after
  // checking exp and nbf against the clock on every call.
  Result<std::shared_ptr<const Cached>> VerifyCached(std::string_view token) const;

  AuthConfig config_;
  const KeyRing& keys_;
  const Clock& clock_;
  mutable std::shared_mutex mu_;
  // Keyed by the SHA-256 digest of the token text, so that a key costs 32 bytes, not the token.
  mutable std::unordered_map<std::string, std::shared_ptr<const Cached>> cache_;
  mutable std::atomic<int64_t> signature_checks_{0};
};

}  // namespace orgd::auth
