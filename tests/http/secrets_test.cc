// Secrets over HTTP (issue #8 item 4): client secret rotation and deletion revoke tokens at once,
// cached ones too and also when another process made the change; key rotation by another
// process; signing keys sealed with the KEK, and what a missing or wrong KEK does at start.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "app/app.h"
#include "auth/jwt.h"
#include "auth/kek.h"
#include "auth/token_service.h"
#include "common/clock.h"
#include "common/id_generator.h"
#include "store/postgres/pg_db.h"
#include "store/sql/migrations.h"
#include "store/sql/sql_store.h"
#include "store/sqlite/sqlite_db.h"
#include "tests/support/test_server.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

const Headers kForm = {{"Content-Type", "application/x-www-form-urlencoded"}};
const Json kLogto401 = {{"code", "auth.unauthorized"},
                        {"message", "Unauthorized. Please check credentials and its scope."}};
const Json kKinde401 = {
    {"errors", {{{"code", "UNAUTHORIZED"}, {"message", "Invalid or missing access token"}}}}};
const Json kInvalidClient = {{"error", "invalid_client"},
                             {"error_description", "client authentication failed"}};

std::string Form(const std::string& id, const std::string& secret) {
  return "grant_type=client_credentials&client_id=" + id + "&client_secret=" + secret;
}
constexpr const char* kLogtoTarget = "&resource=https%3A%2F%2Fdefault.logto.app%2Fapi&scope=all";
constexpr const char* kKindeTarget = "&audience=orgd.example%2Fapi";

Json Payload(const std::string& jwt) {
  size_t a = jwt.find('.'), b = jwt.find('.', a + 1);
  return Json::parse(auth::Base64UrlDecode(jwt.substr(a + 1, b - a - 1)).value_or("null"));
}
Json Header(const std::string& jwt) {
  return Json::parse(auth::Base64UrlDecode(jwt.substr(0, jwt.find('.'))).value_or("null"));
}

// A second connection pool on the test server's database, as another orgd process (the CLI)
// would open it.
std::unique_ptr<store::Database> OpenOther(const std::string& backend, const std::string& where) {
  if (backend == "postgres") {
    return std::move(store::postgres::PgDatabase::Open(where).value());
  }
  return std::move(store::sqlite::SqliteDatabase::Open(where).value());
}

class SecretsTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Frozen, so that the tests decide when the server's snapshot of client versions goes stale.
  FakeClock clock_{SystemClock().NowMillis()};
  TestServer server_{GetParam(), TestServerOptions{.clock = &clock_}};

  std::string LogtoToken(const std::string& id, const std::string& secret) {
    auto res = server_.Send("POST", "/oidc/token", Form(id, secret) + kLogtoTarget, kForm);
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json.value("access_token", "");
  }
  std::string KindeToken(const std::string& id, const std::string& secret) {
    auto res = server_.Send("POST", "/oauth2/token", Form(id, secret) + kKindeTarget, kForm);
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json.value("access_token", "");
  }
  int LogtoStatus(const std::string& token) {
    return server_.Send("GET", "/api/organizations", "", {{"Authorization", "Bearer " + token}})
        .status;
  }
  int KindeStatus(const std::string& token) {
    return server_.Send("GET", "/api/v1/organizations", "", {{"Authorization", "Bearer " + token}})
        .status;
  }
  void ExpectRevoked(const std::string& logto, const std::string& kinde, const std::string& why) {
    auto l = server_.Send("GET", "/api/organizations", "", {{"Authorization", "Bearer " + logto}});
    EXPECT_EQ(l.status, 401) << why << ": " << l.body;
    EXPECT_EQ(l.json, kLogto401) << why;
    auto k = server_.Send("GET", "/api/v1/organizations", "", {{"Authorization", "Bearer " + kinde}});
    EXPECT_EQ(k.status, 401) << why << ": " << k.body;
    EXPECT_EQ(k.json, kKinde401) << why;
  }
  // The secret fails at both token endpoints, in the form and in a Basic header.
  void ExpectSecretRefused(const std::string& id, const std::string& secret, const std::string& why) {
    for (const char* endpoint : {"/oidc/token", "/oauth2/token"}) {
      const std::string target = std::string(endpoint) == "/oidc/token" ? kLogtoTarget : kKindeTarget;
      auto res = server_.Send("POST", endpoint, Form(id, secret) + target, kForm);
      EXPECT_EQ(res.status, 401) << why << " " << endpoint << ": " << res.body;
      EXPECT_EQ(res.json, kInvalidClient) << why << " " << endpoint;
      Headers basic = kForm;
      basic.emplace_back("Authorization", "Basic " + auth::Base64Encode(id + ":" + secret));
      res = server_.Send("POST", endpoint, "grant_type=client_credentials" + target, basic);
      EXPECT_EQ(res.status, 401) << why << " " << endpoint << " (Basic): " << res.body;
      EXPECT_EQ(res.json, kInvalidClient) << why << " " << endpoint << " (Basic)";
    }
  }
};

