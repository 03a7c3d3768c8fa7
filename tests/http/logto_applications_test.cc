// The Logto dialect's applications (contracts/logto.md §3.9.2, shape §2.6) and organization
// applications with their roles (§3.4, §1.6, §4).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/http/ticking_clock.h"
#include "tests/support/test_server.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;
using V = std::vector<std::string>;

class LogtoApplicationsTest : public ::testing::TestWithParam<std::string> {
 protected:
  TickingClock clock_;
  TestServer server_{GetParam(), {.clock = &clock_}};

  Json CreateApp(const std::string& name, const std::string& type = "MachineToMachine") {
    auto res =
        server_.Logto("POST", "/api/applications", Json{{"name", name}, {"type", type}}.dump());
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json;
  }
  std::string CreateOrg(const std::string& name = "Acme") {
    auto res = server_.Logto("POST", "/api/organizations", Json{{"name", name}}.dump());
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json["id"];
  }
  Json CreateRole(const std::string& name, const std::string& type = "MachineToMachine") {
    auto res = server_.Logto("POST", "/api/organization-roles",
                             Json{{"name", name}, {"type", type}}.dump());
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json;
  }
  HttpResponse AddApps(const std::string& org, const V& ids) {
    return server_.Logto("POST", "/api/organizations/" + org + "/applications",
                         Json{{"applicationIds", ids}}.dump());
  }
  Json OrgApps(const std::string& org, const std::string& query = "") {
    auto res = server_.Logto("GET", "/api/organizations/" + org + "/applications" + query);
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json;
  }
  V OrgAppNames(const std::string& org) {
    V names;
    for (const auto& a : OrgApps(org)) names.push_back(a["name"]);
    return names;
  }
  std::string RolesPath(const std::string& org, const std::string& app) {
    return "/api/organizations/" + org + "/applications/" + app + "/roles";
  }
  V AppRoleNames(const std::string& org, const std::string& app) {
    auto res = server_.Logto("GET", RolesPath(org, app));
    EXPECT_EQ(res.status, 200) << res.body;
    V names;
    for (const auto& r : res.json) names.push_back(r["name"]);
    return names;
  }
  static void ExpectCode(const HttpResponse& res, int status, const std::string& code) {
    EXPECT_EQ(res.status, status) << res.body;
    EXPECT_EQ(res.json["code"], code) << res.body;
  }
};

TEST_P(LogtoApplicationsTest, CreateReturns200WithTheApplicationShape) {
  auto res =
      server_.Logto("POST", "/api/applications",
                    R"({"name":"Bot","type":"MachineToMachine","tenantId":"x","secret":"s"})");
  ASSERT_EQ(res.status, 200) << res.body;
  const std::string id = res.json["id"];
  EXPECT_EQ(id.size(), 21u);
  ASSERT_TRUE(res.json["createdAt"].is_number_integer());
  EXPECT_EQ(res.json,
            (Json{{"tenantId", "default"},
                  {"id", id},
                  {"name", "Bot"},
                  {"description", nullptr},
                  {"type", "MachineToMachine"},
                  {"oidcClientMetadata",
                   {{"redirectUris", Json::array()}, {"postLogoutRedirectUris", Json::array()}}},
                  {"customClientMetadata", Json::object()},
                  {"protectedAppMetadata", nullptr},
                  {"customData", Json::object()},
                  {"isThirdParty", false},
                  {"appLevelAccessControlEnabled", false},
                  {"createdAt", res.json["createdAt"]}}));
  auto got = server_.Logto("GET", "/api/applications/" + id);
  ASSERT_EQ(got.status, 200);
  Json expected = res.json;
  expected["isAdmin"] = false;
  EXPECT_EQ(got.json, expected);
}

TEST_P(LogtoApplicationsTest, CreateKeepsKnownMetadataAndDropsUnknownKeys) {
  auto res = server_.Logto("POST", "/api/applications", R"({
    "name":"Web","type":"Traditional","description":"Site","isThirdParty":true,
    "oidcClientMetadata":{"redirectUris":["https://a.example/cb"],"postLogoutRedirectUris":[],
                          "logoUri":"https://a.example/logo.png","junk":1},
    "customClientMetadata":{"idTokenTtl":600,"corsAllowedOrigins":["https://a.example"],"junk":2},
    "customData":{"any":{"thing":[1,2]}}})");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json["description"], "Site");
  EXPECT_EQ(res.json["isThirdParty"], true);
  EXPECT_EQ(res.json["oidcClientMetadata"], (Json{{"redirectUris", {"https://a.example/cb"}},
                                                  {"postLogoutRedirectUris", Json::array()},
                                                  {"logoUri", "https://a.example/logo.png"}}));
  EXPECT_EQ(res.json["customClientMetadata"],
            (Json{{"idTokenTtl", 600}, {"corsAllowedOrigins", {"https://a.example"}}}));
  EXPECT_EQ(res.json["customData"], (Json{{"any", {{"thing", {1, 2}}}}}));
}

