// Store contract suite for users, roles, permissions, resources, applications and memberships
// (migration 0004), on every backend of backends.h. Each test gets a fresh, migrated database.

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/error.h"
#include "domain/model/membership.h"
#include "store/sql/migrations.h"
#include "store/sql/sql_store.h"
#include "tests/store/backends.h"

namespace orgd::store {
namespace {

using namespace orgd::domain;  // NOLINT: test file
using testing::ErrorText;
using testing::ExpectError;

constexpr int64_t kT0 = 1'767'225'600'000;

class MembersRolesContractTest : public testing::MigratedStoreTest {
 protected:
  void AddOrg(const std::string& id) {
    Organization org;
    org.id = OrgId(id);
    org.name = id;
    org.created_at = org.updated_at = kT0;
    ASSERT_OK(s().InsertOrganization(org));
  }
  void AddUser(const std::string& id, std::optional<std::string> email = std::nullopt,
               int64_t created_at = kT0) {
    User u;
    u.id = UserId(id);
    u.primary_email = std::move(email);
    u.name = "Name " + id;
    u.created_at = u.updated_at = created_at;
    ASSERT_OK(s().InsertUser(u));
  }
  void AddRole(const std::string& id, const std::string& key, RoleType type = RoleType::kUser,
               int64_t created_at = kT0) {
    ASSERT_OK(s().InsertRole(
        Role{.id = RoleId(id), .key = key, .name = key, .type = type, .created_at = created_at}));
  }
  void AddPermission(const std::string& id, const std::string& key) {
    ASSERT_OK(s().InsertPermission(
        Permission{.id = PermissionId(id), .key = key, .name = key, .created_at = kT0}));
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, MembersRolesContractTest,
                         ::testing::ValuesIn(testing::AvailableBackends()), testing::BackendName);

TEST_P(MembersRolesContractTest, UserRoundTripsEveryField) {
  User u;
  u.id = UserId("u1");
  u.username = "ann";
  u.primary_email = "Ann@Example.com";
  u.primary_phone = "123";
  u.name = "Ann";
  u.first_name = "A";
  u.last_name = "N";
  u.avatar = "https://a/b.png";
  u.custom_data = R"({"k":1})";
  u.profile = R"({"nickname":"a"})";
  u.identities = R"({"github":{"userId":"1"}})";
  u.password_hash = "$argon2id$x";
  u.password_algorithm = "Argon2id";
  u.provided_id = "ext-1";
  u.is_suspended = true;
  u.last_sign_in_at = kT0 + 5;
  u.created_at = kT0;
  u.updated_at = kT0 + 1;
  ASSERT_OK(s().InsertUser(u));
  auto got = s().GetUser(u.id);
  ASSERT_OK(got);
  EXPECT_EQ(got->username, u.username);
  EXPECT_EQ(got->primary_email, u.primary_email);
  EXPECT_EQ(got->primary_phone, u.primary_phone);
  EXPECT_EQ(got->first_name, u.first_name);
  EXPECT_EQ(got->custom_data, u.custom_data);
  EXPECT_EQ(got->identities, u.identities);
  EXPECT_EQ(got->password_hash, u.password_hash);
  EXPECT_EQ(got->provided_id, u.provided_id);
  EXPECT_TRUE(got->is_suspended);
  EXPECT_EQ(got->last_sign_in_at, u.last_sign_in_at);
  EXPECT_EQ(got->updated_at, u.updated_at);
  ExpectError(s().GetUser(UserId("nope")), ErrorCode::kNotFound, "user", "");
}

TEST_P(MembersRolesContractTest, UserUniquenessReasons) {
  AddUser("u1", "ann@example.com");
  User dup;
  dup.id = UserId("u2");
  dup.primary_email = "ANN@example.com";
  ExpectError(s().InsertUser(dup), ErrorCode::kAlreadyExists, "user", "email");
  dup.primary_email.reset();
  dup.id = UserId("u1");
  ExpectError(s().InsertUser(dup), ErrorCode::kAlreadyExists, "user", "id");
  User a{.id = UserId("u3"), .username = "Bob"};
  ASSERT_OK(s().InsertUser(a));
  User b{.id = UserId("u4"), .username = "bob"};  // usernames are case-sensitive
  ASSERT_OK(s().InsertUser(b));
  User c{.id = UserId("u5"), .username = "Bob"};
  ExpectError(s().InsertUser(c), ErrorCode::kAlreadyExists, "user", "username");
  ExpectError(s().UpdateUser(UserId("u4"), UserPatch{.primary_email = "Ann@Example.com"}, kT0),
              ErrorCode::kAlreadyExists, "user", "email");
}

TEST_P(MembersRolesContractTest, UserPatchAndList) {
  AddUser("u1", "a@x.io", kT0);
  AddUser("u2", "b@x.io", kT0 + 1);
  AddUser("u3", "c@y.io", kT0 + 2);
  auto updated = s().UpdateUser(UserId("u1"), UserPatch{.name = std::nullopt}, kT0 + 9);
  ASSERT_OK(updated);
  EXPECT_EQ(updated->name, "Name u1");
  updated = s().UpdateUser(UserId("u1"), UserPatch{.name = std::optional<std::string>()}, kT0 + 9);
  ASSERT_OK(updated);
  EXPECT_FALSE(updated->name.has_value());
  EXPECT_EQ(updated->updated_at, kT0 + 9);

  UserListQuery q;
  q.q = "X.IO";
  q.page.want_total = true;
  auto page = s().ListUsers(q);
  ASSERT_OK(page);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].id.value(), "u2");  // newest first
  EXPECT_EQ(page->total, 2);

