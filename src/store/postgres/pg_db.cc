#include "store/postgres/pg_db.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <charconv>
#include <climits>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <variant>

namespace orgd::store::postgres {
namespace {

using Clock = PgConnection::Clock;

constexpr Clock::time_point kNoDeadline = Clock::time_point::max();

// The type OID of bytea (pg_type.h is a server header, not shipped with libpq).
constexpr Oid kByteaOid = 17;

// Binary parameters need a non-null pointer even when empty.
constexpr char kEmpty[] = "";

constexpr std::string_view kBeginWrite = "BEGIN ISOLATION LEVEL READ COMMITTED";
constexpr std::string_view kBeginRead = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

// Notices (e.g. "there is already a transaction in progress") would go to stderr by default and
// break the one-JSON-object-per-line log; the driver tracks transaction state itself, so none of
// them carries information it needs.
void IgnoreNotice(void* /*arg*/, const char* /*message*/) {}

std::string Trimmed(const char* text) {
  std::string s = text != nullptr ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string ConnErrorText(const PGconn* conn) {
  return conn != nullptr ? Trimmed(PQerrorMessage(conn)) : "libpq: out of memory";
}

std::string_view Field(const PGresult* result, int field) {
  const char* value = PQresultErrorField(result, field);
  return value != nullptr ? std::string_view(value) : std::string_view();
}

enum class WaitResult { kReady, kTimeout, kError };

// Waits until the session's socket is readable (or writable) or `deadline` passes.
WaitResult WaitSocket(const PGconn* conn, bool for_write, Clock::time_point deadline) {
  const int fd = PQsocket(conn);
  if (fd < 0) return WaitResult::kError;
  for (;;) {
    int timeout_ms = -1;
    if (deadline != kNoDeadline) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return WaitResult::kTimeout;
      timeout_ms = static_cast<int>(std::min<int64_t>(left.count(), INT_MAX));
    }
    pollfd pfd{.fd = fd, .events = static_cast<short>(for_write ? POLLOUT : POLLIN), .revents = 0};
    const int rc = ::poll(&pfd, 1, timeout_ms);
    if (rc > 0) return WaitResult::kReady;  // POLLERR/POLLHUP too: libpq then reports the error
    if (rc == 0) return WaitResult::kTimeout;
    if (errno != EINTR) return WaitResult::kError;
  }
}

class PgRow final : public Row {
 public:
  PgRow(const PGresult* result, int row) : result_(result), row_(row) {}

  bool IsNull(int col) const override { return PQgetisnull(result_, row_, col) != 0; }

  int64_t GetInt(int col) const override {
    const std::string_view text = GetText(col);
    // orgd's schema stores booleans as integers, but expressions such as EXISTS(...) yield
    // PostgreSQL booleans, whose text form is t / f.
    if (text == "t") return 1;
    if (text == "f") return 0;
    int64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
  }

  std::string_view GetText(int col) const override {
    const char* value = PQgetvalue(result_, row_, col);
    if (value == nullptr) return {};
    return {value, static_cast<size_t>(PQgetlength(result_, row_, col))};
  }

  std::string GetBlob(int col) const override {
    if (IsNull(col)) return {};
    // Results come in text format, where bytea is hex-escaped ("\x00ff").
    if (PQftype(result_, col) != kByteaOid) return std::string(GetText(col));
    size_t length = 0;
    std::unique_ptr<unsigned char, decltype(&PQfreemem)> bytes(
        PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(result_, row_, col)),
                        &length),
        &PQfreemem);
    if (bytes == nullptr) return {};
    return {reinterpret_cast<const char*>(bytes.get()), length};
  }

 private:
  const PGresult* result_;
  int row_;
};

