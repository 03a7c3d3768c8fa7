// Crash safety on SQLite (issue #8 item 2): a real orgd on a database file takes a write load
// from several client threads (creates in both dialects, member adds with roles, role replaces,
// bulk adds and bulk role assignments; see write_load.h) and is killed with SIGKILL at a random
// moment, 20 times over one file. After each kill orgd starts again on the file and every
// acknowledged write must be there exactly, no bulk write may be partly visible, and once that
// orgd has stopped the file must pass `PRAGMA integrity_check`.
//
// The random moments come from one seed, printed at the start; ORGD_CRASH_SEED=<seed> replays
// the same kill delays and write choices (thread interleaving still varies).
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/multiprocess/orgd_process.h"
#include "tests/multiprocess/write_load.h"
#include "tests/support/http_client.h"

namespace orgd::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kRounds = 20;
constexpr int kLoadThreads = 3;
// The kill comes this long after the load starts: from before the first write is answered to
// well into the load.
constexpr int kMinKillDelayMs = 5;
constexpr int kMaxKillDelayMs = 900;

// `PRAGMA integrity_check` through the SQLite C API on a read-only connection.
std::string IntegrityCheck(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::string error = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return "cannot open: " + error;
  }
  std::string result;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr) != SQLITE_OK) {
    result = std::string("cannot prepare: ") + sqlite3_errmsg(db);
  } else {
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      if (!result.empty()) result += "\n";
      result += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return result;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "orgd-crash-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

uint64_t Seed() {
  if (const char* env = std::getenv("ORGD_CRASH_SEED"); env != nullptr && *env != '\0') {
    return std::strtoull(env, nullptr, 10);
  }
  return std::random_device{}();
}

TEST(CrashTest, SigkillUnderWriteLoadLosesNoAcknowledgedWriteOnSqlite) {
  const uint64_t seed = Seed();
  std::cout << "[ crash    ] seed " << seed << " (replay: ORGD_CRASH_SEED=" << seed << ")\n";
  RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 rng(seed);

  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string db_path = dir.path() + "/orgd.db";
  const OrgdProcessOptions options{.database_url = "sqlite://" + db_path};
  auto start = [&](std::string* error) { return OrgdProcess::Start(options, error); };

  LoadFixture fixture;
  {
    std::string error;
    auto process = start(&error);
    ASSERT_NE(process, nullptr) << error;
    HttpClient http(process->port());
    ASSERT_TRUE(PrepareLoadFixture(http, options.public_url, "crash", 4, 150, &fixture, &error))
        << error;
    ASSERT_EQ(process->Terminate(seconds(10)), std::optional<int>(0)) << process->StderrTail();
  }

  std::vector<OrgExpectation> all_orgs;
  int total_acknowledged = 0, total_unknown = 0, total_bulks = 0;
  for (int round = 1; round <= kRounds; ++round) {
    const int delay_ms = std::uniform_int_distribution<int>(kMinKillDelayMs, kMaxKillDelayMs)(rng);
    const std::string where = "seed " + std::to_string(seed) + ", round " +
                              std::to_string(round) + ", kill after " + std::to_string(delay_ms) +
                              " ms";
    SCOPED_TRACE(where);

    std::string error;
    auto victim = start(&error);
    ASSERT_NE(victim, nullptr) << error;
    std::vector<std::unique_ptr<WriteLoad>> loads;
    for (int t = 0; t < kLoadThreads; ++t) {
      loads.push_back(std::make_unique<WriteLoad>(
          fixture, victim->port(), rng(),
          "round " + std::to_string(round) + " thread " + std::to_string(t)));
    }
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (auto& load : loads) threads.emplace_back([&load, &stop] { load->Run(stop); });
    std::this_thread::sleep_for(milliseconds(delay_ms));
    victim->Kill();
    // The threads end on their first failed request; `stop` only guards against a load that
    // somehow keeps getting answers.
    stop = true;
    for (auto& thread : threads) thread.join();

    std::vector<OrgExpectation> round_orgs;
    int acknowledged = 0, unknown = 0, bulks = 0;
    for (auto& load : loads) {
      for (const std::string& what : load->unexpected()) ADD_FAILURE() << what;
      acknowledged += load->stats().acknowledged;
      unknown += load->stats().unknown;
      bulks += load->stats().bulk_acknowledged;
      for (OrgExpectation& org : load->orgs()) round_orgs.push_back(std::move(org));
    }
    total_acknowledged += acknowledged;
    total_unknown += unknown;
    total_bulks += bulks;
    std::cout << "[ crash    ] round " << round << ": killed after " << delay_ms << " ms; "
              << acknowledged << " writes acknowledged (" << bulks << " bulk), " << unknown
              << " in flight\n";

    auto checker = start(&error);
    ASSERT_NE(checker, nullptr) << "orgd does not start after the kill: " << error;
    {
      HttpClient http(checker->port());
      std::vector<std::string> failures;
      VerifyOrgs(http, fixture.logto_token, round_orgs, &failures);
      // The last round checks every organization of every round once more.
      if (round == kRounds) VerifyOrgs(http, fixture.logto_token, all_orgs, &failures);
      for (const std::string& failure : failures) ADD_FAILURE() << failure;
    }
    ASSERT_EQ(checker->Terminate(seconds(10)), std::optional<int>(0)) << checker->StderrTail();
    EXPECT_EQ(IntegrityCheck(db_path), "ok");
    for (OrgExpectation& org : round_orgs) all_orgs.push_back(std::move(org));
    if (HasFailure()) break;
  }
  std::cout << "[ crash    ] " << kRounds << " rounds: " << total_acknowledged
            << " writes acknowledged (" << total_bulks << " bulk), "
            << static_cast<double>(total_acknowledged) / kRounds << " per round; "
            << total_unknown << " in flight at a kill; " << all_orgs.size()
            << " organizations checked\n";
  RecordProperty("acknowledged", total_acknowledged);
  RecordProperty("in_flight", total_unknown);
}

// The first column of every row `sql` returns, as text, on a read-write connection (which rolls
// back a hot journal that a killed writer left); "error: ..." when it fails.
std::vector<std::string> Column(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  std::vector<std::string> out;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    out.push_back(std::string("error: ") + (db != nullptr ? sqlite3_errmsg(db) : "open"));
    sqlite3_close(db);
    return out;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
    out.push_back(std::string("error: ") + sqlite3_errmsg(db));
  } else {
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      out.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "NULL");
    }
    if (rc != SQLITE_DONE) out.push_back(std::string("error: ") + sqlite3_errmsg(db));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