  UserListQuery kinde;
  kinde.sort = UserSort::kCreatedAsc;
  kinde.page.limit = 2;
  auto first = s().ListUsers(kinde);
  ASSERT_OK(first);
  EXPECT_TRUE(first->has_more);
  kinde.page.after = first->last;
  auto second = s().ListUsers(kinde);
  ASSERT_OK(second);
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].id.value(), "u3");
  EXPECT_FALSE(second->has_more);
}

TEST_P(MembersRolesContractTest, RolesAndPermissionsKeysAreUnique) {
  AddRole("r1", "admin");
  ExpectError(s().InsertRole(Role{.id = RoleId("r2"), .key = "admin", .name = "x"}),
              ErrorCode::kAlreadyExists, "role", "key");
  AddPermission("p1", "read");
  ExpectError(s().InsertPermission(Permission{.id = PermissionId("p2"), .key = "read", .name = "r"}),
              ErrorCode::kAlreadyExists, "permission", "key");
  AddRole("r3", "viewer");
  ExpectError(s().UpdateRole(RoleId("r3"), RolePatch{.key = "admin"}), ErrorCode::kAlreadyExists,
              "role", "key");
  auto patched = s().UpdateRole(RoleId("r3"), RolePatch{.name = "Viewer",
                                                        .type = RoleType::kMachineToMachine});
  ASSERT_OK(patched);
  EXPECT_EQ(patched->name, "Viewer");
  EXPECT_EQ(patched->type, RoleType::kMachineToMachine);
  ExpectError(s().UpdateRole(RoleId("nope"), RolePatch{.name = "x"}), ErrorCode::kNotFound, "role",
              "");
}

TEST_P(MembersRolesContractTest, RoleListOrdersAndPages) {
  AddRole("r1", "b", RoleType::kUser, kT0 + 2);
  AddRole("r2", "a", RoleType::kMachineToMachine, kT0 + 1);
  AddRole("r3", "c", RoleType::kUser, kT0);
  RoleListQuery by_key;
  by_key.page.want_total = true;
  auto page = s().ListRoles(by_key);
  ASSERT_OK(page);
  ASSERT_EQ(page->items.size(), 3u);
  EXPECT_EQ(page->items[0].key, "a");
  EXPECT_EQ(page->total, 3);
  RoleListQuery created{.sort = RoleSort::kCreatedAsc};
  created.page.limit = 1;
  created.page.offset = 1;
  page = s().ListRoles(created);
  ASSERT_OK(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].key, "a");
  RoleListQuery typed{.type = RoleType::kUser, .sort = RoleSort::kNameDesc};
  page = s().ListRoles(typed);
  ASSERT_OK(page);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].key, "c");
  RoleListQuery bad{.sort = RoleSort::kCreatedAsc};
  bad.page.after = Cursor{.sort_key = "x", .id = "r1"};
  ExpectError(s().ListRoles(bad), ErrorCode::kInvalidArgument, "after", "");
}

