// SqlStore: feature flag definitions and organization overrides (feature_flag_store.h), tables of
// migrations/*/0003_feature_flags_properties.sql.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/result.h"
#include "domain/model/feature_flag.h"
#include "store/db.h"
#include "store/sql/sql_store.h"

namespace orgd::store::sql {
namespace {

using domain::FeatureFlag;
using domain::FeatureFlagKey;

// A key clash: SQLite names the column ("UNIQUE constraint failed: feature_flags.key"),
// PostgreSQL the constraint ("feature_flags_pkey"). Other errors pass unchanged.
Error MapFlagUnique(Error error) {
  if (error.code != ErrorCode::kAlreadyExists) return error;
  return Error::AlreadyExists("feature_flag", "feature_flag_key")
      .WithDetail(std::move(error.detail));
}

// A foreign key failure of an override write, which only a concurrent delete can cause once the
// caller checked both rows in its transaction. PostgreSQL names the constraint; SQLite names none,
// but it serializes writers, so it cannot get here.
Error MapOverrideForeignKey(Error error) {
  if (error.code != ErrorCode::kFailedPrecondition || error.reason != "foreign_key") return error;
  if (error.detail.find("organization_feature_flags_flag_key_fkey") != std::string::npos) {
    return Error::NotFound("feature_flag").WithDetail(std::move(error.detail));
  }
  return Error::NotFound("organization").WithDetail(std::move(error.detail));
}

// Reads the columns of kGetFlag and kListFlags, in their order.
FeatureFlag ReadFlag(const Row& row) {
  return FeatureFlag{
      .key = FeatureFlagKey(row.GetText(0)),
      .name = row.GetString(1),
      .description = row.GetOptString(2),
      .type = domain::ParseFlagType(row.GetText(3)).value_or(domain::FlagType::kStr),
      .allow_override_level =
          domain::ParseOverrideLevel(row.GetText(4)).value_or(domain::OverrideLevel::kOrg),
      .default_value = row.GetString(5),
      .created_at = row.GetInt(6),
  };
}

constexpr std::string_view kInsertFlag =
    "INSERT INTO feature_flags (key, name, description, type, allow_override_level, "
    "default_value, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
constexpr std::string_view kGetFlag =
    "SELECT key, name, description, type, allow_override_level, default_value, created_at "
    "FROM feature_flags WHERE key = $1";
// A write that changes nothing, to take the flag's row lock on PostgreSQL until the transaction
// ends (SQLite's BEGIN IMMEDIATE already serializes writers). The domain reads the flag through it
// before it updates the definition or writes an override, so those take turns and an override
// never escapes a concurrent type change's check.
constexpr std::string_view kLockFlag =
    "UPDATE feature_flags SET default_value = default_value WHERE key = $1";
constexpr std::string_view kUpdateFlag =
    "UPDATE feature_flags SET name = $2, description = $3, type = $4, allow_override_level = $5, "
    "default_value = $6 WHERE key = $1";
// Overrides of the flag go with it through ON DELETE CASCADE.
constexpr std::string_view kDeleteFlag = "DELETE FROM feature_flags WHERE key = $1";
constexpr std::string_view kListFlags =
    "SELECT key, name, description, type, allow_override_level, default_value, created_at "
    "FROM feature_flags ORDER BY created_at, key";

constexpr std::string_view kListOrgFlags =
    "SELECT f.key, f.type, f.default_value, o.value FROM feature_flags f "
    "LEFT JOIN organization_feature_flags o ON o.flag_key = f.key AND o.org_id = $1 "
    "ORDER BY f.created_at, f.key";
constexpr std::string_view kListOverrideValues =
    "SELECT value FROM organization_feature_flags WHERE flag_key = $1";
constexpr std::string_view kOrganizationExists = "SELECT 1 FROM organizations WHERE id = $1";
constexpr std::string_view kFlagExists = "SELECT 1 FROM feature_flags WHERE key = $1";
constexpr std::string_view kUpsertOverride =
    "INSERT INTO organization_feature_flags (org_id, flag_key, value) VALUES ($1, $2, $3) "
    "ON CONFLICT (org_id, flag_key) DO UPDATE SET value = excluded.value";
constexpr std::string_view kDeleteOverride =
    "DELETE FROM organization_feature_flags WHERE org_id = $1 AND flag_key = $2";
constexpr std::string_view kDeleteOrgOverrides =
    "DELETE FROM organization_feature_flags WHERE org_id = $1";
constexpr std::string_view kDeleteFlagOverrides =
    "DELETE FROM organization_feature_flags WHERE flag_key = $1";

Result<FeatureFlag> GetFlagOn(Connection& conn, const FeatureFlagKey& key) {
  std::optional<FeatureFlag> flag;
  ORGD_TRY(
      conn.Query(kGetFlag, {Text(key.value())}, [&](const Row& row) { flag = ReadFlag(row); }));
  if (!flag) return Error::NotFound("feature_flag");
  return std::move(*flag);
}

Result<bool> ExistsOn(Connection& conn, std::string_view sql, const std::string& id) {
  bool found = false;
  ORGD_TRY(conn.Query(sql, {Text(id)}, [&](const Row&) { found = true; }));
  return found;
}

}  // namespace

Result<void> SqlStore::InsertFeatureFlag(const FeatureFlag& flag) {
  const std::string type(domain::FlagTypeName(flag.type));
  const std::string level(domain::OverrideLevelName(flag.allow_override_level));
  return Run([&](Connection& conn) -> Result<void> {
    auto r = conn.Exec(kInsertFlag,
                       {Text(flag.key.value()), Text(flag.name), OptText(flag.description),
                        Text(type), Text(level), Text(flag.default_value), Int(flag.created_at)});
    if (!r) return MapFlagUnique(std::move(r).error());
    return {};
  });
}

Result<FeatureFlag> SqlStore::GetFeatureFlag(const FeatureFlagKey& key) {
  std::optional<FeatureFlag> flag;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    auto r = GetFlagOn(conn, key);
    if (!r) return std::move(r).error();
    flag = std::move(*r);
    return {};
  }));
  return std::move(*flag);
}

