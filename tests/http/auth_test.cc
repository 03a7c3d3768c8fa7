// Token endpoints and authentication of the Management API in both dialects
// (contracts/logto.md §1.2–1.3, contracts/kinde.md §1.2–1.3).
#include <gtest/gtest.h>

#include <string>

#include "auth/jwt.h"
#include "common/clock.h"
#include "tests/support/test_server.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;

const std::vector<std::pair<std::string, std::string>> kForm = {
    {"Content-Type", "application/x-www-form-urlencoded"}};

Json Payload(const std::string& jwt) {
  size_t a = jwt.find('.'), b = jwt.find('.', a + 1);
  auto decoded = auth::Base64UrlDecode(jwt.substr(a + 1, b - a - 1));
  return Json::parse(decoded.value_or("null"));
}

class AuthTest : public ::testing::TestWithParam<std::string> {
 protected:
  TestServer server_{GetParam()};

  HttpResponse LogtoToken(const std::string& form,
                          std::vector<std::pair<std::string, std::string>> headers = kForm) {
    return server_.Send("POST", "/oidc/token", form, headers);
  }
  HttpResponse KindeToken(const std::string& form) {
    return server_.Send("POST", "/oauth2/token", form, kForm);
  }
  std::string Creds() { return std::string("client_id=") + kAdminId + "&client_secret=" + kAdminSecret; }
  std::string KindeAudience() { return "&audience=" + http_encode(server_.public_url() + "/api"); }
  static std::string http_encode(const std::string& s) {
    std::string out;
    for (char c : s) {
      if (c == ':') out += "%3A";
      else if (c == '/') out += "%2F";
      else out += c;
    }
    return out;
  }
};

TEST_P(AuthTest, LogtoTokenSuccess) {
  auto res = LogtoToken("grant_type=client_credentials&" + Creds() +
                        "&resource=https%3A%2F%2Fdefault.logto.app%2Fapi&scope=all");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.Header("cache-control"), "no-store");
  EXPECT_EQ(res.json["token_type"], "Bearer");
  EXPECT_EQ(res.json["expires_in"], 3600);
  EXPECT_EQ(res.json["scope"], "all");
  Json claims = Payload(res.json["access_token"]);
  EXPECT_EQ(claims["iss"], server_.public_url() + "/oidc");
  EXPECT_EQ(claims["aud"], "https://default.logto.app/api");
  EXPECT_EQ(claims["sub"], kAdminId);
  EXPECT_EQ(claims["scope"], "all");
  EXPECT_EQ(claims["exp"].get<int64_t>() - claims["iat"].get<int64_t>(), 3600);
}

TEST_P(AuthTest, LogtoTokenWithBasicAuthAndPublicIndicator) {
  std::string basic = auth::Base64Encode(std::string(kAdminId) + ":" + kAdminSecret);
  auto res = LogtoToken("grant_type=client_credentials&resource=" + http_encode(server_.public_url() + "/api") +
                            "&scope=all",
                        {{"Content-Type", "application/x-www-form-urlencoded"}, {"Authorization", "Basic " + basic}});
  ASSERT_EQ(res.status, 200) << res.body;
  auto api = server_.Send("GET", "/api/organizations", "",
                          {{"Authorization", "Bearer " + res.json["access_token"].get<std::string>()}});
  EXPECT_EQ(api.status, 200);
}

TEST_P(AuthTest, LogtoTokenErrors) {
  std::string resource = "&resource=https%3A%2F%2Fdefault.logto.app%2Fapi";
  struct Case {
    std::string form;
    int status;
    const char* error;
  };
  for (const Case& c : std::vector<Case>{
           {Creds() + resource + "&scope=all", 400, "invalid_request"},
           {"grant_type=password&" + Creds() + resource, 400, "unsupported_grant_type"},
           {"grant_type=client_credentials&client_id=test-admin&client_secret=wrong" + resource, 401,
            "invalid_client"},
           {"grant_type=client_credentials&client_id=nobody&client_secret=x" + resource, 401, "invalid_client"},
           {"grant_type=client_credentials" + resource, 401, "invalid_client"},
           {"grant_type=client_credentials&" + Creds() + "&scope=all", 400, "invalid_target"},
           {"grant_type=client_credentials&" + Creds() + "&resource=https%3A%2F%2Fother%2Fapi", 400,
            "invalid_target"},
           {"grant_type=client_credentials&" + Creds() + resource + "&scope=read", 400, "invalid_scope"},
           {"grant_type=client_credentials&" + Creds() + resource + "&organization_id=o1", 400,
            "invalid_request"},
       }) {
    auto res = LogtoToken(c.form);
    EXPECT_EQ(res.status, c.status) << c.form << " → " << res.body;
    EXPECT_EQ(res.json["error"], c.error) << c.form;
    EXPECT_TRUE(res.json["error_description"].is_string()) << c.form;
  }
}

