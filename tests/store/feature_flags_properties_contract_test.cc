// Store contract suite for feature flags, their organization overrides, property categories,
// properties and organization property values (migration 0003), on every backend of backends.h.
// Each test gets a fresh, migrated database.

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "domain/model/feature_flag.h"
#include "domain/model/organization.h"
#include "domain/model/property.h"
#include "store/sql/migrations.h"
#include "store/sql/sql_store.h"
#include "store/store.h"
#include "tests/store/backends.h"

namespace orgd::store {
namespace {

using namespace orgd::domain;  // NOLINT: test file
using testing::ErrorText;
using testing::ExpectError;

constexpr int64_t kT0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

FeatureFlag Flag(const std::string& key, FlagType type = FlagType::kStr,
                 std::string default_value = "d", int64_t created_at = kT0,
                 OverrideLevel level = OverrideLevel::kOrg) {
  return FeatureFlag{.key = FeatureFlagKey(key),
                     .name = "Flag " + key,
                     .description = std::nullopt,
                     .type = type,
                     .allow_override_level = level,
                     .default_value = std::move(default_value),
                     .created_at = created_at};
}

Property Prop(const std::string& id, const std::string& key, PropertyContext context,
              int64_t created_at = kT0, const std::string& category = "cat_1") {
  return Property{.id = PropertyId(id),
                  .key = key,
                  .name = "Property " + key,
                  .description = std::nullopt,
                  .type = PropertyType::kSingleLineText,
                  .context = context,
                  .is_private = false,
                  .category_id = PropertyCategoryId(category),
                  .created_at = created_at};
}

std::string Str(const FeatureFlag& f) {
  return f.key.value() + "|" + f.name + "|" + (f.description ? *f.description : "<null>") + "|" +
         std::string(FlagTypeName(f.type)) + "|" +
         std::string(OverrideLevelName(f.allow_override_level)) + "|" + f.default_value + "|" +
         std::to_string(f.created_at);
}

std::string Str(const Property& p) {
  return p.id.value() + "|" + p.key + "|" + p.name + "|" +
         (p.description ? *p.description : "<null>") + "|" + std::string(PropertyTypeName(p.type)) +
         "|" + std::string(PropertyContextName(p.context)) + "|" + (p.is_private ? "1" : "0") +
         "|" + p.category_id.value() + "|" + std::to_string(p.created_at);
}

template <typename T>
std::vector<std::string> Ids(const PropertyCursorPage<T>& page) {
  std::vector<std::string> ids;
  for (const T& item : page.items) ids.push_back(item.id.value());
  return ids;
}

class FeatureFlagsPropertiesContractTest : public testing::MigratedStoreTest {
 protected:
  void AddOrg(const std::string& id) {
    Organization org;
    org.id = OrgId(id);
    org.name = id;
    org.created_at = org.updated_at = kT0;
    ASSERT_OK(s().InsertOrganization(org));
  }
  void AddFlag(const FeatureFlag& flag) { ASSERT_OK(s().InsertFeatureFlag(flag)); }
  void AddCategory(const std::string& id, PropertyContext context = PropertyContext::kOrg,
                   int64_t created_at = kT0) {
    ASSERT_OK(s().InsertPropertyCategory(PropertyCategory{.id = PropertyCategoryId(id),
                                                             .name = "Category " + id,
                                                             .context = context,
                                                             .created_at = created_at}));
  }
  void AddProperty(const Property& property) { ASSERT_OK(s().InsertProperty(property)); }
  void SetOverride(const std::string& org, const std::string& key, const std::string& value) {
    ASSERT_OK(s().SetFeatureFlagOverride(
        OrgId(org), FeatureFlagOverride{.key = FeatureFlagKey(key), .value = value}));
  }

