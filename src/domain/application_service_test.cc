// ApplicationService on a real SqliteStore (":memory:"): the type rules of application creation,
// organization membership of applications and their organization roles.

#include "domain/application_service.h"

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

using V = std::vector<std::string>;

class ApplicationServiceTest : public testing::SqliteStoreTest {
 protected:
  void SetUp() override {
    SqliteStoreTest::SetUp();
    if (HasFatalFailure()) return;
    orgs_ = std::make_unique<OrganizationService>(*store_, clock_, ids_);
    roles_ = std::make_unique<RoleService>(*store_, clock_, ids_);
    apps_ = std::make_unique<ApplicationService>(*store_, clock_, ids_);
  }

  OrgId Org() {
    CreateOrganizationInput input;
    input.fields.name = "Acme";
    auto org = orgs_->Create(input, IdStyle::kLogto);
    EXPECT_TRUE(org) << ErrorText(org.error());
    return org ? org->id : OrgId();
  }
  ApplicationId App(std::string name, ApplicationType type = ApplicationType::kMachineToMachine) {
    clock_.Advance(1);
    auto app = apps_->Create({.fields = {.name = std::move(name), .type = type}}, IdStyle::kLogto);
    EXPECT_TRUE(app) << ErrorText(app.error());
    return app ? app->id : ApplicationId();
  }
  RoleId Role(std::string key, RoleType type = RoleType::kMachineToMachine) {
    CreateRoleInput input;
    input.fields.key = std::move(key);
    input.fields.type = type;
    auto role = roles_->CreateRole(input, IdStyle::kLogto);
    EXPECT_TRUE(role) << ErrorText(role.error());
    return role ? role->id : RoleId();
  }
  V AppNames(const OrgId& org) {
    V names;
    auto page = apps_->ListInOrganization(org, {.page = {.limit = 100}});
    EXPECT_TRUE(page);
    if (page) {
      for (const OrganizationApplication& a : page->items) names.push_back(a.application.name);
    }
    return names;
  }
  V RoleKeys(const OrgId& org, const ApplicationId& app) {
    V keys;
    auto roles = store_->ListApplicationRoles(org, app);
    EXPECT_TRUE(roles);
    if (roles) {
      for (const domain::Role& r : *roles) keys.push_back(r.key);
    }
    return keys;
  }

  std::unique_ptr<OrganizationService> orgs_;
  std::unique_ptr<RoleService> roles_;
  std::unique_ptr<ApplicationService> apps_;
};

TEST_F(ApplicationServiceTest, CreateAppliesTheTypeRules) {
  using T = ApplicationType;
  ExpectError(apps_->Create({.fields = {.name = "s", .type = T::kSaml}}, IdStyle::kLogto),
              ErrorCode::kInvalidArgument, "application", "saml");
  ExpectError(
      apps_->Create({.fields = {.name = "m", .type = T::kMachineToMachine, .is_third_party = true}},
                    IdStyle::kLogto),
      ErrorCode::kInvalidArgument, "application", "third_party_type");
  ExpectError(apps_->Create({.fields = {.name = "d", .type = T::kSpa}, .is_device_flow = true},
                            IdStyle::kLogto),
              ErrorCode::kInvalidArgument, "application", "device_flow_native_only");
  ExpectError(apps_->Create({.fields = {.name = "p", .type = T::kProtected}}, IdStyle::kLogto),
              ErrorCode::kInvalidArgument, "application", "protected_app_metadata_required");
  ExpectError(apps_->Create({.fields = {.name = "p", .type = T::kProtected},
                             .has_protected_app_metadata = true},
                            IdStyle::kLogto),
              ErrorCode::kFailedPrecondition, "application", "protected_app_not_configured");
  auto third = apps_->Create({.fields = {.name = "t", .type = T::kSpa, .is_third_party = true}},
                             IdStyle::kLogto);
  ASSERT_OK(third);
  EXPECT_EQ(third->id.value().size(), 21u);
  auto native = apps_->Create({.fields = {.name = "n", .type = T::kNative}, .is_device_flow = true},
                              IdStyle::kLogto);
  ASSERT_OK(native);
  auto listed = apps_->List({.page = {.limit = 100, .want_total = true}});
  ASSERT_OK(listed);
  EXPECT_EQ(listed->total, 2);
}

