// The Kinde dialect's /api/v1/user and /api/v1/users routes (contracts/kinde.md §3.13.1, shapes
// §2.2), and the one user record both dialects share, end to end on every backend.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <string>
#include <vector>

#include "tests/http/kinde_calls.h"
#include "tests/support/form_encode.h"
#include "tests/support/test_server.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;
using V = std::vector<std::string>;

bool IsKindeUserId(const std::string& id) {
  if (id.size() != 35 || id.rfind("kp_", 0) != 0) return false;
  for (size_t i = 3; i < id.size(); ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(id[i])) ||
        std::isupper(static_cast<unsigned char>(id[i]))) {
      return false;
    }
  }
  return true;
}

Json EmailIdentity(const std::string& email) {
  return {{"type", "email"}, {"is_verified", true}, {"details", {{"email", email}}}};
}

class KindeUsersTest : public ::testing::TestWithParam<std::string>,
                       protected KindeAssertions {
 protected:
  // Each create gets its own millisecond, so that creation order is well defined.
  FakeClock clock_{SystemClock().NowMillis()};
  TestServer server_{GetParam(), {.clock = &clock_}};

  HttpResponse Post(const Json& body) {
    clock_.Advance(5);
    return server_.Kinde("POST", "/api/v1/user", body.dump());
  }
  std::string CreateUser(const Json& body = Json::object()) {
    auto res = Post(body);
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json["id"];
  }
  std::string CreateOrg(const std::string& name = "Acme") {
    auto res = server_.Kinde("POST", "/api/v1/organization", Json{{"name", name}}.dump());
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json["organization"]["code"];
  }
  HttpResponse GetUser(const std::string& id, const std::string& expand = "") {
    return server_.Kinde("GET", "/api/v1/user?id=" + FormEncode(id) +
                                    (expand.empty() ? "" : "&expand=" + FormEncode(expand)));
  }
  HttpResponse ListUsers(const std::string& query = "") {
    return server_.Kinde("GET", "/api/v1/users" + (query.empty() ? "" : "?" + query));
  }
  // Every user id the list gives for `query`, following next_token to the end.
  V AllIds(const std::string& query = "") {
    V ids;
    std::string token;
    for (int guard = 0; guard < 100; ++guard) {
      std::string q = query;
      if (!token.empty()) q += (q.empty() ? "" : "&") + std::string("next_token=") + token;
      auto res = ListUsers(q);
      EXPECT_EQ(res.status, 200) << res.body;
      for (const Json& u : res.json["users"]) ids.push_back(u["id"]);
      if (res.json["next_token"].is_null()) break;
      token = res.json["next_token"];
    }
    return ids;
  }
};

// --- POST /api/v1/user ---------------------------------------------------------------------------

TEST_P(KindeUsersTest, CreateAnswers200WithTheCreatedIdentities) {
  auto res = Post({{"profile",
                    {{"given_name", "Ann"},
                     {"family_name", "Lee"},
                     {"picture", "https://cdn.example.com/ann.png"}}},
                   {"provided_id", "ext-1"},
                   {"identities",
                    {EmailIdentity("Ann@Example.com"),
                     {{"type", "phone"},
                      {"is_verified", false},
                      {"details", {{"phone", "+61426148233"}, {"phone_country_id", "au"}}}},
                     {{"type", "username"}, {"details", {{"username", "ann"}}}}}}});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.Header("content-type"), "application/json; charset=utf-8");
  const std::string id = res.json["id"];
  EXPECT_TRUE(IsKindeUserId(id)) << id;
  Json created = {{"type", "x"}, {"result", {{"created", true}}}};
  auto identity = [&](const char* type) {
    Json j = created;
    j["type"] = type;
    return j;
  };
  EXPECT_EQ(res.json,
            (Json{{"id", id},
                  {"created", true},
                  {"identities", {identity("email"), identity("phone"), identity("username")}}}));

  auto got = GetUser(id, "organizations,identities");
  ASSERT_EQ(got.status, 200) << got.body;
  Json expected = {
      {"id", id},
      {"provided_id", "ext-1"},
      {"preferred_email", "Ann@Example.com"},
      {"phone", "+61426148233"},
      {"username", "ann"},
      {"first_name", "Ann"},
      {"last_name", "Lee"},
      {"is_suspended", false},
      {"picture", "https://cdn.example.com/ann.png"},
      {"total_sign_ins", 0},
      {"failed_sign_ins", 0},
      {"last_signed_in", nullptr},
      {"created_on", got.json["created_on"]},
      {"organizations", Json::array()},
      {"identities",
       {{{"type", "email"}, {"identity", "Ann@Example.com"}},
        {{"type", "phone"}, {"identity", "+61426148233"}},
        {{"type", "username"}, {"identity", "ann"}}}},
  };
  EXPECT_EQ(got.json, expected);
  const std::string created_on = got.json["created_on"];
  EXPECT_EQ(created_on.size(), 32u) << created_on;  // 2026-01-28T14:26:02.448000+00:00
  EXPECT_EQ(created_on.substr(created_on.size() - 9), "000+00:00") << created_on;
}

