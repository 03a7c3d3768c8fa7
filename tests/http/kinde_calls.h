#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/form_encode.h"
#include "tests/support/test_server.h"

// Helpers of the Kinde API suites (tests/http/kinde_*_test.cc).
namespace orgd::testing {

// The answer of POST /oauth2/token to client credentials of `client_id` for the Kinde API of
// `server` (every scope the client holds).
inline HttpResponse RequestKindeToken(TestServer& server, const std::string& client_id,
                                      const std::string& secret) {
  return server.Send("POST", "/oauth2/token",
                     "grant_type=client_credentials&client_id=" + FormEncode(client_id) +
                         "&client_secret=" + FormEncode(secret) +
                         "&audience=" + FormEncode(server.public_url() + "/api"),
                     {{"Content-Type", "application/x-www-form-urlencoded"}});
}

// A Kinde token of a new client of `server` holding exactly `scopes`; a failure of the test when
// it is refused.
inline std::string KindeTokenWith(TestServer& server, const std::vector<std::string>& scopes) {
  auto [id, secret] = server.CreateClient(scopes);
  HttpResponse res = RequestKindeToken(server, id, secret);
  EXPECT_EQ(res.status, 200) << res.body;
  return res.json["access_token"];
}

// The assertions on answers that Kinde suites share; a fixture inherits them.
struct KindeAssertions {
  // An error answer with this status whose first error has this code.
  static void ExpectError(const HttpResponse& res, int status, const std::string& code) {
    EXPECT_EQ(res.status, status) << res.body;
    ASSERT_TRUE(res.json.contains("errors")) << res.body;
    ASSERT_TRUE(res.json["errors"].is_array()) << res.body;
    EXPECT_EQ(res.json["errors"][0]["code"], code) << res.body;
  }
  // 200 with the success envelope.
  static void ExpectSuccess(const HttpResponse& res) {
    EXPECT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json, (nlohmann::json{{"code", "OK"}, {"message", "Success"}})) << res.body;
  }
};

}  // namespace orgd::testing
