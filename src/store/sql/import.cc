// The bulk-import writes of the SQL store (store/import_store.h).

#include <algorithm>
#include <array>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_set>
#include <utility>
#include <vector>

#include "store/sql/bulk_rows.h"
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
constexpr std::string_view kInsertMembershipsHead =
    "INSERT INTO organization_members (org_id, user_id, created_at) VALUES ";
constexpr std::string_view kInsertMemberRolesHead =
    "INSERT INTO organization_member_roles (org_id, user_id, role_id, created_at) VALUES ";
constexpr std::string_view kInsertMembership =
    "INSERT INTO organization_members (org_id, user_id, created_at) VALUES ($1, $2, $3) "
    "ON CONFLICT DO NOTHING";
constexpr std::string_view kInsertMemberRole =
    "INSERT INTO organization_member_roles (org_id, user_id, role_id, created_at) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";

// The multi-row writes: the same statements reading their rows from bulk parameters
// (bulk_rows.h), one text per engine. $1 is now; the rows follow. An upsert runs the insert
// (RETURNING the ids it inserted) and then the conditional update over the other rows only.
// `WHERE true` keeps SQLite from reading ON CONFLICT as a join constraint; the casts give
// PostgreSQL the types of a SELECT list.
constexpr std::string_view kInsertOrganizationsPostgres =
    "INSERT INTO organizations (id, name, name_sort, description, custom_data, is_mfa_required, "
    "custom_css, created_at, updated_at) SELECT v.id, v.name, v.name_sort, v.description, "
    "v.custom_data, v.is_mfa_required, v.custom_css, v.created_at, CAST($1 AS BIGINT) "
    "FROM unnest(CAST($2 AS TEXT[]), CAST($3 AS TEXT[]), CAST($4 AS TEXT[]), CAST($5 AS TEXT[]), "
    "CAST($6 AS TEXT[]), CAST($7 AS BIGINT[]), CAST($8 AS TEXT[]), CAST($9 AS BIGINT[])) "
    "AS v(id, name, name_sort, description, custom_data, is_mfa_required, custom_css, created_at) "
    "ON CONFLICT (id) DO NOTHING RETURNING id";
constexpr std::string_view kInsertOrganizationsSqlite =
    "INSERT INTO organizations (id, name, name_sort, description, custom_data, is_mfa_required, "
    "custom_css, created_at, updated_at) SELECT json_extract(j.value, '$[0]'), "
    "json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'), "
    "json_extract(j.value, '$[3]'), json_extract(j.value, '$[4]'), "
    "json_extract(j.value, '$[5]'), json_extract(j.value, '$[6]'), "
    "json_extract(j.value, '$[7]'), $1 FROM json_each($2) AS j WHERE true "
    "ON CONFLICT (id) DO NOTHING RETURNING id";
// The rows' columns as v(...) for the updates; created_at NULL where the line has none.
constexpr std::string_view kOrganizationRowsSqlite =
    "(SELECT json_extract(j.value, '$[0]') AS id, json_extract(j.value, '$[1]') AS name, "
    "json_extract(j.value, '$[2]') AS name_sort, json_extract(j.value, '$[3]') AS description, "
    "json_extract(j.value, '$[4]') AS custom_data, "
    "json_extract(j.value, '$[5]') AS is_mfa_required, "
    "json_extract(j.value, '$[6]') AS custom_css, json_extract(j.value, '$[7]') AS created_at "
    "FROM json_each($2) AS j) AS v";
constexpr std::string_view kOrganizationRowsPostgres =
    "unnest(CAST($2 AS TEXT[]), CAST($3 AS TEXT[]), CAST($4 AS TEXT[]), CAST($5 AS TEXT[]), "
    "CAST($6 AS TEXT[]), CAST($7 AS BIGINT[]), CAST($8 AS TEXT[]), CAST($9 AS BIGINT[])) "
    "AS v(id, name, name_sort, description, custom_data, is_mfa_required, custom_css, created_at)";
constexpr std::string_view kUpdateOrganizationsHead =
    "UPDATE organizations AS o SET name = v.name, name_sort = v.name_sort, "
    "description = v.description, custom_data = v.custom_data, "
    "is_mfa_required = v.is_mfa_required, custom_css = v.custom_css, "
    "created_at = COALESCE(v.created_at, o.created_at), updated_at = $1 FROM ";
constexpr std::string_view kUpdateOrganizationsTail =
    " WHERE o.id = v.id AND (o.name IS DISTINCT FROM v.name OR "
    "o.description IS DISTINCT FROM v.description OR "
    "o.custom_data IS DISTINCT FROM v.custom_data OR "
    "o.is_mfa_required IS DISTINCT FROM v.is_mfa_required OR "
    "o.custom_css IS DISTINCT FROM v.custom_css OR "
    "(v.created_at IS NOT NULL AND o.created_at IS DISTINCT FROM v.created_at))";