TEST_F(ApplicationServiceTest, ListFiltersByTypesThirdPartyAndExcludedOrganization) {
  OrgId org = Org();
  ApplicationId m2m = App("m2m");
  App("spa", ApplicationType::kSpa);
  App("native", ApplicationType::kNative);
  ASSERT_OK(apps_->AddToOrganization(org, {m2m}));
  auto names = [&](const ApplicationListQuery& q) {
    V out;
    auto page = apps_->List(q);
    EXPECT_TRUE(page) << ErrorText(page.error());
    if (page) {
      for (const Application& a : page->items) out.push_back(a.name);
    }
    return out;
  };
  const PageRequest all{.limit = 100};
  EXPECT_EQ(names({.page = all}), (V{"native", "spa", "m2m"}));
  EXPECT_EQ(
      names({.types = {ApplicationType::kSpa, ApplicationType::kMachineToMachine}, .page = all}),
      (V{"spa", "m2m"}));
  EXPECT_EQ(names({.exclude_org = org, .page = all}), (V{"native", "spa"}));
  EXPECT_EQ(names({.is_third_party = false, .page = {.limit = 1, .offset = 1}}), (V{"spa"}));
  auto counted =
      apps_->List({.types = {ApplicationType::kNative}, .page = {.limit = 0, .want_total = true}});
  ASSERT_OK(counted);
  EXPECT_EQ(counted->total, 1);
}

TEST_F(ApplicationServiceTest, OnlyExistingMachineToMachineApplicationsJoin) {
  OrgId org = Org();
  ApplicationId m2m = App("m2m"), spa = App("spa", ApplicationType::kSpa);
  ExpectError(apps_->AddToOrganization(OrgId("nope"), {m2m}), ErrorCode::kNotFound, "organization",
              "foreign_key");
  ExpectError(apps_->AddToOrganization(org, {m2m, ApplicationId("ghost")}), ErrorCode::kNotFound,
              "application", "foreign_key");
  ExpectError(apps_->AddToOrganization(org, {m2m, spa}), ErrorCode::kFailedPrecondition,
              "application", "constraint");
  EXPECT_TRUE(AppNames(org).empty());
  ASSERT_OK(apps_->AddToOrganization(org, {m2m, m2m}));
  ASSERT_OK(apps_->AddToOrganization(org, {m2m}));
  EXPECT_EQ(AppNames(org), (V{"m2m"}));
}

TEST_F(ApplicationServiceTest, ReplaceIsADeltaThatKeepsStayingRoles) {
  OrgId org = Org();
  ApplicationId a = App("a"), b = App("b"), c = App("c");
  RoleId bot = Role("bot");
  ASSERT_OK(apps_->AddToOrganization(org, {a, b}));
  ASSERT_OK(apps_->AssignRoles(org, a, {bot}));
  ASSERT_OK(apps_->AssignRoles(org, b, {bot}));
  ASSERT_OK(apps_->ReplaceInOrganization(org, {c, a, c}));
  EXPECT_EQ(AppNames(org), (V{"a", "c"}));
  EXPECT_EQ(RoleKeys(org, a), (V{"bot"}));
  clock_.Advance(1);
  ASSERT_OK(apps_->AddToOrganization(org, {b}));
  EXPECT_TRUE(RoleKeys(org, b).empty());
  ExpectError(apps_->ReplaceInOrganization(org, {ApplicationId("ghost")}), ErrorCode::kNotFound,
              "application", "foreign_key");
  EXPECT_EQ(AppNames(org), (V{"a", "c", "b"}));
  ASSERT_OK(apps_->ReplaceInOrganization(OrgId("nope"), {}));
  ExpectError(apps_->ReplaceInOrganization(OrgId("nope"), {a}), ErrorCode::kNotFound,
              "organization", "foreign_key");
  ASSERT_OK(apps_->ReplaceInOrganization(org, {}));
  EXPECT_TRUE(AppNames(org).empty());
}

TEST_F(ApplicationServiceTest, ApplicationsHoldOnlyMachineRoles) {
  OrgId org = Org();
  ApplicationId a = App("a");
  RoleId bot = Role("bot"), human = Role("human", RoleType::kUser);
  ExpectError(apps_->AssignRoles(org, a, {bot}), ErrorCode::kFailedPrecondition,
              "organization_application", "require_membership");
  ASSERT_OK(apps_->AddToOrganization(org, {a}));
  ExpectError(apps_->AssignRoles(org, a, {bot, human}), ErrorCode::kFailedPrecondition, "role",
              "constraint");
  ExpectError(apps_->AssignRoles(org, a, {human, RoleId("ghost")}), ErrorCode::kNotFound, "role",
              "foreign_key");
  EXPECT_TRUE(RoleKeys(org, a).empty());
  ASSERT_OK(apps_->AssignRoles(org, a, {bot, bot}));
  EXPECT_EQ(RoleKeys(org, a), (V{"bot"}));
}

