// JitService, ConnectionService and InvitationService on a real SqliteStore (":memory:").

#include "domain/jit_service.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/id_generator.h"
#include "domain/connection_service.h"
#include "domain/invitation_service.h"
#include "domain/membership_service.h"
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

class ConnectionsDomainTest : public testing::SqliteStoreTest {
 protected:
  void SetUp() override {
    SqliteStoreTest::SetUp();
    if (HasFatalFailure()) return;
    orgs_ = std::make_unique<OrganizationService>(*store_, clock_, ids_);
    users_ = std::make_unique<UserService>(*store_, clock_, ids_, hasher_);
    roles_ = std::make_unique<RoleService>(*store_, clock_, ids_);
    members_ = std::make_unique<MembershipService>(*store_, clock_);
    connections_ = std::make_unique<ConnectionService>(*store_, clock_, ids_);
    invitations_ = std::make_unique<InvitationService>(*store_, clock_, ids_);
    jit_ = std::make_unique<JitService>(*store_, clock_);
  }

  OrgId Org(std::vector<std::string> domains = {}) {
    CreateOrganizationInput input;
    input.fields.name = "Org";
    auto org = orgs_->Create(input, IdStyle::kLogto);
    EXPECT_TRUE(org) << ErrorText(org.error());
    if (!domains.empty()) {
      OrganizationPatch patch;
      patch.allowed_domains = std::move(domains);
      EXPECT_TRUE(orgs_->Update(org->id, patch));
    }
    clock_.Advance(1);
    return org ? org->id : OrgId();
  }
  UserId User(std::optional<std::string> email) {
    CreateUserInput input;
    input.fields.primary_email = std::move(email);
    auto user = users_->Create(input, IdStyle::kLogto);
    EXPECT_TRUE(user) << ErrorText(user.error());
    return user ? user->id : UserId();
  }
  RoleId Role(std::string key) {
    CreateRoleInput input;
    input.fields.key = std::move(key);
    auto role = roles_->CreateRole(input, IdStyle::kLogto);
    EXPECT_TRUE(role) << ErrorText(role.error());
    return role ? role->id : RoleId();
  }
  ConnectionId Conn(std::string name) {
    Connection c;
    c.name = std::move(name);
    c.provider = "OIDC";
    auto created = connections_->Create(c, IdStyle::kLogto);
    EXPECT_TRUE(created) << ErrorText(created.error());
    return created ? created->id : ConnectionId();
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

  FakeHasher hasher_;
  std::unique_ptr<OrganizationService> orgs_;
  std::unique_ptr<UserService> users_;
  std::unique_ptr<RoleService> roles_;
  std::unique_ptr<MembershipService> members_;
  std::unique_ptr<ConnectionService> connections_;
  std::unique_ptr<InvitationService> invitations_;
  std::unique_ptr<JitService> jit_;
};

TEST(EmailDomainTest, TakesTheLowerCasedPartAfterTheLastAt) {
  EXPECT_EQ(EmailDomain("a@b@Example.ORG"), "example.org");
  EXPECT_EQ(EmailDomain("nobody"), std::nullopt);
  EXPECT_EQ(EmailDomain("trailing@"), std::nullopt);
}

TEST(ProviderMappingTest, EachDialectReadsTheOthersProvider) {
  EXPECT_EQ(LogtoProviderName("saml:okta"), "SAML");
  EXPECT_EQ(LogtoProviderName("wsfed:azure_ad"), "AzureAD");
  EXPECT_EQ(LogtoProviderName("oauth2:google"), "GoogleWorkspace");
  EXPECT_EQ(LogtoProviderName("oauth2:microsoft"), "AzureAdOidc");
  EXPECT_EQ(LogtoProviderName("oauth2:github"), "OIDC");
  EXPECT_EQ(LogtoProviderName("Okta"), "Okta");
  EXPECT_EQ(KindeStrategy("SAML"), "saml:custom");
  EXPECT_EQ(KindeStrategy("AzureAD"), "saml:custom");
  EXPECT_EQ(KindeStrategy("GoogleWorkspace"), "oauth2:google");
  EXPECT_EQ(KindeStrategy("AzureAdOidc"), "oauth2:azure_ad");
  EXPECT_EQ(KindeStrategy("Okta"), "saml:okta");
  EXPECT_EQ(KindeStrategy("OIDC"), "oauth2:custom");
  EXPECT_EQ(KindeStrategy("saml:google"), "saml:google");
  EXPECT_EQ(LogtoProviderType("AzureAD"), "saml");
  EXPECT_EQ(LogtoProviderType("Okta"), "oidc");
}

TEST_F(ConnectionsDomainTest, ProvisionByEmailDomainJoinsWithJitRolesOnce) {
  OrgId match = Org({"Example.org"});
  OrgId sub = Org({"mail.example.org"});
  OrgId other = Org({"other.org"});
  RoleId viewer = Role("viewer");
  ASSERT_OK(members_->AddJitRoles(match, {viewer}));
  UserId user = User("Alice@EXAMPLE.org");

  auto first = jit_->Provision({.user_id = user});
  ASSERT_OK(first);
  ASSERT_EQ(first->organizations.size(), 1u);
  EXPECT_EQ(first->organizations[0].org_id, match);
  EXPECT_TRUE(first->organizations[0].joined);
  EXPECT_EQ(first->organizations[0].granted_roles, std::vector<RoleId>{viewer});
  EXPECT_EQ(RoleKeys(match, user), std::vector<std::string>{"viewer"});
  EXPECT_FALSE(*store_->IsMember(sub, user));
  EXPECT_FALSE(*store_->IsMember(other, user));

  auto second = jit_->Provision({.user_id = user});
  ASSERT_OK(second);
  EXPECT_TRUE(second->organizations.empty());
}

TEST_F(ConnectionsDomainTest, ProvisionGrantsOnlyMissingRolesToAnExistingMember) {
  OrgId org = Org({"example.org"});
  RoleId a = Role("a");
  RoleId b = Role("b");
  ASSERT_OK(members_->AddJitRoles(org, {a, b}));
  UserId user = User(std::nullopt);
  ASSERT_OK(members_->AddMembers(org, {user}));
  ASSERT_OK(members_->AssignMemberRoles(org, user, {a}));
  auto result = jit_->Provision({.user_id = user, .email = "x@example.org"});
  ASSERT_OK(result);
  ASSERT_EQ(result->organizations.size(), 1u);
  EXPECT_FALSE(result->organizations[0].joined);
  EXPECT_EQ(result->organizations[0].granted_roles, std::vector<RoleId>{b});
}

TEST_F(ConnectionsDomainTest, ProvisionByConnectorIgnoresEmailDomains) {
  OrgId by_domain = Org({"example.org"});
  OrgId by_connector = Org();
  ConnectionId okta = Conn("okta");
  ASSERT_OK(connections_->EnableForOrganization(by_connector, {okta}));
  UserId user = User("a@example.org");
  auto result = jit_->Provision({.user_id = user, .connection_id = okta});
  ASSERT_OK(result);
  ASSERT_EQ(result->organizations.size(), 1u);
  EXPECT_EQ(result->organizations[0].org_id, by_connector);
  EXPECT_FALSE(*store_->IsMember(by_domain, user));
  auto unknown = jit_->Provision({.user_id = user, .connection_id = ConnectionId("nope")});
  ASSERT_OK(unknown);
  EXPECT_TRUE(unknown->organizations.empty());
}

TEST_F(ConnectionsDomainTest, ProvisionOfUnknownUserFails) {
  ExpectError(jit_->Provision({.user_id = UserId("nope")}), ErrorCode::kNotFound, "user", "");
}

TEST_F(ConnectionsDomainTest, ConnectionDomainsAreCheckedAndNormalised) {
  Connection c;
  c.name = "x";
  c.provider = "SAML";
  c.domains = {"A.com", "a.COM"};
  ExpectError(connections_->Create(c, IdStyle::kLogto), ErrorCode::kInvalidArgument, "domains",
              "duplicated_domains");
  c.domains = {"gmail.com"};
  ExpectError(connections_->Create(c, IdStyle::kLogto), ErrorCode::kInvalidArgument, "domains",
              "forbidden_domains");
  c.domains = {"Corp.COM"};
  auto created = connections_->Create(c, IdStyle::kLogto);
  ASSERT_OK(created);
  EXPECT_EQ(created->domains, std::vector<std::string>{"corp.com"});
  EXPECT_EQ(created->id.value().size(), 12u);
  c.domains.clear();
  ExpectError(connections_->Create(c, IdStyle::kKinde), ErrorCode::kAlreadyExists, "connection",
              "connection_name");
}

TEST_F(ConnectionsDomainTest, CreateEnabledForUnknownOrganizationCreatesNothing) {
  Connection c;
  c.name = "x";
  c.provider = "saml:custom";
  ExpectError(connections_->Create(c, IdStyle::kKinde, OrgId("nope")), ErrorCode::kNotFound,
              "organization", "");
  auto listed = connections_->List({});
  ASSERT_OK(listed);
  EXPECT_TRUE(listed->items.empty());
}

TEST_F(ConnectionsDomainTest, ReplaceForOrganizationIsAllOrNothing) {
  OrgId org = Org();
  ConnectionId a = Conn("a");
  ConnectionId b = Conn("b");
  ASSERT_OK(connections_->EnableForOrganization(org, {a}));
  ExpectError(connections_->ReplaceForOrganization(org, {b, ConnectionId("nope")}),
              ErrorCode::kNotFound, "connection", "foreign_key");
  ExpectError(connections_->ReplaceForOrganization(org, {b, b}), ErrorCode::kAlreadyExists,
              "connection", "duplicate");
  auto listed = connections_->ListForOrganization(org);
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, a);
  ASSERT_OK(connections_->ReplaceForOrganization(OrgId("unknown"), {}));
}

