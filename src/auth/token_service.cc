#include "auth/token_service.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <utility>

#include <nlohmann/json.hpp>

#include "auth/secret_hash.h"
#include "common/instance_id.h"
#include "common/log.h"

namespace orgd::auth {
namespace {

using nlohmann::json;

constexpr int64_t kAuthCacheTtlMs = 60'000;
constexpr size_t kMaxAuthCacheEntries = 1024;
// Each entry holds a token (at most kMaxTokenBytes), its claims and scopes (a few KiB for a Kinde
// token with every scope), so the bound keeps the worst case in the tens of MiB.
constexpr size_t kMaxTokenCacheEntries = 4'096;
constexpr size_t kMaxTokenBytes = 8192;

std::array<unsigned char, 32> Sha256(std::string_view data) {
  std::array<unsigned char, 32> out{};
  unsigned int len = 0;
  // Fetched once: EVP_sha256() makes every digest look the implementation up again, which cost
  // as much as the digest of a token itself (perf, issue #7).
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  // Cannot fail for an in-memory SHA-256 short of memory exhaustion.
  EVP_Digest(data.data(), data.size(), out.data(), &len, kSha256 != nullptr ? kSha256 : EVP_sha256(),
             nullptr);
  return out;
}

std::vector<std::string> SplitSpaces(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find(' ', i);
    if (j == std::string_view::npos) j = text.size();
    if (j > i) out.emplace_back(text.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::string JoinSpaces(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out.push_back(' ');
    out += s;
  }
  return out;
}

std::vector<std::string> SortedUnique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

bool Contains(const std::vector<std::string>& sorted, std::string_view s) {
  return std::binary_search(sorted.begin(), sorted.end(), s);
}

// Form parameters sent empty count as absent, as in oidc-provider (which Logto runs on) and for
// Kinde's SDK, which sends `scope=` when it means "no scope".
const std::string* Param(const std::optional<std::string>& v) {
  return v && !v->empty() ? &*v : nullptr;
}

OAuthError OAuth(int status, std::string error, std::string description) {
  return OAuthError{
      .status = status, .error = std::move(error), .description = std::move(description)};
}

// A store or crypto failure while issuing: logged with its detail, answered without it.
OAuthError ServerError(const Error& e) {
  log::Error("token endpoint failure",
             {{"code", ErrorCodeName(e.code)}, {"message", e.message}, {"detail", e.detail}});
  if (e.code == ErrorCode::kUnavailable || e.code == ErrorCode::kAborted) {
    return OAuth(503, "temporarily_unavailable", "the service is temporarily unavailable");
  }
  return OAuth(500, "server_error", "internal server error");
}

std::string StripTrailingSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// A random RFC 4122 version-4 UUID.
std::string Uuid4() {
  std::string hex = RandomHex(32);
  hex[12] = '4';
  // The variant digit is 10xx in binary: keep two random bits of the digit that was there.
  int digit = hex[16] <= '9' ? hex[16] - '0' : hex[16] - 'a' + 10;
  hex[16] = "89ab"[digit & 3];
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

// kinde.md §1.2: a non-empty value whose path ends in "/api". The scheme is optional because SDKs
// send both "host:port/api" and "https://host/api"; the host must be present and the path must
// end exactly in "/api" (no trailing slash, query or fragment).
bool IsKindeAudience(std::string_view aud) {
  for (char c : aud) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  if (size_t scheme = aud.find("://"); scheme != std::string_view::npos) {
    aud.remove_prefix(scheme + 3);
  }
  size_t slash = aud.find('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  std::string_view path = aud.substr(slash);
  return path.ends_with("/api");
}

// A client id is sent in forms and in a Basic header, where ':' separates it from the secret.
bool IsValidClientId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == ':') return false;
  }
  return true;
}

Error InvalidToken(std::string detail) {
  return Error::Unauthenticated("invalid token").WithDetail(std::move(detail));
}

const std::string& DummyHash() {
  // Authenticating an unknown client id costs one Argon2 check like a known one, so that the
  // answer time does not reveal which ids exist.
  static const std::string kHash = [] {
    auto h = HashSecret("orgd-unknown-client");
    return h ? *h : std::string();
  }();
  return kHash;
}

}  // namespace

namespace {

std::string NextKid(size_t stored) { return "k" + std::to_string(stored + 1); }

Error WrongKek(const std::string& kid) {
  return Error::FailedPrecondition(
             "wrong_kek",
             "signing key " + kid +
                 " does not decrypt with the configured KEK; start orgd with the KEK this "
                 "database was created with (ORGD_KEK / ORGD_KEK_FILE / --kek-file)")
      .WithSubject("signing_key");
}

// A new key sealed with `kek`, as a record created `now`.
Result<store::SigningKeyRecord> NewSealedKey(const std::string& kid, const Kek& kek,
                                             int64_t now_ms) {
  auto key = SigningKey::Generate(kid);
  if (!key) return std::move(key).error();
  std::string pem = (*key)->PrivatePem();
  if (pem.empty()) return Error::Internal("could not export the new signing key");
  auto sealed = kek.Seal(pem, kid);
  OPENSSL_cleanse(pem.data(), pem.size());
  if (!sealed) return std::move(sealed).error();
  return store::SigningKeyRecord{
      .kid = kid, .algorithm = "RS256", .private_pem = std::move(*sealed), .created_at = now_ms};
}

// The PEM of a stored key: opened with `kek` when sealed, as is when plaintext.
Result<std::string> StoredPem(const store::SigningKeyRecord& r, const Kek& kek) {
  if (!Kek::IsSealed(r.private_pem)) return r.private_pem;
  auto pem = kek.Open(r.private_pem, r.kid);
  if (!pem) {
    if (pem.error().reason == "wrong_kek") return WrongKek(r.kid);
    return Error::Internal("stored signing key is not a valid envelope", "kid " + r.kid);
  }
  return pem;
}

}  // namespace

KeyRing::KeyRing(store::KeyStore& keys, const Kek& kek, const Clock& clock,
                 KeyRingOptions options)
    : store_(keys),
      kek_(std::make_unique<const Kek>(kek)),
      clock_(clock),
      options_(options) {}

Result<std::unique_ptr<KeyRing>> KeyRing::LoadOrCreate(store::KeyStore& keys, const Kek& kek,
                                                       const Clock& clock,
                                                       KeyRingOptions options) {
  auto usable = [](const store::SigningKeyRecord& r) {
    return r.algorithm == "RS256" && !r.retired_at.has_value();
  };
  auto listed = keys.ListSigningKeys();
  if (!listed) return std::move(listed).error();
  if (std::none_of(listed->begin(), listed->end(), usable)) {
    // The kid is derived from how many keys exist, so processes racing through a first start (or
    // through a start after every key was retired) all try to insert the same kid: exactly one
    // insert wins, the others fail on the primary key, and everyone then loads the winner's key.
    // A KEK that does not open the keys already stored must not add a key of its own.
    for (const auto& r : *listed) {
      if (r.algorithm != "RS256") continue;
      auto pem = StoredPem(r, kek);
      if (!pem) return std::move(pem).error();
    }
    auto record = NewSealedKey(NextKid(listed->size()), kek, clock.NowMillis());
    if (!record) return std::move(record).error();
    auto inserted = keys.InsertSigningKey(*record);
    if (!inserted && inserted.error().code != ErrorCode::kAlreadyExists) {
      return std::move(inserted).error();
    }
  }
  auto ring = std::unique_ptr<KeyRing>(new KeyRing(keys, kek, clock, options));
  std::lock_guard lock(ring->reload_mu_);
  ORGD_TRY(ring->LoadLocked(/*seal_plaintext=*/true));
  return ring;
}

Result<void> KeyRing::LoadLocked(bool seal_plaintext) const {
  const int64_t now = clock_.NowMillis();
  auto listed = store_.ListSigningKeys();
  if (!listed) return std::move(listed).error();
  std::vector<store::SigningKeyRecord> records;
  for (auto& r : *listed) {
    // A key of another algorithm (written by a newer version) can be neither used nor published;
    // a key retired longer ago than its tokens can live is no longer needed.
    if (r.algorithm != "RS256") continue;
    if (r.retired_at && *r.retired_at + options_.retired_key_grace_ms <= now) continue;
    records.push_back(std::move(r));
  }
  std::stable_sort(records.begin(), records.end(), [](const auto& a, const auto& b) {
    if (a.created_at != b.created_at) return a.created_at > b.created_at;
    return a.kid > b.kid;
  });
  auto next = std::make_shared<Snapshot>();
  std::optional<size_t> active;
  for (const auto& r : records) {
    std::shared_ptr<const SigningKey> key;
    if (auto it = decoded_.find(r.kid); it != decoded_.end() && it->second.stored == r.private_pem) {
      key = it->second.key;
    } else {
      auto pem = StoredPem(r, *kek_);
      if (!pem) return std::move(pem).error();
      auto loaded = SigningKey::FromPem(r.kid, *pem);
      if (!Kek::IsSealed(r.private_pem) && seal_plaintext && loaded) {
        // Sealed in place; a concurrent start may have done it first, and then its envelope
        // (same key, other nonce) stays.
        auto sealed = kek_->Seal(*pem, r.kid);
        if (!sealed) return std::move(sealed).error();
        auto replaced = store_.ReplaceSigningKeyMaterial(r.kid, r.private_pem, *sealed);
        if (!replaced) return std::move(replaced).error();
        if (*replaced) log::Info("signing key sealed with the KEK", {{"kid", r.kid}});
      }
      OPENSSL_cleanse(pem->data(), pem->size());
      if (!loaded) {
        return Error::Internal("stored signing key does not load",
                               "kid " + r.kid + ": " + loaded.error().message);
      }
      key = std::shared_ptr<const SigningKey>(std::move(*loaded));
      decoded_.insert_or_assign(r.kid, Decoded{.stored = r.private_pem, .key = key});
    }
    // The newest unretired key signs (a rotation adds a newer one).
    if (!r.retired_at.has_value() && !active) active = next->keys.size();
    next->keys.push_back(std::move(key));
  }
  if (!active) return Error::Internal("no usable signing key after creating one");
  std::rotate(next->keys.begin(), next->keys.begin() + static_cast<std::ptrdiff_t>(*active),
              next->keys.begin() + static_cast<std::ptrdiff_t>(*active) + 1);
  next->jwks = R"({"keys":[)";
  for (size_t i = 0; i < next->keys.size(); ++i) {
    if (i > 0) next->jwks.push_back(',');
    next->jwks += next->keys[i]->PublicJwk();
  }
  next->jwks += "]}";
  loaded_at_ms_.store(now, std::memory_order_release);
  std::lock_guard lock(snapshot_mu_);
  snapshot_ = std::move(next);
  return {};
}

Result<std::string> KeyRing::Rotate(store::KeyStore& keys, const Kek& kek, const Clock& clock) {
  auto listed = keys.ListSigningKeys();
  if (!listed) return std::move(listed).error();
  for (const auto& r : *listed) {
    if (r.algorithm != "RS256") continue;
    auto pem = StoredPem(r, kek);
    if (!pem) return std::move(pem).error();
    OPENSSL_cleanse(pem->data(), pem->size());
  }
  const std::string kid = NextKid(listed->size());
  auto record = NewSealedKey(kid, kek, clock.NowMillis());
  if (!record) return std::move(record).error();
  auto inserted = keys.InsertActiveSigningKey(*record);
  if (!inserted) {
    if (inserted.error().code == ErrorCode::kAlreadyExists) {
      return Error::Aborted("another rotation stored key " + kid + " at the same time; run it again");
    }
    return std::move(inserted).error();
  }
  return kid;
}

std::shared_ptr<const KeyRing::Snapshot> KeyRing::Current() const {
  std::lock_guard lock(snapshot_mu_);
  return snapshot_;
}

Result<void> KeyRing::Reload() const {
  std::lock_guard lock(reload_mu_);
  return LoadLocked(/*seal_plaintext=*/false);
}

void KeyRing::MaybeRefresh() const {
  const int64_t now = clock_.NowMillis();
  if (now - loaded_at_ms_.load(std::memory_order_acquire) < options_.refresh_interval_ms) return;
  // One thread reloads; the others go on with the snapshot they have.
  std::unique_lock lock(reload_mu_, std::try_to_lock);
  if (!lock || now - loaded_at_ms_.load(std::memory_order_acquire) < options_.refresh_interval_ms) {
    return;
  }
  if (auto r = LoadLocked(false); !r) {
    // Retried after another interval, not on every call.
    loaded_at_ms_.store(now, std::memory_order_release);
    log::Error("signing keys reload failed; keeping the loaded keys",
               {{"code", ErrorCodeName(r.error().code)},
                {"message", r.error().message},
                {"detail", r.error().detail}});
  }
}

bool KeyRing::ReloadForUnknownKid() const {
  const int64_t now = clock_.NowMillis();
  int64_t last = unknown_kid_reload_at_ms_.load(std::memory_order_acquire);
  if (now - last < options_.unknown_kid_refresh_ms ||
      !unknown_kid_reload_at_ms_.compare_exchange_strong(last, now)) {
    // Rate-limited: wait for a reload in progress (another thread may be loading that very kid)
    // and let the caller look once more.
    std::lock_guard lock(reload_mu_);
    return true;
  }
  std::lock_guard lock(reload_mu_);
  if (auto r = LoadLocked(false); !r) {
    log::Error("signing keys reload failed; keeping the loaded keys",
               {{"code", ErrorCodeName(r.error().code)},
                {"message", r.error().message},
                {"detail", r.error().detail}});
    return false;
  }
  return true;
}

std::shared_ptr<const SigningKey> KeyRing::active() const {
  MaybeRefresh();
  return Current()->keys.front();
}

std::vector<std::shared_ptr<const SigningKey>> KeyRing::all() const { return Current()->keys; }

std::string KeyRing::JwksJson() const {
  MaybeRefresh();
  return Current()->jwks;
}

ClientService::ClientService(store::ClientStore& clients, const Clock& clock, IdGenerator& ids,
                             ClientVersions* versions)
    : clients_(clients), clock_(clock), ids_(ids), versions_(versions) {}

void ClientService::Forget(const std::string& id) {
  std::lock_guard lock(cache_mu_);
  auth_cache_.erase(id);
  ++cache_generation_;
}

void ClientService::Changed(const std::string& id) {
  Forget(id);
  if (versions_ == nullptr) return;
  // The write has committed; a failed re-read only delays what this process sees to the next
  // periodic refresh, so it is logged, not returned.
  if (auto r = versions_->Refresh(); !r) {
    log::Warn("client versions refresh after a client write failed",
              {{"code", ErrorCodeName(r.error().code)}, {"message", r.error().message}});
  }
}

Result<CreatedClient> ClientService::Create(std::string name, std::vector<std::string> scopes,
                                            std::optional<std::string> id,
                                            std::optional<std::string> secret) {
  const std::vector<std::string> all = AllScopes();
  for (const auto& s : scopes) {
    if (!Contains(all, s)) return Error::InvalidArgument("unknown scope: " + s, "scopes");
  }
  scopes = scopes.empty() ? all : SortedUnique(std::move(scopes));
  std::string client_id = id ? std::move(*id) : ids_.Next(IdKind::kClient, IdStyle::kKinde);
  if (!IsValidClientId(client_id)) {
    return Error::InvalidArgument(
        "client id must be 1-128 printable ASCII characters without spaces or ':'", "id");
  }
  std::string client_secret = secret ? std::move(*secret) : RandomAlnum(32);
  if (client_secret.empty()) return Error::InvalidArgument("secret must not be empty", "secret");
  auto hash = HashSecret(client_secret);
  if (!hash) return std::move(hash).error();
  store::ClientRecord record{.id = ClientId{client_id},
                             .name = std::move(name),
                             .secret_hash = std::move(*hash),
                             .scopes = std::move(scopes),
                             .created_at = clock_.NowMillis()};
  ORGD_TRY(clients_.InsertClient(record));
  Changed(client_id);
  return CreatedClient{.record = std::move(record), .secret = std::move(client_secret)};
}

Result<void> ClientService::EnsureClient(const std::string& id, const std::string& secret,
                                         std::string name) {
  if (!IsValidClientId(id)) {
    return Error::InvalidArgument(
        "client id must be 1-128 printable ASCII characters without spaces or ':'", "id");
  }
  if (secret.empty()) return Error::InvalidArgument("secret must not be empty", "secret");
  const std::vector<std::string> all = AllScopes();
  // Two attempts: a concurrent first start of another process may insert between our read and
  // our insert, and then its row is checked like any existing one.
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto existing = clients_.GetClient(ClientId{id});
    if (!existing) {
      if (existing.error().code != ErrorCode::kNotFound) return std::move(existing).error();
      auto created = Create(name, {}, id, secret);
      if (created) return {};
      if (created.error().code == ErrorCode::kAlreadyExists && attempt == 0) continue;
      return std::move(created).error();
    }
    if (SortedUnique(existing->scopes) == all && VerifySecret(secret, existing->secret_hash)) {
      return {};
    }
    auto hash = HashSecret(secret);
    if (!hash) return std::move(hash).error();
    store::ClientRecord record = std::move(*existing);
    record.secret_hash = std::move(*hash);
    record.scopes = all;
    ORGD_TRY(clients_.UpsertClient(record));
    Changed(id);
    return {};
  }
  return Error::Aborted("client was changed concurrently");
}

