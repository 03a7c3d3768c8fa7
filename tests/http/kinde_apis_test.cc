// The Kinde dialect's APIs and API scopes (contracts/kinde.md §3.13.6, shapes §2.2, scopes §5).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/http/ticking_clock.h"
#include "tests/support/test_server.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;
using V = std::vector<std::string>;

bool IsHex(const std::string& s) {
  return s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

const Json kSuccess = {{"code", "OK"}, {"message", "Success"}};

class KindeApisTest : public ::testing::TestWithParam<std::string> {
 protected:
  TickingClock clock_;
  TestServer server_{GetParam(), {.clock = &clock_}};

  std::string CreateApi(const std::string& name, const std::string& audience) {
    auto res =
        server_.Kinde("POST", "/api/v1/apis", Json{{"name", name}, {"audience", audience}}.dump());
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json["api"]["id"];
  }
  std::string CreateScope(const std::string& api, const std::string& key,
                          const Json& description = nullptr) {
    Json body = {{"key", key}};
    if (!description.is_null()) body["description"] = description;
    auto res = server_.Kinde("POST", "/api/v1/apis/" + api + "/scopes", body.dump());
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json["scope"]["id"];
  }
  static void ExpectError(const HttpResponse& res, const std::string& code) {
    EXPECT_EQ(res.status, 400) << res.body;
    ASSERT_TRUE(res.json["errors"].is_array()) << res.body;
    EXPECT_EQ(res.json["errors"][0]["code"], code) << res.body;
  }
};

TEST_P(KindeApisTest, CreateAnswers200WithTheId) {
  auto res = server_.Kinde("POST", "/api/v1/apis",
                           R"({"name":"Orders","audience":"https://orders.example"})");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.reason, "OK");
  const std::string id = res.json["api"]["id"];
  EXPECT_EQ(id.size(), 32u);
  EXPECT_TRUE(IsHex(id)) << id;
  EXPECT_EQ(res.json, (Json{{"code", "OK"}, {"message", "Success"}, {"api", {{"id", id}}}}));

  auto got = server_.Kinde("GET", "/api/v1/apis/" + id);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json, (Json{{"code", "OK"},
                            {"message", "Success"},
                            {"api",
                             {{"id", id},
                              {"name", "Orders"},
                              {"audience", "https://orders.example"},
                              {"is_management_api", false},
                              {"scopes", Json::array()},
                              {"applications", Json::array()}}}}));
}

TEST_P(KindeApisTest, CreateErrors) {
  ExpectError(server_.Kinde("POST", "/api/v1/apis", R"({"audience":"a"})"), "NAME_REQUIRED");
  ExpectError(server_.Kinde("POST", "/api/v1/apis", R"({"name":"","audience":"a"})"),
              "NAME_REQUIRED");
  ExpectError(server_.Kinde("POST", "/api/v1/apis", R"({"name":"a"})"), "AUDIENCE_REQUIRED");
  ExpectError(server_.Kinde("POST", "/api/v1/apis", R"({"name":5,"audience":"a"})"),
              "INVALID_NAME");
  ExpectError(server_.Kinde("POST", "/api/v1/apis",
                            Json{{"name", std::string(65, 'n')}, {"audience", "a"}}.dump()),
              "NAME_TOO_LONG");
  ExpectError(server_.Kinde("POST", "/api/v1/apis",
                            Json{{"name", "a"}, {"audience", std::string(65, 'a')}}.dump()),
              "AUDIENCE_TOO_LONG");
  ExpectError(server_.Kinde("POST", "/api/v1/apis", R"({"name":)"), "INVALID_REQUEST_BODY");
  ExpectError(server_.Kinde("POST", "/api/v1/apis", "[]"), "INVALID_REQUEST_BODY");
  CreateApi(std::string(64, 'n'), "https://a.example");
  auto dup =
      server_.Kinde("POST", "/api/v1/apis", R"({"name":"b","audience":"https://a.example"})");
  ExpectError(dup, "API_AUDIENCE_EXISTS");
  EXPECT_EQ(dup.json["errors"][0]["field"], "audience");
  auto list = server_.Kinde("GET", "/api/v1/apis");
  EXPECT_EQ(list.json["apis"].size(), 1u);
}

TEST_P(KindeApisTest, ListIsSortedByNameWithScopesOnExpand) {
  const std::string zeta = CreateApi("zeta", "urn:z");
  const std::string alpha = CreateApi("Alpha", "urn:a");
  const std::string beta = CreateApi("beta", "urn:b");
  const std::string s1 = CreateScope(beta, "read");
  const std::string s2 = CreateScope(beta, "write");
  auto plain = server_.Kinde("GET", "/api/v1/apis");
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_EQ(plain.json["code"], "OK");
  EXPECT_EQ(plain.json["message"], "Success");
  EXPECT_TRUE(plain.json["next_token"].is_null());
  ASSERT_EQ(plain.json["apis"].size(), 3u);
  EXPECT_EQ(
      plain.json["apis"][0],
      (Json{
          {"id", alpha}, {"name", "Alpha"}, {"audience", "urn:a"}, {"is_management_api", false}}));
  EXPECT_EQ(plain.json["apis"][1]["id"], beta);
  EXPECT_EQ(plain.json["apis"][2]["id"], zeta);
  auto expanded = server_.Kinde("GET", "/api/v1/apis?expand=scopes");
  EXPECT_EQ(expanded.json["apis"][1]["scopes"],
            Json::array({{{"id", s1}, {"key", "read"}}, {{"id", s2}, {"key", "write"}}}));
  EXPECT_EQ(expanded.json["apis"][0]["scopes"], Json::array());
}

TEST_P(KindeApisTest, UnknownApiIsApiNotFound) {
  for (const auto& [method, target] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/api/v1/apis/nope"},
                                                        {"DELETE", "/api/v1/apis/nope"},
                                                        {"GET", "/api/v1/apis/nope/scopes"},
                                                        {"GET", "/api/v1/apis/nope/scopes/x"},
                                                        {"DELETE", "/api/v1/apis/nope/scopes/x"}}) {
    auto res = server_.Kinde(method, target);
    ExpectError(res, "API_NOT_FOUND");
    EXPECT_EQ(res.json["errors"][0]["message"], "API not found") << target;
  }
  ExpectError(server_.Kinde("POST", "/api/v1/apis/nope/scopes", R"({"key":"x"})"), "API_NOT_FOUND");
  ExpectError(server_.Kinde("PATCH", "/api/v1/apis/nope/scopes/x", R"({"description":"d"})"),
              "API_NOT_FOUND");
}

TEST_P(KindeApisTest, DeleteAnswersApiDeleted) {
  const std::string id = CreateApi("Orders", "urn:o");
  CreateScope(id, "read");
  auto res = server_.Kinde("DELETE", "/api/v1/apis/" + id);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json, (Json{{"code", "API_DELETED"}, {"message", "API successfully deleted"}}));
  ExpectError(server_.Kinde("GET", "/api/v1/apis/" + id), "API_NOT_FOUND");
  ExpectError(server_.Kinde("DELETE", "/api/v1/apis/" + id), "API_NOT_FOUND");
  EXPECT_TRUE(server_.Kinde("GET", "/api/v1/apis").json["apis"].empty());
}

