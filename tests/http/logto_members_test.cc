// The Logto dialect's member routes (contracts/logto.md §3.2, §3.3, §1.6, §4), end to end.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/http/members_fixture.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;

class LogtoMembersTest : public MembersFixture {
 protected:
  std::string Users(const std::string& org) { return "/api/organizations/" + org + "/users"; }
  HttpResponse AddMembers(const std::string& org, const std::vector<std::string>& ids) {
    return server_.Logto("POST", Users(org), Json{{"userIds", ids}}.dump());
  }
  // The member ids of `org`, in list order.
  std::vector<std::string> MemberIds(const std::string& org) {
    auto res = server_.Logto("GET", Users(org) + "?page_size=100");
    EXPECT_EQ(res.status, 200) << res.body;
    std::vector<std::string> ids;
    for (const Json& m : res.json) ids.push_back(m["id"]);
    return ids;
  }
  // The role names a member holds in `org` (GET …/users/{id}/roles).
  std::vector<std::string> RoleNames(const std::string& org, const std::string& user) {
    auto res = server_.Logto("GET", Users(org) + "/" + user + "/roles");
    EXPECT_EQ(res.status, 200) << res.body;
    std::vector<std::string> names;
    for (const Json& r : res.json) names.push_back(r["name"]);
    return names;
  }
  void ExpectCode(const HttpResponse& res, int status, const std::string& code) {
    EXPECT_EQ(res.status, status) << res.body;
    EXPECT_EQ(res.json.value("code", ""), code) << res.body;
  }
};

TEST_P(LogtoMembersTest, AddEchoesRawIdsAndListsMembersWithRoles) {
  std::string org = LogtoOrg();
  std::string a = LogtoUser(Json{{"username", "alice"}, {"primaryEmail", "alice@example.com"}});
  std::string b = LogtoUserNamed("bob");
  auto res = AddMembers(org, {a, a, b});
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.json, (Json{{"userIds", {a, a, b}}}));

  auto list = server_.Logto("GET", Users(org));
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.Header("total-number"), "2");
  ASSERT_EQ(list.json.size(), 2u);
  std::vector<std::string> ids = {list.json[0]["id"], list.json[1]["id"]};
  EXPECT_EQ(ids, Sorted({a, b}));
  const Json& alice = list.json[0]["id"] == a ? list.json[0] : list.json[1];
  EXPECT_EQ(alice["primaryEmail"], "alice@example.com");
  EXPECT_EQ(alice["username"], "alice");
  EXPECT_EQ(alice["organizationRoles"], Json::array());
  EXPECT_EQ(alice["customData"], Json::object());
  EXPECT_EQ(alice["identities"], Json::object());
  EXPECT_FALSE(alice.contains("hasPassword"));
  // The member object is the user object minus hasPassword, plus organizationRoles.
  Json user = server_.Logto("GET", "/api/users/" + a).json;
  user.erase("hasPassword");
  Json member = alice;
  member.erase("organizationRoles");
  EXPECT_EQ(member, user);
}

TEST_P(LogtoMembersTest, AddValidatesBody) {
  std::string org = LogtoOrg();
  ExpectCode(AddMembers(org, {}), 400, "guard.invalid_input");
  ExpectCode(server_.Logto("POST", Users(org), "{}"), 400, "guard.invalid_input");
  ExpectCode(server_.Logto("POST", Users(org), R"({"userIds":[""]})"), 400,
             "guard.invalid_input");
  ExpectCode(server_.Logto("POST", Users(org), R"({"userIds":"a"})"), 400, "guard.invalid_input");
  auto bad_json = server_.Logto("POST", Users(org), "{nope");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_FALSE(bad_json.json.contains("code"));
}

TEST_P(LogtoMembersTest, AddUnknownUserOrOrgIsForeignKeyAndAddsNothing) {
  std::string org = LogtoOrg();
  std::string a = LogtoUserNamed("alice");
  ExpectCode(AddMembers(org, {a, "nope"}), 422, "entity.relation_foreign_key_not_found");
  EXPECT_TRUE(MemberIds(org).empty());
  ExpectCode(AddMembers("nope", {a}), 422, "entity.relation_foreign_key_not_found");
}

