// The Logto dialect's organization roles and organization scopes (contracts/logto.md §3.6, §3.7,
// shapes §2.2–§2.4, relation rules §1.6 and §4), end to end on every backend.
#include <gtest/gtest.h>

#include <algorithm>
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

class LogtoRolesTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Relation lists are in link creation order (logto.md §1.8): distinct timestamps make it fixed.
  TickingClock clock_;
  TestServer server_{GetParam(), {.clock = &clock_}};

  HttpResponse Call(const std::string& method, const std::string& target,
                    const std::string& body = "") {
    return server_.Logto(method, target, body);
  }
  Json CreateRole(const Json& body) {
    auto res = Call("POST", "/api/organization-roles", body.dump());
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json;
  }
  std::string RoleId(const std::string& name) { return CreateRole({{"name", name}})["id"]; }
  std::string ScopeId(const std::string& name) {
    auto res = Call("POST", "/api/organization-scopes", Json{{"name", name}}.dump());
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json["id"];
  }
  // Creates an API resource with one scope per name through /api/resources; returns the scope
  // ids in order.
  std::vector<std::string> ResourceScopes(const std::string& resource,
                                          const std::vector<std::string>& names) {
    auto res = Call("POST", "/api/resources",
                    Json{{"name", resource}, {"indicator", "https://" + resource}}.dump());
    EXPECT_EQ(res.status, 201) << res.body;
    const std::string resource_id = res.json["id"];
    std::vector<std::string> ids;
    for (const std::string& name : names) {
      auto scope = Call("POST", "/api/resources/" + resource_id + "/scopes",
                        Json{{"name", name}}.dump());
      EXPECT_EQ(scope.status, 201) << scope.body;
      ids.push_back(scope.json["id"]);
    }
    return ids;
  }
  Json Get(const std::string& target) {
    auto res = Call("GET", target);
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json;
  }
  static std::vector<std::string> Names(const Json& list) {
    std::vector<std::string> names;
    for (const auto& item : list) names.push_back(item["name"]);
    return names;
  }
  static std::vector<std::string> Ids(const Json& list) {
    std::vector<std::string> ids;
    for (const auto& item : list) ids.push_back(item["id"]);
    return ids;
  }
  static void ExpectCode(const HttpResponse& res, int status, const std::string& code) {
    EXPECT_EQ(res.status, status) << res.body;
    EXPECT_EQ(res.json.value("code", ""), code) << res.body;
  }
};

// --- organization roles ------------------------------------------------------------------------

TEST_P(LogtoRolesTest, CreateAnswersThePlainRoleAndGetEqualsIt) {
  auto res = Call("POST", "/api/organization-roles",
                  R"({"name":"admin","description":"Admins","id":"x","tenantId":"t"})");
  ASSERT_EQ(res.status, 201) << res.body;
  const std::string id = res.json["id"];
  EXPECT_TRUE(IsLogtoId(id, 21)) << id;
  EXPECT_EQ(res.json, (Json{{"tenantId", "default"},
                            {"id", id},
                            {"name", "admin"},
                            {"description", "Admins"},
                            {"type", "User"}}));
  EXPECT_EQ(Get("/api/organization-roles/" + id), res.json);
}

TEST_P(LogtoRolesTest, CreateDefaultsAndMachineToMachineType) {
  Json plain = CreateRole({{"name", "viewer"}});
  EXPECT_EQ(plain["description"], nullptr);
  EXPECT_EQ(plain["type"], "User");
  Json m2m = CreateRole({{"name", "robot"}, {"type", "MachineToMachine"}, {"description", nullptr}});
  EXPECT_EQ(m2m["type"], "MachineToMachine");
  EXPECT_EQ(m2m["description"], nullptr);
}

TEST_P(LogtoRolesTest, CreateRejectsInvalidBodies) {
  const std::string long_name(129, 'n');
  const std::string long_description(257, 'd');
  for (const std::string& body : std::vector<std::string>{
           R"({})", R"({"name":""})", R"({"name":1})", "{\"name\":\"" + long_name + "\"}",
        R"({"name":"a","type":"Admin"})", R"({"name":"a","description":1})",
        "{\"name\":\"a\",\"description\":\"" + long_description + "\"}",
        R"({"name":"a","organizationScopeIds":"x"})", R"({"name":"a","organizationScopeIds":[""]})",
        R"({"name":"a","resourceScopeIds":[1]})", R"([])"}) {
    ExpectCode(Call("POST", "/api/organization-roles", body), 400, "guard.invalid_input");
  }
  auto bad_json = Call("POST", "/api/organization-roles", R"({"name":)");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_FALSE(bad_json.json.contains("code")) << bad_json.body;
  EXPECT_TRUE(bad_json.json["message"].is_string());
  EXPECT_EQ(Call("GET", "/api/organization-roles").Headers("total-number").size(), 1u);
  EXPECT_EQ(Call("GET", "/api/organization-roles").Header("total-number"), "0");
}

