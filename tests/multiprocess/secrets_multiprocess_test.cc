// Secrets across processes (issue #8 item 4): two `orgd serve` processes on one database, and the
// CLI (a third process) rotating the signing key, rotating a client's secret and deleting a
// client. The servers must pick each change up without a restart.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "auth/jwt.h"
#include "tests/multiprocess/api_calls.h"
#include "tests/multiprocess/orgd_process.h"
#include "tests/support/http_client.h"
#include "tests/support/pg_schema.h"

#ifndef ORGD_BINARY
#error "ORGD_BINARY must name the orgd executable"
#endif

extern char** environ;

namespace orgd::testing {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

const Json kLogto401 = {{"code", "auth.unauthorized"},
                        {"message", "Unauthorized. Please check credentials and its scope."}};
const Json kKinde401 = {
    {"errors", {{{"code", "UNAUTHORIZED"}, {"message", "Invalid or missing access token"}}}}};

struct CliResult {
  int exit_code = -1;
  std::string out;
};

// Runs the orgd CLI with the servers' KEK and no other ORGD_* setting.
CliResult RunCli(const std::string& args, const std::string& prefix = "") {
  std::string command = prefix + "env";
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view var(*e);
    if (var.starts_with("ORGD_")) command += " -u " + std::string(var.substr(0, var.find('=')));
  }
  command += std::string(" ORGD_KEK=") + kProcessKek + " '" + ORGD_BINARY + "' " + args + " 2>&1";
  CliResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) result.out.append(buf, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// The value after "<label>" on its line of CLI output.
std::string Field(const std::string& out, const std::string& label) {
  size_t at = out.find(label);
  if (at == std::string::npos) return "";
  at += label.size();
  while (at < out.size() && out[at] == ' ') ++at;
  return out.substr(at, out.find('\n', at) - at);
}

// Polls `check` until it holds or `limit` passes. The servers promise to see another process's
// change within 100 ms (clients) or 5 s (signing keys); the limits are far above, so the outcome
// is the change being seen, never the timing.
template <typename Fn>
bool Eventually(Fn check, milliseconds limit) {
  return WaitUntil(check, limit, milliseconds(20));
}

class SecretsMultiprocessTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string skip;
    auto database = ProcessDatabase::Create(GetParam(), &skip);
    ASSERT_TRUE(database) << database.error().message;
    if (*database == nullptr) GTEST_SKIP() << skip;
    database_ = std::move(*database);
    database_url_ = database_->url();
    for (int i = 0; i < 2; ++i) {
      std::string error;
      auto process = OrgdProcess::Spawn({.database_url = database_url_}, &error);
      ASSERT_NE(process, nullptr) << error;
      processes_.push_back(std::move(process));
    }
    for (auto& p : processes_) {
      std::string error;
      ASSERT_TRUE(p->WaitReady(seconds(30), &error)) << error;
    }
    a_ = std::make_unique<HttpClient>(processes_[0]->port());
    b_ = std::make_unique<HttpClient>(processes_[1]->port());
  }

  void TearDown() override {
    a_.reset();
    b_.reset();
    for (auto& p : processes_) {
      if (p->running()) {
        EXPECT_EQ(p->Terminate(seconds(5)), std::optional<int>(0)) << p->StderrTail();
      }
    }
    processes_.clear();
    database_.reset();
  }

  // A client-credentials request for client `id` at `endpoint` ("/oidc/token" or
  // "/oauth2/token"), for the admin API of that dialect.
  static HttpResponse TokenResponse(HttpClient& http, const std::string& endpoint,
                                    const std::string& id, const std::string& secret) {
    const std::string target =
        endpoint == "/oidc/token" ? "&resource=https%3A%2F%2Fdefault.logto.app%2Fapi&scope=all"
                                  : "&audience=orgd.test%2Fapi";
    return http.Send(
        "POST", endpoint,
        "grant_type=client_credentials&client_id=" + id + "&client_secret=" + secret + target,
        {{"Content-Type", "application/x-www-form-urlencoded"}});
  }
  std::string Token(HttpClient& http, const std::string& endpoint, const std::string& id,
                    const std::string& secret) {
    auto res = TokenResponse(http, endpoint, id, secret);
    return res.status == 200 ? res.json.value("access_token", "") : "";
  }
  int TokenStatus(HttpClient& http, const std::string& endpoint, const std::string& id,
                  const std::string& secret) {
    return TokenResponse(http, endpoint, id, secret).status;
  }
  static HttpResponse Logto(HttpClient& http, const std::string& token) {
    return SendBearer(http, token, "GET", "/api/organizations");
  }
  static HttpResponse Kinde(HttpClient& http, const std::string& token) {
    return SendBearer(http, token, "GET", "/api/v1/organizations");
  }
  static std::vector<std::string> Kids(HttpClient& http) {
    std::vector<std::string> kids;
    HttpResponse res = http.Send("GET", "/.well-known/jwks.json");
    EXPECT_EQ(res.status, 200) << res.body;
    for (const auto& k : res.json["keys"]) kids.push_back(k["kid"]);
    return kids;
  }

  std::unique_ptr<ProcessDatabase> database_;
  std::string database_url_;
  std::vector<std::unique_ptr<OrgdProcess>> processes_;
  std::unique_ptr<HttpClient> a_;
  std::unique_ptr<HttpClient> b_;
};

