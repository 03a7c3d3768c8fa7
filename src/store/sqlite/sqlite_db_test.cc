#include "store/sqlite/sqlite_db.h"

#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace orgd::store::sqlite {
namespace {

using Lease = Database::Lease;

// A temporary directory removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "orgd-sqlite-XXXXXX").string();
    if (mkdtemp(templ.data()) != nullptr) path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::unique_ptr<SqliteDatabase> OpenOrDie(const std::string& path, SqliteOptions options = {}) {
  auto db = SqliteDatabase::Open(path, options);
  EXPECT_TRUE(db) << (db ? "" : db.error().detail);
  return db ? std::move(*db) : nullptr;
}

Lease AcquireOrDie(Database& db) {
  auto lease = db.Acquire();
  EXPECT_TRUE(lease) << (lease ? "" : lease.error().detail);
  return std::move(*lease);
}

void ExecOrDie(Connection& conn, std::string_view sql) {
  auto r = conn.ExecScript(sql);
  ASSERT_TRUE(r) << r.error().detail;
}

std::optional<int64_t> QueryInt(Connection& conn, std::string_view sql) {
  std::optional<int64_t> value;
  auto r = conn.Query(sql, {}, [&](const Row& row) { value = row.GetInt(0); });
  EXPECT_TRUE(r) << (r ? "" : r.error().detail);
  return value;
}

std::string QueryText(Connection& conn, std::string_view sql) {
  std::string value;
  auto r = conn.Query(sql, {}, [&](const Row& row) { value = row.GetString(0); });
  EXPECT_TRUE(r) << (r ? "" : r.error().detail);
  return value;
}

SqliteConnection& AsSqlite(Lease& lease) { return dynamic_cast<SqliteConnection&>(*lease); }

class SqliteMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenOrDie(":memory:");
    ASSERT_NE(db_, nullptr);
    lease_.emplace(AcquireOrDie(*db_));
    ExecOrDie(conn(), "CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT, n INTEGER, b BLOB)");
  }
  void TearDown() override { lease_.reset(); }
  Connection& conn() { return **lease_; }

  std::unique_ptr<SqliteDatabase> db_;
  std::optional<Lease> lease_;
};

TEST_F(SqliteMemoryTest, EngineIsSqlite) {
  EXPECT_EQ(db_->engine(), Engine::kSqlite);
  EXPECT_EQ(conn().engine(), Engine::kSqlite);
}

TEST_F(SqliteMemoryTest, ParametersBindByNumberNotByPosition) {
  std::vector<std::string> got;
  auto r = conn().Query("SELECT $2, $1, $2 || $1", {Text("one"), Text("two")}, [&](const Row& row) {
    got = {row.GetString(0), row.GetString(1), row.GetString(2)};
  });
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(got, (std::vector<std::string>{"two", "one", "twoone"}));
}

TEST_F(SqliteMemoryTest, InsertWithParametersOutOfOrderStoresEachInItsColumn) {
  auto r = conn().Exec("INSERT INTO t (n, k, v) VALUES ($3, $1, $2)",
                       {Text("key"), Text("value"), Int(7)});
  ASSERT_TRUE(r) << r.error().detail;
  std::vector<std::string> got;
  ASSERT_TRUE(conn().Query("SELECT k, v, n FROM t", {}, [&](const Row& row) {
    got = {row.GetString(0), row.GetString(1), std::to_string(row.GetInt(2))};
  }));
  EXPECT_EQ(got, (std::vector<std::string>{"key", "value", "7"}));
}

