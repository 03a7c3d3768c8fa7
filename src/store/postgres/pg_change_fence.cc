#include "store/postgres/pg_change_fence.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <string_view>
#include <thread>
#include <utility>

#include "common/log.h"

namespace orgd::store::postgres {
namespace {

using Clock = ChangeSubscription::Clock;

// Channels are per database, tables per schema: the channels are named after the table's OID,
// so that deployments in different schemas of one database never hear each other.
constexpr std::string_view kTableOid =
    "SELECT CAST(CAST(CAST('change_readers' AS regclass) AS oid) AS BIGINT)";

constexpr std::string_view kDeleteStaleReaders =
    "DELETE FROM change_readers WHERE lease_until < clock_timestamp() - interval '1 hour'";
constexpr std::string_view kRegister =
    "INSERT INTO change_readers (lease_until, host, pid) "
    "VALUES (clock_timestamp() + CAST($1 AS BIGINT) * interval '1 millisecond', $2, $3) "
    "RETURNING id";
constexpr std::string_view kRejoin =
    "INSERT INTO change_readers (id, lease_until, host, pid) "
    "VALUES ($1, clock_timestamp() + CAST($2 AS BIGINT) * interval '1 millisecond', $3, $4) "
    "ON CONFLICT (id) DO UPDATE SET lapsed = false, lease_until = excluded.lease_until";
constexpr std::string_view kLeave = "DELETE FROM change_readers WHERE id = $1";
constexpr std::string_view kTakeFence = "SELECT nextval('change_fence')";
// Renews only a lease no writer has passed over; the notification goes out at commit.
constexpr std::string_view kRenew =
    "UPDATE change_readers SET acked = GREATEST(acked, CAST($2 AS BIGINT)), "
    "lease_until = clock_timestamp() + CAST($3 AS BIGINT) * interval '1 millisecond' "
    "WHERE id = $1 AND NOT lapsed "
    "RETURNING pg_notify(CAST($5 AS TEXT), CAST($4 AS TEXT))";
// After a commit: the fence, the notification, and every other reader not known to be lapsed,
// with the milliseconds its lease has left. The CTE is materialized (nextval is volatile), so it
// runs once even when no reader row joins it.
constexpr std::string_view kWriterFence =
    "WITH f AS (SELECT nextval('change_fence') AS fence, "
    "pg_notify(CAST($3 AS TEXT), CAST($1 AS TEXT)) AS notified) "
    "SELECT f.fence, r.id, r.acked, r.left_ms FROM f LEFT JOIN ("
    "SELECT id, acked, "
    "CAST(EXTRACT(EPOCH FROM (lease_until - clock_timestamp())) * 1000 AS BIGINT) AS left_ms "
    "FROM change_readers WHERE id <> CAST($2 AS BIGINT) AND NOT lapsed) r ON true";
constexpr std::string_view kRecheck =
    "SELECT id, acked, lapsed, "
    "CAST(EXTRACT(EPOCH FROM (lease_until - clock_timestamp())) * 1000 AS BIGINT) "
    "FROM change_readers WHERE id = ANY(CAST($1 AS BIGINT[]))";
// Passes over a reader whose lease is past. Ordered against its renewal by the row lock: if the
// renewal commits first, this finds the new lease and changes nothing.
constexpr std::string_view kMarkLapsed =
    "UPDATE change_readers SET lapsed = true "
    "WHERE id = $1 AND NOT lapsed AND acked <= $2 AND lease_until <= clock_timestamp()";

// Set while this thread fences a write: the writes the fence makes itself (marking a reader
// lapsed) are not fenced again.
thread_local bool fencing = false;

int64_t ParseInt(std::string_view text) {
  int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::string HostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

// The local time by which a lease that had `left_ms` left on the server when the answer came has
// surely ended there: the answer left the server before now.
Clock::time_point LeaseEnd(int64_t left_ms) {
  return Clock::now() + std::chrono::milliseconds(std::max<int64_t>(left_ms, 0) + 1);
}

}  // namespace

PgChangeFence::PgChangeFence(PgDatabase& db, PgChangeFenceOptions options)
    : db_(db), options_(options), host_(HostName()), pid_(::getpid()) {}

Result<std::unique_ptr<PgChangeFence>> PgChangeFence::Open(PgDatabase& db,
                                                           PgChangeFenceOptions options) {
  std::unique_ptr<PgChangeFence> fence(new PgChangeFence(db, options));
  {
    auto lease = db.Acquire();
    if (!lease) return std::move(lease).error();
    int64_t oid = 0;
    ORGD_TRY((*lease)->Query(kTableOid, {}, [&](const Row& row) { oid = row.GetInt(0); }));
    fence->changes_channel_ = "orgd_changes_" + std::to_string(oid);
    fence->acks_channel_ = "orgd_acks_" + std::to_string(oid);
  }
  if (options.follow) {
    auto listener = db.OpenDedicated();
    if (!listener) return std::move(listener).error();
    fence->listener_ = std::move(*listener);
    PgConnection& conn = *fence->listener_;
    ORGD_TRY(conn.Exec(kDeleteStaleReaders, {}));
    ORGD_TRY(conn.Query(kRegister,
                        {Int(options.lease.count()), Text(fence->host_), Int(fence->pid_)},
                        [&](const Row& row) { fence->reader_id_ = row.GetInt(0); }));
    fence->reader_tag_ = std::to_string(fence->reader_id_);
    ORGD_TRY(fence->EnsureListening());
  }
  db.SetWriteObserver(fence.get());
  return fence;
}

PgChangeFence::~PgChangeFence() {
  db_.SetWriteObserver(nullptr);
  if (listener_ && reader_id_ != 0) {
    // Best effort: a row left behind only makes writers wait out its lease once.
    (void)listener_->Exec(kLeave, {Int(reader_id_)});
  }
}

PgChangeFence::Stats PgChangeFence::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

Result<void> PgChangeFence::EnsureListening() {
  if (!listener_) return Error::Internal("this process does not follow the change feed");
  if (listening_pid_ != 0 && listener_->backend_pid() == listening_pid_ && !listener_->broken()) {
    return {};
  }
  // A new session (first use, or the old one was lost and replaced): subscribe again, and assume
  // notifications were missed meanwhile.
  ORGD_TRY(listener_->Listen(changes_channel_));
  ORGD_TRY(listener_->Listen(acks_channel_));
  listening_pid_ = listener_->backend_pid();
  std::lock_guard lock(mu_);
  changes_pending_ = true;
  return {};
}

void PgChangeFence::Absorb(std::vector<PgNotification> notifications) {
  if (notifications.empty()) return;
  bool acked = false;
  {
    std::lock_guard lock(mu_);
    for (const PgNotification& n : notifications) {
      if (n.channel == acks_channel_) {
        const std::string_view payload = n.payload;
        const size_t space = payload.find(' ');
        if (space == std::string_view::npos) continue;
        const int64_t reader = ParseInt(payload.substr(0, space));
        const int64_t fence = ParseInt(payload.substr(space + 1));
        int64_t& known = acks_[reader];
        known = std::max(known, fence);
        acked = true;
      } else if (n.channel == changes_channel_ && n.payload != reader_tag_) {
        changes_pending_ = true;
      }
    }
  }
  if (acked) acked_.notify_all();
}

Result<bool> PgChangeFence::WaitForWrites(std::chrono::milliseconds timeout) {
  ORGD_TRY(EnsureListening());
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (changes_pending_) {
        changes_pending_ = false;
        return true;
      }
    }
    if (Clock::now() >= deadline) return false;
    auto got = listener_->WaitForNotifications(deadline);
    if (!got) return std::move(got).error();
    Absorb(std::move(*got));
  }
}