// Whether a command's result says it changed rows: its tag is INSERT, UPDATE, DELETE or MERGE
// with a non-zero count, or TRUNCATE.
bool ChangedRows(const PGresult* result) {
  const std::string_view tag = PQcmdStatus(const_cast<PGresult*>(result));
  if (tag.starts_with("TRUNCATE")) return true;
  if (!tag.starts_with("INSERT") && !tag.starts_with("UPDATE") && !tag.starts_with("DELETE") &&
      !tag.starts_with("MERGE")) {
    return false;
  }
  const std::string_view count = PQcmdTuples(const_cast<PGresult*>(result));
  return !count.empty() && count != "0";
}

Error ResultError(const PGresult* result, bool connection_lost, std::string_view sql) {
  std::string message(Field(result, PG_DIAG_MESSAGE_PRIMARY));
  if (message.empty() || connection_lost) message = Trimmed(PQresultErrorMessage(result));
  return TranslatePgError(Field(result, PG_DIAG_SQLSTATE), Field(result, PG_DIAG_CONSTRAINT_NAME),
                          message, connection_lost, sql);
}

}  // namespace

Error TranslatePgError(std::string_view sqlstate, std::string_view constraint,
                       std::string_view message, bool connection_lost, std::string_view sql) {
  auto described = [&] {
    std::string detail(message);
    if (!sqlstate.empty()) detail += " [SQLSTATE " + std::string(sqlstate) + "]";
    if (!sql.empty()) detail += " in: " + std::string(sql.substr(0, 500));
    return detail;
  };
  // The constraint name goes first: the SQL store maps it to a reason. No key values: the
  // server's DETAIL field, which holds them, is left out.
  auto with_constraint = [&] {
    std::string detail;
    if (!constraint.empty()) detail = "constraint=" + std::string(constraint) + "; ";
    return detail + std::string(message);
  };

  // 57P01/57P02: the server is shutting down or an administrator ended the session;
  // 57P03: the server is starting up or shutting down and accepts no session yet.
  if (connection_lost || sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" ||
      sqlstate == "57P03") {
    return Error::Unavailable("the database is unavailable", described());
  }
  if (sqlstate == "23505") {
    return Error{.code = ErrorCode::kAlreadyExists,
                 .message = "unique constraint violated",
                 .detail = with_constraint(),
                 .reason = "unique"};
  }
  if (sqlstate == "23503") {
    return Error::FailedPrecondition("foreign_key", "foreign key constraint violated")
        .WithDetail(with_constraint());
  }
  if (sqlstate == "40001") return Error::Aborted("concurrent update conflict", described());
  if (sqlstate == "40P01") return Error::Aborted("deadlock detected", described());
  // lock_not_available (lock_timeout, NOWAIT): the counterpart of SQLITE_BUSY.
  if (sqlstate == "55P03") return Error::Aborted("the database is busy", described());
  return Error::Internal("database error", described());
}

void PgConnection::ConnDeleter::operator()(pg_conn* conn) const { PQfinish(conn); }
void PgConnection::ResultDeleter::operator()(pg_result* result) const { PQclear(result); }

PgConnection::PgConnection(std::string url, std::chrono::milliseconds connect_timeout, ConnPtr conn)
    : url_(std::move(url)), connect_timeout_(connect_timeout), conn_(std::move(conn)) {}

PgConnection::~PgConnection() = default;