TEST_F(SqliteMemoryTest, ParameterBeyondTheGivenOnesIsInternal) {
  auto r = conn().Query("SELECT $2", {Text("only one")}, [](const Row&) {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
}

TEST_F(SqliteMemoryTest, QuestionMarkParametersAreRejected) {
  auto r = conn().Query("SELECT ?", {Text("x")}, [](const Row&) {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
}

TEST_F(SqliteMemoryTest, SeveralStatementsInOneQueryAreRejected) {
  auto r = conn().Exec("SELECT 1; SELECT 2", {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
}

TEST_F(SqliteMemoryTest, NullTextAndEmptyTextStayDistinct) {
  ASSERT_TRUE(conn().Exec("INSERT INTO t (k, v) VALUES ($1, $2)", {Text("null"), nullptr}));
  ASSERT_TRUE(conn().Exec("INSERT INTO t (k, v) VALUES ($1, $2)",
                          {Text("empty"), Param{std::string_view()}}));
  std::vector<std::pair<std::string, std::optional<std::string>>> got;
  ASSERT_TRUE(conn().Query("SELECT k, v FROM t ORDER BY k", {}, [&](const Row& row) {
    got.emplace_back(row.GetString(0), row.GetOptString(1));
  }));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].first, "empty");
  EXPECT_EQ(got[0].second, std::optional<std::string>(""));
  EXPECT_EQ(got[1].first, "null");
  EXPECT_EQ(got[1].second, std::nullopt);
}

TEST_F(SqliteMemoryTest, BlobRoundTripsBytesIncludingZeros) {
  const std::string bytes("\x00\x01\xff\x00z", 5);
  ASSERT_TRUE(conn().Exec("INSERT INTO t (k, b) VALUES ($1, $2)", {Text("k"), Blob{bytes}}));
  std::string got;
  bool is_null = true;
  ASSERT_TRUE(conn().Query("SELECT b FROM t WHERE k = $1", {Text("k")}, [&](const Row& row) {
    is_null = row.IsNull(0);
    got = row.GetBlob(0);
  }));
  EXPECT_FALSE(is_null);
  EXPECT_EQ(got, bytes);
}

TEST_F(SqliteMemoryTest, EmptyBlobIsNotNull) {
  ASSERT_TRUE(conn().Exec("INSERT INTO t (k, b) VALUES ($1, $2)", {Text("k"), Blob{""}}));
  std::optional<bool> is_null;
  ASSERT_TRUE(
      conn().Query("SELECT b FROM t", {}, [&](const Row& row) { is_null = row.IsNull(0); }));
  EXPECT_EQ(is_null, false);
}

TEST_F(SqliteMemoryTest, Int64ExtremesRoundTrip) {
  std::vector<int64_t> got;
  ASSERT_TRUE(conn().Query(
      "SELECT $1, $2",
      {Int(std::numeric_limits<int64_t>::min()), Int(std::numeric_limits<int64_t>::max())},
      [&](const Row& row) {
        got = {row.GetInt(0), row.GetInt(1)};
      }));
  EXPECT_EQ(got, (std::vector<int64_t>{std::numeric_limits<int64_t>::min(),
                                       std::numeric_limits<int64_t>::max()}));
}

TEST_F(SqliteMemoryTest, BooleansAreIntegers) {
  std::vector<bool> got;
  ASSERT_TRUE(conn().Query("SELECT $1, $2", {Bool(true), Bool(false)}, [&](const Row& row) {
    got = {row.GetBool(0), row.GetBool(1)};
  }));
  EXPECT_EQ(got, (std::vector<bool>{true, false}));
  EXPECT_EQ(QueryInt(conn(), "SELECT typeof(1) = 'integer'"), 1);
}

TEST_F(SqliteMemoryTest, NullColumnReadsAsEmptyTextAndZero) {
  std::string text = "unset";
  int64_t number = -1;
  ASSERT_TRUE(conn().Query("SELECT NULL, NULL", {}, [&](const Row& row) {
    text = row.GetString(0);
    number = row.GetInt(1);
  }));
  EXPECT_EQ(text, "");
  EXPECT_EQ(number, 0);
}

TEST_F(SqliteMemoryTest, ExecReturnsChangedRowCount) {
  ASSERT_TRUE(conn().Exec("INSERT INTO t (k, n) VALUES ('a', 1), ('b', 1), ('c', 2)", {}));
  auto changed = conn().Exec("UPDATE t SET v = 'x' WHERE n = $1", {Int(1)});
  ASSERT_TRUE(changed);
  EXPECT_EQ(*changed, 2);
  auto none = conn().Exec("DELETE FROM t WHERE k = $1", {Text("zzz")});
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, 0);
}

TEST_F(SqliteMemoryTest, UniqueViolationIsAlreadyExistsWithLibraryMessage) {
  ExecOrDie(conn(), "CREATE TABLE u (id TEXT PRIMARY KEY, name TEXT UNIQUE)");
  ASSERT_TRUE(conn().Exec("INSERT INTO u VALUES ($1, $2)", {Text("1"), Text("x")}));
  auto r = conn().Exec("INSERT INTO u VALUES ($1, $2)", {Text("2"), Text("x")});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(r.error().reason, "unique");
  EXPECT_EQ(r.error().detail, "UNIQUE constraint failed: u.name");
}

TEST_F(SqliteMemoryTest, PrimaryKeyViolationIsAlreadyExists) {
  ASSERT_TRUE(conn().Exec("INSERT INTO t (k) VALUES ($1)", {Text("a")}));
  auto r = conn().Exec("INSERT INTO t (k) VALUES ($1)", {Text("a")});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(r.error().reason, "unique");
  EXPECT_EQ(r.error().detail, "UNIQUE constraint failed: t.k");
}

TEST_F(SqliteMemoryTest, ForeignKeyViolationIsFailedPrecondition) {
  ExecOrDie(conn(), "CREATE TABLE child (k TEXT NOT NULL REFERENCES t (k) ON DELETE CASCADE)");
  auto r = conn().Exec("INSERT INTO child (k) VALUES ($1)", {Text("missing")});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(r.error().reason, "foreign_key");
  EXPECT_EQ(r.error().detail, "FOREIGN KEY constraint failed");
}

TEST_F(SqliteMemoryTest, ForeignKeyCascadeDeletesChildren) {
  ExecOrDie(conn(), "CREATE TABLE child (k TEXT NOT NULL REFERENCES t (k) ON DELETE CASCADE)");
  ASSERT_TRUE(conn().Exec("INSERT INTO t (k) VALUES ('a')", {}));
  ASSERT_TRUE(conn().Exec("INSERT INTO child (k) VALUES ('a')", {}));
  ASSERT_TRUE(conn().Exec("DELETE FROM t WHERE k = 'a'", {}));
  EXPECT_EQ(QueryInt(conn(), "SELECT COUNT(*) FROM child"), 0);
}

TEST_F(SqliteMemoryTest, NotNullViolationIsInternalWithLibraryText) {
  ExecOrDie(conn(), "CREATE TABLE nn (k TEXT NOT NULL)");
  auto r = conn().Exec("INSERT INTO nn (k) VALUES ($1)", {nullptr});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_NE(r.error().detail.find("NOT NULL constraint failed: nn.k"), std::string::npos);
}

TEST_F(SqliteMemoryTest, SyntaxErrorIsInternalWithSqlInDetail) {
  auto r = conn().Exec("SELEC 1", {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_NE(r.error().detail.find("syntax error"), std::string::npos);
  EXPECT_NE(r.error().detail.find("SELEC 1"), std::string::npos);
}

TEST_F(SqliteMemoryTest, RollbackDiscardsWrites) {
  ASSERT_TRUE(conn().Begin(TxMode::kWrite));
  ASSERT_TRUE(conn().Exec("INSERT INTO t (k) VALUES ('a')", {}));
  conn().Rollback();
  EXPECT_EQ(QueryInt(conn(), "SELECT COUNT(*) FROM t"), 0);
  EXPECT_FALSE(AsSqlite(*lease_).in_transaction());
}

TEST_F(SqliteMemoryTest, CommitKeepsWrites) {
  ASSERT_TRUE(conn().Begin(TxMode::kRead));
  ASSERT_TRUE(conn().Exec("INSERT INTO t (k) VALUES ('a')", {}));
  ASSERT_TRUE(conn().Commit());
  EXPECT_EQ(QueryInt(conn(), "SELECT COUNT(*) FROM t"), 1);
  EXPECT_FALSE(AsSqlite(*lease_).in_transaction());
}

TEST_F(SqliteMemoryTest, RollbackWithoutTransactionIsHarmless) {
  conn().Rollback();
  EXPECT_FALSE(AsSqlite(*lease_).broken());
  EXPECT_TRUE(conn().Exec("INSERT INTO t (k) VALUES ('a')", {}));
}

TEST_F(SqliteMemoryTest, StatementsAreCachedByText) {
  SqliteConnection& sqlite = AsSqlite(*lease_);
  const size_t before = sqlite.cached_statement_count();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(conn().Exec("INSERT INTO t (k, n) VALUES ($1, $2)",
                            {Text("k" + std::to_string(i)), Int(i)}));
  }
  EXPECT_EQ(sqlite.cached_statement_count(), before + 1);
  ASSERT_TRUE(conn().Query("SELECT COUNT(*) FROM t", {}, [](const Row&) {}));
  EXPECT_EQ(sqlite.cached_statement_count(), before + 2);
  EXPECT_EQ(QueryInt(conn(), "SELECT SUM(n) FROM t"), 3);
}

TEST_F(SqliteMemoryTest, CachedStatementRunsAgainAfterFailing) {
  constexpr std::string_view kInsert = "INSERT INTO t (k) VALUES ($1)";
  ASSERT_TRUE(conn().Exec(kInsert, {Text("a")}));
  ASSERT_FALSE(conn().Exec(kInsert, {Text("a")}));
  EXPECT_TRUE(conn().Exec(kInsert, {Text("b")}));
  EXPECT_EQ(QueryInt(conn(), "SELECT COUNT(*) FROM t"), 2);
}

TEST_F(SqliteMemoryTest, BindingsAreClearedAfterEachRun) {
  constexpr std::string_view kInsert = "INSERT INTO t (k, v) VALUES ($1, $2)";
  ASSERT_TRUE(conn().Exec(kInsert, {Text("a"), Text("first")}));
  // A stale binding of $2 would be reused if bindings survived; a missing one must fail instead.
  auto r = conn().Exec(kInsert, {Text("b")});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_EQ(QueryInt(conn(), "SELECT COUNT(*) FROM t"), 1);
}

TEST_F(SqliteMemoryTest, QueryVisitsEveryRow) {
  ASSERT_TRUE(conn().Exec("INSERT INTO t (k) VALUES ('a'), ('b'), ('c')", {}));
  std::vector<std::string> keys;
  ASSERT_TRUE(conn().Query("SELECT k FROM t ORDER BY k", {},
                           [&](const Row& row) { keys.push_back(row.GetString(0)); }));
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(SqliteMemoryTest, ExecScriptRunsSeveralStatements) {
  ExecOrDie(conn(), "INSERT INTO t (k) VALUES ('a'); INSERT INTO t (k) VALUES ('b');");
  EXPECT_EQ(QueryInt(conn(), "SELECT COUNT(*) FROM t"), 2);
}

TEST_F(SqliteMemoryTest, ExecScriptErrorsAreMapped) {
  auto r = conn().ExecScript("INSERT INTO t (k) VALUES ('a'); INSERT INTO t (k) VALUES ('a');");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(r.error().reason, "unique");
}

TEST_F(SqliteMemoryTest, ForeignKeysAreOn) {
  EXPECT_EQ(QueryInt(conn(), "PRAGMA foreign_keys"), 1);
}

TEST_F(SqliteMemoryTest, BusyTimeoutIsTheDefault) {
  EXPECT_EQ(QueryInt(conn(), "PRAGMA busy_timeout"), 5000);
}

TEST_F(SqliteMemoryTest, PingSucceedsWhileNoLeaseIsOut) {
  lease_.reset();
  EXPECT_TRUE(db_->Ping());
}

TEST(SqliteDatabaseTest, MemoryDatabaseHasOneConnection) {
  auto db = OpenOrDie(":memory:", SqliteOptions{.max_connections = 8, .acquire_timeout_ms = 20});
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->options().max_connections, 1);
  Lease first = AcquireOrDie(*db);
  auto second = db->Acquire();
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(db->open_connections(), 1u);
}

TEST(SqliteDatabaseTest, MemoryDatabaseIsSharedThroughItsOneConnection) {
  auto db = OpenOrDie(":memory:");
  ASSERT_NE(db, nullptr);
  {
    Lease lease = AcquireOrDie(*db);
    ExecOrDie(*lease, "CREATE TABLE t (k TEXT); INSERT INTO t VALUES ('a');");
  }
  Lease lease = AcquireOrDie(*db);
  EXPECT_EQ(QueryInt(*lease, "SELECT COUNT(*) FROM t"), 1);
}

TEST(SqliteDatabaseTest, UnopenablePathIsUnavailable) {
  auto db = SqliteDatabase::Open("/nonexistent-orgd-dir/sub/orgd.db");
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kUnavailable);
}

TEST(SqliteDatabaseTest, FileDatabaseUsesWalAndNormalSync) {
  TempDir dir;
  auto db = OpenOrDie(dir.File("a.db"));
  ASSERT_NE(db, nullptr);
  Lease lease = AcquireOrDie(*db);
  EXPECT_EQ(QueryText(*lease, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(QueryInt(*lease, "PRAGMA synchronous"), 1);  // NORMAL
  EXPECT_EQ(QueryInt(*lease, "PRAGMA foreign_keys"), 1);
}

TEST(SqliteDatabaseTest, SynchronousFullOption) {
  TempDir dir;
  auto db = OpenOrDie(dir.File("a.db"), SqliteOptions{.synchronous_full = true});
  ASSERT_NE(db, nullptr);
  Lease lease = AcquireOrDie(*db);
  EXPECT_EQ(QueryInt(*lease, "PRAGMA synchronous"), 2);  // FULL
}

TEST(SqliteDatabaseTest, EveryPooledConnectionIsConfigured) {
  TempDir dir;
  auto db = OpenOrDie(dir.File("a.db"), SqliteOptions{.busy_timeout_ms = 1234});
  ASSERT_NE(db, nullptr);
  Lease first = AcquireOrDie(*db);
  Lease second = AcquireOrDie(*db);
  EXPECT_EQ(db->open_connections(), 2u);
  for (Connection* conn : {&*first, &*second}) {
    EXPECT_EQ(QueryInt(*conn, "PRAGMA busy_timeout"), 1234);
    EXPECT_EQ(QueryInt(*conn, "PRAGMA foreign_keys"), 1);
    EXPECT_EQ(QueryText(*conn, "PRAGMA journal_mode"), "wal");
  }
}

TEST(SqliteDatabaseTest, ReleasedConnectionIsReused) {
  TempDir dir;
  auto db = OpenOrDie(dir.File("a.db"));
  ASSERT_NE(db, nullptr);
  Connection* first_conn = nullptr;
  {
    Lease lease = AcquireOrDie(*db);
    first_conn = &*lease;
  }
  Lease again = AcquireOrDie(*db);
  EXPECT_EQ(&*again, first_conn);
  EXPECT_EQ(db->open_connections(), 1u);
}

TEST(SqliteDatabaseTest, WritesOfOneConnectionAreSeenByAnother) {
  TempDir dir;
  auto db = OpenOrDie(dir.File("a.db"));
  ASSERT_NE(db, nullptr);
  Lease a = AcquireOrDie(*db);
  Lease b = AcquireOrDie(*db);
  ExecOrDie(*a, "CREATE TABLE t (k TEXT); INSERT INTO t VALUES ('x');");
  EXPECT_EQ(QueryInt(*b, "SELECT COUNT(*) FROM t"), 1);
}

TEST(SqliteDatabaseTest, LeaseReturnedInsideTransactionIsRolledBack) {
  auto db = OpenOrDie(":memory:");
  ASSERT_NE(db, nullptr);
  {
    Lease lease = AcquireOrDie(*db);
    ExecOrDie(*lease, "CREATE TABLE t (k TEXT)");
    ASSERT_TRUE(lease->Begin(TxMode::kWrite));
    ASSERT_TRUE(lease->Exec("INSERT INTO t VALUES ('x')", {}));
  }
  Lease lease = AcquireOrDie(*db);
  EXPECT_FALSE(AsSqlite(lease).in_transaction());
  EXPECT_EQ(QueryInt(*lease, "SELECT COUNT(*) FROM t"), 0);
}

TEST(SqliteDatabaseTest, AcquireWaitsForAReturnedConnection) {
  TempDir dir;
  auto db = OpenOrDie(dir.File("a.db"), SqliteOptions{.max_connections = 1});
  ASSERT_NE(db, nullptr);
  std::optional<Lease> held(AcquireOrDie(*db));
  std::atomic<bool> released{false};
  std::atomic<bool> acquired_after_release{false};
  std::thread waiter([&] {
    auto lease = db->Acquire();
    acquired_after_release = lease && released.load();
  });
  released = true;
  held.reset();
  waiter.join();
  EXPECT_TRUE(acquired_after_release);
  EXPECT_EQ(db->open_connections(), 1u);
}

TEST(SqliteDatabaseTest, SecondWriterWaitsForFirstCommit) {
  TempDir dir;
  auto db = OpenOrDie(dir.File("a.db"));
  ASSERT_NE(db, nullptr);
  Lease first = AcquireOrDie(*db);
  ExecOrDie(*first, "CREATE TABLE t (k TEXT)");
  ASSERT_TRUE(first->Begin(TxMode::kWrite));
  ASSERT_TRUE(first->Exec("INSERT INTO t VALUES ('first')", {}));

  std::atomic<bool> second_started{false};
  std::atomic<bool> commit_started{false};
  std::atomic<bool> began_after_commit{false};
  Result<void> second_result;
  std::optional<int64_t> seen_by_second;
  std::thread second([&] {
    Lease lease = AcquireOrDie(*db);
    second_started = true;
    // Waits in SQLite's busy handler until the first writer commits.
    second_result = lease->Begin(TxMode::kWrite);
    began_after_commit = commit_started.load();
    if (!second_result) return;
    seen_by_second = QueryInt(*lease, "SELECT COUNT(*) FROM t");
    ASSERT_TRUE(lease->Exec("INSERT INTO t VALUES ('second')", {}));
    ASSERT_TRUE(lease->Commit());
  });
  while (!second_started) std::this_thread::yield();
  commit_started = true;
  ASSERT_TRUE(first->Commit());
  second.join();

  ASSERT_TRUE(second_result) << second_result.error().detail;
  EXPECT_TRUE(began_after_commit);
  EXPECT_EQ(seen_by_second, 1);
  EXPECT_EQ(QueryInt(*first, "SELECT COUNT(*) FROM t"), 2);
}

TEST(SqliteDatabaseTest, WriterBusyBeyondTimeoutIsAborted) {
  TempDir dir;
  auto db = OpenOrDie(dir.File("a.db"), SqliteOptions{.busy_timeout_ms = 10});
  ASSERT_NE(db, nullptr);
  Lease first = AcquireOrDie(*db);
  Lease second = AcquireOrDie(*db);
  ASSERT_TRUE(first->Begin(TxMode::kWrite));
  auto r = second->Begin(TxMode::kWrite);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kAborted);
  first->Rollback();
  EXPECT_TRUE(second->Begin(TxMode::kWrite));
  second->Rollback();
}

TEST(SqliteDatabaseTest, ReadTransactionDoesNotBlockAWriter) {
  TempDir dir;
  auto db = OpenOrDie(dir.File("a.db"), SqliteOptions{.busy_timeout_ms = 10});
  ASSERT_NE(db, nullptr);
  Lease reader = AcquireOrDie(*db);
  Lease writer = AcquireOrDie(*db);
  ExecOrDie(*writer, "CREATE TABLE t (k TEXT)");
  ASSERT_TRUE(reader->Begin(TxMode::kRead));
  EXPECT_EQ(QueryInt(*reader, "SELECT COUNT(*) FROM t"), 0);
  ASSERT_TRUE(writer->Begin(TxMode::kWrite));
  ASSERT_TRUE(writer->Exec("INSERT INTO t VALUES ('x')", {}));
  ASSERT_TRUE(writer->Commit());
  // The reader keeps its snapshot until it ends.
  EXPECT_EQ(QueryInt(*reader, "SELECT COUNT(*) FROM t"), 0);
  ASSERT_TRUE(reader->Commit());
  EXPECT_EQ(QueryInt(*reader, "SELECT COUNT(*) FROM t"), 1);
}

TEST(SqliteDatabaseTest, DataVersionChangesWhenAnotherConnectionCommits) {
  TempDir dir;
  auto db = OpenOrDie(dir.File("a.db"));
  ASSERT_NE(db, nullptr);
  Lease watcher = AcquireOrDie(*db);
  Lease writer = AcquireOrDie(*db);
  ExecOrDie(*writer, "CREATE TABLE t (k TEXT)");
  auto before = AsSqlite(watcher).DataVersion();
  ASSERT_TRUE(before);
  ExecOrDie(*writer, "INSERT INTO t VALUES ('x')");
  auto after = AsSqlite(watcher).DataVersion();
  ASSERT_TRUE(after);
  EXPECT_NE(*after, *before);
}

TEST(SqliteDatabaseTest, CommitCounterReadsTheWalIndexHeaderAndChangesWithEveryCommit) {
  TempDir dir;
  auto db = OpenOrDie(dir.File("a.db"));
  ASSERT_NE(db, nullptr);
  Lease writer = AcquireOrDie(*db);
  ExecOrDie(*writer, "CREATE TABLE t (k INTEGER)");
  auto counter = db->OpenCommitCounter();
  ASSERT_TRUE(counter) << counter.error().message;
  EXPECT_TRUE((*counter)->mapped());

  auto previous = (*counter)->Read();
  ASSERT_TRUE(previous);
  // Reads, including reads in a transaction, are not commits.
  EXPECT_EQ(QueryInt(*writer, "SELECT COUNT(*) FROM t"), 0);
  ExecOrDie(*writer, "BEGIN");
  EXPECT_EQ(QueryInt(*writer, "SELECT COUNT(*) FROM t"), 0);
  ExecOrDie(*writer, "COMMIT");
  EXPECT_EQ(*(*counter)->Read(), *previous);
  EXPECT_EQ(*(*counter)->Read(), *previous);

  // Every commit is seen: commits that append to the WAL, and commits after a checkpoint that
  // emptied it (the next writer then restarts the WAL from its first frame, with new salts).
  for (int i = 0; i < 60; ++i) {
    if (i % 10 == 5) {
      ExecOrDie(*writer, "PRAGMA wal_checkpoint(TRUNCATE)");
      auto after_checkpoint = (*counter)->Read();
      ASSERT_TRUE(after_checkpoint);
      previous = after_checkpoint;
    }
    ExecOrDie(*writer, "INSERT INTO t VALUES (" + std::to_string(i) + ")");
    auto now = (*counter)->Read();
    ASSERT_TRUE(now);
    EXPECT_NE(*now, *previous) << "commit " << i;
    previous = now;
  }
  // A transaction that is rolled back commits nothing.
  ExecOrDie(*writer, "BEGIN IMMEDIATE");
  ExecOrDie(*writer, "INSERT INTO t VALUES (-1)");
  ExecOrDie(*writer, "ROLLBACK");
  EXPECT_EQ(*(*counter)->Read(), *previous);
}

TEST(SqliteDatabaseTest, CommitCounterSeesCommitsOfAnotherDatabaseHandleOnTheSameFile) {
  TempDir dir;
  auto db = OpenOrDie(dir.File("a.db"));
  ASSERT_NE(db, nullptr);
  {
    Lease setup = AcquireOrDie(*db);
    ExecOrDie(*setup, "CREATE TABLE t (k INTEGER)");
  }
  auto counter = db->OpenCommitCounter();
  ASSERT_TRUE(counter);
  auto before = (*counter)->Read();
  ASSERT_TRUE(before);
  auto other = OpenOrDie(dir.File("a.db"));
  ASSERT_NE(other, nullptr);
  Lease writer = AcquireOrDie(*other);
  ExecOrDie(*writer, "INSERT INTO t VALUES (1)");
  auto after = (*counter)->Read();
  ASSERT_TRUE(after);
  EXPECT_NE(*after, *before);
}

TEST(SqliteDatabaseTest, CommitCounterIsRefusedForAnInMemoryDatabase) {
  auto db = SqliteDatabase::Open(":memory:");
  ASSERT_TRUE(db);
  auto counter = (*db)->OpenCommitCounter();
  ASSERT_FALSE(counter);
  EXPECT_EQ(counter.error().code, ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace orgd::store::sqlite
