#pragma once

#include <atomic>
#include <climits>
#include <functional>
#include <optional>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "common/result.h"
#include "store/store.h"

namespace orgd::auth {

struct ClientVersionsOptions {
  // How old the in-memory map may get before a check re-reads the database's clients revision:
  // the bound on how long a change made by another process goes unseen.
  int64_t max_staleness_ms = 100;
  // A check that finds the client unknown, or the token newer than the map, suspects the map is
  // stale and re-reads at once, unless a refresh started after the check began (concurrent
  // checks share one refresh). So a deleted client's validly signed token replayed in a loop costs
  // one primary-key query per request, never a wrong answer.
};

// Every client's current secret version, kept in memory so that checking a token's `cv` claim
// costs a hash lookup, not a query. Thread-safe.
//
// Freshness: the map is an immutable snapshot swapped atomically. A check whose snapshot is older
// than max_staleness_ms first reads the store's clients revision (one primary-key row) and, only
// when that moved, lists the clients again. So a rotation or deletion made by another process is
// seen by every check that starts max_staleness_ms after it committed; one made in this process
// through ClientService is seen at once (it calls Refresh after its write). When the store fails,
// the last snapshot stays in use and the failure is logged.
class ClientVersions {
 public:
  ClientVersions(store::ClientStore& store, const Clock& clock, ClientVersionsOptions options = {});

  // Re-reads now (the revision, then the clients when it moved). Store errors pass through.
  Result<void> Refresh();
  // True when `client_id` exists and its secret version is `version`.
  bool IsCurrent(std::string_view client_id, int64_t version);
  // How many times the clients were listed (snapshots built), for tests and metrics.
  int64_t reloads() const { return reloads_.load(std::memory_order_relaxed); }

 private:
  // Transparent, so that a lookup by string_view does not allocate.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, int64_t, Hash, std::equal_to<>>;
  struct Snapshot {
    int64_t revision = -1;  // -1: never loaded
    Map versions;
  };
  std::shared_ptr<const Snapshot> Current() const;
  // The current snapshot through a per-thread copy of the pointer, refreshed when `generation_`
  // moved: a check takes no lock and writes no shared memory, so the I/O threads do not pass a
  // lock's cache line between cores on every request. Valid until this thread's next call.
  const Snapshot& ThreadSnapshot() const;
  // Refreshes when the snapshot was started more than `max_age_ms` ago.
  void RefreshIfOlderThan(int64_t max_age_ms);
  Result<void> RefreshLocked(int64_t now_ms);
  // RefreshLocked, logging when refreshing starts or stops failing. Caller holds refresh_mu_.
  void RefreshLoggedLocked(int64_t now_ms);

  store::ClientStore& store_;
  const Clock& clock_;
  ClientVersionsOptions options_;
  mutable std::mutex snapshot_mu_;  // guards the pointer only; snapshots are immutable
  std::shared_ptr<const Snapshot> snapshot_;
  std::atomic<uint64_t> generation_{0};  // raised after each change of snapshot_
  const uint64_t instance_;              // tells this object from one later at the same address
  std::mutex refresh_mu_;  // one refresh at a time
  bool failing_ = false;   // under refresh_mu_: the last periodic refresh failed
  std::atomic<int64_t> refreshed_at_ms_{INT64_MIN / 2};
  std::atomic<uint64_t> refreshes_started_{0};  // bumped under refresh_mu_ as a refresh starts
  std::atomic<int64_t> reloads_{0};
};

}  // namespace orgd::auth
