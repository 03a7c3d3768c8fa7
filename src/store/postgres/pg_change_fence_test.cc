// The write fence and reader leases of pg_change_fence.h, against the server of
// ORGD_TEST_POSTGRES_URL (skipped without it). Each PgDatabase stands for one orgd process; each
// test works in schemas of its own, migrated as orgd migrates them.
#include "store/postgres/pg_change_fence.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/sql/migrations.h"
#include "tests/support/pg_schema.h"

namespace orgd::store::postgres {
namespace {

using std::chrono::milliseconds;
using Clock = ChangeSubscription::Clock;

std::string ErrorText(const Error& e) { return e.message + " (" + e.detail + ")"; }
template <typename T>
std::string ErrorText(const Result<T>& r) {
  return r ? "" : ErrorText(r.error());
}

class PgChangeFenceTest : public ::testing::Test {
 protected:
  // A migrated schema of its own; null after GTEST_SKIP.
  std::unique_ptr<orgd::testing::PgTestSchema> NewSchema() {
    std::string skip;
    auto schema = orgd::testing::PgTestSchema::Create(&skip);
    EXPECT_TRUE(schema) << ErrorText(schema);
    if (!schema || *schema == nullptr) return nullptr;
    auto db = PgDatabase::Open((*schema)->url(), {.pool_size = 2});
    EXPECT_TRUE(db) << ErrorText(db);
    if (!db) return nullptr;
    auto migrated = sql::Migrate(**db);
    EXPECT_TRUE(migrated) << ErrorText(migrated);
    auto lease = (*db)->Acquire();
    EXPECT_TRUE(lease);
    EXPECT_TRUE((*lease)->ExecScript("CREATE TABLE scratch (n BIGINT)"));
    return std::move(*schema);
  }

  void SetUp() override {
    if (std::getenv("ORGD_TEST_POSTGRES_URL") == nullptr) {
      GTEST_SKIP() << "ORGD_TEST_POSTGRES_URL is not set";
    }
    schema_ = NewSchema();
    ASSERT_NE(schema_, nullptr);
  }

  // A database handle: one "process".
  static std::unique_ptr<PgDatabase> Process(const orgd::testing::PgTestSchema& schema) {
    auto db = PgDatabase::Open(schema.url(), {.pool_size = 4});
    EXPECT_TRUE(db) << ErrorText(db);
    return db ? std::move(*db) : nullptr;
  }

  static std::unique_ptr<PgChangeFence> Fence(PgDatabase& db, PgChangeFenceOptions options) {
    auto fence = PgChangeFence::Open(db, options);
    EXPECT_TRUE(fence) << ErrorText(fence);
    return fence ? std::move(*fence) : nullptr;
  }

  // One reader round: a fence, (the poll would go here), the acknowledgement.
  static std::optional<Clock::time_point> Round(PgChangeFence& reader) {
    auto fence = reader.TakeFence();
    EXPECT_TRUE(fence) << ErrorText(fence);
    if (!fence) return std::nullopt;
    auto acknowledged = reader.Acknowledge(*fence);
    EXPECT_TRUE(acknowledged) << ErrorText(acknowledged);
    return acknowledged ? *acknowledged : std::nullopt;
  }

  static void Insert(PgDatabase& db, int64_t n) {
    auto lease = db.Acquire();
    ASSERT_TRUE(lease) << ErrorText(lease);
    ASSERT_TRUE((*lease)->Exec("INSERT INTO scratch (n) VALUES ($1)", {Int(n)}));
  }

  // Runs Insert on a thread of its own; `done` is set once the insert (and its fence) returned.
  static std::thread InsertInBackground(PgDatabase& db, std::atomic<bool>& done) {
    return std::thread([&db, &done] {
      Insert(db, 1);
      done = true;
    });
  }

