// Access to every route, table-driven over the route table itself (issue #4 "scope enforcement for
// every route"): each Kinde operation of contracts/kinde.md §5 is served with exactly the scope
// listed there, refuses a token without it (403 FORBIDDEN) and a missing token (401); every Logto
// route requires `all` (contracts/logto.md §1.3). No route escapes the table.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "tests/support/test_server.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;

struct Operation {
  const char* method;
  const char* path;
  const char* scope;
};

// contracts/kinde.md §5, one row per operation (method, path, scope), in the contract's order.
constexpr Operation kKindeOperations[] = {
    {"GET", "/api/v1/apis", "read:apis"},
    {"POST", "/api/v1/apis", "create:apis"},
    {"GET", "/api/v1/apis/{api_id}", "read:apis"},
    {"DELETE", "/api/v1/apis/{api_id}", "delete:apis"},
    {"GET", "/api/v1/apis/{api_id}/scopes", "read:api_scopes"},
    {"POST", "/api/v1/apis/{api_id}/scopes", "create:api_scopes"},
    {"GET", "/api/v1/apis/{api_id}/scopes/{scope_id}", "read:api_scopes"},
    {"PATCH", "/api/v1/apis/{api_id}/scopes/{scope_id}", "update:api_scopes"},
    {"DELETE", "/api/v1/apis/{api_id}/scopes/{scope_id}", "delete:apis_scopes"},
    {"GET", "/api/v1/connections", "read:connections"},
    {"POST", "/api/v1/connections", "create:connections"},
    {"GET", "/api/v1/connections/{connection_id}", "read:connections"},
    {"PATCH", "/api/v1/connections/{connection_id}", "update:connections"},
    {"PUT", "/api/v1/connections/{connection_id}", "update:connections"},
    {"DELETE", "/api/v1/connections/{connection_id}", "delete:connections"},
    {"POST", "/api/v1/feature_flags", "create:feature_flags"},
    {"DELETE", "/api/v1/feature_flags/{feature_flag_key}", "delete:feature_flags"},
    {"PUT", "/api/v1/feature_flags/{feature_flag_key}", "update:feature_flags"},
    {"GET", "/api/v1/organization/{org_code}/invites", "read:organization_invites"},
    {"POST", "/api/v1/organization/{org_code}/invites", "create:organization_invites"},
    {"GET", "/api/v1/organization/{org_code}/invites/{invite_code}", "read:organization_invites"},
    {"DELETE", "/api/v1/organization/{org_code}/invites/{invite_code}", "delete:organization_invites"},
    {"GET", "/api/v1/organization", "read:organizations"},
    {"POST", "/api/v1/organization", "create:organizations"},
    {"GET", "/api/v1/organizations", "read:organizations"},
    {"PATCH", "/api/v1/organization/{org_code}", "update:organizations"},
    {"DELETE", "/api/v1/organization/{org_code}", "delete:organizations"},
    {"GET", "/api/v1/organizations/{org_code}/users", "read:organization_users"},
    {"POST", "/api/v1/organizations/{org_code}/users", "create:organization_users"},
    {"PATCH", "/api/v1/organizations/{org_code}/users", "update:organization_users"},
    {"GET", "/api/v1/organizations/{org_code}/users/{user_id}/roles", "read:organization_user_roles"},
    {"POST", "/api/v1/organizations/{org_code}/users/{user_id}/roles", "create:organization_user_roles"},
    {"DELETE", "/api/v1/organizations/{org_code}/users/{user_id}/roles/{role_id}", "delete:organization_user_roles"},
    {"GET", "/api/v1/organizations/{org_code}/roles/{role_id}/users", "read:organization_user_roles"},
    {"GET", "/api/v1/organizations/{org_code}/roles/{role_id}/users/count", "read:organization_user_roles"},
    {"GET", "/api/v1/organizations/{org_code}/roles/{role_id}/active_users/count", "read:organization_user_roles"},
    {"GET", "/api/v1/organizations/{org_code}/users/{user_id}/permissions", "read:organization_user_permissions"},
    {"POST", "/api/v1/organizations/{org_code}/users/{user_id}/permissions", "create:organization_user_permissions"},
    {"DELETE", "/api/v1/organizations/{org_code}/users/{user_id}/permissions/{permission_id}", "delete:organization_user_permissions"},
    {"DELETE", "/api/v1/organizations/{org_code}/users/{user_id}", "delete:organization_users"},
    {"POST", "/api/v1/organizations/{org_code}/users/{user_id}/apis/{api_id}/scopes/{scope_id}", "create:organization_user_api_scopes"},
    {"DELETE", "/api/v1/organizations/{org_code}/users/{user_id}/apis/{api_id}/scopes/{scope_id}", "delete:organization_user_api_scopes"},
    {"GET", "/api/v1/organizations/{org_code}/users/{user_id}/mfa", "read:organization_user_mfa"},
    {"DELETE", "/api/v1/organizations/{org_code}/users/{user_id}/mfa", "delete:organization_user_mfa"},
    {"DELETE", "/api/v1/organizations/{org_code}/users/{user_id}/mfa/{factor_id}", "delete:organization_user_mfa"},
    {"GET", "/api/v1/organizations/{org_code}/feature_flags", "read:organization_feature_flags"},
    {"DELETE", "/api/v1/organizations/{org_code}/feature_flags", "delete:organization_feature_flags"},
    {"DELETE", "/api/v1/organizations/{org_code}/feature_flags/{feature_flag_key}", "delete:organization_feature_flags"},
    {"PATCH", "/api/v1/organizations/{org_code}/feature_flags/{feature_flag_key}", "update:organization_feature_flags"},
    {"PUT", "/api/v1/organizations/{org_code}/properties/{property_key}", "update:organization_properties"},
    {"GET", "/api/v1/organizations/{org_code}/properties", "read:organization_properties"},
    {"PATCH", "/api/v1/organizations/{org_code}/properties", "update:organization_properties"},
    {"PUT", "/api/v1/organizations/{org_code}/mfa", "update:organization_mfa"},
    {"GET", "/api/v1/organizations/{org_code}/passkey", "read:organization_passkey"},
    {"PUT", "/api/v1/organizations/{org_code}/passkey", "update:organization_passkey"},
    {"DELETE", "/api/v1/organization/{org_code}/handle", "delete:organization_handles"},
    {"GET", "/api/v1/organizations/{org_code}/logos", "read:organizations"},
    {"POST", "/api/v1/organizations/{org_code}/logos/{type}", "update:organizations"},
    {"DELETE", "/api/v1/organizations/{org_code}/logos/{type}", "update:organizations"},
    {"GET", "/api/v1/organizations/{organization_code}/connections", "read:organization_connections"},
    {"POST", "/api/v1/organizations/{organization_code}/connections/{connection_id}", "create:organization_connections"},
    {"DELETE", "/api/v1/organizations/{organization_code}/connections/{connection_id}", "delete:organization_connections"},
    {"PATCH", "/api/v1/organizations/{org_code}/sessions", "update:organizations"},
    {"GET", "/api/v1/permissions", "read:permissions"},
    {"POST", "/api/v1/permissions", "create:permissions"},
    {"PATCH", "/api/v1/permissions/{permission_id}", "update:permissions"},
    {"DELETE", "/api/v1/permissions/{permission_id}", "delete:permissions"},
    {"GET", "/api/v1/properties", "read:properties"},
    {"POST", "/api/v1/properties", "create:properties"},
    {"PUT", "/api/v1/properties/{property_id}", "update:properties"},
    {"DELETE", "/api/v1/properties/{property_id}", "delete:properties"},
    {"GET", "/api/v1/property_categories", "read:property_categories"},
    {"POST", "/api/v1/property_categories", "create:property_categories"},
    {"PUT", "/api/v1/property_categories/{category_id}", "update:property_categories"},
    {"GET", "/api/v1/roles", "read:roles"},
    {"POST", "/api/v1/roles", "create:roles"},
    {"GET", "/api/v1/roles/{role_id}", "read:roles"},
    {"PATCH", "/api/v1/roles/{role_id}", "update:roles"},
    {"DELETE", "/api/v1/roles/{role_id}", "delete:roles"},
    {"GET", "/api/v1/roles/{role_id}/scopes", "read:role_scopes"},
    {"POST", "/api/v1/roles/{role_id}/scopes", "create:role_scopes"},
    {"DELETE", "/api/v1/roles/{role_id}/scopes/{scope_id}", "delete:role_scopes"},
    {"GET", "/api/v1/roles/{role_id}/permissions", "read:role_permissions"},
    {"PATCH", "/api/v1/roles/{role_id}/permissions", "update:role_permissions"},
    {"GET", "/api/v1/roles/{role_id}/users", "read:organization_user_roles"},
    {"DELETE", "/api/v1/roles/{role_id}/permissions/{permission_id}", "delete:role_permissions"},
    {"GET", "/api/v1/users", "read:users"},
    {"GET", "/api/v1/user", "read:users"},
    {"POST", "/api/v1/user", "create:users"},
    {"PATCH", "/api/v1/user", "update:users"},
    {"DELETE", "/api/v1/user", "delete:users"},
};

