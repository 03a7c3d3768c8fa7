// The Logto dialect's /api/users routes (contracts/logto.md §3.9.1, shapes §2.1, §2.5), end to
// end on every backend.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/support/test_server.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;

class LogtoUsersTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Each create gets its own millisecond, so that "newest first" is well defined.
  FakeClock clock_{SystemClock().NowMillis()};
  TestServer server_{GetParam(), {.clock = &clock_}};

  Json CreateUser(const Json& body) {
    clock_.Advance(5);
    auto res = server_.Logto("POST", "/api/users", body.dump());
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json;
  }
  std::string CreateOrg(const std::string& name) {
    auto res = server_.Logto("POST", "/api/organizations", Json{{"name", name}}.dump());
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json["id"];
  }
  // A user created through the Kinde dialect as a member of `org` (joins in the same request).
  std::string CreateKindeMember(const std::string& org, const std::string& email) {
    clock_.Advance(5);
    auto res =
        server_.Kinde("POST", "/api/v1/user",
                      Json{{"organization_code", org},
                           {"identities", {{{"type", "email"}, {"details", {{"email", email}}}}}}}
                          .dump());
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json["id"];
  }
  HttpResponse List(const std::string& query = "") {
    return server_.Logto("GET", "/api/users" + (query.empty() ? "" : "?" + query));
  }
  // The ids of a list answer, in order.
  static std::vector<std::string> Ids(const HttpResponse& res) {
    std::vector<std::string> ids;
    for (const Json& u : res.json) ids.push_back(u["id"]);
    return ids;
  }
  int64_t Total() {
    auto res = List();
    EXPECT_EQ(res.status, 200) << res.body;
    return std::stoll(res.Header("total-number"));
  }
  static void ExpectError(const HttpResponse& res, int status, const std::string& code) {
    EXPECT_EQ(res.status, status) << res.body;
    EXPECT_EQ(res.json["code"], code) << res.body;
  }
};

bool IsLogtoId(const std::string& id) {
  if (id.size() != 12) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) return false;
  }
  return true;
}

// --- POST /api/users -----------------------------------------------------------------------------

TEST_P(LogtoUsersTest, CreateAnswers200WithTheProfileResponse) {
  auto res = server_.Logto("POST", "/api/users", R"({
      "username":"ann_1","primaryEmail":"Ann@Example.com","primaryPhone":"15550001",
      "password":"s3cret!","name":"Ann Lee","avatar":"https://cdn.example.com/a.png",
      "customData":{"plan":"pro","n":[1,2]},
      "profile":{"givenName":"Ann","familyName":"Lee","nickname":"al","unknown":"dropped",
                 "address":{"country":"NZ","planet":"dropped"}},
      "tenantId":"ignored","id":"ignored"})");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.reason, "OK");
  EXPECT_EQ(res.Header("content-type"), "application/json; charset=utf-8");
  const Json& u = res.json;
  EXPECT_TRUE(IsLogtoId(u["id"])) << u["id"];
  Json expected = {
      {"id", u["id"]},
      {"username", "ann_1"},
      {"primaryEmail", "Ann@Example.com"},
      {"primaryPhone", "15550001"},
      {"name", "Ann Lee"},
      {"avatar", "https://cdn.example.com/a.png"},
      {"customData", {{"plan", "pro"}, {"n", {1, 2}}}},
      {"identities", Json::object()},
      {"lastSignInAt", nullptr},
      {"createdAt", clock_.NowMillis()},
      {"updatedAt", clock_.NowMillis()},
      {"profile",
       {{"givenName", "Ann"},
        {"familyName", "Lee"},
        {"nickname", "al"},
        {"address", {{"country", "NZ"}}}}},
      {"applicationId", nullptr},
      {"isSuspended", false},
      {"hasPassword", true},
  };
  EXPECT_EQ(u, expected);
}

