// FeatureFlagService, PropertyService and feature flags on OrganizationService::Create, on a real
// SqliteStore (":memory:").

#include "domain/feature_flag_service.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/id_generator.h"
#include "domain/key_rules.h"
#include "domain/organization_service.h"
#include "domain/property_service.h"
#include "store/sql/migrations.h"
#include "store/sql/sql_store.h"
#include "store/sqlite/sqlite_db.h"
#include "tests/support/domain_store_test.h"

namespace orgd::domain {
namespace {

using testing::ErrorText;
using testing::ExpectError;

TEST(FlagValueTest, BoolAcceptsExactlyTrueAndFalse) {
  EXPECT_TRUE(IsValidFlagValue(FlagType::kBool, "true"));
  EXPECT_TRUE(IsValidFlagValue(FlagType::kBool, "false"));
  for (const char* bad : {"", "True", "FALSE", "1", "0", "yes", " true", "true "}) {
    EXPECT_FALSE(IsValidFlagValue(FlagType::kBool, bad)) << bad;
  }
}

TEST(FlagValueTest, IntIsAnOptionalMinusAndDigits) {
  for (const char* good : {"0", "7", "-7", "007", "123456789012345678901234567890"}) {
    EXPECT_TRUE(IsValidFlagValue(FlagType::kInt, good)) << good;
  }
  for (const char* bad : {"", "-", "+1", "1.0", "1e3", " 1", "1 ", "--1", "0x1", "١"}) {
    EXPECT_FALSE(IsValidFlagValue(FlagType::kInt, bad)) << bad;
  }
}

TEST(FlagValueTest, StrAcceptsAnything) {
  for (const char* any : {"", "x", "true", "-1", "  spaced  ", "ünï"}) {
    EXPECT_TRUE(IsValidFlagValue(FlagType::kStr, any)) << any;
  }
}

TEST(KeyRuleTest, KeysAreNonEmptyWithoutWhitespace) {
  EXPECT_TRUE(IsValidKey("beta_flag"));
  EXPECT_TRUE(IsValidKey("kp:town.v2"));
  for (const char* bad : {"", " ", "a b", "a\tb", "a\n", "\rb"})
    EXPECT_FALSE(IsValidKey(bad)) << bad;
}

TEST(FlagNamesTest, RoundTrip) {
  for (FlagType t : {FlagType::kStr, FlagType::kInt, FlagType::kBool}) {
    EXPECT_EQ(ParseFlagType(FlagTypeName(t)), t);
  }
  for (OverrideLevel l : {OverrideLevel::kEnv, OverrideLevel::kOrg, OverrideLevel::kUsr}) {
    EXPECT_EQ(ParseOverrideLevel(OverrideLevelName(l)), l);
  }
  for (PropertyContext c : {PropertyContext::kOrg, PropertyContext::kUsr, PropertyContext::kApp}) {
    EXPECT_EQ(ParsePropertyContext(PropertyContextName(c)), c);
  }
  for (PropertyType t : {PropertyType::kSingleLineText, PropertyType::kMultiLineText}) {
    EXPECT_EQ(ParsePropertyType(PropertyTypeName(t)), t);
  }
  EXPECT_EQ(ParseFlagType("Str"), std::nullopt);
  EXPECT_EQ(ParseOverrideLevel(""), std::nullopt);
  EXPECT_EQ(ParsePropertyContext("organization"), std::nullopt);
  EXPECT_EQ(ParsePropertyType("text"), std::nullopt);
  EXPECT_FALSE(AllowsOrgOverride(OverrideLevel::kEnv));
  EXPECT_TRUE(AllowsOrgOverride(OverrideLevel::kOrg));
  EXPECT_TRUE(AllowsOrgOverride(OverrideLevel::kUsr));
}

class FeatureFlagServiceTest : public testing::SqliteStoreTest {
 protected:
  void SetUp() override {
    SqliteStoreTest::SetUp();
    if (HasFatalFailure()) return;
    orgs_ = std::make_unique<OrganizationService>(*store_, clock_, ids_);
    flags_ = std::make_unique<FeatureFlagService>(*store_, clock_);
    properties_ = std::make_unique<PropertyService>(*store_, clock_, ids_);
  }