TEST_P(LogtoRolesTest, DuplicateNameIsUniqueViolation) {
  RoleId("admin");
  ExpectCode(Call("POST", "/api/organization-roles", R"({"name":"admin"})"), 422,
             "entity.unique_integrity_violation");
  EXPECT_EQ(Call("GET", "/api/organization-roles").Header("total-number"), "1");
}

TEST_P(LogtoRolesTest, CreateWithUnknownScopeRollsEverythingBack) {
  const std::string read = ScopeId("read");
  auto res = Call("POST", "/api/organization-roles",
                  Json{{"name", "admin"}, {"organizationScopeIds", {read, "nope"}}}.dump());
  ExpectCode(res, 422, "entity.relation_foreign_key_not_found");
  res = Call("POST", "/api/organization-roles",
             Json{{"name", "admin"}, {"resourceScopeIds", {"nope"}}}.dump());
  ExpectCode(res, 422, "entity.relation_foreign_key_not_found");
  auto list = Call("GET", "/api/organization-roles");
  EXPECT_EQ(list.Header("total-number"), "0");
  EXPECT_EQ(list.json, Json::array());
  // The name is free again: nothing of the failed creates remains.
  Json created = CreateRole({{"name", "admin"}, {"organizationScopeIds", {read, read}}});
  EXPECT_EQ(Ids(Get("/api/organization-roles/" + created["id"].get<std::string>() + "/scopes")),
            std::vector<std::string>{read});
}

TEST_P(LogtoRolesTest, GetUnknownRoleIsEntityNotFound) {
  auto res = Call("GET", "/api/organization-roles/nope");
  ExpectCode(res, 404, "entity.not_found");
  EXPECT_EQ(res.json["message"], "The resource does not exist.");
}

TEST_P(LogtoRolesTest, PatchSetsGivenFieldsOnly) {
  Json created = CreateRole({{"name", "admin"}, {"description", "d"}});
  const std::string id = created["id"];
  auto res = Call("PATCH", "/api/organization-roles/" + id,
                  R"({"name":"owner","type":"MachineToMachine","id":"zzz","tenantId":"t"})");
  ASSERT_EQ(res.status, 200) << res.body;
  Json expected = created;
  expected["name"] = "owner";
  expected["type"] = "MachineToMachine";
  EXPECT_EQ(res.json, expected);
  res = Call("PATCH", "/api/organization-roles/" + id, R"({"description":null})");
  expected["description"] = nullptr;
  EXPECT_EQ(res.json, expected);
  res = Call("PATCH", "/api/organization-roles/" + id, "{}");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.json, expected);
  EXPECT_EQ(Get("/api/organization-roles/" + id), expected);
}

TEST_P(LogtoRolesTest, PatchErrors) {
  const std::string id = RoleId("admin");
  RoleId("viewer");
  ExpectCode(Call("PATCH", "/api/organization-roles/" + id, R"({"name":"viewer"})"), 422,
             "entity.unique_integrity_violation");
  ExpectCode(Call("PATCH", "/api/organization-roles/" + id, R"({"type":"Bot"})"), 400,
             "guard.invalid_input");
  ExpectCode(Call("PATCH", "/api/organization-roles/" + id, R"({"name":""})"), 400,
             "guard.invalid_input");
  auto missing = Call("PATCH", "/api/organization-roles/nope", R"({"name":"x"})");
  ExpectCode(missing, 404, "entity.not_exists");
  EXPECT_EQ(missing.json["message"], "The organization_role does not exist.");
  ExpectCode(Call("PATCH", "/api/organization-roles/nope", "{}"), 404, "entity.not_exists");
  EXPECT_EQ(Get("/api/organization-roles/" + id)["name"], "admin");
}

TEST_P(LogtoRolesTest, DeleteRemovesTheRole) {
  const std::string id = RoleId("admin");
  auto res = Call("DELETE", "/api/organization-roles/" + id);
  EXPECT_EQ(res.status, 204);
  EXPECT_TRUE(res.body.empty());
  ExpectCode(Call("GET", "/api/organization-roles/" + id), 404, "entity.not_found");
  ExpectCode(Call("DELETE", "/api/organization-roles/" + id), 404, "entity.not_found");
}

