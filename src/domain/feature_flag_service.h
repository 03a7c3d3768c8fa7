#pragma once

#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/result.h"
#include "domain/model/feature_flag.h"
#include "store/store.h"

namespace orgd::domain {

// Feature flag definitions and organizations' overrides of them (contracts/kinde.md §3.8,
// §3.13.4). The rules: keys are non-empty without whitespace, names non-empty; every value (the
// default and each override) is valid for the flag's type (IsValidFlagValue); organizations may
// override only flags whose level allows it (AllowsOrgOverride). Each method is one transaction.
// Thread-safe.
//
// Errors, beyond those listed per method: kInvalidArgument with subject "name" (reason
// "required"), "key" (reason "required" or "invalid"), "default_value" / "value" (reason
// "invalid_value": not valid for the flag's type); kNotFound with subject "organization" or
// "feature_flag".
class FeatureFlagService {
 public:
  FeatureFlagService(store::Store& store, const Clock& clock);

  // Creates `flag` (its created_at is set to now) and returns it as stored. kAlreadyExists
  // (subject "feature_flag", reason "feature_flag_key") when the key is taken.
  Result<FeatureFlag> Create(FeatureFlag flag);
  // Replaces the definition of the flag `flag.key` (all but created_at). A type change is refused
  // (kInvalidArgument, subject "type", reason "invalid_value") unless every existing override is
  // valid for the new type; a level that no longer allows organization overrides deletes them.
  Result<FeatureFlag> Update(FeatureFlag flag);
  // Deletes the flag and all its overrides.
  Result<void> Delete(const FeatureFlagKey& key);

  // Every defined flag with its effective value for `org`, in creation order.
  Result<std::vector<OrgFeatureFlag>> ListForOrganization(const OrgId& org);
  // Sets or replaces `org`'s override. kFailedPrecondition (reason
  // "feature_flag_override_not_allowed") when the flag's level forbids organization overrides.
  Result<void> SetOverride(const OrgId& org, const FeatureFlagOverride& flag_override);
  // Removes `org`'s override of `key`; no override is success.
  Result<void> DeleteOverride(const OrgId& org, const FeatureFlagKey& key);
  // Removes every override of `org`.
  Result<void> DeleteOverrides(const OrgId& org);

 private:
  store::Store& store_;
  const Clock& clock_;
};

// Sets `org`'s override with the checks of FeatureFlagService::SetOverride, inside the caller's
// transaction: for writes that also touch other entities in one transaction (an organization
// created with overrides). Does not check that `org` exists beyond what the store reports.
// Requires: `tx` is the store of a kWrite InTransaction callback.
Result<void> SetFeatureFlagOverrideIn(store::Store& tx, const OrgId& org,
                                      const FeatureFlagOverride& flag_override);

// True when `value` is a valid value of `type`: "true"/"false" for kBool, ^-?[0-9]+$ for kInt,
// anything for kStr.
bool IsValidFlagValue(FlagType type, std::string_view value);

}  // namespace orgd::domain