TEST_P(KindeApisTest, ScopesCreateListGetPatchDelete) {
  const std::string api = CreateApi("Orders", "urn:o");
  auto created = server_.Kinde("POST", "/api/v1/apis/" + api + "/scopes",
                               R"({"key":"read:orders","description":"Read orders"})");
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id = created.json["scope"]["id"];
  EXPECT_TRUE(id.starts_with("api_scope_")) << id;
  EXPECT_EQ(id.size(), 42u);
  EXPECT_TRUE(IsHex(id.substr(10))) << id;
  EXPECT_EQ(created.json, (Json{{"code", "OK"}, {"message", "Success"}, {"scope", {{"id", id}}}}));
  const std::string bare = CreateScope(api, "write:orders");

  auto list = server_.Kinde("GET", "/api/v1/apis/" + api + "/scopes");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json,
            (Json{{"code", "OK"},
                  {"message", "Success"},
                  {"scopes",
                   {{{"id", id}, {"key", "read:orders"}, {"description", "Read orders"}},
                    {{"id", bare}, {"key", "write:orders"}, {"description", nullptr}}}}}));

  const std::string one = "/api/v1/apis/" + api + "/scopes/" + id;
  auto got = server_.Kinde("GET", one);
  EXPECT_EQ(
      got.json,
      (Json{{"code", "OK"},
            {"message", "Success"},
            {"scope", {{"id", id}, {"key", "read:orders"}, {"description", "Read orders"}}}}));

  auto patched = server_.Kinde("PATCH", one, R"({"description":"Read all orders"})");
  EXPECT_EQ(patched.status, 200);
  EXPECT_EQ(patched.json, kSuccess);
  EXPECT_EQ(server_.Kinde("GET", one).json["scope"]["description"], "Read all orders");
  ExpectError(server_.Kinde("PATCH", one, "{}"), "NO_FIELDS_TO_UPDATE");
  ExpectError(server_.Kinde("PATCH", one, R"({"key":"x"})"), "NO_FIELDS_TO_UPDATE");
  ExpectError(server_.Kinde("PATCH", one, R"({"description":5})"), "INVALID_DESCRIPTION");

  auto deleted = server_.Kinde("DELETE", one);
  EXPECT_EQ(deleted.status, 200);
  EXPECT_EQ(deleted.json, kSuccess);
  ExpectError(server_.Kinde("GET", one), "SCOPE_NOT_FOUND");
  ExpectError(server_.Kinde("DELETE", one), "SCOPE_NOT_FOUND");
  EXPECT_EQ(server_.Kinde("GET", "/api/v1/apis/" + api + "/scopes").json["scopes"].size(), 1u);
}