Result<FeatureFlag> SqlStore::GetFeatureFlagForUpdate(const FeatureFlagKey& key) {
  std::optional<FeatureFlag> flag;
  ORGD_TRY(RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    auto locked = conn.Exec(kLockFlag, {Text(key.value())});
    if (!locked) return std::move(locked).error();
    if (*locked == 0) return Error::NotFound("feature_flag");
    auto r = GetFlagOn(conn, key);
    if (!r) return std::move(r).error();
    flag = std::move(*r);
    return {};
  }));
  return std::move(*flag);
}

Result<void> SqlStore::UpdateFeatureFlag(const FeatureFlag& flag) {
  const std::string type(domain::FlagTypeName(flag.type));
  const std::string level(domain::OverrideLevelName(flag.allow_override_level));
  return Run([&](Connection& conn) -> Result<void> {
    auto changed =
        conn.Exec(kUpdateFlag, {Text(flag.key.value()), Text(flag.name), OptText(flag.description),
                                Text(type), Text(level), Text(flag.default_value)});
    if (!changed) return std::move(changed).error();
    if (*changed == 0) return Error::NotFound("feature_flag");
    return {};
  });
}

Result<void> SqlStore::DeleteFeatureFlag(const FeatureFlagKey& key) {
  return Run([&](Connection& conn) -> Result<void> {
    auto deleted = conn.Exec(kDeleteFlag, {Text(key.value())});
    if (!deleted) return std::move(deleted).error();
    if (*deleted == 0) return Error::NotFound("feature_flag");
    return {};
  });
}

Result<std::vector<FeatureFlag>> SqlStore::ListFeatureFlags() {
  std::vector<FeatureFlag> flags;
  ORGD_TRY(Run([&](Connection& conn) {
    flags.clear();
    return conn.Query(kListFlags, {}, [&](const Row& row) { flags.push_back(ReadFlag(row)); });
  }));
  return flags;
}

Result<std::vector<domain::OrgFeatureFlag>> SqlStore::ListOrgFeatureFlags(const OrgId& org) {
  std::vector<domain::OrgFeatureFlag> flags;
  ORGD_TRY(Run([&](Connection& conn) {
    flags.clear();
    return conn.Query(kListOrgFlags, {Text(org.value())}, [&](const Row& row) {
      const bool is_override = !row.IsNull(3);
      flags.push_back(domain::OrgFeatureFlag{
          .key = FeatureFlagKey(row.GetText(0)),
          .type = domain::ParseFlagType(row.GetText(1)).value_or(domain::FlagType::kStr),
          .value = is_override ? row.GetString(3) : row.GetString(2),
          .is_override = is_override,
      });
    });
  }));
  return flags;
}

Result<std::vector<std::string>> SqlStore::ListFeatureFlagOverrideValues(
    const FeatureFlagKey& key) {
  std::vector<std::string> values;
  ORGD_TRY(Run([&](Connection& conn) {
    values.clear();
    return conn.Query(kListOverrideValues, {Text(key.value())},
                      [&](const Row& row) { values.push_back(row.GetString(0)); });
  }));
  return values;
}

Result<void> SqlStore::SetFeatureFlagOverride(const OrgId& org,
                                              const domain::FeatureFlagOverride& flag_override) {
  return RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    // Checked first so that both engines tell which row is missing (SQLite's foreign key error
    // names no constraint).
    auto org_found = ExistsOn(conn, kOrganizationExists, org.value());
    if (!org_found) return std::move(org_found).error();
    if (!*org_found) return Error::NotFound("organization");
    auto flag_found = ExistsOn(conn, kFlagExists, flag_override.key.value());
    if (!flag_found) return std::move(flag_found).error();
    if (!*flag_found) return Error::NotFound("feature_flag");
    auto r = conn.Exec(kUpsertOverride, {Text(org.value()), Text(flag_override.key.value()),
                                         Text(flag_override.value)});
    if (!r) return MapOverrideForeignKey(std::move(r).error());
    return {};
  });
}

Result<bool> SqlStore::DeleteFeatureFlagOverride(const OrgId& org, const FeatureFlagKey& key) {
  bool removed = false;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    auto deleted = conn.Exec(kDeleteOverride, {Text(org.value()), Text(key.value())});
    if (!deleted) return std::move(deleted).error();
    removed = *deleted > 0;
    return {};
  }));
  return removed;
}

Result<int64_t> SqlStore::DeleteOrgFeatureFlagOverrides(const OrgId& org) {
  int64_t removed = 0;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    auto deleted = conn.Exec(kDeleteOrgOverrides, {Text(org.value())});
    if (!deleted) return std::move(deleted).error();
    removed = *deleted;
    return {};
  }));
  return removed;
}

Result<int64_t> SqlStore::DeleteFeatureFlagOverridesOfFlag(const FeatureFlagKey& key) {
  int64_t removed = 0;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    auto deleted = conn.Exec(kDeleteFlagOverrides, {Text(key.value())});
    if (!deleted) return std::move(deleted).error();
    removed = *deleted;
    return {};
  }));
  return removed;
}

}  // namespace orgd::store::sql
