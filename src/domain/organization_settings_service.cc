#include "domain/organization_settings_service.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include "common/text.h"
#include "domain/image_type.h"
#include "store/tx_mode.h"

namespace orgd::domain {

bool IsValidLogoFileName(std::string_view name) {
  if (name.size() > OrganizationSettingsService::kMaxFileNameBytes || !IsStrictUtf8(name)) {
    return false;
  }
  return std::none_of(name.begin(), name.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

OrganizationSettingsService::OrganizationSettingsService(store::Store& store, const Clock& clock)
    : store_(store), clock_(clock) {}

Result<OrganizationLogoInfo> OrganizationSettingsService::PutLogo(const OrgId& org,
                                                                  LogoUpload upload) {
  if (upload.bytes.empty()) {
    return Error::InvalidArgument("Logo is required", "logo").WithReason("required");
  }
  if (upload.bytes.size() > kMaxLogoBytes) {
    return Error::InvalidArgument("Logo must be at most 1 MB", "logo").WithReason("file_too_large");
  }
  if (upload.file_name && !IsValidLogoFileName(*upload.file_name)) {
    return Error::InvalidArgument("Invalid file_name", "file_name").WithReason("invalid");
  }
  // The declared part type is never trusted: the bytes decide, and they decide what the logo is
  // later served as.
  auto content_type = DetectImageType(upload.bytes);
  if (!content_type) {
    return Error::InvalidArgument("Invalid logo", "logo").WithReason("invalid");
  }
  OrganizationLogo logo{
      .info =
          OrganizationLogoInfo{
              .type = upload.type,
              .file_name = std::move(upload.file_name),
              .content_type = std::string(*content_type),
              .content_hash = ContentHash(upload.bytes),
              .byte_size = static_cast<int64_t>(upload.bytes.size()),
              .updated_at = clock_.NowMillis(),
          },
      .bytes = std::move(upload.bytes),
  };
  ORGD_TRY(store_.PutOrganizationLogo(org, logo));
  return std::move(logo.info);
}

Result<std::vector<OrganizationLogoInfo>> OrganizationSettingsService::ListLogos(const OrgId& org) {
  std::vector<OrganizationLogoInfo> logos;
  ORGD_TRY(store_.InTransaction(store::TxMode::kRead, [&](store::Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetOrganization(org));
    auto listed = tx.ListOrganizationLogos(org);
    if (!listed) return std::move(listed).error();
    logos = std::move(*listed);
    return {};
  }));
  return logos;
}

Result<OrganizationLogo> OrganizationSettingsService::GetLogo(const OrgId& org, LogoType type) {
  return store_.GetOrganizationLogo(org, type);
}

Result<bool> OrganizationSettingsService::DeleteLogo(const OrgId& org, LogoType type) {
  bool removed = false;
  ORGD_TRY(store_.InTransaction(store::TxMode::kWrite, [&](store::Store& tx) -> Result<void> {
    ORGD_TRY(tx.LockOrganization(org));
    auto deleted = tx.DeleteOrganizationLogo(org, type);
    if (!deleted) return std::move(deleted).error();
    removed = *deleted;
    return {};
  }));
  return removed;
}

Result<OrganizationWithLogos> OrganizationSettingsService::GetOrganizationWithLogos(
    const OrgId& org) {
  if (read_model_ != nullptr) {
    auto kept = read_model_->GetOrganization(org, [&] { return store_.GetOrganization(org); });
    if (kept) {
      auto logos = logos_.Through(read_model_, org.value(), [&]() -> Result<KeptLogos> {
        auto listed = store_.ListOrganizationLogos(org);
        if (!listed) return std::move(listed).error();
        return KeptLogos{std::move(*listed)};
      });
      if (!logos) return std::move(logos).error();
      // The list shares its kept page's ownership (aliasing): no copy of either.
      return OrganizationWithLogos{
          std::move(*kept),
          std::shared_ptr<const std::vector<OrganizationLogoInfo>>(*logos, &(*logos)->items)};
    }
    // An unknown organization is an answer; any other failure may be the feed's, so ask SQL.
    if (kept.error().code == ErrorCode::kNotFound) return std::move(kept).error();
  }
  OrganizationWithLogos out;
  ORGD_TRY(store_.InTransaction(store::TxMode::kRead, [&](store::Store& tx) -> Result<void> {
    auto organization = tx.GetOrganization(org);
    if (!organization) return std::move(organization).error();
    auto logos = tx.ListOrganizationLogos(org);
    if (!logos) return std::move(logos).error();
    out = OrganizationWithLogos{
        std::make_shared<const Organization>(std::move(*organization)),
        std::make_shared<const std::vector<OrganizationLogoInfo>>(std::move(*logos))};
    return {};
  }));
  return out;
}

Result<OrganizationSettings> OrganizationSettingsService::ChangeSettings(
    const OrgId& org, const std::function<Result<void>(OrganizationSettings&)>& change) {
  OrganizationSettings settings;
  ORGD_TRY(store_.InTransaction(store::TxMode::kWrite, [&](store::Store& tx) -> Result<void> {
    // The lock makes read-modify-write safe against a concurrent change of another field.
    ORGD_TRY(tx.LockOrganization(org));
    auto current = tx.GetOrganizationSettings(org);
    if (!current) return std::move(current).error();
    settings = std::move(*current);
    ORGD_TRY(change(settings));
    const int64_t now = clock_.NowMillis();
    ORGD_TRY(tx.PutOrganizationSettings(org, settings, now));
    settings.updated_at = now;
    return {};
  }));
  return settings;
}

Result<SessionPolicy> OrganizationSettingsService::UpdateSessionPolicy(
    const OrgId& org, const SessionPolicyPatch& patch) {
  if (patch.authenticated_session_lifetime && *patch.authenticated_session_lifetime < 1) {
    return Error::InvalidArgument("Invalid authenticated_session_lifetime",
                                  "authenticated_session_lifetime")
        .WithReason("invalid");
  }
  if (patch.empty()) {
    auto settings = GetSettings(org);
    if (!settings) return std::move(settings).error();
    return settings->sessions;
  }
  auto settings = ChangeSettings(org, [&](OrganizationSettings& s) -> Result<void> {
    SessionPolicy& p = s.sessions;
    if (patch.is_use_org_sso_session_policy) {
      p.is_use_org_sso_session_policy = *patch.is_use_org_sso_session_policy;
    }
    if (patch.sso_session_persistence_mode) {
      p.sso_session_persistence_mode = *patch.sso_session_persistence_mode;
    }
    if (patch.is_use_org_authenticated_session_lifetime) {
      p.is_use_org_authenticated_session_lifetime =
          *patch.is_use_org_authenticated_session_lifetime;
    }
    if (patch.authenticated_session_lifetime) {
      p.authenticated_session_lifetime = *patch.authenticated_session_lifetime;
    }
    return {};
  });
  if (!settings) return std::move(settings).error();
  return settings->sessions;
}

Result<OrganizationMfaConfig> OrganizationSettingsService::ReplaceMfaConfig(
    const OrgId& org, OrganizationMfaConfig config) {
  std::vector<OrganizationMfaFactor> unique;
  for (OrganizationMfaFactor f : config.enabled_factors) {
    if (std::find(unique.begin(), unique.end(), f) == unique.end()) unique.push_back(f);
  }
  config.enabled_factors = std::move(unique);
  auto settings = ChangeSettings(org, [&](OrganizationSettings& s) -> Result<void> {
    s.mfa = config;
    return {};
  });
  if (!settings) return std::move(settings).error();
  return *settings->mfa;
}

namespace {

PasskeySettings PasskeyOf(const OrganizationSettings& settings) {
  return PasskeySettings{
      .policy = settings.passkey_override.value_or(kEnvironmentPasskeyPolicy),
      .is_override_environment_passkey_settings = settings.passkey_override.has_value(),
      .environment_policy = kEnvironmentPasskeyPolicy,
  };
}

}  // namespace

Result<PasskeySettings> OrganizationSettingsService::GetPasskey(const OrgId& org) {
  auto settings = GetSettings(org);
  if (!settings) return std::move(settings).error();
  return PasskeyOf(*settings);
}

Result<PasskeySettings> OrganizationSettingsService::UpdatePasskey(const OrgId& org,
                                                                   const PasskeyUpdate& update) {
  if (!update.policy && !update.is_override) return GetPasskey(org);
  auto settings = ChangeSettings(org, [&](OrganizationSettings& s) -> Result<void> {
    if (update.is_override && !*update.is_override) {
      s.passkey_override.reset();
    } else if (update.policy) {
      s.passkey_override = *update.policy;
    } else if (update.is_override && !s.passkey_override) {
      return Error::InvalidArgument("Policy is required", "policy").WithReason("required");
    }
    return {};
  });
  if (!settings) return std::move(settings).error();
  return PasskeyOf(*settings);
}

Result<OrganizationSettings> OrganizationSettingsService::GetSettings(const OrgId& org) {
  OrganizationSettings settings;
  ORGD_TRY(store_.InTransaction(store::TxMode::kRead, [&](store::Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetOrganization(org));
    auto read = tx.GetOrganizationSettings(org);
    if (!read) return std::move(read).error();
    settings = std::move(*read);
    return {};
  }));
  return settings;
}

}  // namespace orgd::domain
