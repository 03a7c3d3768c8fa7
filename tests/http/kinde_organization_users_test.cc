// The Kinde dialect's organization-user routes (contracts/kinde.md §3.3–§3.7), end to end.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/http/members_fixture.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;

class KindeOrganizationUsersTest : public MembersFixture {
 protected:
  std::string Users(const std::string& org) { return "/api/v1/organizations/" + org + "/users"; }
  HttpResponse AddUsers(const std::string& org, const Json& users) {
    return server_.Kinde("POST", Users(org), Json{{"users", users}}.dump());
  }
  // Ids in list order for `query` (every page of size `page_size`).
  std::vector<std::string> ListAll(const std::string& org, const std::string& query,
                                   int page_size = 100) {
    std::vector<std::string> ids;
    std::string token;
    for (int guard = 0; guard < 100; ++guard) {
      std::string target = Users(org) + "?page_size=" + std::to_string(page_size) + query;
      if (!token.empty()) target += "&next_token=" + token;
      auto res = server_.Kinde("GET", target);
      EXPECT_EQ(res.status, 200) << res.body;
      if (res.status != 200) break;
      for (const Json& u : res.json["organization_users"]) ids.push_back(u["id"]);
      if (res.json["next_token"].is_null()) break;
      token = res.json["next_token"];
    }
    return ids;
  }
  std::vector<std::string> RoleKeys(const std::string& org, const std::string& user) {
    auto res = server_.Kinde("GET", Users(org) + "/" + user + "/roles");
    EXPECT_EQ(res.status, 200) << res.body;
    std::vector<std::string> keys;
    for (const Json& r : res.json["roles"]) keys.push_back(r["key"]);
    return keys;
  }
  std::vector<std::string> PermissionKeys(const std::string& org, const std::string& user) {
    auto res = server_.Kinde("GET", Users(org) + "/" + user + "/permissions");
    EXPECT_EQ(res.status, 200) << res.body;
    std::vector<std::string> keys;
    for (const Json& p : res.json["permissions"]) keys.push_back(p["key"]);
    return keys;
  }
  void ExpectError(const HttpResponse& res, const std::string& code) {
    EXPECT_EQ(res.status, 400) << res.body;
    ASSERT_TRUE(res.json.contains("errors") && res.json["errors"].is_array()) << res.body;
    EXPECT_EQ(res.json["errors"][0]["code"], code) << res.body;
  }
  void Expect404(const HttpResponse& res, const std::string& code) {
    EXPECT_EQ(res.status, 404) << res.body;
    ASSERT_TRUE(res.json.contains("errors") && res.json["errors"].is_object()) << res.body;
    EXPECT_EQ(res.json["errors"]["code"], code) << res.body;
  }
};

TEST_P(KindeOrganizationUsersTest, AddGivesListedAndDefaultRolesToNewMembers) {
  std::string org = KindeOrg();
  std::string a = KindeUser("Ann", "Smith", "ann@example.com");
  std::string b = KindeUser("", "", "");
  KindeRole("member", /*is_default=*/true);
  KindeRole("admin");
  std::string read = KindePermission("read:docs");
  auto res = AddUsers(org, {{{"id", a}, {"roles", {"admin"}}, {"permissions", {"read:docs"}}},
                            {{"id", b}}});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json, (Json{{"code", "OK"}, {"message", "Success"}, {"users_added", {a, b}}}));
  EXPECT_EQ(RoleKeys(org, a), (std::vector<std::string>{"admin", "member"}));
  EXPECT_EQ(RoleKeys(org, b), std::vector<std::string>{"member"});
  EXPECT_EQ(PermissionKeys(org, a), std::vector<std::string>{"read:docs"});

  // An existing member is not listed again but gets the listed grants; no default role anew.
  ASSERT_EQ(server_.Kinde("DELETE", Users(org) + "/" + b + "/roles/" +
                                        server_.Kinde("GET", Users(org) + "/" + b + "/roles")
                                            .json["roles"][0]["id"].get<std::string>())
                .status,
            200);
  auto again = AddUsers(org, {{{"id", b}, {"roles", {"admin"}}}});
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.json["users_added"], Json::array());
  EXPECT_EQ(RoleKeys(org, b), std::vector<std::string>{"admin"});

  auto list = server_.Kinde("GET", Users(org));
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json["code"], "OK");
  EXPECT_TRUE(list.json["next_token"].is_null());
  ASSERT_EQ(list.json["organization_users"].size(), 2u);
  const Json& users = list.json["organization_users"];
  const Json& ann = users[0]["id"] == a ? users[0] : users[1];
  const Json& nameless = users[0]["id"] == a ? users[1] : users[0];
  EXPECT_EQ(ann["id"], a);
  EXPECT_EQ(ann["email"], "ann@example.com");
  EXPECT_EQ(ann["full_name"], "Ann Smith");
  EXPECT_EQ(ann["first_name"], "Ann");
  EXPECT_EQ(ann["last_name"], "Smith");
  EXPECT_EQ(ann["picture"], nullptr);
  EXPECT_TRUE(ann["joined_on"].is_string());
  EXPECT_EQ(ann["last_accessed_on"], nullptr);
  EXPECT_EQ(ann["is_suspended"], false);
  EXPECT_EQ(ann["roles"], Json::array({"admin", "member"}));
  EXPECT_EQ(nameless["full_name"], "");
  EXPECT_EQ(nameless["email"], nullptr);
}

