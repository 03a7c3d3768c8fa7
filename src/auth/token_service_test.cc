#include "auth/token_service.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "auth/secret_hash.h"

namespace orgd::auth {
namespace {

using nlohmann::json;
using store::ClientRecord;
using store::SigningKeyRecord;

constexpr char kPublicUrl[] = "http://127.0.0.1:3001";
constexpr char kIndicator[] = "https://default.logto.app/api";

// In-memory KeyStore: lists newest first, as the SQL store does.
class FakeKeyStore final : public store::KeyStore {
 public:
  Result<std::vector<SigningKeyRecord>> ListSigningKeys() override {
    ++list_calls;
    if (before_list) before_list(list_calls);
    auto out = keys;
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.created_at > b.created_at; });
    return out;
  }
  Result<void> InsertSigningKey(const SigningKeyRecord& key) override {
    ++insert_calls;
    if (before_insert) before_insert();
    for (const auto& k : keys) {
      if (k.kid == key.kid) return Error::AlreadyExists("signing_key", "kid");
    }
    keys.push_back(key);
    return {};
  }
  Result<void> InsertActiveSigningKey(const SigningKeyRecord& key) override {
    for (const auto& k : keys) {
      if (k.kid == key.kid) return Error::AlreadyExists("signing_key", "kid");
    }
    for (auto& k : keys) {
      if (!k.retired_at) k.retired_at = key.created_at;
    }
    keys.push_back(key);
    return {};
  }
  Result<bool> ReplaceSigningKeyMaterial(const std::string& kid, const std::string& expected,
                                         const std::string& replacement) override {
    for (auto& k : keys) {
      if (k.kid == kid && k.private_pem == expected) {
        k.private_pem = replacement;
        return true;
      }
    }
    return false;
  }

  std::vector<SigningKeyRecord> keys;
  int list_calls = 0;
  int insert_calls = 0;
  std::function<void(int)> before_list;  // runs at the start of each list, with its number
  std::function<void()> before_insert;    // runs at the start of each insert
};

// In-memory ClientStore; locked, because the service may be called from several threads.
class FakeClientStore final : public store::ClientStore {
 public:
  // Versions come from the revision counter, as in the SQL store.
  Result<void> InsertClient(const ClientRecord& client) override {
    std::lock_guard lock(mu);
    if (clients.contains(client.id.value())) return Error::AlreadyExists("client", "id");
    clients[client.id.value()] = client;
    clients[client.id.value()].secret_version = ++revision;
    return {};
  }
  Result<void> UpsertClient(const ClientRecord& client) override {
    std::lock_guard lock(mu);
    ++upsert_calls;
    ++revision;
    auto it = clients.find(client.id.value());
    const bool same = it != clients.end() && it->second.secret_hash == client.secret_hash;
    const int64_t version = same ? it->second.secret_version : revision;
    clients[client.id.value()] = client;
    clients[client.id.value()].secret_version = version;
    return {};
  }
  Result<std::vector<ClientRecord>> ListClients() override {
    std::lock_guard lock(mu);
    ++list_calls;
    std::vector<ClientRecord> out;
    for (const auto& [id, c] : clients) out.push_back(c);
    return out;
  }
  Result<ClientRecord> RotateClientSecret(const ClientId& id, const std::string& hash) override {
    std::lock_guard lock(mu);
    auto it = clients.find(id.value());
    if (it == clients.end()) return Error::NotFound("client");
    it->second.secret_hash = hash;
    it->second.secret_version = ++revision;
    return it->second;
  }
  Result<int64_t> ClientsRevision() override {
    std::lock_guard lock(mu);
    ++revision_calls;
    if (unavailable) return Error::Unavailable("database down");
    return revision;
  }
  Result<ClientRecord> GetClient(const ClientId& id) override {
    std::lock_guard lock(mu);
    ++get_calls;
    if (unavailable) return Error::Unavailable("database down");
    auto it = clients.find(id.value());
    if (it == clients.end()) return Error::NotFound("client");
    return it->second;
  }
  Result<int64_t> CountClients() override {
    std::lock_guard lock(mu);
    return static_cast<int64_t>(clients.size());
  }
  Result<void> DeleteClient(const ClientId& id) override {
    std::lock_guard lock(mu);
    if (clients.erase(id.value()) == 0) return Error::NotFound("client");
    ++revision;
    return {};
  }

  std::mutex mu;
  std::map<std::string, ClientRecord> clients;
  int64_t revision = 1;
  int list_calls = 0;
  int revision_calls = 0;
  int get_calls = 0;
  int upsert_calls = 0;
  bool unavailable = false;
};

const Kek& TestKek() {
  static const Kek kKek = Kek::Parse(std::string(64, 'a')).value();
  return kKek;
}

// RSA keys are slow to make; the binary makes a few once and shares their PEM text.
const std::string& TestPem(int i) {
  static const std::vector<std::string> kPems = [] {
    std::vector<std::string> pems;
    for (int k = 0; k < 3; ++k) pems.push_back(SigningKey::Generate("x").value()->PrivatePem());
    return pems;
  }();
  return kPems.at(static_cast<size_t>(i));
}

SigningKeyRecord KeyRecord(std::string kid, int pem, int64_t created_at,
                           std::optional<int64_t> retired_at = std::nullopt) {
  return SigningKeyRecord{.kid = std::move(kid),
                          .algorithm = "RS256",
                          .private_pem = TestPem(pem),
                          .created_at = created_at,
                          .retired_at = retired_at};
}

json Part(const std::string& token, int index) {
  size_t start = 0;
  for (int i = 0; i < index; ++i) start = token.find('.', start) + 1;
  size_t end = token.find('.', start);
  auto text = Base64UrlDecode(token.substr(start, end - start));
  EXPECT_TRUE(text.has_value());
  return json::parse(text.value_or("null"));
}

