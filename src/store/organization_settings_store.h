#pragma once

#include <cstdint>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "domain/model/organization_settings.h"

namespace orgd::store {

// Organizations' logos and settings rows (session policy, MFA configuration, passkey override),
// part of Store (store.h); tables of migrations/*/0006_organization_settings.sql. Both cascade
// from the organization. The store checks no rules (image types, sizes, enums beyond the
// columns' checks): the domain does, locking the organization first (LockOrganization) for
// read-modify-write updates.
class OrganizationSettingsStore {
 public:
  virtual ~OrganizationSettingsStore() = default;

  // Inserts or replaces `org`'s logo of `logo.info.type` (all columns, bytes included).
  // kNotFound (subject "organization") when `org` does not exist.
  virtual Result<void> PutOrganizationLogo(const OrgId& org,
                                           const domain::OrganizationLogo& logo) = 0;
  // The logo of `type` with its bytes. kNotFound (subject "logo") when there is none, including
  // when `org` does not exist.
  virtual Result<domain::OrganizationLogo> GetOrganizationLogo(const OrgId& org,
                                                               domain::LogoType type) = 0;
  // The logos of `org` without their bytes, light first; empty when none (or no such org).
  virtual Result<std::vector<domain::OrganizationLogoInfo>> ListOrganizationLogos(
      const OrgId& org) = 0;
  // Deletes the logo of `type`; returns whether there was one.
  virtual Result<bool> DeleteOrganizationLogo(const OrgId& org, domain::LogoType type) = 0;

  // The settings of `org`: the stored row, or the defaults of OrganizationSettings when there is
  // none. Does not check that `org` exists.
  virtual Result<domain::OrganizationSettings> GetOrganizationSettings(const OrgId& org) = 0;
  // Inserts or replaces the whole settings row of `org`, with updated_at = `now_ms` (the input's
  // updated_at is ignored). kNotFound (subject "organization") when `org` does not exist.
  virtual Result<void> PutOrganizationSettings(const OrgId& org,
                                               const domain::OrganizationSettings& settings,
                                               int64_t now_ms) = 0;
};

}  // namespace orgd::store