TEST_P(KindeUsersTest, CreateWithoutBodyGivesAnEmptyUser) {
  auto res = server_.Kinde("POST", "/api/v1/user");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json["identities"], Json::array());
  auto got = GetUser(res.json["id"]);
  ASSERT_EQ(got.status, 200) << got.body;
  for (const char* key : {"provided_id", "preferred_email", "phone", "username", "first_name",
                          "last_name", "picture"}) {
    EXPECT_EQ(got.json[key], nullptr) << key;
  }
  // Expanded fields appear only when asked for.
  EXPECT_FALSE(got.json.contains("organizations"));
  EXPECT_FALSE(got.json.contains("identities"));
  EXPECT_FALSE(got.json.contains("billing"));
}

TEST_P(KindeUsersTest, CreateValidationRejectsTheWholeRequest) {
  const std::string org = CreateOrg();
  struct Case {
    Json body;
    std::string code;
  };
  const std::vector<Case> cases = {
      {{{"identities", {{{"type", "sms"}, {"details", {{"sms", "1"}}}}}}}, "INVALID_TYPE"},
      {{{"identities", {{{"details", {{"email", "a@b.io"}}}}}}}, "INVALID_TYPE"},
      {{{"identities", {{{"type", "email"}, {"details", Json::object()}}}}}, "EMAIL_REQUIRED"},
      {{{"identities", {{{"type", "email"}, {"details", {{"email", ""}}}}}}}, "EMAIL_REQUIRED"},
      {{{"identities", {{{"type", "email"}}}}}, "EMAIL_REQUIRED"},
      {{{"identities", {{{"type", "phone"}, {"details", {{"email", "a@b.io"}}}}}}},
       "PHONE_REQUIRED"},
      {{{"identities", {{{"type", "username"}, {"details", Json::object()}}}}},
       "USERNAME_REQUIRED"},
      {{{"identities", {EmailIdentity("not-an-email")}}}, "INVALID_EMAIL"},
      {{{"identities", {EmailIdentity("a@nodot")}}}, "INVALID_EMAIL"},
      {{{"identities", {{{"type", "email"}, {"details", {{"email", 5}}}}}}}, "INVALID_EMAIL"},
      {{{"identities", {EmailIdentity("a@b.io"), EmailIdentity("c@d.io")}}}, "INVALID_IDENTITIES"},
      {{{"identities", "a@b.io"}}, "INVALID_IDENTITIES"},
      {{{"identities", {EmailIdentity("a@b.io"), {{"type", "bogus"}}}}, {"organization_code", org}},
       "INVALID_TYPE"},
      {{{"identities", {EmailIdentity("a@b.io")}}, {"organization_code", "org_00000000000"}},
       "ORGANIZATION_NOT_FOUND"},
      {{{"profile", "Ann"}}, "INVALID_PROFILE"},
      {{{"profile", {{"given_name", 1}}}}, "INVALID_GIVEN_NAME"},
      {{{"provided_id", 7}}, "INVALID_PROVIDED_ID"},
      {{{"organization_code", false}}, "INVALID_ORGANIZATION_CODE"},
  };
  for (const Case& c : cases) {
    auto res = Post(c.body);
    ExpectError(res, 400, c.code);
  }
  auto not_found = Post({{"organization_code", "org_00000000000"}});
  EXPECT_EQ(not_found.json["errors"][0]["message"], "Organization not found");
  ExpectError(server_.Kinde("POST", "/api/v1/user", R"({"identities":)"), 400,
              "INVALID_REQUEST_BODY");
  ExpectError(server_.Kinde("POST", "/api/v1/user", R"([1])"), 400, "INVALID_REQUEST_BODY");
  // No user and no membership was left behind by any of them.
  EXPECT_EQ(AllIds(), V{});
}