TEST_P(SecretsMultiprocessTest, KeysRotateByTheCliReachesRunningServers) {
  const std::string old_kinde = FetchKindeToken(*a_, OrgdProcessOptions{}.public_url);
  const std::string old_logto = FetchLogtoToken(*b_);
  ASSERT_FALSE(old_kinde.empty());
  ASSERT_EQ(Kinde(*b_, old_kinde).status, 200);  // cached at B
  const std::string old_kid = JwtKid(old_kinde);

  CliResult rotated = RunCli("keys rotate --database '" + database_url_ + "'");
  ASSERT_EQ(rotated.exit_code, 0) << rotated.out;
  const std::string new_kid = Field(rotated.out, "new signing key:");
  ASSERT_FALSE(new_kid.empty()) << rotated.out;
  ASSERT_NE(new_kid, old_kid);

  // Both servers start signing with the new key without a restart, and publish both keys.
  for (HttpClient* http : {a_.get(), b_.get()}) {
    EXPECT_TRUE(Eventually(
        [&] { return JwtKid(FetchKindeToken(*http, OrgdProcessOptions{}.public_url)) == new_kid; },
        seconds(30)));
    EXPECT_EQ(Kids(*http), (std::vector<std::string>{new_kid, old_kid}));
  }
  // Old tokens still work everywhere; a new token of one server works at the other at once.
  EXPECT_EQ(Kinde(*a_, old_kinde).status, 200);
  EXPECT_EQ(Kinde(*b_, old_kinde).status, 200);
  EXPECT_EQ(Logto(*a_, old_logto).status, 200);
  const std::string new_logto = FetchLogtoToken(*a_);
  EXPECT_EQ(JwtKid(new_logto), new_kid);
  EXPECT_EQ(Logto(*b_, new_logto).status, 200);
}

