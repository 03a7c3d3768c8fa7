// The Kinde dialect's connections and organization connections (contracts/kinde.md §3.13.7,
// §3.12), end to end, and their identity with the Logto SSO connectors.
#include <gtest/gtest.h>

#include <string>

#include "tests/http/connections_fixture.h"

namespace orgd::testing {
namespace {

class KindeConnectionsTest : public ::testing::TestWithParam<std::string> {
 protected:
  TestServer server_{GetParam()};
  ConnectionsFixture seed_{server_};

  void ExpectError(const HttpResponse& res, int status, const std::string& code) {
    EXPECT_EQ(res.status, status) << res.body;
    if (status == 404) {
      EXPECT_EQ(res.json["errors"].value("code", ""), code) << res.body;  // object form
    } else {
      ASSERT_TRUE(res.json["errors"].is_array()) << res.body;
      EXPECT_EQ(res.json["errors"][0].value("code", ""), code) << res.body;
    }
  }
  std::vector<std::string> ListIds(const std::string& query = "") {
    auto res = server_.Kinde("GET", "/api/v1/connections" + query);
    EXPECT_EQ(res.status, 200) << res.body;
    return ConnectionsFixture::Ids(res.json["connections"]);
  }
};

TEST_P(KindeConnectionsTest, CreateGetAndListShapes) {
  auto created = server_.Kinde("POST", "/api/v1/connections",
                               R"({"name":"okta","display_name":"Okta SSO","strategy":"saml:okta",
          "enabled_applications":["app1"],"options":{"home_realm_domains":["Acme.com"]}})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json["code"], "OK");
  EXPECT_EQ(created.json["message"], "Success");
  std::string id = created.json["connection"]["id"];
  ASSERT_EQ(id.size(), 37u);
  EXPECT_EQ(id.substr(0, 5), "conn_");
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef", 5), std::string::npos);

  auto got = server_.Kinde("GET", "/api/v1/connections/" + id);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json, (Json{{"code", "OK"},
                            {"message", "Success"},
                            {"connection",
                             {{"id", id},
                              {"name", "okta"},
                              {"display_name", "Okta SSO"},
                              {"strategy", "saml:okta"}}}}));
  auto list = server_.Kinde("GET", "/api/v1/connections");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json["has_more"], false);
  ASSERT_EQ(list.json["connections"].size(), 1u);
  EXPECT_EQ(list.json["connections"][0], got.json["connection"]);  // flat items
  ExpectError(server_.Kinde("GET", "/api/v1/connections/nope"), 400, "CONNECTION_NOT_FOUND");
}

TEST_P(KindeConnectionsTest, CreateErrorsCreateNothing) {
  seed_.KindeConnection("taken");
  ExpectError(server_.Kinde("POST", "/api/v1/connections",
                            R"({"display_name":"D","strategy":"saml:okta"})"),
              400, "NAME_REQUIRED");
  ExpectError(
      server_.Kinde("POST", "/api/v1/connections", R"({"name":"n","strategy":"saml:okta"})"), 400,
      "DISPLAY_NAME_REQUIRED");
  ExpectError(server_.Kinde("POST", "/api/v1/connections", R"({"name":"n","display_name":"D"})"),
              400, "STRATEGY_REQUIRED");
  ExpectError(server_.Kinde("POST", "/api/v1/connections",
                            R"({"name":"n","display_name":"D","strategy":"email:password"})"),
              400, "INVALID_STRATEGY");
  ExpectError(
      server_.Kinde(
          "POST", "/api/v1/connections",
          R"({"name":"n","display_name":"D","strategy":"saml:okta","organization_code":"org_nope"})"),
      400, "ORGANIZATION_NOT_FOUND");
  ExpectError(server_.Kinde("POST", "/api/v1/connections",
                            R"({"name":"taken","display_name":"D","strategy":"saml:okta"})"),
              400, "CONNECTION_NAME_EXISTS");
  ExpectError(
      server_.Kinde("POST", "/api/v1/connections",
                    R"({"name":"n","display_name":"D","strategy":"saml:okta","options":[]})"),
      400, "INVALID_OPTIONS");
  ExpectError(server_.Kinde("POST", "/api/v1/connections", "{bad"), 400, "INVALID_REQUEST_BODY");
  EXPECT_EQ(ListIds().size(), 1u);
}

