// Bounded page sizes and bulk sizes (issue #8 item 3): every list route of both dialects refuses a
// page size over the contract's maximum with the contract's error, and accepts the maximum itself;
// every bulk route with a contract bound refuses one item over it. Logto's bulk routes have no
// count bound in the contract; they are bounded by the request-body limit (413), checked once.
//
// The tables are the audit: a list route of the contracts missing from them is a route without a
// tested bound. The test also fails when a table names a route the server does not serve.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/test_server.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;

// A list route; {org}, {user}, {role}, {scope}, {resource}, {app} are filled with entities the
// fixture creates (the user a member of the org holding the role, the application a member too).
struct ListRoute {
  const char* pattern;  // as the route table registers it
  const char* target;   // what the test requests
};

// contracts/logto.md §1.7: "always paginated" and "optional pagination" lists; page_size ≤ 100.
constexpr ListRoute kLogtoLists[] = {
    {"/api/organizations", "/api/organizations"},
    {"/api/organizations/{id}/users", "/api/organizations/{org}/users"},
    {"/api/organizations/{id}/applications", "/api/organizations/{org}/applications"},
    {"/api/organization-roles", "/api/organization-roles"},
    {"/api/users", "/api/users"},
    {"/api/resources/{resourceId}/scopes", "/api/resources/{resource}/scopes"},
    {"/api/organization-scopes", "/api/organization-scopes"},
    {"/api/organization-roles/{id}/scopes", "/api/organization-roles/{role}/scopes"},
    {"/api/organization-roles/{id}/resource-scopes", "/api/organization-roles/{role}/resource-scopes"},
    {"/api/organizations/{id}/users/{userId}/roles", "/api/organizations/{org}/users/{user}/roles"},
    {"/api/organizations/{id}/applications/{applicationId}/roles",
     "/api/organizations/{org}/applications/{app}/roles"},
    {"/api/organizations/{id}/jit/email-domains", "/api/organizations/{org}/jit/email-domains"},
    {"/api/organizations/{id}/jit/roles", "/api/organizations/{org}/jit/roles"},
    {"/api/organizations/{id}/jit/sso-connectors", "/api/organizations/{org}/jit/sso-connectors"},
    {"/api/applications", "/api/applications"},
    {"/api/applications/{id}/organizations", "/api/applications/{app}/organizations"},
    {"/api/sso-connectors", "/api/sso-connectors"},
    {"/api/resources", "/api/resources"},
};

// contracts/kinde.md §1.6: next_token and cursor lists; page_size ≤ 500.
constexpr ListRoute kKindeLists[] = {
    {"/api/v1/organizations", "/api/v1/organizations"},
    {"/api/v1/organizations/{org_code}/users", "/api/v1/organizations/{org}/users"},
    {"/api/v1/organization/{org_code}/invites", "/api/v1/organization/{org}/invites"},
    {"/api/v1/organizations/{org_code}/roles/{role_id}/users",
     "/api/v1/organizations/{org}/roles/{role}/users"},
    {"/api/v1/roles", "/api/v1/roles"},
    {"/api/v1/roles/{role_id}/permissions", "/api/v1/roles/{role}/permissions"},
    {"/api/v1/roles/{role_id}/users", "/api/v1/roles/{role}/users"},
    {"/api/v1/permissions", "/api/v1/permissions"},
    {"/api/v1/users", "/api/v1/users"},
    {"/api/v1/connections", "/api/v1/connections"},
    {"/api/v1/properties", "/api/v1/properties"},
    {"/api/v1/property_categories", "/api/v1/property_categories"},
};

// GET routes that list without any page size, as the contracts say (logto.md §1.7 "Not
// paginated", kinde.md §1.6 "Unpaginated lists"): each is bounded by the data it lists (one
// organization's or one user's rows), not by the request. The Logto "optional pagination" lists
// above also answer every row when neither page nor page_size is given (logto.md §1.7).
constexpr const char* kUnpaginatedLists[] = {
    // Logto
    "/api/organization-invitations",  // every invitation of the installation, filters optional
    "/api/users/{userId}/organizations",
    "/api/organizations/{id}/users/{userId}/scopes",
    // Kinde
    "/api/v1/organizations/{org_code}/feature_flags",
    "/api/v1/organizations/{org_code}/properties",
    "/api/v1/organizations/{org_code}/users/{user_id}/roles",
    "/api/v1/organizations/{org_code}/users/{user_id}/permissions",
    "/api/v1/organizations/{organization_code}/connections",
    "/api/v1/organizations/{org_code}/logos",
    "/api/v1/apis",
    "/api/v1/apis/{api_id}/scopes",
    "/api/v1/roles/{role_id}/scopes",
};