TEST_P(AuthTest, LogtoTokenWithoutScopeIsForbiddenOnTheApi) {
  auto res = LogtoToken("grant_type=client_credentials&" + Creds() + "&resource=https%3A%2F%2Fdefault.logto.app%2Fapi");
  ASSERT_EQ(res.status, 200);
  EXPECT_EQ(res.json["scope"], "");
  auto api = server_.Send("GET", "/api/organizations", "",
                          {{"Authorization", "Bearer " + res.json["access_token"].get<std::string>()}});
  EXPECT_EQ(api.status, 403);
  EXPECT_EQ(api.json["code"], "auth.forbidden");
}

TEST_P(AuthTest, LogtoAuthFailures) {
  auto res = server_.Send("GET", "/api/organizations");
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(res.json["code"], "auth.authorization_header_missing");
  EXPECT_EQ(res.json["message"], "Authorization header is missing.");

  res = server_.Send("GET", "/api/organizations", "", {{"Authorization", "Basic abc"}});
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(res.json["code"], "auth.authorization_token_type_not_supported");
  EXPECT_EQ(res.json["data"], (Json{{"supportedTypes", {"Bearer"}}}));

  for (const std::string& token :
       {std::string("garbage"), std::string("a.b.c"),
        // alg:none with a plausible payload
        auth::Base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." +
            auth::Base64UrlEncode(R"({"iss":"x","sub":"test-admin","scope":"all","exp":9999999999})") + ".",
        server_.KindeToken()}) {
    res = server_.Send("GET", "/api/organizations", "", {{"Authorization", "Bearer " + token}});
    EXPECT_EQ(res.status, 401) << token;
    EXPECT_EQ(res.json["code"], "auth.unauthorized") << token;
  }

  std::string good = server_.LogtoToken();
  std::string tampered = good;
  size_t dot = tampered.find('.');
  tampered[dot + 3] = tampered[dot + 3] == 'A' ? 'B' : 'A';
  res = server_.Send("GET", "/api/organizations", "", {{"Authorization", "Bearer " + tampered}});
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(res.json["code"], "auth.unauthorized");
}

