// The Kinde dialect's roles and permissions (contracts/kinde.md §3.13.2, §3.13.3, §1.6, §1.7),
// end to end on every backend, and their identity with the Logto dialect's organization roles and
// scopes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "tests/http/kinde_calls.h"
#include "tests/support/test_server.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;

bool IsUuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : std::string_view("0123456789abcdef").find(s[i]) == std::string::npos) {
      return false;
    }
  }
  return true;
}

class KindeRolesTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Every create is a millisecond apart, so creation order is the order of the calls.
  FakeClock clock_{SystemClock().NowMillis()};
  TestServer server_{GetParam(), {.clock = &clock_}};

  HttpResponse Call(const std::string& method, const std::string& target,
                    const std::string& body = "") {
    clock_.Advance(1);
    return server_.Kinde(method, target, body);
  }
  std::string CreateRole(const Json& body) {
    auto res = Call("POST", "/api/v1/roles", body.dump());
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json["role"]["id"];
  }
  std::string CreatePermission(const Json& body) {
    auto res = Call("POST", "/api/v1/permissions", body.dump());
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json["permission"]["id"];
  }
  Json Get(const std::string& target) {
    auto res = Call("GET", target);
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json;
  }
  // Every item of a next_token list, page by page; `between` runs after each page.
  std::vector<std::string> Walk(const std::string& target, const std::string& items,
                                const std::function<void(int)>& between = {}) {
    std::vector<std::string> keys;
    std::string token;
    for (int page = 0; page < 50; ++page) {
      const char sep = target.find('?') == std::string::npos ? '?' : '&';
      Json list = Get(target + (token.empty() ? "" : sep + std::string("next_token=") + token));
      for (const auto& item : list[items]) keys.push_back(item.value("key", item.value("id", "")));
      if (list["next_token"].is_null()) return keys;
      token = list["next_token"];
      if (between) between(page);
    }
    ADD_FAILURE() << "too many pages";
    return keys;
  }
  static void ExpectError(const HttpResponse& res, const std::string& code) {
    EXPECT_EQ(res.status, 400) << res.body;
    ASSERT_TRUE(res.json.contains("errors")) << res.body;
    ASSERT_TRUE(res.json["errors"].is_array()) << res.body;
    EXPECT_EQ(res.json["errors"][0]["code"], code) << res.body;
  }
  static void ExpectSuccess(const HttpResponse& res, int status = 200) {
    EXPECT_EQ(res.status, status) << res.body;
    EXPECT_EQ(res.json, (Json{{"code", "OK"}, {"message", "Success"}})) << res.body;
  }
};

// --- roles -------------------------------------------------------------------------------------

TEST_P(KindeRolesTest, CreateAnswers201WithTheIdAndGetReadsTheRole) {
  auto res = Call("POST", "/api/v1/roles",
                  R"({"key":"admin","name":"Administrator","description":"All","is_default_role":true})");
  ASSERT_EQ(res.status, 201) << res.body;
  const std::string id = res.json["role"]["id"];
  EXPECT_TRUE(IsUuid(id)) << id;
  EXPECT_EQ(res.json, (Json{{"code", "OK"}, {"message", "Success"}, {"role", {{"id", id}}}}));
  EXPECT_EQ(Get("/api/v1/roles/" + id),
            (Json{{"code", "OK"},
                  {"message", "Success"},
                  {"role",
                   {{"id", id}, {"key", "admin"}, {"name", "Administrator"},
                    {"description", "All"}, {"is_default_role", true}}}}));
  const std::string plain = CreateRole({{"key", "viewer"}});
  EXPECT_EQ(Get("/api/v1/roles/" + plain)["role"],
            (Json{{"id", plain}, {"key", "viewer"}, {"name", "viewer"}, {"description", nullptr},
                  {"is_default_role", false}}));
}