TEST_P(MembersRolesContractTest, RoleLinksAreIdempotentAndCascade) {
  AddRole("r1", "admin");
  AddPermission("p1", "read");
  AddPermission("p2", "write");
  auto added = s().AddRolePermissions(RoleId("r1"), {PermissionId("p1"), PermissionId("p2")}, kT0);
  ASSERT_OK(added);
  EXPECT_EQ(added->size(), 2u);
  added = s().AddRolePermissions(RoleId("r1"), {PermissionId("p1")}, kT0);
  ASSERT_OK(added);
  EXPECT_TRUE(added->empty());
  ExpectError(s().AddRolePermissions(RoleId("r1"), {PermissionId("nope")}, kT0),
              ErrorCode::kFailedPrecondition, "", "foreign_key");
  ASSERT_OK(s().DeletePermission(PermissionId("p2")));
  auto listed = s().ListRolePermissions(RoleId("r1"), PermissionListQuery{});
  ASSERT_OK(listed);
  ASSERT_EQ(listed->items.size(), 1u);
  ExpectError(s().RemoveRolePermission(RoleId("r1"), PermissionId("p2")), ErrorCode::kNotFound,
              "role_permission", "not_assigned");

  ASSERT_OK(s().InsertResource(
      Resource{.id = ResourceId("api1"), .name = "API", .indicator = "https://api", .created_at = kT0}));
  ExpectError(s().InsertResource(Resource{.id = ResourceId("api2"), .name = "B",
                                          .indicator = "https://api"}),
              ErrorCode::kAlreadyExists, "resource", "indicator");
  ASSERT_OK(s().InsertResourceScope(ResourceScope{.id = ResourceScopeId("s1"),
                                                     .resource_id = ResourceId("api1"),
                                                     .name = "read:x", .created_at = kT0}));
  ExpectError(s().InsertResourceScope(ResourceScope{.id = ResourceScopeId("s2"),
                                                    .resource_id = ResourceId("api1"),
                                                    .name = "read:x"}),
              ErrorCode::kAlreadyExists, "resource_scope", "name");
  ASSERT_OK(s().AddRoleResourceScopes(RoleId("r1"), {ResourceScopeId("s1")}, kT0));
  auto scopes = s().ListRoleResourceScopes(RoleId("r1"));
  ASSERT_OK(scopes);
  ASSERT_EQ(scopes->size(), 1u);
  EXPECT_EQ((*scopes)[0].resource_name, "API");
  ASSERT_OK(s().DeleteResource(ResourceId("api1")));
  scopes = s().ListRoleResourceScopes(RoleId("r1"));
  ASSERT_OK(scopes);
  EXPECT_TRUE(scopes->empty());
}

