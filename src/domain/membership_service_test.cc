// MembershipService, RoleService and UserService on a real SqliteStore (":memory:").

#include "domain/membership_service.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/clock.h"
#include "common/id_generator.h"
#include "domain/organization_service.h"
#include "domain/role_service.h"
#include "domain/user_service.h"
#include "store/sql/migrations.h"
#include "store/sql/sql_store.h"
#include "store/sqlite/sqlite_db.h"
#include "tests/support/domain_store_test.h"

namespace orgd::domain {
namespace {

using testing::ErrorText;
using testing::ExpectError;
using testing::FakeHasher;

class MembershipServiceTest : public testing::SqliteStoreTest {
 protected:
  void SetUp() override {
    SqliteStoreTest::SetUp();
    if (HasFatalFailure()) return;
    orgs_ = std::make_unique<OrganizationService>(*store_, clock_, ids_);
    users_ = std::make_unique<UserService>(*store_, clock_, ids_, hasher_);
    roles_ = std::make_unique<RoleService>(*store_, clock_, ids_);
    members_ = std::make_unique<MembershipService>(*store_, clock_);
  }

  OrgId Org(std::string name = "Acme") {
    CreateOrganizationInput input;
    input.fields.name = std::move(name);
    auto org = orgs_->Create(input, IdStyle::kLogto);
    EXPECT_TRUE(org) << ErrorText(org.error());
    return org ? org->id : OrgId();
  }
  UserId User(std::string username) {
    CreateUserInput input;
    input.fields.username = std::move(username);
    auto user = users_->Create(input, IdStyle::kKinde);
    EXPECT_TRUE(user) << ErrorText(user.error());
    return user ? user->id : UserId();
  }
  RoleId Role(std::string key, std::vector<PermissionId> permissions = {},
              RoleType type = RoleType::kUser) {
    CreateRoleInput input;
    input.fields.key = std::move(key);
    input.fields.type = type;
    input.permission_ids = std::move(permissions);
    auto role = roles_->CreateRole(input, IdStyle::kLogto);
    EXPECT_TRUE(role) << ErrorText(role.error());
    return role ? role->id : RoleId();
  }
  PermissionId Perm(std::string key) {
    auto p = roles_->CreatePermission(Permission{.key = std::move(key)}, IdStyle::kKinde);
    EXPECT_TRUE(p) << ErrorText(p.error());
    return p ? p->id : PermissionId();
  }
  std::vector<std::string> RoleKeys(const OrgId& org, const UserId& user) {
    std::vector<std::string> keys;
    auto roles = store_->ListMemberRoles(org, user);
    EXPECT_TRUE(roles);
    if (roles) {
      for (const domain::Role& r : *roles) keys.push_back(r.key);
    }
    return keys;
  }
  std::vector<std::string> EffectiveKeys(const OrgId& org, const UserId& user) {
    std::vector<std::string> keys;
    auto perms = store_->ListEffectivePermissions(org, user);
    EXPECT_TRUE(perms);
    if (perms) {
      for (const EffectivePermission& p : *perms) keys.push_back(p.permission.key);
    }
    return keys;
  }

  FakeHasher hasher_;
  std::unique_ptr<OrganizationService> orgs_;
  std::unique_ptr<UserService> users_;
  std::unique_ptr<RoleService> roles_;
  std::unique_ptr<MembershipService> members_;
};

using V = std::vector<std::string>;

TEST_F(MembershipServiceTest, AddMembersIsIdempotentAndReportsNewOnes) {
  OrgId org = Org();
  UserId a = User("a"), b = User("b");
  auto first = members_->AddMembers(org, {a, a});
  ASSERT_OK(first);
  EXPECT_EQ(first->size(), 1u);
  auto second = members_->AddMembers(org, {a, b});
  ASSERT_OK(second);
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0], b);
  EXPECT_EQ(*store_->CountMembers(org), 2);
}

TEST_F(MembershipServiceTest, AddMembersWithUnknownUserChangesNothing) {
  OrgId org = Org();
  std::vector<UserId> many;
  for (int i = 0; i < 100; ++i) many.push_back(User("u" + std::to_string(i)));
  many.push_back(UserId("nope"));
  ExpectError(members_->AddMembers(org, many), ErrorCode::kNotFound, "user", "foreign_key");
  EXPECT_EQ(*store_->CountMembers(org), 0);
}

