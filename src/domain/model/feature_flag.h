#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/ids.h"

namespace orgd::domain {

// A feature flag is addressed by its key (unique, no whitespace) for life: the Kinde dialect has
// no other identifier for it.
using FeatureFlagKey = Id<struct FeatureFlagKeyTag>;

// The type of a flag's values. Values are strings whatever the type: kBool accepts exactly
// "true" and "false", kInt matches ^-?[0-9]+$, kStr accepts anything.
enum class FlagType { kStr, kInt, kBool };

// Where a flag may be overridden: kEnv only for the environment (no organization overrides);
// kOrg and kUsr allow organization overrides (kUsr additionally per user, which orgd does not
// model).
enum class OverrideLevel { kEnv, kOrg, kUsr };

// "str", "int", "bool" and back; nullopt for anything else.
inline std::string_view FlagTypeName(FlagType type) {
  switch (type) {
    case FlagType::kInt:
      return "int";
    case FlagType::kBool:
      return "bool";
    case FlagType::kStr:
      break;
  }
  return "str";
}
inline std::optional<FlagType> ParseFlagType(std::string_view name) {
  if (name == "str") return FlagType::kStr;
  if (name == "int") return FlagType::kInt;
  if (name == "bool") return FlagType::kBool;
  return std::nullopt;
}

// "env", "org", "usr" and back; nullopt for anything else.
inline std::string_view OverrideLevelName(OverrideLevel level) {
  switch (level) {
    case OverrideLevel::kEnv:
      return "env";
    case OverrideLevel::kUsr:
      return "usr";
    case OverrideLevel::kOrg:
      break;
  }
  return "org";
}
inline std::optional<OverrideLevel> ParseOverrideLevel(std::string_view name) {
  if (name == "env") return OverrideLevel::kEnv;
  if (name == "org") return OverrideLevel::kOrg;
  if (name == "usr") return OverrideLevel::kUsr;
  return std::nullopt;
}

// True when organizations may override a flag of this level.
inline bool AllowsOrgOverride(OverrideLevel level) { return level != OverrideLevel::kEnv; }

// A feature flag definition, environment-wide.
struct FeatureFlag {
  FeatureFlagKey key;
  std::string name;
  std::optional<std::string> description;
  FlagType type = FlagType::kStr;
  OverrideLevel allow_override_level = OverrideLevel::kOrg;
  std::string default_value;  // valid for `type`
  int64_t created_at = 0;     // epoch ms
};

// An organization's override of one flag (the organization is implied by the context).
struct FeatureFlagOverride {
  FeatureFlagKey key;
  std::string value;
};

// A flag as an organization sees it: its effective value is the organization's override when
// there is one, else the flag's default.
struct OrgFeatureFlag {
  FeatureFlagKey key;
  FlagType type = FlagType::kStr;
  std::string value;
  bool is_override = false;
};

}  // namespace orgd::domain
