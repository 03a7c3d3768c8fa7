// The Kinde dialect's organization invites (contracts/kinde.md §3.2, object §2.2), end to end, and
// their identity with the Logto organization invitations.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "common/clock.h"
#include "tests/http/connections_fixture.h"

namespace orgd::testing {
namespace {

class KindeInvitesTest : public ::testing::TestWithParam<std::string> {
 protected:
  FakeClock clock_{SystemClock().NowMillis()};
  TestServer server_{GetParam(), {.clock = &clock_}};
  ConnectionsFixture seed_{server_};

  void ExpectError(const HttpResponse& res, int status, const std::string& code) {
    EXPECT_EQ(res.status, status) << res.body;
    if (status == 404) {
      EXPECT_EQ(res.json["errors"].value("code", ""), code) << res.body;  // object form
    } else {
      ASSERT_TRUE(res.json["errors"].is_array()) << res.body;
      EXPECT_EQ(res.json["errors"][0].value("code", ""), code) << res.body;
    }
  }
  std::string Path(const std::string& org) { return "/api/v1/organization/" + org + "/invites"; }
  HttpResponse Invite(const std::string& org, Json body) {
    if (!body.contains("roles")) body["roles"] = Json::array();
    return server_.Kinde("POST", Path(org), body.dump());
  }
  std::string InviteCode(const std::string& org, const std::string& email, Json extra = {}) {
    Json body = {{"email", email}};
    for (const auto& [k, v] : extra.items()) body[k] = v;
    auto res = Invite(org, body);
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json["invite"].value("code", "");
  }
  std::string KindeRole(const std::string& key, const std::string& name) {
    auto res = server_.Kinde("POST", "/api/v1/roles", Json{{"key", key}, {"name", name}}.dump());
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json["role"].value("id", "");
  }
};

TEST_P(KindeInvitesTest, CreateAnswers201WithTheInvite) {
  std::string org = seed_.KindeOrg();
  KindeRole("admin", "Administrator");
  KindeRole("viewer", "Viewer");
  auto res = Invite(org, {{"email", "Bob@Example.com"},
                          {"first_name", "Bob"},
                          {"last_name", "Smith"},
                          {"roles", {"viewer", "admin"}},
                          {"send_email", true}});
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.json["code"], "INVITATION_CREATED");
  EXPECT_EQ(res.json["message"], "Invitation created");
  const Json& inv = res.json["invite"];
  std::string code = inv["code"];
  ASSERT_EQ(code.size(), 16u);
  EXPECT_EQ(code.substr(0, 4), "inv_");
  EXPECT_EQ(code.find_first_not_of("0123456789abcdef", 4), std::string::npos);
  EXPECT_EQ(inv["id"], code);
  EXPECT_EQ(inv["email"], "Bob@Example.com");
  EXPECT_EQ(inv["first_name"], "Bob");
  EXPECT_EQ(inv["last_name"], "Smith");
  EXPECT_EQ(inv["full_name"], "Bob Smith");
  EXPECT_TRUE(inv["created_on"].is_string());
  EXPECT_EQ(inv["is_sent"], false);  // no mail transport
  EXPECT_EQ(inv["accepted_on"], nullptr);
  EXPECT_EQ(inv["is_revoked"], false);
  EXPECT_EQ(inv["roles"], (Json{{{"key", "admin"}, {"name", "Administrator"}},
                                {{"key", "viewer"}, {"name", "Viewer"}}}));
  EXPECT_EQ(inv["invite_link"], server_.public_url() + "/team_invitation?code=" + code);
  EXPECT_EQ(inv.size(), 12u);

