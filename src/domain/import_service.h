#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/clock.h"
#include "common/id_generator.h"
#include "common/ids.h"
#include "common/result.h"
#include "domain/model/organization.h"
#include "domain/model/role.h"
#include "domain/model/user.h"
#include "store/store.h"

// Bulk import of NDJSON files (docs/import.md): one record per line, written through the store in
// batches, idempotent and resumable. The line format is parsed by the API layer
// (api/import_ndjson.h), which hands the records here; the rules below hold whatever the caller.
namespace orgd::domain {

// An organization, upserted by id. `org` carries id, name, description, custom_data,
// is_mfa_required and custom_css; `created_at` is kept when given.
struct ImportOrganizationRecord {
  Organization org;
  std::optional<int64_t> created_at;
};

// A user, upserted by id: username, primary_email, primary_phone, name, avatar, custom_data.
struct ImportUserRecord {
  User user;
  std::optional<int64_t> created_at;
};

// A Logto organization scope (a permission), identified by its name; `id` is kept on insert when
// given and must match an existing scope of that name.
struct ImportScopeRecord {
  std::optional<PermissionId> id;
  std::string name;
  std::optional<std::string> description;
};

// A Logto organization role, identified by its name as scopes are; `scope_names` are linked to it
// (added, never removed).
struct ImportRoleRecord {
  std::optional<RoleId> id;
  std::string name;
  std::optional<std::string> description;
  RoleType type = RoleType::kUser;
  std::vector<std::string> scope_names;
};

// A membership.
struct ImportMembershipRecord {
  OrgId org;
  UserId user;
};

// Role grants of a member, by role name (added, never removed). Implies the membership.
struct ImportMemberRolesRecord {
  OrgId org;
  UserId user;
  std::vector<std::string> role_names;
};

using ImportRecord =
    std::variant<ImportOrganizationRecord, ImportUserRecord, ImportScopeRecord, ImportRoleRecord,
                 ImportMembershipRecord, ImportMemberRolesRecord>;

// Parses one non-blank line into a record. kInvalidArgument with a message naming the field.
// Must be thread-safe: ImportService parses the next batch while it writes the current one.
using ImportLineParser = std::function<Result<ImportRecord>(std::string_view line)>;

// Checks a parsed record against the rules the services and the Logto dialect apply to the same
// fields: ids of 1..128 characters of [A-Za-z0-9_-]; organization name of 1..128 code points,
// description of at most 256; username /^[A-Z_a-z]\w*$/, primary email /^\S+@\S+\.\S+$/,
// primary phone of digits, each at most 128; user name at most 128; avatar at most 2048;
// scope and role names of 1..128 code points without whitespace at the ends, descriptions of at
// most 256; at most 100 names in a list. kInvalidArgument naming the field (in the file's
// spelling) otherwise.
Result<void> ValidateImportRecord(const ImportRecord& record);

// Rows an import wrote, per kind of record.
struct ImportTally {
  int64_t inserted = 0;
  int64_t updated = 0;    // an existing row whose imported fields changed
  int64_t unchanged = 0;  // an existing, identical row (or grant): nothing written
};

struct ImportCounts {
  ImportTally organizations;
  ImportTally users;
  ImportTally organization_scopes;
  ImportTally organization_roles;
  ImportTally memberships;   // membership lines, and those implied by role-grant lines
  ImportTally member_roles;  // one per role name granted
};

struct ImportOptions {
  // Lines per transaction.
  int64_t batch_lines = 5000;
  // Ignore the recorded progress of the file and apply every line again (safe: idempotent).
  bool from_start = false;
  // Parse and check the next batch on a second thread while the current one is written.
  bool parse_ahead = true;
  // When set, store::ImportStore::PrepareBulkImport(bulk_cache_bytes) runs first: only for a
  // store that serves nothing but this import (the command line).
  std::optional<int64_t> bulk_cache_bytes;
  // Into a database whose organizations, users, memberships and member role grants are all empty,
  // and for a file not begun before: load the whole file in one transaction
  // (store::ImportStore::BulkLoad) instead of in batches. Several times faster on SQLite, which
  // builds the indexes and search tables once at the end; holds the membership lines in memory
  // (about 100 bytes each) and the database's write lock until it commits; a crash loses the
  // whole load (the next run starts again at line 1). Where the store declines, batches as usual.
  bool bulk_load = false;
  // When the run committed lines: store::ImportStore::FinishBulkImport at the end (on PostgreSQL a
  // VACUUM (ANALYZE) of the tables an import writes, reported as stage kFinishing), so that a
  // server started next meets neither stale statistics nor autovacuum. For the command line.
  bool finish_for_traffic = false;
};

// What an Import call is doing when it reports progress.
enum class ImportStage {
  kBatches,      // committing batches; bytes_done and lines_done are committed
  kReading,      // a bulk load reading the file; nothing is committed before the end
  kMemberships,  // a bulk load writing the memberships and grants it gathered, sorted
  kIndexing,     // a bulk load building indexes and search tables, then committing
  kFinishing,    // every line committed; readying the tables for traffic (finish_for_traffic)
};

// Where an import stands; the running totals of one Import call.
struct ImportSummary {
  int64_t bytes_total = 0;
  int64_t bytes_done = 0;  // committed, this run and earlier runs of the same file
  int64_t lines_done = 0;  // committed lines, this run and earlier runs (blank ones included)
  int64_t first_line = 1;  // where this run started: 1, or after an earlier run's last batch
  int64_t lines_this_run = 0;
  int64_t batches = 0;            // transactions this run committed
  bool already_complete = false;  // an earlier run had committed every line: nothing was done
  bool bulk = false;              // the run loaded the whole file in one transaction (bulk_load)
  ImportStage stage = ImportStage::kBatches;
  ImportCounts counts;            // this run's writes
  // options.finish_for_traffic's step failed. It runs after the last commit, so the import
  // itself succeeded: every line is in, and the tables are only not yet readied for traffic
  // (autovacuum does it later).
  std::optional<Error> finish_failed;
};

// Called after each committed batch, on the calling thread.
using ImportProgressFn = std::function<void(const ImportSummary&)>;

// Imports NDJSON content into the store. Each batch of `batch_lines` lines is parsed and checked
// first, then written in one write transaction that also records the file's progress
// (store::ImportProgress), so that the database holds whole batches only and a re-run of the same
// file (same `file_id`) starts after the last committed one. Blank lines are skipped but count as
// lines. Thread-safe (each call keeps its own state).
//
// Inside a batch, consecutive lines of one kind (organizations, users, memberships and member
// roles) are written as runs of multi-row statements (store::ImportStore's multi-row calls), in
// file order; the result and the counts are those of applying the lines one after the other. A
// run does not tell which line failed, so a batch that fails is written again line by line, which
// reports the failing line as below.
class ImportService {
 public:
  // `parse` turns a line into a record (the API layer's NDJSON parser).
  ImportService(store::Store& store, const Clock& clock, IdGenerator& ids, ImportLineParser parse);