  // Reads `follower`'s notifications, as its follower thread does between rounds, until
  // destroyed: acknowledgements then reach its writers as notifications.
  class Pump {
   public:
    explicit Pump(PgChangeFence& follower)
        : thread_([this, &follower] {
            while (!stop_) (void)follower.WaitForWrites(milliseconds(20));
          }) {}
    ~Pump() {
      stop_ = true;
      thread_.join();
    }

   private:
    std::atomic<bool> stop_{false};
    std::thread thread_;
  };

  std::unique_ptr<orgd::testing::PgTestSchema> schema_;
};

TEST_F(PgChangeFenceTest, ConnectionsTellWhichCommitsWroteRows) {
  auto db = Process(*schema_);
  auto lease = db->Acquire();
  ASSERT_TRUE(lease);
  auto& conn = static_cast<PgConnection&>(**lease);
  ASSERT_TRUE(conn.Query("SELECT n FROM scratch", {}, [](const Row&) {}));
  EXPECT_FALSE(conn.TakeCommittedWrite());
  ASSERT_TRUE(conn.Exec("UPDATE scratch SET n = 2 WHERE n = 1", {}));  // no row
  EXPECT_FALSE(conn.TakeCommittedWrite());
  ASSERT_TRUE(conn.Exec("INSERT INTO scratch (n) VALUES (1)", {}));
  EXPECT_TRUE(conn.TakeCommittedWrite());
  EXPECT_FALSE(conn.TakeCommittedWrite());  // taken

  ASSERT_TRUE(conn.Begin(TxMode::kWrite));
  ASSERT_TRUE(conn.Exec("INSERT INTO scratch (n) VALUES (2)", {}));
  EXPECT_FALSE(conn.TakeCommittedWrite());  // not committed yet
  conn.Rollback();
  EXPECT_FALSE(conn.TakeCommittedWrite());

  ASSERT_TRUE(conn.Begin(TxMode::kWrite));
  ASSERT_TRUE(conn.Exec("DELETE FROM scratch WHERE n = 1", {}));
  ASSERT_TRUE(conn.Commit());
  EXPECT_TRUE(conn.TakeCommittedWrite());

  // The pool counts the leases that committed a write as they come back.
  const uint64_t before = db->write_commits();
  { auto reading = db->Acquire(); ASSERT_TRUE((*reading)->Query("SELECT 1", {}, [](const Row&) {})); }
  EXPECT_EQ(db->write_commits(), before);
  Insert(*db, 3);
  EXPECT_EQ(db->write_commits(), before + 1);
}

TEST_F(PgChangeFenceTest, AWriteWaitsUntilEveryOtherFollowerHasAcknowledgedIt) {
  auto a_db = Process(*schema_);
  auto b_db = Process(*schema_);
  // A follows too, but never runs a round: a writer does not wait for its own process.
  auto a = Fence(*a_db, {.lease = milliseconds(60'000)});
  auto b = Fence(*b_db, {.lease = milliseconds(60'000)});
  ASSERT_TRUE(a && b);
  Pump pump(*a);
  ASSERT_TRUE(Round(*b).has_value());
  // A new session assumes it missed notifications: the first wait returns at once.
  auto first = b->WaitForWrites(milliseconds(0));
  ASSERT_TRUE(first);
  EXPECT_TRUE(*first);

  std::atomic<bool> done{false};
  std::thread writer = InsertInBackground(*a_db, done);
  // B hears of the write, and the writer is still waiting for B.
  auto woke = b->WaitForWrites(milliseconds(10'000));
  ASSERT_TRUE(woke) << ErrorText(woke);
  EXPECT_TRUE(*woke);
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_FALSE(done);
  // B's next round (its fence is taken after the write) releases it.
  ASSERT_TRUE(Round(*b).has_value());
  writer.join();
  EXPECT_TRUE(done);
  EXPECT_EQ(a->stats().fences, 1);
  EXPECT_EQ(a->stats().waits, 1);
  EXPECT_EQ(b->stats().fences, 0);
  // B's own notifications do not wake it; nothing else wrote.
  auto quiet = b->WaitForWrites(milliseconds(200));
  ASSERT_TRUE(quiet);
  EXPECT_FALSE(*quiet);
}

TEST_F(PgChangeFenceTest, AFollowerWhoseLeaseRanOutIsPassedOverAndTrustedOnlyAfterRejoining) {
  auto a_db = Process(*schema_);
  auto b_db = Process(*schema_);
  // A writes only (a one-shot command): it learns of acknowledgements by re-reading the rows.
  auto a = Fence(*a_db, {.follow = false});
  auto b = Fence(*b_db, {.lease = milliseconds(400), .margin = milliseconds(100)});
  ASSERT_TRUE(a && b);
  const auto before = Clock::now();
  const std::optional<Clock::time_point> trusted = Round(*b);
  ASSERT_TRUE(trusted.has_value());
  EXPECT_LE(*trusted, Clock::now() + milliseconds(300));
  EXPECT_GE(*trusted, before + milliseconds(300));

  // B stops acknowledging: the write completes once B's lease is past, and marks B lapsed.
  std::atomic<bool> done{false};
  std::thread writer = InsertInBackground(*a_db, done);
  writer.join();
  EXPECT_GE(Clock::now(), *trusted);
  EXPECT_EQ(a->stats().marked_lapsed, 1);
  EXPECT_EQ(a->stats().waits, 1);

  // B's next acknowledgement is refused: it rejoins, and is trusted from the round after.
  EXPECT_EQ(Round(*b), std::nullopt);
  EXPECT_EQ(b->stats().rejoins, 1);
  EXPECT_TRUE(Round(*b).has_value());
  // And writers wait for it again.
  std::atomic<bool> again{false};
  std::thread second = InsertInBackground(*a_db, again);
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_FALSE(again);
  ASSERT_TRUE(Round(*b).has_value());
  second.join();
  EXPECT_EQ(a->stats().marked_lapsed, 1);
}

TEST_F(PgChangeFenceTest, AFollowerThatLeftIsNotWaitedFor) {
  auto a_db = Process(*schema_);
  auto b_db = Process(*schema_);
  auto a = Fence(*a_db, {.follow = false});
  auto b = Fence(*b_db, {.lease = milliseconds(60'000)});
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(Round(*b).has_value());
  b.reset();  // deletes its row
  Insert(*a_db, 1);
  EXPECT_EQ(a->stats().fences, 1);
  EXPECT_EQ(a->stats().waits, 0);
}

// Notification channels are shared by the whole database; followers of another schema (another
// orgd deployment) with the same row ids must not release a writer here.
TEST_F(PgChangeFenceTest, AcknowledgementsFromAnotherSchemaDoNotCount) {
  auto other = NewSchema();
  ASSERT_NE(other, nullptr);
  auto a_db = Process(*schema_);
  auto b_db = Process(*schema_);
  auto c_db = Process(*other);
  auto d_db = Process(*other);
  auto a = Fence(*a_db, {.lease = milliseconds(60'000)});
  auto b = Fence(*b_db, {.lease = milliseconds(60'000)});
  auto c = Fence(*c_db, {.lease = milliseconds(60'000)});
  auto d = Fence(*d_db, {.lease = milliseconds(60'000)});
  ASSERT_TRUE(a && b && c && d);
  ASSERT_EQ(b->reader_id(), d->reader_id());  // the same id in each schema
  Pump pump(*a);
  ASSERT_TRUE(Round(*b).has_value());

  std::atomic<bool> done{false};
  std::thread writer = InsertInBackground(*a_db, done);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Round(*d).has_value());  // fences well above A's
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_FALSE(done);
  ASSERT_TRUE(Round(*b).has_value());
  writer.join();
  EXPECT_TRUE(done);
}

}  // namespace
}  // namespace orgd::store::postgres
