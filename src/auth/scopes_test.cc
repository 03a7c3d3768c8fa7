#include <algorithm>
#include <regex>
#include <string>

#include <gtest/gtest.h>

#include "auth/token_service.h"

namespace orgd::auth {
namespace {

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(ScopesTest, KindeScopesAreTheSeventyFiveOfTheContract) {
  EXPECT_EQ(KindeScopes().size(), 75u);
}

TEST(ScopesTest, KindeScopesAreSortedWithoutDuplicates) {
  const auto& scopes = KindeScopes();
  EXPECT_TRUE(std::is_sorted(scopes.begin(), scopes.end()));
  EXPECT_EQ(std::adjacent_find(scopes.begin(), scopes.end()), scopes.end());
}

TEST(ScopesTest, KindeScopesAreVerbColonNoun) {
  const std::regex shape("(create|read|update|delete):[a-z_]+");
  for (const auto& s : KindeScopes()) EXPECT_TRUE(std::regex_match(s, shape)) << s;
}

TEST(ScopesTest, KindeScopesKeepTheQuirkySpellings) {
  const auto& scopes = KindeScopes();
  for (const char* s :
       {"delete:apis_scopes", "delete:apis_application_scopes", "create:api_application_scopes",
        "delete:organization_handles", "read:organization_user_roles", "update:organizations",
        "read:organizations", "update:organization_mfa", "read:organization_passkey",
        "update:organization_passkey", "delete:organization_user_mfa", "read:property_categories",
        "update:role_permissions", "update:apis"}) {
    EXPECT_TRUE(Has(scopes, s)) << s;
  }
  // The regular-looking spellings that Kinde does not use.
  for (const char* s : {"delete:api_scopes", "delete:api_application_scopes",
                        "delete:organization_handle", "read:logos", "all"}) {
    EXPECT_FALSE(Has(scopes, s)) << s;
  }
}

TEST(ScopesTest, AllScopesIsAllPlusKindeScopesSorted) {
  auto all = AllScopes();
  EXPECT_EQ(all.size(), KindeScopes().size() + 1);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_TRUE(Has(all, "all"));
  for (const auto& s : KindeScopes()) EXPECT_TRUE(Has(all, s)) << s;
}

}  // namespace
}  // namespace orgd::auth