  // "key=value*" per flag of `org`, `*` marking an override.
  std::vector<std::string> OrgFlags(const std::string& org) {
    auto flags = s().ListOrgFeatureFlags(OrgId(org));
    EXPECT_TRUE(flags) << ErrorText(flags.error());
    std::vector<std::string> out;
    if (!flags) return out;
    for (const OrgFeatureFlag& f : *flags) {
      out.push_back(f.key.value() + "=" + f.value + (f.is_override ? "*" : ""));
    }
    return out;
  }
  // "key=value" per org-context property of `org`, "key=<null>" when unset.
  std::vector<std::string> OrgValues(const std::string& org) {
    auto values = s().ListOrgPropertyValues(OrgId(org));
    EXPECT_TRUE(values) << ErrorText(values.error());
    std::vector<std::string> out;
    if (!values) return out;
    for (const OrgPropertyValue& v : *values) {
      out.push_back(v.property.key + "=" + (v.value ? *v.value : "<null>"));
    }
    return out;
  }
  std::vector<std::string> PropertyIds(PropertyListQuery query) {
    auto page = s().ListProperties(query);
    EXPECT_TRUE(page) << ErrorText(page.error());
    return page ? Ids(*page) : std::vector<std::string>{};
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, FeatureFlagsPropertiesContractTest,
                         ::testing::ValuesIn(testing::AvailableBackends()), testing::BackendName);

// --- feature flag definitions ------------------------------------------------------------------

TEST_P(FeatureFlagsPropertiesContractTest, FlagRoundTripsEveryField) {
  FeatureFlag flag = Flag("beta", FlagType::kInt, "-42", kT0 + 7, OverrideLevel::kUsr);
  flag.description = "a description";
  AddFlag(flag);
  auto got = s().GetFeatureFlag(FeatureFlagKey("beta"));
  ASSERT_OK(got);
  EXPECT_EQ(Str(*got), Str(flag));
  AddFlag(Flag("plain"));
  got = s().GetFeatureFlag(FeatureFlagKey("plain"));
  ASSERT_OK(got);
  EXPECT_EQ(got->description, std::nullopt);
}

TEST_P(FeatureFlagsPropertiesContractTest, FlagKeyIsUniqueAndExact) {
  AddFlag(Flag("beta"));
  ExpectError(s().InsertFeatureFlag(Flag("beta")), ErrorCode::kAlreadyExists, "feature_flag",
              "feature_flag_key");
  AddFlag(Flag("Beta"));  // keys compare byte for byte
}

TEST_P(FeatureFlagsPropertiesContractTest, GetMissingFlagIsNotFound) {
  ExpectError(s().GetFeatureFlag(FeatureFlagKey("nope")), ErrorCode::kNotFound, "feature_flag", "");
  ExpectError(s().GetFeatureFlagForUpdate(FeatureFlagKey("nope")), ErrorCode::kNotFound,
              "feature_flag", "");
}

TEST_P(FeatureFlagsPropertiesContractTest, GetForUpdateReadsTheFlagInsideAWriteTransaction) {
  AddFlag(Flag("beta", FlagType::kBool, "true"));
  std::string seen;
  ASSERT_OK(s().InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    auto flag = tx.GetFeatureFlagForUpdate(FeatureFlagKey("beta"));
    if (!flag) return std::move(flag).error();
    seen = Str(*flag);
    return {};
  }));
  EXPECT_EQ(seen, Str(Flag("beta", FlagType::kBool, "true")));
  auto direct = s().GetFeatureFlagForUpdate(FeatureFlagKey("beta"));
  ASSERT_OK(direct);
  EXPECT_EQ(direct->default_value, "true");
}

TEST_P(FeatureFlagsPropertiesContractTest, UpdateReplacesTheDefinitionAndKeepsCreatedAt) {
  AddFlag(Flag("beta", FlagType::kStr, "x", kT0 + 3));
  FeatureFlag changed = Flag("beta", FlagType::kBool, "false", kT0 + 999, OverrideLevel::kEnv);
  changed.name = "Renamed";
  changed.description = "now described";
  ASSERT_OK(s().UpdateFeatureFlag(changed));
  auto got = s().GetFeatureFlag(FeatureFlagKey("beta"));
  ASSERT_OK(got);
  changed.created_at = kT0 + 3;
  EXPECT_EQ(Str(*got), Str(changed));
  ExpectError(s().UpdateFeatureFlag(Flag("nope")), ErrorCode::kNotFound, "feature_flag", "");
}

TEST_P(FeatureFlagsPropertiesContractTest, DeleteFlagRemovesItsOverrides) {
  AddOrg("o1");
  AddFlag(Flag("a"));
  AddFlag(Flag("b"));
  SetOverride("o1", "a", "x");
  SetOverride("o1", "b", "y");
  ASSERT_OK(s().DeleteFeatureFlag(FeatureFlagKey("a")));
  ExpectError(s().GetFeatureFlag(FeatureFlagKey("a")), ErrorCode::kNotFound, "feature_flag", "");
  EXPECT_EQ(OrgFlags("o1"), (std::vector<std::string>{"b=y*"}));
  // Re-creating the key does not bring the old override back.
  AddFlag(Flag("a"));
  EXPECT_EQ(OrgFlags("o1"), (std::vector<std::string>{"a=d", "b=y*"}));
  ExpectError(s().DeleteFeatureFlag(FeatureFlagKey("nope")), ErrorCode::kNotFound, "feature_flag",
              "");
}

TEST_P(FeatureFlagsPropertiesContractTest, FlagsListInCreationOrderThenKey) {
  AddFlag(Flag("c", FlagType::kStr, "d", kT0 + 1));
  AddFlag(Flag("b", FlagType::kStr, "d", kT0 + 2));
  AddFlag(Flag("a", FlagType::kStr, "d", kT0 + 2));
  auto flags = s().ListFeatureFlags();
  ASSERT_OK(flags);
  std::vector<std::string> keys;
  for (const FeatureFlag& f : *flags) keys.push_back(f.key.value());
  EXPECT_EQ(keys, (std::vector<std::string>{"c", "a", "b"}));
}

// --- organization overrides ----------------------------------------------------------------------

TEST_P(FeatureFlagsPropertiesContractTest, OrgFlagsGiveTheOverrideElseTheDefault) {
  AddOrg("o1");
  AddOrg("o2");
  AddFlag(Flag("a", FlagType::kStr, "da", kT0 + 1));
  AddFlag(Flag("b", FlagType::kBool, "false", kT0 + 2));
  SetOverride("o1", "b", "true");
  auto flags = s().ListOrgFeatureFlags(OrgId("o1"));
  ASSERT_OK(flags);
  ASSERT_EQ(flags->size(), 2u);
  EXPECT_EQ((*flags)[1].type, FlagType::kBool);
  EXPECT_EQ(OrgFlags("o1"), (std::vector<std::string>{"a=da", "b=true*"}));
  // Another organization sees only the defaults.
  EXPECT_EQ(OrgFlags("o2"), (std::vector<std::string>{"a=da", "b=false"}));
  EXPECT_EQ(OrgFlags("unknown"), (std::vector<std::string>{"a=da", "b=false"}));
}

TEST_P(FeatureFlagsPropertiesContractTest, SetOverrideInsertsThenReplaces) {
  AddOrg("o1");
  AddFlag(Flag("a"));
  SetOverride("o1", "a", "first");
  SetOverride("o1", "a", "second");
  EXPECT_EQ(OrgFlags("o1"), (std::vector<std::string>{"a=second*"}));
  auto values = s().ListFeatureFlagOverrideValues(FeatureFlagKey("a"));
  ASSERT_OK(values);
  EXPECT_EQ(*values, (std::vector<std::string>{"second"}));
}

TEST_P(FeatureFlagsPropertiesContractTest, SetOverrideNeedsTheOrganizationAndTheFlag) {
  AddOrg("o1");
  AddFlag(Flag("a"));
  ExpectError(s().SetFeatureFlagOverride(OrgId("nope"), {FeatureFlagKey("a"), "x"}),
              ErrorCode::kNotFound, "organization", "");
  ExpectError(s().SetFeatureFlagOverride(OrgId("o1"), {FeatureFlagKey("nope"), "x"}),
              ErrorCode::kNotFound, "feature_flag", "");
  EXPECT_EQ(OrgFlags("o1"), (std::vector<std::string>{"a=d"}));
}

TEST_P(FeatureFlagsPropertiesContractTest, DeleteOverrideReportsWhetherOneWasThere) {
  AddOrg("o1");
  AddOrg("o2");
  AddFlag(Flag("a"));
  SetOverride("o1", "a", "x");
  SetOverride("o2", "a", "y");
  auto removed = s().DeleteFeatureFlagOverride(OrgId("o1"), FeatureFlagKey("a"));
  ASSERT_OK(removed);
  EXPECT_TRUE(*removed);
  removed = s().DeleteFeatureFlagOverride(OrgId("o1"), FeatureFlagKey("a"));
  ASSERT_OK(removed);
  EXPECT_FALSE(*removed);
  EXPECT_EQ(OrgFlags("o1"), (std::vector<std::string>{"a=d"}));
  EXPECT_EQ(OrgFlags("o2"), (std::vector<std::string>{"a=y*"}));
}

TEST_P(FeatureFlagsPropertiesContractTest, DeleteOrgOverridesTouchesOnlyThatOrganization) {
  AddOrg("o1");
  AddOrg("o2");
  AddFlag(Flag("a", FlagType::kStr, "d", kT0 + 1));
  AddFlag(Flag("b", FlagType::kStr, "d", kT0 + 2));
  SetOverride("o1", "a", "x");
  SetOverride("o1", "b", "y");
  SetOverride("o2", "a", "z");
  auto removed = s().DeleteOrgFeatureFlagOverrides(OrgId("o1"));
  ASSERT_OK(removed);
  EXPECT_EQ(*removed, 2);
  EXPECT_EQ(OrgFlags("o1"), (std::vector<std::string>{"a=d", "b=d"}));
  EXPECT_EQ(OrgFlags("o2"), (std::vector<std::string>{"a=z*", "b=d"}));
  removed = s().DeleteOrgFeatureFlagOverrides(OrgId("o1"));
  ASSERT_OK(removed);
  EXPECT_EQ(*removed, 0);
}

TEST_P(FeatureFlagsPropertiesContractTest, DeleteOverridesOfFlagTouchesOnlyThatFlag) {
  AddOrg("o1");
  AddOrg("o2");
  AddFlag(Flag("a", FlagType::kStr, "d", kT0 + 1));
  AddFlag(Flag("b", FlagType::kStr, "d", kT0 + 2));
  SetOverride("o1", "a", "x");
  SetOverride("o2", "a", "y");
  SetOverride("o1", "b", "z");
  auto removed = s().DeleteFeatureFlagOverridesOfFlag(FeatureFlagKey("a"));
  ASSERT_OK(removed);
  EXPECT_EQ(*removed, 2);
  EXPECT_EQ(OrgFlags("o1"), (std::vector<std::string>{"a=d", "b=z*"}));
  EXPECT_EQ(OrgFlags("o2"), (std::vector<std::string>{"a=d", "b=d"}));
}

TEST_P(FeatureFlagsPropertiesContractTest, OverridesInAFailedTransactionAreRolledBack) {
  AddOrg("o1");
  AddFlag(Flag("a"));
  auto r = s().InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(tx.SetFeatureFlagOverride(OrgId("o1"), {FeatureFlagKey("a"), "x"}));
    return tx.SetFeatureFlagOverride(OrgId("o1"), {FeatureFlagKey("nope"), "y"});
  });
  ExpectError(r, ErrorCode::kNotFound, "feature_flag", "");
  EXPECT_EQ(OrgFlags("o1"), (std::vector<std::string>{"a=d"}));
}

