#include "fuzz/fuzz_app.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/config.h"

namespace orgd::fuzz {
namespace {

constexpr const char* kClientId = "fuzz-admin";
constexpr const char* kClientSecret = "fuzz-admin-secret-0123456789";

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "fuzz setup failed: %s\n", what.c_str());
  std::abort();
}

// The string at json[key] (or json[key][inner]) of a 2xx answer; `fallback` otherwise.
std::string Field(const http::Response& response, const char* key, const char* inner = nullptr,
                  std::string fallback = "none") {
  if (response.status / 100 != 2) return fallback;
  auto json = nlohmann::json::parse(response.body, nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains(key)) return fallback;
  const auto& value = inner ? json[key][inner] : json[key];
  return value.is_string() ? value.get<std::string>() : fallback;
}

}  // namespace

FuzzApp& FuzzApp::Get() {
  static FuzzApp* instance = new FuzzApp();  // never destroyed: the fuzzer exits with it alive
  return *instance;
}

FuzzApp::FuzzApp() {
  app::Config config;
  config.listen_host = "127.0.0.1";
  config.listen_port = 0;
  config.threads = 1;
  config.log_requests = false;
  config.logto_test_mode = true;
  config.store.sqlite_path = ":memory:";
  config.bootstrap_client_id = kClientId;
  config.bootstrap_client_secret = kClientSecret;
  std::ostringstream out;
  auto built = app::App::Build(config, out);
  if (!built) Die(built.error().message);
  app_ = std::move(*built);
  app_->Start();

  auto token = Send("POST", "/oauth2/token",
                    std::string("grant_type=client_credentials&client_id=") + kClientId +
                        "&client_secret=" + kClientSecret + "&audience=" + app_->public_url() + "/api",
                    {{"Content-Type", "application/x-www-form-urlencoded"}}, false);
  if (token.status != 200) Die("token: " + token.body);
  // Migrations and setup log to stderr; the fuzzer's own output is what matters from here on.
  kinde_token_ = Field(token, "access_token");

  // A few entities, so that fuzzed requests can name things that exist.
  ids_.emplace_back("org", Field(Send("POST", "/api/organizations", R"({"name":"Fuzz"})", {}, true), "id"));
  ids_.emplace_back("kinde_org", Field(Send("POST", "/api/v1/organization", R"({"name":"Fuzz K"})", {}, true),
                                       "organization", "code"));
  ids_.emplace_back("user", Field(Send("POST", "/api/users", R"({"username":"fuzz_user","primaryEmail":"f@fuzz.example"})",
                                       {}, true),
                                  "id"));
  ids_.emplace_back("role", Field(Send("POST", "/api/organization-roles", R"({"name":"fuzz-role"})", {}, true), "id"));
  ids_.emplace_back("permission",
                    Field(Send("POST", "/api/organization-scopes", R"({"name":"fuzz:scope"})", {}, true), "id"));
  // The user joins the organization with the role, so member routes see a real member.
  Send("POST", "/api/organizations/" + id("org") + "/users", R"({"userIds":[")" + id("user") + R"("]})", {}, true);
}

const std::string& FuzzApp::id(std::string_view name) const {
  for (const auto& [key, value] : ids_) {
    if (key == name) return value;
  }
  static const std::string kNone = "none";
  return kNone;
}

http::Response FuzzApp::Send(std::string_view method, std::string_view target, std::string_view body,
                             std::vector<std::pair<std::string, std::string>> headers, bool authorize) {
  http::Request request;
  header_storage_ = std::move(headers);
  const bool kinde = target.starts_with("/api/v1/");
  if (authorize && kinde) header_storage_.emplace_back("Authorization", "Bearer " + kinde_token_);
  if (authorize && !kinde) header_storage_.emplace_back("development-user-id", "fuzz");
  std::string method_text(method);
  request.method = http::ParseMethod(method_text);
  request.method_text = method_text;
  http::SetTarget(request, target);
  request.body.assign(body);
  bool has_type = false;
  for (const auto& header : header_storage_) has_type |= header.first == "Content-Type";
  if (!has_type && !body.empty()) header_storage_.emplace_back("Content-Type", "application/json");
  // Views into header_storage_, which does not change until the next call.
  for (const auto& [name, value] : header_storage_) request.headers.emplace_back(name, value);
  return app_->HandleInProcess(request);
}

void CheckNoServerError(const http::Response& response, std::string_view what) {
  if (response.status == 500) {
    std::fprintf(stderr, "server error for %.*s: %s\n", static_cast<int>(what.size()), what.data(),
                 response.body.c_str());
    std::abort();
  }
}

}  // namespace orgd::fuzz