// 10,000 ids take a few statements (store/sql/bulk_rows.h), not one per id; the answers are
// those of a small request. (membership_service_test checks which unknown id the error names.)
TEST_P(LogtoMembersTest, TenThousandIdsAnswerAsAFewDo) {
  std::string org = LogtoOrg();
  std::vector<std::string> ids = ImportedUsers("bulk", 10000);
  std::vector<std::string> request = ids;
  request[7777] = "ghost-user-7777";
  request[9000] = "ghost-user-9000";
  auto failed = AddMembers(org, request);
  ExpectCode(failed, 422, "entity.relation_foreign_key_not_found");
  EXPECT_EQ(failed.body, AddMembers(org, {ids[0], "ghost-user-7777"}).body);
  auto list = server_.Logto("GET", Users(org));
  EXPECT_EQ(list.Header("total-number"), "0");

  ASSERT_EQ(AddMembers(org, {ids[5]}).status, 201);
  auto res = AddMembers(org, ids);
  ASSERT_EQ(res.status, 201) << res.body.substr(0, 300);
  EXPECT_EQ(res.json["userIds"].size(), 10000u);
  list = server_.Logto("GET", Users(org) + "?page_size=20");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.Header("total-number"), "10000");
  EXPECT_EQ(list.json[0]["id"], ids[0]);

  // Roles to all of them at once, and a replace that keeps 10 of them.
  std::string viewer = LogtoRole("viewer");
  auto assigned = server_.Logto("POST", Users(org) + "/roles",
                                Json{{"userIds", ids}, {"organizationRoleIds", {viewer}}}.dump());
  ASSERT_EQ(assigned.status, 201) << assigned.body;
  EXPECT_EQ(RoleNames(org, ids[9999]), std::vector<std::string>{"viewer"});
  std::vector<std::string> outsiders = ids;
  outsiders[4321] = LogtoUserNamed("olga");
  ExpectCode(server_.Logto("POST", Users(org) + "/roles",
                           Json{{"userIds", outsiders}, {"organizationRoleIds", {viewer}}}.dump()),
             422, "entity.relation_foreign_key_not_found");
  std::vector<std::string> kept(ids.begin() + 100, ids.begin() + 110);
  ASSERT_EQ(server_.Logto("PUT", Users(org), Json{{"userIds", kept}}.dump()).status, 204);
  EXPECT_EQ(MemberIds(org), kept);
  EXPECT_EQ(RoleNames(org, kept[0]), std::vector<std::string>{"viewer"});
}

TEST_P(LogtoMembersTest, ListOfUnknownOrgIsEmpty) {
  auto res = server_.Logto("GET", Users("nope"));
  ASSERT_EQ(res.status, 200);
  EXPECT_EQ(res.json, Json::array());
  EXPECT_EQ(res.Header("total-number"), "0");
}

TEST_P(LogtoMembersTest, ListSearchesFiltersByRoleAndPagesToTheEnd) {
  std::string org = LogtoOrg();
  std::vector<std::string> ids;
  for (const char* name : {"ann", "ben", "cat", "dan", "eve"}) {
    ids.push_back(LogtoUser(Json{{"username", name}, {"name", std::string("Name ") + name}}));
  }
  ASSERT_EQ(AddMembers(org, ids).status, 201);
  std::string admin = LogtoRole("admin");
  ASSERT_EQ(server_.Logto("POST", Users(org) + "/roles",
                          Json{{"userIds", {ids[1], ids[3]}}, {"organizationRoleIds", {admin}}}
                              .dump())
                .status,
            201);

  auto q = server_.Logto("GET", Users(org) + "?q=NAME%20C");
  ASSERT_EQ(q.status, 200);
  ASSERT_EQ(q.json.size(), 1u);
  EXPECT_EQ(q.json[0]["id"], ids[2]);

  auto by_role = server_.Logto("GET", Users(org) + "?organizationRoleId=" + admin);
  ASSERT_EQ(by_role.status, 200);
  EXPECT_EQ(by_role.Header("total-number"), "2");
  std::vector<std::string> holders;
  for (const Json& m : by_role.json) {
    holders.push_back(m["id"]);
    EXPECT_EQ(m["organizationRoles"], (Json::array({{{"id", admin}, {"name", "admin"}}})));
  }
  EXPECT_EQ(holders, Sorted({ids[1], ids[3]}));

  std::vector<std::string> seen;
  for (int page = 1; page <= 3; ++page) {
    auto res = server_.Logto("GET", Users(org) + "?page_size=2&page=" + std::to_string(page));
    ASSERT_EQ(res.status, 200);
    EXPECT_EQ(res.Header("total-number"), "5");
    for (const Json& m : res.json) seen.push_back(m["id"]);
  }
  EXPECT_EQ(seen, Sorted(ids));
  ExpectCode(server_.Logto("GET", Users(org) + "?page_size=101"), 400,
             "guard.invalid_pagination");
}