TEST_P(MembersRolesContractTest, MembershipGrantsAndEffectivePermissions) {
  AddOrg("o1");
  AddOrg("o2");
  AddUser("u1");
  AddUser("u2");
  AddRole("r1", "viewer");
  AddPermission("p1", "read");
  AddPermission("p2", "write");
  ASSERT_OK(s().AddRolePermissions(RoleId("r1"), {PermissionId("p1")}, kT0));
  auto added = s().AddMembers(OrgId("o1"), {UserId("u1"), UserId("u2")}, kT0);
  ASSERT_OK(added);
  EXPECT_EQ(added->size(), 2u);
  ASSERT_OK(s().AddMembers(OrgId("o2"), {UserId("u1")}, kT0));
  ExpectError(s().AddMemberRoles(OrgId("o2"), UserId("u2"), {RoleId("r1")}, kT0),
              ErrorCode::kFailedPrecondition, "", "foreign_key");  // not a member of o2
  ASSERT_OK(s().AddMemberRoles(OrgId("o1"), UserId("u1"), {RoleId("r1")}, kT0));
  ASSERT_OK(s().AddMemberPermissions(OrgId("o1"), UserId("u1"),
                                        {PermissionId("p1"), PermissionId("p2")}, kT0));
  auto effective = s().ListEffectivePermissions(OrgId("o1"), UserId("u1"));
  ASSERT_OK(effective);
  ASSERT_EQ(effective->size(), 2u);
  EXPECT_EQ((*effective)[0].permission.key, "read");
  EXPECT_TRUE((*effective)[0].is_direct);
  ASSERT_EQ((*effective)[0].via_roles.size(), 1u);
  EXPECT_EQ((*effective)[1].permission.key, "write");
  EXPECT_TRUE((*effective)[1].via_roles.empty());
  effective = s().ListEffectivePermissions(OrgId("o2"), UserId("u1"));
  ASSERT_OK(effective);
  EXPECT_TRUE(effective->empty());

  auto holders = s().ListRoleHolders(OrgId("o1"), RoleId("r1"), PageRequest{.want_total = true});
  ASSERT_OK(holders);
  ASSERT_EQ(holders->items.size(), 1u);
  EXPECT_EQ(holders->total, 1);
  auto everywhere = s().ListRoleHoldersEverywhere(RoleId("r1"), PageRequest{});
  ASSERT_OK(everywhere);
  ASSERT_EQ(everywhere->items.size(), 1u);
  EXPECT_EQ(everywhere->items[0].org_ids, std::vector<OrgId>{OrgId("o1")});

  auto orgs = s().ListUserOrganizations(UserId("u1"));
  ASSERT_OK(orgs);
  ASSERT_EQ(orgs->size(), 2u);
  EXPECT_EQ((*orgs)[0].organization.name, "o1");
  EXPECT_EQ((*orgs)[0].roles.size(), 1u);
  EXPECT_TRUE((*orgs)[1].roles.empty());

  MemberListQuery q;
  q.role_id = RoleId("r1");
  q.page.want_total = true;
  auto members = s().ListMembers(OrgId("o1"), q);
  ASSERT_OK(members);
  ASSERT_EQ(members->items.size(), 1u);
  EXPECT_EQ(members->items[0].roles.size(), 1u);
  EXPECT_EQ(members->total, 1);

  ASSERT_OK(s().RemoveMember(OrgId("o1"), UserId("u1")));
  ExpectError(s().RemoveMember(OrgId("o1"), UserId("u1")), ErrorCode::kNotFound, "member",
              "not_assigned");
  ASSERT_OK(s().AddMembers(OrgId("o1"), {UserId("u1")}, kT0));
  EXPECT_TRUE(s().ListMemberRoles(OrgId("o1"), UserId("u1"))->empty());
  EXPECT_TRUE(s().ListMemberPermissions(OrgId("o1"), UserId("u1"))->empty());
}

TEST_P(MembersRolesContractTest, MembersInJoinOrderWithCursor) {
  AddOrg("o1");
  AddUser("a");
  AddUser("b");
  AddUser("c");
  ASSERT_OK(s().AddMembers(OrgId("o1"), {UserId("c")}, kT0));
  ASSERT_OK(s().AddMembers(OrgId("o1"), {UserId("a")}, kT0 + 1));
  ASSERT_OK(s().AddMembers(OrgId("o1"), {UserId("b")}, kT0 + 2));
  MemberListQuery q{.sort = MemberSort::kJoinedAsc};
  q.page.limit = 2;
  auto page = s().ListMembers(OrgId("o1"), q);
  ASSERT_OK(page);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].user.id.value(), "c");
  EXPECT_EQ(page->items[0].joined_at, kT0);
  EXPECT_TRUE(page->has_more);
  q.page.after = page->last;
  page = s().ListMembers(OrgId("o1"), q);
  ASSERT_OK(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].user.id.value(), "b");
  MemberListQuery by_id;
  page = s().ListMembers(OrgId("o1"), by_id);
  ASSERT_OK(page);
  ASSERT_EQ(page->items.size(), 3u);
  EXPECT_EQ(page->items[0].user.id.value(), "a");
}

