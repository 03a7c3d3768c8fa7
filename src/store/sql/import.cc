// The bulk-import writes of the SQL store (store/import_store.h).

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "store/sql/sql_common.h"
#include "store/sql/sql_store.h"

namespace orgd::store::sql {
namespace {

using internal::AsciiLower;
using internal::MapUnique;
using internal::OptAsciiLower;
using internal::OptInt;

// Every upsert is an INSERT … ON CONFLICT (id) DO NOTHING, then, when the id existed, an UPDATE
// whose WHERE clause holds only when an imported column differs. Both are plain SQL on both
// engines (IS DISTINCT FROM: SQLite 3.39+). The conflict target names the id only, so a clash on
// another unique column (an email, a key) still fails the statement, as an import must report
// it. Updating only differing rows is what keeps a re-import from touching updated_at. A
// created_at that may be NULL is cast, as PostgreSQL cannot infer the type of a bare `$n IS NULL`.

constexpr std::string_view kInsertOrganization =
    "INSERT INTO organizations (id, name, name_sort, description, custom_data, is_mfa_required, "
    "custom_css, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
    "ON CONFLICT (id) DO NOTHING";
constexpr std::string_view kUpdateOrganization =
    "UPDATE organizations SET name = $2, name_sort = $3, description = $4, custom_data = $5, "
    "is_mfa_required = $6, custom_css = $7, "
    "created_at = COALESCE(CAST($8 AS BIGINT), created_at), updated_at = $9 "
    "WHERE id = $1 AND (name IS DISTINCT FROM $2 OR description IS DISTINCT FROM $4 OR "
    "custom_data IS DISTINCT FROM $5 OR is_mfa_required IS DISTINCT FROM $6 OR "
    "custom_css IS DISTINCT FROM $7 OR "
    "(CAST($8 AS BIGINT) IS NOT NULL AND created_at IS DISTINCT FROM CAST($8 AS BIGINT)))";

constexpr std::string_view kInsertUser =
    "INSERT INTO users (id, username, username_lower, primary_email, primary_email_lower, "
    "primary_phone, name, name_lower, avatar, custom_data, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING";
constexpr std::string_view kUpdateUser =
    "UPDATE users SET username = $2, username_lower = $3, primary_email = $4, "
    "primary_email_lower = $5, primary_phone = $6, name = $7, name_lower = $8, avatar = $9, "
    "custom_data = $10, created_at = COALESCE(CAST($11 AS BIGINT), created_at), "
    "updated_at = $12 WHERE id = $1 AND (username IS DISTINCT FROM $2 OR "
    "primary_email IS DISTINCT FROM $4 OR primary_phone IS DISTINCT FROM $6 OR "
    "name IS DISTINCT FROM $7 OR avatar IS DISTINCT FROM $9 OR custom_data IS DISTINCT FROM $10 OR "
    "(CAST($11 AS BIGINT) IS NOT NULL AND created_at IS DISTINCT FROM CAST($11 AS BIGINT)))";

// The display name follows the key only where it still equals the old key (RoleService's rule),
// so a Kinde display name set separately survives a re-import. SET expressions read the old row.
constexpr std::string_view kInsertPermission =
    "INSERT INTO permissions (id, key, name, name_sort, description, created_at) "
    "VALUES ($1, $2, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING";
constexpr std::string_view kUpdatePermission =
    "UPDATE permissions SET key = $2, name = CASE WHEN name = key THEN $2 ELSE name END, "
    "name_sort = CASE WHEN name = key THEN $3 ELSE name_sort END, description = $4 "
    "WHERE id = $1 AND (key IS DISTINCT FROM $2 OR description IS DISTINCT FROM $4)";

constexpr std::string_view kInsertRole =
    "INSERT INTO roles (id, key, key_sort, name, name_sort, description, type, created_at) "
    "VALUES ($1, $2, $3, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING";
constexpr std::string_view kUpdateRole =
    "UPDATE roles SET key = $2, key_sort = $3, name = CASE WHEN name = key THEN $2 ELSE name END, "
    "name_sort = CASE WHEN name = key THEN $3 ELSE name_sort END, description = $4, type = $5 "
    "WHERE id = $1 AND (key IS DISTINCT FROM $2 OR description IS DISTINCT FROM $4 OR "
    "type IS DISTINCT FROM $5)";

constexpr std::string_view kInsertRolePermission =
    "INSERT INTO role_permissions (role_id, permission_id, created_at) VALUES ($1, $2, $3) "
    "ON CONFLICT DO NOTHING";
constexpr std::string_view kInsertMembership =
    "INSERT INTO organization_members (org_id, user_id, created_at) VALUES ($1, $2, $3) "
    "ON CONFLICT DO NOTHING";
constexpr std::string_view kInsertMemberRole =
    "INSERT INTO organization_member_roles (org_id, user_id, role_id, created_at) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";

constexpr std::string_view kGetProgress =
    "SELECT file_size, lines_done, bytes_done, started_at, updated_at, completed_at "
    "FROM import_progress WHERE file_id = $1";
constexpr std::string_view kPutProgress =
    "INSERT INTO import_progress (file_id, file_size, lines_done, bytes_done, started_at, "
    "updated_at, completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
    "ON CONFLICT (file_id) DO UPDATE SET file_size = excluded.file_size, "
    "lines_done = excluded.lines_done, bytes_done = excluded.bytes_done, "
    "updated_at = excluded.updated_at, completed_at = excluded.completed_at";

Error MapOrganizationUnique(Error error) {
  return MapUnique(std::move(error), "organization",
                   {{"organizations.id", "id"}, {"organizations_pkey", "id"}});
}

Error MapUserUnique(Error error) {
  return MapUnique(std::move(error), "user",
                   {
                       {"users.username", "username"},
                       {"users_username_key", "username"},
                       {"users.primary_email_lower", "email"},
                       {"users_primary_email_lower_key", "email"},
                       {"users.primary_phone", "phone"},
                       {"users_primary_phone_key", "phone"},
                   });
}

Error MapKeyUnique(Error error, std::string_view subject) {
  return MapUnique(std::move(error), subject,
                   {{"roles.key", "key"},
                    {"roles_key_key", "key"},
                    {"permissions.key", "key"},
                    {"permissions_key_key", "key"}});
}

// Runs the insert, then the conditional update when the id existed.
Result<ImportWrite> Upsert(Connection& conn, std::string_view insert,
                           std::span<const Param> insert_params, std::string_view update,
                           std::span<const Param> update_params, Error (*map)(Error)) {
  auto inserted = conn.Exec(insert, insert_params);
  if (!inserted) return map(std::move(inserted).error());
  if (*inserted == 1) return ImportWrite::kInserted;
  auto updated = conn.Exec(update, update_params);
  if (!updated) return map(std::move(updated).error());
  return *updated == 1 ? ImportWrite::kUpdated : ImportWrite::kUnchanged;
}

}  // namespace

Result<void> SqlStore::PrepareBulkImport(int64_t cache_bytes) {
  // Session settings, so the statements differ per engine (pragmas are SQLite's alone).
  return Run([&](Connection& conn) -> Result<void> {
    if (conn.engine() == Engine::kPostgres) return conn.ExecScript("SET synchronous_commit = off");
    const std::string pragmas = "PRAGMA cache_size = -" + std::to_string(cache_bytes / 1024) +
                                "; PRAGMA wal_autocheckpoint = 16384";
    return conn.ExecScript(pragmas);
  });
}

Result<std::optional<ImportProgress>> SqlStore::GetImportProgress(const std::string& file_id) {
  std::optional<ImportProgress> progress;
  ORGD_TRY(Run([&](Connection& conn) {
    return conn.Query(kGetProgress, {Text(file_id)}, [&](const Row& row) {
      progress = ImportProgress{
          .file_id = file_id,
          .file_size = row.GetInt(0),
          .lines_done = row.GetInt(1),
          .bytes_done = row.GetInt(2),
          .started_at = row.GetInt(3),
          .updated_at = row.GetInt(4),
          .completed_at = row.GetOptInt(5),
      };
    });
  }));
  return progress;
}

Result<void> SqlStore::PutImportProgress(const ImportProgress& p) {
  return Run([&](Connection& conn) -> Result<void> {
    ORGD_TRY(conn.Exec(kPutProgress,
                       {Text(p.file_id), Int(p.file_size), Int(p.lines_done), Int(p.bytes_done),
                        Int(p.started_at), Int(p.updated_at), OptInt(p.completed_at)}));
    return {};
  });
}

Result<ImportWrite> SqlStore::ImportOrganization(const domain::Organization& org,
                                                 std::optional<int64_t> created_at,
                                                 int64_t now_ms) {
  const std::string name_sort = AsciiLower(org.name);
  const std::array<Param, 9> insert = {Text(org.id.value()),
                                       Text(org.name),
                                       Text(name_sort),
                                       OptText(org.description),
                                       Text(org.custom_data),
                                       Bool(org.is_mfa_required),
                                       OptText(org.custom_css),
                                       Int(created_at.value_or(now_ms)),
                                       Int(now_ms)};
  const std::array<Param, 9> update = {insert[0], insert[1],          insert[2],
                                       insert[3], insert[4],          insert[5],
                                       insert[6], OptInt(created_at), Int(now_ms)};
  Result<ImportWrite> out = ImportWrite::kUnchanged;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    out = Upsert(conn, kInsertOrganization, insert, kUpdateOrganization, update,
                 MapOrganizationUnique);
    if (!out) return out.error();
    return {};
  }));
  return out;
}

