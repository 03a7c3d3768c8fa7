// The Logto dialect's organization invitations (contracts/logto.md §3.8, shape §2.7), end to end.
#include <gtest/gtest.h>

#include <string>

#include "common/clock.h"
#include "tests/http/connections_fixture.h"

namespace orgd::testing {
namespace {

class LogtoInvitationsTest : public ::testing::TestWithParam<std::string> {
 protected:
  FakeClock clock_{SystemClock().NowMillis()};
  TestServer server_{GetParam(), {.clock = &clock_}};
  ConnectionsFixture seed_{server_};

  void ExpectError(const HttpResponse& res, int status, const std::string& code) {
    EXPECT_EQ(res.status, status) << res.body;
    EXPECT_EQ(res.json.value("code", ""), code) << res.body;
  }
  int64_t Later(int64_t ms = 60'000) { return clock_.NowMillis() + ms; }
  HttpResponse Invite(const std::string& org, const std::string& invitee, Json extra = {}) {
    Json body = {{"invitee", invitee}, {"organizationId", org}, {"expiresAt", Later()}};
    for (const auto& [k, v] : extra.items()) body[k] = v;
    return server_.Logto("POST", "/api/organization-invitations", body.dump());
  }
  std::string InviteId(const std::string& org, const std::string& invitee, Json extra = {}) {
    auto res = Invite(org, invitee, std::move(extra));
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json.value("id", "");
  }
  size_t InvitationCount() {
    auto res = server_.Logto("GET", "/api/organization-invitations");
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json.size();
  }
};

TEST_P(LogtoInvitationsTest, CreateAnswers201PendingInvitation) {
  std::string org = seed_.LogtoOrg();
  std::string inviter = seed_.User("boss@acme.com");
  std::string admin = seed_.Role("admin");
  std::string viewer = seed_.Role("viewer");
  const int64_t expires = Later();
  auto res = server_.Logto("POST", "/api/organization-invitations",
                           Json{{"invitee", "Bob@Example.com"},
                                {"organizationId", org},
                                {"expiresAt", expires},
                                {"inviterId", inviter},
                                {"organizationRoleIds", {viewer, admin}},
                                {"messagePayload", false}}
                               .dump());
  ASSERT_EQ(res.status, 201) << res.body;
  const Json& inv = res.json;
  std::string id = inv["id"];
  EXPECT_EQ(id.size(), 21u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyz"), std::string::npos);
  EXPECT_EQ(inv["tenantId"], "default");
  EXPECT_EQ(inv["inviterId"], inviter);
  EXPECT_EQ(inv["invitee"], "Bob@Example.com");
  EXPECT_EQ(inv["acceptedUserId"], nullptr);
  EXPECT_EQ(inv["organizationId"], org);
  EXPECT_EQ(inv["status"], "Pending");
  EXPECT_EQ(inv["createdAt"], clock_.NowMillis());
  EXPECT_EQ(inv["updatedAt"], clock_.NowMillis());
  EXPECT_EQ(inv["expiresAt"], expires);
  EXPECT_EQ(inv["organizationRoles"],
            (Json{{{"id", admin}, {"name", "admin"}}, {{"id", viewer}, {"name", "viewer"}}}));
  EXPECT_EQ(inv.size(), 11u);
  auto got = server_.Logto("GET", "/api/organization-invitations/" + id);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json, inv);
}

TEST_P(LogtoInvitationsTest, CreateErrorsCreateNothing) {
  std::string org = seed_.LogtoOrg();
  std::string member = seed_.User("member@acme.com");
  ASSERT_EQ(
      server_
          .Logto("POST", "/api/organizations/" + org + "/users", Json{{"userIds", {member}}}.dump())
          .status,
      201);
  ExpectError(Invite(org, "not-an-email"), 400, "guard.invalid_input");
  ExpectError(Invite(org, "a b@c.d"), 400, "guard.invalid_input");
  ExpectError(server_.Logto("POST", "/api/organization-invitations",
                            Json{{"invitee", "a@b.co"}, {"organizationId", org}}.dump()),
              400, "guard.invalid_input");
  ExpectError(Invite(org, "a@b.co", {{"expiresAt", clock_.NowMillis() - 1}}), 400,
              "request.invalid_input");
  ExpectError(Invite(org, "Member@ACME.com"), 422, "request.invalid_input");
  ExpectError(Invite("nope", "a@b.co"), 422, "entity.relation_foreign_key_not_found");
  ExpectError(Invite(org, "a@b.co", {{"organizationRoleIds", {"nope"}}}), 422,
              "entity.relation_foreign_key_not_found");
  ExpectError(Invite(org, "a@b.co", {{"inviterId", "nope"}}), 422,
              "entity.relation_foreign_key_not_found");
  ExpectError(Invite(org, "a@b.co", {{"messagePayload", true}}), 400, "guard.invalid_input");
  auto emailed = Invite(org, "a@b.co", {{"messagePayload", {{"link", "https://x"}}}});
  ExpectError(emailed, 501, "connector.not_found");
  EXPECT_EQ(emailed.json["message"], "Cannot find any available connector for type: Email.");
  EXPECT_EQ(InvitationCount(), 0u);

  InviteId(org, "a@b.co");
  ExpectError(Invite(org, "A@B.CO"), 422, "entity.unique_integrity_violation");
  EXPECT_EQ(Invite(seed_.LogtoOrg("Other"), "a@b.co").status, 201);  // other org: fine
  EXPECT_EQ(InvitationCount(), 2u);
}

TEST_P(LogtoInvitationsTest, ListFiltersNewestFirst) {
  std::string org = seed_.LogtoOrg();
  std::string other = seed_.LogtoOrg("Other");
  std::string inviter = seed_.User("boss@acme.com");
  std::string first = InviteId(org, "a@x.com", {{"inviterId", inviter}});
  clock_.Advance(5);
  std::string second = InviteId(org, "b@x.com");
  clock_.Advance(5);
  std::string third = InviteId(other, "A@X.com");
  auto all = server_.Logto("GET", "/api/organization-invitations?page=1&page_size=1");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(ConnectionsFixture::Ids(all.json), (std::vector<std::string>{third, second, first}));
  EXPECT_FALSE(all.HasHeader("total-number"));
  EXPECT_EQ(ConnectionsFixture::Ids(
                server_.Logto("GET", "/api/organization-invitations?organizationId=" + org).json),
            (std::vector<std::string>{second, first}));
  EXPECT_EQ(ConnectionsFixture::Ids(
                server_.Logto("GET", "/api/organization-invitations?inviterId=" + inviter).json),
            (std::vector<std::string>{first}));
  EXPECT_EQ(ConnectionsFixture::Ids(
                server_.Logto("GET", "/api/organization-invitations?invitee=a%40X.COM").json),
            (std::vector<std::string>{third, first}));
  ExpectError(server_.Logto("GET", "/api/organization-invitations?invitee=a&invitee=b"), 400,
              "guard.invalid_input");
}

TEST_P(LogtoInvitationsTest, GetDeleteAndMessage) {
  std::string org = seed_.LogtoOrg();
  std::string id = InviteId(org, "a@x.com");
  ExpectError(server_.Logto("GET", "/api/organization-invitations/nope"), 404, "entity.not_found");
  ExpectError(server_.Logto("POST", "/api/organization-invitations/nope/message", "{}"), 404,
              "entity.not_found");
  ExpectError(server_.Logto("POST", "/api/organization-invitations/" + id + "/message",
                            R"({"link":"https://x"})"),
              501, "connector.not_found");
  auto deleted = server_.Logto("DELETE", "/api/organization-invitations/" + id);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_EQ(deleted.body, "");
  ExpectError(server_.Logto("DELETE", "/api/organization-invitations/" + id), 404,
              "entity.not_found");
  ExpectError(server_.Logto("GET", "/api/organization-invitations/" + id), 404, "entity.not_found");
}

TEST_P(LogtoInvitationsTest, AcceptAddsMembershipAndRoles) {
  std::string org = seed_.LogtoOrg();
  std::string admin = seed_.Role("admin");
  std::string user = seed_.User("bob@example.com");
  std::string id = InviteId(org, "Bob@Example.COM", {{"organizationRoleIds", {admin}}});
  clock_.Advance(7);
  auto res = server_.Logto("PUT", "/api/organization-invitations/" + id + "/status",
                           Json{{"status", "Accepted"}, {"acceptedUserId", user}}.dump());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json["status"], "Accepted");
  EXPECT_EQ(res.json["acceptedUserId"], user);
  EXPECT_EQ(res.json["updatedAt"], clock_.NowMillis());
  EXPECT_EQ(seed_.MemberRoles(org, user), std::vector<std::string>{"admin"});
  auto orgs = server_.Logto("GET", "/api/users/" + user + "/organizations");
  ASSERT_EQ(orgs.status, 200) << orgs.body;
  ASSERT_EQ(orgs.json.size(), 1u);
  EXPECT_EQ(orgs.json[0]["id"], org);
  EXPECT_EQ(server_.Logto("GET", "/api/organization-invitations/" + id).json["status"], "Accepted");
  ExpectError(server_.Logto("PUT", "/api/organization-invitations/" + id + "/status",
                            R"({"status":"Revoked"})"),
              422, "request.invalid_input");
}

TEST_P(LogtoInvitationsTest, StatusChangeErrorsChangeNothing) {
  std::string org = seed_.LogtoOrg();
  std::string bob = seed_.User("bob@example.com");
  std::string eve = seed_.User("eve@example.com");
  std::string id = InviteId(org, "bob@example.com");
  const std::string path = "/api/organization-invitations/" + id + "/status";
  ExpectError(server_.Logto("PUT", path, R"({"status":"Pending"})"), 400, "guard.invalid_input");
  ExpectError(server_.Logto("PUT", path, R"({})"), 400, "guard.invalid_input");
  ExpectError(server_.Logto("PUT", path, R"({"status":"Accepted"})"), 422, "request.invalid_input");
  ExpectError(server_.Logto("PUT", path, R"({"status":"Accepted","acceptedUserId":"nope"})"), 404,
              "entity.not_found");
  ExpectError(
      server_.Logto("PUT", path, Json{{"status", "Accepted"}, {"acceptedUserId", eve}}.dump()), 422,
      "request.invalid_input");
  ExpectError(
      server_.Logto("PUT", "/api/organization-invitations/nope/status", R"({"status":"Revoked"})"),
      404, "entity.not_found");
  EXPECT_FALSE(seed_.IsMember(org, eve));
  EXPECT_FALSE(seed_.IsMember(org, bob));
  EXPECT_EQ(server_.Logto("GET", "/api/organization-invitations/" + id).json["status"], "Pending");

  auto revoked = server_.Logto("PUT", path, R"({"status":"Revoked"})");
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(revoked.json["status"], "Revoked");
  ExpectError(
      server_.Logto("PUT", path, Json{{"status", "Accepted"}, {"acceptedUserId", bob}}.dump()), 422,
      "request.invalid_input");
  EXPECT_FALSE(seed_.IsMember(org, bob));
}

TEST_P(LogtoInvitationsTest, ExpiredInvitationCannotBeAccepted) {
  std::string org = seed_.LogtoOrg();
  std::string bob = seed_.User("bob@example.com");
  std::string id = InviteId(org, "bob@example.com");
  clock_.Advance(60'000);  // exactly at expiresAt
  auto got = server_.Logto("GET", "/api/organization-invitations/" + id);
  EXPECT_EQ(got.json["status"], "Expired");
  ExpectError(server_.Logto("PUT", "/api/organization-invitations/" + id + "/status",
                            Json{{"status", "Accepted"}, {"acceptedUserId", bob}}.dump()),
              422, "request.invalid_input");
  EXPECT_FALSE(seed_.IsMember(org, bob));
  // An expired invitation no longer blocks a new one for the same invitee.
  std::string fresh = InviteId(org, "bob@example.com");
  auto list = server_.Logto("GET", "/api/organization-invitations?organizationId=" + org);
  ASSERT_EQ(list.json.size(), 2u);
  EXPECT_EQ(list.json[0]["id"], fresh);
  EXPECT_EQ(list.json[0]["status"], "Pending");
  EXPECT_EQ(list.json[1]["status"], "Expired");
}

TEST_P(LogtoInvitationsTest, RoleAndOrganizationDeletesCascade) {
  std::string org = seed_.LogtoOrg();
  std::string admin = seed_.Role("admin");
  std::string viewer = seed_.Role("viewer");
  std::string id = InviteId(org, "a@x.com", {{"organizationRoleIds", {admin, viewer}}});
  ASSERT_EQ(server_.Logto("DELETE", "/api/organization-roles/" + admin).status, 204);
  EXPECT_EQ(server_.Logto("GET", "/api/organization-invitations/" + id).json["organizationRoles"],
            (Json{{{"id", viewer}, {"name", "viewer"}}}));
  ASSERT_EQ(server_.Logto("DELETE", "/api/organizations/" + org).status, 204);
  ExpectError(server_.Logto("GET", "/api/organization-invitations/" + id), 404, "entity.not_found");
}

INSTANTIATE_TEST_SUITE_P(Backends, LogtoInvitationsTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);

}  // namespace
}  // namespace orgd::testing