  // Imports `content`, whose identity is `file_id` (the hex SHA-256 of the bytes). A file whose
  // import completed before returns at once with already_complete (unless options.from_start).
  //
  // A bad line stops the import: the error's message starts "line N: ", its fields hold "line"
  // = N, and no line of that batch is committed (earlier batches are). Codes: kInvalidArgument
  // (the line does not parse or breaks a field rule; a batch_lines below 1), kNotFound (an
  // unknown organization scope or role name; subject "organization_scope" / "organization_role"),
  // kAlreadyExists (another row holds a unique value: subject "user" reason "username" / "email"
  // / "phone"; subject "organization_scope" / "organization_role" reason "id" when a name exists
  // under another id; reason "key" when an id's new name is taken), kFailedPrecondition (reason
  // "foreign_key": a membership of an unknown organization or user; reason "constraint": a
  // machine-to-machine role granted to a user), and the store's kUnavailable / kAborted /
  // kInternal.
  Result<ImportSummary> Import(std::string_view content, const std::string& file_id,
                               const ImportOptions& options, const ImportProgressFn& progress = {});

 private:
  // `summary` after options.finish_for_traffic's step, when it applies; a failure of that step
  // is noted in summary.finish_failed (the import itself has succeeded).
  ImportSummary Finish(ImportSummary summary, const ImportOptions& options,
                       const ImportProgressFn& progress);
  // The bulk load of `content` into `summary` (options.bulk_load): false when the store declined.
  // A file it cannot load (a bad line, a clash, a reference to an unknown row) fails it with
  // nothing written; Import then runs the file in batches, which name the line.
  Result<bool> LoadInBulk(std::string_view content, const std::string& file_id,
                          int64_t started_at, ImportSummary& summary,
                          const ImportProgressFn& progress);

  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
  ImportLineParser parse_;
};

}  // namespace orgd::domain