constexpr std::string_view kUpdateOrganizationsPostgres =
    internal::kJoin<kUpdateOrganizationsHead, kOrganizationRowsPostgres, kUpdateOrganizationsTail>;
constexpr std::string_view kUpdateOrganizationsSqlite =
    internal::kJoin<kUpdateOrganizationsHead, kOrganizationRowsSqlite, kUpdateOrganizationsTail>;

constexpr std::string_view kInsertUsersPostgres =
    "INSERT INTO users (id, username, username_lower, primary_email, primary_email_lower, "
    "primary_phone, name, name_lower, avatar, custom_data, created_at, updated_at) "
    "SELECT v.id, v.username, v.username_lower, v.primary_email, v.primary_email_lower, "
    "v.primary_phone, v.name, v.name_lower, v.avatar, v.custom_data, v.created_at, "
    "CAST($1 AS BIGINT) FROM unnest(CAST($2 AS TEXT[]), CAST($3 AS TEXT[]), CAST($4 AS TEXT[]), "
    "CAST($5 AS TEXT[]), CAST($6 AS TEXT[]), CAST($7 AS TEXT[]), CAST($8 AS TEXT[]), "
    "CAST($9 AS TEXT[]), CAST($10 AS TEXT[]), CAST($11 AS TEXT[]), CAST($12 AS BIGINT[])) "
    "AS v(id, username, username_lower, primary_email, primary_email_lower, primary_phone, name, "
    "name_lower, avatar, custom_data, created_at) ON CONFLICT (id) DO NOTHING RETURNING id";
constexpr std::string_view kInsertUsersSqlite =
    "INSERT INTO users (id, username, username_lower, primary_email, primary_email_lower, "
    "primary_phone, name, name_lower, avatar, custom_data, created_at, updated_at) "
    "SELECT json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), "
    "json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]'), "
    "json_extract(j.value, '$[4]'), json_extract(j.value, '$[5]'), "
    "json_extract(j.value, '$[6]'), json_extract(j.value, '$[7]'), "
    "json_extract(j.value, '$[8]'), json_extract(j.value, '$[9]'), "
    "json_extract(j.value, '$[10]'), $1 FROM json_each($2) AS j WHERE true "
    "ON CONFLICT (id) DO NOTHING RETURNING id";
constexpr std::string_view kUserRowsSqlite =
    "(SELECT json_extract(j.value, '$[0]') AS id, json_extract(j.value, '$[1]') AS username, "
    "json_extract(j.value, '$[2]') AS username_lower, "
    "json_extract(j.value, '$[3]') AS primary_email, "
    "json_extract(j.value, '$[4]') AS primary_email_lower, "
    "json_extract(j.value, '$[5]') AS primary_phone, json_extract(j.value, '$[6]') AS name, "
    "json_extract(j.value, '$[7]') AS name_lower, json_extract(j.value, '$[8]') AS avatar, "
    "json_extract(j.value, '$[9]') AS custom_data, json_extract(j.value, '$[10]') AS created_at "
    "FROM json_each($2) AS j) AS v";
constexpr std::string_view kUserRowsPostgres =
    "unnest(CAST($2 AS TEXT[]), CAST($3 AS TEXT[]), CAST($4 AS TEXT[]), CAST($5 AS TEXT[]), "
    "CAST($6 AS TEXT[]), CAST($7 AS TEXT[]), CAST($8 AS TEXT[]), CAST($9 AS TEXT[]), "
    "CAST($10 AS TEXT[]), CAST($11 AS TEXT[]), CAST($12 AS BIGINT[])) "
    "AS v(id, username, username_lower, primary_email, primary_email_lower, primary_phone, name, "
    "name_lower, avatar, custom_data, created_at)";
constexpr std::string_view kUpdateUsersHead =
    "UPDATE users AS u SET username = v.username, username_lower = v.username_lower, "
    "primary_email = v.primary_email, primary_email_lower = v.primary_email_lower, "
    "primary_phone = v.primary_phone, name = v.name, name_lower = v.name_lower, "
    "avatar = v.avatar, custom_data = v.custom_data, "
    "created_at = COALESCE(v.created_at, u.created_at), updated_at = $1 FROM ";
constexpr std::string_view kUpdateUsersTail =
    " WHERE u.id = v.id AND (u.username IS DISTINCT FROM v.username OR "
    "u.primary_email IS DISTINCT FROM v.primary_email OR "
    "u.primary_phone IS DISTINCT FROM v.primary_phone OR u.name IS DISTINCT FROM v.name OR "
    "u.avatar IS DISTINCT FROM v.avatar OR u.custom_data IS DISTINCT FROM v.custom_data OR "
    "(v.created_at IS NOT NULL AND u.created_at IS DISTINCT FROM v.created_at))";
constexpr std::string_view kUpdateUsersPostgres =
    internal::kJoin<kUpdateUsersHead, kUserRowsPostgres, kUpdateUsersTail>;