TEST_P(AuthTest, KindeTokenSuccessAndClaims) {
  auto res = KindeToken("grant_type=client_credentials&scope=&" + Creds() + KindeAudience());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json["expires_in"], 86399);
  EXPECT_EQ(res.json["scope"], "");
  EXPECT_EQ(res.json["token_type"], "Bearer");
  Json claims = Payload(res.json["access_token"]);
  std::string audience = server_.public_url() + "/api";
  EXPECT_EQ(claims["aud"], (Json{audience, "https://" + audience}));
  EXPECT_EQ(claims["iss"], server_.public_url());
  EXPECT_EQ(claims["azp"], kAdminId);
  EXPECT_EQ(claims["gty"], (Json{"client_credentials"}));
  EXPECT_EQ(claims["scp"], Json::array());
  EXPECT_EQ(claims["v"], "2");
  EXPECT_NE(claims["scope"].get<std::string>().find("read:organizations"), std::string::npos);

  res = KindeToken("grant_type=client_credentials&scope=read%3Aorganizations&" + Creds() + KindeAudience());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json["scope"], "read:organizations");
  claims = Payload(res.json["access_token"]);
  EXPECT_EQ(claims["scp"], (Json{"read:organizations"}));
  std::string token = res.json["access_token"];
  auto get = server_.Send("GET", "/api/v1/organizations", "", {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(get.status, 200);
  auto post = server_.Send("POST", "/api/v1/organization", R"({"name":"x"})", {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(post.status, 403);
  EXPECT_EQ(post.json, (Json{{"errors", {{{"code", "FORBIDDEN"},
                                           {"message", "Missing required scope: create:organizations"}}}}}));
}

TEST_P(AuthTest, KindeTokenErrors) {
  struct Case {
    std::string form;
    int status;
    const char* error;
  };
  for (const Case& c : std::vector<Case>{
           {Creds() + KindeAudience(), 400, "invalid_request"},
           {"grant_type=authorization_code&" + Creds() + KindeAudience(), 400, "unsupported_grant_type"},
           {"grant_type=client_credentials&client_id=test-admin&client_secret=bad" + KindeAudience(), 401,
            "invalid_client"},
           {"grant_type=client_credentials&" + Creds(), 400, "invalid_request"},
           {"grant_type=client_credentials&" + Creds() + "&audience=https%3A%2F%2Fx.test%2Fother", 400,
            "invalid_request"},
           {"grant_type=client_credentials&" + Creds() + KindeAudience() + "&scope=launch%3Amissiles", 400,
            "invalid_scope"},
       }) {
    auto res = KindeToken(c.form);
    EXPECT_EQ(res.status, c.status) << c.form << " → " << res.body;
    EXPECT_EQ(res.json["error"], c.error) << c.form;
  }
}

TEST_P(AuthTest, KindeAuthFailures) {
  const Json unauthorized = {{"errors", {{{"code", "UNAUTHORIZED"}, {"message", "Invalid or missing access token"}}}}};
  auto res = server_.Send("GET", "/api/v1/organizations");
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(res.json, unauthorized);
  res = server_.Send("GET", "/api/v1/organizations", "", {{"Authorization", "Bearer undefined"}});
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(res.json, unauthorized);
  res = server_.Send("GET", "/api/v1/organizations", "", {{"Authorization", "Bearer " + server_.LogtoToken()}});
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(res.json, unauthorized);
}

TEST_P(AuthTest, ScopedClientOnlyGetsItsScopes) {
  auto [id, secret] = server_.CreateClient({"read:organizations"});
  auto res = KindeToken("grant_type=client_credentials&client_id=" + id + "&client_secret=" + secret +
                        KindeAudience());
  ASSERT_EQ(res.status, 200);
  Json claims = Payload(res.json["access_token"]);
  EXPECT_EQ(claims["scope"], "read:organizations");
  res = KindeToken("grant_type=client_credentials&client_id=" + id + "&client_secret=" + secret +
                   KindeAudience() + "&scope=create%3Aorganizations");
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(res.json["error"], "invalid_scope");
  res = LogtoToken("grant_type=client_credentials&client_id=" + id + "&client_secret=" + secret +
                   "&resource=https%3A%2F%2Fdefault.logto.app%2Fapi&scope=all");
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(res.json["error"], "invalid_scope");
}

TEST_P(AuthTest, JwksPublishesTheSigningKey) {
  auto res = server_.Send("GET", "/oidc/jwks");
  ASSERT_EQ(res.status, 200);
  ASSERT_EQ(res.json["keys"].size(), 1u);
  const Json& key = res.json["keys"][0];
  EXPECT_EQ(key["kty"], "RSA");
  EXPECT_EQ(key["alg"], "RS256");
  EXPECT_EQ(key["use"], "sig");
  EXPECT_EQ(server_.Send("GET", "/.well-known/jwks.json").json, res.json);
  std::string token = server_.LogtoToken();
  auto header = auth::Base64UrlDecode(token.substr(0, token.find('.')));
  EXPECT_EQ(Json::parse(*header)["kid"], key["kid"]);
  EXPECT_FALSE(key.contains("d"));
}

// Tokens expire on time in both dialects, cached or not.
TEST_P(AuthTest, ExpiredTokensAreRejected) {
  FakeClock clock(SystemClock().NowMillis());
  TestServer server(GetParam(), {.clock = &clock});
  std::string logto = server.LogtoToken();
  std::string kinde = server.KindeToken();
  auto use = [&](const std::string& path, const std::string& token) {
    return server.Send("GET", path, "", {{"Authorization", "Bearer " + token}});
  };
  EXPECT_EQ(use("/api/organizations", logto).status, 200);  // now cached
  EXPECT_EQ(use("/api/v1/organizations", kinde).status, 200);
  clock.Advance(3601 * 1000);
  auto res = use("/api/organizations", logto);
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(res.json["code"], "auth.unauthorized");
  EXPECT_EQ(use("/api/v1/organizations", kinde).status, 200);  // Kinde tokens live 86399 s
  clock.Advance(86399 * 1000);
  res = use("/api/v1/organizations", kinde);
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(res.json["errors"][0]["code"], "UNAUTHORIZED");
}

INSTANTIATE_TEST_SUITE_P(Backends, AuthTest, ::testing::ValuesIn(AvailableBackends()), BackendName);

}  // namespace
}  // namespace orgd::testing