Result<store::ClientRecord> ClientService::Authenticate(std::string_view id,
                                                        std::string_view secret) {
  const std::string client_id(id);
  const auto digest = Sha256(secret);
  const int64_t now = clock_.NowMillis();
  uint64_t generation = 0;
  std::optional<store::ClientRecord> remembered;
  {
    std::lock_guard lock(cache_mu_);
    auto it = auth_cache_.find(client_id);
    if (it != auth_cache_.end() && it->second.expires_at_ms > now &&
        CRYPTO_memcmp(it->second.secret_digest.data(), digest.data(), digest.size()) == 0) {
      remembered = it->second.record;
    }
    generation = cache_generation_;
  }
  if (remembered) {
    // Checked outside the lock, since it may re-read the store. A rotation or deletion by another
    // process: the entry vouches for a dead secret, so it goes and the store decides.
    if (versions_ == nullptr || versions_->IsCurrent(client_id, remembered->secret_version)) {
      return std::move(*remembered);
    }
    Forget(client_id);
    std::lock_guard lock(cache_mu_);
    generation = cache_generation_;
  }

  auto record = clients_.GetClient(ClientId{client_id});
  if (!record) {
    if (record.error().code != ErrorCode::kNotFound) return std::move(record).error();
    (void)VerifySecret(secret, DummyHash());
    return Error::Unauthenticated("invalid client");
  }
  if (!VerifySecret(secret, record->secret_hash)) return Error::Unauthenticated("invalid client");

  std::lock_guard lock(cache_mu_);
  if (generation == cache_generation_) {
    if (auth_cache_.size() >= kMaxAuthCacheEntries) {
      std::erase_if(auth_cache_, [now](const auto& kv) { return kv.second.expires_at_ms <= now; });
      if (auth_cache_.size() >= kMaxAuthCacheEntries) auth_cache_.clear();
    }
    auth_cache_.insert_or_assign(client_id, CachedAuth{.secret_digest = digest,
                                                       .record = *record,
                                                       .expires_at_ms = now + kAuthCacheTtlMs});
  }
  return std::move(*record);
}