Result<ImportWrite> SqlStore::ImportUser(const domain::User& u, std::optional<int64_t> created_at,
                                         int64_t now_ms) {
  const std::optional<std::string> username_lower = OptAsciiLower(u.username);
  const std::optional<std::string> email_lower = OptAsciiLower(u.primary_email);
  const std::optional<std::string> name_lower = OptAsciiLower(u.name);
  const std::array<Param, 12> insert = {Text(u.id.value()),
                                        OptText(u.username),
                                        OptText(username_lower),
                                        OptText(u.primary_email),
                                        OptText(email_lower),
                                        OptText(u.primary_phone),
                                        OptText(u.name),
                                        OptText(name_lower),
                                        OptText(u.avatar),
                                        Text(u.custom_data),
                                        Int(created_at.value_or(now_ms)),
                                        Int(now_ms)};
  std::array<Param, 12> update = insert;
  update[10] = OptInt(created_at);
  Result<ImportWrite> out = ImportWrite::kUnchanged;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    out = Upsert(conn, kInsertUser, insert, kUpdateUser, update, MapUserUnique);
    if (!out) return out.error();
    return {};
  }));
  return out;
}

Result<ImportWrite> SqlStore::ImportPermission(const domain::Permission& p) {
  const std::string key_sort = AsciiLower(p.key);
  const std::array<Param, 5> insert = {Text(p.id.value()), Text(p.key), Text(key_sort),
                                       OptText(p.description), Int(p.created_at)};
  const std::span<const Param> update = std::span(insert).first(4);
  Result<ImportWrite> out = ImportWrite::kUnchanged;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    out = Upsert(conn, kInsertPermission, insert, kUpdatePermission, update,
                 [](Error e) { return MapKeyUnique(std::move(e), "permission"); });
    if (!out) return out.error();
    return {};
  }));
  return out;
}

