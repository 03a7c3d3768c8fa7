// One table, both views: an organization written through one dialect is read, updated and deleted
// through the other (DESIGN.md "One core, two dialects").
#include <gtest/gtest.h>

#include "tests/support/test_server.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;

class CrossDialectTest : public ::testing::TestWithParam<std::string> {
 protected:
  TestServer server_{GetParam()};
};

TEST_P(CrossDialectTest, LogtoOrganizationIsAKindeOrganization) {
  auto created = server_.Logto("POST", "/api/organizations", R"({"name":"Made in Logto","isMfaRequired":true})");
  ASSERT_EQ(created.status, 201);
  std::string id = created.json["id"];
  auto kinde = server_.Kinde("GET", "/api/v1/organization?code=" + id);
  ASSERT_EQ(kinde.status, 200) << kinde.body;
  EXPECT_EQ(kinde.json["code"], id);
  EXPECT_EQ(kinde.json["name"], "Made in Logto");

  auto patched = server_.Kinde("PATCH", "/api/v1/organization/" + id, R"({"name":"Renamed in Kinde"})");
  ASSERT_EQ(patched.status, 200);
  auto logto = server_.Logto("GET", "/api/organizations/" + id);
  EXPECT_EQ(logto.json["name"], "Renamed in Kinde");
  EXPECT_EQ(logto.json["isMfaRequired"], true);
  EXPECT_EQ(logto.json["createdAt"], created.json["createdAt"]);

  auto list = server_.Kinde("GET", "/api/v1/organizations");
  ASSERT_EQ(list.json["organizations"].size(), 1u);
  EXPECT_EQ(list.json["organizations"][0]["code"], id);

  ASSERT_EQ(server_.Kinde("DELETE", "/api/v1/organization/" + id).status, 200);
  EXPECT_EQ(server_.Logto("GET", "/api/organizations/" + id).status, 404);
}

TEST_P(CrossDialectTest, KindeOrganizationIsALogtoOrganization) {
  auto created = server_.Kinde("POST", "/api/v1/organization", R"({"name":"Made in Kinde","handle":"mk"})");
  ASSERT_EQ(created.status, 200);
  std::string code = created.json["organization"]["code"];
  auto logto = server_.Logto("GET", "/api/organizations/" + code);
  ASSERT_EQ(logto.status, 200) << logto.body;
  EXPECT_EQ(logto.json["id"], code);
  EXPECT_EQ(logto.json["name"], "Made in Kinde");
  EXPECT_EQ(logto.json["customData"], Json::object());

  auto patched = server_.Logto("PATCH", "/api/organizations/" + code, R"({"description":"from logto"})");
  ASSERT_EQ(patched.status, 200);
  EXPECT_EQ(patched.json["description"], "from logto");
  auto kinde = server_.Kinde("GET", "/api/v1/organization?code=" + code);
  EXPECT_EQ(kinde.json["handle"], "mk");

  auto search = server_.Logto("GET", "/api/organizations?q=made%20in");
  ASSERT_EQ(search.json.size(), 1u);
  EXPECT_EQ(search.json[0]["id"], code);

  ASSERT_EQ(server_.Logto("DELETE", "/api/organizations/" + code).status, 204);
  EXPECT_EQ(server_.Kinde("GET", "/api/v1/organization?code=" + code).status, 400);
}

INSTANTIATE_TEST_SUITE_P(Backends, CrossDialectTest, ::testing::ValuesIn(AvailableBackends()), BackendName);

}  // namespace
}  // namespace orgd::testing
