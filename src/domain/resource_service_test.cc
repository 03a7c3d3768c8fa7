// ResourceService and the text search it uses, on a real SqliteStore (":memory:").

#include "domain/resource_service.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/id_generator.h"
#include "domain/text_search.h"
#include "store/sql/migrations.h"
#include "store/sql/sql_store.h"
#include "store/sqlite/sqlite_db.h"
#include "tests/support/domain_store_test.h"

namespace orgd::domain {
namespace {

using testing::ErrorText;
using testing::ExpectError;

constexpr const char* kReserved = "https://default.logto.app/api";

class ResourceServiceTest : public testing::SqliteStoreTest {
 protected:
  void SetUp() override {
    SqliteStoreTest::SetUp();
    if (HasFatalFailure()) return;
    resources_ = std::make_unique<ResourceService>(*store_, clock_, ids_,
                                                   std::vector<std::string>{kReserved});
  }

  ResourceId Resource(std::string name, std::string indicator) {
    auto r = resources_->CreateResource(
        {.name = std::move(name), .indicator = std::move(indicator)}, IdStyle::kLogto);
    EXPECT_TRUE(r) << ErrorText(r.error());
    return r ? r->id : ResourceId();
  }
  ResourceScopeId Scope(const ResourceId& resource, std::string name,
                        std::optional<std::string> description = std::nullopt) {
    auto s = resources_->CreateScope(
        resource, {.name = std::move(name), .description = std::move(description)},
        IdStyle::kLogto);
    EXPECT_TRUE(s) << ErrorText(s.error());
    return s ? s->id : ResourceScopeId();
  }
  std::vector<std::string> Names(const Page<ResourceScope>& page) {
    std::vector<std::string> names;
    for (const ResourceScope& s : page.items) names.push_back(s.name);
    return names;
  }