constexpr std::string_view kUpdateUsersSqlite =
    internal::kJoin<kUpdateUsersHead, kUserRowsSqlite, kUpdateUsersTail>;

constexpr std::string_view kInsertMembershipsPostgres =
    "INSERT INTO organization_members (org_id, user_id, created_at) "
    "SELECT v.org_id, v.user_id, CAST($1 AS BIGINT) "
    "FROM unnest(CAST($2 AS TEXT[]), CAST($3 AS TEXT[])) AS v(org_id, user_id) "
    "ON CONFLICT DO NOTHING";
constexpr std::string_view kInsertMembershipsSqlite =
    "INSERT INTO organization_members (org_id, user_id, created_at) "
    "SELECT json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), $1 "
    "FROM json_each($2) AS j WHERE true ON CONFLICT DO NOTHING";
constexpr std::string_view kInsertMemberRolesPostgres =
    "INSERT INTO organization_member_roles (org_id, user_id, role_id, created_at) "
    "SELECT v.org_id, v.user_id, v.role_id, CAST($1 AS BIGINT) "
    "FROM unnest(CAST($2 AS TEXT[]), CAST($3 AS TEXT[]), CAST($4 AS TEXT[])) "
    "AS v(org_id, user_id, role_id) ON CONFLICT DO NOTHING";
constexpr std::string_view kInsertMemberRolesSqlite =
    "INSERT INTO organization_member_roles (org_id, user_id, role_id, created_at) "
    "SELECT json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), "
    "json_extract(j.value, '$[2]'), $1 FROM json_each($2) AS j WHERE true "
    "ON CONFLICT DO NOTHING";

constexpr std::string_view kGetProgress =
    "SELECT file_size, lines_done, bytes_done, started_at, updated_at, completed_at "
    "FROM import_progress WHERE file_id = $1";
constexpr std::string_view kPutProgress =
    "INSERT INTO import_progress (file_id, file_size, lines_done, bytes_done, started_at, "
    "updated_at, completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
    "ON CONFLICT (file_id) DO UPDATE SET file_size = excluded.file_size, "
    "lines_done = excluded.lines_done, bytes_done = excluded.bytes_done, "
    "updated_at = excluded.updated_at, completed_at = excluded.completed_at";

// Bulk load (ImportStore::BulkLoad). The tables it fills must all be empty.
constexpr std::string_view kBulkTablesEmpty =
    "SELECT NOT EXISTS (SELECT 1 FROM organizations) AND NOT EXISTS (SELECT 1 FROM users) AND "
    "NOT EXISTS (SELECT 1 FROM organization_members) AND "
    "NOT EXISTS (SELECT 1 FROM organization_member_roles)";
// Those tables' names, as an SQL list, for the catalog queries below.
constexpr std::string_view kBulkTableList =
    " ('organizations', 'users', 'organization_members', 'organization_member_roles') ";
// SQLite: the indexes of those tables made by CREATE INDEX (not UNIQUE), which the load sets
// aside, and their triggers, with the SQL that makes each again; insert triggers are marked.
constexpr std::string_view kBulkSchemaHead =
    "SELECT type, name, sql, type = 'trigger' AND instr(upper(sql), ' INSERT ON ') > 0 "
    "FROM sqlite_master WHERE tbl_name IN";
constexpr std::string_view kBulkSchemaTail =
    "AND sql IS NOT NULL AND ((type = 'index' AND upper(sql) NOT LIKE 'CREATE UNIQUE %') OR "
    "type = 'trigger') ORDER BY type, name";
constexpr std::string_view kBulkSchema =
    internal::kJoin<kBulkSchemaHead, kBulkTableList, kBulkSchemaTail>;

// PostgreSQL: what a bulk load sets aside (with them the rows took 2.5 times as long: 32.6 s
// against 12.8 s for 1,200,011 lines in batches): the foreign keys of those tables (table, name,
// definition) and their indexes other than unique ones (name, definition), all in the current
// schema, names quoted and qualified. Statement-level triggers stay: they cost little per
// multi-row statement.
constexpr std::string_view kPgBulkForeignKeysHead =
    "SELECT quote_ident(n.nspname) || '.' || quote_ident(t.relname), quote_ident(c.conname), "
    "pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
    "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE c.contype = 'f' "
    "AND n.nspname = current_schema() AND t.relname IN";
constexpr std::string_view kPgBulkForeignKeysTail = "ORDER BY t.relname, c.conname";
constexpr std::string_view kPgBulkForeignKeys =
    internal::kJoin<kPgBulkForeignKeysHead, kBulkTableList, kPgBulkForeignKeysTail>;
constexpr std::string_view kPgBulkIndexesHead =
    "SELECT quote_ident(n.nspname) || '.' || quote_ident(i.relname), pg_get_indexdef(i.oid) "
    "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
    "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE NOT x.indisunique "
    "AND n.nspname = current_schema() AND t.relname IN";