Result<CreatedClient> ClientService::RotateSecret(const std::string& id) {
  std::string secret = RandomAlnum(32);
  auto hash = HashSecret(secret);
  if (!hash) return std::move(hash).error();
  auto record = clients_.RotateClientSecret(ClientId{id}, *hash);
  if (!record) return std::move(record).error();
  Changed(id);
  return CreatedClient{.record = std::move(*record), .secret = std::move(secret)};
}

Result<void> ClientService::Delete(const std::string& id) {
  ORGD_TRY(clients_.DeleteClient(ClientId{id}));
  Changed(id);
  return {};
}

Result<std::vector<store::ClientRecord>> ClientService::List() { return clients_.ListClients(); }

namespace {

// Client authentication shared by both dialects: the dialect has already moved a Basic header's
// id and secret into the request.
std::variant<store::ClientRecord, OAuthError> AuthenticateClient(ClientService& clients,
                                                                 const TokenRequest& request) {
  const std::string* id = Param(request.client_id);
  const std::string* secret = Param(request.client_secret);
  if (id == nullptr || secret == nullptr) {
    return OAuth(401, "invalid_client", "client authentication failed");
  }
  auto client = clients.Authenticate(*id, *secret);
  if (!client) {
    if (client.error().code == ErrorCode::kUnauthenticated) {
      return OAuth(401, "invalid_client", "client authentication failed");
    }
    return ServerError(client.error());
  }
  return std::move(*client);
}

}  // namespace