TEST_P(KindeOrganizationUsersTest, AddIsAllOrNothingAndValidated) {
  std::string org = KindeOrg();
  std::string a = KindeUser("Ann", "", "");
  KindeRole("admin");
  ExpectError(AddUsers(org, {{{"id", a}}, {{"id", "kp_nope"}}}), "USER_NOT_FOUND");
  ExpectError(AddUsers(org, {{{"id", a}, {"roles", {"admin", "ghost"}}}}), "ROLE_NOT_FOUND");
  ExpectError(AddUsers(org, {{{"id", a}, {"permissions", {"ghost"}}}}), "PERMISSION_NOT_FOUND");
  ExpectError(AddUsers(org, {{{"roles", {"admin"}}}}), "USER_ID_REQUIRED");
  ExpectError(AddUsers("org_nope", {{{"id", a}}}), "ORGANIZATION_NOT_FOUND");
  Json many = Json::array();
  for (int i = 0; i < 101; ++i) many.push_back({{"id", a}});
  ExpectError(AddUsers(org, many), "USERS_LIMIT_EXCEEDED");
  ExpectError(server_.Kinde("POST", Users(org), "{bad"), "INVALID_REQUEST_BODY");
  EXPECT_TRUE(ListAll(org, "").empty());

  auto empty = server_.Kinde("POST", Users(org), "");
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(empty.json["users_added"], Json::array());
}

// A full request (100 users) is read and written in a few statements; the first failing item,
// in request order, decides the error, and a user listed twice joins once.
TEST_P(KindeOrganizationUsersTest, AFullAddChecksItemsInOrderAndGrantsOnce) {
  std::string org = KindeOrg();
  std::vector<std::string> ids = ImportedUsers("kp_bulk", 99);
  KindeRole("member", /*is_default=*/true);
  KindeRole("admin");
  KindePermission("read:docs");
  auto item = [&](int i) { return Json{{"id", ids[i]}, {"roles", {"admin"}}}; };
  Json users = Json::array();
  for (int i = 0; i < 99; ++i) users.push_back(item(i));
  users.push_back({{"id", ids[0]}, {"permissions", {"read:docs"}}});  // ids[0] again

  Json bad = users;
  bad[40]["roles"] = {"admin", "ghost"};
  bad[60]["id"] = "kp_nope";
  ExpectError(AddUsers(org, bad), "ROLE_NOT_FOUND");
  bad = users;
  bad[40]["id"] = "kp_nope";
  bad[60]["permissions"] = {"ghost"};
  ExpectError(AddUsers(org, bad), "USER_NOT_FOUND");
  bad = users;
  bad[40]["permissions"] = {"ghost"};
  bad[60]["roles"] = {"ghost"};
  ExpectError(AddUsers(org, bad), "PERMISSION_NOT_FOUND");
  EXPECT_TRUE(ListAll(org, "").empty());

  auto res = AddUsers(org, users);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json["users_added"], Json(ids));
  EXPECT_EQ(RoleKeys(org, ids[0]), (std::vector<std::string>{"admin", "member"}));
  EXPECT_EQ(RoleKeys(org, ids[98]), (std::vector<std::string>{"admin", "member"}));
  EXPECT_EQ(PermissionKeys(org, ids[0]), std::vector<std::string>{"read:docs"});
  EXPECT_TRUE(PermissionKeys(org, ids[1]).empty());
  EXPECT_EQ(ListAll(org, "").size(), 99u);
}