TEST_P(KindeRolesTest, CreateErrors) {
  CreateRole({{"key", "admin"}});
  const std::string permission = CreatePermission({{"key", "read"}});
  ExpectError(Call("POST", "/api/v1/roles", R"({"name":"x"})"), "KEY_REQUIRED");
  ExpectError(Call("POST", "/api/v1/roles", R"({"key":""})"), "KEY_REQUIRED");
  ExpectError(Call("POST", "/api/v1/roles", ""), "KEY_REQUIRED");
  ExpectError(Call("POST", "/api/v1/roles", R"({"key":"a b"})"), "INVALID_KEY");
  ExpectError(Call("POST", "/api/v1/roles", R"({"key":1})"), "INVALID_KEY");
  ExpectError(Call("POST", "/api/v1/roles", R"({"key":"x","is_default_role":"yes"})"),
              "INVALID_IS_DEFAULT_ROLE");
  ExpectError(Call("POST", "/api/v1/roles", R"({"key":"x","description":5})"),
              "INVALID_DESCRIPTION");
  ExpectError(Call("POST", "/api/v1/roles", R"({"key":)"), "INVALID_REQUEST_BODY");
  ExpectError(Call("POST", "/api/v1/roles", R"([1])"), "INVALID_REQUEST_BODY");
  auto exists = Call("POST", "/api/v1/roles", R"({"key":"admin","name":"Other"})");
  ExpectError(exists, "ROLE_KEY_EXISTS");
  ExpectError(Call("POST", "/api/v1/roles", R"({"key":"x","assignment_permission_id":"nope"})"),
              "PERMISSION_NOT_FOUND");
  // Nothing of the failed creates remains; a known assignment permission is accepted.
  EXPECT_EQ(Get("/api/v1/roles")["roles"].size(), 1u);
  CreateRole({{"key", "x"}, {"assignment_permission_id", permission}});
}

TEST_P(KindeRolesTest, GetUnknownRoleIsRoleNotFound) {
  auto res = Call("GET", "/api/v1/roles/nope");
  ExpectError(res, "ROLE_NOT_FOUND");
  EXPECT_EQ(res.json["errors"][0]["message"], "Role not found");
}

TEST_P(KindeRolesTest, PatchAnswers201AndReplacesTheFields) {
  const std::string id = CreateRole({{"key", "admin"}, {"description", "d"}});
  const std::string permission = CreatePermission({{"key", "read"}});
  ExpectSuccess(Call("PATCH", "/api/v1/roles/" + id,
                     Json{{"key", "owner"},
                          {"name", "Owner"},
                          {"is_default_role", true},
                          {"assignment_permission_id", permission}}
                         .dump()),
                201);
  EXPECT_EQ(Get("/api/v1/roles/" + id)["role"],
            (Json{{"id", id}, {"key", "owner"}, {"name", "Owner"}, {"description", "d"},
                  {"is_default_role", true}}));
  ExpectSuccess(Call("PATCH", "/api/v1/roles/" + id,
                     R"({"key":"owner","name":"Owner","description":null,
                         "assignment_permission_id":"NO_PERMISSION_REQUIRED"})"),
                201);
  EXPECT_EQ(Get("/api/v1/roles/" + id)["role"]["description"], nullptr);
}

TEST_P(KindeRolesTest, PatchErrors) {
  const std::string id = CreateRole({{"key", "admin"}});
  CreateRole({{"key", "viewer"}});
  auto patch = [&](const std::string& target, const std::string& body) {
    return Call("PATCH", target, body);
  };
  const std::string path = "/api/v1/roles/" + id;
  ExpectError(patch(path, R"({"key":"admin"})"), "NAME_REQUIRED");
  ExpectError(patch(path, R"({"key":"admin","name":""})"), "NAME_REQUIRED");
  ExpectError(patch(path, R"({"name":"Admin"})"), "KEY_REQUIRED");
  ExpectError(patch(path, R"({"name":"Admin","key":"a b"})"), "INVALID_KEY");
  ExpectError(patch(path, R"({"name":"Admin","key":"viewer"})"), "ROLE_KEY_EXISTS");
  ExpectError(patch(path, R"({"name":"Admin","key":"admin","assignment_permission_id":"nope"})"),
              "PERMISSION_NOT_FOUND");
  ExpectError(patch("/api/v1/roles/nope", R"({"name":"Admin","key":"admin"})"), "ROLE_NOT_FOUND");
  ExpectError(patch("/api/v1/roles/nope",
                    R"({"name":"Admin","key":"admin","assignment_permission_id":"nope"})"),
              "ROLE_NOT_FOUND");
  EXPECT_EQ(Get(path)["role"]["name"], "admin");
}

TEST_P(KindeRolesTest, DeleteRemovesTheRole) {
  const std::string id = CreateRole({{"key", "admin"}});
  ExpectSuccess(Call("DELETE", "/api/v1/roles/" + id));
  ExpectError(Call("GET", "/api/v1/roles/" + id), "ROLE_NOT_FOUND");
  ExpectError(Call("DELETE", "/api/v1/roles/" + id), "ROLE_NOT_FOUND");
}