TEST_P(LogtoUsersTest, CreateWithEmptyBodyGivesAnEmptyUser) {
  for (const char* body : {"{}", ""}) {
    auto res = server_.Logto("POST", "/api/users", body);
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["username"], nullptr);
    EXPECT_EQ(res.json["primaryEmail"], nullptr);
    EXPECT_EQ(res.json["avatar"], nullptr);
    EXPECT_EQ(res.json["customData"], Json::object());
    EXPECT_EQ(res.json["profile"], Json::object());
    EXPECT_EQ(res.json["hasPassword"], false);
  }
  EXPECT_EQ(Total(), 2);
}

TEST_P(LogtoUsersTest, CreateRejectsEachInvalidFieldWithGuardInvalidInput) {
  const std::vector<std::string> bodies = {
      R"({"primaryEmail":"no-at-sign.example.com"})",
      R"({"primaryEmail":"a@b"})",
      R"({"primaryEmail":"a b@c.de"})",
      R"({"primaryEmail":7})",
      R"({"primaryEmail":")" + std::string(120, 'a') + R"(@example.com"})",
      R"({"primaryPhone":"+15550001"})",
      R"({"primaryPhone":""})",
      R"({"username":"1abc"})",
      R"({"username":"a-b"})",
      R"({"username":")" + std::string(129, 'a') + R"("})",
      R"({"username":null})",
      R"({"password":""})",
      R"({"passwordDigest":")" + std::string(257, 'd') + R"(","passwordAlgorithm":"MD5"})",
      R"({"passwordDigest":"d","passwordAlgorithm":"Rot13"})",
      R"({"name":5})",
      R"({"name":null})",
      R"({"avatar":"not a url"})",
      R"({"avatar":"https://x.io/)" + std::string(2040, 'p') + R"("})",
      R"({"customData":[]})",
      R"({"customData":null})",
      R"({"profile":"x"})",
      R"({"profile":{"givenName":1}})",
      R"({"profile":{"address":"x"}})",
      R"({"profile":{"address":{"country":1}}})",
      R"([])",
  };
  for (const std::string& body : bodies) {
    auto res = server_.Logto("POST", "/api/users", body);
    ExpectError(res, 400, "guard.invalid_input");
    EXPECT_EQ(res.json["message"], "The request body is invalid.") << body;
  }
  EXPECT_EQ(Total(), 0);
}

TEST_P(LogtoUsersTest, CreateAcceptsEmptyOrNullAvatar) {
  EXPECT_EQ(CreateUser({{"avatar", ""}})["avatar"], "");
  EXPECT_EQ(CreateUser({{"avatar", nullptr}})["avatar"], nullptr);
  EXPECT_EQ(CreateUser({{"avatar", "mock://fake/logo.png"}})["avatar"], "mock://fake/logo.png");
}

TEST_P(LogtoUsersTest, CreateWithInvalidJsonAnswers400MessageOnly) {
  auto res = server_.Logto("POST", "/api/users", R"({"username":)");
  EXPECT_EQ(res.status, 400) << res.body;
  EXPECT_TRUE(res.json.contains("message")) << res.body;
  EXPECT_FALSE(res.json.contains("code")) << res.body;
}

TEST_P(LogtoUsersTest, OverlongNameIsValueTooLong) {
  auto res = server_.Logto("POST", "/api/users", Json{{"name", std::string(129, 'n')}}.dump());
  ExpectError(res, 422, "entity.value_too_long");
  EXPECT_EQ(res.json["message"], "The length of value is too long and exceeds the limit.");
  EXPECT_EQ(Total(), 0);
  EXPECT_EQ(CreateUser({{"name", std::string(128, 'n')}})["name"], std::string(128, 'n'));
}