TEST_P(KindeOrganizationUsersTest, PatchAddsUpdatesAndRemoves) {
  std::string org = KindeOrg();
  std::string a = KindeUser("A", "", ""), b = KindeUser("B", "", ""), c = KindeUser("C", "", "");
  KindeRole("admin");
  std::string write = KindePermission("write");
  ASSERT_EQ(AddUsers(org, {{{"id", a}}, {{"id", b}}}).status, 200);

  auto bad = server_.Kinde("PATCH", Users(org),
                           Json{{"users", {{{"id", a}, {"operation", "delete"}},
                                           {{"id", b}, {"operation", "remove"}}}}}
                               .dump());
  ExpectError(bad, "INVALID_OPERATION");
  ExpectError(server_.Kinde("PATCH", Users(org),
                            Json{{"users", {{{"id", a}, {"operation", "delete"}},
                                            {{"id", c}, {"roles", {"ghost"}}}}}}
                                .dump()),
              "ROLE_NOT_FOUND");
  EXPECT_EQ(Sorted(ListAll(org, "")), Sorted({a, b}));

  auto res = server_.Kinde("PATCH", Users(org),
                           Json{{"users", {{{"id", a}, {"operation", "delete"}},
                                           {{"id", b}, {"roles", {"admin"}}, {"permissions", {"write"}}},
                                           {{"id", c}},
                                           {{"id", "kp_" + std::string(32, '0')}, {"operation", "delete"}}}}}
                               .dump());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json["users_added"], Json::array({c}));
  EXPECT_EQ(res.json["users_updated"], Json::array({b}));
  EXPECT_EQ(res.json["users_removed"], Json::array({a}));
  EXPECT_EQ(Sorted(ListAll(org, "")), Sorted({b, c}));
  EXPECT_EQ(RoleKeys(org, b), std::vector<std::string>{"admin"});
  EXPECT_EQ(PermissionKeys(org, b), std::vector<std::string>{"write"});
}

TEST_P(KindeOrganizationUsersTest, RemoveMember) {
  std::string org = KindeOrg();
  std::string a = KindeUser("A", "", "");
  KindeRole("admin");
  KindePermission("write");
  ASSERT_EQ(AddUsers(org, {{{"id", a}, {"roles", {"admin"}}, {"permissions", {"write"}}}}).status,
            200);
  auto res = server_.Kinde("DELETE", Users(org) + "/" + a);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json, (Json{{"code", "OK"}, {"message", "Success"}}));
  ExpectError(server_.Kinde("DELETE", Users(org) + "/" + a), "USER_NOT_IN_ORGANIZATION");
  ExpectError(server_.Kinde("DELETE", Users(org) + "/kp_nope"), "USER_NOT_FOUND");
  ExpectError(server_.Kinde("DELETE", Users("org_nope") + "/" + a), "ORGANIZATION_NOT_FOUND");
  ASSERT_EQ(AddUsers(org, {{{"id", a}}}).status, 200);
  EXPECT_TRUE(RoleKeys(org, a).empty());
  EXPECT_TRUE(PermissionKeys(org, a).empty());
}

