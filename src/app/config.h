#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace orgd::app {

enum class Command { kServe, kMigrate, kClientCreate, kHelp, kVersion,
                      kClientList, kClientRotateSecret, kClientDelete, kKeysRotate, kKekGenerate,
                      kImport };

// Where the data lives, parsed from --database / ORGD_DATABASE_URL.
struct StoreConfig {
  enum class Engine { kSqlite, kPostgres } engine = Engine::kSqlite;
  std::string sqlite_path = "orgd.db";  // ":memory:" for an in-memory database
  std::string postgres_url;
  int pool_size = 0;                    // 0: engine default
  // --sqlite-synchronous full (ORGD_SQLITE_SYNCHRONOUS): fsync the WAL at every commit, so that a
  // power loss loses no acknowledged write; the default (normal) syncs at checkpoints only.
  bool sqlite_synchronous_full = false;
};

// Everything orgd reads from flags and the environment, validated once at start and immutable
// afterwards. Nothing else in the process reads the environment.
struct Config {
  Command command = Command::kServe;
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 3001;
  std::string public_url;  // empty: http://<listen> once bound
  StoreConfig store;
  int threads = 0;         // 0: hardware concurrency
  // --cpu-affinity on|off (ORGD_CPU_AFFINITY): pin the I/O threads to CPUs and serve each
  // connection on the CPU its packets arrive on (http::ServerConfig::cpu_affinity). On by default.
  bool cpu_affinity = true;
  // --org-search-index on|off (ORGD_ORG_SEARCH_INDEX): count the matches of organization
  // searches in memory (domain/org_search_index.h). On by default.
  bool org_search_index = true;
  // --follow-changes on|off (ORGD_FOLLOW_CHANGES), PostgreSQL only: follow the change feed under
  // a lease, so that a read needs no round trip to be fresh, at the price of writes waiting for
  // the other processes (store/postgres/pg_change_fence.h). Off: each read polls. On by default.
  bool follow_changes = true;
  bool log_requests = true;
  bool logto_test_mode = false;
  // --rate-limit N[/s|/m|/h] (ORGD_RATE_LIMIT): per-client Management API requests per window;
  // 0 requests: unlimited (the default).
  int64_t rate_limit_requests = 0;
  int64_t rate_limit_window_ms = 1000;
  // Slow-client limits of the HTTP server (--max-connections, --header-timeout, --body-timeout,
  // --idle-timeout); 0 keeps http::ServerConfig's default (10,000 connections, 10 s, 30 s, 60 s).
  int64_t max_connections = 0;
  int64_t header_timeout_ms = 0;
  int64_t body_timeout_ms = 0;
  int64_t idle_timeout_ms = 0;
  std::string logto_indicator = "https://default.logto.app/api";
  // Run JIT provisioning (domain::JitService) for users created through the Management API
  // (contracts/logto.md §3.5); off by default, as in Logto.
  bool jit_on_user_create = false;
  std::optional<std::string> bootstrap_client_id;
  std::optional<std::string> bootstrap_client_secret;
  // `import FILE`: the NDJSON file (docs/import.md), lines per transaction, and whether to ignore
  // the file's recorded progress. Big batches: a batch's inserts land on pages all over the
  // indexes, and each commit writes every page it changed, so fewer commits write far less (at
  // 1,000,000 organizations and 10,000,000 memberships, 1,000,000-line batches took 322 s against
  // 525 s for 50,000).
  std::string import_file;
  int64_t import_batch_lines = 500000;
  bool import_from_start = false;
  // Into an empty SQLite database, load the file in one transaction (domain::ImportOptions::
  // bulk_load); --in-batches commits batches whatever the database holds.
  bool import_bulk_load = true;
  // `client create`
  std::string client_name;
  std::vector<std::string> client_scopes;
  // `client rotate-secret ID`, `client delete ID`
  std::string client_id;
  // The key-encryption key that seals the signing keys (auth/kek.h): its text from ORGD_KEK, or
  // the file named by --kek-file / ORGD_KEK_FILE (read when the App starts). Neither: PostgreSQL
  // refuses to start; SQLite uses "<database file>.kek", created on first start, or an
  // ephemeral key for ":memory:".
  std::optional<std::string> kek;
  std::optional<std::string> kek_file;
};

using EnvLookup = std::function<std::optional<std::string>(const char*)>;

// Parses `orgd <command> [flags]` and the ORGD_* environment (flags win). kInvalidArgument with
// a message fit for the terminal on any unknown flag, missing value or bad value.
Result<Config> LoadConfig(const std::vector<std::string>& args, const EnvLookup& env);

// Parses "sqlite:///abs/path", "sqlite://relative/path", "sqlite://:memory:" or "postgresql://…".
Result<StoreConfig> ParseDatabaseUrl(const std::string& url);

// The usage text printed by `orgd help`.
const char* UsageText();

}  // namespace orgd::app
