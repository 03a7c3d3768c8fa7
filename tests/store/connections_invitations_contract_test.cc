// Store contract suite for connections, organization connections, the JIT lookups and
// organization invitations (migration 0005), on every backend of backends.h. Each test gets a
// fresh, migrated database.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "domain/model/connection.h"
#include "domain/model/invitation.h"
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

std::vector<std::string> Ids(const std::vector<domain::Connection>& cs) {
  std::vector<std::string> out;
  for (const auto& c : cs) out.push_back(c.id.value());
  return out;
}

class ConnectionsInvitationsContractTest : public testing::MigratedStoreTest {
 protected:
  void AddOrg(const std::string& id, int64_t created_at = kT0,
              std::vector<std::string> domains = {}) {
    Organization org;
    org.id = OrgId(id);
    org.name = id;
    org.allowed_domains = std::move(domains);
    org.created_at = org.updated_at = created_at;
    ASSERT_OK(s().InsertOrganization(org));
  }
  void AddUser(const std::string& id, std::optional<std::string> email = std::nullopt) {
    User u;
    u.id = UserId(id);
    u.primary_email = std::move(email);
    u.created_at = u.updated_at = kT0;
    ASSERT_OK(s().InsertUser(u));
  }
  void AddRole(const std::string& id, const std::string& key) {
    ASSERT_OK(
        s().InsertRole(Role{.id = RoleId(id), .key = key, .name = "N" + key, .created_at = kT0}));
  }
  domain::Connection MakeConnection(const std::string& id, const std::string& name,
                                    int64_t created_at = kT0,
                                    std::vector<std::string> domains = {}) {
    domain::Connection c;
    c.id = ConnectionId(id);
    c.name = name;
    c.display_name = "Display " + name;
    c.provider = "SAML";
    c.options = R"({"k":1})";
    c.domains = std::move(domains);
    c.branding = R"({"logo":"https://l"})";
    c.sync_profile = true;
    c.enabled_applications = R"(["app"])";
    c.created_at = created_at;
    return c;
  }
  Invitation MakeInvitation(const std::string& org, const std::string& id,
                            const std::string& invitee, int64_t created_at = kT0) {
    Invitation inv;
    inv.id = InvitationId(id);
    inv.org_id = OrgId(org);
    inv.invitee = invitee;
    inv.expires_at = created_at + 1000;
    inv.created_at = inv.updated_at = created_at;
    return inv;
  }
};

