// The Logto dialect's JIT email-domain and JIT role routes (contracts/logto.md §3.5), end to end.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/http/members_fixture.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;

class LogtoJitTest : public MembersFixture {
 protected:
  std::string Domains(const std::string& org) {
    return "/api/organizations/" + org + "/jit/email-domains";
  }
  std::string Roles(const std::string& org) { return "/api/organizations/" + org + "/jit/roles"; }
  std::vector<std::string> DomainList(const std::string& org) {
    auto res = server_.Logto("GET", Domains(org));
    EXPECT_EQ(res.status, 200) << res.body;
    std::vector<std::string> out;
    for (const Json& row : res.json) out.push_back(row["emailDomain"]);
    return out;
  }
  std::vector<std::string> RoleIds(const std::string& org) {
    auto res = server_.Logto("GET", Roles(org));
    EXPECT_EQ(res.status, 200) << res.body;
    std::vector<std::string> out;
    for (const Json& row : res.json) out.push_back(row["id"]);
    return out;
  }
  void ExpectCode(const HttpResponse& res, int status, const std::string& code) {
    EXPECT_EQ(res.status, status) << res.body;
    EXPECT_EQ(res.json.value("code", ""), code) << res.body;
  }
};

TEST_P(LogtoJitTest, EmailDomainsAddListDelete) {
  std::string org = LogtoOrg();
  auto res = server_.Logto("POST", Domains(org), R"({"emailDomain":"b.example.com"})");
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.json, (Json{{"tenantId", "default"}, {"organizationId", org},
                            {"emailDomain", "b.example.com"}}));
  ASSERT_EQ(server_.Logto("POST", Domains(org), R"({"emailDomain":"A.example.com"})").status, 201);
  ExpectCode(server_.Logto("POST", Domains(org), R"({"emailDomain":"b.example.com"})"), 422,
             "entity.unique_integrity_violation");
  EXPECT_EQ(DomainList(org), (std::vector<std::string>{"b.example.com", "A.example.com"}));

  auto paged = server_.Logto("GET", Domains(org) + "?page=2&page_size=1");
  ASSERT_EQ(paged.status, 200);
  EXPECT_EQ(paged.Header("total-number"), "2");
  EXPECT_EQ(paged.json, Json::array({{{"tenantId", "default"}, {"organizationId", org},
                                      {"emailDomain", "A.example.com"}}}));

  // Deletion matches exactly (case-sensitive); the domain travels percent-encoded.
  ExpectCode(server_.Logto("DELETE", Domains(org) + "/a.example.com"), 404, "entity.not_found");
  EXPECT_EQ(server_.Logto("DELETE", Domains(org) + "/A%2Eexample.com").status, 204);
  ExpectCode(server_.Logto("DELETE", Domains(org) + "/A.example.com"), 404, "entity.not_found");
  EXPECT_EQ(DomainList(org), std::vector<std::string>{"b.example.com"});

  // Different organizations may share a domain.
  std::string other = LogtoOrg("Other");
  EXPECT_EQ(server_.Logto("POST", Domains(other), R"({"emailDomain":"b.example.com"})").status, 201);
}

TEST_P(LogtoJitTest, EmailDomainErrors) {
  std::string org = LogtoOrg();
  ExpectCode(server_.Logto("POST", Domains("nope"), R"({"emailDomain":"x.com"})"), 422,
             "entity.relation_foreign_key_not_found");
  auto unknown = server_.Logto("GET", Domains("nope"));
  EXPECT_EQ(unknown.status, 200);
  EXPECT_EQ(unknown.json, Json::array());
  ExpectCode(server_.Logto("POST", Domains(org), R"({"emailDomain":""})"), 400,
             "guard.invalid_input");
  ExpectCode(server_.Logto("POST", Domains(org), Json{{"emailDomain", std::string(129, 'x')}}.dump()),
             400, "guard.invalid_input");
  EXPECT_EQ(server_.Logto("POST", Domains(org), Json{{"emailDomain", std::string(128, 'x')}}.dump())
                .status,
            201);
  ExpectCode(server_.Logto("POST", Domains(org), "{}"), 400, "guard.invalid_input");
  ExpectCode(server_.Logto("DELETE", Domains("nope") + "/x.com"), 404, "entity.not_found");
}

TEST_P(LogtoJitTest, ReplaceEmailDomains) {
  std::string org = LogtoOrg();
  ASSERT_EQ(server_.Logto("POST", Domains(org), R"({"emailDomain":"old.com"})").status, 201);
  ASSERT_EQ(server_.Logto("PUT", Domains(org), R"({"emailDomains":["z.com","a.com"]})").status, 204);
  EXPECT_EQ(DomainList(org), (std::vector<std::string>{"z.com", "a.com"}));

  ExpectCode(server_.Logto("PUT", Domains(org), R"({"emailDomains":["n.com","n.com"]})"), 422,
             "entity.unique_integrity_violation");
  ExpectCode(server_.Logto("PUT", Domains(org), R"({"emailDomains":["n.com",""]})"), 400,
             "guard.invalid_input");
  ExpectCode(server_.Logto("PUT", Domains(org),
                           Json{{"emailDomains", {"n.com", std::string(129, 'y')}}}.dump()),
             422, "entity.value_too_long");
  ExpectCode(server_.Logto("PUT", Domains(org), "{}"), 400, "guard.invalid_input");
  EXPECT_EQ(DomainList(org), (std::vector<std::string>{"z.com", "a.com"}));

  EXPECT_EQ(server_.Logto("PUT", Domains("nope"), R"({"emailDomains":[]})").status, 204);
  ExpectCode(server_.Logto("PUT", Domains("nope"), R"({"emailDomains":["x.com"]})"), 422,
             "entity.relation_foreign_key_not_found");
  ASSERT_EQ(server_.Logto("PUT", Domains(org), R"({"emailDomains":[]})").status, 204);
  EXPECT_TRUE(DomainList(org).empty());
}

