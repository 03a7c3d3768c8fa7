// Seeding helpers of the membership suites (http_members_test): users, roles, permissions,
// organizations and API scopes created through the dialects' own HTTP routes.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/support/test_server.h"

namespace orgd::testing {

// `ids` in ascending order: the tie-break of lists whose rows were written in the same
// millisecond.
inline std::vector<std::string> Sorted(std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

class MembersFixture : public ::testing::TestWithParam<std::string> {
 protected:
  using Json = nlohmann::json;

  TestServer server_{GetParam()};

  std::string LogtoOrg(const std::string& name = "Acme") {
    auto res = server_.Logto("POST", "/api/organizations", Json{{"name", name}}.dump());
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json.value("id", "");
  }
  std::string KindeOrg(const std::string& name = "Kinde Co") {
    auto res = server_.Kinde("POST", "/api/v1/organization", Json{{"name", name}}.dump());
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json["organization"].value("code", "");
  }
  // A Logto user; `fields` are CreateUser body fields ({"username": ...} and so on).
  std::string LogtoUser(const Json& fields) {
    auto res = server_.Logto("POST", "/api/users", fields.dump());
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json.value("id", "");
  }
  std::string LogtoUserNamed(const std::string& username) {
    return LogtoUser(Json{{"username", username}});
  }
  // A Kinde user with a first/last name and an email (either may be empty: not set).
  std::string KindeUser(const std::string& first, const std::string& last,
                        const std::string& email) {
    Json body = Json::object();
    Json profile = Json::object();
    if (!first.empty()) profile["given_name"] = first;
    if (!last.empty()) profile["family_name"] = last;
    body["profile"] = profile;
    if (!email.empty()) {
      body["identities"] = Json::array({{{"type", "email"}, {"details", {{"email", email}}}}});
    }
    auto res = server_.Kinde("POST", "/api/v1/user", body.dump());
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json.value("id", "");
  }
  std::string LogtoScope(const std::string& name) {
    auto res = server_.Logto("POST", "/api/organization-scopes", Json{{"name", name}}.dump());
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json.value("id", "");
  }
  std::string LogtoRole(const std::string& name, const std::vector<std::string>& scope_ids = {},
                        const std::string& type = "User") {
    Json body = {{"name", name}, {"type", type}, {"organizationScopeIds", scope_ids}};
    auto res = server_.Logto("POST", "/api/organization-roles", body.dump());
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json.value("id", "");
  }
  std::string KindeRole(const std::string& key, bool is_default = false) {
    Json body = {{"key", key}, {"name", "Role " + key}, {"is_default_role", is_default}};
    auto res = server_.Kinde("POST", "/api/v1/roles", body.dump());
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json["role"].value("id", "");
  }
  std::string KindePermission(const std::string& key) {
    Json body = {{"key", key}, {"name", "Permission " + key}};
    auto res = server_.Kinde("POST", "/api/v1/permissions", body.dump());
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json["permission"].value("id", "");
  }
  void KindeRolePermissions(const std::string& role, const std::vector<std::string>& ids) {
    Json items = Json::array();
    for (const std::string& id : ids) items.push_back({{"id", id}});
    auto res = server_.Kinde("PATCH", "/api/v1/roles/" + role + "/permissions",
                             Json{{"permissions", items}}.dump());
    EXPECT_EQ(res.status, 200) << res.body;
  }
  std::string KindeApi(const std::string& name) {
    Json body = {{"name", name}, {"audience", "https://" + name + ".example.com"}};
    auto res = server_.Kinde("POST", "/api/v1/apis", body.dump());
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json["api"].value("id", "");
  }
  std::string KindeApiScope(const std::string& api, const std::string& key) {
    auto res = server_.Kinde("POST", "/api/v1/apis/" + api + "/scopes", Json{{"key", key}}.dump());
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json["scope"].value("id", "");
  }
  // `count` users `prefix` + "00000", "00001", … written through POST /api/orgd/import (fast
  // enough for the thousands a bulk test needs), in id order.
  std::vector<std::string> ImportedUsers(const std::string& prefix, int count) {
    std::vector<std::string> ids;
    std::string body;
    for (int i = 0; i < count; ++i) {
      ids.push_back(prefix + std::to_string(100000 + i).substr(1));
      body += R"({"type":"user","id":")" + ids.back() + "\"}\n";
    }
    auto res = server_.Send("POST", "/api/orgd/import", body,
                            {{"Authorization", "Bearer " + server_.LogtoToken()},
                             {"Content-Type", "application/x-ndjson"}});
    EXPECT_EQ(res.status, 200) << res.body;
    return ids;
  }
};

}  // namespace orgd::testing