TEST_P(KindeOrganizationUsersTest, ListSortsWithEmptyValuesLast) {
  std::string org = KindeOrg();
  std::string zed = KindeUser("zed", "", "a@example.com");
  std::string amy = KindeUser("Amy", "Best", "");
  std::string none = KindeUser("", "", "c@example.com");
  std::string bob = KindeUser("bob", "", "B@example.com");
  ASSERT_EQ(AddUsers(org, {{{"id", zed}}, {{"id", amy}}, {{"id", none}}, {{"id", bob}}}).status,
            200);
  // Join order; members who joined in the same millisecond are ordered by id.
  EXPECT_EQ(Sorted(ListAll(org, "")), Sorted({zed, amy, none, bob}));
  EXPECT_EQ(ListAll(org, "&sort=name_asc"), (std::vector<std::string>{amy, bob, zed, none}));
  EXPECT_EQ(ListAll(org, "&sort=name_desc"), (std::vector<std::string>{zed, bob, amy, none}));
  EXPECT_EQ(ListAll(org, "&sort=email_asc"), (std::vector<std::string>{zed, bob, none, amy}));
  EXPECT_EQ(ListAll(org, "&sort=email_desc"), (std::vector<std::string>{none, bob, zed, amy}));
  EXPECT_EQ(ListAll(org, "&sort=name_asc", 1), (std::vector<std::string>{amy, bob, zed, none}));
  ExpectError(server_.Kinde("GET", Users(org) + "?sort=joined"), "INVALID_SORT");
  ExpectError(server_.Kinde("GET", Users(org) + "?page_size=0"), "INVALID_PAGE_SIZE");
  ExpectError(server_.Kinde("GET", Users(org) + "?page_size=501"), "PAGE_SIZE_LIMIT_EXCEEDED");
  // Found by http_request_fuzzer: a number of any length is invalid, never an overflow.
  ExpectError(server_.Kinde("GET", Users(org) + "?page_size=" + std::string(40, '9')),
              "INVALID_PAGE_SIZE");
  ExpectError(server_.Kinde("GET", Users(org) + "?page_size=1234567890123456"),
              "INVALID_PAGE_SIZE");
  ExpectError(server_.Kinde("GET", Users("org_nope")), "ORGANIZATION_NOT_FOUND");
}

TEST_P(KindeOrganizationUsersTest, NextTokenIsStableUnderChurnAndBoundToItsList) {
  std::string org = KindeOrg();
  std::vector<std::string> ids;
  for (const char* name : {"b", "d", "f", "h"}) ids.push_back(KindeUser(name, "", ""));
  for (const std::string& id : ids) ASSERT_EQ(AddUsers(org, {{{"id", id}}}).status, 200);
  auto first = server_.Kinde("GET", Users(org) + "?sort=name_asc&page_size=2");
  ASSERT_EQ(first.status, 200);
  ASSERT_TRUE(first.json["next_token"].is_string());
  std::string token = first.json["next_token"];
  // Churn between pages: the last member seen leaves, one sorts before the cursor, one after.
  ASSERT_EQ(server_.Kinde("DELETE", Users(org) + "/" + ids[1]).status, 200);
  std::string a = KindeUser("a", "", ""), g = KindeUser("g", "", "");
  ASSERT_EQ(AddUsers(org, {{{"id", a}}, {{"id", g}}}).status, 200);
  auto second = server_.Kinde("GET", Users(org) + "?sort=name_asc&page_size=2&next_token=" + token);
  ASSERT_EQ(second.status, 200) << second.body;
  std::vector<std::string> rest;
  for (const Json& u : second.json["organization_users"]) rest.push_back(u["id"]);
  EXPECT_EQ(rest, (std::vector<std::string>{ids[2], g}));
  ExpectError(server_.Kinde("GET", Users(org) + "?sort=name_desc&next_token=" + token),
              "INVALID_NEXT_TOKEN");
  ExpectError(server_.Kinde("GET", Users(org) + "?next_token=garbage"), "INVALID_NEXT_TOKEN");
}