TEST_P(KindeRolesTest, ListOrdersBySort) {
  CreateRole({{"key", "b-key"}, {"name", "Zeta"}});
  CreateRole({{"key", "C-key"}, {"name", "alpha"}});
  CreateRole({{"key", "a-key"}, {"name", "Mid"}});
  auto keys = [&](const std::string& query) { return Walk("/api/v1/roles" + query, "roles"); };
  EXPECT_EQ(keys(""), (std::vector<std::string>{"b-key", "C-key", "a-key"}));
  EXPECT_EQ(keys("?sort=name_asc"), (std::vector<std::string>{"C-key", "a-key", "b-key"}));
  EXPECT_EQ(keys("?sort=name_desc"), (std::vector<std::string>{"b-key", "a-key", "C-key"}));
  EXPECT_EQ(keys("?sort=key_asc"), (std::vector<std::string>{"a-key", "b-key", "C-key"}));
  EXPECT_EQ(keys("?sort=key_desc"), (std::vector<std::string>{"C-key", "b-key", "a-key"}));
  EXPECT_EQ(keys("?sort=key_asc&page_size=1"), (std::vector<std::string>{"a-key", "b-key", "C-key"}));
  Json list = Get("/api/v1/roles");
  EXPECT_EQ(list["code"], "OK");
  EXPECT_EQ(list["message"], "Success");
  EXPECT_EQ(list["next_token"], nullptr);
  EXPECT_EQ(list["roles"][0].size(), 5u) << list;
}

TEST_P(KindeRolesTest, ListRejectsBadParameters) {
  CreateRole({{"key", "a"}});
  CreateRole({{"key", "b"}});
  ExpectError(Call("GET", "/api/v1/roles?sort=created_desc"), "INVALID_SORT");
  ExpectError(Call("GET", "/api/v1/roles?page_size=0"), "INVALID_PAGE_SIZE");
  ExpectError(Call("GET", "/api/v1/roles?page_size=x"), "INVALID_PAGE_SIZE");
  ExpectError(Call("GET", "/api/v1/roles?page_size=501"), "PAGE_SIZE_LIMIT_EXCEEDED");
  ExpectError(Call("GET", "/api/v1/roles?next_token=garbage"), "INVALID_NEXT_TOKEN");
  Json first = Get("/api/v1/roles?page_size=1&sort=name_asc");
  ASSERT_TRUE(first["next_token"].is_string()) << first;
  const std::string token = first["next_token"];
  EXPECT_EQ(Get("/api/v1/roles?page_size=1&sort=name_asc&next_token=" + token)["roles"][0]["key"],
            "b");
  // A token belongs to its list and sort.
  ExpectError(Call("GET", "/api/v1/roles?page_size=1&sort=key_asc&next_token=" + token),
              "INVALID_NEXT_TOKEN");
  ExpectError(Call("GET", "/api/v1/permissions?sort=name_asc&next_token=" + token),
              "INVALID_NEXT_TOKEN");
}

TEST_P(KindeRolesTest, NextTokenVisitsEveryRowOnceWhileRowsChange) {
  std::vector<std::string> ids;
  for (const char* key : {"k1", "k2", "k3", "k4", "k5", "k6"}) ids.push_back(CreateRole({{"key", key}}));
  // Default (creation) order: after page 1, delete an unseen row, add a new one at the end, and
  // delete a row already seen.
  std::vector<std::string> keys = Walk("/api/v1/roles?page_size=2", "roles", [&](int page) {
    if (page != 0) return;
    ExpectSuccess(Call("DELETE", "/api/v1/roles/" + ids[3]));  // k4, not seen yet
    ExpectSuccess(Call("DELETE", "/api/v1/roles/" + ids[0]));  // k1, seen
    CreateRole({{"key", "k7"}});
  });
  EXPECT_EQ(keys, (std::vector<std::string>{"k1", "k2", "k3", "k5", "k6", "k7"}));
  // Key order: a row inserted before the cursor is not visited, one after it is.
  keys = Walk("/api/v1/roles?page_size=2&sort=key_desc", "roles", [&](int page) {
    if (page != 0) return;
    CreateRole({{"key", "k9"}});  // before the cursor in this order
    CreateRole({{"key", "k0"}});  // after it
    ExpectSuccess(Call("DELETE", "/api/v1/roles/" + ids[4]));  // k5
  });
  EXPECT_EQ(keys, (std::vector<std::string>{"k7", "k6", "k3", "k2", "k0"}));
}

// --- role permissions --------------------------------------------------------------------------