TEST(KeyRingTest, LoadOrCreateCreatesOnceAndReloadsTheSameKid) {
  FakeKeyStore store;
  FakeClock clock;
  auto first = KeyRing::LoadOrCreate(store, TestKek(), clock);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_EQ(store.insert_calls, 1);
  ASSERT_EQ(store.keys.size(), 1u);
  EXPECT_EQ(store.keys[0].kid, "k1");
  EXPECT_EQ(store.keys[0].algorithm, "RS256");
  EXPECT_EQ(store.keys[0].created_at, clock.NowMillis());
  EXPECT_FALSE(store.keys[0].retired_at.has_value());
  EXPECT_TRUE(store.keys[0].private_pem.starts_with("kek1:"));
  EXPECT_EQ(store.keys[0].private_pem.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ((*first)->active()->kid(), "k1");

  auto second = KeyRing::LoadOrCreate(store, TestKek(), clock);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(store.insert_calls, 1);
  EXPECT_EQ((*second)->active()->kid(), "k1");
  EXPECT_EQ((*second)->active()->PublicJwk(), (*first)->active()->PublicJwk());
}

TEST(KeyRingTest, NewestUnretiredKeySignsAndEveryKeyIsPublished) {
  FakeKeyStore store;
  FakeClock clock;
  const int64_t now = clock.NowMillis();
  store.keys = {KeyRecord("old", 0, now - 3000), KeyRecord("retired", 1, now - 1000, now - 500),
                KeyRecord("new", 2, now - 2000)};
  auto ring = KeyRing::LoadOrCreate(store, TestKek(), clock);
  ASSERT_TRUE(ring.has_value());
  EXPECT_EQ(store.insert_calls, 0);
  EXPECT_EQ((*ring)->active()->kid(), "new");
  auto all = (*ring)->all();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0]->kid(), "new");

  json jwks = json::parse((*ring)->JwksJson());
  ASSERT_EQ(jwks["keys"].size(), 3u);
  std::vector<std::string> kids;
  for (const auto& k : jwks["keys"]) kids.push_back(k["kid"]);
  std::sort(kids.begin(), kids.end());
  EXPECT_EQ(kids, (std::vector<std::string>{"new", "old", "retired"}));
  for (const auto& k : jwks["keys"]) {
    EXPECT_EQ(k["kty"], "RSA");
    EXPECT_EQ(k["alg"], "RS256");
    EXPECT_FALSE(k.contains("d"));
  }
}

TEST(KeyRingTest, OnlyRetiredKeysMeansANewKeyIsCreated) {
  FakeKeyStore store;
  store.keys = {KeyRecord("retired", 0, 1000, 2000)};
  FakeClock clock;
  auto ring = KeyRing::LoadOrCreate(store, TestKek(), clock);
  ASSERT_TRUE(ring.has_value());
  EXPECT_EQ(store.insert_calls, 1);
  EXPECT_EQ((*ring)->active()->kid(), "k2");
  // The retired key's grace ran out long ago: it is no longer published.
  EXPECT_EQ((*ring)->all().size(), 1u);
}

TEST(KeyRingTest, RacingFirstStartsConvergeOnTheWinnersKey) {
  FakeKeyStore store;
  FakeClock clock;
  // Another process inserts its first key between our empty list and our insert: both try the
  // kid "k1", ours loses on the primary key, and we load theirs, whatever the clocks say.
  bool raced = false;
  store.before_insert = [&] {
    if (!raced) {
      raced = true;
      store.keys.push_back(KeyRecord("k1", 0, clock.NowMillis() + 5000));
    }
  };
  auto ring = KeyRing::LoadOrCreate(store, TestKek(), clock);
  ASSERT_TRUE(ring.has_value()) << ring.error().message;
  EXPECT_EQ(store.insert_calls, 1);
  ASSERT_EQ((*ring)->all().size(), 1u);
  EXPECT_EQ((*ring)->active()->kid(), "k1");
  auto theirs = SigningKey::FromPem("k1", TestPem(0));
  ASSERT_TRUE(theirs.has_value());
  EXPECT_EQ((*ring)->active()->PublicJwk(), (*theirs)->PublicJwk());
}

TEST(KeyRingTest, CorruptStoredKeyIsInternal) {
  FakeKeyStore store;
  store.keys = {
      SigningKeyRecord{.kid = "bad", .algorithm = "RS256", .private_pem = "nope", .created_at = 1}};
  FakeClock clock;
  SequentialIdGenerator ids;
  auto ring = KeyRing::LoadOrCreate(store, TestKek(), clock);
  ASSERT_FALSE(ring.has_value());
  EXPECT_EQ(ring.error().code, ErrorCode::kInternal);
}

class ClientServiceTest : public testing::Test {
 protected:
  FakeClientStore store_;
  FakeClock clock_;
  SequentialIdGenerator ids_;
  ClientService clients_{store_, clock_, ids_};
};

TEST_F(ClientServiceTest, CreateDefaultsIdSecretAndEveryScope) {
  auto created = clients_.Create("admin", {});
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(created->record.id.value(), "00000000000000000000000000000001");
  EXPECT_TRUE(std::regex_match(created->secret, std::regex("[0-9a-z]{32}")));
  EXPECT_EQ(created->record.scopes, AllScopes());
  EXPECT_EQ(created->record.name, "admin");
  EXPECT_EQ(created->record.created_at, clock_.NowMillis());
  const auto& stored = store_.clients.at(created->record.id.value());
  EXPECT_NE(stored.secret_hash, created->secret);
  EXPECT_TRUE(VerifySecret(created->secret, stored.secret_hash));
  EXPECT_EQ(stored.scopes, AllScopes());
}

TEST_F(ClientServiceTest, CreateSortsAndDedupesScopes) {
  auto created = clients_.Create("c", {"read:users", "all", "read:users"}, "c1", "pw");
  ASSERT_TRUE(created.has_value());
  EXPECT_EQ(created->record.scopes, (std::vector<std::string>{"all", "read:users"}));
  EXPECT_EQ(created->secret, "pw");
}