TEST_P(LogtoUsersTest, PasswordRules) {
  auto both = server_.Logto("POST", "/api/users",
                            R"({"password":"p","passwordDigest":"d","passwordAlgorithm":"MD5"})");
  ExpectError(both, 400, "user.password_and_digest");
  EXPECT_EQ(both.json["message"], "You cannot set both plain text password and password digest.");
  auto no_algorithm = server_.Logto("POST", "/api/users", R"({"passwordDigest":"d"})");
  ExpectError(no_algorithm, 400, "user.password_algorithm_required");
  EXPECT_EQ(no_algorithm.json["message"], "Password algorithm is required.");
  EXPECT_EQ(Total(), 0);

  Json imported = CreateUser(
      {{"passwordDigest", "5f4dcc3b5aa765d61d8327deb882cf99"}, {"passwordAlgorithm", "MD5"}});
  EXPECT_EQ(imported["hasPassword"], true);
  EXPECT_FALSE(imported.contains("password"));
  EXPECT_FALSE(imported.contains("passwordDigest"));
  EXPECT_FALSE(imported.contains("passwordEncrypted"));
  EXPECT_EQ(CreateUser({{"passwordAlgorithm", "MD5"}})["hasPassword"], false);
}

TEST_P(LogtoUsersTest, IdentifierClashesAre422WithTheirCodes) {
  CreateUser({{"username", "bob"}, {"primaryEmail", "bob@example.com"}, {"primaryPhone", "123"}});
  auto username = server_.Logto("POST", "/api/users", R"({"username":"bob"})");
  ExpectError(username, 422, "user.username_already_in_use");
  EXPECT_EQ(username.json["message"], "This username is already in use.");
  auto email = server_.Logto("POST", "/api/users", R"({"primaryEmail":"BOB@Example.COM"})");
  ExpectError(email, 422, "user.email_already_in_use");
  EXPECT_EQ(email.json["message"], "This email is associated with an existing account.");
  auto phone = server_.Logto("POST", "/api/users", R"({"primaryPhone":"123"})");
  ExpectError(phone, 422, "user.phone_already_in_use");
  EXPECT_EQ(phone.json["message"], "This phone number is associated with an existing account.");
  EXPECT_EQ(Total(), 1);
  // Usernames compare case-sensitively in this dialect.
  EXPECT_EQ(CreateUser({{"username", "Bob"}})["username"], "Bob");
}

// --- GET / DELETE /api/users/{userId} ------------------------------------------------------------

TEST_P(LogtoUsersTest, GetReturnsTheCreatedProfile) {
  Json created =
      CreateUser({{"username", "carol"}, {"password", "pw"}, {"customData", {{"k", 1}}}});
  auto res = server_.Logto("GET", "/api/users/" + created["id"].get<std::string>());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json, created);
  auto missing = server_.Logto("GET", "/api/users/nosuchuser12");
  ExpectError(missing, 404, "entity.not_found");
  EXPECT_EQ(missing.json["message"], "The resource does not exist.");
  // Bytes that are not UTF-8 name no user, on every engine.
  ExpectError(server_.Logto("GET", "/api/users/%FF%FE"), 404, "entity.not_found");
  ExpectError(server_.Logto("DELETE", "/api/users/%FF"), 404, "entity.not_found");
  ExpectError(server_.Logto("GET", "/api/users/%C0%AF/organizations"), 404, "entity.not_found");
  ExpectError(List("search=%FF"), 400, "request.invalid_input");
  ExpectError(List("excludeOrganizationId=%FF"), 400, "request.invalid_input");
}

TEST_P(LogtoUsersTest, DeleteAnswers204ThenNotFound) {
  std::string id = CreateUser({{"username", "dave"}})["id"];
  auto res = server_.Logto("DELETE", "/api/users/" + id);
  EXPECT_EQ(res.status, 204) << res.body;
  EXPECT_TRUE(res.body.empty());
  EXPECT_FALSE(res.HasHeader("content-type"));
  ExpectError(server_.Logto("GET", "/api/users/" + id), 404, "entity.not_found");
  ExpectError(server_.Logto("DELETE", "/api/users/" + id), 404, "entity.not_found");
  EXPECT_EQ(Total(), 0);
  // The username is free again.
  EXPECT_EQ(CreateUser({{"username", "dave"}})["username"], "dave");
}