TEST_P(KindeUsersTest, IdentityClashesAreCaseInsensitiveAndLeaveNothingBehind) {
  const std::string org = CreateOrg();
  const std::string first =
      CreateUser({{"provided_id", "ext-1"},
                  {"identities",
                   {EmailIdentity("bob@example.com"),
                    {{"type", "phone"}, {"details", {{"phone", "+1555"}}}},
                    {{"type", "username"}, {"details", {{"username", "Bob"}}}}}}});
  struct Case {
    Json body;
    std::string code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{{"identities", {EmailIdentity("BOB@Example.COM")}}, {"organization_code", org}},
       "EMAIL_EXISTS",
       "Email already exists"},
      {{{"identities", {{{"type", "phone"}, {"details", {{"phone", "+1555"}}}}}},
        {"organization_code", org}},
       "PHONE_EXISTS",
       "Phone already exists"},
      {{{"identities", {{{"type", "username"}, {"details", {{"username", "bOB"}}}}}},
        {"organization_code", org}},
       "USERNAME_EXISTS",
       "Username already exists"},
      {{{"provided_id", "ext-1"}, {"organization_code", org}},
       "PROVIDED_ID_EXISTS",
       "Provided id already exists"},
  };
  for (const Case& c : cases) {
    auto res = Post(c.body);
    ExpectError(res, 400, c.code);
    EXPECT_EQ(res.json["errors"][0]["message"], c.message);
  }
  EXPECT_EQ(AllIds(), V{first});
  EXPECT_EQ(AllIds("has_organization=true"), V{});
}

TEST_P(KindeUsersTest, OrganizationCodeJoinsInTheSameRequest) {
  const std::string org = CreateOrg();
  const std::string id =
      CreateUser({{"organization_code", org}, {"identities", {EmailIdentity("m@example.com")}}});
  auto got = GetUser(id, "organizations");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json["organizations"], Json::array({org}));
  EXPECT_FALSE(got.json.contains("identities"));
  auto logto = server_.Logto("GET", "/api/users/" + id + "/organizations");
  ASSERT_EQ(logto.status, 200) << logto.body;
  ASSERT_EQ(logto.json.size(), 1u);
  EXPECT_EQ(logto.json[0]["id"], org);
  EXPECT_EQ(logto.json[0]["name"], "Acme");
  EXPECT_EQ(logto.json[0]["organizationRoles"], Json::array());
}

TEST_P(KindeUsersTest, OrganizationCodeGrantsTheDefaultRoles) {
  const std::string org = CreateOrg();
  auto role = server_.Kinde("POST", "/api/v1/roles",
                            R"({"name":"Member","key":"member","is_default_role":true})");
  ASSERT_EQ(role.status, 201) << role.body;
  ASSERT_EQ(server_.Kinde("POST", "/api/v1/roles", R"({"name":"Admin","key":"admin"})").status,
            201);
  const std::string id = CreateUser({{"organization_code", org}});
  auto logto = server_.Logto("GET", "/api/users/" + id + "/organizations");
  ASSERT_EQ(logto.status, 200) << logto.body;
  ASSERT_EQ(logto.json.size(), 1u) << logto.body;
  EXPECT_EQ(logto.json[0]["organizationRoles"],
            (Json{{{"id", role.json["role"]["id"]}, {"name", "member"}}}));
}

// --- GET /api/v1/user ----------------------------------------------------------------------------