Result<PgConnection::ConnPtr> PgConnection::Connect(const std::string& url,
                                                    std::chrono::milliseconds connect_timeout,
                                                    Clock::time_point deadline) {
  if (connect_timeout.count() > 0) deadline = std::min(deadline, Clock::now() + connect_timeout);
  // Keywords before "dbname" are defaults that the expanded URL overrides. The connect timeout
  // is enforced here rather than through libpq's connect_timeout, which only a blocking connect
  // honours and only in whole seconds.
  const char* const keywords[] = {"application_name", "dbname", nullptr};
  const char* const values[] = {"orgd", url.c_str(), nullptr};
  ConnPtr conn(PQconnectStartParams(keywords, values, /*expand_dbname=*/1));
  if (conn == nullptr || PQstatus(conn.get()) == CONNECTION_BAD) {
    return Error::Unavailable("cannot connect to the database", ConnErrorText(conn.get()));
  }
  // libpq's protocol: behave as if PQconnectPoll had answered "writing" first.
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  while (state != PGRES_POLLING_OK) {
    if (state == PGRES_POLLING_FAILED) {
      return Error::Unavailable("cannot connect to the database", ConnErrorText(conn.get()));
    }
    // The socket may change between calls (several hosts or addresses), so it is fetched anew.
    switch (WaitSocket(conn.get(), state == PGRES_POLLING_WRITING, deadline)) {
      case WaitResult::kReady:
        break;
      case WaitResult::kTimeout:
        return Error::Unavailable(
            "cannot connect to the database",
            "connect timeout expired (" + std::to_string(connect_timeout.count()) + " ms)");
      case WaitResult::kError:
        return Error::Unavailable("cannot connect to the database",
                                  std::string("poll: ") + std::system_category().message(errno));
    }
    state = PQconnectPoll(conn.get());
  }
  PQsetNoticeProcessor(conn.get(), IgnoreNotice, nullptr);
  return conn;
}

Result<std::unique_ptr<PgConnection>> PgConnection::Open(const std::string& url,
                                                         std::chrono::milliseconds connect_timeout,
                                                         Clock::time_point deadline) {
  auto conn = Connect(url, connect_timeout, deadline);
  if (!conn) return std::move(conn).error();
  return std::unique_ptr<PgConnection>(new PgConnection(url, connect_timeout, std::move(*conn)));
}

bool PgConnection::broken() const {
  return broken_ || conn_ == nullptr || PQstatus(conn_.get()) != CONNECTION_OK;
}

int PgConnection::backend_pid() const { return conn_ ? PQbackendPID(conn_.get()) : 0; }

Result<void> PgConnection::EnsureSession(Clock::time_point deadline) {
  if (!broken()) return {};
  if (in_transaction_) {
    return Error::Unavailable("the database is unavailable",
                              "the session was lost inside a transaction");
  }
  // The server forgot the prepared statements with the session.
  statements_.clear();
  conn_.reset();
  broken_ = true;
  auto conn = Connect(url_, connect_timeout_, deadline);
  if (!conn) return std::move(conn).error();
  conn_ = std::move(*conn);
  broken_ = false;
  return {};
}

Result<PgConnection::ResultPtr> PgConnection::WithRetry(
    Clock::time_point deadline, const std::function<Result<ResultPtr>()>& fn) {
  ORGD_TRY(EnsureSession(deadline));
  const bool retryable = !in_transaction_;
  auto result = fn();
  if (result || !retryable || !broken() || Clock::now() >= deadline) return result;
  // The session died under a command outside any transaction; typically the server dropped it
  // while it sat idle in the pool (a restart, a failover, pg_terminate_backend). A statement
  // that ran in autocommit and whose session died may in rare cases have committed before the
  // answer was lost; orgd's writes run in transactions, which are never re-sent.
  ORGD_TRY(EnsureSession(deadline));
  return fn();
}

Error PgConnection::SendFailed(std::string_view sql) {
  const bool lost = broken();
  if (lost) broken_ = true;
  return TranslatePgError("", "", ConnErrorText(conn_.get()), lost, sql);
}

