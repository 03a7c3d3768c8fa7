// JIT provisioning through POST /api/organization-jit/provision (contracts/logto.md §3.5,
// "Provisioning endpoint"): email-domain and SSO-connector matching, JIT roles, idempotence.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/http/connections_fixture.h"

namespace orgd::testing {
namespace {

class JitProvisionTest : public ::testing::TestWithParam<std::string> {
 protected:
  TestServer server_{GetParam()};
  ConnectionsFixture seed_{server_};

  void AddDomain(const std::string& org, const std::string& domain) {
    auto res = server_.Logto("POST", "/api/organizations/" + org + "/jit/email-domains",
                             Json{{"emailDomain", domain}}.dump());
    ASSERT_EQ(res.status, 201) << res.body;
  }
  void AddJitRoles(const std::string& org, const std::vector<std::string>& roles) {
    auto res = server_.Logto("POST", "/api/organizations/" + org + "/jit/roles",
                             Json{{"organizationRoleIds", roles}}.dump());
    ASSERT_EQ(res.status, 201) << res.body;
  }
  HttpResponse Provision(const Json& body) {
    return server_.Logto("POST", "/api/organization-jit/provision", body.dump());
  }
};

TEST_P(JitProvisionTest, EmailDomainMatchesCaseInsensitivelyAndOnlyOnce) {
  std::string org = seed_.LogtoOrg();
  std::string other = seed_.LogtoOrg("Other");
  AddDomain(org, "Example.org");
  AddDomain(other, "other.org");
  std::string viewer = seed_.Role("viewer");
  std::string editor = seed_.Role("editor");
  AddJitRoles(org, {viewer, editor});
  std::string user = seed_.User("alice@EXAMPLE.ORG");

  auto first = Provision({{"userId", user}});
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(first.json["organizations"].size(), 1u);
  const Json& granted = first.json["organizations"][0];
  EXPECT_EQ(granted["id"], org);
  EXPECT_EQ(granted["joined"], true);
  std::vector<std::string> roles = granted["organizationRoleIds"];
  std::sort(roles.begin(), roles.end());
  std::vector<std::string> want = {viewer, editor};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(roles, want);
  EXPECT_EQ(seed_.MemberRoles(org, user), (std::vector<std::string>{"editor", "viewer"}));
  EXPECT_FALSE(seed_.IsMember(other, user));

  auto second = Provision({{"userId", user}});
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(second.json, (Json{{"organizations", Json::array()}}));
}

TEST_P(JitProvisionTest, WholeDomainOnlyAndEmailOverridesPrimaryEmail) {
  std::string org = seed_.LogtoOrg();
  AddDomain(org, "example.org");
  std::string sub = seed_.User("bob@mail.example.org");
  auto none = Provision({{"userId", sub}});
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(none.json["organizations"], Json::array());
  EXPECT_FALSE(seed_.IsMember(org, sub));

  auto by_email = Provision({{"userId", sub}, {"email", "bob@Example.Org"}});
  ASSERT_EQ(by_email.status, 200) << by_email.body;
  ASSERT_EQ(by_email.json["organizations"].size(), 1u);
  EXPECT_EQ(by_email.json["organizations"][0]["organizationRoleIds"], Json::array());
  EXPECT_TRUE(seed_.IsMember(org, sub));

  std::string no_email = seed_.User("");
  EXPECT_EQ(Provision({{"userId", no_email}}).json["organizations"], Json::array());
}

TEST_P(JitProvisionTest, ExistingMemberGetsOnlyMissingJitRoles) {
  std::string org = seed_.LogtoOrg();
  AddDomain(org, "example.org");
  std::string a = seed_.Role("a");
  std::string b = seed_.Role("b");
  AddJitRoles(org, {a, b});
  std::string user = seed_.User("u@example.org");
  ASSERT_EQ(
      server_
          .Logto("POST", "/api/organizations/" + org + "/users", Json{{"userIds", {user}}}.dump())
          .status,
      201);
  ASSERT_EQ(server_
                .Logto("POST", "/api/organizations/" + org + "/users/" + user + "/roles",
                       Json{{"organizationRoleIds", {a}}}.dump())
                .status,
            201);
  auto res = Provision({{"userId", user}});
  ASSERT_EQ(res.status, 200) << res.body;
  ASSERT_EQ(res.json["organizations"].size(), 1u);
  EXPECT_EQ(res.json["organizations"][0]["joined"], false);
  EXPECT_EQ(res.json["organizations"][0]["organizationRoleIds"], (Json{b}));
}

TEST_P(JitProvisionTest, SsoConnectorPathIgnoresEmailDomains) {
  std::string by_domain = seed_.LogtoOrg("ByDomain");
  std::string by_connector = seed_.LogtoOrg("ByConnector");
  std::string kinde_org = seed_.KindeOrg("KindeOrg");
  AddDomain(by_domain, "example.org");
  std::string role = seed_.Role("sso-member");
  AddJitRoles(by_connector, {role});
  std::string connector = seed_.Connector("corp-sso", "SAML");
  ASSERT_EQ(server_
                .Logto("POST", "/api/organizations/" + by_connector + "/jit/sso-connectors",
                       Json{{"ssoConnectorIds", {connector}}}.dump())
                .status,
            201);
  // Kinde organization connections are the same links.
  ASSERT_EQ(
      server_.Kinde("POST", "/api/v1/organizations/" + kinde_org + "/connections/" + connector)
          .status,
      200);
  std::string user = seed_.User("sam@example.org");
  auto res = Provision({{"userId", user}, {"ssoConnectorId", connector}});
  ASSERT_EQ(res.status, 200) << res.body;
  std::vector<std::string> joined = ConnectionsFixture::Ids(res.json["organizations"]);
  std::sort(joined.begin(), joined.end());
  std::vector<std::string> want = {by_connector, kinde_org};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(joined, want);
  EXPECT_EQ(seed_.MemberRoles(by_connector, user), std::vector<std::string>{"sso-member"});
  EXPECT_TRUE(seed_.IsMember(kinde_org, user));
  EXPECT_FALSE(seed_.IsMember(by_domain, user));
  auto unknown = Provision({{"userId", user}, {"ssoConnectorId", "nope"}});
  ASSERT_EQ(unknown.status, 200) << unknown.body;
  EXPECT_EQ(unknown.json["organizations"], Json::array());
}

TEST_P(JitProvisionTest, Errors) {
  auto missing = Provision(Json::object());
  EXPECT_EQ(missing.status, 400) << missing.body;
  EXPECT_EQ(missing.json["code"], "guard.invalid_input");
  EXPECT_EQ(Provision({{"userId", 5}}).json["code"], "guard.invalid_input");
  EXPECT_EQ(Provision({{"userId", "x"}, {"email", 5}}).json["code"], "guard.invalid_input");
  EXPECT_EQ(Provision({{"userId", "x"}, {"ssoConnectorId", false}}).json["code"],
            "guard.invalid_input");
  auto unknown = Provision({{"userId", "nope"}});
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(unknown.json["code"], "entity.not_found");
}

// --jit-on-user-create (contracts/logto.md §3.5): POST /api/users provisions the new user in the
// same transaction; without the flag (Logto's default) it never does.
TEST_P(JitProvisionTest, UserCreationProvisionsOnlyWhenTheServerSaysSo) {
  for (bool on : {false, true}) {
    TestServer server(GetParam(), {.jit_on_user_create = on});
    ConnectionsFixture seed(server);
    std::string org = seed.LogtoOrg();
    auto domain = server.Logto("POST", "/api/organizations/" + org + "/jit/email-domains",
                               Json{{"emailDomain", "jit.example"}}.dump());
    ASSERT_EQ(domain.status, 201) << domain.body;
    std::string role = seed.Role("starter");
    auto jit_role = server.Logto("POST", "/api/organizations/" + org + "/jit/roles",
                                 Json{{"organizationRoleIds", {role}}}.dump());
    ASSERT_EQ(jit_role.status, 201) << jit_role.body;

    auto created = server.Logto("POST", "/api/users", Json{{"primaryEmail", "new@JIT.example"}}.dump());
    ASSERT_EQ(created.status, 200) << created.body;
    auto orgs = server.Logto("GET", "/api/users/" + created.json["id"].get<std::string>() + "/organizations");
    ASSERT_EQ(orgs.status, 200) << orgs.body;
    if (!on) {
      EXPECT_EQ(orgs.json, Json::array()) << "provisioned without --jit-on-user-create";
      continue;
    }
    ASSERT_EQ(orgs.json.size(), 1u) << orgs.body;
    EXPECT_EQ(orgs.json[0]["id"], org);
    EXPECT_EQ(orgs.json[0]["organizationRoles"], (Json::array({{{"id", role}, {"name", "starter"}}})));
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, JitProvisionTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);

}  // namespace
}  // namespace orgd::testing
