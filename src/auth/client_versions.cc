#include "auth/client_versions.h"

#include <utility>

#include "common/instance_id.h"
#include "common/log.h"

namespace orgd::auth {

ClientVersions::ClientVersions(store::ClientStore& store, const Clock& clock,
                               ClientVersionsOptions options)
    : store_(store),
      clock_(clock),
      options_(options),
      snapshot_(std::make_shared<const Snapshot>()),
      instance_(NextInstanceId()) {}

std::shared_ptr<const ClientVersions::Snapshot> ClientVersions::Current() const {
  std::lock_guard lock(snapshot_mu_);
  return snapshot_;
}

const ClientVersions::Snapshot& ClientVersions::ThreadSnapshot() const {
  struct Copy {
    uint64_t instance = 0;
    uint64_t generation = 0;
    std::shared_ptr<const Snapshot> snapshot;
  };
  thread_local Copy copy;
  // Read before the pointer: a snapshot swapped in between is newer than the generation noted,
  // and the next call, seeing the generation move, takes it again.
  const uint64_t generation = generation_.load(std::memory_order_acquire);
  if (copy.instance != instance_ || copy.generation != generation || !copy.snapshot) {
    copy.snapshot = Current();
    copy.instance = instance_;
    copy.generation = generation;
  }
  return *copy.snapshot;
}

Result<void> ClientVersions::Refresh() {
  std::lock_guard lock(refresh_mu_);
  return RefreshLocked(clock_.NowMillis());
}

Result<void> ClientVersions::RefreshLocked(int64_t now_ms) {
  // Stamped before reading: a write that commits after this moment is caught by a later refresh.
  refreshed_at_ms_.store(now_ms, std::memory_order_release);
  refreshes_started_.fetch_add(1, std::memory_order_acq_rel);
  auto revision = store_.ClientsRevision();
  if (!revision) return std::move(revision).error();
  if (*revision == Current()->revision) return {};
  // Listed after the revision was read, so the list is at least as new as `revision`; a write in
  // between raises the revision again and the next refresh lists once more.
  auto clients = store_.ListClients();
  if (!clients) return std::move(clients).error();
  auto next = std::make_shared<Snapshot>();
  next->revision = *revision;
  next->versions.reserve(clients->size());
  for (const auto& c : *clients) next->versions.emplace(c.id.value(), c.secret_version);
  reloads_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard lock(snapshot_mu_);
    snapshot_ = std::move(next);
  }
  generation_.fetch_add(1, std::memory_order_release);
  return {};
}

void ClientVersions::RefreshIfOlderThan(int64_t max_age_ms) {
  const int64_t now = clock_.NowMillis();
  if (now - refreshed_at_ms_.load(std::memory_order_acquire) < max_age_ms) return;
  std::lock_guard lock(refresh_mu_);
  // Another thread may have refreshed while this one waited for the lock.
  if (now - refreshed_at_ms_.load(std::memory_order_acquire) < max_age_ms) return;
  RefreshLoggedLocked(now);
}

void ClientVersions::RefreshLoggedLocked(int64_t now) {
  // Logged when refreshing starts or stops failing, not every 100 ms of an outage.
  if (auto r = RefreshLocked(now); !r) {
    if (!failing_) {
      log::Warn("client versions refresh failed; using the last snapshot until it works again",
                {{"code", ErrorCodeName(r.error().code)}, {"message", r.error().message}});
    }
    failing_ = true;
  } else if (failing_) {
    log::Info("client versions refresh works again");
    failing_ = false;
  }
}

bool ClientVersions::IsCurrent(std::string_view client_id, int64_t version) {
  RefreshIfOlderThan(options_.max_staleness_ms);
  auto lookup = [&](const Snapshot& s) -> std::optional<int64_t> {
    auto it = s.versions.find(client_id);
    if (it == s.versions.end()) return std::nullopt;
    return it->second;
  };
  std::optional<int64_t> known = lookup(ThreadSnapshot());
  if (known && *known == version) return true;
  // Versions only grow (the store draws them from the revision counter), so a known version
  // above the token's is final. An unknown client or a token newer than the map may mean the map
  // is behind another process: look again.
  if (known && *known > version) return false;
  // Only a refresh that starts after this point can be trusted to see what committed before the
  // token was presented; one already in flight may have read too early. Concurrent checks wait
  // for each other here, and a refresh started by one of them while another waited serves both.
  const uint64_t started_before = refreshes_started_.load(std::memory_order_acquire);
  std::lock_guard lock(refresh_mu_);
  if (refreshes_started_.load(std::memory_order_acquire) == started_before) {
    RefreshLoggedLocked(clock_.NowMillis());
  }
  known = lookup(ThreadSnapshot());
  return known && *known == version;
}

}  // namespace orgd::auth
