// The Logto dialect's API resources and resource scopes (contracts/logto.md §3.9.4, shapes
// §2.4), their cascades into organization roles, and the same rows through the Kinde dialect.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/http/ticking_clock.h"
#include "tests/support/test_server.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;

bool IsLogtoId(const std::string& id, size_t length) {
  return id.size() == length &&
         id.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyz") == std::string::npos;
}

class LogtoResourcesTest : public ::testing::TestWithParam<std::string> {
 protected:
  TickingClock clock_;
  TestServer server_{GetParam(), {.clock = &clock_}};

  Json CreateResource(const std::string& name, const std::string& indicator) {
    auto res = server_.Logto("POST", "/api/resources",
                             Json{{"name", name}, {"indicator", indicator}}.dump());
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json;
  }
  Json CreateScope(const std::string& resource, const std::string& name,
                   const Json& description = nullptr) {
    Json body = {{"name", name}};
    if (!description.is_null()) body["description"] = description;
    auto res = server_.Logto("POST", "/api/resources/" + resource + "/scopes", body.dump());
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json;
  }
  std::vector<std::string> ScopeNames(const std::string& target) {
    auto res = server_.Logto("GET", target);
    EXPECT_EQ(res.status, 200) << res.body;
    std::vector<std::string> names;
    for (const auto& s : res.json) names.push_back(s["name"]);
    return names;
  }
  std::string CreateRoleWithScopes(const std::vector<std::string>& scope_ids) {
    auto res = server_.Logto("POST", "/api/organization-roles",
                             Json{{"name", "reader"}, {"resourceScopeIds", scope_ids}}.dump());
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json["id"];
  }
  std::vector<std::string> RoleResourceScopeIds(const std::string& role) {
    auto res = server_.Logto("GET", "/api/organization-roles/" + role + "/resource-scopes");
    EXPECT_EQ(res.status, 200) << res.body;
    std::vector<std::string> ids;
    for (const auto& s : res.json) ids.push_back(s["id"]);
    return ids;
  }
};

using V = std::vector<std::string>;

TEST_P(LogtoResourcesTest, CreateReturns201WithTheResourceShape) {
  auto res = server_.Logto(
      "POST", "/api/resources",
      R"({"name":"Billing","indicator":"https://billing.example","tenantId":"x","extra":1})");
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.reason, "Created");
  const std::string id = res.json["id"];
  EXPECT_TRUE(IsLogtoId(id, 21)) << id;
  EXPECT_EQ(res.json, (Json{{"tenantId", "default"},
                            {"id", id},
                            {"name", "Billing"},
                            {"indicator", "https://billing.example"},
                            {"isDefault", false},
                            {"accessTokenTtl", 3600},
                            {"scopes", Json::array()}}));
  auto got = server_.Logto("GET", "/api/resources/" + id);
  ASSERT_EQ(got.status, 200);
  Json expected = res.json;
  expected.erase("scopes");
  EXPECT_EQ(got.json, expected);

  auto ttl = server_.Logto("POST", "/api/resources",
                           R"({"name":"B","indicator":"urn:b","accessTokenTtl":60})");
  ASSERT_EQ(ttl.status, 201) << ttl.body;
  EXPECT_EQ(ttl.json["accessTokenTtl"], 60);
}