  OrgId NewOrg() {
    CreateOrganizationInput input;
    input.fields.name = "Acme";
    auto org = orgs_->Create(input, IdStyle::kKinde);
    EXPECT_TRUE(org) << ErrorText(org.error());
    return org ? org->id : OrgId();
  }
  void NewFlag(const std::string& key, FlagType type, const std::string& default_value,
               OverrideLevel level = OverrideLevel::kOrg) {
    ASSERT_OK(flags_->Create(FeatureFlag{.key = FeatureFlagKey(key),
                                            .name = "Flag " + key,
                                            .type = type,
                                            .allow_override_level = level,
                                            .default_value = default_value}));
  }
  std::string Value(const OrgId& org, const std::string& key) {
    auto flags = flags_->ListForOrganization(org);
    EXPECT_TRUE(flags) << ErrorText(flags.error());
    if (!flags) return "<error>";
    for (const OrgFeatureFlag& f : *flags) {
      if (f.key.value() == key) return f.value;
    }
    return "<absent>";
  }

  std::unique_ptr<OrganizationService> orgs_;
  std::unique_ptr<FeatureFlagService> flags_;
  std::unique_ptr<PropertyService> properties_;
};

TEST_F(FeatureFlagServiceTest, CreateStampsTheClockAndValidates) {
  clock_.Set(1'800'000'000'000);
  auto created = flags_->Create(FeatureFlag{.key = FeatureFlagKey("beta"),
                                            .name = "Beta",
                                            .type = FlagType::kInt,
                                            .default_value = "5",
                                            .created_at = 1});
  ASSERT_OK(created);
  EXPECT_EQ(created->created_at, 1'800'000'000'000);
  ExpectError(flags_->Create(FeatureFlag{.key = FeatureFlagKey("x"), .name = ""}),
              ErrorCode::kInvalidArgument, "name", "required");
  ExpectError(flags_->Create(FeatureFlag{.key = FeatureFlagKey(""), .name = "n"}),
              ErrorCode::kInvalidArgument, "key", "required");
  ExpectError(flags_->Create(FeatureFlag{.key = FeatureFlagKey("a b"), .name = "n"}),
              ErrorCode::kInvalidArgument, "key", "");
  ExpectError(
      flags_->Create(FeatureFlag{
          .key = FeatureFlagKey("x"), .name = "n", .type = FlagType::kBool, .default_value = "1"}),
      ErrorCode::kInvalidArgument, "default_value", "invalid_value");
  ExpectError(flags_->Create(FeatureFlag{.key = FeatureFlagKey("beta"), .name = "n"}),
              ErrorCode::kAlreadyExists, "feature_flag", "feature_flag_key");
}

TEST_F(FeatureFlagServiceTest, OverrideRules) {
  NewFlag("b", FlagType::kBool, "false");
  NewFlag("env", FlagType::kStr, "x", OverrideLevel::kEnv);
  NewFlag("usr", FlagType::kStr, "x", OverrideLevel::kUsr);
  OrgId org = NewOrg();
  ASSERT_OK(flags_->SetOverride(org, {FeatureFlagKey("b"), "true"}));
  EXPECT_EQ(Value(org, "b"), "true");
  ASSERT_OK(flags_->SetOverride(org, {FeatureFlagKey("usr"), "y"}));
  ExpectError(flags_->SetOverride(org, {FeatureFlagKey("b"), "maybe"}), ErrorCode::kInvalidArgument,
              "value", "invalid_value");
  auto refused = flags_->SetOverride(org, {FeatureFlagKey("env"), "y"});
  ExpectError(refused, ErrorCode::kFailedPrecondition, "", "feature_flag_override_not_allowed");
  EXPECT_EQ(refused.error().message, "Feature flag cannot be overridden for organizations");
  ExpectError(flags_->SetOverride(org, {FeatureFlagKey("nope"), "y"}), ErrorCode::kNotFound,
              "feature_flag", "");
  // The organization is checked first.
  ExpectError(flags_->SetOverride(OrgId("org_nope"), {FeatureFlagKey("nope"), "y"}),
              ErrorCode::kNotFound, "organization", "");
  EXPECT_EQ(Value(org, "b"), "true");
  EXPECT_EQ(Value(org, "env"), "x");
}

TEST_F(FeatureFlagServiceTest, DeleteOverrideChecksTheOrganizationAndTheFlag) {
  NewFlag("b", FlagType::kBool, "false");
  OrgId org = NewOrg();
  ASSERT_OK(flags_->DeleteOverride(org, FeatureFlagKey("b")));  // none: success
  ExpectError(flags_->DeleteOverride(org, FeatureFlagKey("nope")), ErrorCode::kNotFound,
              "feature_flag", "");
  ExpectError(flags_->DeleteOverride(OrgId("org_nope"), FeatureFlagKey("b")), ErrorCode::kNotFound,
              "organization", "");
  ExpectError(flags_->DeleteOverrides(OrgId("org_nope")), ErrorCode::kNotFound, "organization", "");
  ExpectError(flags_->ListForOrganization(OrgId("org_nope")), ErrorCode::kNotFound, "organization",
              "");
}

TEST_F(FeatureFlagServiceTest, UpdateChecksOverridesOnATypeChange) {
  NewFlag("n", FlagType::kStr, "1");
  OrgId org = NewOrg();
  ASSERT_OK(flags_->SetOverride(org, {FeatureFlagKey("n"), "many"}));
  FeatureFlag to_int{.key = FeatureFlagKey("n"),
                     .name = "N",
                     .description = "d",
                     .type = FlagType::kInt,
                     .default_value = "2"};
  ExpectError(flags_->Update(to_int), ErrorCode::kInvalidArgument, "type", "invalid_value");
  EXPECT_EQ(Value(org, "n"), "many");
  // Dropping organization overrides in the same update makes the change possible.
  to_int.allow_override_level = OverrideLevel::kEnv;
  auto updated = flags_->Update(to_int);
  ASSERT_OK(updated);
  EXPECT_EQ(updated->created_at, clock_.NowMillis());
  EXPECT_EQ(Value(org, "n"), "2");
  ExpectError(flags_->Update(FeatureFlag{.key = FeatureFlagKey("nope"), .name = "n"}),
              ErrorCode::kNotFound, "feature_flag", "");
  ExpectError(
      flags_->Update(FeatureFlag{
          .key = FeatureFlagKey("n"), .name = "n", .type = FlagType::kInt, .default_value = "x"}),
      ErrorCode::kInvalidArgument, "default_value", "invalid_value");
}

TEST_F(FeatureFlagServiceTest, OrganizationCreateWritesOverridesAtomically) {
  NewFlag("b", FlagType::kBool, "false");
  CreateOrganizationInput input;
  input.fields.name = "Acme";
  input.fields.handle = "acme";
  input.feature_flags = {{FeatureFlagKey("b"), "true"}, {FeatureFlagKey("nope"), "x"}};
  ExpectError(orgs_->Create(input, IdStyle::kKinde), ErrorCode::kNotFound, "feature_flag", "");
  auto listed = orgs_->List({});
  ASSERT_OK(listed);
  EXPECT_TRUE((*listed)->items.empty());
  input.feature_flags = {{FeatureFlagKey("b"), "true"}};
  auto created = orgs_->Create(input, IdStyle::kKinde);  // the handle was never taken
  ASSERT_OK(created);
  EXPECT_EQ(Value(created->id, "b"), "true");
}

TEST_F(FeatureFlagServiceTest, PropertyValuesAreAllOrNothing) {
  auto category = properties_->CreateCategory("General", PropertyContext::kOrg, IdStyle::kKinde);
  ASSERT_OK(category);
  EXPECT_EQ(category->id.value().substr(0, 4), "cat_");
  for (auto [key, context] :
       {std::pair{"a", PropertyContext::kOrg}, std::pair{"u", PropertyContext::kUsr}}) {
    auto property = properties_->Create(
        CreatePropertyInput{
            .key = key, .name = key, .context = context, .category_id = category->id},
        IdStyle::kKinde);
    ASSERT_OK(property);
    EXPECT_EQ(property->id.value().size(), 37u);
  }
  OrgId org = NewOrg();
  ExpectError(properties_->SetOrgValues(org, {{"a", "x"}, {"nope", "y"}}), ErrorCode::kNotFound,
              "property", "");
  ExpectError(properties_->SetOrgValues(org, {{"a", "x"}, {"u", "y"}}), ErrorCode::kInvalidArgument,
              "context", "");
  auto values = properties_->ListOrgValues(org);
  ASSERT_OK(values);
  ASSERT_EQ(values->size(), 1u);
  EXPECT_EQ((*values)[0].value, std::nullopt);
  ExpectError(properties_->SetOrgValues(OrgId("org_nope"), {{"a", "x"}}), ErrorCode::kNotFound,
              "organization", "");
  ExpectError(properties_->Create(
                  CreatePropertyInput{.key = "has space", .name = "n", .category_id = category->id},
                  IdStyle::kKinde),
              ErrorCode::kInvalidArgument, "key", "");
  ExpectError(properties_->CreateCategory("", PropertyContext::kOrg, IdStyle::kKinde),
              ErrorCode::kInvalidArgument, "name", "required");
}

}  // namespace
}  // namespace orgd::domain
