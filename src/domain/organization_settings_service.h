#pragma once

#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/result.h"
#include "domain/model/organization_settings.h"
#include "domain/list_cache.h"
#include "domain/read_model.h"
#include "store/store.h"

namespace orgd::domain {

// Organizations' logos, session policy, MFA configuration and passkey policy (contracts/kinde.md
// §3.10, §3.11, and the logo URLs of §2.1). The rules that hold whatever the dialect live here:
// a logo is 1 byte to 1 MiB of PNG, JPEG, GIF, WebP, ICO or SVG recognised from the bytes
// (DetectImageType), and its stored content type is the detected one; its file name is valid
// UTF-8 without control characters, at most 255 bytes; a session lifetime is ≥ 1 second. Input
// is checked before the organization is looked up. Each method is one transaction; updates lock
// the organization first. Thread-safe.
//
// Errors, beyond those listed per method: kNotFound (subject "organization") when the
// organization does not exist; kUnavailable / kAborted / kInternal from the store.
class OrganizationSettingsService {
 public:
  // The largest logo accepted, in bytes.
  static constexpr size_t kMaxLogoBytes = size_t{1} << 20;
  static constexpr size_t kMaxFileNameBytes = 255;

  OrganizationSettingsService(store::Store& store, const Clock& clock);
  // GetOrganizationWithLogos reads the organization through `model` (which must outlive this
  // service) when it can, and keeps the logos' descriptions per model generation (ListCache);
  // see GetOrganizationWithLogos.
  void UseReadModel(ReadModel* model) { read_model_ = model; }

  // Stores `upload` as the organization's logo of its type, replacing any previous one.
  // kInvalidArgument with subject "logo" and reason "required" (no bytes), "file_too_large"
  // (over kMaxLogoBytes; message "Logo must be at most 1 MB") or "invalid" (not a recognised
  // image); with subject "file_name", reason "invalid", for a bad file name.
  Result<OrganizationLogoInfo> PutLogo(const OrgId& org, LogoUpload upload);
  // The logos of the organization without their bytes, light first.
  Result<std::vector<OrganizationLogoInfo>> ListLogos(const OrgId& org);
  // The logo of `type` with its bytes. kNotFound with subject "logo" when the organization has
  // none of that type, and also when the organization does not exist (the public image routes
  // do not tell the two apart).
  Result<OrganizationLogo> GetLogo(const OrgId& org, LogoType type);
  // Removes the logo of `type`; returns whether there was one (none is success).
  Result<bool> DeleteLogo(const OrgId& org, LogoType type);
  // The organization with its logos. Read in one snapshot without a read model; with one, the
  // organization comes from memory (fresh for this call) and the logos from one query after it.
  Result<OrganizationWithLogos> GetOrganizationWithLogos(const OrgId& org);

  // Applies the engaged fields of `patch` to the session policy. kInvalidArgument (subject
  // "authenticated_session_lifetime", reason "invalid") for a lifetime below 1. An empty patch
  // changes nothing (the organization must still exist).
  Result<SessionPolicy> UpdateSessionPolicy(const OrgId& org, const SessionPolicyPatch& patch);
  // Replaces the MFA configuration; duplicate factors are dropped, keeping the first.
  Result<OrganizationMfaConfig> ReplaceMfaConfig(const OrgId& org, OrganizationMfaConfig config);
  // The passkey policy as it applies to the organization.
  Result<PasskeySettings> GetPasskey(const OrgId& org);
  // Applies `update` (see PasskeyUpdate) and returns the result. An update that sets
  // is_override true without a policy keeps the stored override, and fails with
  // kInvalidArgument (subject "policy", reason "required") when there is none.
  Result<PasskeySettings> UpdatePasskey(const OrgId& org, const PasskeyUpdate& update);
  // Everything of the settings row (the defaults when never written).
  Result<OrganizationSettings> GetSettings(const OrgId& org);

 private:
  // Runs `change` on the organization's settings in one kWrite transaction that locks the
  // organization, then stores them.
  Result<OrganizationSettings> ChangeSettings(
      const OrgId& org, const std::function<Result<void>(OrganizationSettings&)>& change);

  store::Store& store_;
  const Clock& clock_;
  ReadModel* read_model_ = nullptr;
  // An organization's logos (the ListCache shape), kept per read-model generation.
  struct KeptLogos {
    std::vector<OrganizationLogoInfo> items;
  };
  ListCache<KeptLogos> logos_;
};

// True when `name` is an acceptable logo file name (see OrganizationSettingsService).
bool IsValidLogoFileName(std::string_view name);

}  // namespace orgd::domain