TEST_P(LogtoResourcesTest, IndicatorInUseIsUnprocessable) {
  CreateResource("A", "https://a.example");
  auto res =
      server_.Logto("POST", "/api/resources", R"({"name":"B","indicator":"https://a.example"})");
  EXPECT_EQ(res.status, 422);
  EXPECT_EQ(res.reason, "Unprocessable Entity");
  EXPECT_EQ(res.json["code"], "resource.resource_identifier_in_use");
  EXPECT_EQ(res.json["message"], "The API identifier https://a.example is already in use");
  // The Management API's own indicator is reserved.
  res = server_.Logto("POST", "/api/resources",
                      R"({"name":"M","indicator":"https://default.logto.app/api"})");
  EXPECT_EQ(res.status, 422);
  EXPECT_EQ(res.json["code"], "resource.resource_identifier_in_use");
  EXPECT_EQ(server_.Logto("GET", "/api/resources").json.size(), 1u);
}

TEST_P(LogtoResourcesTest, InvalidBodiesAreGuardErrors) {
  struct Bad {
    const char* body;
    const char* path;
  };
  for (const Bad& bad :
       {Bad{R"({})", "name"}, Bad{R"({"name":"","indicator":"x"})", "name"},
        Bad{R"({"name":"a"})", "indicator"}, Bad{R"({"name":"a","indicator":""})", "indicator"},
        Bad{R"({"name":"a","indicator":7})", "indicator"},
        Bad{R"({"name":"a","indicator":"x","accessTokenTtl":"1h"})", "accessTokenTtl"}}) {
    auto res = server_.Logto("POST", "/api/resources", bad.body);
    EXPECT_EQ(res.status, 400) << bad.body;
    EXPECT_EQ(res.json["code"], "guard.invalid_input") << bad.body;
    EXPECT_EQ(res.json["data"]["issues"][0]["path"][0], bad.path) << bad.body;
  }
  auto malformed = server_.Logto("POST", "/api/resources", R"({"name":)");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_FALSE(malformed.json.contains("code"));
  EXPECT_TRUE(server_.Logto("GET", "/api/resources").json.empty());
}

TEST_P(LogtoResourcesTest, UnknownResourceIsNotExistsWithId) {
  for (const char* method : {"GET", "DELETE"}) {
    auto res = server_.Logto(method, "/api/resources/nope");
    EXPECT_EQ(res.status, 404) << method;
    EXPECT_EQ(res.json["code"], "entity.not_exists_with_id") << method;
    EXPECT_EQ(res.json["message"], "The resources with ID `nope` does not exist.") << method;
  }
}

TEST_P(LogtoResourcesTest, ListIsCreationOrderWithOptionalPaginationAndScopes) {
  Json a = CreateResource("zeta", "urn:z");
  Json b = CreateResource("alpha", "urn:a");
  Json s = CreateScope(a["id"], "read", "Read things");
  auto all = server_.Logto("GET", "/api/resources");
  ASSERT_EQ(all.status, 200);
  ASSERT_EQ(all.json.size(), 2u);
  EXPECT_EQ(all.json[0]["id"], a["id"]);
  EXPECT_EQ(all.json[1]["id"], b["id"]);
  EXPECT_FALSE(all.json[0].contains("scopes"));
  EXPECT_FALSE(all.HasHeader("total-number"));
  EXPECT_FALSE(all.HasHeader("link"));

  auto with = server_.Logto("GET", "/api/resources?includeScopes=yes");
  ASSERT_EQ(with.status, 200);
  EXPECT_EQ(with.json[0]["scopes"], Json::array({s}));
  EXPECT_EQ(with.json[1]["scopes"], Json::array());

  auto paged = server_.Logto("GET", "/api/resources?page=2&page_size=1");
  ASSERT_EQ(paged.status, 200);
  ASSERT_EQ(paged.json.size(), 1u);
  EXPECT_EQ(paged.json[0]["id"], b["id"]);
  EXPECT_EQ(paged.Header("total-number"), "2");
  auto bad = server_.Logto("GET", "/api/resources?page_size=101");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json["code"], "guard.invalid_pagination");
}

TEST_P(LogtoResourcesTest, DeleteRemovesTheResourceAndItsScopes) {
  Json a = CreateResource("A", "urn:a");
  const std::string id = a["id"];
  CreateScope(id, "read");
  auto res = server_.Logto("DELETE", "/api/resources/" + id);
  EXPECT_EQ(res.status, 204);
  EXPECT_TRUE(res.body.empty());
  EXPECT_EQ(server_.Logto("GET", "/api/resources/" + id).status, 404);
  auto scopes = server_.Logto("GET", "/api/resources/" + id + "/scopes");
  EXPECT_EQ(scopes.status, 200);
  EXPECT_TRUE(scopes.json.empty());
  // The indicator is free again.
  CreateResource("A again", "urn:a");
}

TEST_P(LogtoResourcesTest, CreateScopeReturnsTheScopeShape) {
  Json a = CreateResource("A", "urn:a");
  const std::string rid = a["id"];
  auto res = server_.Logto("POST", "/api/resources/" + rid + "/scopes",
                           R"({"name":"read:users","description":"Read users"})");
  ASSERT_EQ(res.status, 201) << res.body;
  const std::string id = res.json["id"];
  EXPECT_TRUE(IsLogtoId(id, 21)) << id;
  ASSERT_TRUE(res.json["createdAt"].is_number_integer());
  EXPECT_EQ(res.json, (Json{{"tenantId", "default"},
                            {"id", id},
                            {"resourceId", rid},
                            {"name", "read:users"},
                            {"description", "Read users"},
                            {"createdAt", res.json["createdAt"]}}));
  Json nulled = CreateScope(rid, "write:users", nullptr);
  EXPECT_TRUE(nulled["description"].is_null());
  auto explicit_null = server_.Logto("POST", "/api/resources/" + rid + "/scopes",
                                     R"({"name":"x","description":null})");
  EXPECT_EQ(explicit_null.status, 201);
  EXPECT_TRUE(explicit_null.json["description"].is_null());
}

TEST_P(LogtoResourcesTest, ScopeCreateErrors) {
  Json a = CreateResource("A", "urn:a");
  const std::string base = "/api/resources/" + a["id"].get<std::string>() + "/scopes";
  CreateScope(a["id"], "read");

  auto dup = server_.Logto("POST", base, R"({"name":"read"})");
  EXPECT_EQ(dup.status, 422);
  EXPECT_EQ(dup.json["code"], "scope.name_exists");
  EXPECT_EQ(dup.json["message"], "The scope name read is already in use");

  auto space = server_.Logto("POST", base, R"({"name":"read all"})");
  EXPECT_EQ(space.status, 400);
  EXPECT_EQ(space.json["code"], "scope.name_with_space");
  EXPECT_EQ(space.json["message"], "The name of the scope cannot contain any spaces.");

  auto too_long = server_.Logto("POST", base, Json{{"name", std::string(257, 'n')}}.dump());
  EXPECT_EQ(too_long.status, 400);
  EXPECT_EQ(too_long.json["code"], "guard.invalid_input");
  EXPECT_EQ(too_long.json["data"]["issues"][0]["code"], "too_big");
  EXPECT_EQ(server_.Logto("POST", base, Json{{"name", std::string(256, 'n')}}.dump()).status, 201);

  auto no_name = server_.Logto("POST", base, R"({"description":"x"})");
  EXPECT_EQ(no_name.status, 400);
  EXPECT_EQ(no_name.json["code"], "guard.invalid_input");

  auto unknown = server_.Logto("POST", "/api/resources/nope/scopes", R"({"name":"x"})");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.json["code"], "entity.not_exists_with_id");
  EXPECT_EQ(unknown.json["message"], "The resources with ID `nope` does not exist.");

  // The same name on another resource is fine.
  Json b = CreateResource("B", "urn:b");
  CreateScope(b["id"], "read");
  EXPECT_EQ(ScopeNames(base), (V{"read", std::string(256, 'n')}));
}