// 10,000 ids cross the store's statements of kBulkRowsPerStatement rows: the first unknown id in
// request order is the one named, and nothing is added.
TEST_F(MembershipServiceTest, TenThousandIdsWithUnknownOnesNameTheFirst) {
  OrgId org = Org();
  std::vector<UserId> many;
  ASSERT_OK(store_->InTransaction(store::TxMode::kWrite, [&](store::Store& tx) -> Result<void> {
    for (int i = 0; i < 10000; ++i) {
      domain::User u;
      u.id = UserId("user" + std::to_string(100000 + i));
      ORGD_TRY(tx.InsertUser(u));
      many.push_back(u.id);
    }
    return {};
  }));
  std::vector<UserId> request = many;
  request[9001] = UserId("ghost-b");
  request[6000] = UserId("ghost-a");
  auto failed = members_->AddMembers(org, request);
  ExpectError(failed, ErrorCode::kNotFound, "user", "foreign_key");
  EXPECT_EQ(failed.error().message, "unknown id ghost-a");
  EXPECT_EQ(*store_->CountMembers(org), 0);
  auto added = members_->AddMembers(org, many);
  ASSERT_OK(added);
  EXPECT_EQ(*added, many);
  EXPECT_EQ(*store_->CountMembers(org), 10000);
}

TEST_F(MembershipServiceTest, AddMembersToUnknownOrgIsForeignKey) {
  UserId a = User("a");
  ExpectError(members_->AddMembers(OrgId("missing"), {a}), ErrorCode::kNotFound, "organization",
              "foreign_key");
}

TEST_F(MembershipServiceTest, ReplaceMembersKeepsRolesOfStayingMembers) {
  OrgId org = Org();
  UserId a = User("a"), b = User("b"), c = User("c");
  RoleId admin = Role("admin");
  ASSERT_OK(members_->AddMembers(org, {a, b}));
  ASSERT_OK(members_->AssignMemberRoles(org, a, {admin}));
  ASSERT_OK(members_->AssignMemberRoles(org, b, {admin}));
  auto delta = members_->ReplaceMembers(org, {a, c, c});
  ASSERT_OK(delta);
  EXPECT_EQ(delta->removed, std::vector<UserId>{b});
  EXPECT_EQ(delta->added, std::vector<UserId>{c});
  EXPECT_EQ(RoleKeys(org, a), V{"admin"});
  EXPECT_EQ(*store_->IsMember(org, b), false);
  // b's grant went with its membership: re-adding b gives it no roles.
  ASSERT_OK(members_->AddMembers(org, {b}));
  EXPECT_EQ(RoleKeys(org, b), V{});
}

TEST_F(MembershipServiceTest, ReplaceMembersWithUnknownUserChangesNothing) {
  OrgId org = Org();
  UserId a = User("a");
  ASSERT_OK(members_->AddMembers(org, {a}));
  ExpectError(members_->ReplaceMembers(org, {UserId("nope")}), ErrorCode::kNotFound, "user",
              "foreign_key");
  EXPECT_EQ(*store_->IsMember(org, a), true);
}

TEST_F(MembershipServiceTest, RemoveMemberCascadesGrantsInThatOrgOnly) {
  OrgId org = Org("A"), other = Org("B");
  UserId a = User("a");
  PermissionId read = Perm("read");
  RoleId admin = Role("admin", {read});
  for (const OrgId& o : {org, other}) {
    ASSERT_OK(members_->AddMembers(o, {a}));
    ASSERT_OK(members_->AssignMemberRoles(o, a, {admin}));
    ASSERT_OK(members_->GrantMemberPermissions(o, a, {read}));
  }
  ASSERT_OK(members_->RemoveMember(org, a));
  ASSERT_OK(members_->AddMembers(org, {a}));
  EXPECT_EQ(RoleKeys(org, a), V{});
  EXPECT_EQ(EffectiveKeys(org, a), V{});
  EXPECT_EQ(RoleKeys(other, a), V{"admin"});
  EXPECT_EQ(EffectiveKeys(other, a), V{"read"});
}

TEST_F(MembershipServiceTest, RemoveNonMemberIsNotAssigned) {
  OrgId org = Org();
  UserId a = User("a");
  ExpectError(members_->RemoveMember(org, a), ErrorCode::kNotFound, "member", "not_assigned");
}

