#pragma once

#include <array>
#include <climits>
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

#include "auth/client_versions.h"
#include "auth/jwt.h"
#include "auth/kek.h"
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

struct KeyRingOptions {
  // How long a retired key stays published and accepted after its retirement: long enough for
  // every token it signed to expire (the longest TTL, Kinde's 86399 s), plus the time other
  // processes take to notice a rotation (refresh_interval_ms), plus a minute of clock skew.
  int64_t retired_key_grace_ms = (86'399 + 5 + 60) * 1000LL;
  // How often the ring re-reads the stored keys on its own, so that every process starts signing
  // with a key rotated in by another process.
  int64_t refresh_interval_ms = 5'000;
  // A token naming an unknown kid re-reads the keys at most this often.
  int64_t unknown_kid_refresh_ms = 1'000;
};

// The signing keys: the active one signs; all are published and accepted. Loaded from the
// KeyStore, where their private keys are sealed with the KEK (auth/kek.h), or generated and
// stored on first start. Thread-safe.
//
// Reloadable: each load builds an immutable snapshot (the keys, active first, and the JWKS text)
// that is swapped in atomically; readers keep the snapshot they took. Loads happen at start, on
// their own every refresh_interval_ms (checked by active() and JwksJson()), and when a token
// names an unknown kid (ReloadForUnknownKid). Retired keys drop out once retired_key_grace_ms
// has passed since their retirement; their rows stay in the store.
class KeyRing {
 public:
  // Loads every stored RS256 key, opening each with `kek`; a key stored as plaintext PEM (a
  // database from before keys were sealed) is sealed in place. The newest unretired key is
  // active. When no unretired key exists, generates one under a kid derived from the number of
  // stored keys, stores it and lists again: processes racing through a first start insert the
  // same kid, one wins, and all load that one key. Store errors pass through;
  // kFailedPrecondition (reason "wrong_kek") when a stored key does not open with `kek`;
  // kInternal when a stored key does not load.
  static Result<std::unique_ptr<KeyRing>> LoadOrCreate(store::KeyStore& keys, const Kek& kek,
                                                       const Clock& clock,
                                                       KeyRingOptions options = {});
  // `orgd keys rotate`: checks that every stored key opens with `kek`, then stores a new key as
  // the active one and retires the others (they stay published for retired_key_grace_ms).
  // Returns the new kid. kAborted when another rotation took the same kid at the same time.
  static Result<std::string> Rotate(store::KeyStore& keys, const Kek& kek, const Clock& clock);

  // The key that signs now.
  std::shared_ptr<const SigningKey> active() const;
  std::vector<std::shared_ptr<const SigningKey>> all() const;
  // {"keys":[jwk,...]}
  std::string JwksJson() const;
  // Re-reads the keys now; on failure the current snapshot stays and the error is returned.
  Result<void> Reload() const;
  // Called when a token names a kid the ring does not hold: reloads unless that was done less
  // than unknown_kid_refresh_ms ago. True when it reloaded and the kid may now be known.
  bool ReloadForUnknownKid() const;

 private:
  struct Snapshot {
    std::vector<std::shared_ptr<const SigningKey>> keys;  // active first
    std::string jwks;
  };
  struct Decoded {
    std::string stored;  // the stored text it came from
    std::shared_ptr<const SigningKey> key;
  };
  KeyRing(store::KeyStore& keys, const Kek& kek, const Clock& clock, KeyRingOptions options);
  std::shared_ptr<const Snapshot> Current() const;
  void MaybeRefresh() const;
  // Loads and swaps in a new snapshot. Must hold reload_mu_.
  Result<void> LoadLocked(bool seal_plaintext) const;