// --- property categories -------------------------------------------------------------------------

TEST_P(FeatureFlagsPropertiesContractTest, CategoryRoundTripsAndRenames) {
  AddCategory("cat_1", PropertyContext::kUsr, kT0 + 4);
  auto got = s().GetPropertyCategory(PropertyCategoryId("cat_1"));
  ASSERT_OK(got);
  EXPECT_EQ(got->name, "Category cat_1");
  EXPECT_EQ(got->context, PropertyContext::kUsr);
  EXPECT_EQ(got->created_at, kT0 + 4);
  ASSERT_OK(s().RenamePropertyCategory(PropertyCategoryId("cat_1"), "Renamed"));
  got = s().GetPropertyCategory(PropertyCategoryId("cat_1"));
  ASSERT_OK(got);
  EXPECT_EQ(got->name, "Renamed");
  EXPECT_EQ(got->context, PropertyContext::kUsr);
}

TEST_P(FeatureFlagsPropertiesContractTest, CategoryErrors) {
  AddCategory("cat_1");
  ExpectError(s().InsertPropertyCategory(PropertyCategory{
                  .id = PropertyCategoryId("cat_1"), .name = "again", .created_at = kT0}),
              ErrorCode::kAlreadyExists, "property_category", "id");
  ExpectError(s().GetPropertyCategory(PropertyCategoryId("nope")), ErrorCode::kNotFound, "category",
              "");
  ExpectError(s().RenamePropertyCategory(PropertyCategoryId("nope"), "x"), ErrorCode::kNotFound,
              "category", "");
}