constexpr std::string_view kPgBulkIndexesTail = "ORDER BY i.relname";
constexpr std::string_view kPgBulkIndexes =
    internal::kJoin<kPgBulkIndexesHead, kBulkTableList, kPgBulkIndexesTail>;

// One change-feed row per organization, as the insert triggers of organizations, memberships and
// member role grants leave them (every membership's organization is an organization row): a
// sequence number above every earlier one.
constexpr std::string_view kNoteEveryOrganization =
    "INSERT INTO changes (org_id, seq) "
    "SELECT id, (SELECT COALESCE(MAX(seq), 0) FROM changes) + ROW_NUMBER() OVER (ORDER BY id) "
    "FROM organizations WHERE true ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq";

// The triggers a bulk load sets aside, and the statement that does for all rows at once what
// the trigger does for one (migrations 0009-0013): every insert trigger, and the search tables'
// update and delete triggers (an update of a row whose insert was not indexed would corrupt
// the index; the rebuild indexes the rows as they end). The other triggers of those tables (on
// update, on delete) stay and fire as usual. An insert trigger not listed here makes BulkLoad
// decline (the import then runs in batches): a migration adding one must add it here
// (import_test checks that the bulk load runs on the current schema).
struct TriggerReplay {
  std::string_view trigger;
  std::string_view replay;
};
constexpr std::string_view kRebuildOrganizationsFts =
    "INSERT INTO organizations_fts (organizations_fts) VALUES ('rebuild')";
constexpr std::string_view kRebuildUsersFts =
    "INSERT INTO users_fts (users_fts) VALUES ('rebuild')";
// Every organization's member count (migrations/*/0015_member_counts.sql); the table is empty
// before a bulk load, as the memberships are.
constexpr std::string_view kCountMembersOfEveryOrganization =
    "INSERT INTO organization_member_counts (org_id, n) "
    "SELECT org_id, COUNT(*) FROM organization_members WHERE true GROUP BY org_id "
    "ON CONFLICT (org_id) DO UPDATE SET n = excluded.n";
constexpr std::array<TriggerReplay, 11> kTriggerReplays = {{
    {"organizations_fts_insert", kRebuildOrganizationsFts},
    {"organizations_fts_update", kRebuildOrganizationsFts},
    {"organizations_fts_delete", kRebuildOrganizationsFts},
    {"users_fts_insert", kRebuildUsersFts},
    {"users_fts_update", kRebuildUsersFts},
    {"users_fts_delete", kRebuildUsersFts},
    {"organizations_count_insert",
     "UPDATE row_counts SET n = (SELECT COUNT(*) FROM organizations) WHERE name = 'organizations'"},
    {"organizations_changes_insert", kNoteEveryOrganization},
    {"organization_members_changes_insert", kNoteEveryOrganization},
    {"organization_member_roles_changes_insert", kNoteEveryOrganization},
    {"organization_members_count_insert", kCountMembersOfEveryOrganization},
}};

struct SchemaObject {
  std::string type;  // "index" or "trigger"
  std::string name;
  std::string sql;
  bool on_insert = false;  // a trigger on insert
};

// The value of a pragma on `conn`, as text.
Result<std::string> ReadPragma(Connection& conn, std::string_view name) {
  std::string value;
  ORGD_TRY(conn.Query("PRAGMA " + std::string(name), {},
                      [&](const Row& row) { value = row.GetString(0); }));
  return value;
}