TEST_P(SecretsTest, RotationRevokesEveryTokenAtOnceCachedOnesToo) {
  auto [id, secret] = server_.CreateClient({});
  const std::string logto = LogtoToken(id, secret);
  const std::string kinde = KindeToken(id, secret);
  // Both used once, so both sit in the verified-token cache, and the secret in the auth cache.
  ASSERT_EQ(LogtoStatus(logto), 200);
  ASSERT_EQ(KindeStatus(kinde), 200);
  EXPECT_EQ(Payload(logto)["cv"], Payload(kinde)["cv"]);

  const std::string fresh = server_.RotateClientSecret(id);
  EXPECT_NE(fresh, secret);
  ExpectRevoked(logto, kinde, "after rotation");
  ExpectSecretRefused(id, secret, "old secret");

  const std::string logto2 = LogtoToken(id, fresh);
  const std::string kinde2 = KindeToken(id, fresh);
  EXPECT_GT(Payload(kinde2)["cv"].get<int64_t>(), Payload(kinde)["cv"].get<int64_t>());
  EXPECT_EQ(LogtoStatus(logto2), 200);
  EXPECT_EQ(KindeStatus(kinde2), 200);
  // Other clients are untouched.
  EXPECT_EQ(server_.Logto("GET", "/api/organizations").status, 200);
  EXPECT_EQ(server_.Kinde("GET", "/api/v1/organizations").status, 200);
}

TEST_P(SecretsTest, DeletionRevokesEveryTokenAtOnce) {
  auto [id, secret] = server_.CreateClient({});
  const std::string logto = LogtoToken(id, secret);
  const std::string kinde = KindeToken(id, secret);
  ASSERT_EQ(LogtoStatus(logto), 200);
  ASSERT_EQ(KindeStatus(kinde), 200);
  server_.DeleteClient(id);
  ExpectRevoked(logto, kinde, "after deletion");
  ExpectSecretRefused(id, secret, "deleted client");
}

TEST_P(SecretsTest, ChangesByAnotherProcessAreSeenWithinTheStalenessBound) {
  if (GetParam() == "sqlite_memory") GTEST_SKIP() << "no other process can open :memory:";
  auto db = OpenOther(GetParam(), server_.database_location());
  store::sql::SqlStore other(*db);
  SystemClock clock;
  RandomIdGenerator ids;
  auth::ClientService cli(other, clock, ids);  // as `orgd client rotate-secret` builds it

  auto [id, secret] = server_.CreateClient({});
  const std::string logto = LogtoToken(id, secret);
  const std::string kinde = KindeToken(id, secret);
  ASSERT_EQ(LogtoStatus(logto), 200);
  ASSERT_EQ(KindeStatus(kinde), 200);

  auto rotated = cli.RotateSecret(id);
  ASSERT_TRUE(rotated.has_value()) << rotated.error().message;
  // The server re-reads the clients revision once its snapshot is 100 ms old.
  clock_.Advance(100);
  ExpectRevoked(logto, kinde, "rotated by another process");
  ExpectSecretRefused(id, secret, "old secret after another process rotated it");
  const std::string logto2 = LogtoToken(id, rotated->secret);
  const std::string kinde2 = KindeToken(id, rotated->secret);
  EXPECT_EQ(LogtoStatus(logto2), 200);
  EXPECT_EQ(KindeStatus(kinde2), 200);

  ASSERT_TRUE(cli.Delete(id).has_value());
  clock_.Advance(100);
  ExpectRevoked(logto2, kinde2, "deleted by another process");
  ExpectSecretRefused(id, rotated->secret, "deleted by another process");
}