TEST_P(FeatureFlagsPropertiesContractTest, CategoriesPageByCursorWithAContextFilter) {
  AddCategory("cat_a", PropertyContext::kOrg, kT0 + 1);
  AddCategory("cat_b", PropertyContext::kUsr, kT0 + 2);
  AddCategory("cat_c", PropertyContext::kOrg, kT0 + 3);
  auto page = s().ListPropertyCategories({.page = {.limit = 2}});
  ASSERT_OK(page);
  EXPECT_EQ(Ids(*page), (std::vector<std::string>{"cat_a", "cat_b"}));
  EXPECT_TRUE(page->has_more);
  page = s().ListPropertyCategories({.page = {.limit = 2, .starting_after = "cat_b"}});
  ASSERT_OK(page);
  EXPECT_EQ(Ids(*page), (std::vector<std::string>{"cat_c"}));
  EXPECT_FALSE(page->has_more);
  page = s().ListPropertyCategories({.context = PropertyContext::kOrg, .page = {.limit = 10}});
  ASSERT_OK(page);
  EXPECT_EQ(Ids(*page), (std::vector<std::string>{"cat_a", "cat_c"}));
  page = s().ListPropertyCategories({.page = {.limit = 1, .ending_before = "cat_c"}});
  ASSERT_OK(page);
  EXPECT_EQ(Ids(*page), (std::vector<std::string>{"cat_b"}));
  EXPECT_TRUE(page->has_more);
  ExpectError(s().ListPropertyCategories({.page = {.limit = 1, .starting_after = "nope"}}),
              ErrorCode::kInvalidArgument, "starting_after", "invalid_cursor");
}

