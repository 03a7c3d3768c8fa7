#pragma once

#include <cstdint>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "domain/model/feature_flag.h"

namespace orgd::store {

// Feature flag definitions and organizations' overrides of them, part of Store (store.h). The
// store checks no flag rules (value types, override levels): the domain does, inside one kWrite
// transaction that reads the flag with GetFeatureFlagForUpdate first.
class FeatureFlagStore {
 public:
  virtual ~FeatureFlagStore() = default;

  // kAlreadyExists (subject "feature_flag", reason "feature_flag_key") when the key is taken.
  virtual Result<void> InsertFeatureFlag(const domain::FeatureFlag& flag) = 0;
  // kNotFound (subject "feature_flag") when absent.
  virtual Result<domain::FeatureFlag> GetFeatureFlag(const domain::FeatureFlagKey& key) = 0;
  // As GetFeatureFlag, and inside a kWrite transaction also locks the flag until the transaction
  // ends, so that its type and override level cannot change under the caller's checks.
  // Requires: a kWrite transaction (the lock is taken with a write).
  virtual Result<domain::FeatureFlag> GetFeatureFlagForUpdate(
      const domain::FeatureFlagKey& key) = 0;
  // Replaces name, description, type, allow_override_level and default_value of the flag with
  // `flag.key` (created_at is kept). kNotFound when absent.
  virtual Result<void> UpdateFeatureFlag(const domain::FeatureFlag& flag) = 0;
  // Deletes the flag and every override of it. kNotFound when absent.
  virtual Result<void> DeleteFeatureFlag(const domain::FeatureFlagKey& key) = 0;
  // Every flag, in creation order (created_at, then key).
  virtual Result<std::vector<domain::FeatureFlag>> ListFeatureFlags() = 0;

  // Every flag with its effective value for `org` (the override, else the default), in creation
  // order. Does not check that `org` exists.
  virtual Result<std::vector<domain::OrgFeatureFlag>> ListOrgFeatureFlags(const OrgId& org) = 0;
  // The override values of `key` in every organization, in no particular order.
  virtual Result<std::vector<std::string>> ListFeatureFlagOverrideValues(
      const domain::FeatureFlagKey& key) = 0;
  // Sets or replaces `org`'s override of `flag_override.key`. kNotFound (subject "organization" or
  // "feature_flag") when either does not exist.
  virtual Result<void> SetFeatureFlagOverride(const OrgId& org,
                                              const domain::FeatureFlagOverride& flag_override) = 0;
  // Removes `org`'s override of `key`; returns whether there was one.
  virtual Result<bool> DeleteFeatureFlagOverride(const OrgId& org,
                                                 const domain::FeatureFlagKey& key) = 0;
  // Removes every override of `org`; returns how many there were.
  virtual Result<int64_t> DeleteOrgFeatureFlagOverrides(const OrgId& org) = 0;
  // Removes the overrides of `key` in every organization; returns how many there were.
  virtual Result<int64_t> DeleteFeatureFlagOverridesOfFlag(const domain::FeatureFlagKey& key) = 0;
};

}  // namespace orgd::store