TEST_P(LogtoUsersTest, DeleteRemovesTheMembership) {
  std::string org = CreateOrg("Acme");
  std::string member = CreateKindeMember(org, "m@example.com");
  std::string other = CreateKindeMember(org, "o@example.com");
  auto before = server_.Logto("GET", "/api/users/" + member + "/organizations");
  ASSERT_EQ(before.status, 200) << before.body;
  ASSERT_EQ(before.json.size(), 1u);
  auto kinde_members = [&] {
    auto res = server_.Kinde("GET", "/api/v1/users?has_organization=true");
    EXPECT_EQ(res.status, 200) << res.body;
    std::vector<std::string> ids;
    for (const Json& u : res.json["users"]) ids.push_back(u["id"]);
    return ids;
  };
  EXPECT_EQ(kinde_members(), (std::vector<std::string>{member, other}));

  ASSERT_EQ(server_.Logto("DELETE", "/api/users/" + member).status, 204);
  ExpectError(server_.Logto("GET", "/api/users/" + member + "/organizations"), 404,
              "entity.not_found");
  EXPECT_EQ(kinde_members(), (std::vector<std::string>{other}));
  // The organization no longer excludes the deleted user's id from anything: its only member left
  // is `other`.
  auto not_in_org = List("excludeOrganizationId=" + org);
  ASSERT_EQ(not_in_org.status, 200) << not_in_org.body;
  EXPECT_TRUE(not_in_org.json.empty()) << not_in_org.body;
}

TEST_P(LogtoUsersTest, DeletedMemberLeavesTheOrganizationMemberList) {
  std::string org = CreateOrg("Acme");
  std::string member = CreateUser({{"username", "member"}})["id"];
  std::string stays = CreateUser({{"username", "stays"}})["id"];
  auto added = server_.Logto("POST", "/api/organizations/" + org + "/users",
                             Json{{"userIds", {member, stays}}}.dump());
  ASSERT_EQ(added.status, 201) << added.body;
  auto member_ids = [&] {
    auto res = server_.Logto("GET", "/api/organizations/" + org + "/users");
    EXPECT_EQ(res.status, 200) << res.body;
    std::vector<std::string> ids = Ids(res);
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  std::vector<std::string> both = {member, stays};
  std::sort(both.begin(), both.end());
  EXPECT_EQ(member_ids(), both);
  // The member object is the profile response without hasPassword.
  Json profile = server_.Logto("GET", "/api/users/" + member).json;
  profile.erase("hasPassword");
  auto members = server_.Logto("GET", "/api/organizations/" + org + "/users?q=member");
  ASSERT_EQ(members.json.size(), 1u) << members.body;
  Json listed = members.json[0];
  listed.erase("organizationRoles");
  EXPECT_EQ(listed, profile);

  ASSERT_EQ(server_.Logto("DELETE", "/api/users/" + member).status, 204);
  EXPECT_EQ(member_ids(), std::vector<std::string>{stays});
}

// --- GET /api/users/{userId}/organizations -------------------------------------------------------

TEST_P(LogtoUsersTest, ListOrganizationsGivesOrganizationWithRoles) {
  std::string org = CreateOrg("Acme");
  std::string member = CreateKindeMember(org, "m@example.com");
  auto res = server_.Logto("GET", "/api/users/" + member + "/organizations");
  ASSERT_EQ(res.status, 200) << res.body;
  auto org_res = server_.Logto("GET", "/api/organizations/" + org);
  ASSERT_EQ(org_res.status, 200) << org_res.body;
  Json expected = org_res.json;
  expected["organizationRoles"] = Json::array();
  EXPECT_EQ(res.json, Json::array({expected}));
  EXPECT_FALSE(res.HasHeader("total-number"));

  std::string loner = CreateUser({{"username", "loner"}})["id"];
  auto none = server_.Logto("GET", "/api/users/" + loner + "/organizations");
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(none.json, Json::array());
  ExpectError(server_.Logto("GET", "/api/users/nosuchuser12/organizations"), 404,
              "entity.not_found");
}

// --- GET /api/users ------------------------------------------------------------------------------

TEST_P(LogtoUsersTest, ListIsNewestFirstAndPagesToTheEnd) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(CreateUser({{"username", "u" + std::to_string(i)}})["id"]);
  std::vector<std::string> newest_first(ids.rbegin(), ids.rend());

  auto all = List();
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(Ids(all), newest_first);
  EXPECT_EQ(all.Header("total-number"), "5");
  EXPECT_EQ(all.json[0]["hasPassword"], false);

  std::vector<std::string> paged;
  for (int page = 1; page <= 3; ++page) {
    auto res = List("page_size=2&page=" + std::to_string(page));
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.Header("total-number"), "5");
    for (const std::string& id : Ids(res)) paged.push_back(id);
    std::vector<std::string> links = res.Headers("link");
    std::string joined;
    for (const std::string& l : links) joined += l + "\n";
    EXPECT_NE(joined.find("page=1>; rel=\"first\""), std::string::npos) << joined;
    EXPECT_NE(joined.find("page=3>; rel=\"last\""), std::string::npos) << joined;
    EXPECT_EQ(joined.find("rel=\"next\"") != std::string::npos, page < 3) << joined;
    EXPECT_EQ(joined.find("rel=\"prev\"") != std::string::npos, page > 1) << joined;
  }
  EXPECT_EQ(paged, newest_first);
  auto beyond = List("page_size=2&page=4");
  ASSERT_EQ(beyond.status, 200);
  EXPECT_EQ(beyond.json, Json::array());

  ExpectError(List("page=0"), 400, "guard.invalid_pagination");
  ExpectError(List("page_size=101"), 400, "guard.invalid_pagination");
  ExpectError(List("page_size=1.5"), 400, "guard.invalid_pagination");
}