TEST_P(SecretsTest, KeyRotatedByAnotherProcessIsPublishedUsedAndTheOldKeyStillAccepted) {
  if (GetParam() == "sqlite_memory") GTEST_SKIP() << "no other process can open :memory:";
  const std::string old_logto = server_.LogtoToken();
  const std::string old_kinde = server_.KindeToken();
  ASSERT_EQ(LogtoStatus(old_logto), 200);
  const std::string old_kid = Header(old_kinde)["kid"];

  auto db = OpenOther(GetParam(), server_.database_location());
  store::sql::SqlStore other(*db);
  auto kid = auth::KeyRing::Rotate(other, auth::Kek::Parse(kTestKek).value(), clock_);
  ASSERT_TRUE(kid.has_value()) << kid.error().message;
  ASSERT_NE(*kid, old_kid);

  // Within 30 s the server re-reads its keys on its own: both keys published, the new one signs.
  clock_.Advance(30'000);
  auto jwks = server_.Send("GET", "/.well-known/jwks.json");
  ASSERT_EQ(jwks.status, 200);
  std::vector<std::string> kids;
  for (const auto& k : jwks.json["keys"]) kids.push_back(k["kid"]);
  EXPECT_EQ(kids, (std::vector<std::string>{*kid, old_kid}));
  EXPECT_EQ(server_.Send("GET", "/oidc/jwks").json, jwks.json);
  const std::string new_kinde = server_.KindeToken();
  EXPECT_EQ(Header(new_kinde)["kid"], *kid);
  EXPECT_EQ(KindeStatus(new_kinde), 200);
  EXPECT_EQ(KindeStatus(old_kinde), 200);
  EXPECT_EQ(LogtoStatus(old_logto), 200);

  // Once every token the old key signed has expired (24 h and margins), it drops out.
  clock_.Advance(auth::KeyRingOptions{}.retired_key_grace_ms);
  jwks = server_.Send("GET", "/.well-known/jwks.json");
  ASSERT_EQ(jwks.json["keys"].size(), 1u);
  EXPECT_EQ(jwks.json["keys"][0]["kid"], *kid);
}

TEST_P(SecretsTest, SigningKeysAreStoredSealed) {
  if (GetParam() == "sqlite_memory") GTEST_SKIP() << "no other process can open :memory:";
  auto db = OpenOther(GetParam(), server_.database_location());
  store::sql::SqlStore other(*db);
  auto keys = other.ListSigningKeys();
  ASSERT_TRUE(keys.has_value());
  ASSERT_EQ(keys->size(), 1u);
  const auto& row = (*keys)[0];
  EXPECT_TRUE(row.private_pem.starts_with("kek1:")) << row.private_pem.substr(0, 20);
  EXPECT_EQ(row.private_pem.find("PRIVATE"), std::string::npos);
  auto pem = auth::Kek::Parse(kTestKek).value().Open(row.private_pem, row.kid);
  ASSERT_TRUE(pem.has_value());
  EXPECT_TRUE(pem->starts_with("-----BEGIN PRIVATE KEY-----"));
}

INSTANTIATE_TEST_SUITE_P(Backends, SecretsTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);

// --- starting with and without a KEK (App::Build directly) -------------------------------------

std::string TempPath(const std::string& stem) {
  static std::atomic<int> counter{0};
  return (std::filesystem::temp_directory_path() /
          (stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)))
      .string();
}

class KekStartTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const char* suffix : {"", "-wal", "-shm", ".kek"}) std::filesystem::remove(db_ + suffix);
    std::filesystem::remove(kek_file_);
  }
  app::Config SqliteConfig() {
    app::Config config;
    config.listen_host = "127.0.0.1";
    config.listen_port = 0;
    config.threads = 1;
    config.log_requests = false;
    config.store.sqlite_path = db_;
    config.bootstrap_client_id = kAdminId;
    config.bootstrap_client_secret = kAdminSecret;
    return config;
  }
  // The public JWK of the one key the database holds, through a started server.
  static Json Jwks(app::App& app) {
    app.Start();
    HttpClient client(app.port());
    auto res = client.Send("GET", "/oidc/jwks");
    app.Stop();
    return res.json;
  }
  std::string StoredKey() {
    auto db = store::sqlite::SqliteDatabase::Open(db_).value();
    store::sql::SqlStore s(*db);
    return s.ListSigningKeys().value().at(0).private_pem;
  }

  std::string db_ = TempPath("orgd-kek") + ".db";
  std::string kek_file_ = TempPath("orgd-kek-file");
};

