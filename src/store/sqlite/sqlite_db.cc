#include "store/sqlite/sqlite_db.h"

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <variant>

namespace orgd::store::sqlite {
namespace {

// Open flags for every connection. NOMUTEX: the pool hands a connection to one thread at a time,
// so SQLite's per-connection mutex would be pure overhead.
constexpr int kOpenFlags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;

// Non-null pointer for empty values: sqlite3_bind_text/blob bind NULL for a null pointer.
constexpr char kEmpty[] = "";

bool IsFilePath(const std::string& path) { return path != ":memory:" && !path.empty(); }

// The number N of a `$N` parameter name, or -1.
int ParamNumber(const char* name) {
  if (name == nullptr || name[0] != '$' || name[1] == '\0') return -1;
  int n = 0;
  for (const char* p = name + 1; *p != '\0'; ++p) {
    if (*p < '0' || *p > '9' || n > 100000) return -1;
    n = n * 10 + (*p - '0');
  }
  return n;
}

bool OnlyWhitespace(const char* p) {
  for (; *p != '\0'; ++p) {
    if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r') return false;
  }
  return true;
}

class SqliteRow final : public Row {
 public:
  explicit SqliteRow(sqlite3_stmt* stmt) : stmt_(stmt) {}
  bool IsNull(int col) const override { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t GetInt(int col) const override { return sqlite3_column_int64(stmt_, col); }
  std::string_view GetText(int col) const override {
    // sqlite3_column_text before sqlite3_column_bytes, as the SQLite docs prescribe.
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    if (text == nullptr) return {};
    return {text, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
  }
  std::string GetBlob(int col) const override {
    const auto* blob = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    if (blob == nullptr) return {};
    return {blob, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
  }

 private:
  sqlite3_stmt* stmt_;
};

// Resets a statement and clears its bindings on every exit path, so that a cached statement
// never holds a read snapshot or a pointer into the caller's params after Run returns.
class StatementReset {
 public:
  explicit StatementReset(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~StatementReset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  StatementReset(const StatementReset&) = delete;
  StatementReset& operator=(const StatementReset&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

}  // namespace

void SqliteConnection::DbDeleter::operator()(sqlite3* db) const { sqlite3_close_v2(db); }
void SqliteConnection::StmtDeleter::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

SqliteConnection::SqliteConnection(DbPtr db) : db_(std::move(db)) {}

SqliteConnection::~SqliteConnection() {
  // Finalize every statement before the handle closes (members would do it in the same order;
  // this makes the requirement explicit).
  statements_.clear();
}

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path,
                                                                 bool is_file,
                                                                 const SqliteOptions& options) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, kOpenFlags, nullptr);
  DbPtr db(raw);  // sqlite3_open_v2 may return a handle even on failure; it must be closed
  if (rc != SQLITE_OK) {
    std::string detail = path + ": " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
    if ((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_IOERR || rc == SQLITE_PERM) {
      return Error::Unavailable("cannot open the database", std::move(detail));
    }
    return Error::Internal("cannot open the database", std::move(detail));
  }
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), options.busy_timeout_ms);

  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(std::move(db)));
  ORGD_TRY(conn->ExecScript("PRAGMA foreign_keys = ON"));
  if (is_file) {
    // journal_mode answers with the mode now in force; a file system without shared memory
    // support, for instance, silently stays in another mode.
    // Two processes switching a new file to WAL at once can deadlock on the lock upgrade, and
    // SQLite then answers one of them SQLITE_BUSY at once, without its busy handler: retry that
    // one for up to the busy timeout (the other finishes the switch within milliseconds).
    std::string mode;
    const auto give_up = std::chrono::steady_clock::now() +
                         std::chrono::milliseconds(std::max(options.busy_timeout_ms, 1000));
    for (;;) {
      auto switched = conn->Query("PRAGMA journal_mode = WAL", {},
                                  [&](const Row& row) { mode = row.GetString(0); });
      if (switched) break;
      if (switched.error().code != ErrorCode::kAborted ||
          std::chrono::steady_clock::now() >= give_up) {
        return std::move(switched).error();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (mode != "wal") {
      return Error::Internal("cannot enable WAL journaling", path + ": journal_mode=" + mode);
    }
    // See SqliteOptions::synchronous_full for what NORMAL gives up.
    ORGD_TRY(conn->ExecScript(options.synchronous_full ? "PRAGMA synchronous = FULL"
                                                       : "PRAGMA synchronous = NORMAL"));
  }
  return conn;
}

Error SqliteConnection::MapError(int rc, std::string_view sql) const {
  std::string message = sqlite3_errmsg(db_.get());
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      // `detail` is the library's message alone ("UNIQUE constraint failed: t.col"): it names
      // the constraint but no row values, and the store reads it to tell constraints apart.
      return Error{.code = ErrorCode::kAlreadyExists,
                   .message = "unique constraint violated",
                   .detail = std::move(message),
                   .reason = "unique"};
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return Error::FailedPrecondition("foreign_key", "foreign key constraint violated")
          .WithDetail(std::move(message));
    default:
      break;
  }
  std::string detail = message + " [" + sqlite3_errstr(rc) + ", code " + std::to_string(rc) +
                       "] in: " + std::string(sql.substr(0, 500));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error::Aborted("the database is busy", std::move(detail));
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
      return Error::Unavailable("the database is unavailable", std::move(detail));
    default:
      return Error::Internal("database error", std::move(detail));
  }
}

Result<SqliteConnection::CachedStatement*> SqliteConnection::Prepare(std::string_view sql) {
  if (auto it = statements_.find(sql); it != statements_.end()) return &it->second;

  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &raw, &tail);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return MapError(rc, sql);
  if (stmt == nullptr) return Error::Internal("empty SQL statement", std::string(sql));
  if (tail != nullptr && tail < sql.data() + sql.size() &&
      !OnlyWhitespace(std::string(tail, sql.data() + sql.size()).c_str())) {
    return Error::Internal("more than one SQL statement", std::string(sql));
  }

