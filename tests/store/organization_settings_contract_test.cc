// Store contract suite for organization logos and settings rows (migration 0006), on every
// backend of backends.h. Each test gets a fresh, migrated database.

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "domain/model/organization.h"
#include "domain/model/organization_settings.h"
#include "store/sql/migrations.h"
#include "store/sql/sql_store.h"
#include "store/store.h"
#include "store/tx_mode.h"
#include "tests/store/backends.h"

namespace orgd::store {
namespace {

using namespace orgd::domain;          // NOLINT: test file
using namespace std::string_literals;  // NOLINT: test file
using testing::ErrorText;
using testing::ExpectError;

constexpr int64_t kT0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

// Every byte value, NULs and CR/LF included: what a BLOB / bytea must keep exactly.
std::string AllBytes(size_t repeat = 1) {
  std::string out;
  for (size_t r = 0; r < repeat; ++r) {
    for (int i = 0; i < 256; ++i) out.push_back(static_cast<char>(i));
  }
  return out;
}

OrganizationLogo Logo(LogoType type, std::string bytes, std::optional<std::string> file_name = "f",
                      int64_t at = kT0) {
  OrganizationLogo logo;
  logo.info = OrganizationLogoInfo{.type = type,
                                   .file_name = std::move(file_name),
                                   .content_type = "image/png",
                                   .content_hash = "hash-" + std::to_string(bytes.size()),
                                   .byte_size = static_cast<int64_t>(bytes.size()),
                                   .updated_at = at};
  logo.bytes = std::move(bytes);
  return logo;
}

class OrganizationSettingsContractTest : public testing::MigratedStoreTest {
 protected:
  void SetUp() override {
    MigratedStoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    AddOrg("org_a");
    AddOrg("org_b");
  }