TEST_P(LogtoResourcesTest, ScopeListIsAlwaysPaginated) {
  Json a = CreateResource("A", "urn:a");
  const std::string rid = a["id"];
  for (int i = 0; i < 25; ++i) CreateScope(rid, "s" + std::to_string(100 + i));
  auto first = server_.Logto("GET", "/api/resources/" + rid + "/scopes");
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(first.json.size(), 20u);
  EXPECT_EQ(first.json[0]["name"], "s100");
  EXPECT_EQ(first.Header("total-number"), "25");
  EXPECT_EQ(first.Headers("link").size(), 3u);  // first, last, next
  auto second = server_.Logto("GET", "/api/resources/" + rid + "/scopes?page=2&page_size=10");
  ASSERT_EQ(second.json.size(), 10u);
  EXPECT_EQ(second.json[0]["name"], "s110");
  EXPECT_EQ(second.json[0], first.json[10]);

  auto unknown = server_.Logto("GET", "/api/resources/nope/scopes");
  EXPECT_EQ(unknown.status, 200);
  EXPECT_TRUE(unknown.json.empty());
  EXPECT_EQ(unknown.Header("total-number"), "0");
}

TEST_P(LogtoResourcesTest, ScopeListSearchSyntax) {
  Json a = CreateResource("A", "urn:a");
  const std::string base = "/api/resources/" + a["id"].get<std::string>() + "/scopes";
  Json ru = CreateScope(a["id"], "read:users", "Read users");
  CreateScope(a["id"], "write:users", "Write users");
  CreateScope(a["id"], "read:orgs", nullptr);
  CreateScope(a["id"], "Admin", "Everything");

  EXPECT_EQ(ScopeNames(base + "?search=%25READ%25"), (V{"read:users", "read:orgs"}));
  EXPECT_EQ(ScopeNames(base + "?search=%25READ%25&isCaseSensitive=true"), V{});
  EXPECT_EQ(ScopeNames(base + "?search=%25everything%25"), (V{"Admin"}));
  EXPECT_EQ(ScopeNames(base + "?search=" + ru["id"].get<std::string>()), (V{"read:users"}));
  EXPECT_EQ(ScopeNames(base + "?search.name=admin&mode.name=exact"), (V{"Admin"}));
  EXPECT_EQ(ScopeNames(base + "?search.name=admin&mode.name=exact&isCaseSensitive=true"), V{});
  EXPECT_EQ(ScopeNames(base + "?search.name=read%25&search.description=%25users&joint=and"),
            (V{"read:users"}));
  EXPECT_EQ(ScopeNames(base + "?search.name=read%25&search.description=%25users"),
            (V{"read:users", "write:users", "read:orgs"}));
  EXPECT_EQ(ScopeNames(base + "?search.name=admin&search.name=read:orgs"),
            (V{"read:orgs", "Admin"}));
  auto counted = server_.Logto("GET", base + "?search=read%25&page_size=1");
  EXPECT_EQ(counted.Header("total-number"), "2");

  for (const char* bad : {"?search.secret=x", "?search=x&mode=posix", "?search=x&mode=similar_to",
                          "?search=x&mode=fuzzy", "?joint=xor", "?isCaseSensitive=maybe",
                          "?mode.name=like&mode.name=exact"}) {
    auto res = server_.Logto("GET", base + bad);
    EXPECT_EQ(res.status, 400) << bad;
    EXPECT_EQ(res.json["code"], "request.invalid_input") << bad;
  }
}