TEST_P(ConnectionsInvitationsContractTest, ConnectionRoundTripsEveryField) {
  ASSERT_OK(s().InsertConnection(MakeConnection("c1", "okta", kT0, {"b.com", "a.com"})));
  auto got = s().GetConnection(ConnectionId("c1"));
  ASSERT_OK(got);
  EXPECT_EQ(got->name, "okta");
  EXPECT_EQ(got->display_name, "Display okta");
  EXPECT_EQ(got->provider, "SAML");
  EXPECT_EQ(got->options, R"({"k":1})");
  EXPECT_EQ(got->domains, (std::vector<std::string>{"b.com", "a.com"}));
  EXPECT_EQ(got->branding, R"({"logo":"https://l"})");
  EXPECT_TRUE(got->sync_profile);
  EXPECT_FALSE(got->enable_token_storage);
  EXPECT_EQ(got->enabled_applications, R"(["app"])");
  EXPECT_EQ(got->created_at, kT0);
  ExpectError(s().GetConnection(ConnectionId("nope")), ErrorCode::kNotFound, "connection", "");
}

TEST_P(ConnectionsInvitationsContractTest, ConnectionNameIsUnique) {
  ASSERT_OK(s().InsertConnection(MakeConnection("c1", "okta")));
  ExpectError(s().InsertConnection(MakeConnection("c2", "okta")), ErrorCode::kAlreadyExists,
              "connection", "connection_name");
  ExpectError(s().InsertConnection(MakeConnection("c1", "other")), ErrorCode::kAlreadyExists,
              "connection", "id");
  ASSERT_OK(s().InsertConnection(MakeConnection("c3", "azure")));
  auto renamed = MakeConnection("c3", "okta");
  ExpectError(s().UpdateConnection(renamed), ErrorCode::kAlreadyExists, "connection",
              "connection_name");
  EXPECT_EQ(s().GetConnection(ConnectionId("c3"))->name, "azure");
}

TEST_P(ConnectionsInvitationsContractTest, UpdateReplacesFieldsAndDomains) {
  ASSERT_OK(s().InsertConnection(MakeConnection("c1", "okta", kT0, {"a.com"})));
  auto c = MakeConnection("c1", "okta2", kT0 + 5, {"x.com", "y.com"});
  c.provider = "OIDC";  // never rewritten
  c.display_name.reset();
  c.options = "{}";
  ASSERT_OK(s().UpdateConnection(c));
  auto got = s().GetConnection(ConnectionId("c1"));
  ASSERT_OK(got);
  EXPECT_EQ(got->name, "okta2");
  EXPECT_EQ(got->provider, "SAML");
  EXPECT_EQ(got->display_name, std::nullopt);
  EXPECT_EQ(got->options, "{}");
  EXPECT_EQ(got->domains, (std::vector<std::string>{"x.com", "y.com"}));
  EXPECT_EQ(got->created_at, kT0);
  ExpectError(s().UpdateConnection(MakeConnection("nope", "n")), ErrorCode::kNotFound, "connection",
              "");
}

TEST_P(ConnectionsInvitationsContractTest, ListPagesByCursorBothWaysAndFiltersByDomain) {
  for (int i = 0; i < 5; ++i) {
    std::vector<std::string> domains;
    if (i % 2 == 0) domains.push_back("even.com");
    ASSERT_OK(s().InsertConnection(
        MakeConnection("c" + std::to_string(i), "n" + std::to_string(i), kT0 + i, domains)));
  }
  ConnectionListQuery q;
  q.limit = 2;
  auto p1 = s().ListConnections(q);
  ASSERT_OK(p1);
  EXPECT_EQ(Ids(p1->items), (std::vector<std::string>{"c0", "c1"}));
  EXPECT_TRUE(p1->has_more);
  q.starting_after = ConnectionId("c1");
  auto p2 = s().ListConnections(q);
  ASSERT_OK(p2);
  EXPECT_EQ(Ids(p2->items), (std::vector<std::string>{"c2", "c3"}));
  EXPECT_TRUE(p2->has_more);
  q.starting_after = ConnectionId("c3");
  auto p3 = s().ListConnections(q);
  EXPECT_EQ(Ids(p3->items), (std::vector<std::string>{"c4"}));
  EXPECT_FALSE(p3->has_more);

  ConnectionListQuery back;
  back.limit = 2;
  back.ending_before = ConnectionId("c3");
  auto b = s().ListConnections(back);
  ASSERT_OK(b);
  EXPECT_EQ(Ids(b->items), (std::vector<std::string>{"c1", "c2"}));
  EXPECT_TRUE(b->has_more);
  back.ending_before = ConnectionId("c1");
  auto b2 = s().ListConnections(back);
  EXPECT_EQ(Ids(b2->items), (std::vector<std::string>{"c0"}));
  EXPECT_FALSE(b2->has_more);

  ConnectionListQuery filtered;
  filtered.domain = "EVEN.com";
  filtered.limit = 10;
  filtered.want_total = true;
  auto f = s().ListConnections(filtered);
  ASSERT_OK(f);
  EXPECT_EQ(Ids(f->items), (std::vector<std::string>{"c0", "c2", "c4"}));
  EXPECT_EQ(f->total, 3);
  ASSERT_EQ(f->items[0].domains, (std::vector<std::string>{"even.com"}));

  ConnectionListQuery offset;
  offset.limit = 2;
  offset.offset = 3;
  offset.want_total = true;
  auto o = s().ListConnections(offset);
  EXPECT_EQ(Ids(o->items), (std::vector<std::string>{"c3", "c4"}));
  EXPECT_EQ(o->total, 5);
}

TEST_P(ConnectionsInvitationsContractTest, ListRejectsBadCursors) {
  ConnectionListQuery q;
  q.starting_after = ConnectionId("missing");
  ExpectError(s().ListConnections(q), ErrorCode::kInvalidArgument, "starting_after",
              "invalid_cursor");
  q.ending_before = ConnectionId("missing");
  ExpectError(s().ListConnections(q), ErrorCode::kInvalidArgument, "starting_after",
              "too_many_parameters");
}

TEST_P(ConnectionsInvitationsContractTest, OrganizationLinksAndCascades) {
  AddOrg("o1");
  AddOrg("o2", kT0 + 1);
  ASSERT_OK(s().InsertConnection(MakeConnection("c1", "one", kT0, {"a.com"})));
  ASSERT_OK(s().InsertConnection(MakeConnection("c2", "two")));
  auto added =
      s().AddOrganizationConnections(OrgId("o1"), {ConnectionId("c2"), ConnectionId("c1")}, kT0);
  ASSERT_OK(added);
  EXPECT_EQ(added->size(), 2u);
  auto again = s().AddOrganizationConnections(OrgId("o1"), {ConnectionId("c1")}, kT0 + 1);
  ASSERT_OK(again);
  EXPECT_TRUE(again->empty());
  ASSERT_OK(s().AddOrganizationConnections(OrgId("o2"), {ConnectionId("c1")}, kT0));
  auto listed = s().ListOrganizationConnections(OrgId("o1"));
  ASSERT_OK(listed);
  EXPECT_EQ(Ids(*listed), (std::vector<std::string>{"c1", "c2"}));  // same time: id order
  EXPECT_EQ((*listed)[0].domains, (std::vector<std::string>{"a.com"}));
  auto orgs = s().ListConnectionOrganizations(ConnectionId("c1"));
  ASSERT_OK(orgs);
  EXPECT_EQ(*orgs, (std::vector<OrgId>{OrgId("o1"), OrgId("o2")}));

  ExpectError(s().AddOrganizationConnections(OrgId("o1"), {ConnectionId("nope")}, kT0),
              ErrorCode::kFailedPrecondition, "", "foreign_key");
  ExpectError(s().RemoveOrganizationConnection(OrgId("o2"), ConnectionId("c2")),
              ErrorCode::kNotFound, "organization_connection", "not_assigned");
  ASSERT_OK(s().RemoveOrganizationConnection(OrgId("o2"), ConnectionId("c1")));

  ASSERT_OK(s().DeleteConnection(ConnectionId("c1")));
  EXPECT_EQ(Ids(*s().ListOrganizationConnections(OrgId("o1"))), (std::vector<std::string>{"c2"}));
  ASSERT_OK(s().DeleteOrganization(OrgId("o1")));
  EXPECT_TRUE(s().ListConnectionOrganizations(ConnectionId("c2"))->empty());
  ExpectError(s().DeleteConnection(ConnectionId("c1")), ErrorCode::kNotFound, "connection", "");
}

TEST_P(ConnectionsInvitationsContractTest, EmailDomainLookupIsCaseInsensitiveAndWhole) {
  AddOrg("o1", kT0, {"Example.org"});
  AddOrg("o2", kT0 + 1, {"mail.example.org"});
  AddOrg("o3", kT0 + 2, {"example.org", "EXAMPLE.ORG"});
  auto orgs = s().ListOrganizationsByEmailDomain("example.org");
  ASSERT_OK(orgs);
  EXPECT_EQ(*orgs, (std::vector<OrgId>{OrgId("o1"), OrgId("o3")}));
  EXPECT_TRUE(s().ListOrganizationsByEmailDomain("other.org")->empty());
}

TEST_P(ConnectionsInvitationsContractTest, InvitationRoundTripsWithRoles) {
  AddOrg("o1");
  AddUser("u1");
  AddRole("r2", "beta");
  AddRole("r1", "alpha");
  Invitation inv = MakeInvitation("o1", "i1", "Bob@Example.com");
  inv.first_name = "Bob";
  inv.inviter_id = UserId("u1");
  inv.send_email = true;
  inv.roles = {RoleRef{RoleId("r2"), "beta", "Nbeta"}, RoleRef{RoleId("r1"), "alpha", "Nalpha"}};
  ASSERT_OK(s().InsertInvitation(inv));
  auto got = s().GetInvitation(InvitationId("i1"));
  ASSERT_OK(got);
  EXPECT_EQ(got->org_id, OrgId("o1"));
  EXPECT_EQ(got->invitee, "Bob@Example.com");
  EXPECT_EQ(got->first_name, "Bob");
  EXPECT_EQ(got->last_name, std::nullopt);
  EXPECT_EQ(got->inviter_id, UserId("u1"));
  EXPECT_EQ(got->status, InvitationStatus::kPending);
  EXPECT_EQ(got->expires_at, kT0 + 1000);
  EXPECT_TRUE(got->send_email);
  EXPECT_FALSE(got->is_sent);
  ASSERT_EQ(got->roles.size(), 2u);
  EXPECT_EQ(got->roles[0].key, "alpha");
  EXPECT_EQ(got->roles[1].name, "Nbeta");
  ASSERT_OK(s().GetOrganizationInvitation(OrgId("o1"), InvitationId("i1")));

  AddOrg("o2");
  ExpectError(s().GetOrganizationInvitation(OrgId("o2"), InvitationId("i1")), ErrorCode::kNotFound,
              "invite", "");
  ExpectError(s().InsertInvitation(MakeInvitation("nope", "i2", "x@y.z")),
              ErrorCode::kFailedPrecondition, "", "foreign_key");

  ASSERT_OK(s().DeleteRole(RoleId("r1")));
  EXPECT_EQ(s().GetInvitation(InvitationId("i1"))->roles.size(), 1u);
  ASSERT_OK(s().DeleteUser(UserId("u1")));
  EXPECT_EQ(s().GetInvitation(InvitationId("i1"))->inviter_id, std::nullopt);
  ASSERT_OK(s().DeleteOrganization(OrgId("o1")));
  ExpectError(s().GetInvitation(InvitationId("i1")), ErrorCode::kNotFound, "invite", "");
}

TEST_P(ConnectionsInvitationsContractTest, StatusUpdateDeleteAndPendingChecks) {
  AddOrg("o1");
  AddUser("u1", "bob@example.com");
  ASSERT_OK(s().InsertInvitation(MakeInvitation("o1", "i1", "Bob@example.com")));
  auto pending = s().HasPendingInvitation(OrgId("o1"), "bob@example.com");
  ASSERT_OK(pending);
  EXPECT_TRUE(*pending);
  auto expired = s().ExpirePendingInvitations(OrgId("o1"), "bob@example.com", kT0 + 999);
  ASSERT_OK(expired);
  EXPECT_EQ(*expired, 0);
  expired = s().ExpirePendingInvitations(OrgId("o1"), "bob@example.com", kT0 + 1000);
  EXPECT_EQ(*expired, 1);
  EXPECT_FALSE(*s().HasPendingInvitation(OrgId("o1"), "bob@example.com"));
  EXPECT_EQ(s().GetInvitation(InvitationId("i1"))->status, InvitationStatus::kExpired);

  ASSERT_OK(s().UpdateInvitationStatus(InvitationId("i1"), InvitationStatus::kAccepted,
                                          UserId("u1"), kT0 + 5, kT0 + 5));
  auto got = s().GetInvitation(InvitationId("i1"));
  EXPECT_EQ(got->status, InvitationStatus::kAccepted);
  EXPECT_EQ(got->accepted_user_id, UserId("u1"));
  EXPECT_EQ(got->accepted_at, kT0 + 5);
  EXPECT_EQ(got->updated_at, kT0 + 5);
  ExpectError(s().UpdateInvitationStatus(InvitationId("nope"), InvitationStatus::kRevoked,
                                         std::nullopt, std::nullopt, kT0),
              ErrorCode::kNotFound, "invite", "");

  EXPECT_FALSE(*s().HasMemberWithEmail(OrgId("o1"), "bob@example.com"));
  ASSERT_OK(s().AddMembers(OrgId("o1"), {UserId("u1")}, kT0));
  EXPECT_TRUE(*s().HasMemberWithEmail(OrgId("o1"), "bob@example.com"));

  ASSERT_OK(s().DeleteInvitation(InvitationId("i1")));
  ExpectError(s().DeleteInvitation(InvitationId("i1")), ErrorCode::kNotFound, "invite", "");
}

TEST_P(ConnectionsInvitationsContractTest, ListsFilterAndOrder) {
  AddOrg("o1");
  AddOrg("o2");
  AddUser("u1");
  for (int i = 0; i < 4; ++i) {
    Invitation inv = MakeInvitation("o1", "i" + std::to_string(i),
                                    std::string(1, static_cast<char>('d' - i)) + "@x.com", kT0 + i);
    inv.first_name = std::string(1, static_cast<char>('a' + (i * 3) % 4));
    if (i == 1) inv.inviter_id = UserId("u1");
    ASSERT_OK(s().InsertInvitation(inv));
  }
  ASSERT_OK(s().InsertInvitation(MakeInvitation("o2", "j0", "C@x.com", kT0 + 10)));
  ASSERT_OK(s().UpdateInvitationStatus(InvitationId("i2"), InvitationStatus::kRevoked,
                                          std::nullopt, std::nullopt, kT0));

  auto all = s().ListInvitations({});
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ((*all)[0].id.value(), "j0");
  EXPECT_EQ((*all)[4].id.value(), "i0");
  auto by_invitee = s().ListInvitations({.invitee = "c@X.COM"});
  ASSERT_EQ(by_invitee->size(), 2u);  // i1 (c@x.com) and j0 (C@x.com)
  auto by_org_inviter = s().ListInvitations({.org_id = OrgId("o1"), .inviter_id = UserId("u1")});
  ASSERT_EQ(by_org_inviter->size(), 1u);
  EXPECT_EQ((*by_org_inviter)[0].id.value(), "i1");

  InvitationPageQuery q;
  q.page.limit = 2;
  q.sort = InvitationSort::kEmailAsc;
  auto p1 = s().ListOrganizationInvitations(OrgId("o1"), q);
  ASSERT_OK(p1);
  ASSERT_EQ(p1->items.size(), 2u);
  EXPECT_EQ(p1->items[0].id.value(), "i3");  // a@x.com; i2 (b@) is revoked
  EXPECT_EQ(p1->items[1].id.value(), "i1");
  EXPECT_TRUE(p1->has_more);
  q.page.after = p1->last;
  auto p2 = s().ListOrganizationInvitations(OrgId("o1"), q);
  ASSERT_EQ(p2->items.size(), 1u);
  EXPECT_EQ(p2->items[0].id.value(), "i0");
  EXPECT_FALSE(p2->has_more);

  InvitationPageQuery all_q;
  all_q.include_revoked = true;
  all_q.sort = InvitationSort::kCreatedDesc;
  auto created = s().ListOrganizationInvitations(OrgId("o1"), all_q);
  ASSERT_EQ(created->items.size(), 4u);
  EXPECT_EQ(created->items[0].id.value(), "i3");
  all_q.sort = InvitationSort::kNameAsc;  // first names: a, d, c, b
  auto by_name = s().ListOrganizationInvitations(OrgId("o1"), all_q);
  ASSERT_EQ(by_name->items.size(), 4u);
  EXPECT_EQ(by_name->items[0].id.value(), "i0");
  EXPECT_EQ(by_name->items[1].id.value(), "i3");
  EXPECT_EQ(by_name->items[3].id.value(), "i1");

  InvitationPageQuery bad;
  bad.page.after = Cursor{"not-a-number", "i0"};
  ExpectError(s().ListOrganizationInvitations(OrgId("o1"), bad), ErrorCode::kInvalidArgument,
              "after", "");
}

INSTANTIATE_TEST_SUITE_P(Backends, ConnectionsInvitationsContractTest,
                         ::testing::ValuesIn(testing::AvailableBackends()), testing::BackendName);

}  // namespace
}  // namespace orgd::store