// The total of a member list without a search or role filter is the count the triggers keep
// (migration 0015), not a count of the rows: it follows every way memberships come and go,
// duplicates and a rolled-back transaction included, and agrees with the filtered count.
TEST_P(MembersRolesContractTest, TheMemberTotalFollowsEveryWayMembershipsChange) {
  AddOrg("o1");
  AddOrg("o2");
  for (const char* id : {"a", "b", "c", "d"}) AddUser(id);
  AddRole("r1", "r1");
  auto total = [&](const std::string& org, std::optional<std::string> role = std::nullopt) {
    MemberListQuery q;
    q.page.limit = 1;
    q.page.want_total = true;
    if (role) q.role_id = RoleId(*role);
    auto page = s().ListMembers(OrgId(org), q);
    if (!page) {
      ADD_FAILURE() << ErrorText(page.error());
      return int64_t{-1};
    }
    return page->total;
  };
  EXPECT_EQ(total("o1"), 0);
  ASSERT_OK(s().AddMembers(OrgId("o1"), {UserId("a"), UserId("b"), UserId("c")}, kT0));
  EXPECT_EQ(total("o1"), 3);
  auto added = s().AddMembers(OrgId("o1"), {UserId("a"), UserId("d")}, kT0);  // a is one already
  ASSERT_OK(added);
  EXPECT_EQ(added->size(), 1u);
  EXPECT_EQ(total("o1"), 4);
  ASSERT_OK(s().AddMembers(OrgId("o2"), {UserId("a"), UserId("b")}, kT0));
  EXPECT_EQ(total("o2"), 2);

  ASSERT_OK(s().RemoveMember(OrgId("o1"), UserId("b")));
  EXPECT_EQ(total("o1"), 3);
  auto removed = s().RemoveMembers(OrgId("o1"), {UserId("c"), UserId("b")});  // b is gone already
  ASSERT_OK(removed);
  EXPECT_EQ(*removed, 1);
  EXPECT_EQ(total("o1"), 2);

  // Rolled back: nothing counted.
  auto failed = s().InTransaction(TxMode::kWrite, [](Store& tx) -> Result<void> {
    ORGD_TRY(tx.AddMembers(OrgId("o1"), {UserId("b"), UserId("c")}, kT0));
    return Error::Aborted("test: roll back");
  });
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(total("o1"), 2);

  // A deleted user leaves every organization it was in.
  ASSERT_OK(s().DeleteUser(UserId("a")));
  EXPECT_EQ(total("o1"), 1);
  EXPECT_EQ(total("o2"), 1);
  ASSERT_OK(s().AddMemberRoles(OrgId("o1"), UserId("d"), {RoleId("r1")}, kT0));
  EXPECT_EQ(total("o1", "r1"), 1);

  // A deleted organization takes its count with it: made again, it starts from none.
  ASSERT_OK(s().DeleteOrganization(OrgId("o2")));
  AddOrg("o2");
  EXPECT_EQ(total("o2"), 0);
  ASSERT_OK(s().AddMembers(OrgId("o2"), {UserId("c")}, kT0));
  EXPECT_EQ(total("o2"), 1);
  EXPECT_EQ(total("o1"), 1);
}

