#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "store/change_feed.h"
#include "store/postgres/pg_db.h"

namespace orgd::store::postgres {

struct PgChangeFenceOptions {
  // Follow the change feed (a serving process): hold a row in change_readers, so that writers
  // wait for this process. False: a writer only (a one-shot command), waited for by nobody.
  bool follow = true;
  // How long a renewal holds, on the server's clock.
  std::chrono::milliseconds lease{2000};
  // Taken off the lease on this side, for the time a renewal may take to reach the server.
  std::chrono::milliseconds margin{300};
  // How often a waiting writer re-reads the rows of readers whose acknowledgements have not
  // arrived as notifications (a follower's thread receives them; a writer that does not follow
  // learns of acknowledgements only this way, and re-reads every `recheck_unfollowed`).
  std::chrono::milliseconds recheck{5};
  std::chrono::milliseconds recheck_unfollowed{1};
  // The longest a writer waits for readers while the database cannot be read; then it logs a
  // warning and carries on.
  std::chrono::milliseconds give_up{30000};
};

// The cross-process half of the read model's freshness on PostgreSQL (store::ChangeSubscription
// over migrations/postgres/0014_change_readers.sql), and the write side that goes with it: as
// the pool's PgWriteObserver, it makes every write committed through `db` wait, before its caller
// sees it done, until every other process following the feed has acknowledged it.
//
// Writers, after each commit, once the connection is back in the pool (one statement on a pooled
// connection): take a fence (nextval of change_fence), NOTIFY orgd_changes_<oid>, and read
// change_readers (the channels are named after the table's OID: one pair per schema, as a
// database's channels are shared). Then, without holding a connection, wait until every other
// reader has acked a higher fence (their acknowledgements
// arrive as NOTIFY orgd_acks_<oid> on this process's listening session; rows are re-read every
// `recheck` meanwhile) or has lapsed: a reader whose lease is past is marked `lapsed` with an
// UPDATE that the row lock orders against its renewal. Cost: one round trip per commit when no
// other process follows the feed; otherwise also the others' rounds (a fence, a poll, an ack).
//
// Readers (the ChangeSubscription calls, on one thread): LISTEN on both channels on a session of
// their own; Acknowledge renews with UPDATE ... WHERE NOT lapsed and trusts the lease
// until `lease - margin` after it sent the renewal, or rejoins when a writer marked it.
//
// Assumes the processes' monotonic clocks run at the rate of the server's clock (leases are a
// few seconds; the margin covers drift and the renewal's trip). Writes made by anything other
// than orgd (psql, another program) do not wait; readers see them within one renewal.
class PgChangeFence final : public ChangeSubscription, public PgWriteObserver {
 public:
  // Opens the listening session (follow only: registers this process) and installs itself as
  // `db`'s write observer. `db` must outlive the fence.
  static Result<std::unique_ptr<PgChangeFence>> Open(PgDatabase& db,
                                                     PgChangeFenceOptions options = {});
  // Removes itself from `db` and, when following, deletes its row (writers stop waiting for it).
  // No lease of `db` may be out.
  ~PgChangeFence() override;
  PgChangeFence(const PgChangeFence&) = delete;
  PgChangeFence& operator=(const PgChangeFence&) = delete;

  Result<bool> WaitForWrites(std::chrono::milliseconds timeout) override;
  Result<int64_t> TakeFence() override;
  Result<std::optional<Clock::time_point>> Acknowledge(int64_t fence) override;
  uint64_t LocalWrites() const override { return db_.write_commits(); }

  // Fences the write just committed on this thread (see the class comment).
  void Committed() override;

  // This process's row in change_readers (0 when not following).
  int64_t reader_id() const { return reader_id_; }

  struct Stats {
    int64_t fences = 0;        // commits fenced
    int64_t waits = 0;         // of which waited for another reader
    int64_t rechecks = 0;      // re-reads of change_readers by waiting writers
    int64_t marked_lapsed = 0; // readers this process's writers marked lapsed
    int64_t rejoins = 0;       // times this reader found itself marked lapsed
  };
  Stats stats() const;

 private:
  struct Waiting {
    int64_t id = 0;
    Clock::time_point lease_end;  // on this side's clock, no earlier than the server's
  };

  PgChangeFence(PgDatabase& db, PgChangeFenceOptions options);
  std::chrono::milliseconds RecheckEvery() const {
    return options_.follow ? options_.recheck : options_.recheck_unfollowed;
  }
  // Reconnects the listening session and LISTENs again when it was lost.
  Result<void> EnsureListening();
  // Files notifications: acknowledgements into acks_, others' writes into changes_pending_.
  void Absorb(std::vector<PgNotification> notifications);
  // Waits for `needed` to ack a fence above `fence` or lapse.
  void AwaitReaders(int64_t fence, std::vector<Waiting> needed);
  // Re-reads the rows of `needed`; returns those still to wait for.
  Result<std::vector<Waiting>> Recheck(int64_t fence, const std::vector<Waiting>& needed);

  PgDatabase& db_;
  const PgChangeFenceOptions options_;
  std::unique_ptr<PgConnection> listener_;  // follow only; the follower thread's
  int listening_pid_ = 0;  // the listener's backend when it last LISTENed
  int64_t reader_id_ = 0;
  const std::string host_;  // this machine's name and this process's id, for change_readers
  const int64_t pid_;
  std::string reader_tag_;  // reader_id_ as text: the payload of this process's notifications
  // orgd_changes_<oid> and orgd_acks_<oid>, after change_readers' OID (one pair per schema).
  std::string changes_channel_;
  std::string acks_channel_;

  mutable std::mutex mu_;
  std::condition_variable acked_;
  std::unordered_map<int64_t, int64_t> acks_;  // guarded by mu_: reader → highest fence acked
  bool changes_pending_ = false;               // guarded by mu_
  Stats stats_;                                // guarded by mu_
};

}  // namespace orgd::store::postgres