TEST_F(MembershipServiceTest, MachineRoleForUserIsConstraint) {
  OrgId org = Org();
  UserId a = User("a");
  RoleId m2m = Role("robot", {}, RoleType::kMachineToMachine);
  ASSERT_OK(members_->AddMembers(org, {a}));
  ExpectError(members_->AssignMemberRoles(org, a, {m2m}), ErrorCode::kFailedPrecondition, "role",
              "constraint");
  EXPECT_EQ(RoleKeys(org, a), V{});
}

TEST_F(MembershipServiceTest, UnknownRoleIsForeignKeyNotConstraint) {
  OrgId org = Org();
  UserId a = User("a");
  RoleId m2m = Role("robot", {}, RoleType::kMachineToMachine);
  ASSERT_OK(members_->AddMembers(org, {a}));
  ExpectError(members_->AssignMemberRoles(org, a, {m2m, RoleId("nope")}), ErrorCode::kNotFound,
              "role", "foreign_key");
}

TEST_F(MembershipServiceTest, RoleWriteForNonMemberRequiresMembership) {
  OrgId org = Org();
  UserId a = User("a");
  RoleId admin = Role("admin");
  ExpectError(members_->AssignMemberRoles(org, a, {admin}), ErrorCode::kFailedPrecondition,
              "member", "require_membership");
  ExpectError(members_->ListMemberRoles(org, a), ErrorCode::kFailedPrecondition, "member",
              "require_membership");
  ExpectError(members_->AssignMemberRoles(org, UserId("ghost"), {admin}), ErrorCode::kNotFound,
              "user", "");
}

TEST_F(MembershipServiceTest, BulkRoleAssignmentIsAtomic) {
  OrgId org = Org();
  UserId a = User("a"), b = User("b");
  RoleId admin = Role("admin");
  ASSERT_OK(members_->AddMembers(org, {a}));
  ExpectError(members_->AssignRolesToMembers(org, {a, b}, {admin}), ErrorCode::kNotFound,
              "member", "foreign_key");
  EXPECT_EQ(RoleKeys(org, a), V{});
  ASSERT_OK(members_->AddMembers(org, {b}));
  ASSERT_OK(members_->AssignRolesToMembers(org, {a, b}, {admin}));
  EXPECT_EQ(RoleKeys(org, b), V{"admin"});
}

TEST_F(MembershipServiceTest, ReplaceMemberRolesSetsExactly) {
  OrgId org = Org();
  UserId a = User("a");
  RoleId r1 = Role("r1"), r2 = Role("r2"), r3 = Role("r3");
  ASSERT_OK(members_->AddMembers(org, {a}));
  ASSERT_OK(members_->AssignMemberRoles(org, a, {r1, r2}));
  ASSERT_OK(members_->ReplaceMemberRoles(org, a, {r3, r2, r3}));
  EXPECT_EQ(RoleKeys(org, a), (V{"r2", "r3"}));
  ExpectError(members_->ReplaceMemberRoles(org, a, {r1, RoleId("nope")}), ErrorCode::kNotFound,
              "role", "foreign_key");
  EXPECT_EQ(RoleKeys(org, a), (V{"r2", "r3"}));
  ExpectError(members_->RemoveMemberRole(org, a, r1), ErrorCode::kNotFound, "member_role",
              "not_assigned");
}

TEST_F(MembershipServiceTest, ResolveRolesReportsEveryUnknownName) {
  RoleId r1 = Role("r1"), r2 = Role("r2");
  auto resolved = members_->ResolveRoles({r2}, {"r1", "r2"});
  ASSERT_OK(resolved);
  EXPECT_EQ(*resolved, (std::vector<RoleId>{r2, r1}));
  auto bad = members_->ResolveRoles({}, {"x", "r1", "y"});
  ExpectError(bad, ErrorCode::kNotFound, "role", "names_not_found");
  EXPECT_EQ(bad.error().fields.size(), 2u);
  EXPECT_TRUE(bad.error().fields.contains("x"));
  EXPECT_TRUE(bad.error().fields.contains("y"));
}