  CachedStatement cached{.stmt = std::move(stmt), .param_slots = {}};
  int count = sqlite3_bind_parameter_count(cached.stmt.get());
  cached.param_slots.assign(static_cast<size_t>(count) + 1, -1);
  for (int i = 1; i <= count; ++i) {
    // A repeated `$N` is one SQLite parameter; SQLite numbers them by first appearance, which
    // is why the slot comes from the name and never from the position.
    int n = ParamNumber(sqlite3_bind_parameter_name(cached.stmt.get(), i));
    if (n < 1) {
      return Error::Internal("SQL parameters must be written $1, $2, ...", std::string(sql));
    }
    cached.param_slots[static_cast<size_t>(i)] = n - 1;
  }
  auto [it, inserted] = statements_.emplace(std::string(sql), std::move(cached));
  assert(inserted);
  return &it->second;
}

Result<void> SqliteConnection::Run(std::string_view sql, std::span<const Param> params,
                                   const RowCallback* on_row) {
  auto prepared = Prepare(sql);
  if (!prepared) return std::move(prepared).error();
  CachedStatement& cached = **prepared;
  sqlite3_stmt* stmt = cached.stmt.get();
  StatementReset reset(stmt);

  for (size_t i = 1; i < cached.param_slots.size(); ++i) {
    const auto slot = static_cast<size_t>(cached.param_slots[i]);
    if (slot >= params.size()) {
      return Error::Internal("SQL names $" + std::to_string(slot + 1) + " but only " +
                                 std::to_string(params.size()) + " parameters were given",
                             std::string(sql));
    }
    const int index = static_cast<int>(i);
    const Param& param = params[slot];
    int rc = SQLITE_OK;
    // SQLITE_STATIC: the caller's params outlive this call, and StatementReset clears the
    // bindings before it returns.
    if (std::holds_alternative<std::nullptr_t>(param)) {
      rc = sqlite3_bind_null(stmt, index);
    } else if (const auto* v = std::get_if<int64_t>(&param)) {
      rc = sqlite3_bind_int64(stmt, index, *v);
    } else if (const auto* s = std::get_if<std::string_view>(&param)) {
      rc = sqlite3_bind_text64(stmt, index, s->empty() ? kEmpty : s->data(), s->size(),
                               SQLITE_STATIC, SQLITE_UTF8);
    } else if (const auto* b = std::get_if<Blob>(&param)) {
      rc = sqlite3_bind_blob64(stmt, index, b->bytes.empty() ? kEmpty : b->bytes.data(),
                               b->bytes.size(), SQLITE_STATIC);
    }
    if (rc != SQLITE_OK) return MapError(rc, sql);
  }

  for (;;) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) return {};
    if (rc != SQLITE_ROW) return MapError(rc, sql);
    if (on_row != nullptr) (*on_row)(SqliteRow(stmt));
  }
}