TEST_F(KekStartTest, SqliteWithoutAKekMakesAPrivateKekFileBesideTheDatabaseAndReusesIt) {
  std::ostringstream out;
  Json first;
  {
    auto app = app::App::Build(SqliteConfig(), out);
    ASSERT_TRUE(app.has_value()) << app.error().message;
    first = Jwks(**app);
  }
  struct stat st{};
  ASSERT_EQ(::stat((db_ + ".kek").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  std::ifstream in(db_ + ".kek");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  auto kek = auth::Kek::Parse(text);
  ASSERT_TRUE(kek.has_value());
  const std::string sealed = StoredKey();
  EXPECT_TRUE(kek->Open(sealed, "k1").has_value());

  auto again = app::App::Build(SqliteConfig(), out);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(Jwks(**again), first);
}

TEST_F(KekStartTest, AWrongKekFailsTheStartWithAClearMessageAndChangesNothing) {
  std::ostringstream out;
  app::Config config = SqliteConfig();
  config.kek = auth::Kek::Generate().ToText();
  { ASSERT_TRUE(app::App::Build(config, out).has_value()); }
  const std::string sealed = StoredKey();

  config.kek = auth::Kek::Generate().ToText();
  auto app = app::App::Build(config, out);
  ASSERT_FALSE(app.has_value());
  EXPECT_EQ(app.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(app.error().reason, "wrong_kek");
  EXPECT_NE(app.error().message.find("does not decrypt with the configured KEK"), std::string::npos)
      << app.error().message;
  EXPECT_EQ(StoredKey(), sealed);  // no new key, nothing rewritten

  // A KEK that is not 32 bytes is refused before anything is opened.
  config.kek = "c2hvcnQ=";
  app = app::App::Build(config, out);
  ASSERT_FALSE(app.has_value());
  EXPECT_EQ(app.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(app.error().message.find("ORGD_KEK"), std::string::npos);
}

TEST_F(KekStartTest, KekFileIsReadAndPlaintextKeysOfAnOlderDatabaseAreSealedInPlace) {
  std::ostringstream out;
  app::Config config = SqliteConfig();
  const auth::Kek first = auth::Kek::Generate();
  config.kek = first.ToText();
  Json jwks;
  {
    auto app = app::App::Build(config, out);
    ASSERT_TRUE(app.has_value());
    jwks = Jwks(**app);
  }
  // Make the row what a database from before sealing holds: the plain PEM.
  {
    auto db = store::sqlite::SqliteDatabase::Open(db_).value();
    store::sql::SqlStore s(*db);
    const std::string sealed = s.ListSigningKeys().value().at(0).private_pem;
    const std::string pem = first.Open(sealed, "k1").value();
    ASSERT_TRUE(s.ReplaceSigningKeyMaterial("k1", sealed, pem).value());
  }
  ASSERT_TRUE(StoredKey().starts_with("-----BEGIN PRIVATE KEY-----"));

  // Start with another KEK, from a file (hex this time): the plaintext key is sealed with it.
  const auth::Kek second = auth::Kek::Generate();
  const std::string hex = [&] {
    auto bytes = auth::Base64Decode(second.ToText()).value();
    std::string h;
    for (unsigned char c : bytes) {
      h.push_back("0123456789abcdef"[c >> 4]);
      h.push_back("0123456789abcdef"[c & 15]);
    }
    return h;
  }();
  std::ofstream(kek_file_) << hex << "\n";
  config.kek.reset();
  config.kek_file = kek_file_;
  {
    auto app = app::App::Build(config, out);
    ASSERT_TRUE(app.has_value()) << app.error().message;
    EXPECT_EQ(Jwks(**app), jwks);
  }
  const std::string stored = StoredKey();
  EXPECT_TRUE(stored.starts_with("kek1:"));
  EXPECT_TRUE(second.Open(stored, "k1").has_value());
  EXPECT_FALSE(first.Open(stored, "k1").has_value());
}

TEST(KekPostgresTest, PostgresWithoutAKekRefusesToStartAndSaysHowToMakeOne) {
  const char* url = std::getenv("ORGD_TEST_POSTGRES_URL");
  if (url == nullptr || *url == '\0') GTEST_SKIP() << "ORGD_TEST_POSTGRES_URL is not set";
  auto schema = PgTestSchema::Create(nullptr);
  ASSERT_TRUE(schema.has_value() && *schema);
  app::Config config;
  config.store.engine = app::StoreConfig::Engine::kPostgres;
  config.store.postgres_url = (*schema)->url();
  std::ostringstream out;
  auto app = app::App::Build(config, out);
  ASSERT_FALSE(app.has_value());
  EXPECT_EQ(app.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(app.error().reason, "kek_missing");
  EXPECT_NE(app.error().message.find("orgd kek generate"), std::string::npos) << app.error().message;
  EXPECT_NE(app.error().message.find("ORGD_KEK_FILE"), std::string::npos);
  // Refused before the database was touched: no migration ran.
  auto db = store::postgres::PgDatabase::Open((*schema)->url()).value();
  auto version = store::sql::CurrentSchemaVersion(*db);
  ASSERT_TRUE(version.has_value());
  EXPECT_EQ(*version, 0);
}

}  // namespace
}  // namespace orgd::testing