TEST_P(KindeUsersTest, GetErrors) {
  auto missing = server_.Kinde("GET", "/api/v1/user");
  ExpectError(missing, 400, "USER_ID_REQUIRED");
  EXPECT_EQ(missing.json["errors"][0]["field"], "id");
  ExpectError(server_.Kinde("GET", "/api/v1/user?id="), 400, "USER_ID_REQUIRED");
  auto unknown = GetUser("kp_00000000000000000000000000000000");
  ExpectError(unknown, 400, "USER_NOT_FOUND");
  EXPECT_EQ(unknown.json["errors"][0]["message"], "User not found");
  // Bytes that are not UTF-8 name no user, on every engine.
  ExpectError(server_.Kinde("GET", "/api/v1/user?id=%FF"), 400, "USER_NOT_FOUND");
  ExpectError(server_.Kinde("DELETE", "/api/v1/user?id=%FF"), 400, "USER_NOT_FOUND");
  ExpectError(server_.Kinde("GET", "/api/v1/users?email=%FF"), 400, "INVALID_EMAIL");
}

TEST_P(KindeUsersTest, ExpandIgnoresUnknownValuesAndBilling) {
  const std::string id = CreateUser({{"identities", {EmailIdentity("e@example.com")}}});
  auto got = GetUser(id, "billing,whatever,identities");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_FALSE(got.json.contains("billing"));
  EXPECT_FALSE(got.json.contains("organizations"));
  EXPECT_EQ(got.json["identities"], (Json{{{"type", "email"}, {"identity", "e@example.com"}}}));
}

// --- PATCH /api/v1/user --------------------------------------------------------------------------

TEST_P(KindeUsersTest, PatchUpdatesAndAnswersTheUpdateResponse) {
  const std::string id = CreateUser(
      {{"profile", {{"given_name", "Ann"}}}, {"identities", {EmailIdentity("ann@example.com")}}});
  auto res = server_.Kinde("PATCH", "/api/v1/user?id=" + id,
                           R"({"family_name":"Lee","picture":"https://p/a.png","is_suspended":true,
                               "is_password_reset_requested":true,"provided_id":"ext-9"})");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json, (Json{{"id", id},
                            {"given_name", "Ann"},
                            {"family_name", "Lee"},
                            {"email", "ann@example.com"},
                            {"is_suspended", true},
                            {"is_password_reset_requested", true},
                            {"picture", "https://p/a.png"}}));
  auto got = GetUser(id);
  EXPECT_EQ(got.json["last_name"], "Lee");
  EXPECT_EQ(got.json["provided_id"], "ext-9");
  EXPECT_EQ(got.json["is_suspended"], true);
}

TEST_P(KindeUsersTest, PatchErrors) {
  const std::string a = CreateUser({{"provided_id", "ext-a"}});
  const std::string b = CreateUser();
  ExpectError(server_.Kinde("PATCH", "/api/v1/user", R"({"given_name":"x"})"), 400,
              "USER_ID_REQUIRED");
  for (const char* body : {"{}", R"({"unknown":1})", ""}) {
    auto res = server_.Kinde("PATCH", "/api/v1/user?id=" + b, body);
    ExpectError(res, 400, "NO_FIELDS_TO_UPDATE");
    EXPECT_EQ(res.json["errors"][0]["message"], "At least one field must be provided for update");
  }
  ExpectError(server_.Kinde("PATCH", "/api/v1/user?id=kp_00000000000000000000000000000000",
                            R"({"given_name":"x"})"),
              400, "USER_NOT_FOUND");
  ExpectError(server_.Kinde("PATCH", "/api/v1/user?id=" + b, R"({"provided_id":"ext-a"})"), 400,
              "PROVIDED_ID_EXISTS");
  ExpectError(server_.Kinde("PATCH", "/api/v1/user?id=" + b, R"({"is_suspended":"yes"})"), 400,
              "INVALID_IS_SUSPENDED");
  ExpectError(server_.Kinde("PATCH", "/api/v1/user?id=" + b, R"({"given_name":)"), 400,
              "INVALID_REQUEST_BODY");
  // Nothing changed on the failed requests.
  auto got = GetUser(b);
  EXPECT_EQ(got.json["provided_id"], nullptr);
  EXPECT_EQ(got.json["is_suspended"], false);
  EXPECT_EQ(GetUser(a).json["provided_id"], "ext-a");
}

// --- DELETE /api/v1/user -------------------------------------------------------------------------

