#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "common/ids.h"
#include "common/result.h"
#include "domain/model/organization.h"
#include "domain/model/permission.h"
#include "domain/model/role.h"
#include "domain/model/user.h"

namespace orgd::store {

class Store;

// How far an import file got: lines 1..lines_done are committed, and they end at byte
// bytes_done of the file. `file_id` is the file's identity (hex SHA-256 of its bytes).
struct ImportProgress {
  std::string file_id;
  int64_t file_size = 0;
  int64_t lines_done = 0;
  int64_t bytes_done = 0;
  int64_t started_at = 0;               // epoch ms
  int64_t updated_at = 0;               // epoch ms
  std::optional<int64_t> completed_at;  // set once the last line is committed
};

// What an upsert of an imported row did.
enum class ImportWrite { kInserted, kUpdated, kUnchanged };

// Rows of the multi-row import writes. Organizations and users are borrowed from the caller for
// the call; ids are copied (they are short).
struct ImportOrganizationRow {
  const domain::Organization* org = nullptr;
  std::optional<int64_t> created_at;
};
struct ImportUserRow {
  const domain::User* user = nullptr;
  std::optional<int64_t> created_at;
};
struct ImportMembershipRow {
  OrgId org;
  UserId user;
};
struct ImportMemberRoleRow {
  OrgId org;
  UserId user;
  RoleId role;
};

// What a multi-row upsert did: rows inserted, rows updated; the others were left unchanged.
struct ImportRunCounts {
  int64_t inserted = 0;
  int64_t updated = 0;
};

// The bulk-import writes (domain::ImportService). Each single-row call is one or two statements,
// and each multi-row call a few; all are meant to run inside the caller's write transaction
// (Store::InTransaction), which the import commits per batch together with PutImportProgress.
// Upserts key on the row's id: a new id is inserted; an existing row whose imported columns differ
// is updated (updated_at = now where the table has one); an identical row is left alone, so
// re-importing a file changes nothing.
// Columns the import format does not carry are never touched by an update.
//
// Errors: kAlreadyExists (subject and reason as the store's other writes report them, e.g.
// subject "user", reason "email") when another row holds a unique value; kFailedPrecondition
// (reason "foreign_key") for a reference to a missing row; plus the store's usual
// kUnavailable / kAborted / kInternal.
class ImportStore {
 public:
  virtual ~ImportStore() = default;

  // Tunes the store's connection for a long import by a process that does nothing else (the
  // `orgd import` command): on SQLite a page cache of `cache_bytes` (the default 2 MiB makes
  // every index insert of a big import a read from the OS), checkpoints every 512 MiB of WAL
  // instead of every 4 MiB (a checkpoint copies every page again), and statement journals in
  // memory (temp_store); on PostgreSQL synchronous_commit off, because each batch commits
  // atomically with its progress row, so a crash can only lose a suffix of batches, which the
  // next run applies again. Requires: the store's pool hands the same connection back to a
  // single-threaded caller (both drivers reuse the last returned connection first).
  virtual Result<void> PrepareBulkImport(int64_t cache_bytes) = 0;

  // Leaves the tables an import writes ready for traffic, after an import that committed rows
  // (the `orgd import` command). On PostgreSQL: VACUUM (ANALYZE) of organizations, users, their
  // memberships and grants, the catalog and the change feed, outside any transaction. Fresh
  // planner statistics, and every row's visibility and hint bits written now, once, by the
  // command the user waits for anyway; otherwise autovacuum does it under the first minutes of
  // traffic (measured after a 12-million-line import: the hot reads' p99 15 ms, then ~1.8 ms,
  // while it ran; 0.2-0.5 ms after). Calls `starting` first when there is such work to do (so
  // the caller can say what it waits for). On SQLite nothing: the schema's queries are planned
  // by its indexes, and no vacuum is pending.
  virtual Result<void> FinishBulkImport(const std::function<void()>& starting) = 0;