TEST_F(MembershipServiceTest, EffectivePermissionsUnionWithRoleAttribution) {
  OrgId org = Org();
  UserId a = User("a");
  PermissionId read = Perm("read"), write = Perm("write"), admin_p = Perm("admin");
  RoleId viewer = Role("viewer", {read});
  RoleId editor = Role("editor", {read, write});
  ASSERT_OK(members_->AddMembers(org, {a}));
  ASSERT_OK(members_->AssignMemberRoles(org, a, {viewer, editor}));
  ASSERT_OK(members_->GrantMemberPermissions(org, a, {admin_p, read}));
  auto effective = members_->EffectivePermissions(org, a);
  ASSERT_OK(effective);
  ASSERT_EQ(effective->size(), 3u);
  const EffectivePermission& admin = (*effective)[0];
  EXPECT_EQ(admin.permission.key, "admin");
  EXPECT_TRUE(admin.is_direct);
  EXPECT_TRUE(admin.via_roles.empty());
  const EffectivePermission& r = (*effective)[1];
  EXPECT_EQ(r.permission.key, "read");
  EXPECT_TRUE(r.is_direct);
  ASSERT_EQ(r.via_roles.size(), 2u);
  EXPECT_EQ(r.via_roles[0].key, "editor");
  EXPECT_EQ(r.via_roles[1].key, "viewer");
  const EffectivePermission& w = (*effective)[2];
  EXPECT_EQ(w.permission.key, "write");
  EXPECT_FALSE(w.is_direct);
  ASSERT_EQ(w.via_roles.size(), 1u);
  EXPECT_EQ(w.via_roles[0].id, editor);
  // The Logto member-scopes list: role permissions only.
  auto scopes = members_->MemberRoleScopes(org, a);
  ASSERT_OK(scopes);
  ASSERT_EQ(scopes->size(), 2u);
  EXPECT_EQ((*scopes)[0].key, "read");
  EXPECT_EQ((*scopes)[1].key, "write");
  // Revoking the direct grant keeps the role-derived permission.
  ASSERT_OK(members_->RevokeMemberPermission(org, a, read));
  EXPECT_EQ(EffectiveKeys(org, a), (V{"admin", "read", "write"}));
  ExpectError(members_->RevokeMemberPermission(org, a, read), ErrorCode::kNotFound,
              "member_permission", "not_assigned");
}

TEST_F(MembershipServiceTest, GrantsNeverLeakAcrossOrganizations) {
  OrgId a_org = Org("A"), b_org = Org("B");
  UserId u = User("u");
  PermissionId read = Perm("read");
  RoleId viewer = Role("viewer", {read});
  ASSERT_OK(members_->AddMembers(a_org, {u}));
  ASSERT_OK(members_->AddMembers(b_org, {u}));
  ASSERT_OK(members_->AssignMemberRoles(a_org, u, {viewer}));
  ASSERT_OK(members_->GrantMemberPermissions(a_org, u, {read}));
  EXPECT_EQ(RoleKeys(b_org, u), V{});
  EXPECT_EQ(EffectiveKeys(b_org, u), V{});
  auto scopes = members_->MemberRoleScopes(b_org, u);
  ASSERT_OK(scopes);
  EXPECT_TRUE(scopes->empty());
  auto holders = members_->ListRoleHolders(b_org, viewer, PageRequest{});
  ASSERT_OK(holders);
  EXPECT_TRUE(holders->items.empty());
  auto page = members_->ListMembers(b_org, MemberListQuery{});
  ASSERT_OK(page);
  ASSERT_EQ((*page)->items.size(), 1u);
  EXPECT_TRUE((*page)->items[0].roles.empty());
}

TEST_F(MembershipServiceTest, DeletingRolePermissionUserOrgCascades) {
  OrgId org = Org();
  UserId a = User("a"), b = User("b");
  PermissionId read = Perm("read"), write = Perm("write");
  RoleId viewer = Role("viewer", {read}), editor = Role("editor", {write});
  ASSERT_OK(members_->AddMembers(org, {a, b}));
  ASSERT_OK(members_->AssignMemberRoles(org, a, {viewer, editor}));
  ASSERT_OK(members_->AddJitRoles(org, {viewer}));
  ASSERT_OK(roles_->DeleteRole(viewer));
  EXPECT_EQ(RoleKeys(org, a), V{"editor"});
  EXPECT_TRUE(store_->ListJitRoles(org)->empty());
  ASSERT_OK(roles_->DeletePermission(write));
  EXPECT_EQ(EffectiveKeys(org, a), V{});
  ASSERT_OK(users_->Delete(a));
  EXPECT_EQ(*store_->ListMemberIds(org), std::vector<UserId>{b});
  ASSERT_OK(orgs_->Delete(org));
  auto orgs = users_->ListOrganizations(b);
  ASSERT_OK(orgs);
  EXPECT_TRUE(orgs->empty());
}