namespace {

// The checks both dialects make first: a well-formed request of the client-credentials grant.
std::optional<OAuthError> CheckGrant(const TokenRequest& request) {
  if (request.malformed) return OAuth(400, "invalid_request", "malformed token request");
  const std::string* grant = Param(request.grant_type);
  if (grant == nullptr) {
    return OAuth(400, "invalid_request", "missing required parameter 'grant_type'");
  }
  if (*grant != "client_credentials") {
    return OAuth(400, "unsupported_grant_type", "unsupported grant_type requested");
  }
  return std::nullopt;
}

}  // namespace

TokenIssuer::TokenIssuer(AuthConfig config, ClientService& clients, const KeyRing& keys,
                         const Clock& clock)
    : config_(std::move(config)), clients_(clients), keys_(keys), clock_(clock) {
  config_.public_url = StripTrailingSlash(std::move(config_.public_url));
}

TokenOutcome TokenIssuer::IssueLogto(const TokenRequest& request) const {
  if (auto error = CheckGrant(request)) return std::move(*error);
  if (request.has_organization_id) {
    return OAuth(400, "invalid_request", "organization tokens are not supported");
  }
  auto authenticated = AuthenticateClient(clients_, request);
  if (auto* err = std::get_if<OAuthError>(&authenticated)) return std::move(*err);
  const auto& client = std::get<store::ClientRecord>(authenticated);

  const std::string* resource = Param(request.resource);
  if (resource == nullptr ||
      (*resource != config_.logto_indicator && *resource != config_.public_url + "/api")) {
    return OAuth(400, "invalid_target", "resource indicator is missing, or unknown");
  }

  // Granted = requested ∩ {all}; any other requested value is an error, and so is "all" for a
  // client that does not hold it.
  std::vector<std::string> requested = SplitSpaces(request.scope.value_or(""));
  for (const auto& s : requested) {
    if (s != kLogtoScope) return OAuth(400, "invalid_scope", "requested scope is not allowed");
  }
  std::string granted;
  if (!requested.empty()) {
    if (std::find(client.scopes.begin(), client.scopes.end(), kLogtoScope) == client.scopes.end()) {
      return OAuth(400, "invalid_scope", "requested scope is not allowed");
    }
    granted = std::string(kLogtoScope);
  }

  const int64_t iat = clock_.NowSeconds();
  json claims = {
      {"iss", config_.public_url + "/oidc"},    {"aud", *resource},      {"sub", client.id.value()},
      {"client_id", client.id.value()},         {"scope", granted},      {"iat", iat},
      {"exp", iat + config_.logto_token_ttl_s}, {"jti", RandomAlnum(21)},
      {"cv", client.secret_version}};
  auto token = keys_.active()->Sign(claims.dump());
  if (!token) return ServerError(token.error());
  return IssuedToken{.access_token = std::move(*token),
                     .expires_in = config_.logto_token_ttl_s,
                     .scope = std::move(granted)};
}