Result<ImportWrite> SqlStore::ImportRole(const domain::Role& r) {
  const std::string key_sort = AsciiLower(r.key);
  const std::string type(domain::RoleTypeName(r.type));
  const std::array<Param, 6> insert = {Text(r.id.value()),     Text(r.key), Text(key_sort),
                                       OptText(r.description), Text(type),  Int(r.created_at)};
  const std::span<const Param> update = std::span(insert).first(5);
  Result<ImportWrite> out = ImportWrite::kUnchanged;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    out = Upsert(conn, kInsertRole, insert, kUpdateRole, update,
                 [](Error e) { return MapKeyUnique(std::move(e), "role"); });
    if (!out) return out.error();
    return {};
  }));
  return out;
}

Result<bool> SqlStore::ImportRolePermission(const RoleId& role, const PermissionId& permission,
                                            int64_t now_ms) {
  bool added = false;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    auto n = conn.Exec(kInsertRolePermission,
                       {Text(role.value()), Text(permission.value()), Int(now_ms)});
    if (!n) return std::move(n).error();
    added = *n == 1;
    return {};
  }));
  return added;
}

Result<bool> SqlStore::ImportMembership(const OrgId& org, const UserId& user, int64_t now_ms) {
  bool added = false;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    auto n = conn.Exec(kInsertMembership, {Text(org.value()), Text(user.value()), Int(now_ms)});
    if (!n) return std::move(n).error();
    added = *n == 1;
    return {};
  }));
  return added;
}

Result<bool> SqlStore::ImportMemberRole(const OrgId& org, const UserId& user, const RoleId& role,
                                        int64_t now_ms) {
  bool added = false;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    auto n = conn.Exec(kInsertMemberRole,
                       {Text(org.value()), Text(user.value()), Text(role.value()), Int(now_ms)});
    if (!n) return std::move(n).error();
    added = *n == 1;
    return {};
  }));
  return added;
}

}  // namespace orgd::store::sql