TEST_P(KindeUsersTest, DeleteRemovesTheUserAndItsMemberships) {
  const std::string org = CreateOrg();
  const std::string id = CreateUser({{"organization_code", org}});
  const std::string other = CreateUser({{"organization_code", org}});
  ExpectSuccess(server_.Kinde("DELETE", "/api/v1/user?id=" + id + "&is_delete_profile=true"));
  ExpectError(GetUser(id), 400, "USER_NOT_FOUND");
  ExpectError(server_.Kinde("DELETE", "/api/v1/user?id=" + id), 400, "USER_NOT_FOUND");
  EXPECT_EQ(AllIds("has_organization=true"), V{other});
  auto logto = server_.Logto("GET", "/api/users/" + id + "/organizations");
  EXPECT_EQ(logto.status, 404) << logto.body;
  EXPECT_EQ(logto.json["code"], "entity.not_found") << logto.body;
}

TEST_P(KindeUsersTest, DeleteErrors) {
  const std::string id = CreateUser();
  ExpectError(server_.Kinde("DELETE", "/api/v1/user"), 400, "USER_ID_REQUIRED");
  ExpectError(server_.Kinde("DELETE", "/api/v1/user?id=" + id + "&is_delete_profile=maybe"), 400,
              "INVALID_IS_DELETE_PROFILE");
  EXPECT_EQ(GetUser(id).status, 200);
}

// --- GET /api/v1/users ---------------------------------------------------------------------------

TEST_P(KindeUsersTest, ListItemShape) {
  const std::string org = CreateOrg();
  const std::string id = CreateUser({{"organization_code", org},
                                     {"profile", {{"given_name", "Ann"}}},
                                     {"identities", {EmailIdentity("ann@example.com")}}});
  auto res = ListUsers("expand=organizations,identities");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json["code"], "OK");
  EXPECT_EQ(res.json["message"], "Success");
  EXPECT_EQ(res.json["next_token"], nullptr);
  ASSERT_EQ(res.json["users"].size(), 1u);
  const Json& u = res.json["users"][0];
  Json expected = {
      {"id", id},
      {"provided_id", nullptr},
      {"email", "ann@example.com"},
      {"phone", nullptr},
      {"username", nullptr},
      {"first_name", "Ann"},
      {"last_name", nullptr},
      {"is_suspended", false},
      {"picture", nullptr},
      {"total_sign_ins", 0},
      {"failed_sign_ins", 0},
      {"last_signed_in", nullptr},
      {"created_on", u["created_on"]},
      {"last_organization_sign_ins", nullptr},
      {"organizations", {org}},
      {"identities",
       {{{"type", "email"}, {"identity", "ann@example.com"}, {"connection_id", nullptr}}}},
  };
  EXPECT_EQ(u, expected);
  auto plain = ListUsers();
  EXPECT_FALSE(plain.json["users"][0].contains("organizations"));
  EXPECT_FALSE(plain.json["users"][0].contains("identities"));
}

TEST_P(KindeUsersTest, ListPagesInCreationOrderStableUnderInsertsAndDeletes) {
  V ids;
  for (int i = 0; i < 5; ++i) ids.push_back(CreateUser());
  EXPECT_EQ(AllIds("page_size=2"), ids);

  auto first = ListUsers("page_size=2");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json["users"].size(), 2u);
  ASSERT_TRUE(first.json["next_token"].is_string());
  const std::string token = first.json["next_token"];
  // A user deleted from the first page and one inserted meanwhile neither shift nor repeat rows.
  ExpectSuccess(server_.Kinde("DELETE", "/api/v1/user?id=" + ids[1]));
  const std::string late = CreateUser();
  V rest;
  std::string next = token;
  while (!next.empty()) {
    auto res = ListUsers("page_size=2&next_token=" + next);
    ASSERT_EQ(res.status, 200) << res.body;
    for (const Json& u : res.json["users"]) rest.push_back(u["id"]);
    next = res.json["next_token"].is_string() ? res.json["next_token"].get<std::string>() : "";
  }
  EXPECT_EQ(rest, (V{ids[2], ids[3], ids[4], late}));
  // The last page has no token even when it is full.
  auto exact = ListUsers("page_size=5");
  EXPECT_EQ(exact.json["users"].size(), 5u);
  EXPECT_EQ(exact.json["next_token"], nullptr);
}

