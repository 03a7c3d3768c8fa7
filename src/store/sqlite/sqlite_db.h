#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "store/db.h"
#include "store/tx_mode.h"

// Forward declarations of the SQLite handles, so that sqlite3.h stays inside this driver.
struct sqlite3;
struct sqlite3_stmt;

namespace orgd::store::sqlite {

struct SqliteOptions {
  // Upper bound of open connections; Acquire waits while all are on loan. Forced to 1 for
  // ":memory:" (and ""), where every connection would be a separate database.
  int max_connections = 16;
  // How long a statement waits for another connection's lock (sqlite3_busy_timeout) before it
  // fails with kAborted.
  int busy_timeout_ms = 5000;
  // How long Acquire waits for a connection to come back before it fails with kUnavailable.
  int acquire_timeout_ms = 10000;
  // File databases run in WAL mode. With synchronous=NORMAL (the default) every committed
  // transaction survives a crash of the process, but a power loss or OS crash may lose the last
  // transactions committed before it (the database itself stays consistent). synchronous=FULL
  // also makes those durable, at the price of an fsync per commit.
  bool synchronous_full = false;
};

// One SQLite connection. Created and pooled by SqliteDatabase; not thread-safe (used by one
// thread at a time through a lease). Prepared statements are cached per connection by their SQL
// text for the connection's lifetime; the store's SQL is a fixed set of constants, so the cache
// stays small.
//
// Failures (STYLE.md §6): a UNIQUE or PRIMARY KEY violation is kAlreadyExists with reason
// "unique" and SQLite's message alone in `detail` ("UNIQUE constraint failed: t.col", which names
// the columns and no values); a FOREIGN KEY violation is kFailedPrecondition with reason
// "foreign_key"; SQLITE_BUSY / SQLITE_LOCKED (after busy_timeout_ms) is kAborted;
// SQLITE_CANTOPEN / SQLITE_IOERR is kUnavailable; anything else is kInternal with SQLite's
// message, result code and the SQL in `detail`.
class SqliteConnection final : public Connection {
 public:
  ~SqliteConnection() override;
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  // The braced-list conveniences of Connection.
  using Connection::Exec;
  using Connection::Query;

  // `$N` in `sql` binds params[N-1], wherever and however often it appears; parameters beyond
  // the highest `$N` are ignored. kInternal when the SQL does not prepare, holds more than one
  // statement, uses a parameter style other than `$N`, or names a `$N` beyond params.
  Result<void> Query(std::string_view sql, std::span<const Param> params,
                     const RowCallback& on_row) override;
  Result<int64_t> Exec(std::string_view sql, std::span<const Param> params) override;
  Result<void> ExecScript(std::string_view sql) override;

  // kWrite = BEGIN IMMEDIATE (takes the write lock now, waiting up to busy_timeout_ms, else
  // kAborted); kRead = BEGIN (deferred: a snapshot from the first read).
  Result<void> Begin(TxMode mode) override;
  Result<void> Commit() override;
  void Rollback() override;
  Engine engine() const override { return Engine::kSqlite; }

  // PRAGMA data_version: changes whenever another connection commits to the database; for
  // invalidating in-process caches.
  Result<int64_t> DataVersion();
  // True while a transaction is open on this connection.
  bool in_transaction() const;
  // True after a failed rollback: the pool closes the connection instead of reusing it.
  bool broken() const { return broken_; }
  size_t cached_statement_count() const { return statements_.size(); }

 private:
  friend class SqliteDatabase;

  struct DbDeleter {
    void operator()(sqlite3* db) const;
  };
  struct StmtDeleter {
    void operator()(sqlite3_stmt* stmt) const;
  };
  using DbPtr = std::unique_ptr<sqlite3, DbDeleter>;
  using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

  // A prepared statement and, per SQLite parameter index (1-based, slot 0 unused), the 0-based
  // index into the bound params.
  struct CachedStatement {
    StmtPtr stmt;
    std::vector<int> param_slots;
  };
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  explicit SqliteConnection(DbPtr db);
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path, bool is_file,
                                                        const SqliteOptions& options);

  Result<CachedStatement*> Prepare(std::string_view sql);
  Result<void> Run(std::string_view sql, std::span<const Param> params, const RowCallback* on_row);
  Error MapError(int rc, std::string_view sql) const;

  // Declared before the statements so that they are finalized before the database closes.
  DbPtr db_;
  std::unordered_map<std::string, CachedStatement, TextHash, std::equal_to<>> statements_;
  bool broken_ = false;
};