Result<PgConnection::ResultPtr> PgConnection::Await(std::string_view sql,
                                                    Clock::time_point deadline) {
  PGconn* conn = conn_.get();
  ResultPtr failed;
  ResultPtr last;
  bool wrote = false;
  for (;;) {
    // Read until libpq holds a complete result, so that PQgetResult never blocks. A dead session
    // is left to PQgetResult, which reports it without waiting.
    while (PQisBusy(conn) && PQstatus(conn) == CONNECTION_OK) {
      const WaitResult wait = WaitSocket(conn, /*for_write=*/false, deadline);
      if (wait != WaitResult::kReady) {
        // The command is still outstanding; the session cannot be reused.
        broken_ = true;
        return Error::Unavailable(
            "the database is unavailable",
            (wait == WaitResult::kTimeout
                 ? "no answer in time to: "
                 : std::string("poll: ") + std::system_category().message(errno) + ": ") +
                std::string(sql.substr(0, 500)));
      }
      if (!PQconsumeInput(conn)) break;
    }
    ResultPtr result(PQgetResult(conn));
    if (result == nullptr) break;
    switch (PQresultStatus(result.get())) {
      case PGRES_FATAL_ERROR:
      case PGRES_BAD_RESPONSE:
      case PGRES_NONFATAL_ERROR:
        if (failed == nullptr) failed = std::move(result);
        break;
      case PGRES_COPY_IN:
      case PGRES_COPY_OUT:
      case PGRES_COPY_BOTH:
        // orgd never copies; leaving the copy would take a protocol dance, dropping the session
        // does not.
        broken_ = true;
        return Error::Internal("COPY is not supported", std::string(sql.substr(0, 500)));
      default:
        wrote = wrote || ChangedRows(result.get());
        last = std::move(result);
        break;
    }
  }
  const bool lost = PQstatus(conn) != CONNECTION_OK;
  if (lost) {
    broken_ = true;
  } else {
    in_transaction_ = PQtransactionStatus(conn) != PQTRANS_IDLE;
    // Outside a transaction a change is committed once its command answers; inside one, at
    // COMMIT (see Commit). A script may also have opened and committed a transaction itself.
    if (wrote && failed == nullptr) (in_transaction_ ? tx_wrote_ : committed_write_) = true;
  }
  if (failed != nullptr) return ResultError(failed.get(), lost, sql);
  if (lost) return TranslatePgError("", "", ConnErrorText(conn), true, sql);
  if (last == nullptr) return Error::Internal("no result from the database", std::string(sql));
  return last;
}

Result<const PgConnection::CachedStatement*> PgConnection::Prepare(std::string_view sql,
                                                                   Clock::time_point deadline) {
  if (auto it = statements_.find(sql); it != statements_.end()) return &it->second;

  std::string text(sql);
  std::string name = "s" + std::to_string(++statement_counter_);
  // No parameter types: the server infers each from its use, as it would for a literal.
  if (PQsendPrepare(conn_.get(), name.c_str(), text.c_str(), 0, nullptr) == 0) {
    return SendFailed(sql);
  }
  auto prepared = Await(sql, deadline);
  if (!prepared) return std::move(prepared).error();
  ++prepare_count_;
  // The parameter count lets Run check the params before sending: the server would answer a
  // mismatch with a protocol violation (SQLSTATE 08P01), which reads like a lost connection.
  if (PQsendDescribePrepared(conn_.get(), name.c_str()) == 0) return SendFailed(sql);
  auto described = Await(sql, deadline);
  if (!described) return std::move(described).error();
  CachedStatement cached{.name = std::move(name), .param_count = PQnparams(described->get())};
  auto [it, inserted] = statements_.emplace(std::move(text), std::move(cached));
  assert(inserted);
  return &it->second;
}