  store::KeyStore& store_;
  std::unique_ptr<const Kek> kek_;
  const Clock& clock_;
  KeyRingOptions options_;
  mutable std::mutex snapshot_mu_;  // guards the pointer only
  mutable std::shared_ptr<const Snapshot> snapshot_;
  mutable std::mutex reload_mu_;    // one load at a time; guards decoded_
  mutable std::unordered_map<std::string, Decoded> decoded_;  // by kid: no PEM parse per reload
  mutable std::atomic<int64_t> loaded_at_ms_{0};
  mutable std::atomic<int64_t> unknown_kid_reload_at_ms_{INT64_MIN / 2};
};

// A new client's credentials; the secret is shown once and never stored.
struct CreatedClient {
  store::ClientRecord record;
  std::string secret;
};

// Management API clients. Thread-safe.
//
// Authenticate remembers a successful (client id, SHA-256 of the secret) for 60 s, because the
// Argon2 check is slow on purpose. Every write through this service drops the entry of the client
// it changes and refreshes `versions`; a remembered entry whose secret version `versions` no
// longer holds (a rotation or deletion, by any process) is dropped on its next use. Without
// `versions`, a change made by another process is seen once the entry expires.
class ClientService {
 public:
  ClientService(store::ClientStore& clients, const Clock& clock, IdGenerator& ids,
                ClientVersions* versions = nullptr);
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
  // Gives the client a new generated secret (returned once, never stored) and a new secret
  // version, so that every token issued before stops working. kNotFound when absent.
  Result<CreatedClient> RotateSecret(const std::string& id);
  // Deletes the client; its tokens stop working. kNotFound when absent.
  Result<void> Delete(const std::string& id);
  // Every client, by id (the records hold the secret hashes, never the secrets).
  Result<std::vector<store::ClientRecord>> List();

 private:
  struct CachedAuth {
    std::array<unsigned char, 32> secret_digest;  // SHA-256 of the secret that verified
    store::ClientRecord record;
    int64_t expires_at_ms = 0;
  };
  void Forget(const std::string& id);

  // Tells `versions_` (when set) to re-read after a write of this process.
  void Changed(const std::string& id);

  store::ClientStore& clients_;
  const Clock& clock_;
  IdGenerator& ids_;
  ClientVersions* versions_;
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
//
// With `versions`, every call (cache hits too) also requires the token's "cv" claim to be its
// client's current secret version: a rotated secret or a deleted client revokes its tokens at
// once in this process, and within ClientVersionsOptions::max_staleness_ms of a change made by
// another process. A token naming an unknown kid makes the key ring reload (rate-limited), so a
// key rotated in by another process is accepted.
class TokenVerifier {
 public:
  TokenVerifier(AuthConfig config, const KeyRing& keys, const Clock& clock,
                ClientVersions* versions = nullptr);

  // Logto: iss = public_url + "/oidc", aud contains the indicator, not expired, sub present.
  // The principal is shared with the cache entry (no copy per request); it stays valid as long
  // as the pointer is held, even after the entry leaves the cache.
  Result<std::shared_ptr<const Principal>> VerifyLogto(std::string_view token) const;
  // Kinde: iss = public_url, not expired.
  Result<std::shared_ptr<const Principal>> VerifyKinde(std::string_view token) const;

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
  // The issuers and the audience the checks compare with, made once.
  std::string logto_issuer_;
  std::string own_api_;
  const KeyRing& keys_;
  const Clock& clock_;
  ClientVersions* versions_;
  mutable std::shared_mutex mu_;
  // Hashes the token's last 64 characters and its length: the tail is signature, unique per
  // token and unpredictable, and hashing all of a Kinde token's 3 KB cost about a microsecond per
  // request. Only verified tokens are kept, so nobody can fill a bucket with forged tails.
  struct TokenHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const {
      const std::string_view tail = s.size() > 64 ? s.substr(s.size() - 64) : s;
      return std::hash<std::string_view>{}(tail) ^ (s.size() * 0x9E3779B97F4A7C15ull);
    }
  };
  // Keyed by the token's text, looked up without a copy: a SHA-256 of a Kinde token (about 3 KB)
  // cost a tenth of a request (perf, issue #7). Tokens are no secret from this process, which
  // holds the signing keys themselves.
  mutable std::unordered_map<std::string, std::shared_ptr<const Cached>, TokenHash,
                             std::equal_to<>>
      cache_;
  mutable std::atomic<int64_t> signature_checks_{0};
  // Tokens each thread keeps in front of cache_ (VerifyCached), by the same hash.
  static constexpr size_t kThreadTokenSlots = 64;
  const uint64_t instance_;  // tells this verifier's thread slots from a later one's
};

}  // namespace orgd::auth