TEST_P(LogtoMembersTest, ReplaceIsADeltaThatKeepsRolesOfStayingMembers) {
  std::string org = LogtoOrg();
  std::string a = LogtoUserNamed("alice"), b = LogtoUserNamed("bob"), c = LogtoUserNamed("carol");
  std::string admin = LogtoRole("admin");
  ASSERT_EQ(AddMembers(org, {a, b}).status, 201);
  ASSERT_EQ(server_.Logto("POST", Users(org) + "/" + a + "/roles",
                          Json{{"organizationRoleIds", {admin}}}.dump())
                .status,
            201);

  auto res = server_.Logto("PUT", Users(org), Json{{"userIds", {a, c, c}}}.dump());
  ASSERT_EQ(res.status, 204) << res.body;
  EXPECT_EQ(MemberIds(org), Sorted({a, c}));
  EXPECT_EQ(RoleNames(org, a), std::vector<std::string>{"admin"});

  // A failing replace changes nothing.
  ExpectCode(server_.Logto("PUT", Users(org), Json{{"userIds", {b, "nope"}}}.dump()), 422,
             "entity.relation_foreign_key_not_found");
  EXPECT_EQ(MemberIds(org), Sorted({a, c}));

  ASSERT_EQ(server_.Logto("PUT", Users(org), R"({"userIds":[]})").status, 204);
  EXPECT_TRUE(MemberIds(org).empty());
  // Re-added, a starts without the roles it had.
  ASSERT_EQ(AddMembers(org, {a}).status, 201);
  EXPECT_TRUE(RoleNames(org, a).empty());

  EXPECT_EQ(server_.Logto("PUT", Users("nope"), R"({"userIds":[]})").status, 204);
  ExpectCode(server_.Logto("PUT", Users("nope"), Json{{"userIds", {a}}}.dump()), 422,
             "entity.relation_foreign_key_not_found");
}

TEST_P(LogtoMembersTest, RemoveMemberDropsItsRolesAnd404sWhenAbsent) {
  std::string org = LogtoOrg();
  std::string a = LogtoUserNamed("alice");
  std::string admin = LogtoRole("admin");
  ASSERT_EQ(AddMembers(org, {a}).status, 201);
  ASSERT_EQ(server_.Logto("PUT", Users(org) + "/" + a + "/roles",
                          Json{{"organizationRoleIds", {admin}}}.dump())
                .status,
            204);
  EXPECT_EQ(server_.Logto("DELETE", Users(org) + "/" + a).status, 204);
  EXPECT_TRUE(MemberIds(org).empty());
  ExpectCode(server_.Logto("DELETE", Users(org) + "/" + a), 404, "entity.not_found");
  ExpectCode(server_.Logto("DELETE", Users("nope") + "/" + a), 404, "entity.not_found");
  ExpectCode(server_.Logto("DELETE", Users(org) + "/nope"), 404, "entity.not_found");
  ASSERT_EQ(AddMembers(org, {a}).status, 201);
  EXPECT_TRUE(RoleNames(org, a).empty());
}