Result<PgConnection::ResultPtr> PgConnection::RunPrepared(std::string_view sql,
                                                          std::span<const Param> params,
                                                          Clock::time_point deadline) {
  auto prepared = Prepare(sql, deadline);
  if (!prepared) return std::move(prepared).error();
  const CachedStatement& statement = **prepared;
  const auto count = static_cast<size_t>(statement.param_count);
  if (params.size() < count) {
    return Error::Internal("SQL names $" + std::to_string(count) + " but only " +
                               std::to_string(params.size()) + " parameters were given",
                           std::string(sql));
  }

  // Text-format parameters must be NUL-terminated, hence the copies.
  std::vector<std::string> texts(count);
  std::vector<const char*> values(count, nullptr);
  std::vector<int> lengths(count, 0);
  std::vector<int> formats(count, 0);
  for (size_t i = 0; i < count; ++i) {
    const Param& param = params[i];
    if (const auto* v = std::get_if<int64_t>(&param)) {
      texts[i] = std::to_string(*v);
      values[i] = texts[i].c_str();
    } else if (const auto* s = std::get_if<std::string_view>(&param)) {
      if (s->find('\0') != std::string_view::npos) {
        return Error::InvalidArgument("text must not contain NUL characters");
      }
      texts[i] = std::string(*s);
      values[i] = texts[i].c_str();
    } else if (const auto* b = std::get_if<Blob>(&param)) {
      values[i] = b->bytes.empty() ? kEmpty : b->bytes.data();
      lengths[i] = static_cast<int>(b->bytes.size());
      formats[i] = 1;  // binary: raw bytes, no escaping
    }
  }
  if (PQsendQueryPrepared(conn_.get(), statement.name.c_str(), static_cast<int>(count),
                          values.data(), lengths.data(), formats.data(),
                          /*resultFormat=*/0) == 0) {
    return SendFailed(sql);
  }
  return Await(sql, deadline);
}

Result<PgConnection::ResultPtr> PgConnection::RunSimple(std::string_view sql,
                                                        Clock::time_point deadline) {
  const std::string text(sql);
  if (PQsendQuery(conn_.get(), text.c_str()) == 0) return SendFailed(sql);
  return Await(sql, deadline);
}

Result<void> PgConnection::Query(std::string_view sql, std::span<const Param> params,
                                 const RowCallback& on_row) {
  auto result = WithRetry(kNoDeadline, [&] { return RunPrepared(sql, params, kNoDeadline); });
  if (!result) return std::move(result).error();
  // Every result is drained before the first callback, so a callback may use this connection.
  const PGresult* res = result->get();
  const int rows = PQntuples(res);
  for (int i = 0; i < rows; ++i) on_row(PgRow(res, i));
  return {};
}

Result<int64_t> PgConnection::Exec(std::string_view sql, std::span<const Param> params) {
  auto result = WithRetry(kNoDeadline, [&] { return RunPrepared(sql, params, kNoDeadline); });
  if (!result) return std::move(result).error();
  const std::string_view tuples = PQcmdTuples(result->get());
  int64_t changed = 0;
  std::from_chars(tuples.data(), tuples.data() + tuples.size(), changed);
  return changed;
}

Result<void> PgConnection::ExecScript(std::string_view sql) {
  ORGD_TRY(EnsureSession(kNoDeadline));
  ORGD_TRY(RunSimple(sql, kNoDeadline));
  return {};
}

Result<void> PgConnection::Begin(TxMode mode) {
  if (in_transaction_) return Error::Internal("a transaction is already open", "BEGIN");
  const std::string_view sql = mode == TxMode::kWrite ? kBeginWrite : kBeginRead;
  ORGD_TRY(WithRetry(kNoDeadline, [&] { return RunSimple(sql, kNoDeadline); }));
  return {};
}

Result<void> PgConnection::Commit() {
  if (!in_transaction_) return Error::Internal("no transaction is open", "COMMIT");
  if (broken()) {
    return Error::Unavailable("the database is unavailable",
                              "the session was lost inside a transaction");
  }
  const bool wrote = std::exchange(tx_wrote_, false);
  auto result = RunSimple("COMMIT", kNoDeadline);
  if (!result) return std::move(result).error();
  // COMMIT of a transaction that an earlier failed statement aborted "succeeds" as ROLLBACK.
  if (std::string_view(PQcmdStatus(result->get())) == "ROLLBACK") {
    return Error::Internal("the transaction was rolled back",
                           "COMMIT found the transaction aborted by an earlier failed statement");
  }
  if (wrote) committed_write_ = true;
  return {};
}