TEST_P(LogtoApplicationsTest, CreateTypeRulesHaveTheirOwnCodes) {
  ExpectCode(server_.Logto("POST", "/api/applications", R"({"name":"s","type":"SAML"})"), 400,
             "application.saml.use_saml_app_api");
  ExpectCode(server_.Logto("POST", "/api/applications",
                           R"({"name":"m","type":"MachineToMachine","isThirdParty":true})"),
             400, "application.invalid_third_party_application_type");
  ExpectCode(server_.Logto("POST", "/api/applications", R"({"name":"p","type":"Protected"})"), 400,
             "application.protected_app_metadata_is_required");
  auto protected_app = server_.Logto(
      "POST", "/api/applications",
      R"({"name":"p","type":"Protected","protectedAppMetadata":{"subDomain":"a","origin":"https://a.example"}})");
  ExpectCode(protected_app, 501, "application.protected_app_not_configured");
  EXPECT_EQ(protected_app.reason, "Not Implemented");
  ExpectCode(
      server_.Logto("POST", "/api/applications",
                    R"({"name":"d","type":"SPA","customClientMetadata":{"isDeviceFlow":true}})"),
      422, "application.device_flow_native_only");
  EXPECT_EQ(
      server_
          .Logto("POST", "/api/applications",
                 R"({"name":"d","type":"Native","customClientMetadata":{"isDeviceFlow":true}})")
          .status,
      200);
  auto all = server_.Logto("GET", "/api/applications");
  ASSERT_EQ(all.json.size(), 1u);
  EXPECT_EQ(all.json[0]["type"], "Native");
}

TEST_P(LogtoApplicationsTest, InvalidBodiesAreGuardErrors) {
  struct Bad {
    const char* body;
    const char* path;
  };
  for (
      const Bad& bad :
      {Bad{R"({"type":"SPA"})", "name"}, Bad{R"({"name":"","type":"SPA"})", "name"},
       Bad{R"({"name":"a"})", "type"}, Bad{R"({"name":"a","type":"Robot"})", "type"},
       Bad{R"({"name":"a","type":"SPA","customData":[]})", "customData"},
       Bad{R"({"name":"a","type":"SPA","isThirdParty":"yes"})", "isThirdParty"},
       Bad{R"({"name":"a","type":"SPA","description":5})", "description"},
       Bad{R"({"name":"a","type":"SPA","oidcClientMetadata":{"redirectUris":[]}})",
           "oidcClientMetadata.postLogoutRedirectUris"},
       Bad{R"({"name":"a","type":"SPA","oidcClientMetadata":{"redirectUris":["no url"],"postLogoutRedirectUris":[]}})",
           "oidcClientMetadata.redirectUris"},
       Bad{R"({"name":"a","type":"SPA","customClientMetadata":{"idTokenTtl":"1h"}})",
           "customClientMetadata.idTokenTtl"}}) {
    auto res = server_.Logto("POST", "/api/applications", bad.body);
    EXPECT_EQ(res.status, 400) << bad.body;
    EXPECT_EQ(res.json["code"], "guard.invalid_input") << bad.body;
    EXPECT_EQ(res.json["data"]["issues"][0]["path"][0], bad.path) << bad.body;
  }
  auto long_name = server_.Logto("POST", "/api/applications",
                                 Json{{"name", std::string(257, 'n')}, {"type", "SPA"}}.dump());
  EXPECT_EQ(long_name.status, 400);
  EXPECT_TRUE(server_.Logto("GET", "/api/applications").json.empty());
}

TEST_P(LogtoApplicationsTest, UnknownApplicationIsNotExistsWithId) {
  for (const char* target : {"/api/applications/nope", "/api/applications/nope/organizations"}) {
    auto res = server_.Logto("GET", target);
    ExpectCode(res, 404, "entity.not_exists_with_id");
    EXPECT_EQ(res.json["message"], "The applications with ID `nope` does not exist.");
  }
  ExpectCode(server_.Logto("DELETE", "/api/applications/nope"), 404, "entity.not_exists_with_id");
}

TEST_P(LogtoApplicationsTest, ListIsNewestFirstWithFilters) {
  Json m2m = CreateApp("m2m");
  Json spa = CreateApp("spa", "SPA");
  auto third = server_.Logto("POST", "/api/applications",
                             R"({"name":"third","type":"Traditional","isThirdParty":true})");
  ASSERT_EQ(third.status, 200);
  const std::string org = CreateOrg();
  ASSERT_EQ(AddApps(org, {m2m["id"]}).status, 201);
  auto names = [&](const std::string& query) {
    auto res = server_.Logto("GET", "/api/applications" + query);
    EXPECT_EQ(res.status, 200) << query << res.body;
    V out;
    for (const auto& a : res.json) out.push_back(a["name"]);
    return out;
  };
  EXPECT_EQ(names(""), (V{"third", "spa", "m2m"}));
  EXPECT_EQ(names("?types=SPA&types=MachineToMachine"), (V{"spa", "m2m"}));
  EXPECT_EQ(names("?types=Traditional"), (V{"third"}));
  EXPECT_EQ(names("?isThirdParty=true"), (V{"third"}));
  EXPECT_EQ(names("?isThirdParty=false"), (V{"spa", "m2m"}));
  EXPECT_EQ(names("?excludeOrganizationId=" + org), (V{"third", "spa"}));
  EXPECT_EQ(names("?excludeRoleId=anything"), (V{"third", "spa", "m2m"}));

  auto all = server_.Logto("GET", "/api/applications");
  EXPECT_FALSE(all.HasHeader("total-number"));
  EXPECT_EQ(all.json[2], m2m);
  auto paged = server_.Logto("GET", "/api/applications?page=2&page_size=2");
  ASSERT_EQ(paged.json.size(), 1u);
  EXPECT_EQ(paged.json[0]["name"], "m2m");
  EXPECT_EQ(paged.Header("total-number"), "3");

  ExpectCode(server_.Logto("GET", "/api/applications?excludeRoleId=a&excludeOrganizationId=" + org),
             400, "request.invalid_input");
  ExpectCode(server_.Logto("GET", "/api/applications?types=Robot"), 400, "guard.invalid_input");
  ExpectCode(server_.Logto("GET", "/api/applications?isThirdParty=yes"), 400,
             "guard.invalid_input");
}

TEST_P(LogtoApplicationsTest, DeleteRemovesTheApplicationAndItsMemberships) {
  Json app = CreateApp("bot");
  const std::string id = app["id"];
  const std::string org = CreateOrg();
  Json role = CreateRole("machine");
  ASSERT_EQ(AddApps(org, {id}).status, 201);
  ASSERT_EQ(server_
                .Logto("POST", RolesPath(org, id),
                       Json{{"organizationRoleIds", Json::array({role["id"]})}}.dump())
                .status,
            201);
  auto res = server_.Logto("DELETE", "/api/applications/" + id);
  EXPECT_EQ(res.status, 204);
  EXPECT_EQ(server_.Logto("GET", "/api/applications/" + id).status, 404);
  EXPECT_TRUE(OrgApps(org).empty());
  ExpectCode(server_.Logto("GET", RolesPath(org, id)), 422, "organization.require_membership");
}

TEST_P(LogtoApplicationsTest, OrganizationApplicationItemIsTheCreateResponsePlusRoles) {
  Json app = CreateApp("bot");
  const std::string org = CreateOrg();
  auto added = AddApps(org, {app["id"], app["id"]});
  EXPECT_EQ(added.status, 201);
  EXPECT_EQ(added.reason, "Created");
  EXPECT_TRUE(added.body.empty());
  EXPECT_EQ(added.Header("content-length"), "0");
  Json expected = app;
  expected["organizationRoles"] = Json::array();
  auto list = server_.Logto("GET", "/api/organizations/" + org + "/applications");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json, Json::array({expected}));
  EXPECT_EQ(list.Header("total-number"), "1");

  Json b = CreateRole("b-role"), a = CreateRole("a-role");
  ASSERT_EQ(server_
                .Logto("POST", RolesPath(org, app["id"]),
                       Json{{"organizationRoleIds", Json::array({b["id"], a["id"]})}}.dump())
                .status,
            201);
  expected["organizationRoles"] =
      Json::array({{{"id", a["id"]}, {"name", "a-role"}}, {{"id", b["id"]}, {"name", "b-role"}}});
  EXPECT_EQ(OrgApps(org), Json::array({expected}));

  // The application's organizations carry the same roles.
  auto orgs =
      server_.Logto("GET", "/api/applications/" + app["id"].get<std::string>() + "/organizations");
  ASSERT_EQ(orgs.status, 200);
  ASSERT_EQ(orgs.json.size(), 1u);
  EXPECT_EQ(orgs.json[0]["id"], org);
  EXPECT_EQ(orgs.json[0]["name"], "Acme");
  EXPECT_EQ(orgs.json[0]["tenantId"], "default");
  EXPECT_EQ(orgs.json[0]["organizationRoles"], expected["organizationRoles"]);
  EXPECT_FALSE(orgs.HasHeader("total-number"));
}