TEST_F(ConnectionsDomainTest, AcceptingAnInvitationAddsMembershipAndRoles) {
  OrgId org = Org();
  RoleId admin = Role("admin");
  UserId user = User("bob@example.com");
  auto inv = invitations_->Create({.org_id = org,
                                   .invitee = "Bob@Example.com",
                                   .role_ids = {admin},
                                   .expires_at = clock_.NowMillis() + 1000},
                                  IdStyle::kLogto);
  ASSERT_OK(inv);
  EXPECT_EQ(inv->id.value().size(), 21u);
  auto accepted = invitations_->SetStatus(inv->id, InvitationStatus::kAccepted, user);
  ASSERT_OK(accepted);
  EXPECT_EQ(accepted->status, InvitationStatus::kAccepted);
  EXPECT_TRUE(*store_->IsMember(org, user));
  EXPECT_EQ(RoleKeys(org, user), std::vector<std::string>{"admin"});
  ExpectError(invitations_->SetStatus(inv->id, InvitationStatus::kRevoked, std::nullopt),
              ErrorCode::kFailedPrecondition, "", "invalid_status");
}

TEST_F(ConnectionsDomainTest, ExpiredInvitationCannotBeAcceptedAndNoLongerBlocks) {
  OrgId org = Org();
  UserId user = User("bob@example.com");
  auto inv = invitations_->Create(
      {.org_id = org, .invitee = "bob@example.com", .expires_at = clock_.NowMillis() + 10},
      IdStyle::kLogto);
  ASSERT_OK(inv);
  ExpectError(
      invitations_->Create(
          {.org_id = org, .invitee = "BOB@example.com", .expires_at = clock_.NowMillis() + 10},
          IdStyle::kLogto),
      ErrorCode::kAlreadyExists, "invitation", "invite");
  clock_.Advance(10);
  EXPECT_EQ(invitations_->Get(inv->id)->status, InvitationStatus::kExpired);
  ExpectError(invitations_->SetStatus(inv->id, InvitationStatus::kAccepted, user),
              ErrorCode::kFailedPrecondition, "", "invalid_status");
  EXPECT_FALSE(*store_->IsMember(org, user));
  ASSERT_OK(invitations_->Create(
      {.org_id = org, .invitee = "bob@example.com", .expires_at = clock_.NowMillis() + 10},
      IdStyle::kLogto));
}