TEST_P(KindeRolesTest, RolePermissionsPatchAddsAndRemoves) {
  const std::string role = CreateRole({{"key", "admin"}});
  const std::string read = CreatePermission({{"key", "read"}, {"name", "Read"}});
  const std::string write = CreatePermission({{"key", "write"}});
  const std::string path = "/api/v1/roles/" + role + "/permissions";
  auto res = Call("PATCH", path, Json{{"permissions", {{{"id", read}}, {{"id", write}}}}}.dump());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json, (Json{{"code", "OK"},
                            {"message", "Success"},
                            {"permissions_added", {read, write}},
                            {"permissions_removed", Json::array()}}));
  res = Call("PATCH", path,
             Json{{"permissions", {{{"id", read}}, {{"id", write}, {"operation", "delete"}}}}}
                 .dump());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json["permissions_added"], Json::array());
  EXPECT_EQ(res.json["permissions_removed"], (Json{write}));
  res = Call("PATCH", path,
             Json{{"permissions", {{{"id", write}, {"operation", "delete"}}}}}.dump());
  EXPECT_EQ(res.json["permissions_removed"], Json::array());
  Json list = Get(path);
  EXPECT_EQ(list, (Json{{"code", "OK"},
                        {"message", "Success"},
                        {"permissions",
                         {{{"id", read}, {"key", "read"}, {"name", "Read"},
                           {"description", nullptr}}}},
                        {"next_token", nullptr}}));
}

TEST_P(KindeRolesTest, RolePermissionsPatchIsAllOrNothing) {
  const std::string role = CreateRole({{"key", "admin"}});
  const std::string read = CreatePermission({{"key", "read"}});
  const std::string path = "/api/v1/roles/" + role + "/permissions";
  ExpectError(Call("PATCH", path, Json{{"permissions", {{{"id", read}}, {{"id", "nope"}}}}}.dump()),
              "PERMISSION_NOT_FOUND");
  ExpectError(Call("PATCH", path,
                   Json{{"permissions", {{{"id", read}}, {{"id", read}, {"operation", "remove"}}}}}
                       .dump()),
              "INVALID_OPERATION");
  ExpectError(Call("PATCH", path, R"({})"), "PERMISSIONS_REQUIRED");
  ExpectError(Call("PATCH", path, R"({"permissions":"x"})"), "INVALID_PERMISSIONS");
  ExpectError(Call("PATCH", path, R"({"permissions":[{"operation":"delete"}]})"),
              "INVALID_PERMISSIONS");
  ExpectError(Call("PATCH", "/api/v1/roles/nope/permissions",
                   Json{{"permissions", {{{"id", read}}}}}.dump()),
              "ROLE_NOT_FOUND");
  EXPECT_EQ(Get(path)["permissions"], Json::array());
  ExpectError(Call("GET", "/api/v1/roles/nope/permissions"), "ROLE_NOT_FOUND");
}

TEST_P(KindeRolesTest, RolePermissionRemove) {
  const std::string role = CreateRole({{"key", "admin"}});
  const std::string read = CreatePermission({{"key", "read"}});
  const std::string path = "/api/v1/roles/" + role + "/permissions";
  ASSERT_EQ(Call("PATCH", path, Json{{"permissions", {{{"id", read}}}}}.dump()).status, 200);
  ExpectSuccess(Call("DELETE", path + "/" + read));
  ExpectError(Call("DELETE", path + "/" + read), "PERMISSION_NOT_ASSIGNED");
  ExpectError(Call("DELETE", path + "/nope"), "PERMISSION_NOT_ASSIGNED");
  ExpectError(Call("DELETE", "/api/v1/roles/nope/permissions/" + read), "ROLE_NOT_FOUND");
}