TEST_P(LogtoRolesTest, ListIsTheListFormInNameOrder) {
  const std::string write = ScopeId("write");
  const std::string read = ScopeId("read");
  Json b = CreateRole({{"name", "b-role"}, {"organizationScopeIds", {write, read}}});
  Json a = CreateRole({{"name", "a-role"}, {"type", "MachineToMachine"}});
  auto res = Call("GET", "/api/organization-roles");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.Header("total-number"), "2");
  Json expected_a = a;
  expected_a["scopes"] = Json::array();
  expected_a["resourceScopes"] = Json::array();
  Json expected_b = b;
  expected_b["scopes"] = {{{"id", read}, {"name", "read"}}, {{"id", write}, {"name", "write"}}};
  expected_b["resourceScopes"] = Json::array();
  EXPECT_EQ(res.json, (Json{expected_a, expected_b}));
}

TEST_P(LogtoRolesTest, ListPagesToTheEndWithHeaders) {
  std::vector<std::string> names = {"e", "b", "d", "a", "c"};
  for (const std::string& name : names) RoleId(name);
  std::sort(names.begin(), names.end());
  std::vector<std::string> seen;
  for (int page = 1; page <= 3; ++page) {
    auto res = Call("GET", "/api/organization-roles?page_size=2&page=" + std::to_string(page));
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.Header("total-number"), "5");
    for (const auto& name : Names(res.json)) seen.push_back(name);
    auto links = res.Headers("link");
    const std::string joined = [&] {
      std::string s;
      for (const auto& l : links) s += l + ",";
      return s;
    }();
    EXPECT_NE(joined.find("rel=\"first\""), std::string::npos);
    EXPECT_NE(joined.find("rel=\"last\""), std::string::npos);
    EXPECT_EQ(joined.find("rel=\"next\"") != std::string::npos, page < 3) << joined;
    EXPECT_EQ(joined.find("rel=\"prev\"") != std::string::npos, page > 1) << joined;
  }
  EXPECT_EQ(seen, names);
  // Page 2 of size 1 is item 2 of the page of size 20.
  EXPECT_EQ(Names(Get("/api/organization-roles?page_size=1&page=2")),
            std::vector<std::string>{"b"});
  EXPECT_EQ(Get("/api/organization-roles?page=4&page_size=2"), Json::array());
}

TEST_P(LogtoRolesTest, ListRejectsBadPagination) {
  for (const char* query : {"page=0", "page_size=101", "page=x", "page_size=1.5", "page=1&page=2"}) {
    ExpectCode(Call("GET", std::string("/api/organization-roles?") + query), 400,
               "guard.invalid_pagination");
  }
  EXPECT_EQ(Call("GET", "/api/organization-roles?page=&page_size=").status, 200);
}

TEST_P(LogtoRolesTest, ListSearchesIdNameAndDescription) {
  const std::string admin = CreateRole({{"name", "Admin"}})["id"];
  CreateRole({{"name", "viewer"}, {"description", "Read-only ADMINistration"}});
  CreateRole({{"name", "a-_-b"}});
  CreateRole({{"name", "a-x-b"}});
  CreateRole({{"name", "other"}});
  auto res = Call("GET", "/api/organization-roles?q=admin");
  EXPECT_EQ(Names(res.json), (std::vector<std::string>{"Admin", "viewer"}));
  EXPECT_EQ(res.Header("total-number"), "2");
  EXPECT_EQ(Names(Get("/api/organization-roles?q=" + admin)), std::vector<std::string>{"Admin"});
  // `_` is a wildcard (contracts/logto.md §1.9). The pattern holds `-`, which no random id does.
  EXPECT_EQ(Names(Get("/api/organization-roles?q=-_-")),
            (std::vector<std::string>{"a-_-b", "a-x-b"}));
  EXPECT_EQ(Names(Get("/api/organization-roles?q=")).size(), 5u);
  ExpectCode(Call("GET", "/api/organization-roles?q=a&q=b"), 400, "guard.invalid_input");
}

// --- role ↔ organization scope links -------------------------------------------------------------

