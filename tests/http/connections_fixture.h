#pragma once

// Seeding helpers shared by the connections-area HTTP suites (http_connections_test). Every
// entity is created through the HTTP routes of both dialects, so the suites also cover how the
// areas fit together.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/test_server.h"

namespace orgd::testing {

using Json = nlohmann::json;

class ConnectionsFixture {
 public:
  explicit ConnectionsFixture(TestServer& server) : server_(server) {}

  // Logto organization; returns its id.
  std::string LogtoOrg(const std::string& name = "Acme") {
    auto res = server_.Logto("POST", "/api/organizations", Json{{"name", name}}.dump());
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json.value("id", "");
  }
  // Kinde organization; returns its code.
  std::string KindeOrg(const std::string& name = "Globex") {
    auto res = server_.Kinde("POST", "/api/v1/organization", Json{{"name", name}}.dump());
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json["organization"].value("code", "");
  }
  // Logto user with `email` as primaryEmail (none when empty); returns its id.
  std::string User(const std::string& email) {
    Json body = Json::object();
    if (!email.empty()) body["primaryEmail"] = email;
    auto res = server_.Logto("POST", "/api/users", body.dump());
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json.value("id", "");
  }
  // Logto organization role (`name` is the key); returns its id.
  std::string Role(const std::string& name) {
    auto res = server_.Logto("POST", "/api/organization-roles", Json{{"name", name}}.dump());
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json.value("id", "");
  }
  // Logto SSO connector; returns its id.
  std::string Connector(const std::string& name, const std::string& provider = "OIDC",
                        const std::vector<std::string>& domains = {}) {
    Json body = {{"providerName", provider}, {"connectorName", name}, {"domains", domains}};
    auto res = server_.Logto("POST", "/api/sso-connectors", body.dump());
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json.value("id", "");
  }
  // Kinde connection; returns its id.
  std::string KindeConnection(const std::string& name, const std::string& strategy = "saml:okta",
                              const Json& extra = Json::object()) {
    Json body = {{"name", name}, {"display_name", "Display " + name}, {"strategy", strategy}};
    for (const auto& [k, v] : extra.items()) body[k] = v;
    auto res = server_.Kinde("POST", "/api/v1/connections", body.dump());
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json["connection"].value("id", "");
  }
  // The ids of a JSON array of objects.
  static std::vector<std::string> Ids(const Json& items, const char* key = "id") {
    std::vector<std::string> out;
    for (const Json& item : items) out.push_back(item.value(key, ""));
    return out;
  }
  // The role names (keys) a member holds in a Logto organization; empty when not a member.
  std::vector<std::string> MemberRoles(const std::string& org, const std::string& user) {
    auto res = server_.Logto("GET", "/api/organizations/" + org + "/users?page_size=100");
    EXPECT_EQ(res.status, 200) << res.body;
    for (const Json& m : res.json) {
      if (m.value("id", "") != user) continue;
      std::vector<std::string> names;
      for (const Json& r : m["organizationRoles"]) names.push_back(r.value("name", ""));
      return names;
    }
    return {};
  }
  bool IsMember(const std::string& org, const std::string& user) {
    auto res = server_.Logto("GET", "/api/organizations/" + org + "/users?page_size=100");
    for (const Json& m : res.json) {
      if (m.value("id", "") == user) return true;
    }
    return false;
  }

 private:
  TestServer& server_;
};

}  // namespace orgd::testing
