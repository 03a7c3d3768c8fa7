#include "domain/feature_flag_service.h"

#include <string>
#include <utility>

#include "domain/key_rules.h"
#include "store/tx_mode.h"

namespace orgd::domain {
namespace {

Result<void> ValidateDefinition(const FeatureFlag& flag) {
  if (flag.name.empty()) {
    return Error::InvalidArgument("Name is required", "name").WithReason("required");
  }
  if (flag.key.empty()) {
    return Error::InvalidArgument("Key is required", "key").WithReason("required");
  }
  if (!IsValidKey(flag.key.value())) return Error::InvalidArgument("Invalid key", "key");
  if (!IsValidFlagValue(flag.type, flag.default_value)) {
    return Error::InvalidArgument("Invalid value", "default_value").WithReason("invalid_value");
  }
  return {};
}

}  // namespace

bool IsValidFlagValue(FlagType type, std::string_view value) {
  switch (type) {
    case FlagType::kBool:
      return value == "true" || value == "false";
    case FlagType::kInt: {
      std::string_view digits = value.starts_with('-') ? value.substr(1) : value;
      return !digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos;
    }
    case FlagType::kStr:
      return true;
  }
  return false;
}

Result<void> SetFeatureFlagOverrideIn(store::Store& tx, const OrgId& org,
                                      const FeatureFlagOverride& flag_override) {
  // Locks the flag, so that a concurrent type or level change waits for this write (and then
  // checks it) instead of slipping between the checks below and the write.
  auto flag = tx.GetFeatureFlagForUpdate(flag_override.key);
  if (!flag) return std::move(flag).error();
  if (!AllowsOrgOverride(flag->allow_override_level)) {
    return Error::FailedPrecondition("feature_flag_override_not_allowed",
                                     "Feature flag cannot be overridden for organizations");
  }
  if (!IsValidFlagValue(flag->type, flag_override.value)) {
    return Error::InvalidArgument("Invalid value", "value").WithReason("invalid_value");
  }
  return tx.SetFeatureFlagOverride(org, flag_override);
}

FeatureFlagService::FeatureFlagService(store::Store& store, const Clock& clock)
    : store_(store), clock_(clock) {}

Result<FeatureFlag> FeatureFlagService::Create(FeatureFlag flag) {
  ORGD_TRY(ValidateDefinition(flag));
  flag.created_at = clock_.NowMillis();
  ORGD_TRY(store_.InsertFeatureFlag(flag));
  return flag;
}

Result<FeatureFlag> FeatureFlagService::Update(FeatureFlag flag) {
  ORGD_TRY(ValidateDefinition(flag));
  ORGD_TRY(store_.InTransaction(store::TxMode::kWrite, [&](store::Store& tx) -> Result<void> {
    auto current = tx.GetFeatureFlagForUpdate(flag.key);
    if (!current) return std::move(current).error();
    const bool keeps_overrides = AllowsOrgOverride(flag.allow_override_level);
    if (keeps_overrides && current->type != flag.type) {
      auto values = tx.ListFeatureFlagOverrideValues(flag.key);
      if (!values) return std::move(values).error();
      for (const std::string& value : *values) {
        if (!IsValidFlagValue(flag.type, value)) {
          return Error::InvalidArgument("Existing overrides are not valid for the new type", "type")
              .WithReason("invalid_value");
        }
      }
    }
    flag.created_at = current->created_at;
    ORGD_TRY(tx.UpdateFeatureFlag(flag));
    if (!keeps_overrides) ORGD_TRY(tx.DeleteFeatureFlagOverridesOfFlag(flag.key));
    return {};
  }));
  return flag;
}

Result<void> FeatureFlagService::Delete(const FeatureFlagKey& key) {
  return store_.DeleteFeatureFlag(key);
}

Result<std::vector<OrgFeatureFlag>> FeatureFlagService::ListForOrganization(const OrgId& org) {
  std::vector<OrgFeatureFlag> flags;
  ORGD_TRY(store_.InTransaction(store::TxMode::kRead, [&](store::Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetOrganization(org));
    auto listed = tx.ListOrgFeatureFlags(org);
    if (!listed) return std::move(listed).error();
    flags = std::move(*listed);
    return {};
  }));
  return flags;
}

Result<void> FeatureFlagService::SetOverride(const OrgId& org,
                                             const FeatureFlagOverride& flag_override) {
  return store_.InTransaction(store::TxMode::kWrite, [&](store::Store& tx) -> Result<void> {
    // The organization first: the path names it before the flag.
    ORGD_TRY(tx.GetOrganization(org));
    return SetFeatureFlagOverrideIn(tx, org, flag_override);
  });
}

Result<void> FeatureFlagService::DeleteOverride(const OrgId& org, const FeatureFlagKey& key) {
  return store_.InTransaction(store::TxMode::kWrite, [&](store::Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetOrganization(org));
    ORGD_TRY(tx.GetFeatureFlag(key));
    ORGD_TRY(tx.DeleteFeatureFlagOverride(org, key));
    return {};
  });
}

Result<void> FeatureFlagService::DeleteOverrides(const OrgId& org) {
  return store_.InTransaction(store::TxMode::kWrite, [&](store::Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetOrganization(org));
    ORGD_TRY(tx.DeleteOrgFeatureFlagOverrides(org));
    return {};
  });
}

}  // namespace orgd::domain
