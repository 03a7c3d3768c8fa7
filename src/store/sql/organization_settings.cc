// SqlStore: organization logos and settings rows (organization_settings_store.h), tables of
// migrations/*/0006_organization_settings.sql.

#include "domain/model/organization_settings.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/result.h"
#include "store/db.h"
#include "store/sql/sql_store.h"

namespace orgd::store::sql {
namespace {

using domain::LogoType;
using domain::OrganizationLogo;
using domain::OrganizationLogoInfo;
using domain::OrganizationSettings;

constexpr std::string_view kOrganizationExists = "SELECT 1 FROM organizations WHERE id = $1";

// One statement for insert and replace; the primary key (org_id, type) is the conflict target.
constexpr std::string_view kUpsertLogo =
    "INSERT INTO organization_logos (org_id, type, file_name, content_type, content_hash, "
    "byte_size, bytes, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
    "ON CONFLICT (org_id, type) DO UPDATE SET file_name = excluded.file_name, "
    "content_type = excluded.content_type, content_hash = excluded.content_hash, "
    "byte_size = excluded.byte_size, bytes = excluded.bytes, updated_at = excluded.updated_at";
constexpr std::string_view kGetLogo =
    "SELECT type, file_name, content_type, content_hash, byte_size, updated_at, bytes "
    "FROM organization_logos WHERE org_id = $1 AND type = $2";
// 'light' sorts before 'dark' by this CASE, not by the text.
constexpr std::string_view kListLogos =
    "SELECT type, file_name, content_type, content_hash, byte_size, updated_at "
    "FROM organization_logos WHERE org_id = $1 "
    "ORDER BY CASE type WHEN 'light' THEN 0 ELSE 1 END";
constexpr std::string_view kDeleteLogo =
    "DELETE FROM organization_logos WHERE org_id = $1 AND type = $2";

constexpr std::string_view kGetSettings =
    "SELECT is_use_org_sso_session_policy, sso_session_persistence_mode, "
    "is_use_org_authenticated_session_lifetime, authenticated_session_lifetime, "
    "mfa_enabled_factors, is_mfa_recovery_codes_enabled, passkey_policy, updated_at "
    "FROM organization_settings WHERE org_id = $1";
constexpr std::string_view kUpsertSettings =
    "INSERT INTO organization_settings (org_id, is_use_org_sso_session_policy, "
    "sso_session_persistence_mode, is_use_org_authenticated_session_lifetime, "
    "authenticated_session_lifetime, mfa_enabled_factors, is_mfa_recovery_codes_enabled, "
    "passkey_policy, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
    "ON CONFLICT (org_id) DO UPDATE SET "
    "is_use_org_sso_session_policy = excluded.is_use_org_sso_session_policy, "
    "sso_session_persistence_mode = excluded.sso_session_persistence_mode, "
    "is_use_org_authenticated_session_lifetime = "
    "excluded.is_use_org_authenticated_session_lifetime, "
    "authenticated_session_lifetime = excluded.authenticated_session_lifetime, "
    "mfa_enabled_factors = excluded.mfa_enabled_factors, "
    "is_mfa_recovery_codes_enabled = excluded.is_mfa_recovery_codes_enabled, "
    "passkey_policy = excluded.passkey_policy, updated_at = excluded.updated_at";

// Reads the first six columns of kGetLogo / kListLogos.
OrganizationLogoInfo ReadLogoInfo(const Row& row) {
  return OrganizationLogoInfo{
      .type = domain::ParseLogoType(row.GetText(0)).value_or(LogoType::kLight),
      .file_name = row.GetOptString(1),
      .content_type = row.GetString(2),
      .content_hash = row.GetString(3),
      .byte_size = row.GetInt(4),
      .updated_at = row.GetInt(5),
  };
}

// "mfa:email mfa:sms" ↔ factors. Unknown words (which the writer never stores) are skipped.
std::string JoinFactors(const std::vector<domain::OrganizationMfaFactor>& factors) {
  std::string out;
  for (domain::OrganizationMfaFactor f : factors) {
    if (!out.empty()) out.push_back(' ');
    out += domain::OrganizationMfaFactorName(f);
  }
  return out;
}

std::vector<domain::OrganizationMfaFactor> SplitFactors(std::string_view text) {
  std::vector<domain::OrganizationMfaFactor> factors;
  while (!text.empty()) {
    size_t space = text.find(' ');
    std::string_view word = text.substr(0, space);
    if (auto f = domain::ParseOrganizationMfaFactor(word)) factors.push_back(*f);
    if (space == std::string_view::npos) break;
    text.remove_prefix(space + 1);
  }
  return factors;
}

Result<void> RequireOrganization(Connection& conn, const OrgId& org) {
  bool found = false;
  ORGD_TRY(conn.Query(kOrganizationExists, {Text(org.value())}, [&](const Row&) { found = true; }));
  if (!found) return Error::NotFound("organization");
  return {};
}

// A foreign key failure of a write, which only a concurrent organization delete can cause once
// the organization was checked in the same transaction.
Error MapOrganizationForeignKey(Error error) {
  if (error.code != ErrorCode::kFailedPrecondition || error.reason != "foreign_key") return error;
  return Error::NotFound("organization").WithDetail(std::move(error.detail));
}

}  // namespace

Result<void> SqlStore::PutOrganizationLogo(const OrgId& org, const OrganizationLogo& logo) {
  const std::string type(domain::LogoTypeName(logo.info.type));
  return RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    // Checked first so that both engines report the missing organization alike (SQLite's foreign
    // key error names no constraint).
    ORGD_TRY(RequireOrganization(conn, org));
    auto r = conn.Exec(kUpsertLogo, {Text(org.value()), Text(type), OptText(logo.info.file_name),
                                     Text(logo.info.content_type), Text(logo.info.content_hash),
                                     Int(static_cast<int64_t>(logo.bytes.size())), Blob{logo.bytes},
                                     Int(logo.info.updated_at)});
    if (!r) return MapOrganizationForeignKey(std::move(r).error());
    return {};
  });
}

