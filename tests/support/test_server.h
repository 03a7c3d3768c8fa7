#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "app/app.h"
#include "tests/support/http_client.h"
#include "tests/support/pg_schema.h"

namespace orgd::testing {

// The storage backends an HTTP suite runs on: "sqlite_file" (the default deployment) and
// "postgres" when ORGD_TEST_POSTGRES_URL is set. TestServer also accepts "sqlite_memory", which
// the store contract suite covers on its own; the HTTP suites leave it out to keep the run short.
std::vector<std::string> AvailableBackends();
std::string BackendName(const ::testing::TestParamInfo<std::string>& info);

inline constexpr const char* kAdminId = "test-admin";
inline constexpr const char* kAdminSecret = "test-admin-secret-0123456789";
// The KEK every TestServer passes (PostgreSQL needs one; SQLite then writes no .kek file).
inline constexpr const char* kTestKek = "dGVzdC1rZWstdGVzdC1rZWstdGVzdC1rZWstdGVzdC0=";

struct TestServerOptions {
  bool logto_test_mode = false;
  const Clock* clock = nullptr;  // the server's clock; the system clock when null
  bool jit_on_user_create = false;     // --jit-on-user-create
  int64_t rate_limit_requests = 0;     // --rate-limit; 0: off
  int64_t rate_limit_window_ms = 1000;
  bool log_requests = false;           // the access log (off unless a test reads the log)
};

// A real orgd App on 127.0.0.1:0 with a fresh database and a bootstrap client
// (kAdminId / kAdminSecret) holding every scope. Helpers fetch tokens once and send requests
// over one keep-alive connection.
class TestServer {
 public:
  explicit TestServer(const std::string& backend, TestServerOptions options = {});
  ~TestServer();

  uint16_t port() const { return app_->port(); }
  const std::string& public_url() const { return app_->public_url(); }
  // The backend's database, for a test that opens a second store on it as another process would:
  // the SQLite file path or the PostgreSQL URL of the test schema; empty for sqlite_memory.
  std::string database_location() const;
  HttpClient& client() { return *client_; }
  // Every route the server serves, with its dialect and required scope.
  std::vector<api::RouteInfo> routes() const { return app_->routes(); }

  // Sends with no Authorization header.
  HttpResponse Send(const std::string& method, const std::string& target, const std::string& body = "",
                    const std::vector<std::pair<std::string, std::string>>& headers = {});
  // Sends with the admin's Logto token.
  HttpResponse Logto(const std::string& method, const std::string& target, const std::string& body = "");
  // Sends with the admin's Kinde token (every Kinde scope).
  HttpResponse Kinde(const std::string& method, const std::string& target, const std::string& body = "");

  // A fresh token from each dialect's endpoint for the admin client.
  std::string LogtoToken();
  std::string KindeToken(const std::string& scope = "");
  // Creates a client with exactly `scopes` and returns {id, secret}.
  std::pair<std::string, std::string> CreateClient(const std::vector<std::string>& scopes);
  // The App's own client rotation and deletion (as the CLI does, in this process).
  std::string RotateClientSecret(const std::string& id);
  void DeleteClient(const std::string& id);
  // `claims` signed with the server's active key (forged tokens the server must judge).
  std::string Sign(const nlohmann::json& claims);

 private:
  std::string db_path_;
  std::unique_ptr<PgTestSchema> pg_schema_;
  std::unique_ptr<app::App> app_;
  std::unique_ptr<HttpClient> client_;
  std::string logto_token_;
  std::string kinde_token_;
};

}  // namespace orgd::testing
