// The Kinde dialect's organization routes (contracts/kinde.md §3.1, §2.1), end to end.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "tests/support/test_server.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;

class KindeOrganizationsTest : public ::testing::TestWithParam<std::string> {
 protected:
  TestServer server_{GetParam()};

  std::string CreateOrg(const Json& body) {
    auto res = server_.Kinde("POST", "/api/v1/organization", body.dump());
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json["organization"]["code"];
  }
  Json GetOrg(const std::string& code) {
    auto res = server_.Kinde("GET", "/api/v1/organization?code=" + code);
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json;
  }
  void ExpectError(const HttpResponse& res, int status, const std::string& code) {
    EXPECT_EQ(res.status, status) << res.body;
    ASSERT_TRUE(res.json.contains("errors")) << res.body;
    if (status == 404) {
      EXPECT_EQ(res.json["errors"]["code"], code) << res.body;
    } else {
      ASSERT_TRUE(res.json["errors"].is_array()) << res.body;
      EXPECT_EQ(res.json["errors"][0]["code"], code) << res.body;
    }
  }
};

TEST_P(KindeOrganizationsTest, CreateAnswers200WithCode) {
  auto res = server_.Kinde("POST", "/api/v1/organization", R"({"name":"Acme"})");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json["code"], "OK");
  EXPECT_EQ(res.json["message"], "Success");
  std::string code = res.json["organization"]["code"];
  ASSERT_EQ(code.size(), 15u);
  EXPECT_EQ(code.substr(0, 4), "org_");
  EXPECT_EQ(code.find_first_not_of("0123456789abcdef", 4), std::string::npos);
  EXPECT_EQ(res.json["organization"].size(), 1u);
}

TEST_P(KindeOrganizationsTest, GetReturnsTheUnwrappedObjectWithDefaults) {
  std::string code = CreateOrg({{"name", "Acme"}});
  Json org = GetOrg(code);
  EXPECT_EQ(org["code"], code);
  EXPECT_EQ(org["name"], "Acme");
  EXPECT_FALSE(org.contains("message"));
  for (const char* key : {"handle", "external_id", "logo", "logo_dark", "favicon_svg", "favicon_fallback",
                          "link_color", "background_color", "button_color", "button_text_color",
                          "link_color_dark", "background_color_dark", "button_text_color_dark",
                          "button_color_dark", "button_border_radius", "card_border_radius",
                          "input_border_radius", "sender_name", "sender_email", "suspended_on"}) {
    ASSERT_TRUE(org.contains(key)) << key;
    EXPECT_EQ(org[key], nullptr) << key;
  }
  EXPECT_EQ(org["is_default"], false);
  EXPECT_EQ(org["is_auto_membership_enabled"], false);
  EXPECT_EQ(org["is_allow_registrations"], false);
  EXPECT_EQ(org["allowed_domains"], Json::array());
  EXPECT_EQ(org["theme_code"], "light");
  EXPECT_EQ(org["color_scheme"], "light");
  EXPECT_EQ(org["is_suspended"], false);
  std::string created = org["created_on"];
  EXPECT_EQ(created.size(), 32u) << created;
  EXPECT_EQ(created.substr(26), "+00:00");
  EXPECT_FALSE(org.contains("billing"));
}

TEST_P(KindeOrganizationsTest, CreateStoresEveryField) {
  std::string code = CreateOrg({{"name", "Acme"},
                                {"external_id", "ext-1"},
                                {"background_color", "#fff"},
                                {"button_color", "#FF0000"},
                                {"link_color_dark", "#0000Ff"},
                                {"theme_code", "user_preference"},
                                {"handle", "acme-co"},
                                {"is_allow_registrations", true},
                                {"sender_name", "Acme Team"},
                                {"sender_email", "team@acme.test"},
                                {"billing_email", "ignored@acme.test"}});
  Json org = GetOrg(code);
  EXPECT_EQ(org["external_id"], "ext-1");
  EXPECT_EQ(org["background_color"], (Json{{"raw", "#fff"}, {"hex", "#ffffff"}, {"hsl", "hsl(0, 0%, 100%)"}}));
  EXPECT_EQ(org["button_color"], (Json{{"raw", "#FF0000"}, {"hex", "#FF0000"}, {"hsl", "hsl(0, 100%, 50%)"}}));
  EXPECT_EQ(org["link_color_dark"], (Json{{"raw", "#0000Ff"}, {"hex", "#0000Ff"}, {"hsl", "hsl(240, 100%, 50%)"}}));
  EXPECT_EQ(org["theme_code"], "user_preference");
  EXPECT_EQ(org["color_scheme"], "light dark");
  EXPECT_EQ(org["handle"], "acme-co");
  EXPECT_EQ(org["is_auto_membership_enabled"], true);
  EXPECT_EQ(org["is_allow_registrations"], true);
  EXPECT_EQ(org["sender_name"], "Acme Team");
  EXPECT_EQ(org["sender_email"], "team@acme.test");
}