TEST_P(KindeUsersTest, ListFilters) {
  const std::string org = CreateOrg();
  const std::string ann =
      CreateUser({{"identities",
                   {EmailIdentity("Ann@Example.com"),
                    {{"type", "username"}, {"details", {{"username", "Ann"}}}}}},
                  {"organization_code", org}});
  const std::string bob = CreateUser({{"identities",
                                       {EmailIdentity("bob@example.com"),
                                        {{"type", "phone"}, {"details", {{"phone", "+1555"}}}}}}});
  const std::string cy = CreateUser({{"identities", {EmailIdentity("cy@example.com")}}});
  EXPECT_EQ(AllIds("user_id=" + cy + "," + ann), (V{ann, cy}));
  EXPECT_EQ(AllIds("email=ann@example.com"), V{ann});
  EXPECT_EQ(AllIds("email=" + FormEncode("ANN@EXAMPLE.COM,cy@example.com")), (V{ann, cy}));
  EXPECT_EQ(AllIds("email=ann"), V{});  // exact, not a substring
  EXPECT_EQ(AllIds("username=aNN"), V{ann});
  EXPECT_EQ(AllIds("phone=" + FormEncode("+1555")), V{bob});
  EXPECT_EQ(AllIds("phone=1555"), V{});
  // Across filters: AND.
  EXPECT_EQ(AllIds("email=bob@example.com,cy@example.com&user_id=" + cy), V{cy});
  EXPECT_EQ(AllIds("has_organization=true"), V{ann});
  EXPECT_EQ(AllIds("has_organization=false"), (V{bob, cy}));
  EXPECT_EQ(AllIds("has_organization=false&page_size=1"), (V{bob, cy}));
  EXPECT_EQ(AllIds("active_since=2020-01-01T00:00:00Z"), V{});
  EXPECT_EQ(AllIds("active_since=" + FormEncode("2020-01-01T00:00:00.123456+02:00")), V{});
  EXPECT_EQ(AllIds("sort=name_desc"), (V{ann, bob, cy}));  // no sort on this list
}

TEST_P(KindeUsersTest, ListErrors) {
  for (int i = 0; i < 3; ++i) CreateUser();
  ExpectError(ListUsers("has_organization=yes"), 400, "INVALID_HAS_ORGANIZATION");
  ExpectError(ListUsers("active_since=yesterday"), 400, "INVALID_ACTIVE_SINCE");
  ExpectError(ListUsers("page_size=0"), 400, "INVALID_PAGE_SIZE");
  ExpectError(ListUsers("page_size=x"), 400, "INVALID_PAGE_SIZE");
  ExpectError(ListUsers("page_size=501"), 400, "PAGE_SIZE_LIMIT_EXCEEDED");
  ExpectError(ListUsers("next_token=garbage"), 400, "INVALID_NEXT_TOKEN");
  auto first = ListUsers("page_size=1");
  ASSERT_TRUE(first.json["next_token"].is_string()) << first.body;
  const std::string token = first.json["next_token"];
  // A token belongs to its filter set.
  ExpectError(ListUsers("page_size=1&has_organization=false&next_token=" + token), 400,
              "INVALID_NEXT_TOKEN");
  ExpectError(ListUsers("user_id=a&user_id=b"), 400, "INVALID_USER_ID");
}

// --- scopes --------------------------------------------------------------------------------------