  auto got = server_.Kinde("GET", Path(org) + "/" + code);
  ASSERT_EQ(got.status, 200) << got.body;
  Json expected = inv;
  expected["message"] = "Success";  // [quirk] unwrapped, code = invite code
  EXPECT_EQ(got.json, expected);
}

TEST_P(KindeInvitesTest, CreateErrorsCreateNothing) {
  std::string org = seed_.KindeOrg();
  std::string member = seed_.User("member@acme.com");
  ASSERT_EQ(
      server_
          .Logto("POST", "/api/organizations/" + org + "/users", Json{{"userIds", {member}}}.dump())
          .status,
      201);
  ExpectError(Invite(org, {{"first_name", "x"}}), 400, "EMAIL_REQUIRED");
  ExpectError(Invite(org, {{"email", std::string(250, 'a') + "@x.com"}}), 400, "EMAIL_TOO_LONG");
  ExpectError(Invite(org, {{"email", "nope"}}), 400, "INVALID_EMAIL");
  ExpectError(Invite(org, {{"email", "a@b.co"}, {"first_name", std::string(65, 'f')}}), 400,
              "FIRST_NAME_TOO_LONG");
  ExpectError(Invite(org, {{"email", "a@b.co"}, {"last_name", std::string(65, 'l')}}), 400,
              "LAST_NAME_TOO_LONG");
  ExpectError(server_.Kinde("POST", Path(org), R"({"email":"a@b.co"})"), 400, "ROLES_REQUIRED");
  ExpectError(Invite(org, {{"email", "a@b.co"}, {"roles", {"nope"}}}), 400, "ROLE_NOT_FOUND");
  ExpectError(Invite("org_nope", {{"email", "a@b.co"}}), 400, "ORGANIZATION_NOT_FOUND");
  ExpectError(Invite(org, {{"email", "MEMBER@acme.com"}}), 400, "USER_ALREADY_IN_ORGANIZATION");
  ExpectError(server_.Kinde("POST", Path(org), "[1]"), 400, "INVALID_REQUEST_BODY");
  auto none = server_.Kinde("GET", Path(org) + "?include_revoked=true&include_accepted=true");
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(none.json["invites"], Json::array());

  InviteCode(org, "a@b.co");
  auto dup = Invite(org, {{"email", "A@B.co"}});
  ExpectError(dup, 400, "INVITE_EXISTS");
  EXPECT_EQ(dup.json["errors"][0]["message"], "Invite already exists");
}

TEST_P(KindeInvitesTest, GetAndRevoke) {
  std::string org = seed_.KindeOrg();
  std::string other = seed_.KindeOrg("Other");
  std::string code = InviteCode(org, "a@x.com");
  ExpectError(server_.Kinde("GET", Path(org) + "/inv_nope"), 404, "INVITE_NOT_FOUND");
  ExpectError(server_.Kinde("GET", Path(other) + "/" + code), 404, "INVITE_NOT_FOUND");
  ExpectError(server_.Kinde("GET", Path("org_nope") + "/" + code), 404, "ORGANIZATION_NOT_FOUND");
  ExpectError(server_.Kinde("DELETE", Path(org) + "/inv_nope"), 404, "INVITE_NOT_FOUND");

  auto revoked = server_.Kinde("DELETE", Path(org) + "/" + code);
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(revoked.json, (Json{{"code", "OK"}, {"message", "Success"}}));
  EXPECT_EQ(server_.Kinde("DELETE", Path(org) + "/" + code).status, 200);  // already revoked
  auto got = server_.Kinde("GET", Path(org) + "/" + code);
  EXPECT_EQ(got.json["is_revoked"], true);
  EXPECT_EQ(server_.Kinde("GET", Path(org)).json["invites"], Json::array());
  auto with_revoked = server_.Kinde("GET", Path(org) + "?include_revoked=true");
  EXPECT_EQ(ConnectionsFixture::Ids(with_revoked.json["invites"]), std::vector<std::string>{code});
  EXPECT_EQ(server_.Logto("GET", "/api/organization-invitations/" + code).json["status"],
            "Revoked");

  // Accepted (through the Logto dialect): cannot be revoked.
  std::string bob = seed_.User("bob@x.com");
  std::string accepted = InviteCode(org, "bob@x.com");
  ASSERT_EQ(server_
                .Logto("PUT", "/api/organization-invitations/" + accepted + "/status",
                       Json{{"status", "Accepted"}, {"acceptedUserId", bob}}.dump())
                .status,
            200);
  ExpectError(server_.Kinde("DELETE", Path(org) + "/" + accepted), 400, "INVITE_ALREADY_ACCEPTED");
  auto accepted_view = server_.Kinde("GET", Path(org) + "/" + accepted);
  EXPECT_TRUE(accepted_view.json["accepted_on"].is_string());
  EXPECT_EQ(server_.Kinde("GET", Path(org)).json["invites"], Json::array());
  EXPECT_EQ(ConnectionsFixture::Ids(
                server_.Kinde("GET", Path(org) + "?include_accepted=true").json["invites"]),
            std::vector<std::string>{accepted});
}

TEST_P(KindeInvitesTest, ListSortsAndPagesToTheEnd) {
  std::string org = seed_.KindeOrg();
  std::vector<std::string> codes;
  const std::vector<std::string> emails = {"d@x.com", "B@x.com", "e@x.com", "a@x.com", "C@x.com"};
  for (const std::string& email : emails) {
    codes.push_back(InviteCode(org, email, {{"first_name", email.substr(0, 1)}}));
    clock_.Advance(3);
  }
  auto walk = [&](const std::string& query) {
    std::vector<std::string> seen;
    std::string token;
    for (int guard = 0; guard < 10; ++guard) {
      std::string target = Path(org) + "?page_size=2" + query;
      if (!token.empty()) target += "&next_token=" + token;
      auto res = server_.Kinde("GET", target);
      EXPECT_EQ(res.status, 200) << res.body;
      for (const Json& inv : res.json["invites"]) seen.push_back(inv["email"]);
      if (res.json["next_token"].is_null()) break;
      token = res.json["next_token"];
    }
    return seen;
  };
  EXPECT_EQ(walk(""), (std::vector<std::string>{"C@x.com", "a@x.com", "e@x.com", "B@x.com",
                                                "d@x.com"}));  // created_on_desc
  EXPECT_EQ(walk("&sort=created_on_asc"), emails);
  EXPECT_EQ(walk("&sort=email_asc"),
            (std::vector<std::string>{"a@x.com", "B@x.com", "C@x.com", "d@x.com", "e@x.com"}));
  EXPECT_EQ(walk("&sort=name_desc"),
            (std::vector<std::string>{"e@x.com", "d@x.com", "C@x.com", "B@x.com", "a@x.com"}));

  auto first = server_.Kinde("GET", Path(org) + "?page_size=2&sort=email_asc");
  std::string token = first.json["next_token"];
  ExpectError(server_.Kinde("GET", Path(org) + "?page_size=2&sort=email_desc&next_token=" + token),
              400, "INVALID_NEXT_TOKEN");
  ExpectError(
      server_.Kinde("GET", Path(org) + "?sort=email_asc&include_revoked=true&next_token=" + token),
      400, "INVALID_NEXT_TOKEN");
  ExpectError(server_.Kinde("GET", Path(org) + "?next_token=garbage"), 400, "INVALID_NEXT_TOKEN");
  ExpectError(server_.Kinde("GET", Path(org) + "?sort=size"), 400, "INVALID_SORT");
  ExpectError(server_.Kinde("GET", Path(org) + "?include_revoked=yes"), 400,
              "INVALID_INCLUDE_REVOKED");
  ExpectError(server_.Kinde("GET", Path(org) + "?page_size=501"), 400, "PAGE_SIZE_LIMIT_EXCEEDED");
  ExpectError(server_.Kinde("GET", Path("org_nope")), 400, "ORGANIZATION_NOT_FOUND");
}

TEST_P(KindeInvitesTest, InviteIsALogtoInvitation) {
  std::string org = seed_.LogtoOrg();
  std::string role = seed_.Role("editor");
  std::string code = InviteCode(org, "Ann@x.com", {{"roles", {"editor"}}});
  auto list = server_.Logto("GET", "/api/organization-invitations?organizationId=" + org);
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.json.size(), 1u);
  const Json& inv = list.json[0];
  EXPECT_EQ(inv["id"], code);
  EXPECT_EQ(inv["invitee"], "Ann@x.com");
  EXPECT_EQ(inv["status"], "Pending");
  EXPECT_EQ(inv["inviterId"], nullptr);
  EXPECT_EQ(inv["organizationRoles"], (Json{{{"id", role}, {"name", "editor"}}}));
  EXPECT_EQ(inv["expiresAt"].get<int64_t>() - inv["createdAt"].get<int64_t>(),
            7LL * 24 * 3600 * 1000);

  // And a Logto invitation is a Kinde invite; the Logto pending check covers both.
  auto logto = server_.Logto("POST", "/api/organization-invitations",
                             Json{{"invitee", "zed@x.com"},
                                  {"organizationId", org},
                                  {"expiresAt", clock_.NowMillis() + 60'000}}
                                 .dump());
  ASSERT_EQ(logto.status, 201) << logto.body;
  auto as_kinde = server_.Kinde("GET", Path(org) + "/" + logto.json["id"].get<std::string>());
  ASSERT_EQ(as_kinde.status, 200) << as_kinde.body;
  EXPECT_EQ(as_kinde.json["email"], "zed@x.com");
  EXPECT_EQ(as_kinde.json["full_name"], "");
  ExpectError(Invite(org, {{"email", "ZED@x.com"}}), 400, "INVITE_EXISTS");
}

INSTANTIATE_TEST_SUITE_P(Backends, KindeInvitesTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);

}  // namespace
}  // namespace orgd::testing