TEST_P(KindeOrganizationsTest, CreateValidation) {
  ExpectError(server_.Kinde("POST", "/api/v1/organization", R"({})"), 400, "NAME_REQUIRED");
  ExpectError(server_.Kinde("POST", "/api/v1/organization", R"({"name":""})"), 400, "NAME_REQUIRED");
  ExpectError(server_.Kinde("POST", "/api/v1/organization", R"({"name":7})"), 400, "INVALID_NAME");
  ExpectError(server_.Kinde("POST", "/api/v1/organization", Json{{"name", std::string(257, 'x')}}.dump()),
              400, "NAME_TOO_LONG");
  ExpectError(server_.Kinde("POST", "/api/v1/organization", R"({"name":"a","button_color":"red"})"), 400,
              "INVALID_COLOR");
  ExpectError(server_.Kinde("POST", "/api/v1/organization", R"({"name":"a","theme_code":"blue"})"), 400,
              "INVALID_THEME_CODE");
  ExpectError(server_.Kinde("POST", "/api/v1/organization", R"({"name":"a","handle":"Bad Handle"})"), 400,
              "INVALID_HANDLE");
  ExpectError(server_.Kinde("POST", "/api/v1/organization", R"({"name":"a","sender_email":"nope"})"), 400,
              "INVALID_SENDER_EMAIL");
  ExpectError(server_.Kinde("POST", "/api/v1/organization", R"({"name":"a","is_create_billing_customer":true})"),
              400, "BILLING_NOT_SUPPORTED");
  ExpectError(server_.Kinde("POST", "/api/v1/organization", R"({"name":"a","feature_flags":{"x":"str"}})"),
              400, "FEATURE_FLAG_NOT_FOUND");
  ExpectError(server_.Kinde("POST", "/api/v1/organization", R"({"name":)"), 400, "INVALID_REQUEST_BODY");
  ExpectError(server_.Kinde("POST", "/api/v1/organization", R"([1])"), 400, "INVALID_REQUEST_BODY");
  auto res = server_.Kinde("GET", "/api/v1/organizations");
  EXPECT_EQ(res.json["organizations"].size(), 0u);
}

TEST_P(KindeOrganizationsTest, HandleAndExternalIdAreUnique) {
  CreateOrg({{"name", "a"}, {"handle", "acme"}, {"external_id", "e1"}});
  ExpectError(server_.Kinde("POST", "/api/v1/organization", R"({"name":"b","handle":"acme"})"), 400,
              "HANDLE_EXISTS");
  ExpectError(server_.Kinde("POST", "/api/v1/organization", R"({"name":"b","external_id":"e1"})"), 400,
              "EXTERNAL_ID_EXISTS");
  std::string other = CreateOrg({{"name", "c"}});
  ExpectError(server_.Kinde("PATCH", "/api/v1/organization/" + other, R"({"handle":"acme"})"), 400,
              "HANDLE_EXISTS");
}

TEST_P(KindeOrganizationsTest, GetErrors) {
  ExpectError(server_.Kinde("GET", "/api/v1/organization"), 400, "ORGANIZATION_REQUIRED");
  auto res = server_.Kinde("GET", "/api/v1/organization?code=org_000000000ff");
  ExpectError(res, 400, "ORGANIZATION_NOT_FOUND");
  EXPECT_EQ(res.json["errors"][0]["message"], "Organization not found");
}

TEST_P(KindeOrganizationsTest, PatchUpdatesAndAnswersSuccess) {
  std::string code = CreateOrg({{"name", "Acme"}, {"button_color", "#000"}, {"external_id", "x"}});
  auto res = server_.Kinde("PATCH", "/api/v1/organization/" + code,
                           R"({"name":"Acme 2","button_color":"","external_id":"","theme_code":"dark",
                               "allowed_domains":["Acme.com","acme.com","b.org"],"is_enforce_mfa":true,
                               "is_suspended":true,"sender_email":null})");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json, (Json{{"code", "OK"}, {"message", "Success"}}));
  Json org = GetOrg(code);
  EXPECT_EQ(org["name"], "Acme 2");
  EXPECT_EQ(org["button_color"], nullptr);
  EXPECT_EQ(org["external_id"], nullptr);
  EXPECT_EQ(org["theme_code"], "dark");
  EXPECT_EQ(org["color_scheme"], "dark");
  EXPECT_EQ(org["allowed_domains"], (Json{"acme.com", "b.org"}));
  EXPECT_EQ(org["is_suspended"], true);
  EXPECT_TRUE(org["suspended_on"].is_string());
  res = server_.Kinde("PATCH", "/api/v1/organization/" + code, R"({"is_suspended":false})");
  ASSERT_EQ(res.status, 200);
  EXPECT_EQ(GetOrg(code)["suspended_on"], nullptr);
  // isMfaRequired is the same policy in the Logto dialect.
  EXPECT_EQ(server_.Logto("GET", "/api/organizations/" + code).json["isMfaRequired"], true);
}