TEST_F(ClientServiceTest, CreateRejectsUnknownScope) {
  auto created = clients_.Create("c", {"read:users", "read:everything"});
  ASSERT_FALSE(created.has_value());
  EXPECT_EQ(created.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(store_.clients.empty());
}

TEST_F(ClientServiceTest, CreateRejectsBadIdAndEmptySecret) {
  for (const char* id : {"", "a:b", "a b"}) {
    auto created = clients_.Create("c", {}, std::string(id), "pw");
    ASSERT_FALSE(created.has_value()) << id;
    EXPECT_EQ(created.error().code, ErrorCode::kInvalidArgument);
  }
  auto created = clients_.Create("c", {}, "ok", "");
  ASSERT_FALSE(created.has_value());
  EXPECT_EQ(created.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(ClientServiceTest, CreateWithTakenIdIsAlreadyExists) {
  ASSERT_TRUE(clients_.Create("a", {}, "same", "pw").has_value());
  auto again = clients_.Create("b", {}, "same", "pw2");
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
}

TEST_F(ClientServiceTest, AuthenticateAcceptsTheSecret) {
  ASSERT_TRUE(clients_.Create("a", {"read:users"}, "c1", "pw").has_value());
  auto client = clients_.Authenticate("c1", "pw");
  ASSERT_TRUE(client.has_value());
  EXPECT_EQ(client->id.value(), "c1");
  EXPECT_EQ(client->scopes, std::vector<std::string>{"read:users"});
}

TEST_F(ClientServiceTest, AuthenticateRejectsWrongSecretAndUnknownIdAlike) {
  ASSERT_TRUE(clients_.Create("a", {}, "c1", "pw").has_value());
  for (auto [id, secret] : {std::pair{"c1", "wrong"}, std::pair{"c2", "pw"}}) {
    auto client = clients_.Authenticate(id, secret);
    ASSERT_FALSE(client.has_value());
    EXPECT_EQ(client.error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(client.error().message, "invalid client");
  }
}

TEST_F(ClientServiceTest, AuthenticatePassesStoreFailuresThrough) {
  store_.unavailable = true;
  auto client = clients_.Authenticate("c1", "pw");
  ASSERT_FALSE(client.has_value());
  EXPECT_EQ(client.error().code, ErrorCode::kUnavailable);
}

TEST_F(ClientServiceTest, AuthenticateRemembersSuccessForSixtySeconds) {
  ASSERT_TRUE(clients_.Create("a", {}, "c1", "pw").has_value());
  ASSERT_TRUE(clients_.Authenticate("c1", "pw").has_value());
  EXPECT_EQ(store_.get_calls, 1);
  ASSERT_TRUE(clients_.Authenticate("c1", "pw").has_value());
  EXPECT_EQ(store_.get_calls, 1);
  clock_.Advance(60'000);
  ASSERT_TRUE(clients_.Authenticate("c1", "pw").has_value());
  EXPECT_EQ(store_.get_calls, 2);
}

TEST_F(ClientServiceTest, RememberedSuccessDoesNotAcceptAnotherSecret) {
  ASSERT_TRUE(clients_.Create("a", {}, "c1", "pw").has_value());
  ASSERT_TRUE(clients_.Authenticate("c1", "pw").has_value());
  auto wrong = clients_.Authenticate("c1", "pw2");
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(ClientServiceTest, EnsureClientInsertsAMissingClientWithEveryScope) {
  ASSERT_TRUE(clients_.EnsureClient("boot", "pw", "bootstrap").has_value());
  const auto& stored = store_.clients.at("boot");
  EXPECT_EQ(stored.name, "bootstrap");
  EXPECT_EQ(stored.scopes, AllScopes());
  EXPECT_TRUE(clients_.Authenticate("boot", "pw").has_value());
}

TEST_F(ClientServiceTest, EnsureClientLeavesAMatchingClientAlone) {
  ASSERT_TRUE(clients_.EnsureClient("boot", "pw", "bootstrap").has_value());
  std::string hash = store_.clients.at("boot").secret_hash;
  ASSERT_TRUE(clients_.EnsureClient("boot", "pw", "bootstrap").has_value());
  EXPECT_EQ(store_.upsert_calls, 0);
  EXPECT_EQ(store_.clients.at("boot").secret_hash, hash);
}

TEST_F(ClientServiceTest, EnsureClientReplacesAChangedSecretAndForgetsTheOldOne) {
  ASSERT_TRUE(clients_.EnsureClient("boot", "old", "bootstrap").has_value());
  ASSERT_TRUE(clients_.Authenticate("boot", "old").has_value());  // now remembered
  ASSERT_TRUE(clients_.EnsureClient("boot", "new", "bootstrap").has_value());
  EXPECT_EQ(store_.upsert_calls, 1);
  EXPECT_TRUE(clients_.Authenticate("boot", "new").has_value());
  auto old = clients_.Authenticate("boot", "old");
  ASSERT_FALSE(old.has_value());
  EXPECT_EQ(old.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(ClientServiceTest, EnsureClientRestoresEveryScope) {
  ASSERT_TRUE(clients_.Create("boot", {"read:users"}, "boot", "pw").has_value());
  ASSERT_TRUE(clients_.EnsureClient("boot", "pw", "bootstrap").has_value());
  EXPECT_EQ(store_.upsert_calls, 1);
  EXPECT_EQ(store_.clients.at("boot").scopes, AllScopes());
  EXPECT_TRUE(VerifySecret("pw", store_.clients.at("boot").secret_hash));
}

class TokenTest : public testing::Test {
 protected:
  void SetUp() override {
    key_store_.keys = {KeyRecord("k1", 0, 1000)};
    ring_ = KeyRing::LoadOrCreate(key_store_, TestKek(), clock_).value();
    signer_ = std::shared_ptr<const SigningKey>(SigningKey::FromPem("k1", TestPem(0)).value());
    config_.public_url = kPublicUrl;
    issuer_ = std::make_unique<TokenIssuer>(config_, clients_, *ring_, clock_);
    verifier_ = std::make_unique<TokenVerifier>(config_, *ring_, clock_);
  }

  // Hashing is the slow part of a client; each test creates only the clients it uses.
  void AddAdmin() { ASSERT_TRUE(clients_.Create("admin", {}, "admin", "s3cret").has_value()); }
  void AddReader() {
    ASSERT_TRUE(clients_.Create("reader", {"read:organizations", "read:users"}, "reader", "pw")
                    .has_value());
  }

  static TokenRequest Logto(std::optional<std::string> scope = "all") {
    return TokenRequest{.grant_type = "client_credentials",
                        .client_id = "admin",
                        .client_secret = "s3cret",
                        .resource = kIndicator,
                        .scope = std::move(scope)};
  }
  static TokenRequest Kinde(std::optional<std::string> scope = "") {
    return TokenRequest{.grant_type = "client_credentials",
                        .client_id = "admin",
                        .client_secret = "s3cret",
                        .audience = std::string(kPublicUrl) + "/api",
                        .scope = std::move(scope)};
  }

  static void ExpectOAuth(const TokenOutcome& outcome, int status, const std::string& error) {
    const auto* e = std::get_if<OAuthError>(&outcome);
    ASSERT_NE(e, nullptr) << "expected " << error;
    EXPECT_EQ(e->status, status);
    EXPECT_EQ(e->error, error);
    EXPECT_FALSE(e->description.empty());
  }
  // The token of a successful outcome, by value (the outcome is usually a temporary).
  static IssuedToken Issued(const TokenOutcome& outcome) {
    const auto* t = std::get_if<IssuedToken>(&outcome);
    EXPECT_NE(t, nullptr) << (t ? "" : std::get<OAuthError>(outcome).error);
    return t ? *t : IssuedToken{};
  }

  std::string Signed(const json& claims) { return signer_->Sign(claims.dump()).value(); }
  json LogtoClaims() {
    int64_t now = clock_.NowSeconds();
    return {{"iss", std::string(kPublicUrl) + "/oidc"},
            {"aud", kIndicator},
            {"sub", "admin"},
            {"client_id", "admin"},
            {"scope", "all"},
            {"iat", now},
            {"exp", now + 3600},
            {"jti", "j"}};
  }
  json KindeClaims() {
    int64_t now = clock_.NowSeconds();
    return {{"iss", kPublicUrl},     {"aud", {"x/api"}}, {"sub", "admin"},    {"azp", "admin"},
            {"scope", "read:users"}, {"iat", now},       {"exp", now + 86399}};
  }

  static void ExpectInvalidToken(const Result<std::shared_ptr<const Principal>>& r) {
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(r.error().message, "invalid token");
    EXPECT_EQ(r.error().reason, "");
  }

  FakeKeyStore key_store_;
  FakeClientStore client_store_;
  FakeClock clock_;
  SequentialIdGenerator ids_;
  ClientService clients_{client_store_, clock_, ids_};
  std::unique_ptr<KeyRing> ring_;
  std::shared_ptr<const SigningKey> signer_;
  AuthConfig config_;
  std::unique_ptr<TokenIssuer> issuer_;
  std::unique_ptr<TokenVerifier> verifier_;
};

TEST_F(TokenTest, LogtoMalformedIsInvalidRequest) {
  auto r = Logto();
  r.malformed = true;
  ExpectOAuth(issuer_->IssueLogto(r), 400, "invalid_request");
}

TEST_F(TokenTest, LogtoMissingGrantTypeIsInvalidRequest) {
  auto r = Logto();
  r.grant_type.reset();
  ExpectOAuth(issuer_->IssueLogto(r), 400, "invalid_request");
  r.grant_type = "";
  ExpectOAuth(issuer_->IssueLogto(r), 400, "invalid_request");
}

TEST_F(TokenTest, LogtoOtherGrantTypeIsUnsupported) {
  auto r = Logto();
  r.grant_type = "authorization_code";
  ExpectOAuth(issuer_->IssueLogto(r), 400, "unsupported_grant_type");
}

TEST_F(TokenTest, LogtoOrganizationIdIsInvalidRequest) {
  AddAdmin();
  auto r = Logto();
  r.has_organization_id = true;
  ExpectOAuth(issuer_->IssueLogto(r), 400, "invalid_request");
}

TEST_F(TokenTest, LogtoMissingCredentialsIsInvalidClient) {
  auto r = Logto();
  r.client_secret.reset();
  ExpectOAuth(issuer_->IssueLogto(r), 401, "invalid_client");
  r = Logto();
  r.client_id.reset();
  ExpectOAuth(issuer_->IssueLogto(r), 401, "invalid_client");
}

TEST_F(TokenTest, LogtoUnknownClientOrWrongSecretIsInvalidClient) {
  AddAdmin();
  auto r = Logto();
  r.client_secret = "wrong";
  ExpectOAuth(issuer_->IssueLogto(r), 401, "invalid_client");
  r = Logto();
  r.client_id = "nobody";
  ExpectOAuth(issuer_->IssueLogto(r), 401, "invalid_client");
}

TEST_F(TokenTest, LogtoStoreOutageIsServerSide) {
  client_store_.unavailable = true;
  ExpectOAuth(issuer_->IssueLogto(Logto()), 503, "temporarily_unavailable");
}

TEST_F(TokenTest, LogtoMissingOrUnknownResourceIsInvalidTarget) {
  AddAdmin();
  auto r = Logto();
  r.resource.reset();
  ExpectOAuth(issuer_->IssueLogto(r), 400, "invalid_target");
  r.resource = "https://other.example/api";
  ExpectOAuth(issuer_->IssueLogto(r), 400, "invalid_target");
  r.resource = std::string(kIndicator) + "/";
  ExpectOAuth(issuer_->IssueLogto(r), 400, "invalid_target");
}

TEST_F(TokenTest, LogtoScopeOtherThanAllIsInvalidScope) {
  AddAdmin();
  ExpectOAuth(issuer_->IssueLogto(Logto("all read:users")), 400, "invalid_scope");
  ExpectOAuth(issuer_->IssueLogto(Logto("openid")), 400, "invalid_scope");
}

TEST_F(TokenTest, LogtoAllForAClientWithoutAllIsInvalidScope) {
  AddReader();
  auto r = Logto();
  r.client_id = "reader";
  r.client_secret = "pw";
  ExpectOAuth(issuer_->IssueLogto(r), 400, "invalid_scope");
}

TEST_F(TokenTest, LogtoWithoutScopeGrantsEmptyScope) {
  AddAdmin();
  const auto& t = Issued(issuer_->IssueLogto(Logto(std::nullopt)));
  EXPECT_EQ(t.scope, "");
  EXPECT_EQ(Part(t.access_token, 1)["scope"], "");
  auto principal = verifier_->VerifyLogto(t.access_token);
  ASSERT_TRUE(principal.has_value());
  EXPECT_TRUE((*principal)->scopes.empty());
}

TEST_F(TokenTest, LogtoSuccessCarriesTheContractClaims) {
  AddAdmin();
  const auto& t = Issued(issuer_->IssueLogto(Logto()));
  EXPECT_EQ(t.expires_in, 3600);
  EXPECT_EQ(t.scope, "all");
  json header = Part(t.access_token, 0);
  EXPECT_EQ(header["alg"], "RS256");
  EXPECT_EQ(header["kid"], "k1");
  json c = Part(t.access_token, 1);
  EXPECT_EQ(c["iss"], "http://127.0.0.1:3001/oidc");
  ASSERT_TRUE(c["aud"].is_string());
  EXPECT_EQ(c["aud"], kIndicator);
  EXPECT_EQ(c["sub"], "admin");
  EXPECT_EQ(c["client_id"], "admin");
  EXPECT_EQ(c["scope"], "all");
  EXPECT_EQ(c["iat"], clock_.NowSeconds());
  EXPECT_EQ(c["exp"].get<int64_t>() - c["iat"].get<int64_t>(), 3600);
  EXPECT_TRUE(std::regex_match(c["jti"].get<std::string>(), std::regex("[0-9a-z]{21}")));
}

TEST_F(TokenTest, LogtoAcceptsOwnApiUrlAsResource) {
  AddAdmin();
  auto r = Logto();
  r.resource = std::string(kPublicUrl) + "/api";
  const auto& t = Issued(issuer_->IssueLogto(r));
  EXPECT_EQ(Part(t.access_token, 1)["aud"], "http://127.0.0.1:3001/api");
  EXPECT_TRUE(verifier_->VerifyLogto(t.access_token).has_value());
}

TEST_F(TokenTest, KindeMissingGrantTypeIsInvalidRequest) {
  auto r = Kinde();
  r.grant_type.reset();
  ExpectOAuth(issuer_->IssueKinde(r), 400, "invalid_request");
}

TEST_F(TokenTest, KindeOtherGrantTypeIsUnsupported) {
  auto r = Kinde();
  r.grant_type = "password";
  ExpectOAuth(issuer_->IssueKinde(r), 400, "unsupported_grant_type");
}

TEST_F(TokenTest, KindeMalformedIsInvalidRequest) {
  auto r = Kinde();
  r.malformed = true;
  ExpectOAuth(issuer_->IssueKinde(r), 400, "invalid_request");
}

TEST_F(TokenTest, KindeMissingOrBadCredentialsIsInvalidClient) {
  AddAdmin();
  auto r = Kinde();
  r.client_id.reset();
  ExpectOAuth(issuer_->IssueKinde(r), 401, "invalid_client");
  r = Kinde();
  r.client_secret = "nope";
  ExpectOAuth(issuer_->IssueKinde(r), 401, "invalid_client");
  r = Kinde();
  r.client_id = "nobody";
  ExpectOAuth(issuer_->IssueKinde(r), 401, "invalid_client");
}

TEST_F(TokenTest, KindeMissingOrBadAudienceIsInvalidRequest) {
  AddAdmin();
  auto r = Kinde();
  r.audience.reset();
  ExpectOAuth(issuer_->IssueKinde(r), 400, "invalid_request");
  for (const char* bad : {"", "http://x/apis", "http://x/api/", "http://x/", "api", "/api",
                          "https:///api", "http://x/api?y", "http://x/ api"}) {
    r.audience = bad;
    ExpectOAuth(issuer_->IssueKinde(r), 400, "invalid_request");
  }
}

TEST_F(TokenTest, KindeScopeNotHeldIsInvalidScope) {
  AddReader();
  auto r = Kinde("read:users create:organizations");
  r.client_id = "reader";
  r.client_secret = "pw";
  ExpectOAuth(issuer_->IssueKinde(r), 400, "invalid_scope");
}

TEST_F(TokenTest, KindeUnknownScopeOrAllIsInvalidScope) {
  AddAdmin();
  ExpectOAuth(issuer_->IssueKinde(Kinde("read:everything")), 400, "invalid_scope");
  ExpectOAuth(issuer_->IssueKinde(Kinde("all")), 400, "invalid_scope");
}

TEST_F(TokenTest, KindeWithoutScopeGrantsEveryHeldScope) {
  AddAdmin();
  for (auto scope : {std::optional<std::string>(""), std::optional<std::string>()}) {
    const auto& t = Issued(issuer_->IssueKinde(Kinde(scope)));
    EXPECT_EQ(t.scope, "");
    EXPECT_EQ(t.expires_in, 86399);
    json c = Part(t.access_token, 1);
    std::string all;
    for (const auto& s : KindeScopes()) all += (all.empty() ? "" : " ") + s;
    EXPECT_EQ(c["scope"], all);
    EXPECT_EQ(c["scp"], json::array());
  }
}

TEST_F(TokenTest, KindeSuccessCarriesTheContractClaims) {
  AddAdmin();
  const auto& t = Issued(issuer_->IssueKinde(Kinde()));
  json header = Part(t.access_token, 0);
  EXPECT_EQ(header["alg"], "RS256");
  EXPECT_EQ(header["kid"], "k1");
  json c = Part(t.access_token, 1);
  EXPECT_EQ(c["aud"],
            json::array({"http://127.0.0.1:3001/api", "https://http://127.0.0.1:3001/api"}));
  EXPECT_EQ(c["azp"], "admin");
  EXPECT_EQ(c["sub"], "admin");
  EXPECT_EQ(c["iss"], "http://127.0.0.1:3001");
  EXPECT_EQ(c["gty"], json::array({"client_credentials"}));
  EXPECT_EQ(c["v"], "2");
  EXPECT_EQ(c["iat"], clock_.NowSeconds());
  EXPECT_EQ(c["exp"].get<int64_t>() - c["iat"].get<int64_t>(), 86399);
  EXPECT_TRUE(std::regex_match(
      c["jti"].get<std::string>(),
      std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  EXPECT_TRUE(c["scope"].is_string());
  auto principal = verifier_->VerifyKinde(t.access_token);
  ASSERT_TRUE(principal.has_value());
  EXPECT_EQ((*principal)->client_id.value(), "admin");
  EXPECT_TRUE((*principal)->HasScope("read:organizations"));
  EXPECT_FALSE((*principal)->HasScope("all"));
}

TEST_F(TokenTest, KindeHttpsAudienceIsNotDoubled) {
  AddAdmin();
  auto r = Kinde();
  r.audience = "https://x/api";
  const auto& t = Issued(issuer_->IssueKinde(r));
  EXPECT_EQ(Part(t.access_token, 1)["aud"], json::array({"https://x/api"}));
}

TEST_F(TokenTest, KindeAcceptsAudienceWithoutScheme) {
  AddAdmin();
  auto r = Kinde();
  r.audience = "127.0.0.1:3001/api";
  const auto& t = Issued(issuer_->IssueKinde(r));
  EXPECT_EQ(Part(t.access_token, 1)["aud"],
            json::array({"127.0.0.1:3001/api", "https://127.0.0.1:3001/api"}));
}

TEST_F(TokenTest, KindeSubsetRequestGrantsExactlyThatSubset) {
  AddReader();
  auto r = Kinde("read:users read:organizations read:users");
  r.client_id = "reader";
  r.client_secret = "pw";
  const auto& t = Issued(issuer_->IssueKinde(r));
  EXPECT_EQ(t.scope, "read:users read:organizations");
  json c = Part(t.access_token, 1);
  EXPECT_EQ(c["scope"], "read:users read:organizations");
  EXPECT_EQ(c["scp"], json::array({"read:users", "read:organizations"}));
  auto principal = verifier_->VerifyKinde(t.access_token);
  ASSERT_TRUE(principal.has_value());
  EXPECT_EQ((*principal)->scopes, (std::vector<std::string>{"read:organizations", "read:users"}));
}

TEST_F(TokenTest, KindeWithoutScopeGivesALimitedClientOnlyItsScopes) {
  AddReader();
  auto r = Kinde();
  r.client_id = "reader";
  r.client_secret = "pw";
  const auto& t = Issued(issuer_->IssueKinde(r));
  EXPECT_EQ(Part(t.access_token, 1)["scope"], "read:organizations read:users");
}

TEST_F(TokenTest, VerifyLogtoReturnsThePrincipal) {
  AddAdmin();
  const auto& t = Issued(issuer_->IssueLogto(Logto()));
  auto p = verifier_->VerifyLogto(t.access_token);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ((*p)->client_id.value(), "admin");
  EXPECT_EQ((*p)->scopes, std::vector<std::string>{"all"});
  EXPECT_TRUE((*p)->HasScope("all"));
  EXPECT_EQ((*p)->expires_at, clock_.NowSeconds() + 3600);
}

TEST_F(TokenTest, PrincipalScopesAreSortedAndUnique) {
  json c = LogtoClaims();
  c["scope"] = "b  all b a";
  auto p = verifier_->VerifyLogto(Signed(c));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ((*p)->scopes, (std::vector<std::string>{"a", "all", "b"}));
}

TEST_F(TokenTest, SecondVerifyOfATokenSkipsTheSignatureCheck) {
  std::string token = Signed(LogtoClaims());
  ASSERT_TRUE(verifier_->VerifyLogto(token).has_value());
  EXPECT_EQ(verifier_->signature_checks(), 1);
  ASSERT_TRUE(verifier_->VerifyLogto(token).has_value());
  ASSERT_TRUE(verifier_->VerifyLogto(token).has_value());
  EXPECT_EQ(verifier_->signature_checks(), 1);
  json other = LogtoClaims();
  other["jti"] = "j2";
  ASSERT_TRUE(verifier_->VerifyLogto(Signed(other)).has_value());
  EXPECT_EQ(verifier_->signature_checks(), 2);
}

TEST_F(TokenTest, CachedTokenExpiresOnTime) {
  std::string token = Signed(LogtoClaims());
  ASSERT_TRUE(verifier_->VerifyLogto(token).has_value());
  clock_.Advance(3599'000);
  ASSERT_TRUE(verifier_->VerifyLogto(token).has_value());
  clock_.Advance(1'000);
  ExpectInvalidToken(verifier_->VerifyLogto(token));
  EXPECT_EQ(verifier_->signature_checks(), 1);
}

TEST_F(TokenTest, ExpiredTokenIsRejected) {
  json c = LogtoClaims();
  c["exp"] = clock_.NowSeconds();
  ExpectInvalidToken(verifier_->VerifyLogto(Signed(c)));
  c["exp"] = clock_.NowSeconds() - 100;
  ExpectInvalidToken(verifier_->VerifyKinde(Signed(c)));
}

TEST_F(TokenTest, TokenBeforeItsNbfIsRejectedUntilThen) {
  json c = LogtoClaims();
  c["nbf"] = clock_.NowSeconds() + 100;
  std::string token = Signed(c);
  ExpectInvalidToken(verifier_->VerifyLogto(token));
  clock_.Advance(100'000);
  EXPECT_TRUE(verifier_->VerifyLogto(token).has_value());
}

TEST_F(TokenTest, LogtoWrongIssuerIsRejected) {
  json c = LogtoClaims();
  c["iss"] = "http://evil.example/oidc";
  ExpectInvalidToken(verifier_->VerifyLogto(Signed(c)));
  c.erase("iss");
  ExpectInvalidToken(verifier_->VerifyLogto(Signed(c)));
}

TEST_F(TokenTest, LogtoWrongAudienceIsRejected) {
  json c = LogtoClaims();
  c["aud"] = "https://other.example/api";
  ExpectInvalidToken(verifier_->VerifyLogto(Signed(c)));
  c.erase("aud");
  ExpectInvalidToken(verifier_->VerifyLogto(Signed(c)));
  c["aud"] = {"x", kIndicator};
  EXPECT_TRUE(verifier_->VerifyLogto(Signed(c)).has_value());
}

TEST_F(TokenTest, LogtoTokenIsRejectedByKinde) {
  AddAdmin();
  const auto& t = Issued(issuer_->IssueLogto(Logto()));
  ExpectInvalidToken(verifier_->VerifyKinde(t.access_token));
}

TEST_F(TokenTest, KindeTokenIsRejectedByLogto) {
  AddAdmin();
  const auto& t = Issued(issuer_->IssueKinde(Kinde()));
  ExpectInvalidToken(verifier_->VerifyLogto(t.access_token));
}

TEST_F(TokenTest, LogtoTokenWithoutSubIsSubMissing) {
  json c = LogtoClaims();
  c.erase("sub");
  auto p = verifier_->VerifyLogto(Signed(c));
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(p.error().reason, "sub_missing");
  c["sub"] = "";
  auto empty = verifier_->VerifyLogto(Signed(c));
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().reason, "sub_missing");
}

TEST_F(TokenTest, SubMissingComesAfterTheIssuerCheck) {
  json c = LogtoClaims();
  c.erase("sub");
  c["iss"] = "http://evil.example/oidc";
  ExpectInvalidToken(verifier_->VerifyLogto(Signed(c)));
}

TEST_F(TokenTest, TokenOfAnUnknownKeyIsRejected) {
  auto stranger = SigningKey::FromPem("k1", TestPem(1)).value();
  ExpectInvalidToken(verifier_->VerifyLogto(stranger->Sign(LogtoClaims().dump()).value()));
}

TEST_F(TokenTest, GarbageTokensAreRejected) {
  std::string good = Signed(LogtoClaims());
  for (const std::string& bad :
       {std::string(), std::string("abc"), std::string("a.b"), std::string("a.b.c.d"),
        std::string(9000, 'a'), good + "x.y", "*" + good, good.substr(0, good.size() - 2)}) {
    ExpectInvalidToken(verifier_->VerifyLogto(bad));
    ExpectInvalidToken(verifier_->VerifyKinde(bad));
  }
}

TEST_F(TokenTest, KindeWrongIssuerIsRejected) {
  json c = KindeClaims();
  c["iss"] = std::string(kPublicUrl) + "/";
  ExpectInvalidToken(verifier_->VerifyKinde(Signed(c)));
  c["iss"] = "https://x.kinde.com";
  ExpectInvalidToken(verifier_->VerifyKinde(Signed(c)));
  c["iss"] = kPublicUrl;
  EXPECT_TRUE(verifier_->VerifyKinde(Signed(c)).has_value());
}

TEST_F(TokenTest, IssuedTokensVerifyAfterARestartWithTheStoredKey) {
  AddAdmin();
  const auto& t = Issued(issuer_->IssueKinde(Kinde()));
  auto reloaded = KeyRing::LoadOrCreate(key_store_, TestKek(), clock_).value();
  TokenVerifier fresh(config_, *reloaded, clock_);
  EXPECT_TRUE(fresh.VerifyKinde(t.access_token).has_value());
}

TEST_F(TokenTest, ConcurrentVerifyAndAuthenticateAgree) {
  AddAdmin();
  std::vector<std::string> tokens;
  for (int i = 0; i < 4; ++i) {
    json c = LogtoClaims();
    c["jti"] = "j" + std::to_string(i);
    tokens.push_back(Signed(c));
  }
  ASSERT_TRUE(clients_.Authenticate("admin", "s3cret").has_value());  // remembered from here on
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (!verifier_->VerifyLogto(tokens[static_cast<size_t>((i + t) % 4)]).has_value()) {
          ++failures;
        }
        if (i % 10 == 0 && !clients_.Authenticate("admin", "s3cret").has_value()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GE(verifier_->signature_checks(), 4);
}

// --- KEK, rotation and revocation -------------------------------------------------------------

TEST(KekTest, ParsesBase64AndHexAndRejectsOtherLengths) {
  const std::string hex(64, 'b');
  auto from_hex = Kek::Parse(hex + "\n");
  ASSERT_TRUE(from_hex.has_value());
  auto from_b64 = Kek::Parse(from_hex->ToText());
  ASSERT_TRUE(from_b64.has_value());
  EXPECT_EQ(from_b64->ToText(), from_hex->ToText());
  EXPECT_EQ(from_hex->ToText().size(), 44u);
  for (const char* bad : {"", "abcd", "not base64 at all!!", "AAAA"}) {
    auto r = Kek::Parse(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_FALSE(Kek::Parse(std::string(62, 'a')).has_value());
  EXPECT_FALSE(Kek::Parse(std::string(64, 'g')).has_value());
}

TEST(KekTest, SealsWithAFreshNonceAndOpensOnlyWithTheSameKekAndKid) {
  const Kek kek = Kek::Generate();
  auto a = kek.Seal("secret pem", "k1");
  auto b = kek.Seal("secret pem", "k1");
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_TRUE(a->starts_with("kek1:"));
  EXPECT_NE(*a, *b);  // random nonce
  EXPECT_EQ(a->find("secret"), std::string::npos);
  EXPECT_EQ(kek.Open(*a, "k1").value(), "secret pem");

  auto other_kid = kek.Open(*a, "k2");
  ASSERT_FALSE(other_kid.has_value());
  EXPECT_EQ(other_kid.error().reason, "wrong_kek");
  auto other_kek = Kek::Generate().Open(*a, "k1");
  ASSERT_FALSE(other_kek.has_value());
  EXPECT_EQ(other_kek.error().reason, "wrong_kek");
  std::string tampered = *a;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(kek.Open(tampered, "k1").has_value());
  auto junk = kek.Open("kek1:nope", "k1");
  ASSERT_FALSE(junk.has_value());
  EXPECT_EQ(junk.error().reason, "envelope");
  EXPECT_FALSE(Kek::IsSealed("-----BEGIN PRIVATE KEY-----"));
}

TEST(KeyRingTest, PlaintextKeysAreSealedInPlaceAndStillLoad) {
  FakeKeyStore store;
  FakeClock clock;
  store.keys = {KeyRecord("k1", 0, clock.NowMillis() - 10)};
  auto ring = KeyRing::LoadOrCreate(store, TestKek(), clock);
  ASSERT_TRUE(ring.has_value()) << ring.error().message;
  EXPECT_EQ(store.insert_calls, 0);
  ASSERT_TRUE(Kek::IsSealed(store.keys[0].private_pem));
  EXPECT_EQ(TestKek().Open(store.keys[0].private_pem, "k1").value(), TestPem(0));
  auto again = KeyRing::LoadOrCreate(store, TestKek(), clock);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ((*again)->active()->PublicJwk(), (*ring)->active()->PublicJwk());
}

TEST(KeyRingTest, WrongKekFailsWithoutCreatingAKey) {
  FakeKeyStore store;
  FakeClock clock;
  ASSERT_TRUE(KeyRing::LoadOrCreate(store, TestKek(), clock).has_value());
  const Kek other = Kek::Generate();
  auto ring = KeyRing::LoadOrCreate(store, other, clock);
  ASSERT_FALSE(ring.has_value());
  EXPECT_EQ(ring.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(ring.error().reason, "wrong_kek");
  EXPECT_NE(ring.error().message.find("k1"), std::string::npos);
  // Even when every key is retired, a wrong KEK adds none of its own.
  store.keys[0].retired_at = clock.NowMillis();
  EXPECT_FALSE(KeyRing::LoadOrCreate(store, other, clock).has_value());
  EXPECT_EQ(store.keys.size(), 1u);
  EXPECT_FALSE(KeyRing::Rotate(store, other, clock).has_value());
  EXPECT_EQ(store.keys.size(), 1u);
}

TEST(KeyRingTest, RotationAddsTheActiveKeyAndKeepsTheOldOnePublishedForItsGrace) {
  FakeKeyStore store;
  FakeClock clock;
  KeyRingOptions options;
  options.refresh_interval_ms = 5'000;
  auto ring = KeyRing::LoadOrCreate(store, TestKek(), clock, options).value();
  auto old_token = ring->active()->Sign(R"({"exp":99999999999})").value();
  clock.Advance(1000);
  auto kid = KeyRing::Rotate(store, TestKek(), clock);
  ASSERT_TRUE(kid.has_value()) << kid.error().message;
  EXPECT_EQ(*kid, "k2");
  // Until the ring re-reads, it signs with k1; a token naming k2 makes it re-read.
  EXPECT_EQ(ring->active()->kid(), "k1");
  EXPECT_TRUE(ring->ReloadForUnknownKid());
  EXPECT_EQ(ring->active()->kid(), "k2");
  EXPECT_EQ(ring->all().size(), 2u);
  EXPECT_EQ(json::parse(ring->JwksJson())["keys"].size(), 2u);
  EXPECT_TRUE(VerifyJwt(old_token, ring->all()).has_value());
  // Rate-limited: a second unknown kid within the second does not re-read.
  const int lists = store.list_calls;
  EXPECT_TRUE(ring->ReloadForUnknownKid());
  EXPECT_EQ(store.list_calls, lists);

  // After the grace (the longest token TTL and margins), k1 is gone from the ring and JWKS.
  clock.Advance(options.retired_key_grace_ms);
  ASSERT_TRUE(ring->Reload().has_value());
  EXPECT_EQ(ring->all().size(), 1u);
  EXPECT_EQ(json::parse(ring->JwksJson())["keys"].size(), 1u);
  EXPECT_FALSE(VerifyJwt(old_token, ring->all()).has_value());
}

TEST(KeyRingTest, ReloadsOnItsOwnAfterTheRefreshInterval) {
  FakeKeyStore store;
  FakeClock clock;
  auto ring = KeyRing::LoadOrCreate(store, TestKek(), clock).value();
  clock.Advance(10);
  ASSERT_TRUE(KeyRing::Rotate(store, TestKek(), clock).has_value());
  clock.Advance(4'000);
  EXPECT_EQ(ring->active()->kid(), "k1");
  clock.Advance(1'000);
  EXPECT_EQ(ring->active()->kid(), "k2");
}

class RevocationTest : public testing::Test {
 protected:
  void SetUp() override {
    ring_ = KeyRing::LoadOrCreate(key_store_, TestKek(), clock_).value();
    ASSERT_TRUE(versions_.Refresh().has_value());
    config_.public_url = kPublicUrl;
    ASSERT_TRUE(clients_.Create("admin", {}, "admin", "s3cret").has_value());
    issuer_ = std::make_unique<TokenIssuer>(config_, clients_, *ring_, clock_);
    verifier_ = std::make_unique<TokenVerifier>(config_, *ring_, clock_, &versions_);
  }

  // A Kinde token of the admin client, issued now.
  std::string AdminKindeToken() {
    return std::get<IssuedToken>(
               issuer_->IssueKinde(TokenRequest{.grant_type = "client_credentials",
                                                .client_id = "admin",
                                                .client_secret = "s3cret",
                                                .audience = std::string(kPublicUrl) + "/api"}))
        .access_token;
  }

  FakeKeyStore key_store_;
  FakeClientStore client_store_;
  FakeClock clock_;
  SequentialIdGenerator ids_;
  ClientVersions versions_{client_store_, clock_};
  ClientService clients_{client_store_, clock_, ids_, &versions_};
  std::unique_ptr<KeyRing> ring_;
  AuthConfig config_;
  std::unique_ptr<TokenIssuer> issuer_;
  std::unique_ptr<TokenVerifier> verifier_;
};

TEST_F(RevocationTest, TokensCarryTheSecretVersionAndDieWithARotation) {
  const std::string token = AdminKindeToken();
  json claims = Part(token, 1);
  EXPECT_EQ(claims["cv"], client_store_.clients.at("admin").secret_version);
  ASSERT_TRUE(verifier_->VerifyKinde(token).has_value());  // now cached
  auto rotated = clients_.RotateSecret("admin");
  ASSERT_TRUE(rotated.has_value());
  EXPECT_EQ(rotated->secret.size(), 32u);
  EXPECT_FALSE(verifier_->VerifyKinde(token).has_value());
  // The old secret no longer authenticates, even though it was remembered; the new one does.
  EXPECT_FALSE(clients_.Authenticate("admin", "s3cret").has_value());
  EXPECT_TRUE(clients_.Authenticate("admin", rotated->secret).has_value());
}

TEST_F(RevocationTest, AChangeByAnotherProcessIsSeenOnceTheSnapshotIsStale) {
  const std::string token = AdminKindeToken();
  ASSERT_TRUE(verifier_->VerifyKinde(token).has_value());
  ASSERT_TRUE(clients_.Authenticate("admin", "s3cret").has_value());  // remembered
  // "Another process": straight to the store, behind the service's back.
  ASSERT_TRUE(client_store_.RotateClientSecret(ClientId("admin"), "$other$hash").has_value());
  const int revision_reads = client_store_.revision_calls;
  EXPECT_TRUE(verifier_->VerifyKinde(token).has_value());  // within the staleness bound
  EXPECT_EQ(client_store_.revision_calls, revision_reads);  // no query on the hot path
  clock_.Advance(100);
  EXPECT_FALSE(verifier_->VerifyKinde(token).has_value());
  EXPECT_FALSE(clients_.Authenticate("admin", "s3cret").has_value());
}

TEST_F(RevocationTest, DeletedClientsTokensAndTokensWithoutAVersionAreRefused) {
  const std::string token = AdminKindeToken();
  json claims = Part(token, 1);
  claims.erase("cv");
  auto unversioned = ring_->active()->Sign(claims.dump()).value();
  EXPECT_FALSE(verifier_->VerifyKinde(unversioned).has_value());
  ASSERT_TRUE(verifier_->VerifyKinde(token).has_value());
  ASSERT_TRUE(clients_.Delete("admin").has_value());
  EXPECT_FALSE(verifier_->VerifyKinde(token).has_value());
  // Re-created under the same id, the client gets a new version: old tokens stay dead.
  ASSERT_TRUE(clients_.Create("admin", {}, "admin", "s3cret").has_value());
  EXPECT_FALSE(verifier_->VerifyKinde(token).has_value());
}


// A store whose revision read can be held after it has read the value, as a query that read the
// database just before another process committed and is still on its way back.
class HeldRevisionStore final : public store::ClientStore {
 public:
  explicit HeldRevisionStore(FakeClientStore& inner) : inner_(inner) {}
  Result<void> InsertClient(const ClientRecord& c) override { return inner_.InsertClient(c); }
  Result<void> UpsertClient(const ClientRecord& c) override { return inner_.UpsertClient(c); }
  Result<ClientRecord> GetClient(const ClientId& id) override { return inner_.GetClient(id); }
  Result<int64_t> CountClients() override { return inner_.CountClients(); }
  Result<void> DeleteClient(const ClientId& id) override { return inner_.DeleteClient(id); }
  Result<std::vector<ClientRecord>> ListClients() override { return inner_.ListClients(); }
  Result<ClientRecord> RotateClientSecret(const ClientId& id, const std::string& h) override {
    return inner_.RotateClientSecret(id, h);
  }
  Result<int64_t> ClientsRevision() override {
    auto revision = inner_.ClientsRevision();
    std::unique_lock lock(mu_);
    if (hold_next_) {
      hold_next_ = false;
      held_ = true;
      cv_.notify_all();
      cv_.wait(lock, [&] { return !held_; });
    }
    return revision;
  }
  void HoldNext() {
    std::lock_guard lock(mu_);
    hold_next_ = true;
  }
  void WaitUntilHeld() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return held_; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    held_ = false;
    cv_.notify_all();
  }

 private:
  FakeClientStore& inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_next_ = false;
  bool held_ = false;
};

TEST(ClientVersionsTest, ACheckDoesNotTakeTheAnswerOfARefreshThatReadBeforeItBegan) {
  FakeClientStore inner;
  HeldRevisionStore store(inner);
  FakeClock clock;
  ClientVersions versions(store, clock);
  ASSERT_TRUE(versions.Refresh().has_value());  // revision 1, no clients
  clock.Advance(10);  // within the staleness bound, so only the unknown client triggers a refresh
  // Request 1 presents a token of a client this process has not listed: it refreshes, and its
  // revision read is held after reading revision 1.
  store.HoldNext();
  bool first = true;
  std::thread one([&] { first = versions.IsCurrent("c", 2); });
  store.WaitUntilHeld();
  // Another process creates the client (version 2); then request 2 arrives with its token.
  ASSERT_TRUE(inner.InsertClient(ClientRecord{.id = ClientId("c"), .name = "c"}).has_value());
  ASSERT_EQ(inner.clients.at("c").secret_version, 2);
  bool second = false;
  std::thread two([&] { second = versions.IsCurrent("c", 2); });
  store.Release();
  one.join();
  two.join();
  EXPECT_FALSE(first);  // its refresh read too early: refused, as the database said then
  EXPECT_TRUE(second);  // began after the commit: must not be answered from that early read
  EXPECT_TRUE(versions.IsCurrent("c", 2));
}

}  // namespace
}  // namespace orgd::auth