// GET routes that answer one object (or a count), not a list.
constexpr const char* kSingleObjects[] = {
    "/healthz", "/readyz", "/oidc/jwks", "/.well-known/jwks.json", "/logo", "/logo_dark",
    "/api/organizations/{id}", "/api/users/{userId}", "/api/organization-roles/{id}",
    "/api/organization-scopes/{id}", "/api/resources/{id}", "/api/applications/{id}",
    "/api/sso-connectors/{id}", "/api/organization-invitations/{id}",
    "/api/v1/organization", "/api/v1/user", "/api/v1/roles/{role_id}", "/api/v1/apis/{api_id}",
    "/api/v1/apis/{api_id}/scopes/{scope_id}",
    "/api/v1/organizations/{org_code}/roles/{role_id}/users/count",
    "/api/v1/organizations/{org_code}/roles/{role_id}/active_users/count",
    "/api/v1/organizations/{org_code}/users/{user_id}/mfa", "/api/v1/connections/{connection_id}",
    "/api/v1/organization/{org_code}/invites/{invite_code}",
    "/api/v1/organizations/{org_code}/passkey",
};

class LimitsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto created = [&](const HttpResponse& res, const char* what) {
      EXPECT_TRUE(res.status == 200 || res.status == 201) << what << ": " << res.body;
      return res.json.value("id", "");
    };
    org_ = created(server_.Logto("POST", "/api/organizations", R"({"name":"limits"})"), "org");
    user_ = created(server_.Logto("POST", "/api/users", R"({"name":"limits user"})"), "user");
    role_ = created(server_.Logto("POST", "/api/organization-roles", R"({"name":"limits-role"})"),
                    "role");
    resource_ = created(server_.Logto("POST", "/api/resources",
                                      R"({"name":"limits api","indicator":"https://limits.test"})"),
                        "resource");
    app_ = created(server_.Logto("POST", "/api/applications",
                                 R"({"name":"limits app","type":"MachineToMachine"})"),
                   "application");
    ASSERT_FALSE(HasFailure());
    ASSERT_EQ(server_.Logto("POST", "/api/organizations/" + org_ + "/users",
                            Json{{"userIds", {user_}}}.dump())
                  .status,
              201);
    ASSERT_EQ(server_.Logto("POST", "/api/organizations/" + org_ + "/users/" + user_ + "/roles",
                            Json{{"organizationRoleIds", {role_}}}.dump())
                  .status,
              201);
    ASSERT_EQ(server_.Logto("POST", "/api/organizations/" + org_ + "/applications",
                            Json{{"applicationIds", {app_}}}.dump())
                  .status,
              201);
  }

  std::string Fill(std::string target) const {
    const std::pair<const char*, const std::string*> params[] = {
        {"{org}", &org_},   {"{user}", &user_}, {"{role}", &role_},
        {"{resource}", &resource_}, {"{app}", &app_}};
    for (const auto& [name, value] : params) {
      for (size_t at = target.find(name); at != std::string::npos; at = target.find(name)) {
        target.replace(at, std::string(name).size(), *value);
      }
    }
    return target;
  }

  // Whether the server registers `method pattern`.
  bool Serves(const std::string& method, const std::string& pattern) const {
    const auto routes = server_.routes();
    return std::any_of(routes.begin(), routes.end(), [&](const api::RouteInfo& r) {
      return http::MethodName(r.method) == method && r.pattern == pattern;
    });
  }

  TestServer server_{GetParam()};
  std::string org_, user_, role_, resource_, app_;
};

TEST_P(LimitsTest, EveryGetRouteIsABoundedListAnUnpaginatedListOfTheContractsOrOneObject) {
  // A new list route must be added to a table above (and so get its bound tested).
  auto in = [](const auto& table, const std::string& pattern) {
    for (const auto& entry : table) {
      if constexpr (std::is_same_v<std::decay_t<decltype(entry)>, ListRoute>) {
        if (pattern == entry.pattern) return true;
      } else {
        if (pattern == entry) return true;
      }
    }
    return false;
  };
  for (const api::RouteInfo& route : server_.routes()) {
    if (http::MethodName(route.method) != "GET") continue;
    EXPECT_TRUE(in(kLogtoLists, route.pattern) || in(kKindeLists, route.pattern) ||
                in(kUnpaginatedLists, route.pattern) || in(kSingleObjects, route.pattern))
        << "GET " << route.pattern << " is not classified";
  }
}