TEST_P(KindeOrganizationsTest, PatchErrors) {
  std::string code = CreateOrg({{"name", "Acme"}});
  ExpectError(server_.Kinde("PATCH", "/api/v1/organization/" + code, R"({})"), 400, "NO_FIELDS_TO_UPDATE");
  ExpectError(server_.Kinde("PATCH", "/api/v1/organization/" + code, R"({"feature_flags":{}})"), 400,
              "NO_FIELDS_TO_UPDATE");
  ExpectError(server_.Kinde("PATCH", "/api/v1/organization/org_nope", R"({"name":"x"})"), 400,
              "ORGANIZATION_NOT_FOUND");
  ExpectError(server_.Kinde("PATCH", "/api/v1/organization/" + code, R"({"allowed_domains":["a@b.com"]})"),
              400, "INVALID_ALLOWED_DOMAINS");
  ExpectError(server_.Kinde("PATCH", "/api/v1/organization/" + code, R"({"is_suspended":"yes"})"), 400,
              "INVALID_IS_SUSPENDED");
  EXPECT_EQ(GetOrg(code)["name"], "Acme");
}

TEST_P(KindeOrganizationsTest, DeleteAndDeleteHandle) {
  std::string code = CreateOrg({{"name", "Acme"}, {"handle", "acme"}});
  auto res = server_.Kinde("DELETE", "/api/v1/organization/" + code + "/handle");
  ASSERT_EQ(res.status, 200);
  EXPECT_EQ(GetOrg(code)["handle"], nullptr);
  EXPECT_EQ(server_.Kinde("DELETE", "/api/v1/organization/" + code + "/handle").status, 200);
  ExpectError(server_.Kinde("DELETE", "/api/v1/organization/org_nope/handle"), 400, "ORGANIZATION_NOT_FOUND");
  res = server_.Kinde("DELETE", "/api/v1/organization/" + code);
  ASSERT_EQ(res.status, 200);
  EXPECT_EQ(res.json, (Json{{"code", "OK"}, {"message", "Success"}}));
  res = server_.Kinde("DELETE", "/api/v1/organization/" + code);
  ExpectError(res, 404, "ORGANIZATION_NOT_FOUND");
  EXPECT_TRUE(res.json["errors"].is_object());
}