// Tells whether any connection, in this process or in another, may have committed to an SQLite
// file database since the previous look, without a system call or a lock: a read of PRAGMA
// data_version begins a read transaction, which takes a POSIX lock on the -shm file (two fcntl
// calls) under a mutex that every connection of the process shares, and on a hot read path
// that cost a quarter of the throughput.
//
// It reads the wal-index header at the start of the database's -shm file (format:
// https://www.sqlite.org/walformat.html, section 2.1): two copies of 48 bytes that every commit
// rewrites (the frame count grows, or after a WAL restart the salts change; the change counter
// grows in both cases), the second copy first. Equal copies that differ from the previous look
// mean a commit; unequal copies mean a commit in progress and count as a change too, so the
// answer may be "changed" when nothing committed, never the other way round.
//
// The counter owns a connection of its own, opened with the pool's settings and kept open: a
// connection that has read keeps the -shm file initialised and mapped for as long as it lives
// (SQLite truncates it only when a first connection opens it). Where the header cannot be mapped
// (the file is missing or short), Read falls back to PRAGMA data_version on that connection.
// Not thread-safe: one per thread.
class SqliteCommitCounter {
 public:
  ~SqliteCommitCounter();
  SqliteCommitCounter(const SqliteCommitCounter&) = delete;
  SqliteCommitCounter& operator=(const SqliteCommitCounter&) = delete;

  // A number that differs from the previous call's whenever a transaction committed to the
  // database between the two calls (and, rarely, when none did). Errors only on the fallback.
  Result<int64_t> Read();
  // True when Read looks at the wal-index header, false on the data_version fallback.
  bool mapped() const { return header_ != nullptr; }

 private:
  friend class SqliteDatabase;
  static constexpr size_t kHeaderWords = 12;  // one copy of the wal-index header, 48 bytes

  SqliteCommitCounter(std::unique_ptr<SqliteConnection> conn, const uint32_t* header,
                      size_t mapped_bytes);

  std::unique_ptr<SqliteConnection> conn_;
  const uint32_t* header_ = nullptr;  // the mapped start of the -shm file, or null
  size_t mapped_bytes_ = 0;
  uint32_t last_[kHeaderWords] = {};
  bool have_last_ = false;
  int64_t counter_ = 0;
};

// A pool of SQLite connections to one database file (or one in-memory database). Thread-safe.
// Connections are opened lazily, at most options.max_connections, each with
// SQLITE_OPEN_NOMUTEX (a connection is only ever used by one thread at a time), foreign keys on,
// the busy timeout set and, for files, WAL journaling. The database must outlive every lease.
class SqliteDatabase final : public Database {
 public:
  // Opens `path` (":memory:" for a private in-memory database), creating the file if missing, and
  // opens one connection now so that a bad path fails here. kUnavailable when the file cannot be
  // opened or created; kInternal for other failures (e.g. WAL cannot be enabled).
  static Result<std::unique_ptr<SqliteDatabase>> Open(std::string path, SqliteOptions options = {});
  ~SqliteDatabase() override;
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  // Lends an idle connection, opens a new one while under max_connections, or waits up to
  // acquire_timeout_ms for one to come back (then kUnavailable). A lease returned inside a
  // transaction is rolled back before the connection is reused.
  Result<Lease> Acquire() override;
  Engine engine() const override { return Engine::kSqlite; }
  // Runs SELECT 1 on a pooled connection.
  bool Ping() override;

  // Opens a connection outside the pool, owned by the caller, with the pool's settings: for
  // long-lived duties beside the pool, such as watching PRAGMA data_version for commits made by
  // other connections. kFailedPrecondition for ":memory:" (it would be another database);
  // otherwise as Open.
  Result<std::unique_ptr<SqliteConnection>> OpenDedicated() const;
  // A SqliteCommitCounter on a dedicated connection. kFailedPrecondition for ":memory:";
  // otherwise as Open.
  Result<std::unique_ptr<SqliteCommitCounter>> OpenCommitCounter() const;

  const std::string& path() const { return path_; }
  const SqliteOptions& options() const { return options_; }
  // Connections currently open (idle or on loan).
  size_t open_connections() const;

 protected:
  void Release(std::unique_ptr<Connection> conn) override;

 private:
  SqliteDatabase(std::string path, bool is_file, SqliteOptions options);

  const std::string path_;
  const bool is_file_;
  const SqliteOptions options_;

  mutable std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_;  // guarded by mu_
  size_t open_ = 0;                                      // guarded by mu_
};

}  // namespace orgd::store::sqlite