  std::unique_ptr<ResourceService> resources_;
};

using V = std::vector<std::string>;

TEST_F(ResourceServiceTest, CreateMintsIdsInTheCallersStyle) {
  auto logto = resources_->CreateResource({.name = "A", .indicator = "https://a"}, IdStyle::kLogto);
  ASSERT_OK(logto);
  EXPECT_EQ(logto->id.value().size(), 21u);
  EXPECT_EQ(logto->access_token_ttl, 3600);
  EXPECT_EQ(logto->created_at, clock_.NowMillis());
  auto kinde = resources_->CreateResource(
      {.name = "B", .indicator = "https://b", .access_token_ttl = 60}, IdStyle::kKinde);
  ASSERT_OK(kinde);
  EXPECT_EQ(kinde->id.value().size(), 32u);
  EXPECT_EQ(kinde->access_token_ttl, 60);
  auto scope = resources_->CreateScope(kinde->id, {.name = "read:x"}, IdStyle::kKinde);
  ASSERT_OK(scope);
  EXPECT_TRUE(scope->id.value().starts_with("api_scope_"));
  EXPECT_EQ(scope->id.value().size(), 42u);
}

TEST_F(ResourceServiceTest, IndicatorIsUniqueAndTheManagementApiIsReserved) {
  Resource("A", "https://a");
  ExpectError(resources_->CreateResource({.name = "B", .indicator = "https://a"}, IdStyle::kKinde),
              ErrorCode::kAlreadyExists, "resource", "indicator");
  ExpectError(resources_->CreateResource({.name = "M", .indicator = kReserved}, IdStyle::kLogto),
              ErrorCode::kAlreadyExists, "resource", "indicator");
  ExpectError(resources_->CreateResource({.name = "", .indicator = "x"}, IdStyle::kLogto),
              ErrorCode::kInvalidArgument, "name", "required");
  ExpectError(resources_->CreateResource({.name = "x", .indicator = ""}, IdStyle::kLogto),
              ErrorCode::kInvalidArgument, "indicator", "required");
  auto all = resources_->ListResources(ResourceSort::kCreatedAsc, false);
  ASSERT_OK(all);
  EXPECT_EQ(all->size(), 1u);
}

TEST_F(ResourceServiceTest, ScopeNamesAreUniquePerResourceWithoutWhitespace) {
  ResourceId a = Resource("A", "https://a"), b = Resource("B", "https://b");
  Scope(a, "read");
  Scope(b, "read");
  ExpectError(resources_->CreateScope(a, {.name = "read"}, IdStyle::kLogto),
              ErrorCode::kAlreadyExists, "resource_scope", "name");
  ExpectError(resources_->CreateScope(a, {.name = "read all"}, IdStyle::kLogto),
              ErrorCode::kInvalidArgument, "name", "whitespace");
  ExpectError(resources_->CreateScope(a, {.name = "tab\there"}, IdStyle::kLogto),
              ErrorCode::kInvalidArgument, "name", "whitespace");
  ExpectError(resources_->CreateScope(ResourceId("nope"), {.name = "x"}, IdStyle::kLogto),
              ErrorCode::kNotFound, "resource", "");
  EXPECT_EQ(resources_->ListScopes(a)->size(), 1u);
}

TEST_F(ResourceServiceTest, ScopeOfAnotherResourceIsNotFound) {
  ResourceId a = Resource("A", "https://a"), b = Resource("B", "https://b");
  ResourceScopeId s = Scope(a, "read");
  ExpectError(resources_->GetScope(b, s), ErrorCode::kNotFound, "resource_scope", "");
  ExpectError(resources_->UpdateScope(b, s, {.description = std::optional<std::string>("d")}),
              ErrorCode::kNotFound, "resource_scope", "");
  ExpectError(resources_->DeleteScope(b, s), ErrorCode::kNotFound, "resource_scope", "");
  ExpectError(resources_->GetScope(ResourceId("nope"), s), ErrorCode::kNotFound, "resource", "");
  ExpectError(resources_->ListScopes(ResourceId("nope")), ErrorCode::kNotFound, "resource", "");
  auto still = resources_->GetScope(a, s);
  ASSERT_OK(still);
  EXPECT_EQ(still->description, std::nullopt);
}

TEST_F(ResourceServiceTest, UpdateScopeSetsAndClearsTheDescription) {
  ResourceId a = Resource("A", "https://a");
  ResourceScopeId s = Scope(a, "read", "old");
  auto set = resources_->UpdateScope(a, s, {.description = std::optional<std::string>("new")});
  ASSERT_OK(set);
  EXPECT_EQ(set->description, "new");
  auto cleared = resources_->UpdateScope(
      a, s, {.description = std::optional<std::optional<std::string>>(std::in_place)});
  ASSERT_OK(cleared);
  EXPECT_EQ(cleared->description, std::nullopt);
  Scope(a, "write");
  ExpectError(resources_->UpdateScope(a, s, {.name = "write"}), ErrorCode::kAlreadyExists,
              "resource_scope", "name");
  auto unchanged = resources_->UpdateScope(a, s, {});
  ASSERT_OK(unchanged);
  EXPECT_EQ(unchanged->name, "read");
}

TEST_F(ResourceServiceTest, DeletingAResourceRemovesItsScopesFromRoles) {
  ResourceId a = Resource("A", "https://a"), b = Resource("B", "https://b");
  ResourceScopeId sa = Scope(a, "read"), sb = Scope(b, "read");
  ASSERT_OK(store_->InsertRole(Role{.id = RoleId("r1"), .key = "r1", .name = "r1"}));
  ASSERT_OK(store_->AddRoleResourceScopes(RoleId("r1"), {sa, sb}, 0));
  ASSERT_OK(resources_->DeleteResource(a));
  auto left = store_->ListRoleResourceScopes(RoleId("r1"));
  ASSERT_OK(left);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].scope.id, sb);
  ExpectError(resources_->GetScope(a, sa), ErrorCode::kNotFound, "resource", "");
  ASSERT_OK(resources_->DeleteScope(b, sb));
  EXPECT_TRUE(store_->ListRoleResourceScopes(RoleId("r1"))->empty());
  ExpectError(resources_->DeleteResource(a), ErrorCode::kNotFound, "resource", "");
}