TEST_P(LogtoApplicationsTest, OrganizationApplicationListSearchesAndPages) {
  const std::string org = CreateOrg();
  V ids;
  // One request per application: rows added by one request share a timestamp and tie by id.
  for (const char* name : {"alpha bot!", "beta bot!", "gamma"}) {
    ids.push_back(CreateApp(name)["id"]);
    ASSERT_EQ(AddApps(org, {ids.back()}).status, 201);
  }
  EXPECT_EQ(OrgAppNames(org), (V{"alpha bot!", "beta bot!", "gamma"}));
  // The pattern holds `!`, which no random id does.
  auto q = server_.Logto("GET", "/api/organizations/" + org + "/applications?q=BOT!");
  ASSERT_EQ(q.json.size(), 2u);
  EXPECT_EQ(q.Header("total-number"), "2");
  auto page =
      server_.Logto("GET", "/api/organizations/" + org + "/applications?page=2&page_size=2");
  ASSERT_EQ(page.json.size(), 1u);
  EXPECT_EQ(page.json[0]["name"], "gamma");
  EXPECT_EQ(page.Header("total-number"), "3");
  auto unknown = server_.Logto("GET", "/api/organizations/nope/applications");
  EXPECT_EQ(unknown.status, 200);
  EXPECT_TRUE(unknown.json.empty());
  EXPECT_EQ(unknown.Header("total-number"), "0");
}