TEST_P(KindeRolesTest, RolePermissionsListSortsAndPages) {
  const std::string role = CreateRole({{"key", "admin"}});
  Json changes = Json::array();
  std::vector<std::string> ids;
  for (const char* name : {"Bravo", "alpha", "Charlie", "delta"}) {
    ids.push_back(CreatePermission({{"key", std::string("k-") + name}, {"name", name}}));
    changes.push_back({{"id", ids.back()}});
  }
  CreatePermission({{"key", "unlinked"}});
  ASSERT_EQ(Call("PATCH", "/api/v1/roles/" + role + "/permissions",
                 Json{{"permissions", changes}}.dump())
                .status,
            200);
  const std::string path = "/api/v1/roles/" + role + "/permissions?page_size=3";
  EXPECT_EQ(Walk(path, "permissions"),
            (std::vector<std::string>{"k-Bravo", "k-alpha", "k-Charlie", "k-delta"}));
  EXPECT_EQ(Walk(path + "&sort=name_asc", "permissions"),
            (std::vector<std::string>{"k-alpha", "k-Bravo", "k-Charlie", "k-delta"}));
  EXPECT_EQ(Walk(path + "&sort=name_desc", "permissions"),
            (std::vector<std::string>{"k-delta", "k-Charlie", "k-Bravo", "k-alpha"}));
  std::vector<std::string> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::string> by_id;
  for (const std::string& key : Walk(path + "&sort=id_asc", "permissions")) by_id.push_back(key);
  std::vector<std::string> expected_keys;
  for (const std::string& id : sorted) {
    for (size_t i = 0; i < ids.size(); ++i) {
      if (ids[i] == id) expected_keys.push_back(std::vector<std::string>{
          "k-Bravo", "k-alpha", "k-Charlie", "k-delta"}[i]);
    }
  }
  EXPECT_EQ(by_id, expected_keys);
  ExpectError(Call("GET", path + "&sort=key_asc"), "INVALID_SORT");
}

// --- role API scopes ---------------------------------------------------------------------------

TEST_P(KindeRolesTest, RoleScopes) {
  auto api = Call("POST", "/api/v1/apis", R"({"name":"Billing","audience":"https://billing"})");
  ASSERT_EQ(api.status, 200) << api.body;
  const std::string api_id = api.json["api"]["id"];
  auto scope = Call("POST", "/api/v1/apis/" + api_id + "/scopes",
                    R"({"key":"read:bills","description":"Read bills"})");
  ASSERT_EQ(scope.status, 200) << scope.body;
  const std::string scope_id = scope.json["scope"]["id"];
  const std::string role = CreateRole({{"key", "admin"}});
  const std::string path = "/api/v1/roles/" + role + "/scopes";

  EXPECT_EQ(Get(path), (Json{{"code", "OK"}, {"message", "Success"}, {"scopes", Json::array()}}));
  const Json added = {{"code", "ROLE_SCOPE_ADDED"}, {"message", "Scope added to role"}};
  auto res = Call("POST", path, Json{{"scope_id", scope_id}}.dump());
  EXPECT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.json, added);
  res = Call("POST", path, Json{{"scope_id", scope_id}}.dump());
  EXPECT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(Get(path)["scopes"], (Json{{{"id", scope_id}, {"key", "read:bills"},
                                        {"description", "Read bills"}, {"api_id", api_id}}}));

  ExpectError(Call("POST", path, R"({})"), "SCOPE_ID_REQUIRED");
  ExpectError(Call("POST", path, R"({"scope_id":1})"), "INVALID_SCOPE_ID");
  ExpectError(Call("POST", path, R"({"scope_id":"nope"})"), "SCOPE_NOT_FOUND");
  ExpectError(Call("POST", "/api/v1/roles/nope/scopes", Json{{"scope_id", scope_id}}.dump()),
              "ROLE_NOT_FOUND");
  ExpectError(Call("GET", "/api/v1/roles/nope/scopes"), "ROLE_NOT_FOUND");

  res = Call("DELETE", path + "/" + scope_id);
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json, (Json{{"code", "SCOPE_DELETED"}, {"message", "Scope deleted from role"}}));
  ExpectError(Call("DELETE", path + "/" + scope_id), "SCOPE_NOT_ASSIGNED");
  ExpectError(Call("DELETE", "/api/v1/roles/nope/scopes/" + scope_id), "ROLE_NOT_FOUND");
  EXPECT_EQ(Get(path)["scopes"], Json::array());
}

// --- role holders ------------------------------------------------------------------------------

TEST_P(KindeRolesTest, RoleUsersOfAnUnknownOrUnheldRole) {
  const std::string role = CreateRole({{"key", "admin"}});
  EXPECT_EQ(Get("/api/v1/roles/" + role + "/users"),
            (Json{{"code", "OK"}, {"message", "Success"}, {"users", Json::array()},
                  {"next_token", nullptr}}));
  ExpectError(Call("GET", "/api/v1/roles/nope/users"), "ROLE_NOT_FOUND");
  ExpectError(Call("GET", "/api/v1/roles/" + role + "/users?page_size=0"), "INVALID_PAGE_SIZE");
  ExpectError(Call("GET", "/api/v1/roles/" + role + "/users?next_token=x"), "INVALID_NEXT_TOKEN");
}