// --- property definitions ------------------------------------------------------------------------

TEST_P(FeatureFlagsPropertiesContractTest, PropertyRoundTripsEveryField) {
  AddCategory("cat_1");
  Property p = Prop("prop_1", "town", PropertyContext::kUsr, kT0 + 5);
  p.description = "Where it is";
  p.type = PropertyType::kMultiLineText;
  p.is_private = true;
  AddProperty(p);
  auto got = s().GetProperty(PropertyId("prop_1"));
  ASSERT_OK(got);
  EXPECT_EQ(Str(*got), Str(p));
  got = s().GetPropertyByKey("town");
  ASSERT_OK(got);
  EXPECT_EQ(Str(*got), Str(p));
  ExpectError(s().GetProperty(PropertyId("nope")), ErrorCode::kNotFound, "property", "");
  ExpectError(s().GetPropertyByKey("nope"), ErrorCode::kNotFound, "property", "");
}

TEST_P(FeatureFlagsPropertiesContractTest, PropertyInsertErrors) {
  AddCategory("cat_1");
  AddProperty(Prop("prop_1", "town", PropertyContext::kOrg));
  ExpectError(s().InsertProperty(Prop("prop_2", "town", PropertyContext::kOrg)),
              ErrorCode::kAlreadyExists, "property", "property_key");
  ExpectError(s().InsertProperty(Prop("prop_1", "city", PropertyContext::kOrg)),
              ErrorCode::kAlreadyExists, "property", "id");
  ExpectError(s().InsertProperty(Prop("prop_3", "x", PropertyContext::kOrg, kT0, "cat_nope")),
              ErrorCode::kNotFound, "category", "");
  EXPECT_EQ(PropertyIds({}), (std::vector<std::string>{"prop_1"}));
}