TEST_P(LogtoApplicationsTest, AddApplicationsErrors) {
  const std::string org = CreateOrg();
  Json bot = CreateApp("bot"), native = CreateApp("native", "Native");
  ExpectCode(AddApps(org, {bot["id"], "ghost"}), 422, "entity.relation_foreign_key_not_found");
  ExpectCode(AddApps("nope", {bot["id"]}), 422, "entity.relation_foreign_key_not_found");
  ExpectCode(AddApps(org, {bot["id"], native["id"]}), 422, "entity.db_constraint_violated");
  EXPECT_TRUE(OrgApps(org).empty());
  ExpectCode(AddApps(org, {}), 400, "guard.invalid_input");
  ExpectCode(AddApps(org, {""}), 400, "guard.invalid_input");
  ExpectCode(server_.Logto("POST", "/api/organizations/" + org + "/applications", "{}"), 400,
             "guard.invalid_input");
  EXPECT_EQ(AddApps(org, {bot["id"]}).status, 201);
  EXPECT_EQ(AddApps(org, {bot["id"]}).status, 201);
  EXPECT_EQ(OrgAppNames(org), (V{"bot"}));
}

TEST_P(LogtoApplicationsTest, ReplaceApplicationsIsADelta) {
  const std::string org = CreateOrg();
  Json a = CreateApp("a"), b = CreateApp("b"), c = CreateApp("c"), web = CreateApp("web", "SPA");
  Json role = CreateRole("machine");
  ASSERT_EQ(AddApps(org, {a["id"], b["id"]}).status, 201);
  ASSERT_EQ(server_
                .Logto("PUT", RolesPath(org, a["id"]),
                       Json{{"organizationRoleIds", Json::array({role["id"]})}}.dump())
                .status,
            204);
  const std::string base = "/api/organizations/" + org + "/applications";
  auto res = server_.Logto(
      "PUT", base, Json{{"applicationIds", Json::array({c["id"], a["id"], c["id"]})}}.dump());
  EXPECT_EQ(res.status, 204) << res.body;
  EXPECT_EQ(OrgAppNames(org), (V{"a", "c"}));
  EXPECT_EQ(AppRoleNames(org, a["id"]), (V{"machine"}));

  ExpectCode(
      server_.Logto("PUT", base, Json{{"applicationIds", Json::array({a["id"], "ghost"})}}.dump()),
      422, "entity.relation_foreign_key_not_found");
  ExpectCode(server_.Logto("PUT", base,
                           Json{{"applicationIds", Json::array({a["id"], web["id"]})}}.dump()),
             422, "entity.db_constraint_violated");
  EXPECT_EQ(OrgAppNames(org), (V{"a", "c"}));
  EXPECT_EQ(server_.Logto("PUT", "/api/organizations/nope/applications", R"({"applicationIds":[]})")
                .status,
            204);
  ExpectCode(server_.Logto("PUT", "/api/organizations/nope/applications",
                           Json{{"applicationIds", Json::array({a["id"]})}}.dump()),
             422, "entity.relation_foreign_key_not_found");
  EXPECT_EQ(server_.Logto("PUT", base, R"({"applicationIds":[]})").status, 204);
  EXPECT_TRUE(OrgApps(org).empty());
}