TEST_P(LimitsTest, EveryLogtoListRefusesAPageSizeOverOneHundred) {
  const Json error = {{"code", "guard.invalid_pagination"},
                      {"message", "The request pagination value is invalid."}};
  for (const ListRoute& route : kLogtoLists) {
    SCOPED_TRACE(route.target);
    EXPECT_TRUE(Serves("GET", route.pattern)) << "not a registered route: " << route.pattern;
    const std::string target = Fill(route.target);
    HttpResponse at_limit = server_.Logto("GET", target + "?page_size=100");
    EXPECT_EQ(at_limit.status, 200) << at_limit.body;
    EXPECT_TRUE(at_limit.json.is_array()) << at_limit.body;
    HttpResponse over = server_.Logto("GET", target + "?page_size=101");
    EXPECT_EQ(over.status, 400) << over.body;
    EXPECT_EQ(over.json.value("code", ""), error["code"]) << over.body;
    EXPECT_EQ(over.json.value("message", ""), error["message"]) << over.body;
    // The page number is bounded only by being a positive integer; a huge page is an empty one.
    HttpResponse far = server_.Logto("GET", target + "?page=1000000000&page_size=100");
    EXPECT_EQ(far.status, 200) << far.body;
    EXPECT_EQ(far.json, Json::array());
  }
}

TEST_P(LimitsTest, EveryKindeListRefusesAPageSizeOverFiveHundred) {
  for (const ListRoute& route : kKindeLists) {
    SCOPED_TRACE(route.target);
    EXPECT_TRUE(Serves("GET", route.pattern)) << "not a registered route: " << route.pattern;
    const std::string target = Fill(route.target);
    HttpResponse at_limit = server_.Kinde("GET", target + "?page_size=500");
    EXPECT_EQ(at_limit.status, 200) << at_limit.body;
    HttpResponse over = server_.Kinde("GET", target + "?page_size=501");
    EXPECT_EQ(over.status, 400) << over.body;
    ASSERT_TRUE(over.json.contains("errors")) << over.body;
    EXPECT_EQ(over.json["errors"][0].value("code", ""), "PAGE_SIZE_LIMIT_EXCEEDED") << over.body;
    EXPECT_EQ(over.json["errors"][0].value("message", ""), "Page size cannot be greater than 500")
        << over.body;
  }
}

TEST_P(LimitsTest, KindeBulkOrganizationUserCallsRefuseMoreThanOneHundredUsers) {
  // kinde.md §1.5: USERS_LIMIT_EXCEEDED for POST and PATCH /organizations/{org_code}/users; the
  // count is checked before any id is looked up, so 101 unknown ids are enough.
  Json users = Json::array();
  for (int i = 0; i < 101; ++i) users.push_back({{"id", "kp_limit" + std::to_string(i)}});
  for (const char* method : {"POST", "PATCH"}) {
    SCOPED_TRACE(method);
    HttpResponse res =
        server_.Kinde(method, "/api/v1/organizations/" + org_ + "/users", Json{{"users", users}}.dump());
    EXPECT_EQ(res.status, 400) << res.body;
    ASSERT_TRUE(res.json.contains("errors")) << res.body;
    EXPECT_EQ(res.json["errors"][0].value("code", ""), "USERS_LIMIT_EXCEEDED") << res.body;
    EXPECT_EQ(res.json["errors"][0].value("message", ""),
              "Cannot process more than 100 users per request")
        << res.body;
  }
  // Exactly 100 is within the bound: it gets past the count check to the lookup of the ids.
  users.erase(users.end() - 1);
  HttpResponse hundred =
      server_.Kinde("POST", "/api/v1/organizations/" + org_ + "/users", Json{{"users", users}}.dump());
  EXPECT_EQ(hundred.status, 400) << hundred.body;
  EXPECT_EQ(hundred.json["errors"][0].value("code", ""), "USER_NOT_FOUND") << hundred.body;
}

TEST_P(LimitsTest, LogtoBulkRoutesAreBoundedByTheRequestBodyLimit) {
  // logto.md sets no count bound on bulk bodies (userIds, organizationRoleIds, applicationIds…);
  // the server's request-body limit (1 MiB) bounds them: beyond it, 413 before any of the body is
  // read into a handler.
  std::string big = R"({"userIds":[)";
  while (big.size() < (1u << 20) + 16) big += R"("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",)";
  big += R"("a"]})";
  for (const char* target : {"/api/organizations/{org}/users", "/api/organizations/{org}/users/roles"}) {
    SCOPED_TRACE(target);
    HttpResponse res = server_.Logto("POST", Fill(target), big);
    EXPECT_EQ(res.status, 413) << res.body.substr(0, 300);
    EXPECT_EQ(res.json.value("code", ""), "request.entity_too_large") << res.body.substr(0, 300);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, LimitsTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);

}  // namespace
}  // namespace orgd::testing