Result<OrganizationLogo> SqlStore::GetOrganizationLogo(const OrgId& org, LogoType type) {
  const std::string type_name(domain::LogoTypeName(type));
  std::optional<OrganizationLogo> logo;
  ORGD_TRY(Run([&](Connection& conn) {
    logo.reset();
    return conn.Query(kGetLogo, {Text(org.value()), Text(type_name)}, [&](const Row& row) {
      logo = OrganizationLogo{.info = ReadLogoInfo(row), .bytes = row.GetBlob(6)};
    });
  }));
  if (!logo) return Error::NotFound("logo");
  return std::move(*logo);
}

Result<std::vector<OrganizationLogoInfo>> SqlStore::ListOrganizationLogos(const OrgId& org) {
  std::vector<OrganizationLogoInfo> logos;
  ORGD_TRY(Run([&](Connection& conn) {
    logos.clear();
    return conn.Query(kListLogos, {Text(org.value())},
                      [&](const Row& row) { logos.push_back(ReadLogoInfo(row)); });
  }));
  return logos;
}

Result<bool> SqlStore::DeleteOrganizationLogo(const OrgId& org, LogoType type) {
  const std::string type_name(domain::LogoTypeName(type));
  bool removed = false;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    auto deleted = conn.Exec(kDeleteLogo, {Text(org.value()), Text(type_name)});
    if (!deleted) return std::move(deleted).error();
    removed = *deleted > 0;
    return {};
  }));
  return removed;
}

Result<OrganizationSettings> SqlStore::GetOrganizationSettings(const OrgId& org) {
  OrganizationSettings settings;
  ORGD_TRY(Run([&](Connection& conn) {
    settings = OrganizationSettings{};
    return conn.Query(kGetSettings, {Text(org.value())}, [&](const Row& row) {
      settings.sessions = domain::SessionPolicy{
          .is_use_org_sso_session_policy = row.GetBool(0),
          .sso_session_persistence_mode =
              domain::ParseSessionPersistenceMode(row.GetText(1))
                  .value_or(domain::SessionPersistenceMode::kPersistent),
          .is_use_org_authenticated_session_lifetime = row.GetBool(2),
          .authenticated_session_lifetime = row.GetOptInt(3),
      };
      if (!row.IsNull(4)) {
        settings.mfa = domain::OrganizationMfaConfig{
            .enabled_factors = SplitFactors(row.GetText(4)),
            .is_recovery_codes_enabled = row.GetBool(5),
        };
      }
      if (!row.IsNull(6)) settings.passkey_override = domain::ParsePasskeyPolicy(row.GetText(6));
      settings.updated_at = row.GetInt(7);
    });
  }));
  return settings;
}

Result<void> SqlStore::PutOrganizationSettings(const OrgId& org,
                                               const OrganizationSettings& settings,
                                               int64_t now_ms) {
  const domain::SessionPolicy& s = settings.sessions;
  const std::string mode(domain::SessionPersistenceModeName(s.sso_session_persistence_mode));
  const std::optional<std::string> factors =
      settings.mfa ? std::optional<std::string>(JoinFactors(settings.mfa->enabled_factors))
                   : std::nullopt;
  const bool recovery_codes = settings.mfa ? settings.mfa->is_recovery_codes_enabled : true;
  const std::optional<std::string> passkey =
      settings.passkey_override
          ? std::optional<std::string>(domain::PasskeyPolicyName(*settings.passkey_override))
          : std::nullopt;
  return RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    ORGD_TRY(RequireOrganization(conn, org));
    auto r = conn.Exec(
        kUpsertSettings,
        {Text(org.value()), Bool(s.is_use_org_sso_session_policy), Text(mode),
         Bool(s.is_use_org_authenticated_session_lifetime),
         s.authenticated_session_lifetime ? Int(*s.authenticated_session_lifetime) : Param{nullptr},
         OptText(factors), Bool(recovery_codes), OptText(passkey), Int(now_ms)});
    if (!r) return MapOrganizationForeignKey(std::move(r).error());
    return {};
  });
}

}  // namespace orgd::store::sql