TEST_P(SecretsMultiprocessTest, ClientRotationAndDeletionByTheCliRevokeTokensOnEveryServer) {
  CliResult created = RunCli("client create --name mp-secrets --database '" + database_url_ + "'");
  ASSERT_EQ(created.exit_code, 0) << created.out;
  const std::string id = Field(created.out, "client_id:");
  const std::string secret = Field(created.out, "client_secret:");
  ASSERT_FALSE(id.empty() || secret.empty()) << created.out;

  // Tokens from A, used (and so cached) at both; the secret remembered by both.
  const std::string logto = Token(*a_, "/oidc/token", id, secret);
  const std::string kinde = Token(*a_, "/oauth2/token", id, secret);
  ASSERT_FALSE(logto.empty() || kinde.empty());
  ASSERT_EQ(Token(*b_, "/oauth2/token", id, secret).empty(), false);
  for (HttpClient* http : {a_.get(), b_.get()}) {
    ASSERT_EQ(Logto(*http, logto).status, 200);
    ASSERT_EQ(Kinde(*http, kinde).status, 200);
  }

  CliResult rotated = RunCli("client rotate-secret " + id + " --database '" + database_url_ + "'");
  ASSERT_EQ(rotated.exit_code, 0) << rotated.out;
  const std::string fresh = Field(rotated.out, "client_secret:");
  ASSERT_FALSE(fresh.empty());
  for (HttpClient* http : {a_.get(), b_.get()}) {
    EXPECT_TRUE(Eventually([&] { return Kinde(*http, kinde).status == 401; }, seconds(5)));
    auto l = Logto(*http, logto);
    EXPECT_EQ(l.status, 401);
    EXPECT_EQ(l.json, kLogto401);
    auto k = Kinde(*http, kinde);
    EXPECT_EQ(k.json, kKinde401);
    EXPECT_EQ(TokenStatus(*http, "/oidc/token", id, secret), 401);
    EXPECT_EQ(TokenStatus(*http, "/oauth2/token", id, secret), 401);
  }
  const std::string fresh_kinde = Token(*b_, "/oauth2/token", id, fresh);
  ASSERT_FALSE(fresh_kinde.empty());
  EXPECT_EQ(Kinde(*a_, fresh_kinde).status, 200);
  EXPECT_EQ(Kinde(*b_, fresh_kinde).status, 200);

  CliResult listed = RunCli("client list --database '" + database_url_ + "'");
  ASSERT_EQ(listed.exit_code, 0);
  EXPECT_NE(listed.out.find(id + "\tmp-secrets\t"), std::string::npos) << listed.out;
  EXPECT_EQ(listed.out.find(fresh), std::string::npos);  // never the secret
  EXPECT_EQ(listed.out.find("$argon2"), std::string::npos);  // nor its hash

  CliResult deleted = RunCli("client delete " + id + " --database '" + database_url_ + "'");
  ASSERT_EQ(deleted.exit_code, 0) << deleted.out;
  for (HttpClient* http : {a_.get(), b_.get()}) {
    EXPECT_TRUE(Eventually([&] { return Kinde(*http, fresh_kinde).status == 401; }, seconds(5)));
    EXPECT_EQ(TokenStatus(*http, "/oauth2/token", id, fresh), 401);
  }
  CliResult again = RunCli("client delete " + id + " --database '" + database_url_ + "'");
  EXPECT_EQ(again.exit_code, 3) << again.out;
}

TEST_P(SecretsMultiprocessTest, AServerWithAnotherKekRefusesToStart) {
  const std::string kek_file =
      (std::filesystem::temp_directory_path() / ("orgd-mps-kek-" + std::to_string(::getpid())))
          .string();
  std::FILE* f = std::fopen(kek_file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs(std::string(64, 'f').c_str(), f);
  std::fclose(f);
  // --kek-file wins over the ORGD_KEK the CLI runs with; `timeout` only guards against a start
  // that wrongly succeeds and then serves forever.
  CliResult started = RunCli("serve --listen 127.0.0.1:0 --database '" + database_url_ +
                             "' --kek-file '" + kek_file + "'", "timeout 20 ");
  std::filesystem::remove(kek_file);
  EXPECT_EQ(started.exit_code, 1) << started.out;
  EXPECT_NE(started.out.find("does not decrypt with the configured KEK"), std::string::npos)
      << started.out;
  // The running servers are unaffected.
  EXPECT_FALSE(FetchLogtoToken(*a_).empty());
}

INSTANTIATE_TEST_SUITE_P(Engines, SecretsMultiprocessTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace orgd::testing