TEST_P(KindeOrganizationsTest, ListFollowsNextTokenUnderConcurrentChanges) {
  // Creation order is (created_at, code): organizations created in the same millisecond are
  // ordered by code, so the expected order is computed from what the server reports.
  std::map<std::string, std::string> created_on;
  for (int i = 0; i < 23; ++i) {
    std::string code = CreateOrg({{"name", "org " + std::to_string(i)}});
    created_on[code] = GetOrg(code)["created_on"];
  }
  std::set<std::string> seen;
  std::vector<std::string> order;
  std::string deleted_unseen;
  std::string token;
  int pages = 0;
  while (true) {
    std::string target = "/api/v1/organizations?page_size=5";
    if (!token.empty()) target += "&next_token=" + token;
    auto res = server_.Kinde("GET", target);
    ASSERT_EQ(res.status, 200) << res.body;
    ++pages;
    for (const auto& item : res.json["organizations"]) {
      EXPECT_TRUE(seen.insert(item["code"]).second) << "seen twice: " << item["code"];
      order.push_back(item["code"]);
    }
    if (pages == 2) {
      // Delete one organization already seen and one not seen yet; add one at the end.
      server_.Kinde("DELETE", "/api/v1/organization/" + order.front());
      for (const auto& [code, when] : created_on) {
        if (!seen.count(code)) {
          deleted_unseen = code;
          break;
        }
      }
      server_.Kinde("DELETE", "/api/v1/organization/" + deleted_unseen);
      std::string late = CreateOrg({{"name", "late"}});
      created_on[late] = GetOrg(late)["created_on"];
    }
    if (res.json["next_token"].is_null()) break;
    token = res.json["next_token"];
    ASSERT_LT(pages, 10);
  }
  std::vector<std::pair<std::string, std::string>> keyed;
  for (const auto& [code, when] : created_on) {
    if (code != deleted_unseen) keyed.emplace_back(when, code);
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::string> expected;
  for (auto& [when, code] : keyed) expected.push_back(code);
  EXPECT_EQ(order, expected);
  EXPECT_EQ(pages, 5);
}

TEST_P(KindeOrganizationsTest, ListDefaultsAndSorts) {
  CreateOrg({{"name", "bravo"}});
  CreateOrg({{"name", "Alpha"}});
  CreateOrg({{"name", "charlie"}, {"handle", "ch"}});
  auto res = server_.Kinde("GET", "/api/v1/organizations");
  ASSERT_EQ(res.status, 200);
  EXPECT_EQ(res.json["code"], "OK");
  EXPECT_EQ(res.json["next_token"], nullptr);
  ASSERT_EQ(res.json["organizations"].size(), 3u);
  Json item;
  for (const auto& o : res.json["organizations"]) {
    if (o["name"] == "charlie") item = o;
  }
  EXPECT_EQ(item.size(), 6u);
  EXPECT_EQ(item["handle"], "ch");
  EXPECT_EQ(item["is_default"], false);
  auto names = [](const Json& list) {
    std::vector<std::string> out;
    for (const auto& o : list["organizations"]) out.push_back(o["name"]);
    return out;
  };
  EXPECT_EQ(names(server_.Kinde("GET", "/api/v1/organizations?sort=name_asc").json),
            (std::vector<std::string>{"Alpha", "bravo", "charlie"}));
  EXPECT_EQ(names(server_.Kinde("GET", "/api/v1/organizations?sort=name_desc").json),
            (std::vector<std::string>{"charlie", "bravo", "Alpha"}));
  EXPECT_EQ(names(server_.Kinde("GET", "/api/v1/organizations?sort=email_asc").json),
            (std::vector<std::string>{"Alpha", "bravo", "charlie"}));
  auto page = server_.Kinde("GET", "/api/v1/organizations?sort=name_desc&page_size=2");
  EXPECT_EQ(names(page.json), (std::vector<std::string>{"charlie", "bravo"}));
  std::string token = page.json["next_token"];
  EXPECT_EQ(names(server_.Kinde("GET", "/api/v1/organizations?sort=name_desc&page_size=2&next_token=" + token).json),
            (std::vector<std::string>{"Alpha"}));
  ExpectError(server_.Kinde("GET", "/api/v1/organizations?sort=name_asc&next_token=" + token), 400,
              "INVALID_NEXT_TOKEN");
}

TEST_P(KindeOrganizationsTest, ListErrors) {
  ExpectError(server_.Kinde("GET", "/api/v1/organizations?sort=size"), 400, "INVALID_SORT");
  ExpectError(server_.Kinde("GET", "/api/v1/organizations?page_size=0"), 400, "INVALID_PAGE_SIZE");
  ExpectError(server_.Kinde("GET", "/api/v1/organizations?page_size=ten"), 400, "INVALID_PAGE_SIZE");
  ExpectError(server_.Kinde("GET", "/api/v1/organizations?page_size=501"), 400, "PAGE_SIZE_LIMIT_EXCEEDED");
  ExpectError(server_.Kinde("GET", "/api/v1/organizations?next_token=garbage!"), 400, "INVALID_NEXT_TOKEN");
  ExpectError(server_.Kinde("GET", "/api/v1/organizations?next_token=eyJ4IjoxfQ"), 400, "INVALID_NEXT_TOKEN");
  EXPECT_EQ(server_.Kinde("GET", "/api/v1/organizations?page_size=500").status, 200);
}

TEST_P(KindeOrganizationsTest, UnknownRoutesAndMethodsAreRouteNotFound) {
  for (auto [method, path] : {std::pair{"GET", "/api/v1/nothing"}, std::pair{"PUT", "/api/v1/organization"},
                              std::pair{"GET", "/api/v1/organization/org_x"}}) {
    auto res = server_.Kinde(method, path);
    EXPECT_EQ(res.status, 404) << path;
    EXPECT_EQ(res.json, (Json{{"errors", {{"code", "ROUTE_NOT_FOUND"},
                                          {"message", "The requested API route does not exist"}}}}));
  }
  auto res = server_.Send("GET", "/api/v1/nothing");  // routes are matched before authentication
  EXPECT_EQ(res.status, 404);
}

INSTANTIATE_TEST_SUITE_P(Backends, KindeOrganizationsTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);

}  // namespace
}  // namespace orgd::testing