TEST_F(ResourceServiceTest, ListResourcesInBothOrdersWithScopesOnRequest) {
  ResourceId z = Resource("zeta", "https://z");
  clock_.Advance(1);
  ResourceId a = Resource("Alpha", "https://a");
  Scope(z, "one");
  Scope(z, "two");
  auto created = resources_->ListResources(ResourceSort::kCreatedAsc, false);
  ASSERT_OK(created);
  ASSERT_EQ(created->size(), 2u);
  EXPECT_EQ((*created)[0].resource.id, z);
  EXPECT_TRUE((*created)[0].scopes.empty());
  auto named = resources_->ListResources(ResourceSort::kNameAsc, true);
  ASSERT_OK(named);
  ASSERT_EQ(named->size(), 2u);
  EXPECT_EQ((*named)[0].resource.id, a);
  ASSERT_EQ((*named)[1].scopes.size(), 2u);
  EXPECT_EQ((*named)[1].scopes[0].name, "one");
}

TEST_F(ResourceServiceTest, SearchScopesFiltersAndPages) {
  ResourceId a = Resource("A", "https://a");
  for (const char* name : {"read:users", "write:users", "read:orgs", "Admin"}) {
    Scope(a, name, std::string("about ") + name);
    clock_.Advance(1);
  }
  const PageRequest all{.limit = 100};
  auto like = resources_->SearchScopes(
      a, {.terms = {{.field = "", .mode = SearchMode::kLike, .values = {"%READ%"}}}}, all);
  ASSERT_OK(like);
  EXPECT_EQ(Names(*like), (V{"read:users", "read:orgs"}));
  EXPECT_EQ(like->total, 2);
  auto sensitive = resources_->SearchScopes(
      a, {.terms = {{.field = "name", .values = {"%READ%"}}}, .case_sensitive = true}, all);
  EXPECT_TRUE(sensitive->items.empty());
  auto exact = resources_->SearchScopes(
      a, {.terms = {{.field = "name", .mode = SearchMode::kExact, .values = {"admin"}}}}, all);
  EXPECT_EQ(Names(*exact), (V{"Admin"}));
  auto both = resources_->SearchScopes(a,
                                       {.terms = {{.field = "name", .values = {"read%"}},
                                                  {.field = "description", .values = {"%users"}}},
                                        .match_all_terms = true},
                                       all);
  EXPECT_EQ(Names(*both), (V{"read:users"}));
  auto either = resources_->SearchScopes(a,
                                         {.terms = {{.field = "name", .values = {"admin"}},
                                                    {.field = "description", .values = {"%orgs"}}}},
                                         all);
  EXPECT_EQ(Names(*either), (V{"read:orgs", "Admin"}));
  auto page2 = resources_->SearchScopes(a, {}, {.limit = 3, .offset = 3});
  ASSERT_OK(page2);
  EXPECT_EQ(Names(*page2), (V{"Admin"}));
  EXPECT_EQ(page2->total, 4);
  auto none = resources_->SearchScopes(ResourceId("nope"), {}, all);
  ASSERT_OK(none);
  EXPECT_EQ(none->total, 0);
}

TEST(TextSearchTest, LikeMatchesSqlWildcards) {
  EXPECT_TRUE(LikeMatch("read:users", "read%", false));
  EXPECT_TRUE(LikeMatch("read:users", "%USERS", false));
  EXPECT_FALSE(LikeMatch("read:users", "%USERS", true));
  EXPECT_TRUE(LikeMatch("read:users", "r_ad:%", false));
  EXPECT_FALSE(LikeMatch("read:users", "read", false));
  EXPECT_TRUE(LikeMatch("", "%", false));
  EXPECT_FALSE(LikeMatch("", "_", false));
  EXPECT_TRUE(LikeMatch("aXbXc", "%b%c", false));
  EXPECT_TRUE(LikeMatch("caf\xc3\xa9", "caf_", false));
  EXPECT_FALSE(LikeMatch("caf\xc3\xa9", "caf__", false));
  EXPECT_TRUE(LikeMatch("mississippi", "%iss%ppi", false));
  EXPECT_FALSE(LikeMatch("mississippi", "%iss%ppx", false));
}

}  // namespace
}  // namespace orgd::domain