TEST_F(ConnectionsDomainTest, InvitationCreateChecks) {
  OrgId org = Org();
  UserId member = User("m@example.com");
  ASSERT_OK(members_->AddMembers(org, {member}));
  const int64_t later = clock_.NowMillis() + 1000;
  ExpectError(
      invitations_->Create({.org_id = org, .invitee = "a@b.c", .expires_at = 5}, IdStyle::kLogto),
      ErrorCode::kInvalidArgument, "expires_at", "in_past");
  ExpectError(invitations_->Create({.org_id = OrgId("nope"), .invitee = "a@b.c"}, IdStyle::kKinde),
              ErrorCode::kNotFound, "organization", "foreign_key");
  ExpectError(invitations_->Create({.org_id = org, .invitee = "M@example.com"}, IdStyle::kKinde),
              ErrorCode::kFailedPrecondition, "", "user_already_in_organization");
  ExpectError(invitations_->Create({.org_id = org, .invitee = "a@b.c", .role_keys = {"nope"}},
                                   IdStyle::kKinde),
              ErrorCode::kNotFound, "role", "foreign_key");
  ExpectError(
      invitations_->Create(
          {.org_id = org, .invitee = "a@b.c", .inviter_id = UserId("nope"), .expires_at = later},
          IdStyle::kLogto),
      ErrorCode::kNotFound, "user", "foreign_key");
  ExpectError(
      invitations_->Create(
          {.org_id = org, .invitee = "a@b.c", .expires_at = later, .require_delivery = true},
          IdStyle::kLogto),
      ErrorCode::kFailedPrecondition, "", "email_transport");
  auto none = invitations_->List({});
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());  // every failure above created nothing
  auto kinde = invitations_->Create({.org_id = org, .invitee = "a@b.c"}, IdStyle::kKinde);
  ASSERT_OK(kinde);
  EXPECT_EQ(kinde->id.value().substr(0, 4), "inv_");
  EXPECT_EQ(kinde->expires_at, clock_.NowMillis() + kDefaultInvitationValidityMs);
}

TEST_F(ConnectionsDomainTest, RevokeRules) {
  OrgId org = Org();
  UserId user = User("bob@example.com");
  auto inv = invitations_->Create({.org_id = org, .invitee = "bob@example.com"}, IdStyle::kKinde);
  ASSERT_OK(inv);
  ASSERT_OK(invitations_->Revoke(org, inv->id));
  auto again = invitations_->Revoke(org, inv->id);
  ASSERT_OK(again);
  EXPECT_EQ(again->status, InvitationStatus::kRevoked);
  auto second =
      invitations_->Create({.org_id = org, .invitee = "bob@example.com"}, IdStyle::kKinde);
  ASSERT_OK(second);
  ASSERT_OK(invitations_->SetStatus(second->id, InvitationStatus::kAccepted, user));
  ExpectError(invitations_->Revoke(org, second->id), ErrorCode::kFailedPrecondition, "",
              "invite_already_accepted");
  ExpectError(invitations_->Revoke(OrgId("nope"), second->id), ErrorCode::kNotFound, "organization",
              "");
}

}  // namespace
}  // namespace orgd::domain