Result<void> SqliteConnection::Query(std::string_view sql, std::span<const Param> params,
                                     const RowCallback& on_row) {
  return Run(sql, params, &on_row);
}

Result<int64_t> SqliteConnection::Exec(std::string_view sql, std::span<const Param> params) {
  ORGD_TRY(Run(sql, params, nullptr));
  return static_cast<int64_t>(sqlite3_changes64(db_.get()));
}

Result<void> SqliteConnection::ExecScript(std::string_view sql) {
  const std::string script(sql);  // sqlite3_exec needs a terminated string
  int rc = sqlite3_exec(db_.get(), script.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return MapError(sqlite3_extended_errcode(db_.get()), sql);
  return {};
}

Result<void> SqliteConnection::Begin(TxMode mode) {
  return Run(mode == TxMode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN", {}, nullptr);
}

Result<void> SqliteConnection::Commit() { return Run("COMMIT", {}, nullptr); }

void SqliteConnection::Rollback() {
  // SQLite ends the transaction itself after some errors (e.g. SQLITE_FULL, an interrupted
  // COMMIT); a ROLLBACK then would fail with "no transaction is active".
  if (!in_transaction()) return;
  if (!Run("ROLLBACK", {}, nullptr) || in_transaction()) broken_ = true;
}

bool SqliteConnection::in_transaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }

Result<int64_t> SqliteConnection::DataVersion() {
  int64_t version = 0;
  ORGD_TRY(Query("PRAGMA data_version", {}, [&](const Row& row) { version = row.GetInt(0); }));
  return version;
}

SqliteDatabase::SqliteDatabase(std::string path, bool is_file, SqliteOptions options)
    : path_(std::move(path)), is_file_(is_file), options_(options) {}

SqliteDatabase::~SqliteDatabase() {
  std::lock_guard lock(mu_);
  assert(idle_.size() == open_ && "a lease outlived its SqliteDatabase");
}

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(std::string path,
                                                             SqliteOptions options) {
  const bool is_file = IsFilePath(path);
  if (!is_file || options.max_connections < 1) options.max_connections = 1;
  if (options.busy_timeout_ms < 0) options.busy_timeout_ms = 0;
  if (options.acquire_timeout_ms < 0) options.acquire_timeout_ms = 0;
  std::unique_ptr<SqliteDatabase> db(new SqliteDatabase(std::move(path), is_file, options));
  auto conn = SqliteConnection::Open(db->path_, db->is_file_, db->options_);
  if (!conn) return std::move(conn).error();
  db->idle_.push_back(std::move(*conn));
  db->open_ = 1;
  return db;
}

Result<Database::Lease> SqliteDatabase::Acquire() {
  std::unique_lock lock(mu_);
  const auto max_open = static_cast<size_t>(options_.max_connections);
  if (!returned_.wait_for(lock, std::chrono::milliseconds(options_.acquire_timeout_ms),
                          [&] { return !idle_.empty() || open_ < max_open; })) {
    return Error::Unavailable("no database connection available",
                              "all " + std::to_string(max_open) + " connections stayed on loan");
  }
  if (!idle_.empty()) {
    // Last in, first out: the most recently used connection has the warmest caches.
    std::unique_ptr<Connection> conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(conn));
  }
  ++open_;
  lock.unlock();
  auto conn = SqliteConnection::Open(path_, is_file_, options_);
  if (!conn) {
    lock.lock();
    --open_;
    returned_.notify_one();
    return std::move(conn).error();
  }
  return Lease(this, std::unique_ptr<Connection>(std::move(*conn)));
}