Result<int64_t> PgChangeFence::TakeFence() {
  ORGD_TRY(EnsureListening());
  int64_t fence = 0;
  ORGD_TRY(listener_->Query(kTakeFence, {}, [&](const Row& row) { fence = row.GetInt(0); }));
  Absorb(listener_->TakeNotifications());
  return fence;
}

Result<std::optional<Clock::time_point>> PgChangeFence::Acknowledge(int64_t fence) {
  ORGD_TRY(EnsureListening());
  const auto sent = Clock::now();
  const std::string payload = reader_tag_ + " " + std::to_string(fence);
  int rows = 0;
  ORGD_TRY(listener_->Query(kRenew,
                            {Int(reader_id_), Int(fence), Int(options_.lease.count()),
                             Text(payload), Text(acks_channel_)},
                            [&](const Row&) { ++rows; }));
  Absorb(listener_->TakeNotifications());
  if (rows == 1) return std::optional<Clock::time_point>(sent + options_.lease - options_.margin);
  // A writer passed over this reader (or its row is gone): rejoin, and trust the memory again
  // only after a poll that begins after this.
  {
    std::lock_guard lock(mu_);
    ++stats_.rejoins;
  }
  log::Warn("this process's lease on the change feed had lapsed (it stalled, or lost the "
            "database, for longer than the lease): rejoined; reads poll until the next round",
            {{"reader", reader_tag_}});
  ORGD_TRY(listener_->Exec(kRejoin, {Int(reader_id_), Int(options_.lease.count()), Text(host_),
                                     Int(pid_)}));
  return std::optional<Clock::time_point>();
}