TEST_P(FeatureFlagsPropertiesContractTest, UpdatePropertyWritesTheChangeableFields) {
  AddCategory("cat_1");
  AddCategory("cat_2");
  Property p = Prop("prop_1", "town", PropertyContext::kOrg);
  p.description = "old";
  AddProperty(p);
  ASSERT_OK(s().UpdateProperty(
      PropertyId("prop_1"),
      PropertyUpdate{
          .name = "Town", .is_private = true, .category_id = PropertyCategoryId("cat_2")}));
  auto got = s().GetProperty(PropertyId("prop_1"));
  ASSERT_OK(got);
  EXPECT_EQ(got->name, "Town");
  EXPECT_TRUE(got->is_private);
  EXPECT_EQ(got->category_id.value(), "cat_2");
  EXPECT_EQ(got->description, "old");  // disengaged: unchanged
  EXPECT_EQ(got->key, "town");
  ASSERT_OK(s().UpdateProperty(
      PropertyId("prop_1"),
      PropertyUpdate{.name = "Town",
                     .category_id = PropertyCategoryId("cat_2"),
                     .description = std::optional<std::optional<std::string>>(std::in_place)}));
  got = s().GetProperty(PropertyId("prop_1"));
  ASSERT_OK(got);
  EXPECT_EQ(got->description, std::nullopt);
  EXPECT_FALSE(got->is_private);
}

TEST_P(FeatureFlagsPropertiesContractTest, UpdatePropertyReportsThePropertyBeforeTheCategory) {
  AddCategory("cat_1");
  AddProperty(Prop("prop_1", "town", PropertyContext::kOrg));
  ExpectError(s().UpdateProperty(
                  PropertyId("nope"),
                  PropertyUpdate{.name = "x", .category_id = PropertyCategoryId("cat_nope")}),
              ErrorCode::kNotFound, "property", "");
  ExpectError(s().UpdateProperty(
                  PropertyId("prop_1"),
                  PropertyUpdate{.name = "x", .category_id = PropertyCategoryId("cat_nope")}),
              ErrorCode::kNotFound, "category", "");
  auto got = s().GetProperty(PropertyId("prop_1"));
  ASSERT_OK(got);
  EXPECT_EQ(got->name, "Property town");
}

TEST_P(FeatureFlagsPropertiesContractTest, DeletePropertyRemovesItsValues) {
  AddOrg("o1");
  AddCategory("cat_1");
  AddProperty(Prop("prop_1", "a", PropertyContext::kOrg, kT0 + 1));
  AddProperty(Prop("prop_2", "b", PropertyContext::kOrg, kT0 + 2));
  ASSERT_OK(s().SetOrgPropertyValue(OrgId("o1"), PropertyId("prop_1"), "x"));
  ASSERT_OK(s().SetOrgPropertyValue(OrgId("o1"), PropertyId("prop_2"), "y"));
  ASSERT_OK(s().DeleteProperty(PropertyId("prop_1")));
  EXPECT_EQ(OrgValues("o1"), (std::vector<std::string>{"b=y"}));
  ExpectError(s().DeleteProperty(PropertyId("prop_1")), ErrorCode::kNotFound, "property", "");
}

TEST_P(FeatureFlagsPropertiesContractTest, PropertiesListInCreationOrderThenId) {
  AddCategory("cat_1");
  AddProperty(Prop("prop_c", "c", PropertyContext::kOrg, kT0 + 1));
  AddProperty(Prop("prop_b", "b", PropertyContext::kUsr, kT0 + 2));
  AddProperty(Prop("prop_a", "a", PropertyContext::kApp, kT0 + 2));
  EXPECT_EQ(PropertyIds({}), (std::vector<std::string>{"prop_c", "prop_a", "prop_b"}));
  EXPECT_EQ(PropertyIds({.context = PropertyContext::kUsr}), (std::vector<std::string>{"prop_b"}));
  EXPECT_EQ(PropertyIds({.context = PropertyContext::kApp}), (std::vector<std::string>{"prop_a"}));
}