// §5 rows the contract (§3.13.6) answers 404 ROUTE_NOT_FOUND: orgd has no applications resource.
constexpr Operation kKindeUnserved[] = {
    {"PATCH", "/api/v1/apis/{api_id}/applications", "update:apis"},
    {"POST", "/api/v1/apis/{api_id}/applications/{application_id}/scopes/{scope_id}", "create:api_application_scopes"},
    {"DELETE", "/api/v1/apis/{api_id}/applications/{application_id}/scopes/{scope_id}", "delete:apis_application_scopes"},
};

std::string NameOf(http::Method method) { return std::string(http::MethodName(method)); }

// A concrete path for a pattern: every {param} becomes a value that names nothing.
std::string Concrete(const std::string& pattern) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{') {
      i = pattern.find('}', i);
      out += "nothing_here";
    } else {
      out += pattern[i];
    }
  }
  return out;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

class RouteScopesTest : public ::testing::Test {
 protected:
  TestServer server_{"sqlite_memory"};

  std::map<std::pair<std::string, std::string>, api::RouteInfo> Registered(api::Dialect dialect) {
    std::map<std::pair<std::string, std::string>, api::RouteInfo> out;
    for (const auto& route : server_.routes()) {
      if (route.dialect == dialect) out.emplace(std::make_pair(NameOf(route.method), route.pattern), route);
    }
    return out;
  }
};