TEST_P(KindeOrganizationUsersTest, ListFiltersNeedEveryRoleAndPermission) {
  std::string org = KindeOrg();
  std::string a = KindeUser("a", "", ""), b = KindeUser("b", "", ""), c = KindeUser("c", "", "");
  KindeRole("admin");
  std::string editor = KindeRole("editor");
  std::string read = KindePermission("read");
  KindePermission("write");
  KindeRolePermissions(editor, {read});
  ASSERT_EQ(AddUsers(org, {{{"id", a}, {"roles", {"admin", "editor"}}},
                           {{"id", b}, {"roles", {"admin"}}, {"permissions", {"read", "write"}}},
                           {{"id", c}, {"roles", {"editor"}}}})
                .status,
            200);
  EXPECT_EQ(ListAll(org, "&roles=admin"), Sorted({a, b}));
  EXPECT_EQ(ListAll(org, "&roles=admin%2Ceditor"), std::vector<std::string>{a});
  EXPECT_EQ(ListAll(org, "&permissions=read"), Sorted({a, b, c}));
  EXPECT_EQ(ListAll(org, "&permissions=read,write"), std::vector<std::string>{b});
  EXPECT_EQ(ListAll(org, "&roles=editor&permissions=read"), Sorted({a, c}));
  EXPECT_TRUE(ListAll(org, "&roles=admin,ghost").empty());
  EXPECT_TRUE(ListAll(org, "&permissions=ghost").empty());
  EXPECT_EQ(ListAll(org, "&roles=admin", 1), Sorted({a, b}));
}

TEST_P(KindeOrganizationUsersTest, MemberRoles) {
  std::string org = KindeOrg();
  std::string a = KindeUser("a", "", ""), outsider = KindeUser("o", "", "");
  std::string admin = KindeRole("admin");
  std::string viewer = KindeRole("viewer");
  ASSERT_EQ(AddUsers(org, {{{"id", a}}}).status, 200);
  const std::string roles = Users(org) + "/" + a + "/roles";
  auto res = server_.Kinde("POST", roles, Json{{"role_id", admin}}.dump());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json, (Json{{"code", "OK"}, {"message", "Success"}}));
  EXPECT_EQ(server_.Kinde("POST", roles, Json{{"role_id", admin}}.dump()).status, 200);
  auto listed = server_.Kinde("GET", roles);
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.json, (Json{{"code", "OK"},
                               {"message", "Success"},
                               {"roles", {{{"id", admin}, {"key", "admin"}, {"name", "Role admin"}}}},
                               {"next_token", nullptr}}));

  auto required = server_.Kinde("POST", roles, "{}");
  ExpectError(required, "ROLE_REQUIRED");
  EXPECT_EQ(required.json["errors"][0]["message"], "No role ID provided");
  ExpectError(server_.Kinde("POST", roles, R"({"role_id":"nope"})"), "ROLE_NOT_FOUND");
  ExpectError(server_.Kinde("POST", Users(org) + "/" + outsider + "/roles",
                            Json{{"role_id", admin}}.dump()),
              "USER_NOT_IN_ORGANIZATION");
  ExpectError(server_.Kinde("GET", Users(org) + "/" + outsider + "/roles"),
              "USER_NOT_IN_ORGANIZATION");
  ExpectError(server_.Kinde("GET", Users(org) + "/kp_nope/roles"), "USER_NOT_FOUND");
  ExpectError(server_.Kinde("GET", Users("org_nope") + "/" + a + "/roles"),
              "ORGANIZATION_NOT_FOUND");

  ExpectError(server_.Kinde("DELETE", roles + "/" + viewer), "ROLE_NOT_ASSIGNED");
  ExpectError(server_.Kinde("DELETE", roles + "/nope"), "ROLE_NOT_FOUND");
  EXPECT_EQ(server_.Kinde("DELETE", roles + "/" + admin).status, 200);
  EXPECT_TRUE(RoleKeys(org, a).empty());
}