  // Loads an import into empty tables in one write transaction, the fast way (the `orgd import`
  // command into a new database). Returns false, having changed nothing and without calling
  // `load`, when organizations, users, memberships or member role grants already hold a row
  // (checked inside the transaction). Otherwise, for the length of the transaction, the
  // non-unique secondary indexes of those four tables are set aside, and on SQLite their insert
  // triggers and their search tables' triggers, on PostgreSQL their foreign keys (its triggers
  // are per statement and stay; the four tables are locked ACCESS EXCLUSIVE first); `load` writes
  // through the store it is handed (the calls above, as in InTransaction); then what the triggers
  // would have done is done once for every row (SQLite: the search tables rebuilt, the kept row
  // count, a change-feed row per organization), the indexes are built again, the triggers
  // restored (PostgreSQL: the foreign keys added again, each checked in one pass), and the
  // transaction commits: the schema and the rows end as the same writes through batches would
  // have left them. Unique indexes stay in force, so every clash still fails its statement.
  //
  // Requires: `load` writes only rows whose references exist (a membership's organization and
  // user, a grant's membership and role): foreign keys are not checked during the load (they cost
  // a third of its time). ImportService checks them against the lines before, as batches would.
  //
  // A failure of `load` or of the rebuild rolls everything back and is returned; a crash leaves
  // the database as it was. Other writers wait for the whole load (SQLite's write lock;
  // PostgreSQL's table locks, which hold off readers of those tables too). The SQLite load
  // runs in rollback-journal mode when it can switch to it (no other connection reading at that
  // moment; its pages then go to the file once, not to the WAL and again at the checkpoint), and
  // other processes then cannot read the database either until it ends: it is meant for a
  // database nothing else uses yet.
  virtual Result<bool> BulkLoad(const std::function<Result<void>(Store& tx)>& load) = 0;

  // The recorded progress of `file_id`, or nullopt when the file was never imported.
  virtual Result<std::optional<ImportProgress>> GetImportProgress(const std::string& file_id) = 0;
  // Inserts or overwrites the progress row of `progress.file_id` (started_at is kept).
  virtual Result<void> PutImportProgress(const ImportProgress& progress) = 0;

  // Organization: name, description, custom_data, is_mfa_required, custom_css, and created_at
  // when `created_at` is given (else now on insert, kept on update). Uses `now_ms` for
  // updated_at.
  virtual Result<ImportWrite> ImportOrganization(const domain::Organization& org,
                                                 std::optional<int64_t> created_at,
                                                 int64_t now_ms) = 0;
  // User: username, primary_email, primary_phone, name, avatar, custom_data, created_at as for
  // organizations.
  virtual Result<ImportWrite> ImportUser(const domain::User& user,
                                         std::optional<int64_t> created_at, int64_t now_ms) = 0;
  // Permission (Logto organization scope) by id: key and description; the display name follows
  // the key when it equalled the old key. created_at is set on insert only.
  virtual Result<ImportWrite> ImportPermission(const domain::Permission& permission) = 0;
  // Role by id: key, description and type; the display name follows the key as for permissions.
  virtual Result<ImportWrite> ImportRole(const domain::Role& role) = 0;
  // Links `permission` to `role` unless linked. True when the link is new.
  virtual Result<bool> ImportRolePermission(const RoleId& role, const PermissionId& permission,
                                            int64_t now_ms) = 0;
  // Adds the membership unless present. True when it is new.
  virtual Result<bool> ImportMembership(const OrgId& org, const UserId& user, int64_t now_ms) = 0;
  // Grants `role` to the member unless granted. True when the grant is new. Requires: the
  // membership exists (kFailedPrecondition, reason "foreign_key", otherwise).
  virtual Result<bool> ImportMemberRole(const OrgId& org, const UserId& user, const RoleId& role,
                                        int64_t now_ms) = 0;

  // The same writes for many rows at once, as the single-row calls above would make them one
  // after the other, in a few statements whatever the number of rows (on PostgreSQL a round trip
  // per row is what costs). The errors are those of the single-row calls, but name no row: a
  // caller that must say which row failed writes the rows again one by one. After a failure
  // some rows may be written: the caller rolls back its transaction.
  //
  // Requires: no id twice among `rows` (an upsert of the same row twice in one statement has
  // no defined order).
  virtual Result<ImportRunCounts> ImportOrganizations(std::span<const ImportOrganizationRow> rows,
                                                      int64_t now_ms) = 0;
  virtual Result<ImportRunCounts> ImportUsers(std::span<const ImportUserRow> rows,
                                              int64_t now_ms) = 0;
  // Return how many rows were new; a row listed twice counts once.
  virtual Result<int64_t> ImportMemberships(std::span<const ImportMembershipRow> rows,
                                            int64_t now_ms) = 0;
  virtual Result<int64_t> ImportMemberRoles(std::span<const ImportMemberRoleRow> rows,
                                            int64_t now_ms) = 0;
};

}  // namespace orgd::store
