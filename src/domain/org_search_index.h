#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>

#include "domain/read_model.h"
#include "store/change_feed.h"
#include "store/store.h"

namespace orgd::domain {

// The number of organizations a `q` search matches (OrganizationListQuery::q, the Logto
// `Total-Number` of a search), counted in memory instead of by SQL. At a million organizations a
// frequent word matches tens of thousands of them, and counting those in SQL reads every match
// (60-90 ms on either engine); here the count intersects the posting lists of the word's
// trigrams and checks each candidate's text (a few milliseconds).
//
// What it holds: every organization's search texts as the store compares them
// (store::OrganizationStore::ListOrganizationSearchTexts), packed in one buffer, and for each
// three-byte sequence the sorted list of the organizations whose texts contain it.
//
// Exactly right, as the read model it follows: it is built in the background from the store and
// then kept in step by the read model's change feed (ReadModel::AddPollObserver), which reports
// every organization whose row changed. Count first waits for the model to be fresh for the call
// (ReadModel::Generation), then re-reads the organizations reported since the last count, then
// counts; so every write committed, in any process, before the call began is counted. When the
// feed cannot say what changed (its first poll, or a burst of changes too large for one poll),
// the index is rebuilt, and Count answers nullopt until it is: the caller counts in SQL.
//
// Memory: about 350 bytes per organization with a name of 25 characters (the texts, and 6 bytes
// per distinct trigram of each: where it occurs, for a search of one literal run is decided from
// the positions of its trigrams). Organizations that are renamed or deleted leave a dead entry
// until the next rebuild, which starts once they outnumber a quarter of the live ones.
//
// Thread-safe. Counts are serialized (one at a time, each a few milliseconds at a million
// organizations); repeated searches are answered by the list cache before they get here.
class OrgSearchIndex {
 public:
  struct Stats {
    bool ready = false;
    int64_t organizations = 0;  // live entries
    int64_t dead = 0;           // entries of renamed or deleted organizations, until a rebuild
    int64_t builds = 0;         // completed builds
    int64_t bytes = 0;          // approximate memory held
  };

  // `store` and `model` must outlive the index. Registers a poll observer on `model`, so it must
  // be made before the model serves any call.
  OrgSearchIndex(store::OrganizationStore& store, ReadModel& model);
  // Stops the builder thread.
  ~OrgSearchIndex();
  OrgSearchIndex(const OrgSearchIndex&) = delete;
  OrgSearchIndex& operator=(const OrgSearchIndex&) = delete;

  // Starts the builder thread, which builds the index now and again whenever the feed loses
  // track. Until the first build completes, Count answers nullopt. Idempotent.
  void Start();

  // Called on the builder thread after each completed build, with the stats of the new index
  // and the build's duration in seconds (for a log line). Set before Start.
  void OnBuilt(std::function<void(const Stats& stats, double seconds)> on_built) {
    on_built_ = std::move(on_built);
  }

  // How many organizations the search `q` matches: ListOrganizations's predicate, i.e. the LIKE
  // pattern '%' + ASCII-lower-cased q + '%' (`%` and `_` wildcards, `\` escapes the next
  // character) against either search text. nullopt when the index cannot answer: not built yet,
  // being rebuilt, the feed or the store could not be read, or a `q` whose LIKE semantics the
  // engines do not share (a NUL byte, invalid UTF-8); the caller then counts in
  // SQL. An empty q is every organization.
  std::optional<int64_t> Count(std::string_view q);

  // Waits until no build is pending or running; true if the index can then answer. For tests
  // and the bench.
  bool WaitUntilBuilt(std::chrono::milliseconds timeout);

  Stats stats() const;

  // Organizations read per query while building.
  static constexpr int64_t kBuildPage = 10'000;
  // The builder applies the reported changes itself once this many wait (counts apply them too).
  static constexpr size_t kBackgroundApply = 4096;
  // Dead entries that start a rebuild, once they also outnumber a quarter of the live ones.
  static constexpr int64_t kMinDeadForRebuild = 1024;
  // How long a build that failed (the store could not be read) waits before the next attempt.
  static constexpr std::chrono::seconds kRetryDelay{1};
  // A build starts no sooner than this many times the previous build's duration after it ended.
  static constexpr int kBuildSpacing = 4;

 private:
  class State;

  // stats(), for a caller that holds count_mu_ and mu_.
  Stats StatsLocked() const;
  void Observe(const store::ChangePoll& poll);
  void BuildLoop();
  // Re-reads the organizations of pending_ into state_. Requires count_mu_; takes mu_ itself.
  // False when the store could not be read (pending_ is then kept).
  bool ApplyPending();

  store::OrganizationStore& store_;
  ReadModel& model_;
  std::function<void(const Stats&, double)> on_built_;

  // Held by a count from start to end, and by the builder while it swaps in a new state: so
  // state_ changes under it only, and re-reads of the same organization never cross.
  mutable std::mutex count_mu_;
  std::unique_ptr<State> state_;  // guarded by count_mu_; null until built
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool valid_ = false;  // guarded by mu_; state_ is usable (false from an "everything" to a build)
  // Organizations reported since state_ was last brought up to date (guarded by mu_).
  std::unordered_set<std::string> pending_;
  // While a build runs: the organizations reported since it began, to apply to its result.
  std::unordered_set<std::string> changed_during_build_;  // guarded by mu_
  bool building_ = false;                                  // guarded by mu_
  bool build_requested_ = false;                           // guarded by mu_
  uint64_t invalidations_ = 0;  // guarded by mu_; +1 per "everything" (a build started before is void)
  bool stopping_ = false;       // guarded by mu_
  int64_t builds_ = 0;          // guarded by mu_
  std::chrono::steady_clock::time_point next_build_;  // guarded by mu_; see kBuildSpacing
  std::thread builder_;         // started under mu_
};

}  // namespace orgd::domain