TEST_F(MembershipServiceTest, JitRoles) {
  OrgId org = Org();
  RoleId r1 = Role("r1"), r2 = Role("r2");
  ASSERT_OK(members_->AddJitRoles(org, {r2, r1, r2}));
  auto listed = members_->ListJitRoles(org);
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 2u);
  ExpectError(members_->AddJitRoles(org, {RoleId("nope")}), ErrorCode::kNotFound, "role",
              "foreign_key");
  ExpectError(members_->ReplaceJitRoles(org, {r1, r1}), ErrorCode::kAlreadyExists, "role",
              "duplicate");
  ASSERT_OK(members_->ReplaceJitRoles(org, {r1}));
  EXPECT_EQ(members_->ListJitRoles(org)->size(), 1u);
  ASSERT_OK(members_->RemoveJitRole(org, r1));
  ExpectError(members_->RemoveJitRole(org, r1), ErrorCode::kNotFound, "jit_role", "not_assigned");
}

TEST_F(MembershipServiceTest, KindeBulkAddGivesDefaultRolesToNewMembersOnly) {
  OrgId org = Org();
  UserId a = User("a"), b = User("b");
  CreateRoleInput def;
  def.fields.key = "member";
  def.fields.is_default_role = true;
  ASSERT_OK(roles_->CreateRole(def, IdStyle::kKinde));
  Role("admin");
  Perm("read");
  ASSERT_OK(members_->AddMembers(org, {b}));
  auto added = members_->AddMembersWithGrants(
      org, {{.user_id = a, .role_keys = {"admin"}, .permission_keys = {"read"}},
            {.user_id = b, .role_keys = {"admin"}}});
  ASSERT_OK(added);
  EXPECT_EQ(*added, std::vector<UserId>{a});
  EXPECT_EQ(RoleKeys(org, a), (V{"admin", "member"}));
  EXPECT_EQ(RoleKeys(org, b), V{"admin"});
  ExpectError(members_->AddMembersWithGrants(org, {{.user_id = a, .role_keys = {"nope"}}}),
              ErrorCode::kNotFound, "role", "foreign_key");
}

TEST_F(MembershipServiceTest, KindeBulkUpdateIsAllOrNothing) {
  OrgId org = Org();
  UserId a = User("a"), b = User("b"), c = User("c");
  Role("admin");
  ASSERT_OK(members_->AddMembers(org, {a, b}));
  ExpectError(members_->UpdateMembersWithGrants(
                  org, {{.user_id = a, .remove = true}, {.user_id = c, .role_keys = {"nope"}}}),
              ErrorCode::kNotFound, "role", "foreign_key");
  EXPECT_TRUE(*store_->IsMember(org, a));
  EXPECT_FALSE(*store_->IsMember(org, c));
  auto delta = members_->UpdateMembersWithGrants(
      org, {{.user_id = a, .remove = true},
            {.user_id = b, .role_keys = {"admin"}},
            {.user_id = c},
            {.user_id = UserId("ghost"), .remove = true}});
  ASSERT_OK(delta);
  EXPECT_EQ(delta->added, std::vector<UserId>{c});
  EXPECT_EQ(delta->updated, std::vector<UserId>{b});
  EXPECT_EQ(delta->removed, std::vector<UserId>{a});
  EXPECT_EQ(RoleKeys(org, b), V{"admin"});
}

TEST_F(MembershipServiceTest, RemoveMemberNamesWhatIsMissing) {
  OrgId org = Org();
  UserId a = User("a");
  ExpectError(members_->RemoveMember(OrgId("nope"), a), ErrorCode::kNotFound, "organization", "");
  ExpectError(members_->RemoveMember(org, UserId("nope")), ErrorCode::kNotFound, "user", "");
  ExpectError(members_->RemoveMember(org, a), ErrorCode::kNotFound, "member", "not_assigned");
}