TEST_F(ApplicationServiceTest, ReplaceRolesRefusesDuplicatesAfterMembership) {
  OrgId org = Org();
  ApplicationId a = App("a");
  RoleId bot = Role("bot"), ops = Role("ops");
  ExpectError(apps_->ReplaceRoles(org, a, {bot, bot}), ErrorCode::kFailedPrecondition,
              "organization_application", "require_membership");
  ASSERT_OK(apps_->AddToOrganization(org, {a}));
  ASSERT_OK(apps_->AssignRoles(org, a, {bot}));
  ExpectError(apps_->ReplaceRoles(org, a, {ops, ops}), ErrorCode::kAlreadyExists, "role",
              "duplicate");
  EXPECT_EQ(RoleKeys(org, a), (V{"bot"}));
  ASSERT_OK(apps_->ReplaceRoles(org, a, {ops}));
  EXPECT_EQ(RoleKeys(org, a), (V{"ops"}));
}

TEST_F(ApplicationServiceTest, RemoveRoleChecksMembershipFirst) {
  OrgId org = Org();
  ApplicationId a = App("a");
  RoleId bot = Role("bot");
  ExpectError(apps_->RemoveRole(OrgId("nope"), ApplicationId("x"), RoleId("y")),
              ErrorCode::kFailedPrecondition, "organization_application", "require_membership");
  ASSERT_OK(apps_->AddToOrganization(org, {a}));
  ExpectError(apps_->RemoveRole(org, a, bot), ErrorCode::kNotFound, "application_role",
              "not_assigned");
  ASSERT_OK(apps_->AssignRoles(org, a, {bot}));
  ASSERT_OK(apps_->RemoveRole(org, a, bot));
  EXPECT_TRUE(RoleKeys(org, a).empty());
}

TEST_F(ApplicationServiceTest, BulkRoleGrantNeedsMembersAndMachineRoles) {
  OrgId org = Org();
  ApplicationId a = App("a"), b = App("b"), outsider = App("outsider");
  RoleId bot = Role("bot"), human = Role("human", RoleType::kUser);
  ASSERT_OK(apps_->AddToOrganization(org, {a, b}));
  ExpectError(apps_->AssignRolesToApplications(org, {a, outsider}, {bot}), ErrorCode::kNotFound,
              "organization_application", "foreign_key");
  ExpectError(apps_->AssignRolesToApplications(org, {a, b}, {bot, human}),
              ErrorCode::kFailedPrecondition, "role", "constraint");
  EXPECT_TRUE(RoleKeys(org, a).empty());
  ASSERT_OK(apps_->AssignRolesToApplications(org, {a, b}, {bot}));
  EXPECT_EQ(RoleKeys(org, b), (V{"bot"}));
}

TEST_F(ApplicationServiceTest, DeleteCascadesMembershipsAndRoles) {
  OrgId org = Org();
  ApplicationId a = App("a");
  RoleId bot = Role("bot");
  ASSERT_OK(apps_->AddToOrganization(org, {a}));
  ASSERT_OK(apps_->AssignRoles(org, a, {bot}));
  auto orgs = apps_->ListOrganizations(a);
  ASSERT_OK(orgs);
  ASSERT_EQ(orgs->size(), 1u);
  ASSERT_EQ((*orgs)[0].roles.size(), 1u);
  EXPECT_EQ((*orgs)[0].roles[0].key, "bot");
  ASSERT_OK(apps_->Delete(a));
  EXPECT_TRUE(AppNames(org).empty());
  ExpectError(apps_->ListOrganizations(a), ErrorCode::kNotFound, "application", "");
  ExpectError(apps_->Delete(a), ErrorCode::kNotFound, "application", "");
  ExpectError(apps_->RemoveFromOrganization(org, a), ErrorCode::kNotFound,
              "organization_application", "not_assigned");
}

}  // namespace
}  // namespace orgd::domain