TEST_P(LogtoResourcesTest, DeleteScopeChecksResourceThenScope) {
  Json a = CreateResource("A", "urn:a"), b = CreateResource("B", "urn:b");
  const std::string ra = a["id"], rb = b["id"];
  Json s = CreateScope(ra, "read");
  const std::string sid = s["id"];

  auto unknown_resource = server_.Logto("DELETE", "/api/resources/nope/scopes/" + sid);
  EXPECT_EQ(unknown_resource.status, 404);
  EXPECT_EQ(unknown_resource.json["code"], "entity.not_exists_with_id");
  auto other = server_.Logto("DELETE", "/api/resources/" + rb + "/scopes/" + sid);
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(other.json["code"], "entity.not_found");
  auto unknown_scope = server_.Logto("DELETE", "/api/resources/" + ra + "/scopes/nope");
  EXPECT_EQ(unknown_scope.status, 404);
  EXPECT_EQ(unknown_scope.json["code"], "entity.not_found");
  EXPECT_EQ(ScopeNames("/api/resources/" + ra + "/scopes"), (V{"read"}));

  auto ok = server_.Logto("DELETE", "/api/resources/" + ra + "/scopes/" + sid);
  EXPECT_EQ(ok.status, 204);
  EXPECT_EQ(ScopeNames("/api/resources/" + ra + "/scopes"), V{});
}