bool PgConnection::TakeCommittedWrite() { return std::exchange(committed_write_, false); }

Result<void> PgConnection::Listen(std::string_view channel) {
  if (conn_ == nullptr) return Error::Unavailable("the database is unavailable", "no session");
  std::unique_ptr<char, decltype(&PQfreemem)> quoted(
      PQescapeIdentifier(conn_.get(), channel.data(), channel.size()), &PQfreemem);
  if (quoted == nullptr) return Error::Internal("cannot quote a channel name", ConnErrorText(conn_.get()));
  ORGD_TRY(ExecScript("LISTEN " + std::string(quoted.get())));
  return {};
}

std::vector<PgNotification> PgConnection::TakeNotifications() {
  std::vector<PgNotification> out;
  if (conn_ == nullptr) return out;
  while (PGnotify* n = PQnotifies(conn_.get())) {
    out.push_back(PgNotification{.channel = n->relname != nullptr ? n->relname : "",
                                 .payload = n->extra != nullptr ? n->extra : ""});
    PQfreemem(n);
  }
  return out;
}

Result<std::vector<PgNotification>> PgConnection::WaitForNotifications(Clock::time_point deadline) {
  if (broken()) {
    broken_ = true;
    return Error::Unavailable("the database is unavailable", "the listening session was lost");
  }
  for (;;) {
    std::vector<PgNotification> out = TakeNotifications();
    if (!out.empty()) return out;
    switch (WaitSocket(conn_.get(), /*for_write=*/false, deadline)) {
      case WaitResult::kTimeout:
        return out;
      case WaitResult::kError:
        broken_ = true;
        return Error::Unavailable("the database is unavailable",
                                  std::string("poll: ") + std::system_category().message(errno));
      case WaitResult::kReady:
        break;
    }
    if (!PQconsumeInput(conn_.get()) || PQstatus(conn_.get()) != CONNECTION_OK) {
      broken_ = true;
      return Error::Unavailable("the database is unavailable", ConnErrorText(conn_.get()));
    }
  }
}

void PgConnection::Rollback() {
  if (!in_transaction_) return;
  tx_wrote_ = false;
  if (broken()) {
    broken_ = true;
    in_transaction_ = false;
    return;
  }
  auto result = RunSimple("ROLLBACK", kNoDeadline);
  if (!result || broken() || PQtransactionStatus(conn_.get()) != PQTRANS_IDLE) broken_ = true;
  in_transaction_ = false;
}

Result<void> PgConnection::Probe(Clock::time_point deadline) {
  ORGD_TRY(WithRetry(deadline, [&] { return RunSimple("SELECT 1", deadline); }));
  return {};
}

PgDatabase::PgDatabase(std::string url, PgOptions options)
    : url_(std::move(url)), options_(options) {}

PgDatabase::~PgDatabase() {
  std::lock_guard lock(mu_);
  assert(idle_.size() == open_ && "a lease outlived its PgDatabase");
}

Result<std::unique_ptr<PgDatabase>> PgDatabase::Open(std::string url, PgOptions options) {
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &parse_error);
  if (parsed == nullptr) {
    std::string detail = parse_error != nullptr ? Trimmed(parse_error) : "libpq: out of memory";
    PQfreemem(parse_error);
    return Error::InvalidArgument("invalid PostgreSQL connection string").WithDetail(detail);
  }
  // A connect_timeout in the URL (seconds, libpq's unit) wins over the option.
  for (const PQconninfoOption* option = parsed; option->keyword != nullptr; ++option) {
    if (std::string_view(option->keyword) != "connect_timeout" || option->val == nullptr) continue;
    const std::string_view value = option->val;
    int seconds = 0;
    std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (seconds > 0) options.connect_timeout = std::chrono::seconds(std::max(seconds, 2));
  }
  PQconninfoFree(parsed);

  if (options.pool_size <= 0) {
    options.pool_size = std::max(8, 4 * static_cast<int>(std::thread::hardware_concurrency()));
  }
  options.acquire_timeout = std::max(options.acquire_timeout, std::chrono::milliseconds(0));
  std::unique_ptr<PgDatabase> db(new PgDatabase(std::move(url), options));
  auto conn = PgConnection::Open(db->url_, db->options_.connect_timeout, kNoDeadline);
  if (!conn) return std::move(conn).error();
  db->idle_.push_back(std::move(*conn));
  db->open_ = 1;
  return db;
}

