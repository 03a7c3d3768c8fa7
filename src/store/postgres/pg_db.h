#pragma once

#include <atomic>
#include <chrono>
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

// Forward declarations of the libpq handles (PGconn, PGresult), so that libpq-fe.h stays inside
// this driver.
struct pg_conn;
struct pg_result;

namespace orgd::store::postgres {

// One NOTIFY received by a session that LISTENs (PgConnection::Listen).
struct PgNotification {
  std::string channel;
  std::string payload;
};

// Told about each pooled connection that committed a write (an INSERT, UPDATE, DELETE, MERGE or
// TRUNCATE that changed rows, in autocommit or in a transaction that committed), once the
// connection is back in the pool. Lets writers of several processes on one database coordinate
// with readers (pg_change_fence.h).
class PgWriteObserver {
 public:
  virtual ~PgWriteObserver() = default;
  // On the thread that released the connection, before its caller sees the write as done (the
  // lease's destructor returns after this). May use the pool.
  virtual void Committed() = 0;
};

struct PgOptions {
  // Upper bound of open connections; Acquire waits while all are on loan. 0 (or less): four per
  // hardware thread, at least 8.
  int pool_size = 0;
  // How long Acquire waits for a connection to come back before it fails with kUnavailable.
  std::chrono::milliseconds acquire_timeout{5000};
  // How long opening one connection may take (TCP, TLS, authentication) before it fails with
  // kUnavailable; 0 or less: no limit. Also bounds Ping. A connect_timeout in the URL (seconds)
  // takes precedence.
  std::chrono::milliseconds connect_timeout{5000};
};

// Translates a PostgreSQL failure to Error per STYLE.md §6, from the SQLSTATE of the server's
// error (empty when libpq reported the failure itself), the name of the violated constraint (if
// any), the server's primary message and whether the connection is gone:
//   23505 unique_violation         → kAlreadyExists, reason "unique",
//                                    detail "constraint=<name>; <message>"
//   23503 foreign_key_violation    → kFailedPrecondition, reason "foreign_key", same detail
//   40001, 40P01, 55P03            → kAborted (serialization failure, deadlock, lock timeout)
//   connection lost, class 08, 57P01/57P02/57P03 → kUnavailable
//   anything else                  → kInternal, detail = message, SQLSTATE and `sql`
// The constraint name comes first in `detail` so that the SQL store can tell which unique
// constraint failed. Exposed for tests; the driver applies it to every failed command.
Error TranslatePgError(std::string_view sqlstate, std::string_view constraint,
                       std::string_view message, bool connection_lost, std::string_view sql = {});

// One PostgreSQL session (a PGconn). Created and pooled by PgDatabase; not thread-safe (used by
// one thread at a time through a lease).
//
// Statements run through the extended protocol: each SQL text is prepared once per session (as
// "s<N>") and cached by its text; parameters are always bound, in text format except Blob
// (binary); results come back in text format. Transaction control and scripts use the simple
// protocol.
//
// Lost connections: a command that fails because the session died returns kUnavailable and
// marks the connection broken. Outside a transaction, Query, Exec and Begin then reconnect and
// run once more (the usual case is a pooled session that the server dropped while it sat idle,
// e.g. across a PostgreSQL restart); inside a transaction the error is returned, and the pool
// discards the connection when its lease ends. A session known to be broken is replaced before
// anything is sent when no transaction is open.
class PgConnection final : public Connection {
 public:
  using Clock = std::chrono::steady_clock;

  ~PgConnection() override;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // The braced-list conveniences of Connection.
  using Connection::Exec;
  using Connection::Query;

  // `$N` binds params[N-1], wherever and however often it appears; the server infers each
  // parameter's type from its use (cast it, e.g. `$1::bigint`, where the context does not say).
  // Parameters beyond the highest `$N` are ignored. kInternal when the SQL does not prepare or
  // names a `$N` beyond params; kInvalidArgument when a text parameter holds a NUL character
  // (PostgreSQL text cannot); otherwise the codes of TranslatePgError.
  Result<void> Query(std::string_view sql, std::span<const Param> params,
                     const RowCallback& on_row) override;
  // As Query; returns the row count of the command tag (rows inserted, updated, deleted).
  Result<int64_t> Exec(std::string_view sql, std::span<const Param> params) override;
  // Runs several `;`-separated statements without parameters in one simple-protocol round trip
  // (outside an explicit transaction, the server runs them as one implicit transaction). Never
  // re-sent after a lost connection: the script may have run in part.
  Result<void> ExecScript(std::string_view sql) override;