TEST_P(KindeApisTest, ScopeErrors) {
  const std::string a = CreateApi("A", "urn:a"), b = CreateApi("B", "urn:b");
  const std::string sa = CreateScope(a, "read");
  const std::string base = "/api/v1/apis/" + a + "/scopes";
  ExpectError(server_.Kinde("POST", base, "{}"), "KEY_REQUIRED");
  ExpectError(server_.Kinde("POST", base, R"({"key":""})"), "KEY_REQUIRED");
  ExpectError(server_.Kinde("POST", base, R"({"key":"read all"})"), "INVALID_KEY");
  ExpectError(server_.Kinde("POST", base, Json{{"key", std::string(65, 'k')}}.dump()),
              "KEY_TOO_LONG");
  auto dup = server_.Kinde("POST", base, R"({"key":"read"})");
  ExpectError(dup, "SCOPE_KEY_EXISTS");
  EXPECT_EQ(dup.json["errors"][0]["field"], "key");
  // The same key on another API is fine; a scope is only reachable through its own API.
  CreateScope(b, "read");
  const std::string other = "/api/v1/apis/" + b + "/scopes/" + sa;
  ExpectError(server_.Kinde("GET", other), "SCOPE_NOT_FOUND");
  ExpectError(server_.Kinde("PATCH", other, R"({"description":"x"})"), "SCOPE_NOT_FOUND");
  ExpectError(server_.Kinde("DELETE", other), "SCOPE_NOT_FOUND");
  EXPECT_EQ(server_.Kinde("GET", base).json["scopes"].size(), 1u);
}

TEST_P(KindeApisTest, ScopeDeleteNeedsTheDeleteApisScopesScope) {
  const std::string api = CreateApi("A", "urn:a");
  const std::string scope = CreateScope(api, "read");
  const std::string target = "/api/v1/apis/" + api + "/scopes/" + scope;
  auto denied = server_.Send("DELETE", target, "",
                             {{"Authorization", "Bearer " + server_.KindeToken("delete:apis")}});
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.json["errors"][0]["code"], "FORBIDDEN");
  EXPECT_EQ(denied.json["errors"][0]["message"], "Missing required scope: delete:apis_scopes");
  auto allowed =
      server_.Send("DELETE", target, "",
                   {{"Authorization", "Bearer " + server_.KindeToken("delete:apis_scopes")}});
  EXPECT_EQ(allowed.status, 200) << allowed.body;
}

TEST_P(KindeApisTest, ApplicationSubRoutesAreNotRoutes) {
  const std::string api = CreateApi("A", "urn:a");
  const std::string scope = CreateScope(api, "read");
  for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"PATCH", "/api/v1/apis/" + api + "/applications"},
           {"POST", "/api/v1/apis/" + api + "/applications/app1/scopes/" + scope},
           {"DELETE", "/api/v1/apis/" + api + "/applications/app1/scopes/" + scope}}) {
    auto res = server_.Kinde(method, target, method == "PATCH" ? R"({"applications":[]})" : "");
    EXPECT_EQ(res.status, 404) << target;
    EXPECT_EQ(res.json, (Json{{"errors",
                               {{"code", "ROUTE_NOT_FOUND"},
                                {"message", "The requested API route does not exist"}}}}))
        << target;
  }
}

TEST_P(KindeApisTest, DeletingAnApiRemovesItsScopesFromRoles) {
  const std::string api = CreateApi("A", "urn:a");
  const std::string read = CreateScope(api, "read"), write = CreateScope(api, "write");
  auto role = server_.Logto("POST", "/api/organization-roles",
                            Json{{"name", "reader"}, {"resourceScopeIds", {read, write}}}.dump());
  ASSERT_EQ(role.status, 201) << role.body;
  const std::string scopes =
      "/api/organization-roles/" + role.json["id"].get<std::string>() + "/resource-scopes";
  EXPECT_EQ(server_.Logto("GET", scopes).json.size(), 2u);
  ASSERT_EQ(server_.Kinde("DELETE", "/api/v1/apis/" + api + "/scopes/" + read).status, 200);
  auto left = server_.Logto("GET", scopes);
  ASSERT_EQ(left.json.size(), 1u);
  EXPECT_EQ(left.json[0]["id"], write);
  ASSERT_EQ(server_.Kinde("DELETE", "/api/v1/apis/" + api).status, 200);
  EXPECT_TRUE(server_.Logto("GET", scopes).json.empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, KindeApisTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);

}  // namespace
}  // namespace orgd::testing