TEST_P(KindeRolesTest, RoleUsersListsHoldersWithTheirOrganizations) {
  const std::string role = CreateRole({{"key", "admin"}});
  std::vector<std::string> orgs;
  for (const char* name : {"Acme", "Globex"}) {
    auto res = Call("POST", "/api/v1/organization", Json{{"name", name}}.dump());
    ASSERT_EQ(res.status, 200) << res.body;
    orgs.push_back(res.json["organization"]["code"]);
  }
  std::vector<std::string> users;
  for (int i = 0; i < 3; ++i) {
    auto res = Call("POST", "/api/v1/user", R"({})");
    ASSERT_EQ(res.status, 200) << res.body;
    users.push_back(res.json["id"]);
  }
  auto grant = [&](const std::string& org, const std::string& user) {
    auto add = Call("POST", "/api/v1/organizations/" + org + "/users",
                    Json{{"users", {{{"id", user}}}}}.dump());
    ASSERT_EQ(add.status, 200) << add.body;
    auto res = Call("POST", "/api/v1/organizations/" + org + "/users/" + user + "/roles",
                    Json{{"role_id", role}}.dump());
    ASSERT_EQ(res.status, 200) << res.body;
  };
  grant(orgs[0], users[0]);
  grant(orgs[1], users[0]);
  grant(orgs[1], users[2]);
  std::vector<std::string> holders = {users[0], users[2]};
  std::sort(holders.begin(), holders.end());

  std::vector<std::string> seen;
  std::string token;
  for (int page = 0; page < 5; ++page) {
    Json list = Get("/api/v1/roles/" + role + "/users?page_size=1" +
                    (token.empty() ? "" : "&next_token=" + token));
    ASSERT_EQ(list["users"].size(), 1u) << list;
    const Json& user = list["users"][0];
    seen.push_back(user["id"]);
    std::vector<std::string> codes = user["org_codes"];
    if (user["id"] == users[0]) {
      std::vector<std::string> want = orgs;
      std::sort(want.begin(), want.end());
      std::sort(codes.begin(), codes.end());
      EXPECT_EQ(codes, want);
    } else {
      EXPECT_EQ(codes, std::vector<std::string>{orgs[1]});
    }
    if (list["next_token"].is_null()) break;
    token = list["next_token"];
  }
  EXPECT_EQ(seen, holders);
  // A token of one role's holders is not valid for another's.
  const std::string other = CreateRole({{"key", "other"}});
  Json first = Get("/api/v1/roles/" + role + "/users?page_size=1");
  ASSERT_TRUE(first["next_token"].is_string());
  ExpectError(Call("GET", "/api/v1/roles/" + other + "/users?next_token=" +
                              first["next_token"].get<std::string>()),
              "INVALID_NEXT_TOKEN");
}

// --- permissions -------------------------------------------------------------------------------

TEST_P(KindeRolesTest, PermissionCreateListPatchDelete) {
  auto res = Call("POST", "/api/v1/permissions", R"({"key":"read:docs","name":"Read","description":"R"})");
  ASSERT_EQ(res.status, 201) << res.body;
  const std::string id = res.json["permission"]["id"];
  ASSERT_EQ(id.size(), 37u) << id;
  EXPECT_EQ(id.substr(0, 5), "perm_");
  EXPECT_EQ(res.json, (Json{{"code", "OK"}, {"message", "Success"}, {"permission", {{"id", id}}}}));
  const std::string plain = CreatePermission({{"key", "write:docs"}});
  Json list = Get("/api/v1/permissions");
  EXPECT_EQ(list, (Json{{"code", "OK"},
                        {"message", "Success"},
                        {"permissions",
                         {{{"id", id}, {"key", "read:docs"}, {"name", "Read"}, {"description", "R"}},
                          {{"id", plain}, {"key", "write:docs"}, {"name", "write:docs"},
                           {"description", nullptr}}}},
                        {"next_token", nullptr}}));
  ExpectSuccess(Call("PATCH", "/api/v1/permissions/" + id, R"({"name":"Reader"})"));
  ExpectSuccess(Call("PATCH", "/api/v1/permissions/" + id, R"({"key":"read:all","description":null})"));
  EXPECT_EQ(Get("/api/v1/permissions")["permissions"][0],
            (Json{{"id", id}, {"key", "read:all"}, {"name", "Reader"}, {"description", nullptr}}));
  ExpectSuccess(Call("DELETE", "/api/v1/permissions/" + id));
  ExpectError(Call("DELETE", "/api/v1/permissions/" + id), "PERMISSION_NOT_FOUND");
  EXPECT_EQ(Get("/api/v1/permissions")["permissions"].size(), 1u);
}