TEST_P(LogtoApplicationsTest, RemoveApplication) {
  const std::string org = CreateOrg();
  Json a = CreateApp("a"), b = CreateApp("b");
  ASSERT_EQ(AddApps(org, {a["id"]}).status, 201);
  const std::string base = "/api/organizations/" + org + "/applications/";
  ExpectCode(server_.Logto("DELETE", base + b["id"].get<std::string>()), 404, "entity.not_found");
  ExpectCode(
      server_.Logto("DELETE", "/api/organizations/nope/applications/" + a["id"].get<std::string>()),
      404, "entity.not_found");
  EXPECT_EQ(server_.Logto("DELETE", base + a["id"].get<std::string>()).status, 204);
  EXPECT_TRUE(OrgApps(org).empty());
}

TEST_P(LogtoApplicationsTest, ApplicationRolesRequireMembershipFirst) {
  const std::string org = CreateOrg();
  Json app = CreateApp("bot");
  const std::string path = RolesPath(org, app["id"]);
  ExpectCode(server_.Logto("GET", path), 422, "organization.require_membership");
  ExpectCode(server_.Logto("GET", RolesPath("nope", "nope")), 422,
             "organization.require_membership");
  // Membership is checked before the body.
  ExpectCode(server_.Logto("POST", path, R"({"organizationRoleIds":[]})"), 422,
             "organization.require_membership");
  ExpectCode(server_.Logto("PUT", path, "{}"), 422, "organization.require_membership");
  ExpectCode(server_.Logto("DELETE", RolesPath("nope", "nope") + "/nope"), 422,
             "organization.require_membership");
  auto message = server_.Logto("GET", path);
  EXPECT_EQ(message.json["message"], "The user must be a member of the organization to proceed.");
}

