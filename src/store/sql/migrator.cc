#include "store/sql/migrations.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/result.h"
#include "store/db.h"
#include "store/tx_mode.h"

namespace orgd::store::sql {
namespace {

constexpr std::string_view kCreateSchemaMigrations =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

// Whether schema_migrations exists: the catalogs differ, so this is one of the few per-engine
// statements (a plain SELECT on a missing table would be an error on both engines).
std::string_view SchemaMigrationsExistsSql(Engine engine) {
  switch (engine) {
    case Engine::kSqlite:
      return "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";
    case Engine::kPostgres:
      return "SELECT 1 FROM information_schema.tables "
             "WHERE table_schema = current_schema() AND table_name = 'schema_migrations'";
  }
  return {};
}

// PostgreSQL takes no lock for the re-check SELECT below, so two processes could both find a
// version missing and both run it; this lock makes the second wait for the first and then see
// its row. (SQLite needs nothing: kWrite is BEGIN IMMEDIATE, one writer at a time.)
constexpr std::string_view kLockSchemaMigrationsPostgres =
    "LOCK TABLE schema_migrations IN SHARE ROW EXCLUSIVE MODE";

constexpr std::string_view kSelectApplied = "SELECT version FROM schema_migrations";
constexpr std::string_view kSelectVersion = "SELECT 1 FROM schema_migrations WHERE version = $1";
constexpr std::string_view kInsertVersion =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)";
constexpr std::string_view kSelectMaxVersion =
    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";

const std::vector<MigrationFile>& FilesFor(Engine engine) {
  return engine == Engine::kPostgres ? PostgresMigrations() : SqliteMigrations();
}

int64_t NowMillis() {
  // applied_at is bookkeeping for operators, not data the service reads, so the migrator takes
  // the system clock instead of an injected Clock (its signature has none).
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Applies `file` unless another process did meanwhile. Returns whether it applied it.
Result<bool> ApplyOne(Connection& conn, const MigrationFile& file) {
  ORGD_TRY(conn.Begin(TxMode::kWrite));
  auto applied = [&]() -> Result<bool> {
    if (conn.engine() == Engine::kPostgres) ORGD_TRY(conn.Exec(kLockSchemaMigrationsPostgres, {}));
    bool present = false;
    ORGD_TRY(conn.Query(kSelectVersion, {Int(file.version)}, [&](const Row&) { present = true; }));
    if (present) return false;
    if (auto r = conn.ExecScript(file.sql); !r) {
      Error e = std::move(r).error();
      e.detail = std::string(file.name) + ": " + e.detail;
      return e;
    }
    const std::string name(file.name);
    ORGD_TRY(conn.Exec(kInsertVersion, {Int(file.version), Text(name), Int(NowMillis())}));
    return true;
  }();
  if (!applied) {
    conn.Rollback();
    return applied;
  }
  if (auto r = conn.Commit(); !r) {
    conn.Rollback();
    return std::move(r).error();
  }
  return applied;
}

}  // namespace

Result<std::vector<int>> Migrate(Database& db) {
  auto lease = db.Acquire();
  if (!lease) return std::move(lease).error();
  Connection& conn = **lease;

  // On PostgreSQL, two processes creating the table at once can make the loser fail even with IF
  // NOT EXISTS: with a unique violation in the catalog, or with 42P07 duplicate_table when the
  // winner commits between the loser's two existence checks. The table exists either way, so the
  // failure counts only if it still does not.
  if (auto created = conn.Exec(kCreateSchemaMigrations, {}); !created) {
    bool exists = false;
    ORGD_TRY(conn.Query(SchemaMigrationsExistsSql(db.engine()), {},
                        [&](const Row&) { exists = true; }));
    if (!exists) return std::move(created).error();
  }
  std::vector<int> done;
  ORGD_TRY(conn.Query(kSelectApplied, {},
                      [&](const Row& row) { done.push_back(static_cast<int>(row.GetInt(0))); }));

  std::vector<const MigrationFile*> files;
  for (const MigrationFile& f : FilesFor(db.engine())) files.push_back(&f);
  std::sort(files.begin(), files.end(),
            [](const MigrationFile* a, const MigrationFile* b) { return a->version < b->version; });

  std::vector<int> applied;
  for (const MigrationFile* file : files) {
    if (std::find(done.begin(), done.end(), file->version) != done.end()) continue;
    auto r = ApplyOne(conn, *file);
    if (!r) return std::move(r).error();
    if (*r) applied.push_back(file->version);
  }
  return applied;
}

Result<int> CurrentSchemaVersion(Database& db) {
  auto lease = db.Acquire();
  if (!lease) return std::move(lease).error();
  Connection& conn = **lease;

  bool exists = false;
  ORGD_TRY(
      conn.Query(SchemaMigrationsExistsSql(db.engine()), {}, [&](const Row&) { exists = true; }));
  if (!exists) return 0;
  int version = 0;
  ORGD_TRY(conn.Query(kSelectMaxVersion, {},
                      [&](const Row& row) { version = static_cast<int>(row.GetInt(0)); }));
  return version;
}

}  // namespace orgd::store::sql