TEST_F(MembershipServiceTest, ListMembersHoldingNeedsEveryKey) {
  OrgId org = Org();
  UserId a = User("a"), b = User("b");
  PermissionId read = Perm("read");
  Role("admin", {read});
  Role("viewer");
  ASSERT_OK(members_->AddMembersWithGrants(org, {{.user_id = a, .role_keys = {"admin", "viewer"}},
                                                 {.user_id = b, .permission_keys = {"read"}}}));
  auto ids = [&](const std::vector<std::string>& roles, const std::vector<std::string>& perms) {
    std::vector<UserId> out;
    auto page = members_->ListMembersHolding(org, MemberListQuery{}, roles, perms);
    EXPECT_TRUE(page) << ErrorText(page.error());
    if (page) {
      for (const Member& m : page->items) out.push_back(m.user.id);
    }
    return out;
  };
  EXPECT_EQ(ids({"admin", "viewer"}, {}), std::vector<UserId>{a});
  std::vector<UserId> both = {a, b};
  std::sort(both.begin(), both.end());
  EXPECT_EQ(ids({}, {"read"}), both);
  EXPECT_TRUE(ids({"admin", "ghost"}, {}).empty());
  ExpectError(members_->ListMembersHolding(OrgId("nope"), MemberListQuery{}, {}, {}),
              ErrorCode::kNotFound, "organization", "");
}

TEST_F(MembershipServiceTest, SummariesCountMembersAndFeatureTheFirstByUserId) {
  OrgId busy = Org("busy"), empty = Org("empty");
  std::vector<UserId> users = {User("u1"), User("u2"), User("u3"), User("u4")};
  ASSERT_OK(members_->AddMembers(busy, users));
  std::sort(users.begin(), users.end());
  auto summaries = store_->SummarizeMembers({empty, busy, OrgId("nope")}, 3);
  ASSERT_OK(summaries);
  ASSERT_EQ(summaries->size(), 3u);
  EXPECT_EQ((*summaries)[0].users_count, 0);
  EXPECT_TRUE((*summaries)[0].featured.empty());
  EXPECT_EQ((*summaries)[1].users_count, 4);
  ASSERT_EQ((*summaries)[1].featured.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ((*summaries)[1].featured[i].id, users[i]);
  EXPECT_EQ((*summaries)[2].users_count, 0);
}

TEST_F(MembershipServiceTest, ActiveRoleHolderWindowIsCheckedFirst) {
  OrgId org = Org();
  RoleId admin = Role("admin");
  constexpr int64_t kDay = 24 * 60 * 60 * 1000;
  ExpectError(members_->CountActiveRoleHolders(OrgId("nope"), admin, 0, 3 * kDay),
              ErrorCode::kInvalidArgument, "date_time_to", "date_time_range_too_large");
  ExpectError(members_->CountActiveRoleHolders(org, admin, kDay, 0), ErrorCode::kInvalidArgument,
              "date_time_to", "invalid_date_time");
  ExpectError(members_->CountActiveRoleHolders(org, RoleId("nope"), 0, kDay),
              ErrorCode::kNotFound, "role", "");
  auto count = members_->CountActiveRoleHolders(org, admin, 0, 3 * kDay - 1);
  ASSERT_OK(count);
  EXPECT_EQ(*count, 0);
}

TEST_F(MembershipServiceTest, CreateRoleWithUnknownPermissionLeavesNoRole) {
  PermissionId read = Perm("read");
  CreateRoleInput input;
  input.fields.key = "admin";
  input.permission_ids = {read, PermissionId("nope")};
  ExpectError(roles_->CreateRole(input, IdStyle::kLogto), ErrorCode::kNotFound, "permission",
              "foreign_key");
  auto page = roles_->ListRoles(RoleListQuery{});
  ASSERT_OK(page);
  EXPECT_TRUE(page->items.empty());
}

TEST_F(MembershipServiceTest, UserPasswordIsHashedAndDuplicatesClash) {
  CreateUserInput input;
  input.fields.primary_email = "Ann@Example.com";
  input.password = "secret";
  auto user = users_->Create(input, IdStyle::kLogto);
  ASSERT_OK(user);
  EXPECT_EQ(user->password_hash, "$fake$secret");
  EXPECT_EQ(user->id.value().size(), 12u);
  CreateUserInput dup;
  dup.fields.primary_email = "ann@example.COM";
  ExpectError(users_->Create(dup, IdStyle::kKinde), ErrorCode::kAlreadyExists, "user", "email");
  CreateUserInput both;
  both.password = "x";
  both.password_digest = "y";
  ExpectError(users_->Create(both, IdStyle::kKinde), ErrorCode::kInvalidArgument, "password", "");
}

}  // namespace
}  // namespace orgd::domain
