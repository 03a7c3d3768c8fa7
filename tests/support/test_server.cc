#include "tests/support/test_server.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "auth/testing_hooks.h"
#include "tests/support/form_encode.h"
#include "tests/support/test_keys.h"

namespace orgd::testing {
namespace {

std::string TempDbPath() {
  static std::atomic<int> counter{0};
  auto dir = std::filesystem::temp_directory_path();
  return (dir / ("orgd-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".db"))
      .string();
}

}  // namespace

std::vector<std::string> AvailableBackends() {
  std::vector<std::string> backends = {"sqlite_file"};
  const char* pg = std::getenv("ORGD_TEST_POSTGRES_URL");
  if (pg != nullptr && *pg != '\0') backends.push_back("postgres");
  return backends;
}

std::string BackendName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

TestServer::TestServer(const std::string& backend, TestServerOptions options) {
  // Each server starts on an empty database: without these, generating its signing key and
  // hashing its bootstrap secret would cost more than most tests themselves.
  auth::UseCheapSecretHashForTesting();
  auth::UsePresetSigningKeysForTesting(TestSigningKeyPems());
  app::Config config;
  config.listen_host = "127.0.0.1";
  config.listen_port = 0;
  config.threads = 2;
  config.log_requests = false;
  config.logto_test_mode = options.logto_test_mode;
  config.jit_on_user_create = options.jit_on_user_create;
  config.rate_limit_requests = options.rate_limit_requests;
  config.rate_limit_window_ms = options.rate_limit_window_ms;
  config.bootstrap_client_id = kAdminId;
  config.bootstrap_client_secret = kAdminSecret;
  config.kek = kTestKek;
  config.log_requests = options.log_requests;
  if (backend == "sqlite_memory") {
    config.store.sqlite_path = ":memory:";
  } else if (backend == "sqlite_file") {
    db_path_ = TempDbPath();
    config.store.sqlite_path = db_path_;
  } else if (backend == "postgres") {
    auto schema = PgTestSchema::Create(nullptr);
    if (!schema || !*schema) throw std::runtime_error("cannot create a PostgreSQL test schema");
    pg_schema_ = std::move(*schema);
    config.store.engine = app::StoreConfig::Engine::kPostgres;
    config.store.postgres_url = pg_schema_->url();
    config.store.pool_size = 8;
  } else {
    throw std::runtime_error("unknown backend " + backend);
  }
  std::ostringstream out;
  auto built = app::App::Build(config, out, options.clock);
  if (!built) throw std::runtime_error("App::Build failed: " + built.error().message + " " + built.error().detail);
  app_ = std::move(*built);
  app_->Start();
  client_ = std::make_unique<HttpClient>(app_->port());
}

TestServer::~TestServer() {
  client_.reset();
  if (app_) app_->Stop();
  app_.reset();
  pg_schema_.reset();
  if (!db_path_.empty()) {
    for (const char* suffix : {"", "-wal", "-shm", ".kek"}) std::filesystem::remove(db_path_ + suffix);
  }
}

std::string TestServer::database_location() const {
  if (pg_schema_) return pg_schema_->url();
  return db_path_;
}

HttpResponse TestServer::Send(const std::string& method, const std::string& target,
                              const std::string& body,
                              const std::vector<std::pair<std::string, std::string>>& headers) {
  return client_->Send(method, target, body, headers);
}

HttpResponse TestServer::Logto(const std::string& method, const std::string& target,
                               const std::string& body) {
  if (logto_token_.empty()) logto_token_ = LogtoToken();
  return client_->Send(method, target, body, {{"Authorization", "Bearer " + logto_token_}});
}

HttpResponse TestServer::Kinde(const std::string& method, const std::string& target,
                               const std::string& body) {
  if (kinde_token_.empty()) kinde_token_ = KindeToken();
  return client_->Send(method, target, body, {{"Authorization", "Bearer " + kinde_token_}});
}

std::string TestServer::LogtoToken() {
  auto res = client_->Send("POST", "/oidc/token",
                           FormEncode({{"grant_type", "client_credentials"},
                                       {"client_id", kAdminId},
                                       {"client_secret", kAdminSecret},
                                       {"resource", "https://default.logto.app/api"},
                                       {"scope", "all"}}),
                           {{"Content-Type", "application/x-www-form-urlencoded"}});
  if (res.status != 200) throw std::runtime_error("Logto token: " + res.body);
  return res.json["access_token"].get<std::string>();
}

std::string TestServer::KindeToken(const std::string& scope) {
  auto res = client_->Send("POST", "/oauth2/token",
                           FormEncode({{"grant_type", "client_credentials"},
                                       {"client_id", kAdminId},
                                       {"client_secret", kAdminSecret},
                                       {"audience", public_url() + "/api"},
                                       {"scope", scope}}),
                           {{"Content-Type", "application/x-www-form-urlencoded"}});
  if (res.status != 200) throw std::runtime_error("Kinde token: " + res.body);
  return res.json["access_token"].get<std::string>();
}

std::string TestServer::RotateClientSecret(const std::string& id) {
  auto rotated = app_->RotateClientSecret(id);
  if (!rotated) throw std::runtime_error("RotateClientSecret: " + rotated.error().message);
  return *rotated;
}

void TestServer::DeleteClient(const std::string& id) {
  auto deleted = app_->DeleteClient(id);
  if (!deleted) throw std::runtime_error("DeleteClient: " + deleted.error().message);
}

std::string TestServer::Sign(const nlohmann::json& claims) {
  auto token = app_->SignWithActiveKey(claims.dump());
  if (!token) throw std::runtime_error("Sign: " + token.error().message);
  return *token;
}

std::pair<std::string, std::string> TestServer::CreateClient(const std::vector<std::string>& scopes) {
  auto created = app_->CreateClient("test client", scopes);
  if (!created) throw std::runtime_error("CreateClient: " + created.error().message);
  return *created;
}

}  // namespace orgd::testing