TEST_P(FeatureFlagsPropertiesContractTest, PropertiesPageForwardAndBackward) {
  AddCategory("cat_1");
  for (int i = 0; i < 5; ++i) {
    AddProperty(
        Prop("prop_" + std::to_string(i), "k" + std::to_string(i), PropertyContext::kOrg, kT0 + i));
  }
  auto page = s().ListProperties({.page = {.limit = 2}});
  ASSERT_OK(page);
  EXPECT_EQ(Ids(*page), (std::vector<std::string>{"prop_0", "prop_1"}));
  EXPECT_TRUE(page->has_more);
  page = s().ListProperties({.page = {.limit = 2, .starting_after = "prop_1"}});
  ASSERT_OK(page);
  EXPECT_EQ(Ids(*page), (std::vector<std::string>{"prop_2", "prop_3"}));
  EXPECT_TRUE(page->has_more);
  page = s().ListProperties({.page = {.limit = 2, .starting_after = "prop_3"}});
  ASSERT_OK(page);
  EXPECT_EQ(Ids(*page), (std::vector<std::string>{"prop_4"}));
  EXPECT_FALSE(page->has_more);
  page = s().ListProperties({.page = {.limit = 2, .starting_after = "prop_4"}});
  ASSERT_OK(page);
  EXPECT_TRUE(page->items.empty());
  EXPECT_FALSE(page->has_more);

  page = s().ListProperties({.page = {.limit = 2, .ending_before = "prop_4"}});
  ASSERT_OK(page);
  EXPECT_EQ(Ids(*page), (std::vector<std::string>{"prop_2", "prop_3"}));
  EXPECT_TRUE(page->has_more);
  page = s().ListProperties({.page = {.limit = 2, .ending_before = "prop_2"}});
  ASSERT_OK(page);
  EXPECT_EQ(Ids(*page), (std::vector<std::string>{"prop_0", "prop_1"}));
  EXPECT_FALSE(page->has_more);
  page = s().ListProperties({.page = {.limit = 2, .ending_before = "prop_0"}});
  ASSERT_OK(page);
  EXPECT_TRUE(page->items.empty());
  EXPECT_FALSE(page->has_more);
}

TEST_P(FeatureFlagsPropertiesContractTest, ACursorOutsideTheFilterIsAValidPosition) {
  AddCategory("cat_1");
  AddProperty(Prop("prop_0", "k0", PropertyContext::kOrg, kT0 + 0));
  AddProperty(Prop("prop_1", "k1", PropertyContext::kUsr, kT0 + 1));
  AddProperty(Prop("prop_2", "k2", PropertyContext::kOrg, kT0 + 2));
  EXPECT_EQ(PropertyIds({.context = PropertyContext::kOrg, .page = {.starting_after = "prop_1"}}),
            (std::vector<std::string>{"prop_2"}));
  EXPECT_EQ(PropertyIds({.context = PropertyContext::kOrg, .page = {.ending_before = "prop_1"}}),
            (std::vector<std::string>{"prop_0"}));
}

TEST_P(FeatureFlagsPropertiesContractTest, CursorListErrors) {
  AddCategory("cat_1");
  AddProperty(Prop("prop_0", "k0", PropertyContext::kOrg));
  ExpectError(s().ListProperties({.page = {.starting_after = "nope"}}), ErrorCode::kInvalidArgument,
              "starting_after", "invalid_cursor");
  ExpectError(s().ListProperties({.page = {.ending_before = "nope"}}), ErrorCode::kInvalidArgument,
              "ending_before", "invalid_cursor");
  // A category id is no property cursor.
  ExpectError(s().ListProperties({.page = {.starting_after = "cat_1"}}),
              ErrorCode::kInvalidArgument, "starting_after", "invalid_cursor");
  ExpectError(s().ListProperties({.page = {.starting_after = "prop_0", .ending_before = "prop_0"}}),
              ErrorCode::kInvalidArgument, "starting_after", "too_many_parameters");
  ExpectError(s().ListProperties({.page = {.limit = 0}}), ErrorCode::kInvalidArgument, "limit", "");
}

// --- organization property values ----------------------------------------------------------------