// Runs `orgd ARGS...` in a child. With `kill_at` set, reads its stderr until a line holding
// `kill_at` appears, then kills it with SIGKILL; true when that happened (false when the child
// ended first). Without it, waits for the child: true when it exited with status 0. `output`
// gets what the child wrote to stderr (and stdout) up to then.
bool RunOrgd(const std::vector<std::string>& args, const char* kill_at, std::string* output) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return false;
  const pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {
    ::dup2(pipe_fds[1], STDERR_FILENO);
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(ORGD_BINARY));
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    ::execv(ORGD_BINARY, argv.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  bool killed = false;
  std::string line;
  char c = 0;
  while (::read(pipe_fds[0], &c, 1) == 1) {
    output->push_back(c);
    if (c != '\n') {
      line.push_back(c);
      continue;
    }
    if (kill_at != nullptr && line.find(kill_at) != std::string::npos) {
      ::kill(pid, SIGKILL);
      killed = true;
      break;
    }
    line.clear();
  }
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (kill_at != nullptr) return killed;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// `orgd import` into an empty SQLite database loads the file in one transaction (docs/import.md).
// Killed with SIGKILL as it reads, as it writes the memberships and as it builds the indexes and
// search tables, it leaves the database as it was: no row, every index and trigger in place,
// whole; and the same command then loads the file completely, and the file is in WAL mode again.
TEST(CrashTest, AKilledBulkLoadLeavesTheDatabaseAsItWas) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string db_path = dir.path() + "/orgd.db";
  const std::string url = "sqlite://" + db_path;
  const std::string file = dir.path() + "/data.ndjson";
  // 60,000 grant lines make a file of several 2 MiB chunks (the load parses the file in chunks
  // and reports each): the first kill comes while it reads.
  constexpr int kOrgs = 3000, kUsers = 3000, kMemberships = 60000;
  {
    std::ofstream out(file);
    out << R"({"type":"organizationRole","name":"member"})" "\n";
    for (int i = 0; i < kOrgs; ++i) {
      out << R"({"type":"organization","id":"org)" << 100000 + i << R"(","name":"Org )" << i
          << R"("})" "\n";
    }
    for (int i = 0; i < kUsers; ++i) {
      out << R"({"type":"user","id":"user)" << 100000 + i << R"(","username":"user_)" << i
          << R"(","primaryEmail":"user)" << i << R"(@example.com"})" "\n";
    }
    for (int i = 0; i < kMemberships; ++i) {
      const int org = i % kOrgs, user = (i / kOrgs + i * 7) % kUsers;
      out << R"({"type":"memberRoles","organizationId":"org)" << 100000 + org
          << R"(","userId":"user)" << 100000 + user << R"(","organizationRoleNames":["member"]})"
          << "\n";
    }
  }
  std::string output;
  ASSERT_TRUE(RunOrgd({"migrate", "--database", url}, nullptr, &output)) << output;
  const char* kSchema = "SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master "
                        "ORDER BY name";
  const std::vector<std::string> schema = Column(db_path, kSchema);
  ASSERT_GT(schema.size(), 50u);

  for (const char* stage : {"read ", "writing memberships", "building indexes"}) {
    SCOPED_TRACE(std::string("killed at: ") + stage);
    output.clear();
    ASSERT_TRUE(RunOrgd({"import", file, "--database", url}, stage, &output))
        << "the import ended before the stage: " << output;
    EXPECT_EQ(Column(db_path, "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
    EXPECT_EQ(Column(db_path,
                     "SELECT (SELECT COUNT(*) FROM organizations) + (SELECT COUNT(*) FROM users) + "
                     "(SELECT COUNT(*) FROM organization_members) + "
                     "(SELECT COUNT(*) FROM import_progress)"),
              std::vector<std::string>{"0"});
    EXPECT_EQ(Column(db_path, kSchema), schema);
  }

  output.clear();
  ASSERT_TRUE(RunOrgd({"import", file, "--database", url}, nullptr, &output)) << output;
  EXPECT_NE(output.find("in one transaction"), std::string::npos) << output;
  EXPECT_EQ(Column(db_path, "SELECT COUNT(*) FROM organization_member_roles"),
            std::vector<std::string>{std::to_string(kMemberships)});
  EXPECT_EQ(Column(db_path, "SELECT COUNT(*) FROM users_fts WHERE users_fts MATCH '\"user12@\"'"),
            std::vector<std::string>{"1"});
  EXPECT_EQ(Column(db_path, "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
  EXPECT_EQ(Column(db_path, kSchema), schema);
  EXPECT_EQ(Column(db_path, "PRAGMA journal_mode"), std::vector<std::string>{"wal"});
}

}  // namespace
}  // namespace orgd::testing
