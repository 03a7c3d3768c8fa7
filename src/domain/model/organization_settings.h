#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "domain/model/organization.h"

// Per-organization settings: logos, session policy, MFA configuration and passkey policy
// (contracts/kinde.md §3.10, §3.11). The Kinde dialect reads and writes them; the organization
// object of both dialects may show the logos.
namespace orgd::domain {

enum class LogoType { kLight, kDark };

// "light" / "dark", and back (exact spelling; nullopt for anything else).
inline std::string_view LogoTypeName(LogoType type) {
  return type == LogoType::kDark ? "dark" : "light";
}
inline std::optional<LogoType> ParseLogoType(std::string_view name) {
  if (name == "light") return LogoType::kLight;
  if (name == "dark") return LogoType::kDark;
  return std::nullopt;
}

// What is known of an uploaded logo without its bytes.
struct OrganizationLogoInfo {
  LogoType type = LogoType::kLight;
  std::optional<std::string> file_name;  // the uploaded file's name, when it had one
  std::string content_type;              // detected from the bytes ("image/png", ...)
  std::string content_hash;              // ContentHash(bytes): lowercase hex
  int64_t byte_size = 0;
  int64_t updated_at = 0;  // epoch ms
};

// An uploaded logo with its bytes.
struct OrganizationLogo {
  OrganizationLogoInfo info;
  std::string bytes;
};

// A logo upload as the dialect received it.
struct LogoUpload {
  LogoType type = LogoType::kLight;
  std::optional<std::string> file_name;
  std::string bytes;
};

// An organization together with its logos (light first), for organization objects that show
// logo URLs. Shared, not copied (Kinde's GET /organization?code= is a hot read): the read
// model's kept organization and the kept logo list are immutable. Never null.
struct OrganizationWithLogos {
  std::shared_ptr<const Organization> organization;
  std::shared_ptr<const std::vector<OrganizationLogoInfo>> logos;
};

enum class SessionPersistenceMode { kPersistent, kNonPersistent };

// "persistent" / "non_persistent", and back (nullopt for anything else).
inline std::string_view SessionPersistenceModeName(SessionPersistenceMode mode) {
  return mode == SessionPersistenceMode::kNonPersistent ? "non_persistent" : "persistent";
}
inline std::optional<SessionPersistenceMode> ParseSessionPersistenceMode(std::string_view name) {
  if (name == "persistent") return SessionPersistenceMode::kPersistent;
  if (name == "non_persistent") return SessionPersistenceMode::kNonPersistent;
  return std::nullopt;
}

// The organization's session policy. Defaults: the environment's policies apply.
struct SessionPolicy {
  bool is_use_org_sso_session_policy = false;
  SessionPersistenceMode sso_session_persistence_mode = SessionPersistenceMode::kPersistent;
  bool is_use_org_authenticated_session_lifetime = false;
  std::optional<int64_t> authenticated_session_lifetime;  // seconds, ≥ 1
};

// A partial update of SessionPolicy: each engaged field is written.
struct SessionPolicyPatch {
  std::optional<bool> is_use_org_sso_session_policy;
  std::optional<SessionPersistenceMode> sso_session_persistence_mode;
  std::optional<bool> is_use_org_authenticated_session_lifetime;
  std::optional<int64_t> authenticated_session_lifetime;

  bool empty() const {
    return !is_use_org_sso_session_policy && !sso_session_persistence_mode &&
           !is_use_org_authenticated_session_lifetime && !authenticated_session_lifetime;
  }
};

enum class OrganizationMfaFactor { kEmail, kSms, kAuthenticatorApp };

// "mfa:email" / "mfa:sms" / "mfa:authenticator_app", and back (nullopt for anything else).
inline std::string_view OrganizationMfaFactorName(OrganizationMfaFactor factor) {
  switch (factor) {
    case OrganizationMfaFactor::kSms:
      return "mfa:sms";
    case OrganizationMfaFactor::kAuthenticatorApp:
      return "mfa:authenticator_app";
    case OrganizationMfaFactor::kEmail:
      break;
  }
  return "mfa:email";
}
inline std::optional<OrganizationMfaFactor> ParseOrganizationMfaFactor(std::string_view name) {
  if (name == "mfa:email") return OrganizationMfaFactor::kEmail;
  if (name == "mfa:sms") return OrganizationMfaFactor::kSms;
  if (name == "mfa:authenticator_app") return OrganizationMfaFactor::kAuthenticatorApp;
  return std::nullopt;
}

// The organization's MFA configuration: the factors members may use, without duplicates, in the
// order first given.
struct OrganizationMfaConfig {
  std::vector<OrganizationMfaFactor> enabled_factors;
  bool is_recovery_codes_enabled = true;
};

enum class PasskeyPolicy { kOff, kOptional, kMandatory };

// "off" / "optional" / "mandatory", and back (nullopt for anything else).
inline std::string_view PasskeyPolicyName(PasskeyPolicy policy) {
  switch (policy) {
    case PasskeyPolicy::kOptional:
      return "optional";
    case PasskeyPolicy::kMandatory:
      return "mandatory";
    case PasskeyPolicy::kOff:
      break;
  }
  return "off";
}
inline std::optional<PasskeyPolicy> ParsePasskeyPolicy(std::string_view name) {
  if (name == "off") return PasskeyPolicy::kOff;
  if (name == "optional") return PasskeyPolicy::kOptional;
  if (name == "mandatory") return PasskeyPolicy::kMandatory;
  return std::nullopt;
}

// The environment's passkey policy, which an organization without an override follows.
inline constexpr PasskeyPolicy kEnvironmentPasskeyPolicy = PasskeyPolicy::kOff;

// Everything of organization_settings for one organization; the defaults when never written.
struct OrganizationSettings {
  SessionPolicy sessions;
  std::optional<OrganizationMfaConfig> mfa;  // nullopt until first configured
  std::optional<PasskeyPolicy> passkey_override;
  int64_t updated_at = 0;  // epoch ms; 0 when never written
};

// The passkey policy as it applies to an organization.
struct PasskeySettings {
  PasskeyPolicy policy = kEnvironmentPasskeyPolicy;  // the override, else the environment's
  bool is_override_environment_passkey_settings = false;
  PasskeyPolicy environment_policy = kEnvironmentPasskeyPolicy;

  bool enabled() const { return policy != PasskeyPolicy::kOff; }
};

// An update of the passkey override. `is_override` false clears the override (any `policy` is
// then ignored); otherwise a `policy` becomes the override.
struct PasskeyUpdate {
  std::optional<PasskeyPolicy> policy;
  std::optional<bool> is_override;
};

}  // namespace orgd::domain