// Summaries (Logto's organization list with featured users) of more organizations than one
// statement takes (20): each organization, in the order asked, with its kept member count and its
// first members by user id; unknown and empty organizations have none; a repeated organization
// is answered at each place.
TEST_P(MembersRolesContractTest, SummariesOfManyOrganizationsFeatureTheirFirstMembers) {
  std::vector<UserId> users;
  for (int i = 0; i < 6; ++i) {
    const std::string id = "u" + std::to_string(5 - i);  // created in reverse id order
    AddUser(id);
    users.emplace_back(id);
  }
  std::vector<OrgId> orgs;
  for (int i = 0; i < 45; ++i) {
    char id[8];
    std::snprintf(id, sizeof id, "o%02d", i);
    AddOrg(id);
    orgs.emplace_back(id);
    // Organization i has i % 7 members: users[0 .. i % 7).
    std::vector<UserId> members(users.begin(), users.begin() + i % 7);
    if (!members.empty()) ASSERT_OK(s().AddMembers(orgs.back(), members, kT0));
  }
  std::vector<OrgId> asked = orgs;
  std::reverse(asked.begin(), asked.end());
  asked.insert(asked.begin() + 30, OrgId("nope"));
  asked.push_back(orgs[13]);
  auto summaries = s().SummarizeMembers(asked, 3);
  ASSERT_OK(summaries);
  ASSERT_EQ(summaries->size(), asked.size());
  for (size_t k = 0; k < asked.size(); ++k) {
    const auto& summary = (*summaries)[k];
    if (asked[k].value() == "nope") {
      EXPECT_EQ(summary.users_count, 0);
      EXPECT_TRUE(summary.featured.empty());
      continue;
    }
    const int i = std::stoi(asked[k].value().substr(1));
    const int count = i % 7;
    EXPECT_EQ(summary.users_count, count) << asked[k].value();
    std::vector<std::string> want;  // the members' ids, lowest first
    for (int u = 0; u < count; ++u) want.push_back("u" + std::to_string(5 - u));
    std::sort(want.begin(), want.end());
    want.resize(std::min<size_t>(want.size(), 3));
    std::vector<std::string> got;
    for (const auto& f : summary.featured) {
      got.push_back(f.id.value());
      EXPECT_EQ(f.name, "Name " + f.id.value());
    }
    EXPECT_EQ(got, want) << asked[k].value();
  }
  // No featured members asked: the counts alone.
  summaries = s().SummarizeMembers({orgs[5], orgs[6]}, 0);
  ASSERT_OK(summaries);
  EXPECT_EQ((*summaries)[0].users_count, 5);
  EXPECT_TRUE((*summaries)[0].featured.empty());
  EXPECT_EQ((*summaries)[1].users_count, 6);
}

// The roles of a page's members are read kRolesBatch (50) members per query: a page of 120
// crosses two batch boundaries, and each member keeps exactly its own roles, in key order.
TEST_P(MembersRolesContractTest, EveryMemberOfALargePageCarriesExactlyItsRoles) {
  AddOrg("o1");
  AddOrg("o2");
  AddRole("r-b", "b-role");
  AddRole("r-a", "a-role");
  std::vector<UserId> users;
  for (int i = 0; i < 120; ++i) {
    char id[8];
    std::snprintf(id, sizeof id, "u%03d", i);
    AddUser(id);
    users.emplace_back(id);
  }
  ASSERT_OK(s().AddMembers(OrgId("o1"), users, kT0));
  ASSERT_OK(s().AddMembers(OrgId("o2"), users, kT0));
  for (int i = 0; i < 120; ++i) {
    std::vector<RoleId> roles;
    if (i % 2 == 0) roles.emplace_back("r-b");
    if (i % 3 == 0) roles.emplace_back("r-a");
    if (!roles.empty()) ASSERT_OK(s().AddMemberRoles(OrgId("o1"), users[i], roles, kT0));
  }
  // Grants in another organization never show.
  ASSERT_OK(s().AddMemberRoles(OrgId("o2"), users[1], {RoleId("r-a")}, kT0));

  MemberListQuery q;
  q.page.limit = 120;
  q.page.want_total = true;
  auto page = s().ListMembers(OrgId("o1"), q);
  ASSERT_OK(page);
  ASSERT_EQ(page->items.size(), 120u);
  EXPECT_EQ(page->total, 120);
  for (int i = 0; i < 120; ++i) {
    const auto& member = page->items[static_cast<size_t>(i)];
    ASSERT_EQ(member.user.id, users[static_cast<size_t>(i)]);
    std::vector<std::string> keys;
    for (const auto& role : member.roles) keys.push_back(role.key);
    std::vector<std::string> expected;
    if (i % 3 == 0) expected.push_back("a-role");
    if (i % 2 == 0) expected.push_back("b-role");
    EXPECT_EQ(keys, expected) << member.user.id.value();
  }
}

