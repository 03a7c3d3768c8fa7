// UserService on a real SqliteStore (":memory:"): the rules the dialects share.

#include "domain/user_service.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/id_generator.h"
#include "domain/organization_service.h"
#include "domain/role_service.h"
#include "store/sql/migrations.h"
#include "store/sql/sql_store.h"
#include "store/sqlite/sqlite_db.h"
#include "tests/support/domain_store_test.h"

namespace orgd::domain {
namespace {

using testing::ErrorText;
using testing::ExpectError;
using testing::FakeHasher;

class UserServiceTest : public testing::SqliteStoreTest {
 protected:
  void SetUp() override {
    SqliteStoreTest::SetUp();
    if (HasFatalFailure()) return;
    orgs_ = std::make_unique<OrganizationService>(*store_, clock_, ids_);
    roles_ = std::make_unique<RoleService>(*store_, clock_, ids_);
    users_ = std::make_unique<UserService>(*store_, clock_, ids_, hasher_);
  }

  OrgId Org() {
    CreateOrganizationInput input;
    input.fields.name = "Acme";
    auto org = orgs_->Create(input, IdStyle::kKinde);
    EXPECT_TRUE(org) << ErrorText(org.error());
    return org ? org->id : OrgId();
  }
  std::vector<UserId> AllUsers() {
    UserListQuery query;
    query.sort = UserSort::kCreatedAsc;
    auto page = users_->List(query);
    EXPECT_TRUE(page) << ErrorText(page.error());
    std::vector<UserId> ids;
    if (page) {
      for (const User& u : page->items) ids.push_back(u.id);
    }
    return ids;
  }

  FakeHasher hasher_;
  std::unique_ptr<OrganizationService> orgs_;
  std::unique_ptr<RoleService> roles_;
  std::unique_ptr<UserService> users_;
};

TEST_F(UserServiceTest, CreateInOrganizationJoinsWithTheDefaultRoles) {
  OrgId org = Org();
  CreateRoleInput role;
  role.fields.key = "member";
  role.fields.is_default_role = true;
  auto created_role = roles_->CreateRole(role, IdStyle::kKinde);
  ASSERT_TRUE(created_role) << ErrorText(created_role.error());

  CreateUserInput input;
  input.organization = org;
  auto user = users_->Create(input, IdStyle::kKinde);
  ASSERT_TRUE(user) << ErrorText(user.error());
  auto orgs = users_->ListOrganizations(user->id);
  ASSERT_TRUE(orgs) << ErrorText(orgs.error());
  ASSERT_EQ(orgs->size(), 1u);
  EXPECT_EQ((*orgs)[0].organization.id, org);
  ASSERT_EQ((*orgs)[0].roles.size(), 1u);
  EXPECT_EQ((*orgs)[0].roles[0].key, "member");
  auto with_orgs = users_->GetWithOrganizations(user->id, true);
  ASSERT_TRUE(with_orgs) << ErrorText(with_orgs.error());
  EXPECT_EQ(with_orgs->organizations, std::vector<OrgId>{org});
}

TEST_F(UserServiceTest, UnknownOrganizationLeavesNoUser) {
  CreateUserInput input;
  input.fields.primary_email = "a@example.com";
  input.organization = OrgId("org_00000000000");
  ExpectError(users_->Create(input, IdStyle::kKinde), ErrorCode::kNotFound, "organization", "");
  EXPECT_TRUE(AllUsers().empty());
}

TEST_F(UserServiceTest, ClashLeavesNoMembershipBehind) {
  OrgId org = Org();
  CreateUserInput first;
  first.fields.primary_email = "a@example.com";
  ASSERT_TRUE(users_->Create(first, IdStyle::kKinde));
  CreateUserInput second;
  second.fields.primary_email = "A@Example.com";
  second.organization = org;
  ExpectError(users_->Create(second, IdStyle::kKinde), ErrorCode::kAlreadyExists, "user", "email");
  EXPECT_EQ(AllUsers().size(), 1u);
  UserListQuery members;
  members.has_organization = true;
  auto page = users_->List(members);
  ASSERT_TRUE(page) << ErrorText(page.error());
  EXPECT_TRUE(page->items.empty());
}

TEST_F(UserServiceTest, UsernameIgnoresCaseOnlyWhenAsked) {
  CreateUserInput bob;
  bob.fields.username = "Bob";
  ASSERT_TRUE(users_->Create(bob, IdStyle::kLogto));
  CreateUserInput lower;
  lower.fields.username = "bob";
  lower.username_ignores_case = true;
  ExpectError(users_->Create(lower, IdStyle::kKinde), ErrorCode::kAlreadyExists, "user",
              "username");
  lower.username_ignores_case = false;
  EXPECT_TRUE(users_->Create(lower, IdStyle::kLogto));
}

TEST_F(UserServiceTest, PasswordRules) {
  CreateUserInput both;
  both.password = "p";
  both.password_digest = "d";
  both.password_algorithm = "MD5";
  ExpectError(users_->Create(both, IdStyle::kLogto), ErrorCode::kInvalidArgument, "password", "");
  CreateUserInput digest;
  digest.password_digest = "d";
  ExpectError(users_->Create(digest, IdStyle::kLogto), ErrorCode::kInvalidArgument,
              "password_algorithm", "");
  CreateUserInput plain;
  plain.password = "secret";
  auto user = users_->Create(plain, IdStyle::kLogto);
  ASSERT_TRUE(user) << ErrorText(user.error());
  EXPECT_EQ(user->password_hash, "$fake$secret");
  EXPECT_EQ(user->password_algorithm, "Argon2id");
}

TEST_F(UserServiceTest, SearchBounds) {
  UserListQuery query;
  query.search.terms.push_back(UserSearchTerm{.field = UserField::kName, .values = {"a"}});
  query.search.terms.push_back(UserSearchTerm{.field = UserField::kName, .values = {"b"}});
  ExpectError(users_->List(query), ErrorCode::kInvalidArgument, "", "business");
  query.search.terms.pop_back();
  query.search.terms[0].values.assign(UserSearch::kMaxValuesPerTerm + 1, "v");
  ExpectError(users_->List(query), ErrorCode::kInvalidArgument, "", "business");
  query.search.terms[0].values.assign(UserSearch::kMaxValuesPerTerm, "v");
  EXPECT_TRUE(users_->List(query));
}

TEST_F(UserServiceTest, UpdateWithSeesTheStoredUser) {
  CreateUserInput input;
  input.fields.first_name = "Ann";
  input.fields.profile = R"({"givenName":"Ann"})";
  auto user = users_->Create(input, IdStyle::kKinde);
  ASSERT_TRUE(user) << ErrorText(user.error());
  clock_.Advance(10);
  auto updated = users_->UpdateWith(user->id, [](const User& current) -> Result<UserPatch> {
    UserPatch patch;
    patch.last_name = current.first_name;
    return patch;
  });
  ASSERT_TRUE(updated) << ErrorText(updated.error());
  EXPECT_EQ(updated->last_name, "Ann");
  EXPECT_EQ(updated->updated_at, user->created_at + 10);
  ExpectError(users_->UpdateWith(UserId("nope"), [](const User&) { return UserPatch{}; }),
              ErrorCode::kNotFound, "user", "");
  // An error of the patch builder changes nothing.
  auto failed = users_->UpdateWith(
      user->id, [](const User&) -> Result<UserPatch> { return Error::InvalidArgument("no"); });
  ExpectError(failed, ErrorCode::kInvalidArgument, "", "");
}

}  // namespace
}  // namespace orgd::domain