  void AddOrg(const std::string& id) {
    Organization org;
    org.id = OrgId(id);
    org.name = id;
    org.created_at = org.updated_at = kT0;
    ASSERT_OK(s().InsertOrganization(org));
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, OrganizationSettingsContractTest,
                         ::testing::ValuesIn(testing::AvailableBackends()), testing::BackendName);

// --- logos -------------------------------------------------------------------------------------

TEST_P(OrganizationSettingsContractTest, PutAndGetLogoKeepsEveryByte) {
  const std::string bytes = AllBytes(4096);  // 1 MiB
  ASSERT_OK(
      s().PutOrganizationLogo(OrgId("org_a"), Logo(LogoType::kLight, bytes, "l\xC3\xA9.png")));
  auto logo = s().GetOrganizationLogo(OrgId("org_a"), LogoType::kLight);
  ASSERT_OK(logo);
  EXPECT_EQ(logo->bytes.size(), bytes.size());
  EXPECT_TRUE(logo->bytes == bytes);
  EXPECT_EQ(logo->info.type, LogoType::kLight);
  EXPECT_EQ(logo->info.file_name, "l\xC3\xA9.png");
  EXPECT_EQ(logo->info.content_type, "image/png");
  EXPECT_EQ(logo->info.content_hash, "hash-1048576");
  EXPECT_EQ(logo->info.byte_size, 1 << 20);
  EXPECT_EQ(logo->info.updated_at, kT0);
}

TEST_P(OrganizationSettingsContractTest, PutLogoReplacesTheSameType) {
  ASSERT_OK(s().PutOrganizationLogo(OrgId("org_a"), Logo(LogoType::kDark, "first")));
  ASSERT_OK(s().PutOrganizationLogo(OrgId("org_a"),
                                       Logo(LogoType::kDark, "second!", std::nullopt, kT0 + 5)));
  auto logo = s().GetOrganizationLogo(OrgId("org_a"), LogoType::kDark);
  ASSERT_OK(logo);
  EXPECT_EQ(logo->bytes, "second!");
  EXPECT_EQ(logo->info.file_name, std::nullopt);
  EXPECT_EQ(logo->info.content_hash, "hash-7");
  EXPECT_EQ(logo->info.byte_size, 7);
  EXPECT_EQ(logo->info.updated_at, kT0 + 5);
  auto listed = s().ListOrganizationLogos(OrgId("org_a"));
  ASSERT_OK(listed);
  EXPECT_EQ(listed->size(), 1u);
}

TEST_P(OrganizationSettingsContractTest, PutLogoOfAMissingOrganizationIsNotFound) {
  ExpectError(s().PutOrganizationLogo(OrgId("org_zz"), Logo(LogoType::kLight, "x")),
              ErrorCode::kNotFound, "organization");
  auto listed = s().ListOrganizationLogos(OrgId("org_zz"));
  ASSERT_OK(listed);
  EXPECT_TRUE(listed->empty());
}

TEST_P(OrganizationSettingsContractTest, GetMissingLogoIsNotFound) {
  ExpectError(s().GetOrganizationLogo(OrgId("org_a"), LogoType::kLight), ErrorCode::kNotFound,
              "logo");
  ExpectError(s().GetOrganizationLogo(OrgId("org_zz"), LogoType::kLight), ErrorCode::kNotFound,
              "logo");
}

TEST_P(OrganizationSettingsContractTest, ListLogosIsLightFirstAndScopedToTheOrganization) {
  ASSERT_OK(s().PutOrganizationLogo(OrgId("org_a"), Logo(LogoType::kDark, "dd")));
  ASSERT_OK(s().PutOrganizationLogo(OrgId("org_a"), Logo(LogoType::kLight, "lll", "light.svg")));
  ASSERT_OK(s().PutOrganizationLogo(OrgId("org_b"), Logo(LogoType::kLight, "b")));
  auto listed = s().ListOrganizationLogos(OrgId("org_a"));
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].type, LogoType::kLight);
  EXPECT_EQ((*listed)[0].file_name, "light.svg");
  EXPECT_EQ((*listed)[0].byte_size, 3);
  EXPECT_EQ((*listed)[1].type, LogoType::kDark);
  EXPECT_EQ((*listed)[1].byte_size, 2);
  auto other = s().GetOrganizationLogo(OrgId("org_b"), LogoType::kLight);
  ASSERT_OK(other);
  EXPECT_EQ(other->bytes, "b");
  ExpectError(s().GetOrganizationLogo(OrgId("org_b"), LogoType::kDark), ErrorCode::kNotFound,
              "logo");
}

TEST_P(OrganizationSettingsContractTest, DeleteLogoReportsWhetherOneWasThere) {
  ASSERT_OK(s().PutOrganizationLogo(OrgId("org_a"), Logo(LogoType::kLight, "x")));
  ASSERT_OK(s().PutOrganizationLogo(OrgId("org_b"), Logo(LogoType::kLight, "y")));
  auto removed = s().DeleteOrganizationLogo(OrgId("org_a"), LogoType::kLight);
  ASSERT_OK(removed);
  EXPECT_TRUE(*removed);
  auto again = s().DeleteOrganizationLogo(OrgId("org_a"), LogoType::kLight);
  ASSERT_OK(again);
  EXPECT_FALSE(*again);
  // The other organization's logo of the same type stays.
  ASSERT_OK(s().GetOrganizationLogo(OrgId("org_b"), LogoType::kLight));
}

TEST_P(OrganizationSettingsContractTest, DeletingTheOrganizationRemovesLogosAndSettings) {
  ASSERT_OK(s().PutOrganizationLogo(OrgId("org_a"), Logo(LogoType::kLight, "x")));
  ASSERT_OK(s().PutOrganizationLogo(OrgId("org_a"), Logo(LogoType::kDark, "y")));
  OrganizationSettings settings;
  settings.passkey_override = PasskeyPolicy::kMandatory;
  ASSERT_OK(s().PutOrganizationSettings(OrgId("org_a"), settings, kT0));
  ASSERT_OK(s().DeleteOrganization(OrgId("org_a")));
  AddOrg("org_a");  // the same id again starts empty: no orphan rows were left
  auto listed = s().ListOrganizationLogos(OrgId("org_a"));
  ASSERT_OK(listed);
  EXPECT_TRUE(listed->empty());
  auto read = s().GetOrganizationSettings(OrgId("org_a"));
  ASSERT_OK(read);
  EXPECT_EQ(read->passkey_override, std::nullopt);
  EXPECT_EQ(read->updated_at, 0);
}

// --- settings rows -----------------------------------------------------------------------------

TEST_P(OrganizationSettingsContractTest, SettingsDefaultWhenNeverWritten) {
  auto read = s().GetOrganizationSettings(OrgId("org_a"));
  ASSERT_OK(read);
  EXPECT_FALSE(read->sessions.is_use_org_sso_session_policy);
  EXPECT_EQ(read->sessions.sso_session_persistence_mode, SessionPersistenceMode::kPersistent);
  EXPECT_FALSE(read->sessions.is_use_org_authenticated_session_lifetime);
  EXPECT_EQ(read->sessions.authenticated_session_lifetime, std::nullopt);
  EXPECT_FALSE(read->mfa.has_value());
  EXPECT_EQ(read->passkey_override, std::nullopt);
  EXPECT_EQ(read->updated_at, 0);
}

TEST_P(OrganizationSettingsContractTest, SettingsRoundTripEveryField) {
  OrganizationSettings settings;
  settings.sessions = SessionPolicy{
      .is_use_org_sso_session_policy = true,
      .sso_session_persistence_mode = SessionPersistenceMode::kNonPersistent,
      .is_use_org_authenticated_session_lifetime = true,
      .authenticated_session_lifetime = 86'400'000'000,
  };
  settings.mfa = OrganizationMfaConfig{
      .enabled_factors = {OrganizationMfaFactor::kAuthenticatorApp, OrganizationMfaFactor::kEmail,
                          OrganizationMfaFactor::kSms},
      .is_recovery_codes_enabled = false,
  };
  settings.passkey_override = PasskeyPolicy::kOptional;
  settings.updated_at = 42;  // ignored: the store writes now_ms
  ASSERT_OK(s().PutOrganizationSettings(OrgId("org_a"), settings, kT0 + 9));
  auto read = s().GetOrganizationSettings(OrgId("org_a"));
  ASSERT_OK(read);
  EXPECT_TRUE(read->sessions.is_use_org_sso_session_policy);
  EXPECT_EQ(read->sessions.sso_session_persistence_mode, SessionPersistenceMode::kNonPersistent);
  EXPECT_TRUE(read->sessions.is_use_org_authenticated_session_lifetime);
  EXPECT_EQ(read->sessions.authenticated_session_lifetime, 86'400'000'000);
  ASSERT_TRUE(read->mfa.has_value());
  EXPECT_EQ(read->mfa->enabled_factors, settings.mfa->enabled_factors);
  EXPECT_FALSE(read->mfa->is_recovery_codes_enabled);
  EXPECT_EQ(read->passkey_override, PasskeyPolicy::kOptional);
  EXPECT_EQ(read->updated_at, kT0 + 9);
  // The other organization keeps its defaults.
  auto other = s().GetOrganizationSettings(OrgId("org_b"));
  ASSERT_OK(other);
  EXPECT_EQ(other->updated_at, 0);
  EXPECT_FALSE(other->mfa.has_value());
}

TEST_P(OrganizationSettingsContractTest, AnEmptyFactorListIsAConfiguredMfa) {
  OrganizationSettings settings;
  settings.mfa = OrganizationMfaConfig{};
  ASSERT_OK(s().PutOrganizationSettings(OrgId("org_a"), settings, kT0));
  auto read = s().GetOrganizationSettings(OrgId("org_a"));
  ASSERT_OK(read);
  ASSERT_TRUE(read->mfa.has_value());
  EXPECT_TRUE(read->mfa->enabled_factors.empty());
  EXPECT_TRUE(read->mfa->is_recovery_codes_enabled);
}

TEST_P(OrganizationSettingsContractTest, PutSettingsReplacesTheWholeRow) {
  OrganizationSettings first;
  first.passkey_override = PasskeyPolicy::kMandatory;
  first.mfa = OrganizationMfaConfig{.enabled_factors = {OrganizationMfaFactor::kSms}};
  ASSERT_OK(s().PutOrganizationSettings(OrgId("org_a"), first, kT0));
  ASSERT_OK(s().PutOrganizationSettings(OrgId("org_a"), OrganizationSettings{}, kT0 + 1));
  auto read = s().GetOrganizationSettings(OrgId("org_a"));
  ASSERT_OK(read);
  EXPECT_EQ(read->passkey_override, std::nullopt);
  EXPECT_FALSE(read->mfa.has_value());
  EXPECT_EQ(read->updated_at, kT0 + 1);
}

TEST_P(OrganizationSettingsContractTest, PutSettingsOfAMissingOrganizationIsNotFound) {
  ExpectError(s().PutOrganizationSettings(OrgId("org_zz"), OrganizationSettings{}, kT0),
              ErrorCode::kNotFound, "organization");
}

TEST_P(OrganizationSettingsContractTest, ALifetimeBelowOneIsRefusedByTheSchema) {
  OrganizationSettings settings;
  settings.sessions.authenticated_session_lifetime = 0;
  auto r = s().PutOrganizationSettings(OrgId("org_a"), settings, kT0);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().code, ErrorCode::kNotFound) << ErrorText(r.error());
  auto read = s().GetOrganizationSettings(OrgId("org_a"));
  ASSERT_OK(read);
  EXPECT_EQ(read->updated_at, 0);  // nothing was written
}

TEST_P(OrganizationSettingsContractTest, WritesInsideATransactionRollBackTogether) {
  auto r = s().InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(tx.PutOrganizationLogo(OrgId("org_a"), Logo(LogoType::kLight, "x")));
    OrganizationSettings settings;
    settings.passkey_override = PasskeyPolicy::kOff;
    ORGD_TRY(tx.PutOrganizationSettings(OrgId("org_a"), settings, kT0));
    return Error::Internal("abort on purpose");
  });
  ASSERT_FALSE(r);
  ExpectError(s().GetOrganizationLogo(OrgId("org_a"), LogoType::kLight), ErrorCode::kNotFound,
              "logo");
  auto read = s().GetOrganizationSettings(OrgId("org_a"));
  ASSERT_OK(read);
  EXPECT_EQ(read->passkey_override, std::nullopt);
}

}  // namespace
}  // namespace orgd::store