TEST_P(LogtoApplicationsTest, ApplicationRolesAssignListReplaceRemove) {
  const std::string org = CreateOrg();
  Json app = CreateApp("bot");
  ASSERT_EQ(AddApps(org, {app["id"]}).status, 201);
  const std::string path = RolesPath(org, app["id"]);
  Json machine = CreateRole("machine"), ops = CreateRole("ops"),
       human = CreateRole("human", "User");

  ExpectCode(server_.Logto("POST", path, R"({"organizationRoleIds":[]})"), 400,
             "guard.invalid_input");
  ExpectCode(
      server_.Logto("POST", path, Json{{"organizationRoleIds", Json::array({human["id"]})}}.dump()),
      422, "entity.db_constraint_violated");
  ExpectCode(
      server_.Logto("POST", path,
                    Json{{"organizationRoleIds", Json::array({human["id"], "ghost"})}}.dump()),
      422, "entity.relation_foreign_key_not_found");
  EXPECT_EQ(AppRoleNames(org, app["id"]), V{});

  EXPECT_EQ(
      server_.Logto("POST", path, Json{{"organizationRoleIds", Json::array({ops["id"]})}}.dump())
          .status,
      201);
  EXPECT_EQ(
      server_
          .Logto("POST", path,
                 Json{{"organizationRoleIds", Json::array({machine["id"], ops["id"]})}}.dump())
          .status,
      201);
  auto listed = server_.Logto("GET", path);
  ASSERT_EQ(listed.status, 200);
  EXPECT_FALSE(listed.HasHeader("total-number"));
  EXPECT_EQ(listed.json, Json::array({machine, ops}));
  auto paged = server_.Logto("GET", path + "?page=2&page_size=1");
  EXPECT_EQ(paged.json, Json::array({ops}));
  EXPECT_EQ(paged.Header("total-number"), "2");

  ExpectCode(
      server_.Logto("PUT", path,
                    Json{{"organizationRoleIds", Json::array({ops["id"], ops["id"]})}}.dump()),
      422, "entity.unique_integrity_violation");
  ExpectCode(server_.Logto("PUT", path, R"({"organizationRoleIds":[]})"), 400,
             "guard.invalid_input");
  ExpectCode(
      server_.Logto("PUT", path, Json{{"organizationRoleIds", Json::array({human["id"]})}}.dump()),
      422, "entity.db_constraint_violated");
  EXPECT_EQ(AppRoleNames(org, app["id"]), (V{"machine", "ops"}));
  EXPECT_EQ(
      server_.Logto("PUT", path, Json{{"organizationRoleIds", Json::array({ops["id"]})}}.dump())
          .status,
      204);
  EXPECT_EQ(AppRoleNames(org, app["id"]), (V{"ops"}));

  ExpectCode(server_.Logto("DELETE", path + "/" + machine["id"].get<std::string>()), 404,
             "entity.not_found");
  EXPECT_EQ(server_.Logto("DELETE", path + "/" + ops["id"].get<std::string>()).status, 204);
  EXPECT_EQ(AppRoleNames(org, app["id"]), V{});

  // Leaving the organization drops the roles held there.
  ASSERT_EQ(
      server_.Logto("POST", path, Json{{"organizationRoleIds", Json::array({ops["id"]})}}.dump())
          .status,
      201);
  ASSERT_EQ(server_
                .Logto("DELETE", "/api/organizations/" + org + "/applications/" +
                                     app["id"].get<std::string>())
                .status,
            204);
  ASSERT_EQ(AddApps(org, {app["id"]}).status, 201);
  EXPECT_EQ(AppRoleNames(org, app["id"]), V{});
}

TEST_P(LogtoApplicationsTest, BulkRoleAssignment) {
  const std::string org = CreateOrg();
  Json a = CreateApp("a"), b = CreateApp("b"), outsider = CreateApp("outsider");
  ASSERT_EQ(AddApps(org, {a["id"], b["id"]}).status, 201);
  Json machine = CreateRole("machine"), human = CreateRole("human", "User");
  const std::string path = "/api/organizations/" + org + "/applications/roles";
  auto body = [](const Json& apps, const Json& roles) {
    return Json{{"applicationIds", apps}, {"organizationRoleIds", roles}}.dump();
  };
  ExpectCode(
      server_.Logto("POST", path,
                    body(Json::array({a["id"], outsider["id"]}), Json::array({machine["id"]}))),
      422, "entity.relation_foreign_key_not_found");
  ExpectCode(server_.Logto("POST", path,
                           body(Json::array({a["id"]}), Json::array({machine["id"], "ghost"}))),
             422, "entity.relation_foreign_key_not_found");
  ExpectCode(server_.Logto("POST", path, body(Json::array({a["id"]}), Json::array({human["id"]}))),
             422, "entity.db_constraint_violated");
  ExpectCode(server_.Logto("POST", path, body(Json::array(), Json::array({machine["id"]}))), 400,
             "guard.invalid_input");
  ExpectCode(server_.Logto("POST", path, body(Json::array({a["id"]}), Json::array())), 400,
             "guard.invalid_input");
  EXPECT_EQ(AppRoleNames(org, a["id"]), V{});
  auto ok = server_.Logto("POST", path,
                          body(Json::array({a["id"], b["id"]}), Json::array({machine["id"]})));
  EXPECT_EQ(ok.status, 201);
  EXPECT_TRUE(ok.body.empty());
  EXPECT_EQ(AppRoleNames(org, a["id"]), (V{"machine"}));
  EXPECT_EQ(AppRoleNames(org, b["id"]), (V{"machine"}));
}

INSTANTIATE_TEST_SUITE_P(Backends, LogtoApplicationsTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);

}  // namespace
}  // namespace orgd::testing