TEST_F(RouteScopesTest, EveryKindeOperationIsServedWithItsContractScope) {
  auto registered = Registered(api::Dialect::kKinde);
  for (const Operation& op : kKindeOperations) {
    auto it = registered.find({op.method, op.path});
    if (it == registered.end()) {
      ADD_FAILURE() << "not served: " << op.method << " " << op.path;
      continue;
    }
    EXPECT_EQ(it->second.scope, op.scope) << op.method << " " << op.path;
  }
}

TEST_F(RouteScopesTest, NoKindeRouteOutsideTheContract) {
  std::set<std::pair<std::string, std::string>> documented;
  for (const Operation& op : kKindeOperations) documented.emplace(op.method, op.path);
  for (const auto& [key, route] : Registered(api::Dialect::kKinde)) {
    EXPECT_TRUE(documented.count(key)) << "served but not in kinde.md §5: " << key.first << " "
                                       << key.second;
  }
}

TEST_F(RouteScopesTest, ApplicationSubRoutesOfApisAreNotServed) {
  for (const Operation& op : kKindeUnserved) {
    auto res = server_.Kinde(op.method, Concrete(op.path), "{}");
    EXPECT_EQ(res.status, 404) << op.method << " " << op.path;
    EXPECT_EQ(res.json, Json::parse(R"({"errors":{"code":"ROUTE_NOT_FOUND","message":"The requested API route does not exist"}})"))
        << res.body;
  }
}

TEST_F(RouteScopesTest, KindeRoutesRefuseAMissingTokenAndAMissingScope) {
  // Every scope the contract names; the token for an operation holds all of them but its own.
  std::set<std::string> all_scopes;
  for (const Operation& op : kKindeOperations) all_scopes.insert(op.scope);
  std::map<std::string, std::string> token_without;  // scope -> token lacking it
  for (const Operation& op : kKindeOperations) {
    const std::string target = Concrete(op.path);
    auto anonymous = server_.Send(op.method, target, "{}");
    EXPECT_EQ(anonymous.status, 401) << op.method << " " << op.path;
    EXPECT_EQ(anonymous.json, Json::parse(R"({"errors":[{"code":"UNAUTHORIZED","message":"Invalid or missing access token"}]})"))
        << op.method << " " << op.path << ": " << anonymous.body;

    auto& token = token_without[op.scope];
    if (token.empty()) {
      std::vector<std::string> others;
      for (const auto& s : all_scopes) {
        if (s != op.scope) others.push_back(s);
      }
      token = server_.KindeToken(Join(others));
    }
    auto refused = server_.client().Send(op.method, target, "{}", {{"Authorization", "Bearer " + token}});
    EXPECT_EQ(refused.status, 403) << op.method << " " << op.path;
    EXPECT_EQ(refused.json, (Json{{"errors", Json::array({{{"code", "FORBIDDEN"},
                                                            {"message", std::string("Missing required scope: ") + op.scope}}})}}))
        << op.method << " " << op.path << ": " << refused.body;
  }
}

TEST_F(RouteScopesTest, EveryLogtoRouteRequiresAllAndRefusesATokenWithoutIt) {
  auto registered = Registered(api::Dialect::kLogto);
  ASSERT_FALSE(registered.empty());
  // A Logto token without `all`: the admin asks for no scope.
  auto res = server_.Send("POST", "/oidc/token",
                          std::string("grant_type=client_credentials&client_id=") + kAdminId +
                              "&client_secret=" + kAdminSecret +
                              "&resource=https%3A%2F%2Fdefault.logto.app%2Fapi",
                          {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(res.status, 200) << res.body;
  const std::string scopeless = res.json["access_token"];
  for (const auto& [key, route] : registered) {
    EXPECT_EQ(route.scope, "all") << key.first << " " << key.second;
    const std::string target = Concrete(route.pattern);
    auto anonymous = server_.Send(key.first, target, "{}");
    EXPECT_EQ(anonymous.status, 401) << key.first << " " << key.second;
    EXPECT_EQ(anonymous.json["code"], "auth.authorization_header_missing") << anonymous.body;
    auto refused = server_.client().Send(key.first, target, "{}", {{"Authorization", "Bearer " + scopeless}});
    EXPECT_EQ(refused.status, 403) << key.first << " " << key.second;
    EXPECT_EQ(refused.json["code"], "auth.forbidden") << refused.body;
  }
}

}  // namespace
}  // namespace orgd::testing