TokenOutcome TokenIssuer::IssueKinde(const TokenRequest& request) const {
  if (auto error = CheckGrant(request)) return std::move(*error);
  auto authenticated = AuthenticateClient(clients_, request);
  if (auto* err = std::get_if<OAuthError>(&authenticated)) return std::move(*err);
  const auto& client = std::get<store::ClientRecord>(authenticated);

  const std::string* audience = Param(request.audience);
  if (audience == nullptr) {
    return OAuth(400, "invalid_request", "missing required parameter 'audience'");
  }
  if (!IsKindeAudience(*audience)) {
    return OAuth(400, "invalid_request", "audience must be the Management API, ending in /api");
  }

  const std::vector<std::string>& kinde = KindeScopes();
  const std::vector<std::string> held = SortedUnique(client.scopes);
  std::vector<std::string> requested;
  for (auto& s : SplitSpaces(request.scope.value_or(""))) {
    if (!Contains(kinde, s) || !Contains(held, s)) {
      return OAuth(400, "invalid_scope", "requested scope is not allowed: " + s);
    }
    // Keeps the caller's order, without repeats.
    if (std::find(requested.begin(), requested.end(), s) == requested.end()) {
      requested.push_back(std::move(s));
    }
  }
  std::vector<std::string> granted;
  if (requested.empty()) {
    std::set_intersection(held.begin(), held.end(), kinde.begin(), kinde.end(),
                          std::back_inserter(granted));
  } else {
    granted = requested;
  }

  json aud = json::array({*audience});
  if (!audience->starts_with("https://")) aud.push_back("https://" + *audience);
  const int64_t iat = clock_.NowSeconds();
  json claims = {{"aud", std::move(aud)},
                 {"azp", client.id.value()},
                 {"cv", client.secret_version},
                 {"exp", iat + config_.kinde_token_ttl_s},
                 {"gty", json::array({"client_credentials"})},
                 {"iat", iat},
                 {"iss", config_.public_url},
                 {"jti", Uuid4()},
                 {"scope", JoinSpaces(granted)},
                 {"scp", requested},
                 {"sub", client.id.value()},
                 {"v", "2"}};
  auto token = keys_.active()->Sign(claims.dump());
  if (!token) return ServerError(token.error());
  // Kinde answers "" unless a subset was requested.
  return IssuedToken{.access_token = std::move(*token),
                     .expires_in = config_.kinde_token_ttl_s,
                     .scope = JoinSpaces(requested)};
}

