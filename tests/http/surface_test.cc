// What every route shares: probes, request ids, unknown routes, wrong methods, body limits.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/test_server.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;

class SurfaceTest : public ::testing::TestWithParam<std::string> {
 protected:
  TestServer server_{GetParam()};
};

TEST_P(SurfaceTest, Probes) {
  auto res = server_.Send("GET", "/healthz");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.json, (Json{{"status", "ok"}}));
  res = server_.Send("GET", "/readyz");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.json, (Json{{"status", "ready"}}));
}

TEST_P(SurfaceTest, EveryResponseHasARequestId) {
  auto a = server_.Send("GET", "/healthz");
  auto b = server_.Send("GET", "/nowhere");
  auto c = server_.Logto("GET", "/api/organizations/x");
  for (const auto* res : {&a, &b, &c}) EXPECT_FALSE(res->Header("x-request-id").empty());
  EXPECT_NE(a.Header("x-request-id"), b.Header("x-request-id"));
  auto echoed = server_.Send("GET", "/healthz", "", {{"X-Request-Id", "trace-123.abc"}});
  EXPECT_EQ(echoed.Header("x-request-id"), "trace-123.abc");
}

TEST_P(SurfaceTest, LogtoUnknownPathAndWrongMethod) {
  auto res = server_.Send("GET", "/api/nothing-here");
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.body, "Not Found");
  EXPECT_EQ(res.Header("content-type").rfind("text/plain", 0), 0u);
  res = server_.Send("PUT", "/api/organizations");
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.reason, "Method Not Allowed");
  EXPECT_EQ(res.body, "Method Not Allowed");
  EXPECT_EQ(res.Header("allow"), "GET, POST");
}

TEST_P(SurfaceTest, OversizedBodyIs413) {
  std::string big = R"({"name":")" + std::string((1 << 20) + 10, 'a') + R"("})";
  auto res = server_.Logto("POST", "/api/organizations", big);
  EXPECT_EQ(res.status, 413);
  EXPECT_EQ(res.json["code"], "request.entity_too_large");
  res = server_.Kinde("POST", "/api/v1/organization", big);
  EXPECT_EQ(res.status, 413);
  EXPECT_EQ(res.json["errors"][0]["code"], "REQUEST_TOO_LARGE");
  // Nothing was created, and the server still answers.
  EXPECT_EQ(server_.Logto("GET", "/api/organizations").json, Json::array());
}

TEST_P(SurfaceTest, PathParametersArePercentDecoded) {
  auto created = server_.Logto("POST", "/api/organizations", R"({"name":"x"})");
  std::string id = created.json["id"];
  std::string encoded;
  for (char c : id) {
    char buf[4];
    std::snprintf(buf, sizeof(buf), "%%%02X", static_cast<unsigned char>(c));
    encoded += buf;
  }
  auto res = server_.Logto("GET", "/api/organizations/" + encoded);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.json["id"], id);
}

INSTANTIATE_TEST_SUITE_P(Backends, SurfaceTest, ::testing::ValuesIn(AvailableBackends()), BackendName);

}  // namespace
}  // namespace orgd::testing