std::string QuotedName(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

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

std::string_view ForEngine(const Connection& conn, std::string_view postgres,
                           std::string_view sqlite) {
  return conn.engine() == Engine::kPostgres ? postgres : sqlite;
}

const std::string& Id(const ImportOrganizationRow& row) { return row.org->id.value(); }
const std::string& Id(const ImportUserRow& row) { return row.user->id.value(); }

// One organization's upsert (ImportOrganization): created_at = now on insert unless given.
Result<ImportWrite> UpsertOrganization(Connection& conn, const domain::Organization& org,
                                       std::optional<int64_t> created_at, int64_t now_ms) {
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
  return Upsert(conn, kInsertOrganization, insert, kUpdateOrganization, update,
                MapOrganizationUnique);
}

// One user's upsert (ImportUser).
Result<ImportWrite> UpsertUser(Connection& conn, const domain::User& u,
                               std::optional<int64_t> created_at, int64_t now_ms) {
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
  return Upsert(conn, kInsertUser, insert, kUpdateUser, update, MapUserUnique);
}

// A bulk load's organizations and users on SQLite: the single-row upserts one after the other,
// in key order. Without triggers a prepared statement per row costs less than encoding the rows
// as one JSON parameter for json_each to decode (1,000,000 organizations and users: 10 s less).
template <typename RowT, typename Write>
Result<ImportRunCounts> UpsertEach(std::span<const RowT> rows, Write write) {
  ImportRunCounts counts;
  for (const RowT* row : internal::InKeyOrder(rows, [](const RowT& r) -> const std::string& {
         return Id(r);
       })) {
    auto written = write(*row);
    if (!written) return std::move(written).error();
    if (*written == ImportWrite::kInserted) ++counts.inserted;
    if (*written == ImportWrite::kUpdated) ++counts.updated;
  }
  return counts;
}

// A bulk load's memberships and grants on SQLite (no triggers, no foreign key checks, sorted
// rows): inserts `ordered` rows into `insert_head` ("INSERT INTO t (a, b, created_at) VALUES ")
// with ON CONFLICT DO NOTHING, kSqliteRowsPerInsert rows per execution of one multi-row
// INSERT … VALUES (the rest one by one). There it beats json_each, whose decoding then costs more
// than the insert (10,000,000 memberships: 2.8 s); in batches, where each statement also runs
// the triggers and foreign key checks, json_each's 4,096-row statements win. `add(row, params)`
// appends the row's `columns` text parameters; $1 is now_ms. Returns the rows inserted.
constexpr size_t kSqliteRowsPerInsert = 128;

template <typename RowT, typename AddParams>
Result<int64_t> InsertInGroups(Connection& conn, const std::vector<const RowT*>& ordered,
                               std::string_view insert_head, size_t columns, int64_t now_ms,
                               AddParams add) {
  auto statement = [&](size_t rows) {
    return std::string(insert_head) + internal::ValuesTuples(rows, columns, "$1") +
           " ON CONFLICT DO NOTHING";
  };
  const std::string group = statement(kSqliteRowsPerInsert);
  const std::string single = statement(1);
  int64_t inserted = 0;
  std::vector<Param> params;
  for (size_t begin = 0; begin < ordered.size();) {
    const size_t rows = ordered.size() - begin >= kSqliteRowsPerInsert ? kSqliteRowsPerInsert : 1;
    params.clear();
    params.push_back(Int(now_ms));
    for (size_t i = begin; i < begin + rows; ++i) add(*ordered[i], params);
    auto n = conn.Exec(rows == 1 ? single : group, params);
    if (!n) return std::move(n).error();
    inserted += *n;
    begin += rows;
  }
  return inserted;
}

// The multi-row upsert: inserts every row (RETURNING the ids inserted), then runs the conditional
// update over the rows that were not inserted. `add(rows, i, for_update)` appends row i; the
// update's created_at is NULL where the line gave none (the insert's is now).
template <typename RowT, typename AddRow>
Result<ImportRunCounts> UpsertRows(Connection& conn, std::span<const RowT> rows, size_t columns,
                                   std::string_view insert, std::string_view update,
                                   int64_t now_ms, AddRow add, Error (*map)(Error)) {
  ImportRunCounts counts;
  const auto ordered = internal::InKeyOrder(rows, [](const RowT& r) -> const std::string& {
    return Id(r);
  });
  ORGD_TRY(internal::InChunks(rows.size(), [&](size_t begin, size_t end) -> Result<void> {
    internal::BulkRows inserting(conn.engine(), columns);
    for (size_t i = begin; i < end; ++i) ORGD_TRY(add(inserting, *ordered[i], false));
    std::unordered_set<std::string> inserted;
    if (auto r = conn.Query(insert, internal::BulkParams({Int(now_ms)}, inserting),
                            [&](const Row& row) { inserted.insert(row.GetString(0)); });
        !r) {
      return map(std::move(r).error());
    }
    counts.inserted += static_cast<int64_t>(inserted.size());
    if (inserted.size() == end - begin) return {};
    internal::BulkRows updating(conn.engine(), columns);
    for (size_t i = begin; i < end; ++i) {
      if (!inserted.contains(Id(*ordered[i]))) ORGD_TRY(add(updating, *ordered[i], true));
    }
    auto updated = conn.Exec(update, internal::BulkParams({Int(now_ms)}, updating));
    if (!updated) return map(std::move(updated).error());
    counts.updated += *updated;
    return {};
  }));
  return counts;
}

}  // namespace

Result<void> SqlStore::FinishBulkImport(const std::function<void()>& starting) {
  return Run([&](Connection& conn) -> Result<void> {
    if (conn.engine() != Engine::kPostgres) return {};
    if (starting) starting();
    // One statement (VACUUM refuses to run inside a transaction block, which a script of several
    // would be); the names resolve through the search_path as every other statement's do.
    return conn.ExecScript(
        "VACUUM (ANALYZE) organizations, users, organization_members, organization_member_roles, "
        "permissions, roles, role_permissions, changes, import_progress");
  });
}

Result<void> SqlStore::PrepareBulkImport(int64_t cache_bytes) {
  // Session settings, so the statements differ per engine (pragmas are SQLite's alone).
  return Run([&](Connection& conn) -> Result<void> {
    if (conn.engine() == Engine::kPostgres) return conn.ExecScript("SET synchronous_commit = off");
    // temp_store = MEMORY keeps the statement journals in memory: a multi-row insert into tables
    // with foreign keys journals every page it changes that the batch had changed before, and
    // past 64 KiB SQLite spills that journal to a temporary file (most of the import's writes).
    // threads: CREATE INDEX (a bulk load's last step) sorts on helper threads.
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const std::string pragmas = "PRAGMA cache_size = -" + std::to_string(cache_bytes / 1024) +
                                "; PRAGMA wal_autocheckpoint = 131072; PRAGMA temp_store = MEMORY"
                                "; PRAGMA threads = " + std::to_string(std::min(cores, 8u));
    return conn.ExecScript(pragmas);
  });
}