TEST_P(MembersRolesContractTest, ApiScopesApplicationsAndJitRoles) {
  AddOrg("o1");
  AddUser("u1");
  AddRole("r1", "robot", RoleType::kMachineToMachine);
  ASSERT_OK(s().InsertResource(
      Resource{.id = ResourceId("api1"), .name = "API", .indicator = "aud", .created_at = kT0}));
  ASSERT_OK(s().InsertResourceScope(ResourceScope{
      .id = ResourceScopeId("s1"), .resource_id = ResourceId("api1"), .name = "x"}));
  ASSERT_OK(s().AddMembers(OrgId("o1"), {UserId("u1")}, kT0));
  ASSERT_OK(s().AddMemberApiScope(OrgId("o1"), UserId("u1"), ResourceScopeId("s1"), kT0));
  ASSERT_OK(s().AddMemberApiScope(OrgId("o1"), UserId("u1"), ResourceScopeId("s1"), kT0));
  EXPECT_EQ(s().ListMemberApiScopes(OrgId("o1"), UserId("u1"))->size(), 1u);
  ASSERT_OK(s().DeleteResourceScope(ResourceId("api1"), ResourceScopeId("s1")));
  EXPECT_TRUE(s().ListMemberApiScopes(OrgId("o1"), UserId("u1"))->empty());
  ExpectError(s().RemoveMemberApiScope(OrgId("o1"), UserId("u1"), ResourceScopeId("s1")),
              ErrorCode::kNotFound, "member_api_scope", "not_assigned");

  Application app{.id = ApplicationId("app1"), .name = "Bot", .created_at = kT0};
  ASSERT_OK(s().InsertApplication(app));
  ASSERT_OK(s().AddApplications(OrgId("o1"), {ApplicationId("app1")}, kT0));
  ASSERT_OK(s().AddApplicationRoles(OrgId("o1"), ApplicationId("app1"), {RoleId("r1")}, kT0));
  auto apps = s().ListOrganizationApplications(OrgId("o1"), OrganizationApplicationQuery{});
  ASSERT_OK(apps);
  ASSERT_EQ(apps->items.size(), 1u);
  EXPECT_EQ(apps->items[0].roles.size(), 1u);
  EXPECT_EQ(apps->items[0].application.oidc_client_metadata, app.oidc_client_metadata);
  auto app_orgs = s().ListApplicationOrganizations(ApplicationId("app1"));
  ASSERT_OK(app_orgs);
  ASSERT_EQ(app_orgs->size(), 1u);
  ASSERT_OK(s().DeleteApplication(ApplicationId("app1")));
  EXPECT_TRUE(s().ListApplicationIds(OrgId("o1"))->empty());

  ASSERT_OK(s().AddJitRoles(OrgId("o1"), {RoleId("r1")}, kT0));
  EXPECT_EQ(s().ListJitRoles(OrgId("o1"))->size(), 1u);
  ASSERT_OK(s().DeleteOrganization(OrgId("o1")));
  EXPECT_TRUE(s().ListJitRoles(OrgId("o1"))->empty());
  EXPECT_TRUE(s().ListUserOrganizations(UserId("u1"))->empty());
}

TEST_P(MembersRolesContractTest, LockOrganizationInsideTransaction) {
  AddOrg("o1");
  ASSERT_OK(s().InTransaction(TxMode::kWrite, [](Store& tx) -> Result<void> {
    return tx.LockOrganization(OrgId("o1"));
  }));
  auto missing = s().InTransaction(TxMode::kWrite, [](Store& tx) -> Result<void> {
    return tx.LockOrganization(OrgId("nope"));
  });
  ExpectError(missing, ErrorCode::kNotFound, "organization", "");
}

}  // namespace
}  // namespace orgd::store