  // kWrite = BEGIN ISOLATION LEVEL READ COMMITTED (the SQL takes the row locks it needs, e.g.
  // SELECT ... FOR UPDATE); kRead = BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY (one snapshot
  // for all its statements; writes fail with kInternal). kInternal if a transaction is open.
  Result<void> Begin(TxMode mode) override;
  // kInternal if no transaction is open, or if the server rolled it back instead (a statement in
  // it failed); kUnavailable if the connection was lost (the outcome is then unknown).
  Result<void> Commit() override;
  // Does nothing outside a transaction. Never fails observably; a failed rollback marks the
  // connection broken.
  void Rollback() override;
  Engine engine() const override { return Engine::kPostgres; }

  // True between a successful Begin and the end of that transaction (also while the server
  // holds it aborted after a failed statement).
  bool in_transaction() const { return in_transaction_; }
  // True when the session is gone or unusable; the pool then closes it instead of reusing it.
  bool broken() const;
  // The server process id of the current session (changes after a reconnect); 0 if none.
  int backend_pid() const;
  // How many statements this connection has prepared (PQprepare calls), across reconnects.
  int64_t prepare_count() const { return prepare_count_; }
  // Statements currently prepared on the session.
  size_t cached_statement_count() const { return statements_.size(); }

  // Whether a write committed on this connection since the last call (see PgWriteObserver);
  // clears the mark.
  bool TakeCommittedWrite();

  // Subscribes the session to `channel` (LISTEN; the name is quoted as an identifier). A session
  // that listens is not for the pool: open it with PgDatabase::OpenDedicated. A reconnect (after
  // a lost session) forgets subscriptions; the caller listens again.
  Result<void> Listen(std::string_view channel);
  // The notifications received so far, without waiting: libpq collects them while commands run.
  std::vector<PgNotification> TakeNotifications();
  // Waits until at least one notification has arrived or `deadline` passes (then an empty list).
  // kUnavailable when the session is lost.
  Result<std::vector<PgNotification>> WaitForNotifications(Clock::time_point deadline);

 private:
  friend class PgDatabase;

  struct ConnDeleter {
    void operator()(pg_conn* conn) const;
  };
  struct ResultDeleter {
    void operator()(pg_result* result) const;
  };
  using ConnPtr = std::unique_ptr<pg_conn, ConnDeleter>;
  using ResultPtr = std::unique_ptr<pg_result, ResultDeleter>;

  struct CachedStatement {
    std::string name;
    int param_count = 0;
  };
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  PgConnection(std::string url, std::chrono::milliseconds connect_timeout, ConnPtr conn);

  // Opens a session to `url` (a URI or key=value string, passed to libpq as is), giving up at
  // the earlier of `deadline` and connect_timeout from now. kUnavailable on failure.
  static Result<ConnPtr> Connect(const std::string& url, std::chrono::milliseconds connect_timeout,
                                 Clock::time_point deadline);
  static Result<std::unique_ptr<PgConnection>> Open(const std::string& url,
                                                    std::chrono::milliseconds connect_timeout,
                                                    Clock::time_point deadline);

  // Runs `fn`; if it failed because the session died and no transaction was open before it,
  // runs it once more (on a fresh session, see EnsureSession).
  Result<ResultPtr> WithRetry(Clock::time_point deadline,
                              const std::function<Result<ResultPtr>()>& fn);
  // Replaces a broken session when no transaction is open; kUnavailable when one is, or when
  // the new session cannot be opened.
  Result<void> EnsureSession(Clock::time_point deadline);
  Result<ResultPtr> RunPrepared(std::string_view sql, std::span<const Param> params,
                                Clock::time_point deadline);
  Result<ResultPtr> RunSimple(std::string_view sql, Clock::time_point deadline);
  Result<const CachedStatement*> Prepare(std::string_view sql, Clock::time_point deadline);
  // Waits (until `deadline`) for the command just sent to finish and drains all its results.
  // Returns the last result, or the translated error of the first failed one.
  Result<ResultPtr> Await(std::string_view sql, Clock::time_point deadline);
  Error SendFailed(std::string_view sql);
  // Runs SELECT 1, all within `deadline` (for Ping).
  Result<void> Probe(Clock::time_point deadline);

