// RoleService on a real SqliteStore (":memory:"): the rules both dialects share.

#include "domain/role_service.h"

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/clock.h"
#include "common/id_generator.h"
#include "store/sql/migrations.h"
#include "store/sql/sql_store.h"
#include "store/sqlite/sqlite_db.h"
#include "tests/support/domain_store_test.h"

namespace orgd::domain {
namespace {

using testing::ErrorText;
using testing::ExpectError;

class RoleServiceTest : public testing::SqliteStoreTest {
 protected:
  void SetUp() override {
    SqliteStoreTest::SetUp();
    if (HasFatalFailure()) return;
    roles_ = std::make_unique<RoleService>(*store_, clock_, ids_);
  }

  RoleId NewRole(std::string key, std::string name = {}) {
    CreateRoleInput input;
    input.fields.key = std::move(key);
    input.fields.name = std::move(name);
    auto role = roles_->CreateRole(input, IdStyle::kKinde);
    EXPECT_TRUE(role) << ErrorText(role.error());
    return role ? role->id : RoleId();
  }
  PermissionId NewPermission(std::string key) {
    auto p = roles_->CreatePermission(Permission{.key = std::move(key)}, IdStyle::kKinde);
    EXPECT_TRUE(p) << ErrorText(p.error());
    return p ? p->id : PermissionId();
  }
  std::vector<std::string> PermissionKeys(const RoleId& role) {
    PermissionListQuery query;
    query.page.limit = std::numeric_limits<int64_t>::max();
    auto page = roles_->ListRolePermissions(role, query);
    EXPECT_TRUE(page) << ErrorText(page.error());
    std::vector<std::string> keys;
    if (page) {
      for (const Permission& p : page->items) keys.push_back(p.key);
    }
    return keys;
  }

  std::unique_ptr<RoleService> roles_;
};

TEST_F(RoleServiceTest, KeyClashWinsOverUnknownLinkIds) {
  NewRole("admin");
  CreateRoleInput input;
  input.fields.key = "admin";
  input.permission_ids = {PermissionId("nope")};
  ExpectError(roles_->CreateRole(input, IdStyle::kLogto), ErrorCode::kAlreadyExists, "role", "key");
}

TEST_F(RoleServiceTest, RenamingTheKeyMovesADisplayNameThatEqualledIt) {
  RoleId plain = NewRole("editor");
  RoleId named = NewRole("admin", "Administrator");
  auto r = roles_->UpdateRole(plain, RolePatch{.key = "author"});
  ASSERT_TRUE(r) << ErrorText(r.error());
  EXPECT_EQ(r->name, "author");
  r = roles_->UpdateRole(named, RolePatch{.key = "owner"});
  ASSERT_TRUE(r) << ErrorText(r.error());
  EXPECT_EQ(r->name, "Administrator");
  r = roles_->UpdateRole(plain, RolePatch{.key = "writer", .name = "Writer"});
  ASSERT_TRUE(r) << ErrorText(r.error());
  EXPECT_EQ(r->name, "Writer");

  PermissionId p = NewPermission("read");
  auto updated = roles_->UpdatePermission(p, PermissionPatch{.key = "read:all"});
  ASSERT_TRUE(updated) << ErrorText(updated.error());
  EXPECT_EQ(updated->name, "read:all");
  ExpectError(roles_->UpdatePermission(PermissionId("nope"), PermissionPatch{.key = "x"}),
              ErrorCode::kNotFound, "permission", "");
}

TEST_F(RoleServiceTest, UpdateRolePermissionsReportsOnlyChangesAndIsAllOrNothing) {
  RoleId role = NewRole("admin");
  PermissionId read = NewPermission("read");
  PermissionId write = NewPermission("write");
  auto delta = roles_->UpdateRolePermissions(role, {{.id = read}, {.id = write}});
  ASSERT_TRUE(delta) << ErrorText(delta.error());
  EXPECT_EQ(delta->added, (std::vector<PermissionId>{read, write}));
  EXPECT_TRUE(delta->removed.empty());
  delta = roles_->UpdateRolePermissions(role, {{.id = read}, {.id = write, .remove = true}});
  ASSERT_TRUE(delta) << ErrorText(delta.error());
  EXPECT_TRUE(delta->added.empty());
  EXPECT_EQ(delta->removed, std::vector<PermissionId>{write});
  ExpectError(roles_->UpdateRolePermissions(
                  role, {{.id = read, .remove = true}, {.id = PermissionId("nope")}}),
              ErrorCode::kNotFound, "permission", "foreign_key");
  EXPECT_EQ(PermissionKeys(role), std::vector<std::string>{"read"});
  ExpectError(roles_->UpdateRolePermissions(RoleId("nope"), {{.id = read}}), ErrorCode::kNotFound,
              "role", "");
}

TEST_F(RoleServiceTest, ReplaceWithNothingSucceedsForAnUnknownRole) {
  EXPECT_TRUE(roles_->ReplaceRolePermissions(RoleId("nope"), {}));
  EXPECT_TRUE(roles_->ReplaceRoleResourceScopes(RoleId("nope"), {}));
  PermissionId read = NewPermission("read");
  ExpectError(roles_->ReplaceRolePermissions(RoleId("nope"), {read}), ErrorCode::kNotFound, "role",
              "");
  RoleId role = NewRole("admin");
  ExpectError(roles_->ReplaceRolePermissions(role, {read, read}), ErrorCode::kAlreadyExists,
              "permission", "duplicate");
}

TEST_F(RoleServiceTest, RemovingALinkChecksTheRoleFirst) {
  PermissionId read = NewPermission("read");
  ExpectError(roles_->RemoveRolePermission(RoleId("nope"), read), ErrorCode::kNotFound, "role", "");
  RoleId role = NewRole("admin");
  ExpectError(roles_->RemoveRolePermission(role, read), ErrorCode::kNotFound, "role_permission",
              "not_assigned");
  ExpectError(roles_->RemoveRoleResourceScope(role, ResourceScopeId("s")), ErrorCode::kNotFound,
              "role_resource_scope", "not_assigned");
}

TEST_F(RoleServiceTest, ListRolesWithScopesEmbedsPermissionsInKeyOrder) {
  PermissionId write = NewPermission("write");
  PermissionId read = NewPermission("read");
  CreateRoleInput input;
  input.fields.key = "admin";
  input.permission_ids = {write, read};
  ASSERT_TRUE(roles_->CreateRole(input, IdStyle::kLogto));
  NewRole("viewer");
  RoleListQuery query;
  query.page.want_total = true;
  auto page = roles_->ListRolesWithScopes(query);
  ASSERT_TRUE(page) << ErrorText(page.error());
  EXPECT_EQ(page->total, 2);
  ASSERT_EQ(page->items.size(), 2u);
  ASSERT_EQ(page->items[0].permissions.size(), 2u);
  EXPECT_EQ(page->items[0].permissions[0].key, "read");
  EXPECT_EQ(page->items[0].permissions[1].key, "write");
  EXPECT_TRUE(page->items[1].permissions.empty());
  ExpectError(roles_->ListRoleHolders(RoleId("nope"), PageRequest{}), ErrorCode::kNotFound, "role",
              "");
  ExpectError(roles_->ListRoleResourceScopes(RoleId("nope"), PageRequest{}), ErrorCode::kNotFound,
              "role", "");
}

}  // namespace
}  // namespace orgd::domain