TEST_P(KindeRolesTest, PermissionErrors) {
  const std::string id = CreatePermission({{"key", "read"}});
  CreatePermission({{"key", "write"}});
  ExpectError(Call("POST", "/api/v1/permissions", R"({"name":"x"})"), "KEY_REQUIRED");
  ExpectError(Call("POST", "/api/v1/permissions", R"({"key":"a b"})"), "INVALID_KEY");
  ExpectError(Call("POST", "/api/v1/permissions", R"({"key":"read"})"), "PERMISSION_KEY_EXISTS");
  ExpectError(Call("POST", "/api/v1/permissions", R"({"key":"x","name":3})"), "INVALID_NAME");
  ExpectError(Call("POST", "/api/v1/permissions", "nope"), "INVALID_REQUEST_BODY");
  const std::string path = "/api/v1/permissions/" + id;
  ExpectError(Call("PATCH", path, R"({})"), "NO_FIELDS_TO_UPDATE");
  ExpectError(Call("PATCH", path, R"({"unknown":1})"), "NO_FIELDS_TO_UPDATE");
  ExpectError(Call("PATCH", path, R"({"key":"write"})"), "PERMISSION_KEY_EXISTS");
  ExpectError(Call("PATCH", path, R"({"key":""})"), "KEY_REQUIRED");
  ExpectError(Call("PATCH", path, R"({"key":"x y"})"), "INVALID_KEY");
  ExpectError(Call("PATCH", "/api/v1/permissions/nope", R"({"name":"x"})"), "PERMISSION_NOT_FOUND");
  EXPECT_EQ(Get("/api/v1/permissions")["permissions"][0]["key"], "read");
}

TEST_P(KindeRolesTest, PermissionListSortsAndPagesWhileRowsChange) {
  std::vector<std::string> ids;
  for (const char* name : {"Bravo", "alpha", "Delta", "charlie", "echo"}) {
    ids.push_back(CreatePermission({{"key", std::string("k-") + name}, {"name", name}}));
  }
  EXPECT_EQ(Walk("/api/v1/permissions?page_size=2&sort=name_asc", "permissions"),
            (std::vector<std::string>{"k-alpha", "k-Bravo", "k-charlie", "k-Delta", "k-echo"}));
  EXPECT_EQ(Walk("/api/v1/permissions?page_size=2", "permissions", [&](int page) {
              if (page != 0) return;
              ExpectSuccess(Call("DELETE", "/api/v1/permissions/" + ids[2]));  // k-Delta
              CreatePermission({{"key", "k-foxtrot"}});
            }),
            (std::vector<std::string>{"k-Bravo", "k-alpha", "k-charlie", "k-echo", "k-foxtrot"}));
  std::vector<std::string> by_id_desc;
  const Json by_id = Get("/api/v1/permissions?sort=id_desc");
  for (const auto& p : by_id["permissions"]) {
    by_id_desc.push_back(p["id"]);
  }
  EXPECT_TRUE(std::is_sorted(by_id_desc.rbegin(), by_id_desc.rend()));
  EXPECT_EQ(by_id_desc.size(), 5u);
  ExpectError(Call("GET", "/api/v1/permissions?sort=key_asc"), "INVALID_SORT");
  ExpectError(Call("GET", "/api/v1/permissions?page_size=501"), "PAGE_SIZE_LIMIT_EXCEEDED");
}

TEST_P(KindeRolesTest, DeletingAPermissionUnlinksItFromRoles) {
  const std::string role = CreateRole({{"key", "admin"}});
  const std::string read = CreatePermission({{"key", "read"}});
  const std::string path = "/api/v1/roles/" + role + "/permissions";
  ASSERT_EQ(Call("PATCH", path, Json{{"permissions", {{{"id", read}}}}}.dump()).status, 200);
  ExpectSuccess(Call("DELETE", "/api/v1/permissions/" + read));
  EXPECT_EQ(Get(path)["permissions"], Json::array());
}

// --- scopes of the token -----------------------------------------------------------------------