TEST_P(LogtoRolesTest, ScopeLinksAddListAndRemove) {
  const std::string role = RoleId("admin");
  const std::string read = ScopeId("read");
  const std::string write = ScopeId("write");
  const std::string path = "/api/organization-roles/" + role + "/scopes";
  auto res = Call("POST", path, Json{{"organizationScopeIds", {read}}}.dump());
  EXPECT_EQ(res.status, 201) << res.body;
  EXPECT_TRUE(res.body.empty());
  EXPECT_EQ(res.Header("content-length"), "0");
  // Re-adding is a silent success.
  EXPECT_EQ(Call("POST", path, Json{{"organizationScopeIds", {read, write}}}.dump()).status, 201);
  res = Call("GET", path);
  ASSERT_EQ(res.status, 200);
  EXPECT_FALSE(res.HasHeader("total-number"));
  EXPECT_EQ(res.json, (Json{{{"tenantId", "default"}, {"id", read}, {"name", "read"},
                             {"description", nullptr}},
                            {{"tenantId", "default"}, {"id", write}, {"name", "write"},
                             {"description", nullptr}}}));
  res = Call("GET", path + "?page_size=1&page=2");
  EXPECT_EQ(res.Header("total-number"), "2");
  EXPECT_EQ(Ids(res.json), std::vector<std::string>{write});

  EXPECT_EQ(Call("DELETE", path + "/" + read).status, 204);
  ExpectCode(Call("DELETE", path + "/" + read), 404, "entity.not_found");
  ExpectCode(Call("DELETE", "/api/organization-roles/nope/scopes/" + write), 404,
             "entity.not_found");
  EXPECT_EQ(Ids(Get(path)), std::vector<std::string>{write});
}

TEST_P(LogtoRolesTest, ScopeLinkErrors) {
  const std::string role = RoleId("admin");
  const std::string read = ScopeId("read");
  const std::string path = "/api/organization-roles/" + role + "/scopes";
  ExpectCode(Call("POST", path, R"({"organizationScopeIds":[]})"), 400, "guard.invalid_input");
  ExpectCode(Call("POST", path, R"({})"), 400, "guard.invalid_input");
  ExpectCode(Call("POST", path, Json{{"organizationScopeIds", {read, "nope"}}}.dump()), 422,
             "entity.relation_foreign_key_not_found");
  EXPECT_EQ(Get(path), Json::array());  // all or nothing
  ExpectCode(Call("POST", "/api/organization-roles/nope/scopes",
                  Json{{"organizationScopeIds", {read}}}.dump()),
             422, "entity.relation_foreign_key_not_found");
  ExpectCode(Call("GET", "/api/organization-roles/nope/scopes"), 404, "entity.not_found");
}

TEST_P(LogtoRolesTest, ScopeLinksReplace) {
  const std::string role = RoleId("admin");
  const std::string read = ScopeId("read");
  const std::string write = ScopeId("write");
  const std::string path = "/api/organization-roles/" + role + "/scopes";
  ASSERT_EQ(Call("POST", path, Json{{"organizationScopeIds", {read}}}.dump()).status, 201);
  EXPECT_EQ(Call("PUT", path, Json{{"organizationScopeIds", {write}}}.dump()).status, 204);
  EXPECT_EQ(Ids(Get(path)), std::vector<std::string>{write});
  ExpectCode(Call("PUT", path, Json{{"organizationScopeIds", {read, read}}}.dump()), 422,
             "entity.unique_integrity_violation");
  ExpectCode(Call("PUT", path, Json{{"organizationScopeIds", {read, "nope"}}}.dump()), 422,
             "entity.relation_foreign_key_not_found");
  EXPECT_EQ(Ids(Get(path)), std::vector<std::string>{write});  // unchanged by the failures
  EXPECT_EQ(Call("PUT", path, R"({"organizationScopeIds":[]})").status, 204);
  EXPECT_EQ(Get(path), Json::array());
  // `[]` on an unknown role is a no-op success; a non-empty list is FK422 (contracts §4).
  EXPECT_EQ(Call("PUT", "/api/organization-roles/nope/scopes", R"({"organizationScopeIds":[]})")
                .status,
            204);
  ExpectCode(Call("PUT", "/api/organization-roles/nope/scopes",
                  Json{{"organizationScopeIds", {read}}}.dump()),
             422, "entity.relation_foreign_key_not_found");
  ExpectCode(Call("PUT", path, R"({"organizationScopeIds":"x"})"), 400, "guard.invalid_input");
}

