#include "http/router.h"

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace orgd::http {
namespace {

using Params = std::vector<std::pair<std::string_view, std::string>>;

// A handler that answers with its own name, so tests can tell which route matched.
Handler Named(std::string name) {
  return [name = std::move(name)](Request&) { return Response::Text(200, name); };
}

Request MakeRequest(Method method, std::string raw_path) {
  Request r;
  r.method = method;
  r.raw_path = std::move(raw_path);
  return r;
}

std::string Call(const Router::Match& match, Request& request) {
  if (match.kind != Router::MatchKind::kFound) return "<no match>";
  return (*match.handler)(request).body;
}

class RouterTest : public testing::Test {
 protected:
  RouterTest() {
    router_.Add(Method::kGet, "/api/organizations", Named("list"));
    router_.Add(Method::kPost, "/api/organizations", Named("create"));
    router_.Add(Method::kGet, "/api/organizations/{id}", Named("get"));
    router_.Add(Method::kPatch, "/api/organizations/{id}", Named("update"));
    router_.Add(Method::kDelete, "/api/organizations/{id}", Named("delete"));
    router_.Add(Method::kGet, "/api/organizations/search", Named("search"));
    router_.Add(Method::kGet, "/api/organizations/{id}/users/{userId}/roles", Named("user-roles"));
    router_.Add(Method::kGet, "/api/organizations/search/recent", Named("recent"));
    router_.Add(Method::kGet, "/", Named("root"));
  }

  Router::Match Find(Request& request) const { return router_.Find(request); }

  Router router_;
};

TEST_F(RouterTest, MatchesLiteralRoute) {
  Request r = MakeRequest(Method::kGet, "/api/organizations");
  auto match = Find(r);
  EXPECT_EQ(Call(match, r), "list");
  EXPECT_EQ(match.pattern, "/api/organizations");
  EXPECT_TRUE(r.path_params.empty());
}

TEST_F(RouterTest, MatchesRoot) {
  Request r = MakeRequest(Method::kGet, "/");
  EXPECT_EQ(Call(Find(r), r), "root");
}

TEST_F(RouterTest, CapturesParameters) {
  Request r = MakeRequest(Method::kGet, "/api/organizations/o1/users/u2/roles");
  auto match = Find(r);
  EXPECT_EQ(Call(match, r), "user-roles");
  EXPECT_EQ(match.pattern, "/api/organizations/{id}/users/{userId}/roles");
  EXPECT_EQ(r.path_params, (Params{{"id", "o1"}, {"userId", "u2"}}));
  EXPECT_EQ(r.PathParam("userId"), "u2");
}

TEST_F(RouterTest, LiteralBeatsCapture) {
  Request r = MakeRequest(Method::kGet, "/api/organizations/search");
  EXPECT_EQ(Call(Find(r), r), "search");
  EXPECT_TRUE(r.path_params.empty());
}

TEST_F(RouterTest, BacktracksToCaptureWhenLiteralBranchFails) {
  Request r = MakeRequest(Method::kGet, "/api/organizations/search/users/u1/roles");
  EXPECT_EQ(Call(Find(r), r), "user-roles");
  EXPECT_EQ(r.path_params, (Params{{"id", "search"}, {"userId", "u1"}}));
}

TEST_F(RouterTest, BacktracksToCaptureWhenLiteralLacksTheMethod) {
  Request r = MakeRequest(Method::kDelete, "/api/organizations/search");
  EXPECT_EQ(Call(Find(r), r), "delete");
  EXPECT_EQ(r.path_params, (Params{{"id", "search"}}));
}

TEST_F(RouterTest, DecodesParametersAfterSplitting) {
  Request r = MakeRequest(Method::kGet, "/api/organizations/a%2Fb%20c+d/users/%C3%A9/roles");
  EXPECT_EQ(Call(Find(r), r), "user-roles");
  EXPECT_EQ(r.path_params, (Params{{"id", "a/b c+d"}, {"userId", "\xC3\xA9"}}));
}

TEST_F(RouterTest, EncodedSlashDoesNotSplitSegments) {
  Request r = MakeRequest(Method::kGet, "/api/organizations/o1%2Fusers%2Fu2%2Froles");
  EXPECT_EQ(Call(Find(r), r), "get");
  EXPECT_EQ(r.path_params, (Params{{"id", "o1/users/u2/roles"}}));
}

TEST_F(RouterTest, LiteralsCompareDecoded) {
  Request r = MakeRequest(Method::kGet, "/api/organization%73");
  EXPECT_EQ(Call(Find(r), r), "list");
}

TEST_F(RouterTest, MethodNotAllowedListsExactMethods) {
  Request r = MakeRequest(Method::kPut, "/api/organizations/o1");
  auto match = Find(r);
  EXPECT_EQ(match.kind, Router::MatchKind::kMethodNotAllowed);
  EXPECT_EQ(match.allowed, (std::vector<Method>{Method::kGet, Method::kPatch, Method::kDelete}));
  EXPECT_EQ(match.handler, nullptr);
}

TEST_F(RouterTest, MethodNotAllowedUnitesMatchingPatterns) {
  // "/api/organizations/search" matches both the literal (GET) and "{id}" (GET, PATCH, DELETE).
  Request r = MakeRequest(Method::kPost, "/api/organizations/search");
  auto match = Find(r);
  EXPECT_EQ(match.kind, Router::MatchKind::kMethodNotAllowed);
  EXPECT_EQ(match.allowed, (std::vector<Method>{Method::kGet, Method::kPatch, Method::kDelete}));
}

TEST_F(RouterTest, TrailingSlashIsNotMatched) {
  Request r = MakeRequest(Method::kGet, "/api/organizations/");
  EXPECT_EQ(Find(r).kind, Router::MatchKind::kNotFound);
  Request r2 = MakeRequest(Method::kGet, "/api/organizations/o1/");
  EXPECT_EQ(Find(r2).kind, Router::MatchKind::kNotFound);
}

TEST_F(RouterTest, EmptySegmentDoesNotMatchCapture) {
  Request r = MakeRequest(Method::kGet, "/api/organizations//users/u1/roles");
  EXPECT_EQ(Find(r).kind, Router::MatchKind::kNotFound);
}

TEST_F(RouterTest, UnknownPathsAreNotFound) {
  for (std::string path : {"/nope", "/api", "/api/organizations/o1/users", "", "api/organizations",
                           "/api/organizations/o1/users/u2/roles/extra/a/b/c/d/e/f/g/h/i/j"}) {
    Request r = MakeRequest(Method::kGet, path);
    EXPECT_EQ(Find(r).kind, Router::MatchKind::kNotFound) << path;
  }
}

TEST_F(RouterTest, FallsBackToDecodedPathWhenRawPathIsEmpty) {
  Request r;
  r.method = Method::kGet;
  r.path = "/api/organizations/o1";
  EXPECT_EQ(Call(Find(r), r), "get");
}

TEST(RouterAddTest, RejectsDuplicatesAndBadPatterns) {
  Router router;
  router.Add(Method::kGet, "/a/{id}", Named("a"));
  EXPECT_THROW(router.Add(Method::kGet, "/a/{id}", Named("b")), std::invalid_argument);
  EXPECT_THROW(router.Add(Method::kGet, "a", Named("c")), std::invalid_argument);
  EXPECT_THROW(router.Add(Method::kGet, "/a/{}", Named("d")), std::invalid_argument);
}

TEST(RouterAddTest, CaptureNamesMayDifferPerRoute) {
  Router router;
  router.Add(Method::kGet, "/orgs/{id}", Named("org"));
  router.Add(Method::kGet, "/orgs/{orgId}/users", Named("users"));
  Request r = MakeRequest(Method::kGet, "/orgs/o1/users");
  EXPECT_EQ(Call(router.Find(r), r), "users");
  EXPECT_EQ(r.path_params, (Params{{"orgId", "o1"}}));
  Request r2 = MakeRequest(Method::kGet, "/orgs/o2");
  EXPECT_EQ(Call(router.Find(r2), r2), "org");
  EXPECT_EQ(r2.path_params, (Params{{"id", "o2"}}));
}

TEST(RouterAddTest, MovedRouterKeepsParameterNames) {
  Router router;
  router.Add(Method::kGet, "/orgs/{id}", Named("org"));
  Router moved = std::move(router);
  Request r = MakeRequest(Method::kGet, "/orgs/o1");
  EXPECT_EQ(Call(moved.Find(r), r), "org");
  EXPECT_EQ(r.PathParam("id"), "o1");
}

}  // namespace
}  // namespace orgd::http