Result<bool> SqlStore::BulkLoad(const std::function<Result<void>(Store& tx)>& load) {
  if (bound_ != nullptr) {
    return Error::Internal("a bulk load runs in a transaction of its own",
                           "BulkLoad called inside InTransaction");
  }
  auto lease = db_.Acquire();
  if (!lease) return std::move(lease).error();
  Connection& conn = **lease;
  if (conn.engine() == Engine::kPostgres) {
    bool loaded = false;
    ORGD_TRY(TransactionOn(conn, TxMode::kWrite, [&](Connection& tx) {
      return LoadInBulkPostgres(tx, load, loaded);
    }));
    return loaded;
  }

  // Session settings for the load, put back after it whatever happens. The load runs in
  // rollback-journal mode when it can switch to it (no other connection reading at that moment):
  // its pages, new ones all, then go to the file once, instead of to the WAL and again to the
  // file at the checkpoint (a third of the time of a big load). Otherwise WAL stays, which only
  // costs time. The page cache is shrunk for the index builds (LoadInBulk).
  auto journal = ReadPragma(conn, "journal_mode");
  if (!journal) return std::move(journal).error();
  auto cache_size = ReadPragma(conn, "cache_size");
  if (!cache_size) return std::move(cache_size).error();
  // Temporary files on disk (temp_store FILE, SQLite's default): with temp_store MEMORY, SQLite
  // sorts an index's keys as one list, four times slower at ten million rows than in file-backed
  // runs. The load's statements journal little (its tables start empty).
  auto temp_store = ReadPragma(conn, "temp_store");
  if (!temp_store) return std::move(temp_store).error();
  // Foreign keys are not checked row by row (a third of the load's time at ten million
  // memberships): the caller writes only rows whose references exist (the contract).
  auto foreign_keys = ReadPragma(conn, "foreign_keys");
  if (!foreign_keys) return std::move(foreign_keys).error();
  ORGD_TRY(conn.ExecScript("PRAGMA temp_store = FILE; PRAGMA foreign_keys = OFF"));
  bool left_wal = false;
  if (*journal == "wal") {
    auto mode = conn.Query("PRAGMA journal_mode = DELETE", {}, [&](const Row& row) {
      left_wal = row.GetString(0) == "delete";
    });
    left_wal = left_wal && mode;
  }
  bool loaded = false;
  Result<void> done = TransactionOn(conn, TxMode::kWrite, [&](Connection& tx) {
    return LoadInBulk(tx, load, loaded);  // a declined load commits a transaction that wrote nothing
  });
  Result<void> restored = conn.ExecScript(
      "PRAGMA cache_size = " + *cache_size + "; PRAGMA foreign_keys = " + *foreign_keys +
      "; PRAGMA temp_store = " + *temp_store);
  if (left_wal && restored) restored = conn.ExecScript("PRAGMA journal_mode = WAL");
  if (!done) return std::move(done).error();
  if (!restored) return std::move(restored).error();
  return loaded;
}

Result<void> SqlStore::LoadInBulkPostgres(Connection& conn,
                                          const std::function<Result<void>(Store& tx)>& load,
                                          bool& loaded) {
  // Other sessions neither write nor read these tables until the load commits (DROP INDEX would
  // take the same lock a moment later); taken before the emptiness check, so that nothing can
  // be written between the check and the load.
  ORGD_TRY(conn.ExecScript(
      "LOCK TABLE organizations, users, organization_members, organization_member_roles "
      "IN ACCESS EXCLUSIVE MODE"));
  bool empty = false;
  ORGD_TRY(conn.Query(kBulkTablesEmpty, {}, [&](const Row& row) { empty = row.GetBool(0); }));
  if (!empty) return {};
  struct SetAside {
    std::string drop;     // the statement that sets it aside
    std::string restore;  // the one that makes it again
  };
  std::vector<SetAside> foreign_keys;
  std::vector<SetAside> indexes;
  ORGD_TRY(conn.Query(kPgBulkForeignKeys, {}, [&](const Row& row) {
    const std::string table = row.GetString(0), name = row.GetString(1);
    foreign_keys.push_back({"ALTER TABLE " + table + " DROP CONSTRAINT " + name,
                            "ALTER TABLE " + table + " ADD CONSTRAINT " + name + " " +
                                row.GetString(2)});
  }));
  ORGD_TRY(conn.Query(kPgBulkIndexes, {}, [&](const Row& row) {
    indexes.push_back({"DROP INDEX " + row.GetString(0), row.GetString(1)});
  }));
  for (const SetAside& s : foreign_keys) ORGD_TRY(conn.ExecScript(s.drop));
  for (const SetAside& s : indexes) ORGD_TRY(conn.ExecScript(s.drop));
  SqlStore bound(db_, conn);  // the usual multi-row statements: a round trip per row is what costs
  ORGD_TRY(load(bound));
  // Index builds sort in maintenance_work_mem (64 MiB by default): a quarter GiB for this
  // transaction sorts ten million memberships in far fewer runs.
  ORGD_TRY(conn.ExecScript("SET LOCAL maintenance_work_mem = '256MB'"));
  for (const SetAside& s : indexes) ORGD_TRY(conn.ExecScript(s.restore));
  // Each check is one join over the table now, not one lookup per row as the rows came.
  for (const SetAside& s : foreign_keys) ORGD_TRY(conn.ExecScript(s.restore));
  loaded = true;
  return {};
}