void SqliteDatabase::Release(std::unique_ptr<Connection> conn) {
  std::unique_ptr<SqliteConnection> sqlite_conn(static_cast<SqliteConnection*>(conn.release()));
  // A lease dropped inside a transaction (an early return, an exception) must not hand its
  // locks and uncommitted writes to the next borrower.
  sqlite_conn->Rollback();
  std::lock_guard lock(mu_);
  if (sqlite_conn->broken()) {
    sqlite_conn.reset();
    --open_;
  } else {
    idle_.push_back(std::move(sqlite_conn));
  }
  returned_.notify_one();
}

bool SqliteDatabase::Ping() {
  auto lease = Acquire();
  if (!lease) return false;
  return static_cast<bool>((*lease)->Query("SELECT 1", {}, [](const Row&) {}));
}

Result<std::unique_ptr<SqliteConnection>> SqliteDatabase::OpenDedicated() const {
  if (!is_file_) {
    return Error::FailedPrecondition("in_memory", "an in-memory database has one connection");
  }
  return SqliteConnection::Open(path_, is_file_, options_);
}

Result<std::unique_ptr<SqliteCommitCounter>> SqliteDatabase::OpenCommitCounter() const {
  auto conn = OpenDedicated();
  if (!conn) return std::move(conn).error();
  // A read makes SQLite open, initialise and map the -shm file before we map it ourselves.
  ORGD_TRY((*conn)->DataVersion());
  const char* db_file = sqlite3_db_filename((*conn)->db_.get(), "main");
  const uint32_t* header = nullptr;
  size_t mapped_bytes = 0;
  if (db_file != nullptr && db_file[0] != '\0') {
    const std::string shm = std::string(db_file) + "-shm";
    int fd = ::open(shm.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    // Both header copies and the checkpoint information after them: 136 bytes.
    constexpr size_t kNeeded = 136;
    if (fd >= 0 && ::fstat(fd, &st) == 0 && static_cast<size_t>(st.st_size) >= kNeeded) {
      void* map = ::mmap(nullptr, kNeeded, PROT_READ, MAP_SHARED, fd, 0);
      if (map != MAP_FAILED) {
        header = static_cast<const uint32_t*>(map);
        mapped_bytes = kNeeded;
      }
    }
    if (fd >= 0) ::close(fd);  // the mapping outlives the descriptor
  }
  return std::unique_ptr<SqliteCommitCounter>(
      new SqliteCommitCounter(std::move(*conn), header, mapped_bytes));
}

SqliteCommitCounter::SqliteCommitCounter(std::unique_ptr<SqliteConnection> conn,
                                         const uint32_t* header, size_t mapped_bytes)
    : conn_(std::move(conn)), header_(header), mapped_bytes_(mapped_bytes) {}

SqliteCommitCounter::~SqliteCommitCounter() {
  if (header_ != nullptr) ::munmap(const_cast<uint32_t*>(header_), mapped_bytes_);
}

Result<int64_t> SqliteCommitCounter::Read() {
  if (header_ == nullptr) return conn_->DataVersion();
  // A writer stores the second copy, then (after a barrier) the first; reading the first, then
  // the second, finds them equal only when no store is half done.
  uint32_t first[kHeaderWords];
  uint32_t second[kHeaderWords];
  for (size_t i = 0; i < kHeaderWords; ++i) {
    first[i] = __atomic_load_n(&header_[i], __ATOMIC_RELAXED);
  }
  std::atomic_thread_fence(std::memory_order_acquire);
  for (size_t i = 0; i < kHeaderWords; ++i) {
    second[i] = __atomic_load_n(&header_[kHeaderWords + i], __ATOMIC_RELAXED);
  }
  // isInit, the byte at offset 12, is zero while the header is being rebuilt.
  const bool initialised = reinterpret_cast<const unsigned char*>(first)[12] != 0;
  const bool settled = initialised && std::memcmp(first, second, sizeof(first)) == 0;
  if (!settled) {
    have_last_ = false;
    return ++counter_;
  }
  if (!have_last_ || std::memcmp(first, last_, sizeof(first)) != 0) {
    std::memcpy(last_, first, sizeof(first));
    have_last_ = true;
    ++counter_;
  }
  return counter_;
}

size_t SqliteDatabase::open_connections() const {
  std::lock_guard lock(mu_);
  return open_;
}

}  // namespace orgd::store::sqlite