TEST_P(KindeConnectionsTest, CursorPagingBothWaysAndDomainFilter) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    Json extra = {{"options", {{"home_realm_domains", {i == 1 ? "one.com" : "many.com"}}}}};
    ids.push_back(seed_.KindeConnection("c" + std::to_string(i), "saml:custom", extra));
  }
  // Ids are random, so creation order alone decides: the list order is the order of creation.
  auto all = ListIds();
  ASSERT_EQ(all.size(), 3u);
  auto first = server_.Kinde("GET", "/api/v1/connections?page_size=2");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.json["has_more"], true);
  ASSERT_EQ(first.json["connections"].size(), 2u);
  std::string second_id = first.json["connections"][1]["id"];
  auto rest = server_.Kinde("GET", "/api/v1/connections?page_size=2&starting_after=" + second_id);
  EXPECT_EQ(rest.json["has_more"], false);
  ASSERT_EQ(rest.json["connections"].size(), 1u);
  EXPECT_EQ(rest.json["connections"][0]["id"], all[2]);
  auto before = server_.Kinde("GET", "/api/v1/connections?page_size=1&ending_before=" + all[2]);
  EXPECT_EQ(ConnectionsFixture::Ids(before.json["connections"]), std::vector<std::string>{all[1]});
  EXPECT_EQ(before.json["has_more"], true);
  ExpectError(server_.Kinde("GET", "/api/v1/connections?starting_after=" + all[0] +
                                       "&ending_before=" + all[2]),
              400, "TOO_MANY_PARAMETERS");
  ExpectError(server_.Kinde("GET", "/api/v1/connections?starting_after=conn_nope"), 400,
              "INVALID_CURSOR");
  ExpectError(server_.Kinde("GET", "/api/v1/connections?page_size=0"), 400, "INVALID_PAGE_SIZE");
  EXPECT_EQ(ListIds("?home_realm_domain=ONE.com"), std::vector<std::string>{ids[1]});
  EXPECT_EQ(ListIds("?home_realm_domain=many.com").size(), 2u);
  EXPECT_TRUE(ListIds("?home_realm_domain=none.com").empty());
}

TEST_P(KindeConnectionsTest, PatchMergesOptionsAndPutReplaces) {
  std::string id = seed_.KindeConnection(
      "c", "saml:custom", {{"options", {{"a", 1}, {"home_realm_domains", {"x.com"}}}}});
  auto patched = server_.Kinde("PATCH", "/api/v1/connections/" + id,
                               R"({"display_name":"New","options":{"b":2}})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json, (Json{{"code", "OK"}, {"message", "Success"}}));
  // Options are never returned by this dialect; the Logto view of the same row shows them.
  auto logto = server_.Logto("GET", "/api/sso-connectors/" + id);
  ASSERT_EQ(logto.status, 200) << logto.body;
  EXPECT_EQ(logto.json["config"], (Json{{"a", 1}, {"b", 2}, {"home_realm_domains", {"x.com"}}}));
  EXPECT_EQ(logto.json["domains"], (Json{"x.com"}));
  EXPECT_EQ(logto.json["branding"]["displayName"], "New");
  EXPECT_EQ(ListIds("?home_realm_domain=x.com"), std::vector<std::string>{id});

  ExpectError(server_.Kinde("PATCH", "/api/v1/connections/" + id, R"({"strategy":"saml:okta"})"),
              400, "NO_FIELDS_TO_UPDATE");
  ExpectError(server_.Kinde("PATCH", "/api/v1/connections/conn_nope", R"({"name":"z"})"), 404,
              "CONNECTION_NOT_FOUND");
  seed_.KindeConnection("other");
  ExpectError(server_.Kinde("PATCH", "/api/v1/connections/" + id, R"({"name":"other"})"), 400,
              "CONNECTION_NAME_EXISTS");

  auto put = server_.Kinde("PUT", "/api/v1/connections/" + id,
                           R"({"name":"renamed","display_name":"R","options":{"c":3}})");
  ASSERT_EQ(put.status, 200) << put.body;
  logto = server_.Logto("GET", "/api/sso-connectors/" + id);
  EXPECT_EQ(logto.json["connectorName"], "renamed");
  EXPECT_EQ(logto.json["config"], (Json{{"c", 3}}));
  EXPECT_EQ(logto.json["domains"], Json::array());
  auto got = server_.Kinde("GET", "/api/v1/connections/" + id);
  EXPECT_EQ(got.json["connection"]["strategy"], "saml:custom");  // strategy cannot change
  ExpectError(server_.Kinde("PUT", "/api/v1/connections/" + id, R"({"name":"x"})"), 400,
              "DISPLAY_NAME_REQUIRED");
  ExpectError(
      server_.Kinde("PUT", "/api/v1/connections/conn_nope", R"({"name":"x","display_name":"y"})"),
      404, "CONNECTION_NOT_FOUND");
}

TEST_P(KindeConnectionsTest, DeleteAnswers200ThenNotFoundObject) {
  std::string id = seed_.KindeConnection("c");
  auto deleted = server_.Kinde("DELETE", "/api/v1/connections/" + id);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.json, (Json{{"code", "OK"}, {"message", "Success"}}));
  ExpectError(server_.Kinde("DELETE", "/api/v1/connections/" + id), 404, "CONNECTION_NOT_FOUND");
  EXPECT_TRUE(ListIds().empty());
}