TEST_P(LogtoMembersTest, BulkRoleAssignmentIsAllOrNothing) {
  std::string org = LogtoOrg();
  std::string a = LogtoUserNamed("alice"), b = LogtoUserNamed("bob"), outsider = LogtoUserNamed("olga");
  std::string admin = LogtoRole("admin"), viewer = LogtoRole("viewer");
  std::string machine = LogtoRole("machine", {}, "MachineToMachine");
  ASSERT_EQ(AddMembers(org, {a, b}).status, 201);
  const std::string path = Users(org) + "/roles";

  ExpectCode(server_.Logto("POST", path,
                           Json{{"userIds", {a, outsider}}, {"organizationRoleIds", {admin}}}.dump()),
             422, "entity.relation_foreign_key_not_found");
  ExpectCode(server_.Logto("POST", path,
                           Json{{"userIds", {a}}, {"organizationRoleIds", {admin, "nope"}}}.dump()),
             422, "entity.relation_foreign_key_not_found");
  ExpectCode(server_.Logto("POST", path,
                           Json{{"userIds", {a}}, {"organizationRoleIds", {admin, machine}}}.dump()),
             422, "entity.db_constraint_violated");
  ExpectCode(server_.Logto("POST", path,
                           Json{{"userIds", Json::array()}, {"organizationRoleIds", {admin}}}.dump()),
             400, "guard.invalid_input");
  EXPECT_TRUE(RoleNames(org, a).empty());

  auto res = server_.Logto(
      "POST", path, Json{{"userIds", {a, b}}, {"organizationRoleIds", {viewer, admin}}}.dump());
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.body, "");
  EXPECT_EQ(res.Header("content-length"), "0");
  EXPECT_EQ(RoleNames(org, a), (std::vector<std::string>{"admin", "viewer"}));
  EXPECT_EQ(RoleNames(org, b), (std::vector<std::string>{"admin", "viewer"}));
}

TEST_P(LogtoMembersTest, MemberRoleRoutesCheckMembershipBeforeTheBody) {
  std::string org = LogtoOrg();
  std::string outsider = LogtoUserNamed("olga");
  std::string admin = LogtoRole("admin");
  for (const std::string& user_path : {Users(org) + "/" + outsider, Users(org) + "/nope",
                                       Users("nope") + "/" + outsider}) {
    ExpectCode(server_.Logto("GET", user_path + "/roles"), 422, "organization.require_membership");
    ExpectCode(server_.Logto("POST", user_path + "/roles", R"({"organizationRoleIds":"bad"})"),
               422, "organization.require_membership");
    ExpectCode(server_.Logto("PUT", user_path + "/roles", R"({"organizationRoleIds":[1]})"), 422,
               "organization.require_membership");
    ExpectCode(server_.Logto("DELETE", user_path + "/roles/" + admin), 422,
               "organization.require_membership");
  }
}

TEST_P(LogtoMembersTest, AssignRolesResolvesIdsAndNames) {
  std::string org = LogtoOrg();
  std::string a = LogtoUserNamed("alice");
  std::string admin = LogtoRole("admin"), viewer = LogtoRole("viewer"), editor = LogtoRole("editor");
  std::string machine = LogtoRole("machine", {}, "MachineToMachine");
  ASSERT_EQ(AddMembers(org, {a}).status, 201);
  const std::string path = Users(org) + "/" + a + "/roles";

  auto res = server_.Logto("POST", path,
                           Json{{"organizationRoleIds", {viewer}},
                                {"organizationRoleNames", {"admin", "viewer"}}}
                               .dump());
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.json, (Json{{"organizationRoleIds", {viewer, admin}}}));
  auto listed = server_.Logto("GET", path);
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.json.size(), 2u);
  EXPECT_EQ(listed.json[0], (Json{{"tenantId", "default"},
                                  {"id", admin},
                                  {"name", "admin"},
                                  {"description", nullptr},
                                  {"type", "User"}}));
  EXPECT_EQ(listed.json[1]["name"], "viewer");
  EXPECT_FALSE(listed.HasHeader("total-number"));

  auto paged = server_.Logto("GET", path + "?page=2&page_size=1");
  ASSERT_EQ(paged.status, 200);
  EXPECT_EQ(paged.Header("total-number"), "2");
  ASSERT_EQ(paged.json.size(), 1u);
  EXPECT_EQ(paged.json[0]["name"], "viewer");

  auto unknown = server_.Logto(
      "POST", path, Json{{"organizationRoleNames", {"x1", "editor", "x2", "x1", "x3"}}}.dump());
  ExpectCode(unknown, 422, "organization.role_names_not_found");
  EXPECT_EQ(unknown.json["message"],
            "Invalid role names detected: x1, x2, and x3. Please create these roles first before "
            "proceeding.");
  auto two = server_.Logto("POST", path, Json{{"organizationRoleNames", {"y", "z"}}}.dump());
  EXPECT_EQ(two.json["message"],
            "Invalid role names detected: y and z. Please create these roles first before "
            "proceeding.");
  ExpectCode(server_.Logto("POST", path, Json{{"organizationRoleIds", {"nope"}}}.dump()), 422,
             "entity.relation_foreign_key_not_found");
  ExpectCode(server_.Logto("POST", path, Json{{"organizationRoleIds", {editor, machine}}}.dump()),
             422, "entity.db_constraint_violated");
  EXPECT_EQ(RoleNames(org, a), (std::vector<std::string>{"admin", "viewer"}));

  auto empty = server_.Logto("POST", path, "{}");
  ASSERT_EQ(empty.status, 201);
  EXPECT_EQ(empty.json, (Json{{"organizationRoleIds", Json::array()}}));
}