Result<Database::Lease> PgDatabase::Acquire() {
  return AcquireUntil(Clock::now() + options_.acquire_timeout, kNoDeadline);
}

Result<Database::Lease> PgDatabase::AcquireUntil(Clock::time_point acquire_deadline,
                                                 Clock::time_point connect_deadline) {
  std::unique_ptr<PgConnection> stale;
  {
    std::unique_lock lock(mu_);
    const auto max_open = static_cast<size_t>(options_.pool_size);
    if (!returned_.wait_until(lock, acquire_deadline,
                              [&] { return !idle_.empty() || open_ < max_open; })) {
      return Error::Unavailable("database connection pool exhausted",
                                "all " + std::to_string(max_open) + " connections stayed on loan");
    }
    if (!idle_.empty()) {
      // Last in, first out: the most recently used session is the most likely to be alive.
      std::unique_ptr<PgConnection> conn = std::move(idle_.back());
      idle_.pop_back();
      // Only libpq's own view of the session, without a round trip; a session the server has
      // dropped meanwhile is replaced by the connection's one retry on its first statement.
      if (!conn->broken()) return Lease(this, std::move(conn));
      stale = std::move(conn);  // its slot passes to the new connection opened below
    } else {
      ++open_;
    }
  }
  stale.reset();
  auto conn = PgConnection::Open(url_, options_.connect_timeout, connect_deadline);
  if (!conn) {
    std::lock_guard lock(mu_);
    --open_;
    returned_.notify_one();
    return std::move(conn).error();
  }
  return Lease(this, std::unique_ptr<Connection>(std::move(*conn)));
}

void PgDatabase::Release(std::unique_ptr<Connection> conn) {
  std::unique_ptr<PgConnection> pg(static_cast<PgConnection*>(conn.release()));
  // A lease dropped inside a transaction (an early return, an exception) must not hand its
  // locks and uncommitted writes to the next borrower.
  pg->Rollback();
  const bool wrote = pg->TakeCommittedWrite();
  if (wrote) write_commits_.fetch_add(1, std::memory_order_acq_rel);
  if (pg->broken() || pg->in_transaction()) pg.reset();  // closed outside the lock
  {
    std::lock_guard lock(mu_);
    if (pg != nullptr) {
      idle_.push_back(std::move(pg));
    } else {
      --open_;
    }
  }
  returned_.notify_one();
  // The lease's owner resumes only after this: a write is done when the observer says so.
  if (wrote) {
    if (PgWriteObserver* observer = observer_.load(std::memory_order_acquire)) observer->Committed();
  }
}

Result<std::unique_ptr<PgConnection>> PgDatabase::OpenDedicated() {
  return PgConnection::Open(url_, options_.connect_timeout, kNoDeadline);
}

bool PgDatabase::Ping() {
  const auto now = Clock::now();
  const auto deadline =
      options_.connect_timeout.count() > 0 ? now + options_.connect_timeout : kNoDeadline;
  auto lease = AcquireUntil(std::min(deadline, now + options_.acquire_timeout), deadline);
  if (!lease) return false;
  return static_cast<bool>(static_cast<PgConnection&>(**lease).Probe(deadline));
}

size_t PgDatabase::open_connections() const {
  std::lock_guard lock(mu_);
  return open_;
}

}  // namespace orgd::store::postgres