class LogtoUserSearchTest : public LogtoUsersTest {
 protected:
  void SetUp() override {
    ann_ = CreateUser(
        {{"username", "ann"}, {"primaryEmail", "ann@acme.io"}, {"name", "Ann Lee"}})["id"];
    bob_ = CreateUser(
        {{"username", "Bob"}, {"primaryEmail", "bob@other.io"}, {"primaryPhone", "5551"}})["id"];
    cy_ = CreateUser({{"username", "cy_x"}, {"primaryEmail", "CY@ACME.IO"}, {"name", "Cy"}})["id"];
  }
  // The ids the search finds, newest first.
  std::vector<std::string> Find(const std::string& query) {
    auto res = List(query);
    EXPECT_EQ(res.status, 200) << query << ": " << res.body;
    EXPECT_EQ(res.Header("total-number"), std::to_string(res.json.size())) << query;
    return Ids(res);
  }
  using V = std::vector<std::string>;
  std::string ann_, bob_, cy_;
};

TEST_P(LogtoUserSearchTest, SearchOverEveryFieldIsCaseInsensitiveLike) {
  // The patterns hold characters no generated id has, so that only the named fields can match.
  EXPECT_EQ(Find("search=%25@acme%25"), (V{cy_, ann_}));
  EXPECT_EQ(Find("search=%25n%20LEE"), (V{ann_}));   // name
  EXPECT_EQ(Find("search=5551"), (V{bob_}));         // phone
  EXPECT_EQ(Find("search=" + bob_), (V{bob_}));      // id, no wildcards: the whole value
  EXPECT_EQ(Find("search=acme"), V{});               // the caller supplies the wildcards
  EXPECT_EQ(Find("search="), (V{cy_, bob_, ann_}));  // an empty value is no filter
}

TEST_P(LogtoUserSearchTest, UnderscoreMatchesOneCharacter) {
  EXPECT_EQ(Find("search.username=cy_x"), (V{cy_}));
  EXPECT_EQ(Find("search.username=b_b"), (V{bob_}));
  EXPECT_EQ(Find("search.username=a_"), V{});
}