TEST_P(FeatureFlagsPropertiesContractTest, OrgValuesListEveryOrgPropertyWithItsValue) {
  AddOrg("o1");
  AddOrg("o2");
  AddCategory("cat_1");
  AddProperty(Prop("prop_1", "a", PropertyContext::kOrg, kT0 + 1));
  AddProperty(Prop("prop_2", "u", PropertyContext::kUsr, kT0 + 2));
  AddProperty(Prop("prop_3", "b", PropertyContext::kOrg, kT0 + 3));
  ASSERT_OK(s().SetOrgPropertyValue(OrgId("o1"), PropertyId("prop_3"), "x"));
  EXPECT_EQ(OrgValues("o1"), (std::vector<std::string>{"a=<null>", "b=x"}));
  EXPECT_EQ(OrgValues("o2"), (std::vector<std::string>{"a=<null>", "b=<null>"}));
  auto values = s().ListOrgPropertyValues(OrgId("o1"));
  ASSERT_OK(values);
  ASSERT_EQ(values->size(), 2u);
  EXPECT_EQ(Str((*values)[1].property), Str(Prop("prop_3", "b", PropertyContext::kOrg, kT0 + 3)));
}

TEST_P(FeatureFlagsPropertiesContractTest, SetOrgValueReplacesAndClearRemoves) {
  AddOrg("o1");
  AddCategory("cat_1");
  AddProperty(Prop("prop_1", "a", PropertyContext::kOrg));
  ASSERT_OK(s().SetOrgPropertyValue(OrgId("o1"), PropertyId("prop_1"), "x"));
  ASSERT_OK(s().SetOrgPropertyValue(OrgId("o1"), PropertyId("prop_1"), "y"));
  EXPECT_EQ(OrgValues("o1"), (std::vector<std::string>{"a=y"}));
  ASSERT_OK(s().ClearOrgPropertyValue(OrgId("o1"), PropertyId("prop_1")));
  EXPECT_EQ(OrgValues("o1"), (std::vector<std::string>{"a=<null>"}));
  ASSERT_OK(s().ClearOrgPropertyValue(OrgId("o1"), PropertyId("prop_1")));  // nothing: success
}

TEST_P(FeatureFlagsPropertiesContractTest, SetOrgValueNeedsTheOrganizationAndTheProperty) {
  AddOrg("o1");
  AddCategory("cat_1");
  AddProperty(Prop("prop_1", "a", PropertyContext::kOrg));
  ExpectError(s().SetOrgPropertyValue(OrgId("nope"), PropertyId("prop_1"), "x"),
              ErrorCode::kNotFound, "organization", "");
  ExpectError(s().SetOrgPropertyValue(OrgId("o1"), PropertyId("nope"), "x"), ErrorCode::kNotFound,
              "property", "");
}

// --- cascades ------------------------------------------------------------------------------------

TEST_P(FeatureFlagsPropertiesContractTest, DeletingAnOrganizationRemovesItsOverridesAndValues) {
  AddOrg("o1");
  AddOrg("o2");
  AddFlag(Flag("a"));
  AddCategory("cat_1");
  AddProperty(Prop("prop_1", "p", PropertyContext::kOrg));
  SetOverride("o1", "a", "x");
  SetOverride("o2", "a", "y");
  ASSERT_OK(s().SetOrgPropertyValue(OrgId("o1"), PropertyId("prop_1"), "v1"));
  ASSERT_OK(s().SetOrgPropertyValue(OrgId("o2"), PropertyId("prop_1"), "v2"));
  ASSERT_OK(s().DeleteOrganization(OrgId("o1")));
  auto values = s().ListFeatureFlagOverrideValues(FeatureFlagKey("a"));
  ASSERT_OK(values);
  EXPECT_EQ(*values, (std::vector<std::string>{"y"}));
  // A new organization with the old id starts clean.
  AddOrg("o1");
  EXPECT_EQ(OrgFlags("o1"), (std::vector<std::string>{"a=d"}));
  EXPECT_EQ(OrgValues("o1"), (std::vector<std::string>{"p=<null>"}));
  EXPECT_EQ(OrgValues("o2"), (std::vector<std::string>{"p=v2"}));
}

}  // namespace
}  // namespace orgd::store