Result<void> SqlStore::LoadInBulk(Connection& conn,
                                  const std::function<Result<void>(Store& tx)>& load,
                                  bool& loaded) {
  bool empty = false;
  ORGD_TRY(conn.Query(kBulkTablesEmpty, {}, [&](const Row& row) { empty = row.GetInt(0) != 0; }));
  if (!empty) return {};
  std::vector<SchemaObject> set_aside;
  std::vector<std::string_view> replays;  // each once
  bool declined = false;
  ORGD_TRY(conn.Query(kBulkSchema, {}, [&](const Row& row) {
    SchemaObject object{row.GetString(0), row.GetString(1), row.GetString(2), row.GetInt(3) != 0};
    const auto known =
        std::find_if(kTriggerReplays.begin(), kTriggerReplays.end(),
                     [&](const TriggerReplay& r) { return r.trigger == object.name; });
    if (object.type == "trigger") {
      if (known == kTriggerReplays.end()) {
        declined = declined || object.on_insert;  // one this code cannot stand in for
        return;                                   // other triggers stay
      }
      if (std::find(replays.begin(), replays.end(), known->replay) == replays.end()) {
        replays.push_back(known->replay);
      }
    }
    set_aside.push_back(std::move(object));
  }));
  if (declined) return {};
  for (const SchemaObject& object : set_aside) {
    ORGD_TRY(conn.ExecScript("DROP " + object.type + " " + QuotedName(object.name)));
  }
  SqlStore bound(db_, conn);
  bound.in_bulk_load_ = true;
  ORGD_TRY(load(bound));
  // The search tables first: FTS5 rebuilds organizations_fts three times slower once the
  // table's secondary indexes are back (23 s against 8 s at a million organizations).
  for (std::string_view replay : replays) ORGD_TRY(conn.ExecScript(replay));
  // Then a small page cache: CREATE INDEX sorts in runs of the cache's size, and sorts many
  // small runs on several threads far faster than one big one (13.6 s against 3.8 s for ten
  // million memberships by user); the pages the load left in the cache go to the file now.
  ORGD_TRY(conn.ExecScript("PRAGMA cache_size = -2048"));
  for (const SchemaObject& object : set_aside) {
    if (object.type == "index") ORGD_TRY(conn.ExecScript(object.sql));
  }
  for (const SchemaObject& object : set_aside) {
    if (object.type == "trigger") ORGD_TRY(conn.ExecScript(object.sql));
  }
  loaded = true;
  return {};
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
  Result<ImportWrite> out = ImportWrite::kUnchanged;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    out = UpsertOrganization(conn, org, created_at, now_ms);
    if (!out) return out.error();
    return {};
  }));
  return out;
}

Result<ImportWrite> SqlStore::ImportUser(const domain::User& u, std::optional<int64_t> created_at,
                                         int64_t now_ms) {
  Result<ImportWrite> out = ImportWrite::kUnchanged;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    out = UpsertUser(conn, u, created_at, now_ms);
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

Result<ImportRunCounts> SqlStore::ImportOrganizations(std::span<const ImportOrganizationRow> rows,
                                                      int64_t now_ms) {
  ImportRunCounts counts;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    if (in_bulk_load_) {
      auto r = UpsertEach(rows, [&](const ImportOrganizationRow& row) {
        return UpsertOrganization(conn, *row.org, row.created_at, now_ms);
      });
      if (!r) return std::move(r).error();
      counts = *r;
      return {};
    }
    std::string name_sort;
    auto add = [&](internal::BulkRows& out, const ImportOrganizationRow& row,
                   bool for_update) -> Result<void> {
      const domain::Organization& org = *row.org;
      name_sort = AsciiLower(org.name);
      return out.Add({Text(org.id.value()), Text(org.name), Text(name_sort),
                      OptText(org.description), Text(org.custom_data), Bool(org.is_mfa_required),
                      OptText(org.custom_css),
                      for_update ? OptInt(row.created_at) : Int(row.created_at.value_or(now_ms))});
    };
    auto r = UpsertRows(conn, rows, 8,
                        ForEngine(conn, kInsertOrganizationsPostgres, kInsertOrganizationsSqlite),
                        ForEngine(conn, kUpdateOrganizationsPostgres, kUpdateOrganizationsSqlite),
                        now_ms, add, MapOrganizationUnique);
    if (!r) return std::move(r).error();
    counts = *r;
    return {};
  }));
  return counts;
}