TEST_P(LogtoMembersTest, ReplaceRolesSetsExactlyAndDeleteRemovesOne) {
  std::string org = LogtoOrg();
  std::string a = LogtoUserNamed("alice");
  std::string admin = LogtoRole("admin"), viewer = LogtoRole("viewer"), editor = LogtoRole("editor");
  ASSERT_EQ(AddMembers(org, {a}).status, 201);
  const std::string path = Users(org) + "/" + a + "/roles";
  ASSERT_EQ(server_.Logto("PUT", path,
                          Json{{"organizationRoleIds", {admin, admin}},
                               {"organizationRoleNames", {"viewer"}}}
                              .dump())
                .status,
            204);
  EXPECT_EQ(RoleNames(org, a), (std::vector<std::string>{"admin", "viewer"}));
  ASSERT_EQ(server_.Logto("PUT", path, Json{{"organizationRoleIds", {editor}}}.dump()).status, 204);
  EXPECT_EQ(RoleNames(org, a), std::vector<std::string>{"editor"});
  ExpectCode(server_.Logto("PUT", path, Json{{"organizationRoleIds", {admin, "nope"}}}.dump()),
             422, "entity.relation_foreign_key_not_found");
  EXPECT_EQ(RoleNames(org, a), std::vector<std::string>{"editor"});

  EXPECT_EQ(server_.Logto("DELETE", path + "/" + editor).status, 204);
  EXPECT_TRUE(RoleNames(org, a).empty());
  ExpectCode(server_.Logto("DELETE", path + "/" + editor), 404, "entity.not_found");
  ExpectCode(server_.Logto("DELETE", path + "/nope"), 404, "entity.not_found");
  ASSERT_EQ(server_.Logto("PUT", path, Json{{"organizationRoleIds", {viewer}}}.dump()).status, 204);
  ASSERT_EQ(server_.Logto("PUT", path, R"({"organizationRoleIds":[]})").status, 204);
  EXPECT_TRUE(RoleNames(org, a).empty());
}