TEST_P(KindeUsersTest, EachRouteRequiresItsScope) {
  const std::string id = CreateUser();
  const std::string token = KindeTokenWith(server_, {"read:users"});
  auto send = [&](const std::string& method, const std::string& target, const std::string& body) {
    return server_.Send(
        method, target, body,
        {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  };
  EXPECT_EQ(send("GET", "/api/v1/user?id=" + id, "").status, 200);
  EXPECT_EQ(send("GET", "/api/v1/users", "").status, 200);
  struct Case {
    std::string method, target, body, scope;
  };
  const std::vector<Case> cases = {
      {"POST", "/api/v1/user", "{}", "create:users"},
      {"PATCH", "/api/v1/user?id=" + id, R"({"given_name":"x"})", "update:users"},
      {"DELETE", "/api/v1/user?id=" + id, "", "delete:users"},
  };
  for (const Case& c : cases) {
    auto res = send(c.method, c.target, c.body);
    ExpectError(res, 403, "FORBIDDEN");
    EXPECT_EQ(res.json["errors"][0]["message"], "Missing required scope: " + c.scope);
  }
  EXPECT_EQ(AllIds(), V{id});
  EXPECT_EQ(GetUser(id).json["first_name"], nullptr);
}

// --- one record, two dialects --------------------------------------------------------------------

TEST_P(KindeUsersTest, LogtoUserReadThroughKindeAndBack) {
  auto created = server_.Logto("POST", "/api/users", R"({
      "username":"dora","primaryEmail":"Dora@Example.com","primaryPhone":"6421000",
      "avatar":"https://cdn.example.com/d.png","name":"Dora D",
      "profile":{"givenName":"Dora","familyName":"Diaz","nickname":"dd"}})");
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id = created.json["id"];

  auto got = GetUser(id, "identities");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json["id"], id);
  EXPECT_EQ(got.json["preferred_email"], "Dora@Example.com");
  EXPECT_EQ(got.json["phone"], "6421000");
  EXPECT_EQ(got.json["username"], "dora");
  EXPECT_EQ(got.json["first_name"], "Dora");
  EXPECT_EQ(got.json["last_name"], "Diaz");
  EXPECT_EQ(got.json["picture"], "https://cdn.example.com/d.png");
  EXPECT_EQ(got.json["identities"], (Json{{{"type", "email"}, {"identity", "Dora@Example.com"}},
                                          {{"type", "phone"}, {"identity", "6421000"}},
                                          {{"type", "username"}, {"identity", "dora"}}}));
  EXPECT_EQ(AllIds("email=dora@example.com"), V{id});

  auto patched =
      server_.Kinde("PATCH", "/api/v1/user?id=" + id,
                    R"({"given_name":"Dorothy","picture":"https://cdn.example.com/e.png"})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  auto back = server_.Logto("GET", "/api/users/" + id);
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(back.json["profile"],
            (Json{{"givenName", "Dorothy"}, {"familyName", "Diaz"}, {"nickname", "dd"}}));
  EXPECT_EQ(back.json["avatar"], "https://cdn.example.com/e.png");
  EXPECT_EQ(back.json["primaryEmail"], "Dora@Example.com");
  EXPECT_EQ(back.json["name"], "Dora D");
  // A Kinde identity clashes with the Logto user's email whatever its case.
  ExpectError(Post({{"identities", {EmailIdentity("DORA@example.com")}}}), 400, "EMAIL_EXISTS");
}

TEST_P(KindeUsersTest, KindeUserReadThroughLogto) {
  const std::string id = CreateUser(
      {{"profile", {{"given_name", "Eve"}, {"family_name", "Ng"}, {"picture", "https://p/e.png"}}},
       {"identities",
        {EmailIdentity("eve@example.com"),
         {{"type", "username"}, {"details", {{"username", "eve"}}}}}}});
  auto got = server_.Logto("GET", "/api/users/" + id);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json["id"], id);
  EXPECT_EQ(got.json["primaryEmail"], "eve@example.com");
  EXPECT_EQ(got.json["username"], "eve");
  EXPECT_EQ(got.json["primaryPhone"], nullptr);
  EXPECT_EQ(got.json["avatar"], "https://p/e.png");
  EXPECT_EQ(got.json["name"], nullptr);
  EXPECT_EQ(got.json["profile"], (Json{{"givenName", "Eve"}, {"familyName", "Ng"}}));
  EXPECT_EQ(got.json["hasPassword"], false);
  auto search = server_.Logto("GET", "/api/users?search.primaryEmail=eve@example.com&mode=exact");
  ASSERT_EQ(search.status, 200) << search.body;
  ASSERT_EQ(search.json.size(), 1u);
  EXPECT_EQ(search.json[0]["id"], id);
  // Clearing the given name through Kinde clears it in the Logto profile too.
  ASSERT_EQ(server_.Kinde("PATCH", "/api/v1/user?id=" + id, R"({"given_name":null})").status, 200);
  EXPECT_EQ(server_.Logto("GET", "/api/users/" + id).json["profile"], (Json{{"familyName", "Ng"}}));
  ASSERT_EQ(server_.Logto("DELETE", "/api/users/" + id).status, 204);
  ExpectError(GetUser(id), 400, "USER_NOT_FOUND");
}

INSTANTIATE_TEST_SUITE_P(Backends, KindeUsersTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);

}  // namespace
}  // namespace orgd::testing