  const std::string url_;
  const std::chrono::milliseconds connect_timeout_;
  ConnPtr conn_;
  std::unordered_map<std::string, CachedStatement, TextHash, std::equal_to<>> statements_;
  int64_t statement_counter_ = 0;
  int64_t prepare_count_ = 0;
  bool in_transaction_ = false;
  bool broken_ = false;
  bool tx_wrote_ = false;         // a statement of the open transaction changed rows
  bool committed_write_ = false;  // see TakeCommittedWrite
};

// A pool of PostgreSQL connections to one database. Thread-safe. Connections are opened lazily,
// at most pool_size; an idle connection is checked only through libpq's status when lent (no
// round trip), and a connection found broken is closed, never returned to the pool, so that the
// pool recovers by itself after a server restart. The database must outlive every lease.
class PgDatabase final : public Database {
 public:
  // Connects once to `url` (e.g. "postgresql://user@host:5432/db?sslmode=require", or a
  // key=value string; passed to libpq as is, with application_name defaulting to "orgd") and keeps
  // that connection in the pool. Connection attempts are non-blocking and the driver enforces
  // options.connect_timeout itself, to the millisecond (host name resolution excepted, which
  // libpq does synchronously). kInvalidArgument when libpq cannot parse `url`;
  // kUnavailable, with libpq's message in `detail`, when the server cannot be reached or refuses
  // the session.
  static Result<std::unique_ptr<PgDatabase>> Open(std::string url, PgOptions options = {});
  ~PgDatabase() override;
  PgDatabase(const PgDatabase&) = delete;
  PgDatabase& operator=(const PgDatabase&) = delete;

  // Lends an idle connection (most recently returned first), opens a new one while fewer than
  // pool_size are open, or waits up to acquire_timeout for one to come back: then kUnavailable
  // ("database connection pool exhausted"). kUnavailable also when a new connection cannot be
  // opened. A lease returned inside a transaction is rolled back before the connection is reused.
  Result<Lease> Acquire() override;
  Engine engine() const override { return Engine::kPostgres; }
  // Runs SELECT 1 on a pooled connection; false on any failure. Returns within about
  // connect_timeout, even when the server is gone.
  bool Ping() override;

  // The effective options (pool_size resolved).
  const PgOptions& options() const { return options_; }
  // Connections currently open (idle or on loan).
  size_t open_connections() const;

  // A session of its own, outside the pool (for LISTEN, or a poller that must not wait for the
  // pool). kUnavailable as Open.
  Result<std::unique_ptr<PgConnection>> OpenDedicated();

  // Installs the observer told of every write committed through the pool (null: none). The
  // observer must outlive its installation; install and remove it while no lease is out.
  void SetWriteObserver(PgWriteObserver* observer) { observer_.store(observer); }
  // Writes committed through the pool so far in this process: moves before Release returns for a
  // lease that committed one.
  uint64_t write_commits() const { return write_commits_.load(std::memory_order_acquire); }

 protected:
  void Release(std::unique_ptr<Connection> conn) override;

 private:
  PgDatabase(std::string url, PgOptions options);
  Result<Lease> AcquireUntil(PgConnection::Clock::time_point acquire_deadline,
                             PgConnection::Clock::time_point connect_deadline);

  const std::string url_;
  const PgOptions options_;

  mutable std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<PgConnection>> idle_;  // guarded by mu_
  size_t open_ = 0;                                  // guarded by mu_
  std::atomic<PgWriteObserver*> observer_{nullptr};
  std::atomic<uint64_t> write_commits_{0};
};

}  // namespace orgd::store::postgres