TEST_P(LogtoMembersTest, ScopesAreTheDistinctUnionOfRoleScopes) {
  std::string org = LogtoOrg();
  std::string a = LogtoUserNamed("alice"), outsider = LogtoUserNamed("olga");
  std::string read = LogtoScope("read"), write = LogtoScope("write"), share = LogtoScope("share");
  LogtoScope("unused");
  std::string r1 = LogtoRole("reader", {read, share});
  std::string r2 = LogtoRole("writer", {write, share});
  ASSERT_EQ(AddMembers(org, {a}).status, 201);
  ASSERT_EQ(server_.Logto("PUT", Users(org) + "/" + a + "/roles",
                          Json{{"organizationRoleIds", {r1, r2}}}.dump())
                .status,
            204);
  auto res = server_.Logto("GET", Users(org) + "/" + a + "/scopes?page_size=1");
  ASSERT_EQ(res.status, 200);
  std::vector<std::string> names;
  for (const Json& s : res.json) names.push_back(s["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"read", "share", "write"}));
  EXPECT_EQ(res.json[0], (Json{{"tenantId", "default"}, {"id", read}, {"name", "read"},
                               {"description", nullptr}}));
  EXPECT_FALSE(res.HasHeader("total-number"));

  auto none = server_.Logto("GET", Users(org) + "/" + outsider + "/scopes");
  ASSERT_EQ(none.status, 200);
  EXPECT_EQ(none.json, Json::array());
}

TEST_P(LogtoMembersTest, MembershipsAreSharedWithTheKindeDialect) {
  std::string org = KindeOrg();
  std::string kinde_user = KindeUser("Kim", "Doe", "kim@example.com");
  std::string logto_user = LogtoUserNamed("lee");
  KindeRole("member");
  ASSERT_EQ(server_.Kinde("POST", "/api/v1/organizations/" + org + "/users",
                          Json{{"users", {{{"id", kinde_user}, {"roles", {"member"}}}}}}.dump())
                .status,
            200);
  auto listed = server_.Logto("GET", Users(org));
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.json.size(), 1u);
  EXPECT_EQ(listed.json[0]["id"], kinde_user);
  EXPECT_EQ(listed.json[0]["primaryEmail"], "kim@example.com");
  ASSERT_EQ(listed.json[0]["organizationRoles"].size(), 1u);
  EXPECT_EQ(listed.json[0]["organizationRoles"][0]["name"], "member");

  ASSERT_EQ(AddMembers(org, {logto_user}).status, 201);
  ASSERT_EQ(server_.Logto("POST", Users(org) + "/" + logto_user + "/roles",
                          R"({"organizationRoleNames":["member"]})")
                .status,
            201);
  auto kinde = server_.Kinde("GET", "/api/v1/organizations/" + org + "/users");
  ASSERT_EQ(kinde.status, 200);
  ASSERT_EQ(kinde.json["organization_users"].size(), 2u);
  for (const Json& u : kinde.json["organization_users"]) {
    EXPECT_EQ(u["roles"], Json::array({"member"})) << u.dump();
  }
}

TEST_P(LogtoMembersTest, FeaturedOrganizationsCarryCountsAndFirstThreeMembers) {
  std::string busy = LogtoOrg("Busy"), empty = LogtoOrg("Empty");
  std::vector<std::string> ids;
  for (const char* name : {"u1", "u2", "u3", "u4"}) {
    ids.push_back(LogtoUser(Json{{"username", name}, {"name", std::string("User ") + name},
                                 {"avatar", std::string("https://img.example/") + name}}));
  }
  ASSERT_EQ(AddMembers(busy, ids).status, 201);
  auto res = server_.Logto("GET", "/api/organizations?showFeatured=yes");
  ASSERT_EQ(res.status, 200);
  ASSERT_EQ(res.json.size(), 2u);
  for (const Json& org : res.json) {
    if (org["id"] == empty) {
      EXPECT_EQ(org["usersCount"], 0);
      EXPECT_EQ(org["featuredUsers"], Json::array());
      continue;
    }
    EXPECT_EQ(org["usersCount"], 4);
    std::vector<std::string> sorted = Sorted(ids);
    Json expected = Json::array();
    for (int i = 0; i < 3; ++i) {
      auto user = server_.Logto("GET", "/api/users/" + sorted[i]).json;
      expected.push_back({{"id", sorted[i]}, {"avatar", user["avatar"]}, {"name", user["name"]}});
    }
    EXPECT_EQ(org["featuredUsers"], expected);
  }
  auto plain = server_.Logto("GET", "/api/organizations?showFeatured=no");
  ASSERT_EQ(plain.status, 200);
  EXPECT_FALSE(plain.json[0].contains("usersCount"));
  EXPECT_FALSE(plain.json[0].contains("featuredUsers"));
}

INSTANTIATE_TEST_SUITE_P(Backends, LogtoMembersTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);

}  // namespace
}  // namespace orgd::testing
