#include "store/postgres/pg_db.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace orgd::store::postgres {
namespace {

using Lease = Database::Lease;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr char kUrlEnv[] = "ORGD_TEST_POSTGRES_URL";

std::string ErrorText(const Error& e) {
  return std::string(ErrorCodeName(e.code)) + ": " + e.message + " (" + e.detail + ")";
}

template <typename T>
std::string ErrorText(const Result<T>& r) {
  return r ? std::string() : ErrorText(r.error());
}

PgConnection& AsPg(Lease& lease) { return dynamic_cast<PgConnection&>(*lease); }

std::string RandomSchema() {
  std::random_device random;
  std::uniform_int_distribution<uint64_t> dist;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name = "orgd_test_";
  uint64_t bits = dist(random);
  for (int i = 0; i < 16; ++i, bits >>= 4) name.push_back(kHex[bits & 15]);
  return name;
}

bool IsUri(const std::string& url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

// `url` with every session's search_path set to `schema`.
std::string WithSearchPath(const std::string& url, const std::string& schema) {
  if (IsUri(url)) {
    return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
           schema;
  }
  return url + " options='-csearch_path=" + schema + "'";
}

// `url` (a URI) with its host and port replaced by 127.0.0.1:`port`.
std::string WithHostPort(const std::string& url, int port) {
  const size_t authority = url.find("://") + 3;
  size_t end = url.find_first_of("/?", authority);
  if (end == std::string::npos) end = url.size();
  const size_t at = url.rfind('@', end);
  const size_t host = (at != std::string::npos && at >= authority) ? at + 1 : authority;
  return url.substr(0, host) + "127.0.0.1:" + std::to_string(port) + url.substr(end);
}

// A TCP port on 127.0.0.1 that nothing listens on (bound, then released).
int ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// A listening socket on 127.0.0.1:`port` (0: any), or -1.
int Listen(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int LocalPort(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

// Forwards TCP connections from 127.0.0.1:port() to a PostgreSQL server, so that a test can make
// the server vanish (Stop: every session cut, nothing listening, as after a crash) or hang
// (Freeze: sessions stay open but nothing answers) without touching the real server.
class TcpProxy {
 public:
  explicit TcpProxy(int target_port) : target_port_(target_port) {}
  ~TcpProxy() { Stop(); }

  // Listens on `port` (0: any free port) and forwards until Stop.
  bool Start(int port = 0) {
    listen_fd_ = Listen(port);
    if (listen_fd_ < 0 || ::pipe(wake_) != 0) return false;
    port_ = LocalPort(listen_fd_);
    frozen_ = false;
    thread_ = std::thread([this] { Run(); });
    return true;
  }
  void Stop() {
    if (!thread_.joinable()) return;
    stopping_ = true;
    Wake();
    thread_.join();
    stopping_ = false;
    ::close(wake_[0]);
    ::close(wake_[1]);
  }
  void Freeze() {
    frozen_ = true;
    Wake();
  }
  int port() const { return port_; }

 private:
  void Wake() {
    const char byte = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_[1], &byte, 1);
  }

  int ConnectTarget() const {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(target_port_));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }

  void Run() {
    std::vector<std::pair<int, int>> pairs;
    for (;;) {
      const bool frozen = frozen_;
      std::vector<pollfd> fds{{wake_[0], POLLIN, 0}};
      if (!frozen) {
        fds.push_back({listen_fd_, POLLIN, 0});
        for (auto [a, b] : pairs) {
          fds.push_back({a, POLLIN, 0});
          fds.push_back({b, POLLIN, 0});
        }
      }
      if (::poll(fds.data(), fds.size(), -1) < 0) continue;
      if (fds[0].revents != 0) {
        char buf[64];
        [[maybe_unused]] ssize_t n = ::read(wake_[0], buf, sizeof buf);
        if (stopping_) break;
        continue;
      }
      // Pairs accepted below are polled from the next round on.
      const size_t polled = frozen ? 0 : pairs.size();
      if (fds.size() > 1 && fds[1].revents != 0) {
        const int client = ::accept(listen_fd_, nullptr, nullptr);
        const int server = client >= 0 ? ConnectTarget() : -1;
        if (server >= 0) {
          pairs.emplace_back(client, server);
        } else if (client >= 0) {
          ::close(client);
        }
      }
      std::vector<std::pair<int, int>> alive;
      for (size_t i = 0; i < pairs.size(); ++i) {
        const auto [a, b] = pairs[i];
        bool open = true;
        if (i >= polled) {
          alive.push_back(pairs[i]);
          continue;
        }
        for (int side = 0; side < 2 && open; ++side) {
          if (fds[2 + 2 * i + side].revents == 0) continue;
          const int from = side == 0 ? a : b;
          const int to = side == 0 ? b : a;
          char buf[16384];
          const ssize_t n = ::read(from, buf, sizeof buf);
          open = n > 0 && ::send(to, buf, n, MSG_NOSIGNAL) == n;
        }
        if (open) {
          alive.push_back(pairs[i]);
        } else {
          ::close(a);
          ::close(b);
        }
      }
      pairs = std::move(alive);
    }
    for (auto [a, b] : pairs) {
      ::close(a);
      ::close(b);
    }
    ::close(listen_fd_);
  }

  const int target_port_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  int port_ = 0;
  std::atomic<bool> frozen_{false};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// ---------------------------------------------------------------------------------------------
// Without a server.

TEST(PgErrorTest, UniqueViolationIsAlreadyExistsWithConstraintFirstInDetail) {
  Error e = TranslatePgError("23505", "orgs_handle_key",
                             "duplicate key value violates unique constraint \"orgs_handle_key\"",
                             false, "INSERT ...");
  EXPECT_EQ(e.code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(e.reason, "unique");
  EXPECT_EQ(e.detail,
            "constraint=orgs_handle_key; duplicate key value violates unique constraint "
            "\"orgs_handle_key\"");
}

TEST(PgErrorTest, ForeignKeyViolationIsFailedPrecondition) {
  Error e = TranslatePgError("23503", "members_org_fkey", "insert or update violates ...", false);
  EXPECT_EQ(e.code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(e.reason, "foreign_key");
  EXPECT_TRUE(e.detail.starts_with("constraint=members_org_fkey; ")) << e.detail;
}

TEST(PgErrorTest, SerializationFailureDeadlockAndLockTimeoutAreAborted) {
  EXPECT_EQ(TranslatePgError("40001", "", "could not serialize", false).code, ErrorCode::kAborted);
  EXPECT_EQ(TranslatePgError("40P01", "", "deadlock detected", false).code, ErrorCode::kAborted);
  EXPECT_EQ(TranslatePgError("55P03", "", "could not obtain lock", false).code,
            ErrorCode::kAborted);
}

TEST(PgErrorTest, ConnectionFailuresAreUnavailable) {
  EXPECT_EQ(TranslatePgError("08006", "", "connection failure", false).code,
            ErrorCode::kUnavailable);
  EXPECT_EQ(TranslatePgError("57P01", "", "terminating connection", false).code,
            ErrorCode::kUnavailable);
  EXPECT_EQ(TranslatePgError("57P02", "", "crash shutdown", false).code, ErrorCode::kUnavailable);
  EXPECT_EQ(TranslatePgError("57P03", "", "the database system is starting up", false).code,
            ErrorCode::kUnavailable);
  EXPECT_EQ(TranslatePgError("", "", "server closed the connection unexpectedly", true).code,
            ErrorCode::kUnavailable);
}

TEST(PgErrorTest, OtherErrorsAreInternalWithMessageStateAndSql) {
  Error e = TranslatePgError("42601", "", "syntax error at or near \"SELEC\"", false, "SELEC 1");
  EXPECT_EQ(e.code, ErrorCode::kInternal);
  EXPECT_EQ(e.detail, "syntax error at or near \"SELEC\" [SQLSTATE 42601] in: SELEC 1");
}

TEST(PgOpenTest, MalformedUrlIsInvalidArgument) {
  auto db = PgDatabase::Open("postgresql://127.0.0.1/postgres?no_such_option=1");
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(db.error().detail.find("no_such_option"), std::string::npos) << db.error().detail;
}

TEST(PgOpenTest, ClosedPortIsUnavailable) {
  const std::string url =
      "postgresql://postgres@127.0.0.1:" + std::to_string(ClosedPort()) + "/postgres";
  auto db = PgDatabase::Open(url, {.connect_timeout = milliseconds(2000)});
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(db.error().detail.find("Connection refused"), std::string::npos) << db.error().detail;
}

TEST(PgOpenTest, SilentServerTimesOutAfterConnectTimeout) {
  // The kernel completes the TCP handshake into the backlog; nothing ever answers libpq's
  // startup packet.
  const int fd = Listen(0);
  ASSERT_GE(fd, 0);
  const std::string url =
      "postgresql://postgres@127.0.0.1:" + std::to_string(LocalPort(fd)) + "/postgres";
  const auto start = steady_clock::now();
  auto db = PgDatabase::Open(url, {.connect_timeout = milliseconds(300)});
  const auto elapsed = steady_clock::now() - start;
  ::close(fd);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(db.error().detail.find("timeout"), std::string::npos) << db.error().detail;
  EXPECT_GE(elapsed, milliseconds(300));
  EXPECT_LT(elapsed, milliseconds(3000));
}

// ---------------------------------------------------------------------------------------------
// Against the server of ORGD_TEST_POSTGRES_URL, each test in a fresh schema.

class PgTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv(kUrlEnv);
    if (url == nullptr || *url == '\0') GTEST_SKIP() << kUrlEnv << " is not set";
    base_url_ = url;
    auto admin = PgDatabase::Open(base_url_, {.pool_size = 2});
    ASSERT_TRUE(admin) << ErrorText(admin);
    admin_ = std::move(*admin);
    schema_ = RandomSchema();
    AdminExec("CREATE SCHEMA " + schema_);
    url_ = WithSearchPath(base_url_, schema_);
    db_ = OpenDb({.pool_size = 4});
  }

  void TearDown() override {
    // The sessions under test close first, so that DROP SCHEMA never waits on their locks.
    db_.reset();
    if (admin_ != nullptr && !schema_.empty()) AdminExec("DROP SCHEMA " + schema_ + " CASCADE");
    admin_.reset();
  }

  std::unique_ptr<PgDatabase> OpenDb(PgOptions options) {
    auto db = PgDatabase::Open(url_, options);
    EXPECT_TRUE(db) << ErrorText(db);
    return db ? std::move(*db) : nullptr;
  }

  static Lease AcquireOrDie(Database& db) {
    auto lease = db.Acquire();
    EXPECT_TRUE(lease) << ErrorText(lease);
    return std::move(*lease);
  }

  void AdminExec(const std::string& sql) {
    auto lease = AcquireOrDie(*admin_);
    auto r = lease->ExecScript(sql);
    ASSERT_TRUE(r) << ErrorText(r);
  }

  // Ends session `pid` from another session, waiting until it is gone.
  void Terminate(int pid) {
    auto lease = AcquireOrDie(*admin_);
    bool terminated = false;
    auto r = lease->Query("SELECT pg_terminate_backend($1::int, 10000)", {Int(pid)},
                          [&](const Row& row) { terminated = row.GetBool(0); });
    ASSERT_TRUE(r) << ErrorText(r);
    ASSERT_TRUE(terminated);
  }

  static std::optional<int64_t> QueryInt(Connection& conn, std::string_view sql,
                                         std::initializer_list<Param> params = {}) {
    std::optional<int64_t> value;
    auto r = conn.Query(sql, params, [&](const Row& row) { value = row.GetInt(0); });
    EXPECT_TRUE(r) << ErrorText(r);
    return value;
  }

  void CreateTable(std::string_view ddl) {
    auto lease = AcquireOrDie(*db_);
    auto r = lease->ExecScript(ddl);
    ASSERT_TRUE(r) << ErrorText(r);
  }

  std::string base_url_;
  std::string url_;
  std::string schema_;
  std::unique_ptr<PgDatabase> admin_;
  std::unique_ptr<PgDatabase> db_;
};

TEST_F(PgTest, EngineIsPostgres) {
  auto lease = AcquireOrDie(*db_);
  EXPECT_EQ(db_->engine(), Engine::kPostgres);
  EXPECT_EQ(lease->engine(), Engine::kPostgres);
}

TEST_F(PgTest, SessionsUseTheSchemaOfTheUrl) {
  auto lease = AcquireOrDie(*db_);
  std::string schema;
  ASSERT_TRUE(lease->Query("SELECT current_schema()", {},
                           [&](const Row& row) { schema = row.GetString(0); }));
  EXPECT_EQ(schema, schema_);
}

TEST_F(PgTest, ApplicationNameIsOrgd) {
  auto lease = AcquireOrDie(*db_);
  std::string name;
  ASSERT_TRUE(lease->Query("SELECT current_setting('application_name')", {},
                           [&](const Row& row) { name = row.GetString(0); }));
  EXPECT_EQ(name, "orgd");
}

TEST_F(PgTest, DefaultPoolSizeIsAtLeastEight) {
  auto db = OpenDb({});
  ASSERT_NE(db, nullptr);
  EXPECT_GE(db->options().pool_size, 8);
}

TEST_F(PgTest, ParametersBindByNumberInAnyOrderAndRepeated) {
  auto lease = AcquireOrDie(*db_);
  std::vector<std::string> got;
  auto r = lease->Query("SELECT $2::text, $1::text, $2::text || $1::text",
                        {Text("one"), Text("two")}, [&](const Row& row) {
                          got = {row.GetString(0), row.GetString(1), row.GetString(2)};
                        });
  ASSERT_TRUE(r) << ErrorText(r);
  EXPECT_EQ(got, (std::vector<std::string>{"two", "one", "twoone"}));
}

TEST_F(PgTest, InsertWithParametersOutOfOrderStoresEachInItsColumn) {
  CreateTable("CREATE TABLE t (k text PRIMARY KEY, v text, n bigint)");
  auto lease = AcquireOrDie(*db_);
  auto r = lease->Exec("INSERT INTO t (n, k, v) VALUES ($3, $1, $2)",
                       {Text("key"), Text("value"), Int(7)});
  ASSERT_TRUE(r) << ErrorText(r);
  std::vector<std::string> got;
  ASSERT_TRUE(lease->Query("SELECT k, v, n FROM t", {}, [&](const Row& row) {
    got = {row.GetString(0), row.GetString(1), std::to_string(row.GetInt(2))};
  }));
  EXPECT_EQ(got, (std::vector<std::string>{"key", "value", "7"}));
}

TEST_F(PgTest, NullRoundTripsInEveryType) {
  CreateTable("CREATE TABLE t (k text PRIMARY KEY, v text, n bigint, b bytea)");
  auto lease = AcquireOrDie(*db_);
  ASSERT_TRUE(lease->Exec("INSERT INTO t (k, v, n, b) VALUES ($1, $2, $3, $4)",
                          {Text("k"), nullptr, nullptr, nullptr}));
  std::vector<bool> nulls;
  std::optional<std::string> text = "unset";
  std::optional<int64_t> number = -1;
  ASSERT_TRUE(lease->Query("SELECT v, n, b FROM t", {}, [&](const Row& row) {
    nulls = {row.IsNull(0), row.IsNull(1), row.IsNull(2)};
    text = row.GetOptString(0);
    number = row.GetOptInt(1);
  }));
  EXPECT_EQ(nulls, (std::vector<bool>{true, true, true}));
  EXPECT_EQ(text, std::nullopt);
  EXPECT_EQ(number, std::nullopt);
}

TEST_F(PgTest, Int64ExtremesRoundTrip) {
  CreateTable("CREATE TABLE t (k text PRIMARY KEY, n bigint)");
  auto lease = AcquireOrDie(*db_);
  const int64_t min = std::numeric_limits<int64_t>::min();
  const int64_t max = std::numeric_limits<int64_t>::max();
  ASSERT_TRUE(lease->Exec("INSERT INTO t (k, n) VALUES ('min', $1), ('max', $2), ('zero', $3)",
                          {Int(min), Int(max), Int(0)}));
  std::vector<int64_t> got;
  ASSERT_TRUE(lease->Query("SELECT n FROM t ORDER BY n", {},
                           [&](const Row& row) { got.push_back(row.GetInt(0)); }));
  EXPECT_EQ(got, (std::vector<int64_t>{min, 0, max}));
}

TEST_F(PgTest, TextRoundTripsIncludingEmptyQuotesAndUnicode) {
  CreateTable("CREATE TABLE t (k bigint PRIMARY KEY, v text)");
  auto lease = AcquireOrDie(*db_);
  const std::vector<std::string> values = {"", "it's \"quoted\" \\ $1", "h\xc3\xa9llo \xe2\x9c\x93",
                                           std::string(100000, 'x')};
  for (size_t i = 0; i < values.size(); ++i) {
    auto r = lease->Exec("INSERT INTO t (k, v) VALUES ($1, $2)",
                         {Int(static_cast<int64_t>(i)), Text(values[i])});
    ASSERT_TRUE(r) << ErrorText(r);
  }
  std::vector<std::string> got;
  std::vector<bool> nulls;
  ASSERT_TRUE(lease->Query("SELECT v FROM t ORDER BY k", {}, [&](const Row& row) {
    got.push_back(row.GetString(0));
    nulls.push_back(row.IsNull(0));
  }));
  EXPECT_EQ(got, values);
  EXPECT_EQ(nulls, std::vector<bool>(values.size(), false));
}

TEST_F(PgTest, TextWithNulCharacterIsInvalidArgument) {
  auto lease = AcquireOrDie(*db_);
  const std::string value("a\0b", 3);
  auto r = lease->Query("SELECT $1::text", {Text(value)}, [](const Row&) {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(PgTest, BlobRoundTripsZeroAndFfBytes) {
  CreateTable("CREATE TABLE t (k text PRIMARY KEY, b bytea)");
  auto lease = AcquireOrDie(*db_);
  std::string bytes("\x00\x01\xff\x00z\\x", 7);
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  ASSERT_TRUE(lease->Exec("INSERT INTO t (k, b) VALUES ($1, $2)", {Text("k"), Blob{bytes}}));
  std::string got;
  bool is_null = true;
  ASSERT_TRUE(lease->Query("SELECT b FROM t WHERE k = $1", {Text("k")}, [&](const Row& row) {
    is_null = row.IsNull(0);
    got = row.GetBlob(0);
  }));
  EXPECT_FALSE(is_null);
  EXPECT_EQ(got, bytes);
}

TEST_F(PgTest, EmptyBlobIsNotNull) {
  CreateTable("CREATE TABLE t (k text PRIMARY KEY, b bytea)");
  auto lease = AcquireOrDie(*db_);
  ASSERT_TRUE(lease->Exec("INSERT INTO t (k, b) VALUES ($1, $2)", {Text("k"), Blob{""}}));
  std::optional<bool> is_null;
  std::string got = "unset";
  ASSERT_TRUE(lease->Query("SELECT b FROM t", {}, [&](const Row& row) {
    is_null = row.IsNull(0);
    got = row.GetBlob(0);
  }));
  EXPECT_EQ(is_null, false);
  EXPECT_EQ(got, "");
}

TEST_F(PgTest, IntegerBooleansAndPostgresBooleansReadAsInts) {
  auto lease = AcquireOrDie(*db_);
  std::vector<int64_t> got;
  std::vector<bool> bools;
  ASSERT_TRUE(lease->Query("SELECT $1::bigint, $2::bigint, true, false, EXISTS (SELECT 1)",
                           {Bool(true), Bool(false)}, [&](const Row& row) {
                             got = {row.GetInt(0), row.GetInt(1), row.GetInt(2), row.GetInt(3)};
                             bools = {row.GetBool(0), row.GetBool(1), row.GetBool(4)};
                           }));
  EXPECT_EQ(got, (std::vector<int64_t>{1, 0, 1, 0}));
  EXPECT_EQ(bools, (std::vector<bool>{true, false, true}));
}

TEST_F(PgTest, ExecReturnsChangedRowCount) {
  CreateTable("CREATE TABLE t (k text PRIMARY KEY, n bigint)");
  auto lease = AcquireOrDie(*db_);
  auto inserted = lease->Exec("INSERT INTO t (k, n) VALUES ('a', 1), ('b', 1), ('c', 2)", {});
  ASSERT_TRUE(inserted) << ErrorText(inserted);
  EXPECT_EQ(*inserted, 3);
  auto updated = lease->Exec("UPDATE t SET n = 5 WHERE n = $1", {Int(1)});
  ASSERT_TRUE(updated) << ErrorText(updated);
  EXPECT_EQ(*updated, 2);
  auto deleted = lease->Exec("DELETE FROM t WHERE k = $1", {Text("none")});
  ASSERT_TRUE(deleted) << ErrorText(deleted);
  EXPECT_EQ(*deleted, 0);
}

TEST_F(PgTest, ExecScriptRunsSeveralStatements) {
  auto lease = AcquireOrDie(*db_);
  auto r = lease->ExecScript(
      "CREATE TABLE a (k bigint PRIMARY KEY);\n"
      "CREATE TABLE b (k bigint PRIMARY KEY REFERENCES a (k));\n"
      "INSERT INTO a VALUES (1), (2);\n"
      "INSERT INTO b VALUES (2);\n");
  ASSERT_TRUE(r) << ErrorText(r);
  EXPECT_EQ(QueryInt(*lease, "SELECT count(*) FROM a"), 2);
  EXPECT_EQ(QueryInt(*lease, "SELECT count(*) FROM b"), 1);
}

TEST_F(PgTest, FailedScriptAppliesNothing) {
  CreateTable("CREATE TABLE t (k bigint PRIMARY KEY)");
  auto lease = AcquireOrDie(*db_);
  auto r = lease->ExecScript("INSERT INTO t VALUES (1); INSERT INTO t VALUES (1);");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(QueryInt(*lease, "SELECT count(*) FROM t"), 0);
  EXPECT_FALSE(AsPg(lease).in_transaction());
}

TEST_F(PgTest, SameSqlTwicePreparesOnce) {
  auto lease = AcquireOrDie(*db_);
  PgConnection& conn = AsPg(lease);
  const int64_t before = conn.prepare_count();
  EXPECT_EQ(QueryInt(conn, "SELECT $1::bigint + 1", {Int(1)}), 2);
  EXPECT_EQ(QueryInt(conn, "SELECT $1::bigint + 1", {Int(41)}), 42);
  EXPECT_EQ(conn.prepare_count(), before + 1);
  EXPECT_EQ(QueryInt(conn, "SELECT $1::bigint + 2", {Int(1)}), 3);
  EXPECT_EQ(conn.prepare_count(), before + 2);
  EXPECT_EQ(conn.cached_statement_count(), static_cast<size_t>(before + 2));
}

TEST_F(PgTest, StatementCacheSurvivesReturnToThePool) {
  auto db = OpenDb({.pool_size = 1});
  ASSERT_NE(db, nullptr);
  int64_t before = 0;
  {
    auto lease = AcquireOrDie(*db);
    EXPECT_EQ(QueryInt(*lease, "SELECT $1::bigint", {Int(5)}), 5);
    before = AsPg(lease).prepare_count();
  }
  auto lease = AcquireOrDie(*db);
  EXPECT_EQ(QueryInt(*lease, "SELECT $1::bigint", {Int(6)}), 6);
  EXPECT_EQ(AsPg(lease).prepare_count(), before);
}

TEST_F(PgTest, ParameterBeyondTheGivenOnesIsInternal) {
  auto lease = AcquireOrDie(*db_);
  auto r = lease->Query("SELECT $2::text", {Text("only one")}, [](const Row&) {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_FALSE(AsPg(lease).broken());
}

TEST_F(PgTest, SeveralStatementsInOneQueryAreInternal) {
  auto lease = AcquireOrDie(*db_);
  auto r = lease->Exec("SELECT 1; SELECT 2", {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
}

TEST_F(PgTest, SyntaxErrorIsInternalWithServerMessage) {
  auto lease = AcquireOrDie(*db_);
  auto r = lease->Query("SELEC 1", {}, [](const Row&) {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_NE(r.error().detail.find("syntax error"), std::string::npos) << r.error().detail;
  EXPECT_NE(r.error().detail.find("42601"), std::string::npos) << r.error().detail;
}

TEST_F(PgTest, UniqueViolationIsAlreadyExistsNamingTheConstraint) {
  CreateTable(
      "CREATE TABLE orgs (id text PRIMARY KEY, handle text,"
      " CONSTRAINT orgs_handle_key UNIQUE (handle))");
  auto lease = AcquireOrDie(*db_);
  ASSERT_TRUE(lease->Exec("INSERT INTO orgs (id, handle) VALUES ($1, $2)", {Text("1"), Text("h")}));
  auto r = lease->Exec("INSERT INTO orgs (id, handle) VALUES ($1, $2)", {Text("2"), Text("h")});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(r.error().reason, "unique");
  EXPECT_TRUE(r.error().detail.starts_with("constraint=orgs_handle_key; ")) << r.error().detail;
  // The quoted form the SQL store looks for in the server's message.
  EXPECT_NE(r.error().detail.find("\"orgs_handle_key\""), std::string::npos) << r.error().detail;
}

TEST_F(PgTest, PrimaryKeyViolationNamesThePrimaryKey) {
  CreateTable("CREATE TABLE orgs (id text PRIMARY KEY)");
  auto lease = AcquireOrDie(*db_);
  ASSERT_TRUE(lease->Exec("INSERT INTO orgs (id) VALUES ($1)", {Text("1")}));
  auto r = lease->Exec("INSERT INTO orgs (id) VALUES ($1)", {Text("1")});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kAlreadyExists);
  EXPECT_TRUE(r.error().detail.starts_with("constraint=orgs_pkey; ")) << r.error().detail;
}

TEST_F(PgTest, ForeignKeyViolationIsFailedPrecondition) {
  CreateTable(
      "CREATE TABLE orgs (id text PRIMARY KEY);"
      "CREATE TABLE members (org_id text REFERENCES orgs (id), user_id text)");
  auto lease = AcquireOrDie(*db_);
  auto r = lease->Exec("INSERT INTO members (org_id, user_id) VALUES ($1, $2)",
                       {Text("missing"), Text("u")});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(r.error().reason, "foreign_key");
  EXPECT_TRUE(r.error().detail.starts_with("constraint=members_org_id_fkey; ")) << r.error().detail;
}

TEST_F(PgTest, SerializationFailureIsAborted) {
  auto lease = AcquireOrDie(*db_);
  auto r = lease->ExecScript(
      "DO $$ BEGIN RAISE EXCEPTION 'could not serialize' USING ERRCODE = '40001'; END $$");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kAborted);
}

TEST_F(PgTest, DeadlockIsAborted) {
  auto lease = AcquireOrDie(*db_);
  auto r = lease->ExecScript(
      "DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01'; END $$");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kAborted);
}

TEST_F(PgTest, CommitKeepsWrites) {
  CreateTable("CREATE TABLE t (k bigint PRIMARY KEY)");
  auto lease = AcquireOrDie(*db_);
  ASSERT_TRUE(lease->Begin(TxMode::kWrite));
  EXPECT_TRUE(AsPg(lease).in_transaction());
  ASSERT_TRUE(lease->Exec("INSERT INTO t VALUES ($1)", {Int(1)}));
  auto r = lease->Commit();
  ASSERT_TRUE(r) << ErrorText(r);
  EXPECT_FALSE(AsPg(lease).in_transaction());
  auto other = AcquireOrDie(*db_);
  EXPECT_EQ(QueryInt(*other, "SELECT count(*) FROM t"), 1);
}

TEST_F(PgTest, RollbackLeavesNothing) {
  CreateTable("CREATE TABLE t (k bigint PRIMARY KEY)");
  auto lease = AcquireOrDie(*db_);
  ASSERT_TRUE(lease->Begin(TxMode::kWrite));
  ASSERT_TRUE(lease->Exec("INSERT INTO t VALUES ($1), ($2)", {Int(1), Int(2)}));
  EXPECT_EQ(QueryInt(*lease, "SELECT count(*) FROM t"), 2);
  lease->Rollback();
  EXPECT_FALSE(AsPg(lease).in_transaction());
  EXPECT_EQ(QueryInt(*lease, "SELECT count(*) FROM t"), 0);
}

TEST_F(PgTest, ReadTransactionRejectsWrites) {
  CreateTable("CREATE TABLE t (k bigint PRIMARY KEY)");
  auto lease = AcquireOrDie(*db_);
  ASSERT_TRUE(lease->Begin(TxMode::kRead));
  auto r = lease->Exec("INSERT INTO t VALUES ($1)", {Int(1)});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_NE(r.error().detail.find("25006"), std::string::npos) << r.error().detail;
  lease->Rollback();
}

TEST_F(PgTest, ReadTransactionSeesOneSnapshot) {
  CreateTable("CREATE TABLE t (k bigint PRIMARY KEY)");
  auto reader = AcquireOrDie(*db_);
  auto writer = AcquireOrDie(*db_);
  ASSERT_TRUE(reader->Begin(TxMode::kRead));
  EXPECT_EQ(QueryInt(*reader, "SELECT count(*) FROM t"), 0);
  ASSERT_TRUE(writer->Exec("INSERT INTO t VALUES ($1)", {Int(1)}));
  EXPECT_EQ(QueryInt(*reader, "SELECT count(*) FROM t"), 0);
  ASSERT_TRUE(reader->Commit());
  EXPECT_EQ(QueryInt(*reader, "SELECT count(*) FROM t"), 1);
}

TEST_F(PgTest, BeginInsideATransactionIsInternal) {
  auto lease = AcquireOrDie(*db_);
  ASSERT_TRUE(lease->Begin(TxMode::kWrite));
  auto r = lease->Begin(TxMode::kWrite);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  lease->Rollback();
}

TEST_F(PgTest, CommitWithoutTransactionIsInternal) {
  auto lease = AcquireOrDie(*db_);
  auto r = lease->Commit();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
}

TEST_F(PgTest, CommitAfterAFailedStatementFailsAndKeepsNothing) {
  CreateTable("CREATE TABLE t (k bigint PRIMARY KEY)");
  auto lease = AcquireOrDie(*db_);
  ASSERT_TRUE(lease->Exec("INSERT INTO t VALUES (1)", {}));
  ASSERT_TRUE(lease->Begin(TxMode::kWrite));
  ASSERT_TRUE(lease->Exec("INSERT INTO t VALUES (2)", {}));
  auto failed = lease->Exec("INSERT INTO t VALUES (1)", {});
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kAlreadyExists);
  auto r = lease->Commit();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_FALSE(AsPg(lease).in_transaction());
  lease->Rollback();  // what the store does after a failed commit: a no-op here
  EXPECT_EQ(QueryInt(*lease, "SELECT count(*) FROM t"), 1);
}

TEST_F(PgTest, LeaseDroppedInsideATransactionIsRolledBack) {
  CreateTable("CREATE TABLE t (k bigint PRIMARY KEY)");
  auto db = OpenDb({.pool_size = 1});
  ASSERT_NE(db, nullptr);
  int pid = 0;
  {
    auto lease = AcquireOrDie(*db);
    pid = AsPg(lease).backend_pid();
    ASSERT_TRUE(lease->Begin(TxMode::kWrite));
    ASSERT_TRUE(lease->Exec("INSERT INTO t VALUES (1)", {}));
  }
  auto lease = AcquireOrDie(*db);
  EXPECT_EQ(AsPg(lease).backend_pid(), pid);  // the same session, back in the pool
  EXPECT_FALSE(AsPg(lease).in_transaction());
  EXPECT_EQ(QueryInt(*lease, "SELECT count(*) FROM t"), 0);
}

TEST_F(PgTest, ConcurrentUpdatesOfOneRowRunOneAfterTheOther) {
  CreateTable("CREATE TABLE counters (id bigint PRIMARY KEY, n bigint NOT NULL)");
  auto first = AcquireOrDie(*db_);
  auto second = AcquireOrDie(*db_);
  ASSERT_TRUE(first->Exec("INSERT INTO counters VALUES (1, 0)", {}));
  constexpr std::string_view kIncrement = "UPDATE counters SET n = n + 1 WHERE id = $1";

  ASSERT_TRUE(first->Begin(TxMode::kWrite));
  auto updated = first->Exec(kIncrement, {Int(1)});
  ASSERT_TRUE(updated) << ErrorText(updated);

  const int second_pid = AsPg(second).backend_pid();
  Result<void> second_begin = Error::Internal("not run");
  Result<int64_t> second_update = Error::Internal("not run");
  Result<void> second_commit = Error::Internal("not run");
  std::thread other([&] {
    second_begin = second->Begin(TxMode::kWrite);
    second_update = second->Exec(kIncrement, {Int(1)});  // waits for the row lock
    second_commit = second->Commit();
  });
  // Commit only once the second transaction is known to wait for the row lock.
  auto admin = AcquireOrDie(*admin_);
  const auto give_up = steady_clock::now() + std::chrono::seconds(30);
  bool waiting = false;
  while (!waiting && steady_clock::now() < give_up) {
    waiting = QueryInt(*admin,
                       "SELECT count(*) FROM pg_stat_activity"
                       " WHERE pid = $1::int AND wait_event_type = 'Lock'",
                       {Int(second_pid)}) == 1;
    if (!waiting) std::this_thread::yield();
  }
  EXPECT_TRUE(waiting);
  auto committed = first->Commit();
  other.join();

  ASSERT_TRUE(committed) << ErrorText(committed);
  ASSERT_TRUE(second_begin) << ErrorText(second_begin);
  ASSERT_TRUE(second_update) << ErrorText(second_update);
  EXPECT_EQ(*second_update, 1);
  ASSERT_TRUE(second_commit) << ErrorText(second_commit);
  EXPECT_EQ(QueryInt(*first, "SELECT n FROM counters WHERE id = 1"), 2);
}

TEST_F(PgTest, AcquireWaitsForALeaseToComeBack) {
  auto db = OpenDb({.pool_size = 2, .acquire_timeout = milliseconds(30000)});
  ASSERT_NE(db, nullptr);
  std::optional<Lease> a = AcquireOrDie(*db);
  std::optional<Lease> b = AcquireOrDie(*db);
  EXPECT_EQ(db->open_connections(), 2u);
  std::atomic<bool> acquired{false};
  std::thread waiter([&] {
    auto lease = db->Acquire();
    if (lease && QueryInt(**lease, "SELECT 1") == 1) acquired = true;
  });
  a.reset();
  waiter.join();
  EXPECT_TRUE(acquired);
  EXPECT_EQ(db->open_connections(), 2u);
}

TEST_F(PgTest, MoreConcurrentAcquiresThanPoolSizeAllSucceed) {
  constexpr int kPoolSize = 3;
  auto db = OpenDb({.pool_size = kPoolSize, .acquire_timeout = milliseconds(30000)});
  ASSERT_NE(db, nullptr);
  std::atomic<int> in_use{0};
  std::atomic<int> max_in_use{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        auto lease = db->Acquire();
        if (!lease) {
          ++failures;
          continue;
        }
        const int now = ++in_use;
        int seen = max_in_use.load();
        while (now > seen && !max_in_use.compare_exchange_weak(seen, now)) {
        }
        std::optional<int64_t> value;
        if (!(*lease)->Query("SELECT 1", {}, [&](const Row& row) { value = row.GetInt(0); }) ||
            value != 1) {
          ++failures;
        }
        --in_use;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  EXPECT_LE(max_in_use, kPoolSize);
  EXPECT_LE(db->open_connections(), static_cast<size_t>(kPoolSize));
}

TEST_F(PgTest, AcquireTimesOutWhenThePoolStaysExhausted) {
  auto db = OpenDb({.pool_size = 1, .acquire_timeout = milliseconds(50)});
  ASSERT_NE(db, nullptr);
  auto held = AcquireOrDie(*db);
  auto r = db->Acquire();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().message, "database connection pool exhausted");
}

TEST_F(PgTest, SessionKilledInsideATransactionIsUnavailableAndThePoolRecovers) {
  auto db = OpenDb({.pool_size = 1});
  ASSERT_NE(db, nullptr);
  int old_pid = 0;
  {
    auto lease = AcquireOrDie(*db);
    old_pid = AsPg(lease).backend_pid();
    ASSERT_TRUE(lease->Begin(TxMode::kWrite));
    Terminate(old_pid);
    auto r = lease->Query("SELECT 1", {}, [](const Row&) {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kUnavailable) << ErrorText(r.error());
    EXPECT_TRUE(AsPg(lease).broken());
    // Still inside the lost transaction: no silent reconnect.
    auto again = lease->Exec("SELECT 1", {});
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kUnavailable);
    lease->Rollback();
  }
  EXPECT_EQ(db->open_connections(), 0u);  // the broken connection was discarded
  auto lease = AcquireOrDie(*db);
  std::optional<int64_t> pid = QueryInt(*lease, "SELECT pg_backend_pid()");
  ASSERT_TRUE(pid.has_value());
  EXPECT_NE(*pid, old_pid);
  EXPECT_EQ(*pid, AsPg(lease).backend_pid());
}

TEST_F(PgTest, SessionKilledWhileIdleIsReplacedByTheNextStatement) {
  auto db = OpenDb({.pool_size = 1});
  ASSERT_NE(db, nullptr);
  int old_pid = 0;
  {
    auto lease = AcquireOrDie(*db);
    old_pid = AsPg(lease).backend_pid();
    ASSERT_TRUE(lease->Exec("SELECT 1", {}));
  }
  Terminate(old_pid);
  auto lease = AcquireOrDie(*db);
  std::optional<int64_t> pid = QueryInt(*lease, "SELECT pg_backend_pid()");
  ASSERT_TRUE(pid.has_value());
  EXPECT_NE(*pid, old_pid);
  EXPECT_FALSE(AsPg(lease).broken());
}

TEST_F(PgTest, BeginOnASessionKilledWhileIdleSucceeds) {
  auto db = OpenDb({.pool_size = 1});
  ASSERT_NE(db, nullptr);
  int old_pid = 0;
  {
    auto lease = AcquireOrDie(*db);
    old_pid = AsPg(lease).backend_pid();
  }
  Terminate(old_pid);
  auto lease = AcquireOrDie(*db);
  auto r = lease->Begin(TxMode::kWrite);
  ASSERT_TRUE(r) << ErrorText(r);
  EXPECT_NE(AsPg(lease).backend_pid(), old_pid);
  lease->Rollback();
}

// The server's TCP address, for TcpProxy; nullopt when the test URL uses a Unix socket.
std::optional<int> ServerTcpPort(Database& admin) {
  auto lease = admin.Acquire();
  if (!lease) return std::nullopt;
  std::optional<int> port;
  auto r = (*lease)->Query("SELECT inet_server_port()", {}, [&](const Row& row) {
    if (!row.IsNull(0)) port = static_cast<int>(row.GetInt(0));
  });
  if (!r) return std::nullopt;
  return port;
}

TEST_F(PgTest, PingIsFalseOnceTheServerIsGoneAndTrueWhenItIsBack) {
  const std::optional<int> server_port = ServerTcpPort(*admin_);
  if (!server_port || !IsUri(url_)) GTEST_SKIP() << "needs a postgresql:// URL over TCP";
  TcpProxy proxy(*server_port);
  ASSERT_TRUE(proxy.Start());
  auto proxied = PgDatabase::Open(WithHostPort(url_, proxy.port()),
                                  {.pool_size = 2, .connect_timeout = milliseconds(1000)});
  ASSERT_TRUE(proxied) << ErrorText(proxied);
  EXPECT_TRUE((*proxied)->Ping());

  proxy.Stop();  // every session cut, nothing listening
  const auto start = steady_clock::now();
  EXPECT_FALSE((*proxied)->Ping());
  EXPECT_LT(steady_clock::now() - start, milliseconds(1500));
  auto lease = (*proxied)->Acquire();
  ASSERT_FALSE(lease);
  EXPECT_EQ(lease.error().code, ErrorCode::kUnavailable);

  const int port = proxy.port();
  ASSERT_TRUE(proxy.Start(port));  // the server is back, at the same address
  EXPECT_TRUE((*proxied)->Ping());
  auto recovered = (*proxied)->Acquire();
  ASSERT_TRUE(recovered) << ErrorText(recovered);
  EXPECT_EQ(QueryInt(**recovered, "SELECT 1"), 1);
}

TEST_F(PgTest, PingReturnsWithinConnectTimeoutWhenTheServerHangs) {
  const std::optional<int> server_port = ServerTcpPort(*admin_);
  if (!server_port || !IsUri(url_)) GTEST_SKIP() << "needs a postgresql:// URL over TCP";
  TcpProxy proxy(*server_port);
  ASSERT_TRUE(proxy.Start());
  auto proxied = PgDatabase::Open(WithHostPort(url_, proxy.port()),
                                  {.pool_size = 2, .connect_timeout = milliseconds(500)});
  ASSERT_TRUE(proxied) << ErrorText(proxied);
  EXPECT_TRUE((*proxied)->Ping());

  proxy.Freeze();  // sessions stay open, nothing answers
  const auto start = steady_clock::now();
  EXPECT_FALSE((*proxied)->Ping());
  const auto elapsed = steady_clock::now() - start;
  EXPECT_GE(elapsed, milliseconds(500));
  EXPECT_LT(elapsed, milliseconds(1500));
  EXPECT_EQ((*proxied)->open_connections(), 0u);  // the hung session was dropped
  proxied->reset();
  proxy.Stop();
}

}  // namespace
}  // namespace orgd::store::postgres