void PgChangeFence::Committed() {
  if (fencing) return;
  fencing = true;
  struct Reset {
    ~Reset() { fencing = false; }
  } reset;

  const auto give_up_at = Clock::now() + options_.give_up;
  int64_t fence = 0;
  std::vector<Waiting> needed;
  for (;;) {
    needed.clear();
    auto fenced = [&]() -> Result<void> {
      auto lease = db_.Acquire();
      if (!lease) return std::move(lease).error();
      return (*lease)->Query(kWriterFence, {Text(reader_tag_.empty() ? "0" : reader_tag_),
                                            Int(reader_id_), Text(changes_channel_)},
                             [&](const Row& row) {
                               fence = row.GetInt(0);
                               if (row.IsNull(1)) return;
                               if (row.GetInt(2) > fence) return;
                               needed.push_back(Waiting{.id = row.GetInt(1),
                                                        .lease_end = LeaseEnd(row.GetInt(3))});
                             });
    }();
    if (fenced) break;
    if (Clock::now() >= give_up_at) {
      log::Warn("a write could not be fenced: other processes may answer without it until their "
                "next poll",
                {{"error", fenced.error().message + " " + fenced.error().detail}});
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  {
    std::lock_guard lock(mu_);
    ++stats_.fences;
    if (!needed.empty()) ++stats_.waits;
  }
  if (!needed.empty()) AwaitReaders(fence, std::move(needed));
}

void PgChangeFence::AwaitReaders(int64_t fence, std::vector<Waiting> needed) {
  const auto give_up_at = Clock::now() + options_.give_up;
  auto next_check = Clock::now() + RecheckEvery();
  for (;;) {
    {
      std::unique_lock lock(mu_);
      auto acked = [&] {
        std::erase_if(needed, [&](const Waiting& w) {
          auto it = acks_.find(w.id);
          return it != acks_.end() && it->second > fence;
        });
        return needed.empty();
      };
      auto wake = next_check;
      for (const Waiting& w : needed) wake = std::min(wake, w.lease_end);
      if (acked_.wait_until(lock, wake, acked)) return;
    }
    auto still = Recheck(fence, needed);
    if (still) {
      needed = std::move(*still);
      if (needed.empty()) return;
    } else if (Clock::now() >= give_up_at) {
      log::Warn("gave up waiting for other processes to see a write",
                {{"error", still.error().message + " " + still.error().detail}});
      return;
    }
    next_check = Clock::now() + RecheckEvery();
  }
}

Result<std::vector<PgChangeFence::Waiting>> PgChangeFence::Recheck(
    int64_t fence, const std::vector<Waiting>& needed) {
  std::string ids = "{";
  for (const Waiting& w : needed) {
    if (ids.size() > 1) ids += ',';
    ids += std::to_string(w.id);
  }
  ids += '}';
  auto lease = db_.Acquire();
  if (!lease) return std::move(lease).error();
  Connection& conn = **lease;
  std::vector<Waiting> still;
  std::vector<int64_t> past;
  ORGD_TRY(conn.Query(kRecheck, {Text(ids)}, [&](const Row& row) {
    const int64_t id = row.GetInt(0);
    if (row.GetBool(2) || row.GetInt(1) > fence) return;  // lapsed, or acked
    const int64_t left_ms = row.GetInt(3);
    if (left_ms > 0) {
      still.push_back(Waiting{.id = id, .lease_end = LeaseEnd(left_ms)});
    } else {
      past.push_back(id);
    }
  }));
  int64_t marked = 0;
  for (const int64_t id : past) {
    auto changed = conn.Exec(kMarkLapsed, {Int(id), Int(fence)});
    if (!changed) return std::move(changed).error();
    if (*changed == 1) {
      ++marked;
      log::Warn("passed over a process that stopped acknowledging writes",
                {{"reader", std::to_string(id)}});
    } else {
      // It renewed or acknowledged meanwhile: read it again next time.
      still.push_back(Waiting{.id = id, .lease_end = Clock::now() + RecheckEvery()});
    }
  }
  std::lock_guard lock(mu_);
  ++stats_.rechecks;
  stats_.marked_lapsed += marked;
  return still;
}

}  // namespace orgd::store::postgres