TEST_P(LogtoRolesTest, DeletingAScopeOrRoleRemovesTheirLinks) {
  const std::string read = ScopeId("read");
  const std::string write = ScopeId("write");
  Json role = CreateRole({{"name", "admin"}, {"organizationScopeIds", {read, write}}});
  const std::string path = "/api/organization-roles/" + role["id"].get<std::string>() + "/scopes";
  EXPECT_EQ(Call("DELETE", "/api/organization-scopes/" + read).status, 204);
  EXPECT_EQ(Ids(Get(path)), std::vector<std::string>{write});
  EXPECT_EQ(Get("/api/organization-roles")[0]["scopes"],
            (Json{{{"id", write}, {"name", "write"}}}));
  EXPECT_EQ(Call("DELETE", "/api/organization-roles/" + role["id"].get<std::string>()).status, 204);
  // The scope itself survives the role.
  EXPECT_EQ(Get("/api/organization-scopes/" + write)["name"], "write");
}

// --- role ↔ resource scope links ---------------------------------------------------------------

TEST_P(LogtoRolesTest, ResourceScopeLinks) {
  const std::vector<std::string> scopes = ResourceScopes("billing", {"write:bill", "read:bill"});
  const std::string role = RoleId("admin");
  const std::string path = "/api/organization-roles/" + role + "/resource-scopes";
  auto res = Call("POST", path, Json{{"scopeIds", scopes}}.dump());
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_TRUE(res.body.empty());
  EXPECT_EQ(Call("POST", path, Json{{"scopeIds", {scopes[0]}}}.dump()).status, 201);
  res = Call("GET", path);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_FALSE(res.HasHeader("total-number"));
  ASSERT_EQ(res.json.size(), 2u) << res.body;
  std::vector<std::string> ids = Ids(res.json);
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> want = scopes;
  std::sort(want.begin(), want.end());
  EXPECT_EQ(ids, want);
  for (const auto& scope : res.json) {
    EXPECT_EQ(scope["tenantId"], "default");
    EXPECT_TRUE(scope["resourceId"].is_string());
    EXPECT_TRUE(scope["createdAt"].is_number_integer());
    EXPECT_EQ(scope["description"], nullptr);
    EXPECT_EQ(scope.size(), 6u) << scope;
  }
  res = Call("GET", path + "?page_size=1");
  EXPECT_EQ(res.Header("total-number"), "2");
  EXPECT_EQ(res.json.size(), 1u);

  // The list form embeds them by name, with their resource.
  Json listed = Get("/api/organization-roles")[0]["resourceScopes"];
  ASSERT_EQ(listed.size(), 2u) << listed;
  EXPECT_EQ(listed[0]["name"], "read:bill");
  EXPECT_EQ(listed[0]["id"], scopes[1]);
  EXPECT_EQ(listed[0]["resource"]["name"], "billing");
  EXPECT_EQ(listed[1]["name"], "write:bill");

  EXPECT_EQ(Call("DELETE", path + "/" + scopes[0]).status, 204);
  ExpectCode(Call("DELETE", path + "/" + scopes[0]), 404, "entity.not_found");
  EXPECT_EQ(Ids(Get(path)), std::vector<std::string>{scopes[1]});
}

TEST_P(LogtoRolesTest, ResourceScopeLinkErrorsAndReplace) {
  const std::vector<std::string> scopes = ResourceScopes("billing", {"a", "b"});
  const std::string role = RoleId("admin");
  const std::string path = "/api/organization-roles/" + role + "/resource-scopes";
  ExpectCode(Call("POST", path, R"({"scopeIds":[]})"), 400, "guard.invalid_input");
  ExpectCode(Call("POST", path, Json{{"scopeIds", {scopes[0], "nope"}}}.dump()), 422,
             "entity.relation_foreign_key_not_found");
  EXPECT_EQ(Get(path), Json::array());
  ExpectCode(Call("POST", "/api/organization-roles/nope/resource-scopes",
                  Json{{"scopeIds", {scopes[0]}}}.dump()),
             422, "entity.relation_foreign_key_not_found");
  ExpectCode(Call("GET", "/api/organization-roles/nope/resource-scopes"), 404,
             "entity.not_found");
  EXPECT_EQ(Call("PUT", path, Json{{"scopeIds", {scopes[1]}}}.dump()).status, 204);
  EXPECT_EQ(Ids(Get(path)), std::vector<std::string>{scopes[1]});
  ExpectCode(Call("PUT", path, Json{{"scopeIds", {scopes[0], scopes[0]}}}.dump()), 422,
             "entity.unique_integrity_violation");
  EXPECT_EQ(Ids(Get(path)), std::vector<std::string>{scopes[1]});
  EXPECT_EQ(Call("PUT", path, R"({"scopeIds":[]})").status, 204);
  EXPECT_EQ(Get(path), Json::array());
  // A role created with resource scopes links them all.
  Json created = CreateRole({{"name", "billing-admin"}, {"resourceScopeIds", scopes}});
  EXPECT_EQ(Get("/api/organization-roles/" + created["id"].get<std::string>() + "/resource-scopes")
                .size(),
            2u);
}