TokenVerifier::TokenVerifier(AuthConfig config, const KeyRing& keys, const Clock& clock,
                             ClientVersions* versions)
    : config_(std::move(config)),
      keys_(keys),
      clock_(clock),
      versions_(versions),
      instance_(NextInstanceId()) {
  config_.public_url = StripTrailingSlash(std::move(config_.public_url));
  logto_issuer_ = config_.public_url + "/oidc";
  own_api_ = config_.public_url + "/api";
}

Result<std::shared_ptr<const TokenVerifier::Cached>> TokenVerifier::VerifyCached(
    std::string_view token) const {
  if (token.size() > kMaxTokenBytes) return InvalidToken("token larger than 8192 bytes");
  // This thread's slot for the token: its own copy of the entry, so that a request takes no lock
  // and counts references on memory only this thread writes (the shared cache's lock and entries
  // would pass their cache lines between the I/O threads' cores on every request).
  struct ThreadSlot {
    uint64_t verifier = 0;
    std::string token;
    std::shared_ptr<const Cached> entry;
  };
  thread_local std::array<ThreadSlot, kThreadTokenSlots> slots;
  ThreadSlot& slot = slots[TokenHash{}(token) % kThreadTokenSlots];
  std::shared_ptr<const Cached> entry;
  if (slot.verifier == instance_ && slot.token == token) {
    entry = slot.entry;
  } else {
    {
      std::shared_lock lock(mu_);
      if (auto it = cache_.find(token); it != cache_.end()) entry = it->second;
    }
    if (entry) {
      slot.verifier = instance_;
      slot.token.assign(token);
      slot.entry = std::make_shared<const Cached>(*entry);
    }
  }
  const int64_t now = clock_.NowSeconds();
  if (!entry) {
    signature_checks_.fetch_add(1, std::memory_order_relaxed);
    auto claims = VerifyJwt(token, keys_.all());
    // A key rotated in by another process: look once more after reloading the ring.
    if (!claims && claims.error().reason == "unknown_kid" && keys_.ReloadForUnknownKid()) {
      claims = VerifyJwt(token, keys_.all());
    }
    if (!claims) return std::move(claims).error();
    Principal principal{
        .client_id = ClientId{claims->client_id.empty() ? claims->sub : claims->client_id},
        .scopes = SortedUnique(SplitSpaces(claims->scope)),
        .expires_at = claims->exp};
    entry = std::make_shared<const Cached>(
        Cached{.claims = std::move(*claims), .principal = std::move(principal)});
    // An expired token is not worth a slot; it fails below.
    if (entry->claims.exp > now) {
      std::unique_lock lock(mu_);
      if (cache_.size() >= kMaxTokenCacheEntries) {
        std::erase_if(cache_, [now](const auto& kv) { return kv.second->claims.exp <= now; });
        if (cache_.size() >= kMaxTokenCacheEntries) cache_.clear();
      }
      cache_.emplace(std::string(token), entry);
    }
  }
  // Checked on every call, so that a cached token stops working the second it expires.
  if (entry->claims.exp <= now) return InvalidToken("token expired");
  if (entry->claims.nbf && *entry->claims.nbf > now) return InvalidToken("token not yet valid");
  // Checked on every call too, so that a cached token dies with its client's secret.
  if (versions_ != nullptr) {
    if (!entry->claims.cv) return InvalidToken("token has no client version");
    if (!versions_->IsCurrent(entry->principal.client_id.value(), *entry->claims.cv)) {
      return InvalidToken("client secret rotated or client deleted");
    }
  }
  return entry;
}