TEST_P(LogtoJitTest, EmailDomainsAreTheKindeAllowedDomains) {
  std::string org = KindeOrg();
  ASSERT_EQ(server_.Logto("POST", Domains(org), R"({"emailDomain":"one.com"})").status, 201);
  auto kinde = server_.Kinde("GET", "/api/v1/organization?code=" + org);
  ASSERT_EQ(kinde.status, 200);
  EXPECT_EQ(kinde.json["allowed_domains"], Json::array({"one.com"}));
  ASSERT_EQ(server_.Kinde("PATCH", "/api/v1/organization/" + org,
                          R"({"allowed_domains":["one.com","Two.com"]})")
                .status,
            200);
  EXPECT_EQ(DomainList(org), (std::vector<std::string>{"one.com", "two.com"}));
}

TEST_P(LogtoJitTest, JitRoles) {
  std::string org = LogtoOrg();
  std::string admin = LogtoRole("admin"), viewer = LogtoRole("viewer");
  std::string machine = LogtoRole("machine", {}, "MachineToMachine");
  ExpectCode(server_.Logto("GET", Roles("nope")), 404, "entity.not_exists_with_id");
  EXPECT_EQ(server_.Logto("GET", Roles("nope")).json["message"],
            "The organizations with ID `nope` does not exist.");
  EXPECT_EQ(server_.Logto("GET", Roles(org)).json, Json::array());

  auto res = server_.Logto("POST", Roles(org), Json{{"organizationRoleIds", {viewer, machine}}}.dump());
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.body, "");
  // Already present: silent success.
  ASSERT_EQ(server_.Logto("POST", Roles(org), Json{{"organizationRoleIds", {viewer}}}.dump()).status,
            201);
  EXPECT_EQ(Sorted(RoleIds(org)), Sorted({viewer, machine}));
  auto listed = server_.Logto("GET", Roles(org));
  const Json& viewer_row = listed.json[0]["id"] == viewer ? listed.json[0] : listed.json[1];
  EXPECT_EQ(viewer_row, (Json{{"tenantId", "default"}, {"id", viewer}, {"name", "viewer"},
                              {"description", nullptr}, {"type", "User"}}));
  auto paged = server_.Logto("GET", Roles(org) + "?page_size=1");
  EXPECT_EQ(paged.Header("total-number"), "2");
  EXPECT_EQ(paged.json.size(), 1u);

  ExpectCode(server_.Logto("POST", Roles(org), Json{{"organizationRoleIds", {admin, "nope"}}}.dump()),
             422, "entity.relation_foreign_key_not_found");
  ExpectCode(server_.Logto("POST", Roles("nope"), Json{{"organizationRoleIds", {admin}}}.dump()),
             422, "entity.relation_foreign_key_not_found");
  ExpectCode(server_.Logto("POST", Roles(org), R"({"organizationRoleIds":[]})"), 400,
             "guard.invalid_input");
  ExpectCode(server_.Logto("PUT", Roles(org), Json{{"organizationRoleIds", {admin, admin}}}.dump()),
             422, "entity.unique_integrity_violation");
  ExpectCode(server_.Logto("PUT", Roles(org), Json{{"organizationRoleIds", {admin, "nope"}}}.dump()),
             422, "entity.relation_foreign_key_not_found");
  EXPECT_EQ(Sorted(RoleIds(org)), Sorted({viewer, machine}));

  ASSERT_EQ(server_.Logto("PUT", Roles(org), Json{{"organizationRoleIds", {admin}}}.dump()).status,
            204);
  EXPECT_EQ(RoleIds(org), std::vector<std::string>{admin});
  EXPECT_EQ(server_.Logto("DELETE", Roles(org) + "/" + admin).status, 204);
  ExpectCode(server_.Logto("DELETE", Roles(org) + "/" + admin), 404, "entity.not_found");
  EXPECT_EQ(server_.Logto("PUT", Roles("nope"), R"({"organizationRoleIds":[]})").status, 204);

  // Deleting a role removes its JIT rows.
  ASSERT_EQ(server_.Logto("PUT", Roles(org), Json{{"organizationRoleIds", {viewer}}}.dump()).status,
            204);
  ASSERT_EQ(server_.Logto("DELETE", "/api/organization-roles/" + viewer).status, 204);
  EXPECT_TRUE(RoleIds(org).empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, LogtoJitTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);

}  // namespace
}  // namespace orgd::testing