// --- organization scopes -----------------------------------------------------------------------

TEST_P(LogtoRolesTest, ScopeCreateGetPatchDelete) {
  auto res = Call("POST", "/api/organization-scopes", R"({"name":"read:docs","description":"R"})");
  ASSERT_EQ(res.status, 201) << res.body;
  const std::string id = res.json["id"];
  EXPECT_TRUE(IsLogtoId(id, 21)) << id;
  Json expected = {{"tenantId", "default"}, {"id", id}, {"name", "read:docs"}, {"description", "R"}};
  EXPECT_EQ(res.json, expected);
  EXPECT_EQ(Get("/api/organization-scopes/" + id), expected);
  res = Call("PATCH", "/api/organization-scopes/" + id, R"({"name":"read:all","description":null})");
  ASSERT_EQ(res.status, 200) << res.body;
  expected["name"] = "read:all";
  expected["description"] = nullptr;
  EXPECT_EQ(res.json, expected);
  EXPECT_EQ(Call("PATCH", "/api/organization-scopes/" + id, "{}").json, expected);
  EXPECT_EQ(Call("DELETE", "/api/organization-scopes/" + id).status, 204);
  ExpectCode(Call("DELETE", "/api/organization-scopes/" + id), 404, "entity.not_found");
}

TEST_P(LogtoRolesTest, ScopeErrors) {
  const std::string id = ScopeId("read");
  ScopeId("write");
  ExpectCode(Call("POST", "/api/organization-scopes", R"({"name":"read"})"), 422,
             "entity.unique_integrity_violation");
  ExpectCode(Call("PATCH", "/api/organization-scopes/" + id, R"({"name":"write"})"), 422,
             "entity.unique_integrity_violation");
  ExpectCode(Call("POST", "/api/organization-scopes", R"({"description":"x"})"), 400,
             "guard.invalid_input");
  ExpectCode(Call("POST", "/api/organization-scopes", "{\"name\":\"" + std::string(129, 'x') + "\"}"),
             400, "guard.invalid_input");
  auto get = Call("GET", "/api/organization-scopes/nope");
  ExpectCode(get, 404, "entity.not_exists_with_id");
  EXPECT_EQ(get.json["message"], "The organization_scopes with ID `nope` does not exist.");
  auto patch = Call("PATCH", "/api/organization-scopes/nope", R"({"name":"x"})");
  ExpectCode(patch, 404, "entity.not_exists");
  EXPECT_EQ(patch.json["message"], "The organization_scope does not exist.");
  EXPECT_EQ(Get("/api/organization-scopes/" + id)["name"], "read");
}

TEST_P(LogtoRolesTest, ScopeListIsUnpaginatedWithoutPageParameters) {
  for (int i = 24; i >= 0; --i) ScopeId("scope-" + std::string(i < 10 ? "0" : "") + std::to_string(i));
  auto res = Call("GET", "/api/organization-scopes");
  ASSERT_EQ(res.status, 200);
  EXPECT_FALSE(res.HasHeader("total-number"));
  EXPECT_FALSE(res.HasHeader("link"));
  ASSERT_EQ(res.json.size(), 25u);
  std::vector<std::string> names = Names(res.json);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(names.front(), "scope-00");

  res = Call("GET", "/api/organization-scopes?page_size=10&page=3");
  EXPECT_EQ(res.Header("total-number"), "25");
  EXPECT_EQ(Names(res.json), (std::vector<std::string>(names.begin() + 20, names.end())));
  res = Call("GET", "/api/organization-scopes?page=2");
  EXPECT_EQ(res.json.size(), 5u);
  EXPECT_EQ(Names(Get("/api/organization-scopes?q=SCOPE-1")).size(), 10u);
  ExpectCode(Call("GET", "/api/organization-scopes?page_size=0"), 400, "guard.invalid_pagination");
}

INSTANTIATE_TEST_SUITE_P(Backends, LogtoRolesTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);

}  // namespace
}  // namespace orgd::testing