TEST_P(LogtoUserSearchTest, FieldSearchAndModes) {
  EXPECT_EQ(Find("search.primaryEmail=%25acme.io"), (V{cy_, ann_}));
  EXPECT_EQ(Find("search.name=%25acme%25"), V{});
  EXPECT_EQ(Find("search.primaryEmail=ann@acme.io&mode.primaryEmail=exact"), (V{ann_}));
  EXPECT_EQ(Find("search.primaryEmail=%25acme.io&mode=exact"), V{});
  // Exact compares case-insensitively unless asked not to.
  EXPECT_EQ(Find("search.username=bob&mode=exact"), (V{bob_}));
  EXPECT_EQ(Find("search.username=bob&mode=exact&isCaseSensitive=true"), V{});
  EXPECT_EQ(Find("search.primaryEmail=%25acme%25&isCaseSensitive=true"), (V{ann_}));
  EXPECT_EQ(Find("search.primaryEmail=%25ACME%25&isCaseSensitive=true"), (V{cy_}));
  EXPECT_EQ(Find("search.primaryEmail=%25ACME%25&isCaseSensitive=false"), (V{cy_, ann_}));
}

TEST_P(LogtoUserSearchTest, JointAndRepeatedValues) {
  EXPECT_EQ(Find("search.primaryEmail=%25acme%25&search.name=Cy"), (V{cy_, ann_}));
  EXPECT_EQ(Find("search.primaryEmail=%25acme%25&search.name=Cy&joint=and"), (V{cy_}));
  EXPECT_EQ(Find("search.primaryEmail=%25acme%25&search.name=Cy&joint=or"), (V{cy_, ann_}));
  EXPECT_EQ(Find("search.username=ann&search.username=bob"), (V{bob_, ann_}));
  EXPECT_EQ(Find("search=%25acme%25&search.username=ann&joint=and"), (V{ann_}));
}

TEST_P(LogtoUserSearchTest, PagingAppliesAfterTheSearch) {
  auto res = List("search=%25acme%25&page_size=1&page=2");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(Ids(res), (V{ann_}));
  EXPECT_EQ(res.Header("total-number"), "2");
}

TEST_P(LogtoUserSearchTest, BadSearchSyntaxIsRequestInvalidInput) {
  const std::vector<std::string> queries = {
      "search.nickname=x",   "mode=similar_to&search=x",
      "mode=posix&search=x", "mode=regex",
      "search=x&joint=xor",  "search=x&isCaseSensitive=maybe",
      "mode.unknown=exact",  "excludeRoleId=r&excludeOrganizationId=o"};
  for (const std::string& query : queries) {
    auto res = List(query);
    ExpectError(res, 400, "request.invalid_input");
    EXPECT_EQ(res.json["message"].get<std::string>().rfind("Input is invalid. ", 0), 0u) << query;
  }
  // One field with more values than a search term takes.
  std::string many;
  for (int i = 0; i < 11; ++i) many += "search.username=v" + std::to_string(i) + "&";
  ExpectError(List(many), 400, "request.invalid_input");
}

TEST_P(LogtoUserSearchTest, ExcludeOrganizationLeavesOutItsMembers) {
  std::string org = CreateOrg("Acme");
  std::string member = CreateKindeMember(org, "member@acme.io");
  EXPECT_EQ(Find("excludeOrganizationId=" + org), (V{cy_, bob_, ann_}));
  EXPECT_EQ(Find("search.primaryEmail=%25acme.io&excludeOrganizationId=" + org), (V{cy_, ann_}));
  EXPECT_EQ(Find("search.primaryEmail=%25acme.io"), (V{member, cy_, ann_}));
  EXPECT_EQ(Find("excludeOrganizationId=nosuchorg"), (V{member, cy_, bob_, ann_}));
  // orgd has no user-level roles: excluding one alone excludes no one.
  EXPECT_EQ(Find("excludeRoleId=anyrole"), (V{member, cy_, bob_, ann_}));
}

INSTANTIATE_TEST_SUITE_P(Backends, LogtoUsersTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);
INSTANTIATE_TEST_SUITE_P(Backends, LogtoUserSearchTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);

}  // namespace
}  // namespace orgd::testing