TEST_P(KindeRolesTest, RoutesRequireTheirScopes) {
  auto [client, secret] = server_.CreateClient({"read:roles"});
  auto token = RequestKindeToken(server_, client, secret);
  ASSERT_EQ(token.status, 200) << token.body;
  const std::string bearer = "Bearer " + token.json["access_token"].get<std::string>();
  auto send = [&](const std::string& method, const std::string& target) {
    return server_.Send(method, target, "{}",
                        {{"Authorization", bearer}, {"Content-Type", "application/json"}});
  };
  EXPECT_EQ(send("GET", "/api/v1/roles").status, 200);
  auto denied = send("POST", "/api/v1/roles");
  EXPECT_EQ(denied.status, 403) << denied.body;
  EXPECT_EQ(denied.json["errors"][0]["code"], "FORBIDDEN");
  EXPECT_EQ(denied.json["errors"][0]["message"], "Missing required scope: create:roles");
  EXPECT_EQ(send("GET", "/api/v1/permissions").status, 403);
  EXPECT_EQ(send("GET", "/api/v1/roles/x/users").status, 403);
  EXPECT_EQ(server_.Send("GET", "/api/v1/roles").status, 401);
}

// --- identity with the Logto dialect -------------------------------------------------------------

TEST_P(KindeRolesTest, KindeRoleIsALogtoOrganizationRole) {
  const std::string read = CreatePermission({{"key", "read"}, {"name", "Read things"}});
  const std::string role = CreateRole({{"key", "admin"}, {"name", "Administrator"}});
  ASSERT_EQ(Call("PATCH", "/api/v1/roles/" + role + "/permissions",
                 Json{{"permissions", {{{"id", read}}}}}.dump())
                .status,
            200);
  auto res = server_.Logto("GET", "/api/organization-roles/" + role);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json, (Json{{"tenantId", "default"}, {"id", role}, {"name", "admin"},
                            {"description", nullptr}, {"type", "User"}}));
  res = server_.Logto("GET", "/api/organization-roles");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json[0]["scopes"], (Json{{{"id", read}, {"name", "read"}}}));
  res = server_.Logto("GET", "/api/organization-scopes/" + read);
  EXPECT_EQ(res.json, (Json{{"tenantId", "default"}, {"id", read}, {"name", "read"},
                            {"description", nullptr}}));
  // A Logto-side removal shows in Kinde.
  EXPECT_EQ(server_.Logto("DELETE", "/api/organization-roles/" + role + "/scopes/" + read).status,
            204);
  EXPECT_EQ(Get("/api/v1/roles/" + role + "/permissions")["permissions"], Json::array());
}

TEST_P(KindeRolesTest, LogtoRoleIsAKindeRole) {
  auto scope = server_.Logto("POST", "/api/organization-scopes", R"({"name":"read:docs"})");
  ASSERT_EQ(scope.status, 201) << scope.body;
  const std::string scope_id = scope.json["id"];
  auto role = server_.Logto("POST", "/api/organization-roles",
                            Json{{"name", "editor"}, {"description", "Edits"},
                                 {"organizationScopeIds", {scope_id}}}
                                .dump());
  ASSERT_EQ(role.status, 201) << role.body;
  const std::string id = role.json["id"];
  EXPECT_EQ(Get("/api/v1/roles/" + id)["role"],
            (Json{{"id", id}, {"key", "editor"}, {"name", "editor"}, {"description", "Edits"},
                  {"is_default_role", false}}));
  EXPECT_EQ(Get("/api/v1/roles/" + id + "/permissions")["permissions"],
            (Json{{{"id", scope_id}, {"key", "read:docs"}, {"name", "read:docs"},
                   {"description", nullptr}}}));
  // A Logto rename moves the key, and the display name that equalled it.
  ASSERT_EQ(server_.Logto("PATCH", "/api/organization-roles/" + id, R"({"name":"author"})").status,
            200);
  ASSERT_EQ(server_.Logto("PATCH", "/api/organization-scopes/" + scope_id, R"({"name":"read:all"})")
                .status,
            200);
  EXPECT_EQ(Get("/api/v1/roles/" + id)["role"]["name"], "author");
  EXPECT_EQ(Get("/api/v1/roles/" + id)["role"]["key"], "author");
  EXPECT_EQ(Get("/api/v1/permissions")["permissions"][0]["name"], "read:all");
  // Kinde keys clash with Logto names.
  ExpectError(Call("POST", "/api/v1/roles", R"({"key":"author"})"), "ROLE_KEY_EXISTS");
  ExpectError(Call("POST", "/api/v1/permissions", R"({"key":"read:all"})"), "PERMISSION_KEY_EXISTS");
  // A Kinde delete removes the Logto role.
  ExpectSuccess(Call("DELETE", "/api/v1/roles/" + id));
  EXPECT_EQ(server_.Logto("GET", "/api/organization-roles/" + id).status, 404);
}

INSTANTIATE_TEST_SUITE_P(Backends, KindeRolesTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);

}  // namespace
}  // namespace orgd::testing