TEST_P(KindeOrganizationUsersTest, EffectivePermissionsAndDirectGrants) {
  std::string org = KindeOrg();
  std::string a = KindeUser("a", "", "");
  std::string read = KindePermission("read"), write = KindePermission("write");
  std::string share = KindePermission("share");
  std::string editor = KindeRole("editor"), reviewer = KindeRole("reviewer");
  KindeRolePermissions(editor, {read, write});
  KindeRolePermissions(reviewer, {read});
  ASSERT_EQ(AddUsers(org, {{{"id", a}, {"roles", {"editor", "reviewer"}}}}).status, 200);
  const std::string path = Users(org) + "/" + a + "/permissions";
  ASSERT_EQ(server_.Kinde("POST", path, Json{{"permission_id", share}}.dump()).status, 200);
  ASSERT_EQ(server_.Kinde("POST", path, Json{{"permission_id", read}}.dump()).status, 200);

  auto res = server_.Kinde("GET", path + "?expand=roles");
  ASSERT_EQ(res.status, 200) << res.body;
  Json expected = Json::array(
      {{{"id", read}, {"key", "read"}, {"name", "Permission read"}, {"description", nullptr},
        {"roles", {{{"id", editor}, {"key", "editor"}}, {{"id", reviewer}, {"key", "reviewer"}}}}},
       {{"id", share}, {"key", "share"}, {"name", "Permission share"}, {"description", nullptr},
        {"roles", Json::array()}},
       {{"id", write}, {"key", "write"}, {"name", "Permission write"}, {"description", nullptr},
        {"roles", {{{"id", editor}, {"key", "editor"}}}}}});
  EXPECT_EQ(res.json["permissions"], expected);
  auto plain = server_.Kinde("GET", path);
  EXPECT_FALSE(plain.json["permissions"][0].contains("roles"));

  // Removing the direct grant of `read` keeps it through the roles.
  ASSERT_EQ(server_.Kinde("DELETE", path + "/" + read).status, 200);
  EXPECT_EQ(PermissionKeys(org, a), (std::vector<std::string>{"read", "share", "write"}));
  ExpectError(server_.Kinde("DELETE", path + "/" + read), "PERMISSION_NOT_ASSIGNED");
  ExpectError(server_.Kinde("DELETE", path + "/perm_nope"), "PERMISSION_NOT_FOUND");
  ASSERT_EQ(server_.Kinde("DELETE", path + "/" + share).status, 200);
  EXPECT_EQ(PermissionKeys(org, a), (std::vector<std::string>{"read", "write"}));
  ExpectError(server_.Kinde("POST", path, "{}"), "PERMISSION_REQUIRED");
  ExpectError(server_.Kinde("POST", path, R"({"permission_id":"perm_nope"})"),
              "PERMISSION_NOT_FOUND");
  std::string outsider = KindeUser("o", "", "");
  ExpectError(server_.Kinde("GET", Users(org) + "/" + outsider + "/permissions"),
              "USER_NOT_IN_ORGANIZATION");
}

TEST_P(KindeOrganizationUsersTest, MemberApiScopes) {
  std::string org = KindeOrg();
  std::string a = KindeUser("a", "", ""), outsider = KindeUser("o", "", "");
  std::string api = KindeApi("billing"), other = KindeApi("other");
  std::string scope = KindeApiScope(api, "read:invoices");
  std::string foreign = KindeApiScope(other, "read:other");
  ASSERT_EQ(AddUsers(org, {{{"id", a}}}).status, 200);
  const std::string path = Users(org) + "/" + a + "/apis/" + api + "/scopes/";
  auto res = server_.Kinde("POST", path + scope);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json, (Json{{"code", "OK"}, {"message", "Success"}}));
  EXPECT_EQ(server_.Kinde("POST", path + scope).status, 200);
  ExpectError(server_.Kinde("POST", path + foreign), "SCOPE_NOT_FOUND");
  ExpectError(server_.Kinde("POST", Users(org) + "/" + a + "/apis/nope/scopes/" + scope),
              "API_NOT_FOUND");
  ExpectError(server_.Kinde("POST", Users(org) + "/" + outsider + "/apis/" + api + "/scopes/" +
                                        scope),
              "USER_NOT_IN_ORGANIZATION");
  EXPECT_EQ(server_.Kinde("DELETE", path + scope).status, 200);
  ExpectError(server_.Kinde("DELETE", path + scope), "SCOPE_NOT_ASSIGNED");
}

TEST_P(KindeOrganizationUsersTest, MemberMfaAnswersInTheNotFoundObjectForm) {
  std::string org = KindeOrg();
  std::string a = KindeUser("a", "", ""), outsider = KindeUser("o", "", "");
  ASSERT_EQ(AddUsers(org, {{{"id", a}}}).status, 200);
  const std::string mfa = Users(org) + "/" + a + "/mfa";
  auto got = server_.Kinde("GET", mfa);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.json, (Json{{"code", "OK"}, {"message", "Success"}}));
  EXPECT_EQ(server_.Kinde("DELETE", mfa).status, 200);
  Expect404(server_.Kinde("DELETE", mfa + "/mfa_nope"), "MFA_FACTOR_NOT_FOUND");
  Expect404(server_.Kinde("GET", Users(org) + "/" + outsider + "/mfa"), "USER_NOT_IN_ORGANIZATION");
  Expect404(server_.Kinde("GET", Users(org) + "/kp_nope/mfa"), "USER_NOT_FOUND");
  Expect404(server_.Kinde("DELETE", Users("org_nope") + "/" + a + "/mfa"),
            "ORGANIZATION_NOT_FOUND");
  Expect404(server_.Kinde("DELETE", Users(org) + "/" + outsider + "/mfa/mfa_x"),
            "USER_NOT_IN_ORGANIZATION");
}