TEST_P(LogtoResourcesTest, DeletesCascadeIntoOrganizationRoles) {
  Json a = CreateResource("A", "urn:a"), b = CreateResource("B", "urn:b");
  const std::string sa = CreateScope(a["id"], "read")["id"];
  const std::string sb1 = CreateScope(b["id"], "read")["id"];
  const std::string sb2 = CreateScope(b["id"], "write")["id"];
  const std::string role = CreateRoleWithScopes({sa, sb1, sb2});
  EXPECT_EQ(RoleResourceScopeIds(role), (V{sa, sb1, sb2}));

  ASSERT_EQ(server_.Logto("DELETE", "/api/resources/" + a["id"].get<std::string>()).status, 204);
  EXPECT_EQ(RoleResourceScopeIds(role), (V{sb1, sb2}));
  ASSERT_EQ(
      server_.Logto("DELETE", "/api/resources/" + b["id"].get<std::string>() + "/scopes/" + sb1)
          .status,
      204);
  EXPECT_EQ(RoleResourceScopeIds(role), (V{sb2}));
}

TEST_P(LogtoResourcesTest, ResourcesAreKindeApisAndBack) {
  Json logto = CreateResource("Logto API", "https://logto.example");
  CreateScope(logto["id"], "read:things", "Read");
  auto apis = server_.Kinde("GET", "/api/v1/apis?expand=scopes");
  ASSERT_EQ(apis.status, 200) << apis.body;
  ASSERT_EQ(apis.json["apis"].size(), 1u);
  EXPECT_EQ(apis.json["apis"][0]["id"], logto["id"]);
  EXPECT_EQ(apis.json["apis"][0]["audience"], "https://logto.example");
  EXPECT_EQ(apis.json["apis"][0]["scopes"][0]["key"], "read:things");

  auto created = server_.Kinde("POST", "/api/v1/apis",
                               R"({"name":"Kinde API","audience":"https://kinde.example"})");
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string kid = created.json["api"]["id"];
  auto scope = server_.Kinde("POST", "/api/v1/apis/" + kid + "/scopes",
                             R"({"key":"write:things","description":"Write"})");
  ASSERT_EQ(scope.status, 200) << scope.body;

  auto got = server_.Logto("GET", "/api/resources/" + kid);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.json["name"], "Kinde API");
  EXPECT_EQ(got.json["indicator"], "https://kinde.example");
  auto scopes = server_.Logto("GET", "/api/resources/" + kid + "/scopes");
  ASSERT_EQ(scopes.json.size(), 1u);
  EXPECT_EQ(scopes.json[0]["id"], scope.json["scope"]["id"]);
  EXPECT_EQ(scopes.json[0]["name"], "write:things");
  EXPECT_EQ(scopes.json[0]["description"], "Write");
  // One indicator space for both dialects.
  auto clash = server_.Logto("POST", "/api/resources",
                             R"({"name":"X","indicator":"https://kinde.example"})");
  EXPECT_EQ(clash.status, 422);
  EXPECT_EQ(server_.Logto("DELETE", "/api/resources/" + kid).status, 204);
  EXPECT_EQ(server_.Kinde("GET", "/api/v1/apis/" + kid).json["errors"][0]["code"], "API_NOT_FOUND");
}

INSTANTIATE_TEST_SUITE_P(Backends, LogtoResourcesTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);

}  // namespace
}  // namespace orgd::testing
