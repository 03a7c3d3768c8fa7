// Logs without secrets (issue #8 item 6): a full run with the access log on, capturing every line
// orgd writes (the log goes to file descriptor 2), then no secret, password or token used during
// the run may appear in it, raw or in any encoding a request carried it in.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "auth/jwt.h"
#include "tests/support/form_encode.h"
#include "tests/support/test_server.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

// Sends everything written to file descriptor 2 to a file until destroyed.
class StderrCapture {
 public:
  StderrCapture() {
    static std::atomic<int> counter{0};
    path_ = (std::filesystem::temp_directory_path() /
             ("orgd-log-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)))
                .string();
    std::fflush(stderr);
    saved_ = ::dup(STDERR_FILENO);
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
  }
  ~StderrCapture() {
    Stop();
    std::filesystem::remove(path_);
  }
  // Restores stderr and returns what was written.
  std::string Stop() {
    if (saved_ >= 0) {
      std::fflush(stderr);
      ::dup2(saved_, STDERR_FILENO);
      ::close(saved_);
      saved_ = -1;
    }
    std::ifstream in(path_);
    return std::string((std::istreambuf_iterator<char>(in)), {});
  }

 private:
  std::string path_;
  int saved_ = -1;
};

// Every form in which `secret` travelled or could be logged: as is, form/URL-encoded, base64
// and base64url (Basic headers, tokens), and JSON-escaped.
std::vector<std::string> Forms(const std::string& secret) {
  std::string json = Json(secret).dump();
  return {secret,
          FormEncode(secret),
          auth::Base64Encode(secret),
          auth::Base64UrlEncode(secret),
          json.substr(1, json.size() - 2)};
}

class LogsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(LogsTest, AFullRunLogsNoSecretPasswordOrToken) {
  StderrCapture capture;
  std::set<std::string> secrets = {kAdminSecret, kTestKek};
  auto server = std::make_unique<TestServer>(GetParam(), TestServerOptions{.log_requests = true});
  const Headers form = {{"Content-Type", "application/x-www-form-urlencoded"}};
  auto basic = [&](const std::string& id, const std::string& secret) {
    const std::string value = auth::Base64Encode(id + ":" + secret);
    secrets.insert(value);
    Headers h = form;
    h.emplace_back("Authorization", "Basic " + value);
    return h;
  };
  auto bearer = [](const std::string& token) { return Headers{{"Authorization", "Bearer " + token}}; };
  const std::string logto_target = "&resource=https%3A%2F%2Fdefault.logto.app%2Fapi&scope=all";
  const std::string kinde_target = "&audience=" + FormEncode(server->public_url() + "/api");
  std::vector<std::string> tokens;
  auto take_token = [&](const HttpResponse& res) {
    EXPECT_EQ(res.status, 200) << res.body;
    tokens.push_back(res.json.value("access_token", ""));
    return tokens.back();
  };

  // Clients: one created (its secret printed once, to the caller, not the log), then rotated.
  auto [id, secret] = server->CreateClient({});
  secrets.insert(secret);
  // Tokens from both endpoints, secrets in the form and in Basic headers.
  const std::string cred = "grant_type=client_credentials&client_id=" + id + "&client_secret=";
  take_token(server->Send("POST", "/oidc/token", cred + FormEncode(secret) + logto_target, form));
  take_token(server->Send("POST", "/oauth2/token", cred + FormEncode(secret) + kinde_target, form));
  const std::string logto = take_token(server->Send(
      "POST", "/oidc/token", "grant_type=client_credentials" + logto_target, basic(id, secret)));
  const std::string kinde = take_token(server->Send(
      "POST", "/oauth2/token", "grant_type=client_credentials" + kinde_target, basic(id, secret)));
  tokens.push_back(server->LogtoToken());
  tokens.push_back(server->KindeToken());

  // Failures: wrong secrets (form and Basic), a secret in the query string, malformed forms.
  const std::string wrong = "wrong-secret-Zq81xKpw3mNv";
  secrets.insert(wrong);
  EXPECT_EQ(server->Send("POST", "/oidc/token", cred + wrong + logto_target, form).status, 401);
  EXPECT_EQ(server->Send("POST", "/oauth2/token", "grant_type=client_credentials" + kinde_target,
                         basic(id, wrong))
                .status,
            401);
  EXPECT_EQ(server->Send("POST", "/oidc/token?client_id=" + id + "&client_secret=" + wrong, "", form)
                .status,
            400);
  EXPECT_EQ(server->Send("POST", "/oauth2/token", cred + wrong + "&client_secret=" + wrong, form)
                .status,
            400);

  // Users with passwords, in both dialects' bodies.
  const std::string password = "Pa55w0rd-Lk2hVr9xQe";
  secrets.insert(password);
  auto user = server->Send("POST", "/api/users",
                           Json{{"username", "logs_user"}, {"password", password}}.dump(),
                           {{"Authorization", "Bearer " + logto}, {"Content-Type", "application/json"}});
  EXPECT_EQ(user.status, 200) << user.body;
  // Logto also takes a password digest (a legacy hash) on create.
  const std::string digest = "$2a$10$Qm9vZ3VzRGlnZXN0U2VjcmV0VmFsdWVIZXJlMTIzNDU2Nzg5";
  secrets.insert(digest);
  auto digest_user = server->Send(
      "POST", "/api/users",
      Json{{"username", "logs_user2"}, {"passwordDigest", digest}, {"passwordAlgorithm", "Bcrypt"}}
          .dump(),
      {{"Authorization", "Bearer " + logto}, {"Content-Type", "application/json"}});
  EXPECT_NE(digest_user.status, 500) << digest_user.body;
  // A password in a body that fails validation.
  EXPECT_EQ(server->Send("POST", "/api/users", Json{{"username", 5}, {"password", password}}.dump(),
                         {{"Authorization", "Bearer " + logto}, {"Content-Type", "application/json"}})
                .status,
            400);

  // Requests with bearer tokens, good and bad, in both dialects.
  EXPECT_EQ(server->Send("GET", "/api/organizations", "", bearer(logto)).status, 200);
  EXPECT_EQ(server->Send("GET", "/api/v1/organizations", "", bearer(kinde)).status, 200);
  EXPECT_EQ(server->Send("GET", "/api/v1/organizations", "", bearer(logto)).status, 401);
  EXPECT_EQ(server->Send("GET", "/api/organizations", "", bearer(kinde)).status, 401);
  const std::string forged = logto.substr(0, logto.rfind('.') + 1) + "Zm9yZ2VkLXNpZ25hdHVyZQ";
  tokens.push_back(forged);
  EXPECT_EQ(server->Send("GET", "/api/organizations", "", bearer(forged)).status, 401);
  EXPECT_EQ(server->Send("GET", "/api/organizations?token=" + logto, "", bearer(logto)).status, 200);

  // Rotation: the new secret is shown once; the old tokens fail.
  const std::string fresh = server->RotateClientSecret(id);
  secrets.insert(fresh);
  EXPECT_EQ(server->Send("GET", "/api/organizations", "", bearer(logto)).status, 401);
  take_token(server->Send("POST", "/oauth2/token", cred + FormEncode(fresh) + kinde_target, form));
  server.reset();  // the stop lines too

  const std::string log = capture.Stop();
  // The capture worked: the access log and the start are in it.
  ASSERT_NE(log.find("\"msg\":\"request\""), std::string::npos) << log.substr(0, 2000);
  ASSERT_NE(log.find("/oidc/token"), std::string::npos);
  for (const auto& t : tokens) {
    ASSERT_FALSE(t.empty());
    secrets.insert(t);
    secrets.insert(t.substr(t.rfind('.') + 1));  // the signature alone
  }
  for (const auto& s : secrets) {
    for (const auto& form_of_s : Forms(s)) {
      EXPECT_EQ(log.find(form_of_s), std::string::npos)
          << "the log holds a secret (" << form_of_s.substr(0, 12) << "...)";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, LogsTest, ::testing::ValuesIn(AvailableBackends()), BackendName);

}  // namespace
}  // namespace orgd::testing
