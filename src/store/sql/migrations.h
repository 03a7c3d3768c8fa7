#pragma once

#include <string_view>
#include <vector>

#include "common/result.h"
#include "store/db.h"

namespace orgd::store::sql {

// One numbered migration file, embedded in the binary at build time from migrations/<engine>/.
struct MigrationFile {
  int version;
  std::string_view name;  // "0001_init.sql"
  std::string_view sql;
};

const std::vector<MigrationFile>& SqliteMigrations();
const std::vector<MigrationFile>& PostgresMigrations();

// Applies, in order and each in its own transaction, every migration of the database's engine
// whose version is not yet recorded in the `schema_migrations` table (created if missing).
// Safe to run from several processes at once: the version table is re-read under the write lock.
// Returns the versions applied by this call.
Result<std::vector<int>> Migrate(Database& db);

// The highest applied version, 0 on an empty database.
Result<int> CurrentSchemaVersion(Database& db);

}  // namespace orgd::store::sql