Result<std::shared_ptr<const Principal>> TokenVerifier::VerifyLogto(
    std::string_view token) const {
  auto verified = VerifyCached(token);
  if (!verified) return std::move(verified).error();
  const Cached& c = **verified;
  if (c.claims.iss != logto_issuer_) return InvalidToken("wrong issuer");
  bool audience_ok = std::any_of(c.claims.aud.begin(), c.claims.aud.end(), [&](const auto& a) {
    return a == config_.logto_indicator || a == own_api_;
  });
  if (!audience_ok) return InvalidToken("wrong audience");
  if (c.claims.sub.empty()) {
    return Error::Unauthenticated("token has no subject").WithReason("sub_missing");
  }
  return std::shared_ptr<const Principal>(std::move(*verified), &c.principal);
}

Result<std::shared_ptr<const Principal>> TokenVerifier::VerifyKinde(
    std::string_view token) const {
  auto verified = VerifyCached(token);
  if (!verified) return std::move(verified).error();
  const Cached& c = **verified;
  // A Logto-dialect token has iss = public_url + "/oidc" and fails here.
  if (c.claims.iss != config_.public_url) return InvalidToken("wrong issuer");
  return std::shared_ptr<const Principal>(std::move(*verified), &c.principal);
}

}  // namespace orgd::auth