TEST_P(KindeOrganizationUsersTest, RoleHoldersAndCounts) {
  std::string org = KindeOrg();
  std::string admin = KindeRole("admin");
  std::vector<std::string> holders;
  for (const char* name : {"a", "b", "c"}) {
    std::string id = KindeUser(name, "", "");
    ASSERT_EQ(AddUsers(org, {{{"id", id}, {"roles", {"admin"}}}}).status, 200);
    holders.push_back(id);
  }
  ASSERT_EQ(AddUsers(org, {{{"id", KindeUser("d", "", "")}}}).status, 200);
  std::sort(holders.begin(), holders.end());
  const std::string base = "/api/v1/organizations/" + org + "/roles/" + admin;
  std::vector<std::string> seen;
  std::string token;
  for (int i = 0; i < 5; ++i) {
    auto res = server_.Kinde("GET", base + "/users?page_size=2" +
                                        (token.empty() ? "" : "&next_token=" + token));
    ASSERT_EQ(res.status, 200) << res.body;
    for (const Json& u : res.json["users"]) seen.push_back(u["id"]);
    if (res.json["next_token"].is_null()) break;
    token = res.json["next_token"];
  }
  EXPECT_EQ(seen, holders);
  auto count = server_.Kinde("GET", base + "/users/count");
  ASSERT_EQ(count.status, 200);
  EXPECT_EQ(count.json, (Json{{"code", "OK"}, {"message", "Success"}, {"count", 3}}));
  ExpectError(server_.Kinde("GET", "/api/v1/organizations/" + org + "/roles/nope/users"),
              "ROLE_NOT_FOUND");
  ExpectError(server_.Kinde("GET", "/api/v1/organizations/org_nope/roles/" + admin + "/users/count"),
              "ORGANIZATION_NOT_FOUND");

  auto active = server_.Kinde("GET", base +
                                         "/active_users/count?date_time_from=2026-01-01T10:00:00.750Z"
                                         "&date_time_to=2026-01-03T09:59:59.250Z");
  ASSERT_EQ(active.status, 200) << active.body;
  EXPECT_EQ(active.json, (Json{{"code", "OK"},
                               {"message", "Success"},
                               {"active_users_count", 0},
                               {"date_time_from", "2026-01-01T10:00:00Z"},
                               {"date_time_to", "2026-01-03T10:00:00Z"}}));
  ExpectError(server_.Kinde("GET", base + "/active_users/count?date_time_from=2026-01-01T00:00:00Z"
                                          "&date_time_to=2026-01-04T00:00:00Z"),
              "DATE_TIME_RANGE_TOO_LARGE");
  ExpectError(server_.Kinde("GET", base + "/active_users/count?date_time_from=yesterday"
                                          "&date_time_to=2026-01-04T00:00:00Z"),
              "INVALID_DATE_TIME");
  ExpectError(server_.Kinde("GET", base + "/active_users/count?date_time_to=2026-01-04T00:00:00Z"),
              "DATE_TIME_FROM_REQUIRED");
  ExpectError(server_.Kinde("GET", "/api/v1/organizations/" + org +
                                       "/roles/nope/active_users/count?date_time_from="
                                       "2026-01-01T00:00:00Z&date_time_to=2026-01-02T00:00:00Z"),
              "ROLE_NOT_FOUND");
}

INSTANTIATE_TEST_SUITE_P(Backends, KindeOrganizationUsersTest,
                         ::testing::ValuesIn(AvailableBackends()), BackendName);

}  // namespace
}  // namespace orgd::testing
