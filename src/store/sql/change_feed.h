#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "store/change_feed.h"
#include "store/db.h"

namespace orgd::store::sql {

struct SqlChangeFeedOptions {
  // A connection of the feed's own, outside the pool, for Poll (SQLite file databases, where it
  // makes `commit_counter` possible); null: Poll borrows a pooled connection each time.
  std::unique_ptr<Connection> poll_connection;
  // Reads, on poll_connection, a number that changes whenever another connection has committed
  // since the previous read (SQLite PRAGMA data_version). When set, a Poll that finds it
  // unchanged answers "nothing changed" without querying the table.
  std::function<Result<int64_t>()> commit_counter;
  // Makes, for each thread that calls ThreadCommitCounter, a commit counter as above on a
  // connection of that thread's own (SQLite file databases); null: ThreadCommitCounter answers
  // nullopt. The counters live as long as the feed.
  std::function<Result<std::function<Result<int64_t>()>>()> open_thread_counter;
  // The most organizations one Poll lists; a Poll that finds more reports `everything` instead.
  int64_t max_organizations = 4096;
};

// The change feed and grant snapshots over the SQL schema: the `changes` table of migration 0010
// (one row per organization, the row '' for the catalog, kept by triggers) and the grant tables.
// The one engine difference is the position a reader keeps between polls: on SQLite the highest
// `seq` seen (writers commit one at a time, in seq order); on PostgreSQL the xmin of the previous
// poll's snapshot and the rows seen at or above it (see migrations/postgres/0010_change_feed.sql).
//
// Poll is not thread-safe (ChangeFeed's contract); the GrantSnapshots methods are, on pooled
// connections. `db` must outlive the feed.
class SqlChangeFeed final : public ChangeFeed, public GrantSnapshots {
 public:
  explicit SqlChangeFeed(Database& db, SqlChangeFeedOptions options = {});
  SqlChangeFeed(const SqlChangeFeed&) = delete;
  SqlChangeFeed& operator=(const SqlChangeFeed&) = delete;

  Result<ChangePoll> Poll() override;
  Result<std::optional<int64_t>> ThreadCommitCounter() override;

  Result<void> ReadOrganizationGrants(const OrgId& org,
                                      const std::function<void(const GrantRow&)>& on_row) override;
  Result<GrantCatalog> ReadGrantCatalog() override;

  // Polls that queried the table (the others were answered by commit_counter), for tests.
  int64_t queries() const { return queries_; }

 private:
  Result<ChangePoll> PollOn(Connection& conn);
  Result<ChangePoll> PollSqlite(Connection& conn);
  Result<ChangePoll> PollPostgres(Connection& conn);

  Database& db_;
  SqlChangeFeedOptions options_;
  bool started_ = false;
  std::optional<int64_t> counter_;  // commit_counter at the last successful poll
  int64_t position_ = 0;            // SQLite: highest seq seen; PostgreSQL: previous xmin
  // PostgreSQL: the rows at or above position_ already reported, org id → xid.
  std::unordered_map<std::string, int64_t> seen_;
  int64_t queries_ = 0;
  // ThreadCommitCounter: this feed's key in each thread's table of counters (never reused, so a
  // thread's entry for a destroyed feed is never looked up again), and the counters it made.
  const uint64_t instance_;
  std::mutex thread_counters_mu_;
  std::vector<std::unique_ptr<std::function<Result<int64_t>()>>> thread_counters_;
};

}  // namespace orgd::store::sql