Result<ImportRunCounts> SqlStore::ImportUsers(std::span<const ImportUserRow> rows,
                                              int64_t now_ms) {
  ImportRunCounts counts;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    if (in_bulk_load_) {
      auto r = UpsertEach(rows, [&](const ImportUserRow& row) {
        return UpsertUser(conn, *row.user, row.created_at, now_ms);
      });
      if (!r) return std::move(r).error();
      counts = *r;
      return {};
    }
    std::optional<std::string> username_lower;
    std::optional<std::string> email_lower;
    std::optional<std::string> name_lower;
    auto add = [&](internal::BulkRows& out, const ImportUserRow& row,
                   bool for_update) -> Result<void> {
      const domain::User& u = *row.user;
      username_lower = OptAsciiLower(u.username);
      email_lower = OptAsciiLower(u.primary_email);
      name_lower = OptAsciiLower(u.name);
      return out.Add({Text(u.id.value()), OptText(u.username), OptText(username_lower),
                      OptText(u.primary_email), OptText(email_lower), OptText(u.primary_phone),
                      OptText(u.name), OptText(name_lower), OptText(u.avatar),
                      Text(u.custom_data),
                      for_update ? OptInt(row.created_at) : Int(row.created_at.value_or(now_ms))});
    };
    auto r = UpsertRows(conn, rows, 11, ForEngine(conn, kInsertUsersPostgres, kInsertUsersSqlite),
                        ForEngine(conn, kUpdateUsersPostgres, kUpdateUsersSqlite), now_ms, add,
                        MapUserUnique);
    if (!r) return std::move(r).error();
    counts = *r;
    return {};
  }));
  return counts;
}

Result<int64_t> SqlStore::ImportMemberships(std::span<const ImportMembershipRow> rows,
                                            int64_t now_ms) {
  int64_t added = 0;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    added = 0;
    const auto ordered = internal::InKeyOrder(
        rows, [](const ImportMembershipRow& r) { return std::tie(r.org, r.user); });
    if (in_bulk_load_) {
      auto n = InsertInGroups(conn, ordered, kInsertMembershipsHead, 2, now_ms,
                              [](const ImportMembershipRow& row, std::vector<Param>& out) {
                                out.push_back(Text(row.org.value()));
                                out.push_back(Text(row.user.value()));
                              });
      if (!n) return std::move(n).error();
      added = *n;
      return {};
    }
    return internal::InChunks(rows.size(), [&](size_t begin, size_t end) -> Result<void> {
      internal::BulkRows bulk(conn.engine(), 2);
      for (size_t i = begin; i < end; ++i) {
        ORGD_TRY(bulk.Add({Text(ordered[i]->org.value()), Text(ordered[i]->user.value())}));
      }
      auto n = conn.Exec(ForEngine(conn, kInsertMembershipsPostgres, kInsertMembershipsSqlite),
                         internal::BulkParams({Int(now_ms)}, bulk));
      if (!n) return std::move(n).error();
      added += *n;
      return {};
    });
  }));
  return added;
}

Result<int64_t> SqlStore::ImportMemberRoles(std::span<const ImportMemberRoleRow> rows,
                                            int64_t now_ms) {
  int64_t added = 0;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    added = 0;
    const auto ordered = internal::InKeyOrder(
        rows, [](const ImportMemberRoleRow& r) { return std::tie(r.org, r.user, r.role); });
    if (in_bulk_load_) {
      auto n = InsertInGroups(conn, ordered, kInsertMemberRolesHead, 3, now_ms,
                              [](const ImportMemberRoleRow& row, std::vector<Param>& out) {
                                out.push_back(Text(row.org.value()));
                                out.push_back(Text(row.user.value()));
                                out.push_back(Text(row.role.value()));
                              });
      if (!n) return std::move(n).error();
      added = *n;
      return {};
    }
    return internal::InChunks(rows.size(), [&](size_t begin, size_t end) -> Result<void> {
      internal::BulkRows bulk(conn.engine(), 3);
      for (size_t i = begin; i < end; ++i) {
        const ImportMemberRoleRow& row = *ordered[i];
        ORGD_TRY(bulk.Add({Text(row.org.value()), Text(row.user.value()), Text(row.role.value())}));
      }
      auto n = conn.Exec(ForEngine(conn, kInsertMemberRolesPostgres, kInsertMemberRolesSqlite),
                         internal::BulkParams({Int(now_ms)}, bulk));
      if (!n) return std::move(n).error();
      added += *n;
      return {};
    });
  }));
  return added;
}

}  // namespace orgd::store::sql
