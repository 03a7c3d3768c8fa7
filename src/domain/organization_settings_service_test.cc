// Image recognition, content hashing and OrganizationSettingsService on a real SqliteStore
// (":memory:").

#include "domain/organization_settings_service.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "domain/image_type.h"
#include "store/sql/migrations.h"
#include "store/sql/sql_store.h"
#include "store/sqlite/sqlite_db.h"
#include "tests/support/domain_store_test.h"

namespace orgd::domain {
namespace {

using testing::ErrorText;
using testing::ExpectError;

using namespace std::string_literals;  // NOLINT: test file

const std::string kPng = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR"s;

// --- DetectImageType -------------------------------------------------------------------------

TEST(DetectImageTypeTest, RecognisesEachFormatByItsMagicNumber) {
  EXPECT_EQ(DetectImageType(kPng), "image/png");
  EXPECT_EQ(DetectImageType("\xFF\xD8\xFF\xE0\0\x10JFIF"s), "image/jpeg");
  EXPECT_EQ(DetectImageType("GIF87a\1\0\1\0"s), "image/gif");
  EXPECT_EQ(DetectImageType("GIF89a\1\0\1\0"s), "image/gif");
  EXPECT_EQ(DetectImageType("RIFF\x24\0\0\0WEBPVP8 "s), "image/webp");
  EXPECT_EQ(DetectImageType("\0\0\1\0\1\0\x10\x10"s), "image/x-icon");
  EXPECT_EQ(DetectImageType("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), "image/svg+xml");
}

TEST(DetectImageTypeTest, RecognisesSvgAfterWhatXmlAllowsBeforeTheRoot) {
  for (const std::string& svg : {
           "<svg>"s,
           "<svg\n width='1'></svg>"s,
           "  \r\n\t<svg/>"s,
           "\xEF\xBB\xBF<svg></svg>"s,
           "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg></svg>"s,
           "<?xml version=\"1.0\"?><!-- made by hand --><!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG "
           "1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n<svg></svg>"s,
           "<?xml version=\"1.0\"?><!DOCTYPE svg [ <!ENTITY a \"<b>\"> ]><svg/>"s,
       }) {
    EXPECT_EQ(DetectImageType(svg), "image/svg+xml") << svg;
  }
}

TEST(DetectImageTypeTest, RefusesEverythingElse) {
  for (const std::string& bytes : {
           ""s,
           "hello"s,
           "\x89PNG\r\n"s,  // truncated signature
           "\x89PNX\r\n\x1a\n"s,
           "\xFF\xD8"s,
           "GIF90a"s,
           "RIFF\0\0\0\0WAVEfmt "s,  // RIFF, but audio
           "RIFF\0\0\0\0WEB"s,
           "\0\0\1\0\0\0"s,  // ICO header with no images
           "\0\0\2\0\1\0"s,  // a cursor, not an icon
           "<svgx>"s,
           "<svg"s,
           "<html><svg></svg></html>"s,  // svg not the root
           "<?xml version=\"1.0\"?><html/>"s,
           "<?xml version=\"1.0\"<svg>"s,  // unterminated declaration
           "<!-- unterminated <svg>"s,
           "text <svg>"s,
           "%PDF-1.7"s,
       }) {
    EXPECT_EQ(DetectImageType(bytes), std::nullopt) << bytes;
  }
}

TEST(ContentHashTest, IsSixteenHexDigitsThatFollowTheBytes) {
  EXPECT_EQ(ContentHash(""), "cbf29ce484222325");   // the FNV-1a offset basis
  EXPECT_EQ(ContentHash("a"), "af63dc4c8601ec8c");  // FNV-1a 64 test vector
  EXPECT_EQ(ContentHash(kPng), ContentHash(kPng));
  EXPECT_NE(ContentHash(kPng), ContentHash(kPng + "x"));
}

TEST(LogoFileNameTest, AcceptsUtf8AndRefusesControlsAndBadBytes) {
  EXPECT_TRUE(IsValidLogoFileName(""));
  EXPECT_TRUE(IsValidLogoFileName("logo.png"));
  EXPECT_TRUE(IsValidLogoFileName("\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80.svg"));
  EXPECT_TRUE(IsValidLogoFileName(std::string(255, 'a')));
  EXPECT_FALSE(IsValidLogoFileName(std::string(256, 'a')));
  for (const std::string& bad : {"a\nb"s, "a\0b"s, "tab\t"s, "\x7f"s, "\xC3"s, "\xC0\xAF"s,
                                 "\xED\xA0\x80"s, "\xF4\x90\x80\x80"s, "\xFF"s}) {
    EXPECT_FALSE(IsValidLogoFileName(bad)) << bad;
  }
}

// --- OrganizationSettingsService -------------------------------------------------------------

class OrganizationSettingsServiceTest : public testing::SqliteStoreTest {
 protected:
  void SetUp() override {
    SqliteStoreTest::SetUp();
    if (HasFatalFailure()) return;
    service_ = std::make_unique<OrganizationSettingsService>(*store_, clock_);
    Organization org;
    org.id = kOrg;
    org.name = "Acme";
    org.created_at = org.updated_at = clock_.NowMillis();
    ASSERT_TRUE(store_->InsertOrganization(org));
  }

  const OrgId kOrg{"org_0000000000a"};
  const OrgId kMissing{"org_missing0000"};
  std::unique_ptr<OrganizationSettingsService> service_;
};

TEST_F(OrganizationSettingsServiceTest, PutLogoStoresTheDetectedTypeAndHash) {
  auto info = service_->PutLogo(kOrg, LogoUpload{LogoType::kDark, "a.png", kPng});
  ASSERT_TRUE(info) << ErrorText(info.error());
  EXPECT_EQ(info->content_type, "image/png");
  EXPECT_EQ(info->content_hash, ContentHash(kPng));
  EXPECT_EQ(info->byte_size, static_cast<int64_t>(kPng.size()));
  EXPECT_EQ(info->updated_at, clock_.NowMillis());
  auto logo = service_->GetLogo(kOrg, LogoType::kDark);
  ASSERT_TRUE(logo) << ErrorText(logo.error());
  EXPECT_EQ(logo->bytes, kPng);
  EXPECT_EQ(logo->info.file_name, "a.png");
  ExpectError(service_->GetLogo(kOrg, LogoType::kLight), ErrorCode::kNotFound, "logo", "");
}

TEST_F(OrganizationSettingsServiceTest, PutLogoValidatesInputBeforeTheOrganization) {
  ExpectError(service_->PutLogo(kMissing, LogoUpload{LogoType::kLight, "a", ""}),
              ErrorCode::kInvalidArgument, "logo", "required");
  ExpectError(
      service_->PutLogo(kMissing, LogoUpload{LogoType::kLight, "a",
                                             kPng + std::string((1 << 20) - kPng.size() + 1, 'x')}),
      ErrorCode::kInvalidArgument, "logo", "file_too_large");
  ExpectError(service_->PutLogo(kMissing, LogoUpload{LogoType::kLight, "a\n", kPng}),
              ErrorCode::kInvalidArgument, "file_name", "invalid");
  ExpectError(service_->PutLogo(kMissing, LogoUpload{LogoType::kLight, "a", "not an image"}),
              ErrorCode::kInvalidArgument, "logo", "invalid");
  ExpectError(service_->PutLogo(kMissing, LogoUpload{LogoType::kLight, "a", kPng}),
              ErrorCode::kNotFound, "organization", "");
}

TEST_F(OrganizationSettingsServiceTest, ExactlyOneMebibyteIsAccepted) {
  std::string bytes = kPng + std::string((1 << 20) - kPng.size(), 'x');
  ASSERT_EQ(bytes.size(), OrganizationSettingsService::kMaxLogoBytes);
  auto info = service_->PutLogo(kOrg, LogoUpload{LogoType::kLight, std::nullopt, bytes});
  ASSERT_TRUE(info) << ErrorText(info.error());
  EXPECT_EQ(info->file_name, std::nullopt);
}

TEST_F(OrganizationSettingsServiceTest, DeleteLogoReportsWhetherThereWasOne) {
  ASSERT_TRUE(service_->PutLogo(kOrg, LogoUpload{LogoType::kLight, "a.png", kPng}));
  auto first = service_->DeleteLogo(kOrg, LogoType::kLight);
  ASSERT_TRUE(first) << ErrorText(first.error());
  EXPECT_TRUE(*first);
  auto second = service_->DeleteLogo(kOrg, LogoType::kLight);
  ASSERT_TRUE(second) << ErrorText(second.error());
  EXPECT_FALSE(*second);
  ExpectError(service_->DeleteLogo(kMissing, LogoType::kLight), ErrorCode::kNotFound,
              "organization", "");
}

TEST_F(OrganizationSettingsServiceTest, SessionPatchKeepsUnsetFields) {
  auto first = service_->UpdateSessionPolicy(
      kOrg,
      SessionPolicyPatch{.is_use_org_sso_session_policy = true,
                         .sso_session_persistence_mode = SessionPersistenceMode::kNonPersistent});
  ASSERT_TRUE(first) << ErrorText(first.error());
  auto second = service_->UpdateSessionPolicy(
      kOrg, SessionPolicyPatch{.authenticated_session_lifetime = 3600});
  ASSERT_TRUE(second) << ErrorText(second.error());
  EXPECT_TRUE(second->is_use_org_sso_session_policy);
  EXPECT_EQ(second->sso_session_persistence_mode, SessionPersistenceMode::kNonPersistent);
  EXPECT_FALSE(second->is_use_org_authenticated_session_lifetime);
  EXPECT_EQ(second->authenticated_session_lifetime, 3600);
  auto stored = service_->GetSettings(kOrg);
  ASSERT_TRUE(stored) << ErrorText(stored.error());
  EXPECT_EQ(stored->sessions.authenticated_session_lifetime, 3600);
  EXPECT_TRUE(stored->sessions.is_use_org_sso_session_policy);
}

TEST_F(OrganizationSettingsServiceTest, SessionLifetimeMustBePositive) {
  ExpectError(
      service_->UpdateSessionPolicy(kOrg, SessionPolicyPatch{.authenticated_session_lifetime = 0}),
      ErrorCode::kInvalidArgument, "authenticated_session_lifetime", "invalid");
  ExpectError(service_->UpdateSessionPolicy(
                  kMissing, SessionPolicyPatch{.authenticated_session_lifetime = 1}),
              ErrorCode::kNotFound, "organization", "");
}

TEST_F(OrganizationSettingsServiceTest, MfaConfigDropsDuplicateFactors) {
  auto config = service_->ReplaceMfaConfig(
      kOrg, OrganizationMfaConfig{
                .enabled_factors = {OrganizationMfaFactor::kSms, OrganizationMfaFactor::kEmail,
                                    OrganizationMfaFactor::kSms},
                .is_recovery_codes_enabled = false});
  ASSERT_TRUE(config) << ErrorText(config.error());
  EXPECT_EQ(config->enabled_factors,
            (std::vector{OrganizationMfaFactor::kSms, OrganizationMfaFactor::kEmail}));
  auto stored = service_->GetSettings(kOrg);
  ASSERT_TRUE(stored) << ErrorText(stored.error());
  ASSERT_TRUE(stored->mfa.has_value());
  EXPECT_EQ(stored->mfa->enabled_factors, config->enabled_factors);
  EXPECT_FALSE(stored->mfa->is_recovery_codes_enabled);
}

TEST_F(OrganizationSettingsServiceTest, PasskeyOverrideAndRevert) {
  auto initial = service_->GetPasskey(kOrg);
  ASSERT_TRUE(initial) << ErrorText(initial.error());
  EXPECT_EQ(initial->policy, PasskeyPolicy::kOff);
  EXPECT_FALSE(initial->is_override_environment_passkey_settings);
  EXPECT_FALSE(initial->enabled());

  ExpectError(service_->UpdatePasskey(kOrg, PasskeyUpdate{.is_override = true}),
              ErrorCode::kInvalidArgument, "policy", "required");
  auto set = service_->UpdatePasskey(kOrg, PasskeyUpdate{.policy = PasskeyPolicy::kMandatory});
  ASSERT_TRUE(set) << ErrorText(set.error());
  EXPECT_EQ(set->policy, PasskeyPolicy::kMandatory);
  EXPECT_TRUE(set->is_override_environment_passkey_settings);
  EXPECT_TRUE(set->enabled());
  // With an override stored, is_override alone keeps it.
  auto kept = service_->UpdatePasskey(kOrg, PasskeyUpdate{.is_override = true});
  ASSERT_TRUE(kept) << ErrorText(kept.error());
  EXPECT_EQ(kept->policy, PasskeyPolicy::kMandatory);
  // false wins over a policy sent with it.
  auto reverted = service_->UpdatePasskey(
      kOrg, PasskeyUpdate{.policy = PasskeyPolicy::kOptional, .is_override = false});
  ASSERT_TRUE(reverted) << ErrorText(reverted.error());
  EXPECT_EQ(reverted->policy, PasskeyPolicy::kOff);
  EXPECT_FALSE(reverted->is_override_environment_passkey_settings);
  ExpectError(service_->GetPasskey(kMissing), ErrorCode::kNotFound, "organization", "");
}

TEST_F(OrganizationSettingsServiceTest, OrganizationWithLogosListsLightFirst) {
  ASSERT_TRUE(service_->PutLogo(kOrg, LogoUpload{LogoType::kDark, "d.gif", "GIF89a.."}));
  ASSERT_TRUE(service_->PutLogo(kOrg, LogoUpload{LogoType::kLight, "l.png", kPng}));
  auto org = service_->GetOrganizationWithLogos(kOrg);
  ASSERT_TRUE(org) << ErrorText(org.error());
  EXPECT_EQ(org->organization->name, "Acme");
  const std::vector<OrganizationLogoInfo>& logos = *org->logos;
  ASSERT_EQ(logos.size(), 2u);
  EXPECT_EQ(logos[0].type, LogoType::kLight);
  EXPECT_EQ(logos[1].type, LogoType::kDark);
  EXPECT_EQ(logos[1].content_type, "image/gif");
  ExpectError(service_->GetOrganizationWithLogos(kMissing), ErrorCode::kNotFound, "organization",
              "");
}

}  // namespace
}  // namespace orgd::domain