TEST_P(KindeConnectionsTest, OrganizationConnections) {
  std::string org = seed_.KindeOrg();
  std::string id = seed_.KindeConnection("c");
  const std::string base = "/api/v1/organizations/" + org + "/connections";
  auto empty = server_.Kinde("GET", base);
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(empty.json, (Json{{"code", "OK"},
                              {"message", "Success"},
                              {"connections", Json::array()},
                              {"has_more", false}}));
  ExpectError(server_.Kinde("GET", "/api/v1/organizations/org_nope/connections"), 400,
              "ORGANIZATION_NOT_FOUND");
  ExpectError(server_.Kinde("POST", base + "/conn_nope"), 400, "CONNECTION_NOT_FOUND");
  ExpectError(server_.Kinde("POST", "/api/v1/organizations/org_nope/connections/" + id), 400,
              "ORGANIZATION_NOT_FOUND");
  ExpectError(server_.Kinde("DELETE", base + "/" + id), 400, "CONNECTION_NOT_ENABLED");

  auto enabled = server_.Kinde("POST", base + "/" + id);
  ASSERT_EQ(enabled.status, 200) << enabled.body;
  EXPECT_EQ(enabled.json, (Json{{"code", "OK"}, {"message", "Success"}}));
  EXPECT_EQ(server_.Kinde("POST", base + "/" + id).status, 200);  // twice is success
  auto listed = server_.Kinde("GET", base);
  ASSERT_EQ(listed.json["connections"].size(), 1u);
  EXPECT_EQ(
      listed.json["connections"][0],
      (Json{{"id", id}, {"name", "c"}, {"display_name", "Display c"}, {"strategy", "saml:okta"}}));
  ExpectError(server_.Kinde("DELETE", base + "/conn_nope"), 400, "CONNECTION_NOT_FOUND");
  ExpectError(server_.Kinde("DELETE", "/api/v1/organizations/org_nope/connections/" + id), 400,
              "ORGANIZATION_NOT_FOUND");
  EXPECT_EQ(server_.Kinde("DELETE", base + "/" + id).status, 200);
  EXPECT_EQ(server_.Kinde("GET", base).json["connections"], Json::array());

  // Created with organization_code: enabled for that organization at once.
  std::string auto_enabled =
      seed_.KindeConnection("enterprise", "saml:microsoft", {{"organization_code", org}});
  EXPECT_EQ(ConnectionsFixture::Ids(server_.Kinde("GET", base).json["connections"]),
            std::vector<std::string>{auto_enabled});
}

TEST_P(KindeConnectionsTest, OneConceptAcrossDialects) {
  std::string logto_id = seed_.Connector("Logto SAML", "SAML", {"corp.com"});
  ASSERT_EQ(server_.Logto("GET", "/api/sso-connectors/" + logto_id).status, 200);
  auto as_kinde = server_.Kinde("GET", "/api/v1/connections/" + logto_id);
  ASSERT_EQ(as_kinde.status, 200) << as_kinde.body;
  EXPECT_EQ(as_kinde.json["connection"], (Json{{"id", logto_id},
                                               {"name", "Logto SAML"},
                                               {"display_name", nullptr},
                                               {"strategy", "saml:custom"}}));
  EXPECT_EQ(ListIds("?home_realm_domain=corp.com"), std::vector<std::string>{logto_id});

  std::string kinde_id = seed_.KindeConnection("Kinde Google", "oauth2:google");
  auto as_logto = server_.Logto("GET", "/api/sso-connectors/" + kinde_id);
  ASSERT_EQ(as_logto.status, 200) << as_logto.body;
  EXPECT_EQ(as_logto.json["providerName"], "GoogleWorkspace");
  EXPECT_EQ(as_logto.json["connectorName"], "Kinde Google");
  EXPECT_EQ(as_logto.json["branding"], (Json{{"displayName", "Display Kinde Google"}}));

  // Organization links are shared: enabled in Kinde, listed as a Logto JIT SSO connector.
  std::string org = seed_.LogtoOrg();
  ASSERT_EQ(
      server_.Kinde("POST", "/api/v1/organizations/" + org + "/connections/" + kinde_id).status,
      200);
  auto jit = server_.Logto("GET", "/api/organizations/" + org + "/jit/sso-connectors");
  EXPECT_EQ(ConnectionsFixture::Ids(jit.json), std::vector<std::string>{kinde_id});
  ASSERT_EQ(server_.Logto("DELETE", "/api/organizations/" + org + "/jit/sso-connectors/" + kinde_id)
                .status,
            204);
  EXPECT_EQ(
      server_.Kinde("GET", "/api/v1/organizations/" + org + "/connections").json["connections"],
      Json::array());
}

TEST_P(KindeConnectionsTest, RoutesRequireTheirScopes) {
  std::string token = server_.KindeToken("read:connections");
  auto auth = [&](const std::string& method, const std::string& path, const std::string& body) {
    return server_.client().Send(method, path, body, {{"Authorization", "Bearer " + token}});
  };
  EXPECT_EQ(auth("GET", "/api/v1/connections", "").status, 200);
  auto denied = auth("POST", "/api/v1/connections",
                     R"({"name":"n","display_name":"D","strategy":"saml:okta"})");
  ExpectError(denied, 403, "FORBIDDEN");
  EXPECT_EQ(denied.json["errors"][0]["message"], "Missing required scope: create:connections");
  ExpectError(auth("GET", "/api/v1/organizations/org_x/connections", ""), 403, "FORBIDDEN");
  EXPECT_TRUE(ListIds().empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, KindeConnectionsTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);

}  // namespace
}  // namespace orgd::testing
