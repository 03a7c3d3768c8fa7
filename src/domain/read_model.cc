#include "domain/read_model.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <numeric>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "common/instance_id.h"
#include "common/thread_copy.h"

namespace orgd::domain {
namespace {

constexpr uint32_t kDirect = std::numeric_limits<uint32_t>::max();

// A grant row as read, before its target is interned.
struct RawGrant {
  std::string user;
  std::string target;
  bool is_permission = false;
};

// Per thread, per model: the feed's thread counter at this thread's last EnsureFresh that saw
// every change before it applied.
thread_local std::unordered_map<uint64_t, int64_t> fresh_at_counter;
// The model whose AdmittedScope is alive on this thread (null: none).
thread_local const void* admitted_model = nullptr;

}  // namespace

uint32_t ReadModel::Interner::Intern(std::string_view id) {
  if (auto it = index_.find(id); it != index_.end()) return it->second;
  const auto index = static_cast<uint32_t>(ids_.size());
  ids_.emplace_back(id);
  index_.emplace(std::string_view(ids_.back()), index);
  return index;
}

std::optional<uint32_t> ReadModel::Interner::Find(std::string_view id) const {
  if (auto it = index_.find(id); it != index_.end()) return it->second;
  return std::nullopt;
}

const ReadModel::OrgEntry::Member* ReadModel::OrgEntry::Find(std::string_view user) const {
  auto it = std::lower_bound(members.begin(), members.end(), user,
                             [&](const Member& m, std::string_view u) { return IdOf(m) < u; });
  if (it == members.end() || IdOf(*it) != user) return nullptr;
  return &*it;
}

std::optional<std::span<const uint32_t>> ReadModel::OrgEntry::GrantsOf(
    std::string_view user) const {
  const Member* m = Find(user);
  if (m == nullptr) return std::nullopt;
  const size_t end =
      m + 1 == members.data() + members.size() ? grants.size() : (m + 1)->grants_begin;
  return std::span<const uint32_t>(grants).subspan(m->grants_begin, end - m->grants_begin);
}

ReadModel::ReadModel(store::ChangeFeed& feed, store::GrantSnapshots& snapshots)
    : ReadModel(feed, snapshots, Options{}) {}

ReadModel::ReadModel(store::ChangeFeed& feed, store::GrantSnapshots& snapshots, Options options)
    : feed_(feed),
      snapshots_(snapshots),
      instance_(NextInstanceId()),
      options_(options) {}

ReadModel::~ReadModel() { StopAdmission(); }

void ReadModel::StopAdmission() {
  {
    std::lock_guard lock(admit_mu_);
    admit_stopping_ = true;
  }
  admit_cv_.notify_all();
  if (admit_thread_.joinable()) admit_thread_.join();
  if (follow_thread_.joinable()) follow_thread_.join();
  {
    std::lock_guard lock(load_mu_);
    load_stopping_ = true;
  }
  load_cv_.notify_all();
  if (load_thread_.joinable()) load_thread_.join();
  lease_end_.store(0, std::memory_order_release);
}

void ReadModel::Follow(store::ChangeSubscription& subscription,
                       std::chrono::milliseconds renew_every) {
  follow_ = &subscription;
  follow_thread_ = std::thread([this, renew_every] { FollowLoop(renew_every); });
}

bool ReadModel::LeaseCovers(uint64_t local_writes) const {
  const int64_t now = store::ChangeSubscription::Clock::now().time_since_epoch().count();
  return now < lease_end_.load(std::memory_order_acquire) &&
         local_writes <= local_writes_applied_.load(std::memory_order_acquire);
}

bool ReadModel::FreshWithoutPoll() const {
  return follow_ != nullptr && LeaseCovers(follow_->LocalWrites());
}

void ReadModel::NoteLocalWritesApplied(uint64_t local_writes) {
  uint64_t seen = local_writes_applied_.load(std::memory_order_relaxed);
  while (seen < local_writes &&
         !local_writes_applied_.compare_exchange_weak(seen, local_writes,
                                                      std::memory_order_acq_rel)) {
  }
}

void ReadModel::FollowLoop(std::chrono::milliseconds renew_every) {
  using Clock = store::ChangeSubscription::Clock;
  // Waits in slices, so that StopAdmission is not kept waiting for long.
  constexpr auto kSlice = std::chrono::milliseconds(100);
  auto stopping = [&] {
    std::lock_guard lock(admit_mu_);
    return admit_stopping_;
  };
  auto next_round = Clock::now();  // the first round at once
  while (!stopping()) {
    const auto now = Clock::now();
    if (now < next_round) {
      auto woke = follow_->WaitForWrites(std::min(
          kSlice, std::chrono::ceil<std::chrono::milliseconds>(next_round - now)));
      if (!woke) {
        follow_failures_.fetch_add(1, std::memory_order_relaxed);
        std::this_thread::sleep_for(kSlice);
        continue;
      }
      if (!*woke && Clock::now() < next_round) continue;
    }
    // A round: the fence first, then a poll that begins after it, then the acknowledgement.
    const uint64_t local = follow_->LocalWrites();
    auto fence = follow_->TakeFence();
    Result<void> polled = fence ? PollAfterNow() : Result<void>(fence.error());
    if (!polled) {
      follow_failures_.fetch_add(1, std::memory_order_relaxed);
      next_round = Clock::now() + kSlice;
      continue;
    }
    NoteLocalWritesApplied(local);
    auto acknowledged = follow_->Acknowledge(*fence);
    if (!acknowledged) {
      follow_failures_.fetch_add(1, std::memory_order_relaxed);
      next_round = Clock::now() + kSlice;
      continue;
    }
    if (*acknowledged) {
      lease_end_.store((**acknowledged).time_since_epoch().count(), std::memory_order_release);
      follow_rounds_.fetch_add(1, std::memory_order_relaxed);
      next_round = Clock::now() + renew_every;
    } else {
      // Rejoined after a lapse: trusted again after the next round, which runs at once.
      lease_end_.store(0, std::memory_order_release);
      next_round = Clock::now();
    }
  }
}

void ReadModel::WhenFresh(std::function<void(bool fresh)> then) {
  {
    std::lock_guard lock(admit_mu_);
    admit_waiting_.push_back(std::move(then));
    if (!admit_thread_.joinable()) admit_thread_ = std::thread([this] { AdmitLoop(); });
  }
  admit_cv_.notify_one();
}

void ReadModel::AdmitLoop() {
  std::vector<std::function<void(bool)>> batch;
  for (;;) {
    {
      std::unique_lock lock(admit_mu_);
      admit_cv_.wait(lock, [&] { return admit_stopping_ || !admit_waiting_.empty(); });
      if (admit_waiting_.empty()) return;
      batch.swap(admit_waiting_);
    }
    // Every caller in the batch registered before this poll began.
    const bool fresh = PollAfterNow().has_value();
    admitted_batches_.fetch_add(1, std::memory_order_relaxed);
    for (auto& then : batch) then(fresh);
    batch.clear();
  }
}

ReadModel::AdmittedScope::AdmittedScope(const ReadModel& model, bool fresh) {
  if (!fresh || admitted_model != nullptr) return;
  admitted_model = &model;
  active_ = true;
}

ReadModel::AdmittedScope::~AdmittedScope() {
  if (active_) admitted_model = nullptr;
}

Result<void> ReadModel::EnsureFresh() {
  // Admitted by WhenFresh: a poll that began after the request arrived has been applied.
  if (admitted_model == this) return {};
  if (follow_ != nullptr) {
    // Read first: a poll that begins after this read covers every write it counts.
    const uint64_t local = follow_->LocalWrites();
    if (LeaseCovers(local)) return {};
    ORGD_TRY(PollAfterNow());
    NoteLocalWritesApplied(local);
    return {};
  }
  // The counter is read first: when it equals this thread's value at a time when every change
  // before it was applied, nothing committed since, and no poll is needed. Otherwise a poll that
  // begins after the read applies every change before it, and the value is remembered.
  auto counter = feed_.ThreadCommitCounter();
  if (counter && *counter) {
    auto it = fresh_at_counter.find(instance_);
    if (it != fresh_at_counter.end() && it->second == **counter) return {};
  }
  ORGD_TRY(PollAfterNow());
  if (counter && *counter) fresh_at_counter[instance_] = **counter;
  return {};
}

Result<void> ReadModel::PollAfterNow() {
  std::unique_lock lock(poll_mu_);
  // A poll running now may have read the feed before this call began, so it does not count: the
  // first poll that starts from now on does. Every call waiting meanwhile shares that one.
  const uint64_t needed = polls_started_ + 1;
  while (polls_done_ < needed) {
    if (polling_) {
      poll_done_.wait(lock);
      continue;
    }
    polling_ = true;
    const uint64_t mine = ++polls_started_;
    lock.unlock();
    Result<store::ChangePoll> poll = feed_.Poll();
    polls_.fetch_add(1, std::memory_order_relaxed);
    // Applied before the poll counts as done, so that a waiter woken by it finds its effects.
    if (poll) {
      Apply(*poll);
      for (const auto& observer : observers_) observer(*poll);
    }
    lock.lock();
    polling_ = false;
    polls_done_ = mine;
    last_poll_ok_ = poll.has_value();
    poll_done_.notify_all();
    if (!poll) return std::move(poll).error();
  }
  // The latest poll failed: the memory may miss a change it would have reported (the feed reports
  // it again next time, so nothing is lost, but this call cannot be answered from memory).
  if (!last_poll_ok_) return Error::Unavailable("the change feed could not be read");
  return {};
}

void ReadModel::AddPollObserver(std::function<void(const store::ChangePoll&)> observer) {
  observers_.push_back(std::move(observer));
}

void ReadModel::Apply(const store::ChangePoll& poll) {
  // Most polls (every follower round on PostgreSQL) find nothing: no exclusive lock for them.
  if (!poll.everything && !poll.catalog_changed && poll.organizations.empty()) return;
  std::unique_lock lock(mu_);
  auto note_if_large = [&](const std::string& org, const OrgEntry& entry) {
    if (entry.members.size() >= options_.background_load_members) large_.insert(org);
  };
  if (poll.everything) {
    everything_epoch_ = ++epoch_;
    for (const auto& [org, entry] : orgs_) note_if_large(org, *entry);
    orgs_.clear();
    records_.clear();
    catalog_.reset();
    memberships_ = 0;
    return;
  }
  if (poll.catalog_changed) {
    catalog_epoch_ = ++epoch_;
    catalog_.reset();
  }
  for (const OrgId& org : poll.organizations) {
    const uint64_t epoch = ++epoch_;
    if (auto it = orgs_.find(std::string_view(org.value())); it != orgs_.end()) {
      memberships_ -= static_cast<int64_t>(it->second->members.size());
      note_if_large(it->first, *it->second);
      orgs_.erase(it);
    }
    if (auto it = records_.find(std::string_view(org.value())); it != records_.end()) {
      records_.erase(it);
    }
    if (loads_in_flight_ > 0) invalidated_at_[org.value()] = epoch;
  }
}

Result<std::shared_ptr<const ReadModel::Catalog>> ReadModel::LoadCatalog() {
  uint64_t start = 0;
  {
    std::unique_lock lock(mu_);
    start = epoch_;
    ++loads_in_flight_;
  }
  auto read = snapshots_.ReadGrantCatalog();
  catalog_loads_.fetch_add(1, std::memory_order_relaxed);
  std::unique_lock lock(mu_);
  if (--loads_in_flight_ == 0) invalidated_at_.clear();
  if (!read) return std::move(read).error();

  auto catalog = std::make_shared<Catalog>();
  std::vector<uint32_t> role_index;
  role_index.reserve(read->roles.size());
  for (const Role& r : read->roles) role_index.push_back(roles_.Intern(r.id.value()));
  std::vector<uint32_t> permission_index;
  permission_index.reserve(read->permissions.size());
  for (const Permission& p : read->permissions) {
    permission_index.push_back(permissions_.Intern(p.id.value()));
  }
  std::vector<std::pair<uint32_t, uint32_t>> links;
  links.reserve(read->role_permissions.size());
  for (const auto& [role, permission] : read->role_permissions) {
    links.emplace_back(roles_.Intern(role.value()), permissions_.Intern(permission.value()));
  }
  catalog->roles.resize(roles_.size());
  catalog->role_permissions.resize(roles_.size());
  catalog->permissions.resize(permissions_.size());
  const bool keep = everything_epoch_ <= start && catalog_epoch_ <= start;
  lock.unlock();

  for (size_t i = 0; i < read->roles.size(); ++i) {
    catalog->roles[role_index[i]] = std::move(read->roles[i]);
  }
  for (size_t i = 0; i < read->permissions.size(); ++i) {
    catalog->permissions[permission_index[i]] = std::move(read->permissions[i]);
  }
  // Ranks in (key, id) byte order: the order of every answer, as the SQL store sorts.
  auto ranks = [](const auto& items) {
    std::vector<uint32_t> order;
    for (uint32_t i = 0; i < items.size(); ++i) {
      if (items[i]) order.push_back(i);
    }
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return std::tie(items[a]->key, items[a]->id) < std::tie(items[b]->key, items[b]->id);
    });
    std::vector<uint32_t> rank(items.size(), std::numeric_limits<uint32_t>::max());
    for (uint32_t r = 0; r < order.size(); ++r) rank[order[r]] = r;
    return rank;
  };
  catalog->role_rank = ranks(catalog->roles);
  catalog->permission_rank = ranks(catalog->permissions);
  for (const auto& [role, permission] : links) {
    if (catalog->PermissionAt(permission) != nullptr) {
      catalog->role_permissions[role].push_back(permission);
    }
  }
  for (auto& permissions : catalog->role_permissions) {
    std::sort(permissions.begin(), permissions.end(), [&](uint32_t a, uint32_t b) {
      return catalog->permission_rank[a] < catalog->permission_rank[b];
    });
    permissions.erase(std::unique(permissions.begin(), permissions.end()), permissions.end());
    permissions.shrink_to_fit();
  }

  std::shared_ptr<const Catalog> result = std::move(catalog);
  if (keep) {
    lock.lock();
    // Re-checked: a poll may have reported the catalog while it was being built.
    if (everything_epoch_ <= start && catalog_epoch_ <= start) catalog_ = result;
  }
  return result;
}

Result<std::shared_ptr<const ReadModel::OrgEntry>> ReadModel::LoadOrganization(const OrgId& org) {
  uint64_t start = 0;
  {
    std::unique_lock lock(mu_);
    start = epoch_;
    ++loads_in_flight_;
  }
  std::vector<std::string> members;
  std::vector<RawGrant> raw;
  auto read = snapshots_.ReadOrganizationGrants(org, [&](const store::GrantRow& row) {
    if (row.kind == store::GrantRow::Kind::kMember) {
      members.emplace_back(row.user_id);
    } else {
      raw.push_back(RawGrant{.user = std::string(row.user_id),
                             .target = std::string(row.target_id),
                             .is_permission = row.kind == store::GrantRow::Kind::kPermission});
    }
  });
  organization_loads_.fetch_add(1, std::memory_order_relaxed);

  std::vector<std::pair<std::string_view, uint32_t>> grants;  // (user, grant)
  grants.reserve(raw.size());
  {
    std::unique_lock lock(mu_);
    if (!read) {
      if (--loads_in_flight_ == 0) invalidated_at_.clear();
      return std::move(read).error();
    }
    for (const RawGrant& g : raw) {
      grants.emplace_back(g.user, g.is_permission ? permissions_.Intern(g.target) | kPermissionBit
                                                  : roles_.Intern(g.target));
    }
  }

  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
  std::sort(grants.begin(), grants.end());
  auto entry = std::make_shared<OrgEntry>();
  size_t id_bytes = 0;
  for (const std::string& m : members) id_bytes += m.size();
  entry->ids.reserve(id_bytes);
  entry->members.reserve(members.size());
  entry->grants.reserve(grants.size());
  auto g = grants.begin();
  for (const std::string& m : members) {
    entry->members.push_back(OrgEntry::Member{.id_offset = static_cast<uint32_t>(entry->ids.size()),
                                              .id_size = static_cast<uint32_t>(m.size()),
                                              .grants_begin =
                                                  static_cast<uint32_t>(entry->grants.size())});
    entry->ids += m;
    // Grants of users that are not members cannot exist (foreign keys); skip any defensively.
    while (g != grants.end() && g->first < m) ++g;
    // Primary keys make each (user, target) row unique.
    for (; g != grants.end() && g->first == m; ++g) entry->grants.push_back(g->second);
  }

  std::shared_ptr<const OrgEntry> result = std::move(entry);
  std::unique_lock lock(mu_);
  // Checked before this load stops counting as in flight, which may clear invalidated_at_.
  bool keep = everything_epoch_ <= start;
  if (auto it = invalidated_at_.find(org.value()); it != invalidated_at_.end() && it->second > start) {
    keep = false;
  }
  if (--loads_in_flight_ == 0) invalidated_at_.clear();
  if (keep) {
    auto& slot = orgs_[org.value()];
    if (slot) memberships_ -= static_cast<int64_t>(slot->members.size());
    slot = result;
    memberships_ += static_cast<int64_t>(result->members.size());
    if (auto it = large_.find(std::string_view(org.value())); it != large_.end()) large_.erase(it);
  }
  return result;
}

void ReadModel::ScheduleBackgroundLoad(std::string_view org) {
  std::lock_guard lock(load_mu_);
  if (load_stopping_) return;
  const std::string id(org);
  if (auto it = next_load_at_.find(id);
      it != next_load_at_.end() && std::chrono::steady_clock::now() < it->second) {
    return;
  }
  if (!load_pending_.insert(id).second) return;
  load_queue_.push_back(id);
  if (!load_thread_.joinable()) load_thread_ = std::thread([this] { BackgroundLoadLoop(); });
  load_cv_.notify_one();
}

void ReadModel::BackgroundLoadLoop() {
  std::unique_lock lock(load_mu_);
  for (;;) {
    load_cv_.wait(lock, [&] { return load_stopping_ || !load_queue_.empty(); });
    if (load_stopping_) return;
    const std::string org = std::move(load_queue_.front());
    load_queue_.pop_front();
    lock.unlock();
    const auto start = std::chrono::steady_clock::now();
    // Kept when no change to the organization was reported while it loaded; otherwise a later
    // call schedules the next reload, and the calls until then read the store.
    (void)LoadOrganization(OrgId(org));
    background_loads_.fetch_add(1, std::memory_order_relaxed);
    const auto end = std::chrono::steady_clock::now();
    lock.lock();
    load_pending_.erase(org);
    next_load_at_[org] = end + kReloadSpacing * (end - start);
  }
}

Result<void> ReadModel::With(const OrgId& org,
                             const std::function<void(const OrgEntry*, const Catalog&)>& fn) {
  ORGD_TRY(EnsureFresh());
  std::shared_ptr<const OrgEntry> entry;
  std::shared_ptr<const Catalog> catalog;
  bool large = false;
  {
    std::shared_lock lock(mu_);
    auto it = orgs_.find(std::string_view(org.value()));
    if (it != orgs_.end() && catalog_) {
      // The hot path: answered under the shared lock, without touching reference counts.
      fn(it->second.get(), *catalog_);
      return {};
    }
    if (it != orgs_.end()) {
      entry = it->second;
    } else if (large_.contains(std::string_view(org.value()))) {
      // Outside the shared lock: the loader takes the exclusive one when it keeps its result.
      large = true;
    }
    catalog = catalog_;
  }
  if (large) {
    ScheduleBackgroundLoad(org.value());
    return Error::Unavailable("the organization is being loaded into memory; read the store");
  }
  if (!catalog) {
    auto loaded = LoadCatalog();
    if (!loaded) return std::move(loaded).error();
    catalog = std::move(*loaded);
  }
  if (!entry) {
    auto loaded = LoadOrganization(org);
    if (!loaded) return std::move(loaded).error();
    entry = std::move(*loaded);
  }
  fn(entry.get(), *catalog);
  return {};
}

Result<bool> ReadModel::IsMember(const OrgId& org, const UserId& user) {
  bool member = false;
  ORGD_TRY(With(org, [&](const OrgEntry* entry, const Catalog&) {
    member = entry->Find(user.value()) != nullptr;
  }));
  return member;
}

Result<std::optional<std::vector<Role>>> ReadModel::MemberRoles(const OrgId& org,
                                                                const UserId& user) {
  std::optional<std::vector<Role>> out;
  ORGD_TRY(With(org, [&](const OrgEntry* entry, const Catalog& catalog) {
    const auto grants = entry->GrantsOf(user.value());
    if (!grants) return;
    std::vector<uint32_t> held;
    for (const uint32_t g : *grants) {
      if ((g & kPermissionBit) == 0 && catalog.RoleAt(g) != nullptr) held.push_back(g);
    }
    std::sort(held.begin(), held.end(),
              [&](uint32_t a, uint32_t b) { return catalog.role_rank[a] < catalog.role_rank[b]; });
    out.emplace();
    out->reserve(held.size());
    for (uint32_t r : held) out->push_back(*catalog.RoleAt(r));
  }));
  return out;
}

Result<std::optional<std::vector<EffectivePermission>>> ReadModel::EffectivePermissions(
    const OrgId& org, const UserId& user) {
  std::optional<std::vector<EffectivePermission>> out;
  ORGD_TRY(With(org, [&](const OrgEntry* entry, const Catalog& catalog) {
    const auto grants = entry->GrantsOf(user.value());
    if (!grants) return;
    // (permission, granting role or kDirect)
    std::vector<std::pair<uint32_t, uint32_t>> pairs;
    for (const uint32_t g : *grants) {
      if ((g & kPermissionBit) != 0) {
        const uint32_t p = g & ~kPermissionBit;
        if (catalog.PermissionAt(p) != nullptr) pairs.emplace_back(p, kDirect);
      } else if (catalog.RoleAt(g) != nullptr) {
        for (uint32_t p : catalog.role_permissions[g]) pairs.emplace_back(p, g);
      }
    }
    auto role_order = [&](uint32_t r) {
      return r == kDirect ? 0u : catalog.role_rank[r] + 1;
    };
    std::sort(pairs.begin(), pairs.end(), [&](const auto& a, const auto& b) {
      const uint32_t pa = catalog.permission_rank[a.first];
      const uint32_t pb = catalog.permission_rank[b.first];
      if (pa != pb) return pa < pb;
      return role_order(a.second) < role_order(b.second);
    });
    out.emplace();
    for (size_t i = 0; i < pairs.size(); ++i) {
      const auto [p, r] = pairs[i];
      if (i == 0 || pairs[i - 1].first != p) {
        out->push_back(EffectivePermission{.permission = *catalog.PermissionAt(p)});
      }
      EffectivePermission& e = out->back();
      if (r == kDirect) {
        e.is_direct = true;
      } else if (e.via_roles.empty() || e.via_roles.back().id.value() != catalog.RoleAt(r)->id.value()) {
        const Role& role = *catalog.RoleAt(r);
        e.via_roles.push_back(RoleRef{.id = role.id, .key = role.key, .name = role.name});
      }
    }
  }));
  return out;
}

Result<std::vector<Permission>> ReadModel::MemberRoleScopes(const OrgId& org, const UserId& user) {
  std::vector<Permission> out;
  ORGD_TRY(ForEachMemberRoleScope(org, user, [&](const Permission& p) { out.push_back(p); }));
  return out;
}

Result<void> ReadModel::ForEachMemberRoleScope(
    const OrgId& org, const UserId& user, const std::function<void(const Permission&)>& each) {
  return With(org, [&](const OrgEntry* entry, const Catalog& catalog) {
    const auto grants = entry->GrantsOf(user.value());
    if (!grants) return;
    // Reused by every call on this thread: the hot path allocates nothing.
    thread_local std::vector<uint32_t> permissions;
    permissions.clear();
    for (const uint32_t g : *grants) {
      if ((g & kPermissionBit) != 0 || catalog.RoleAt(g) == nullptr) continue;
      const auto& of_role = catalog.role_permissions[g];
      permissions.insert(permissions.end(), of_role.begin(), of_role.end());
    }
    std::sort(permissions.begin(), permissions.end(), [&](uint32_t a, uint32_t b) {
      return catalog.permission_rank[a] < catalog.permission_rank[b];
    });
    permissions.erase(std::unique(permissions.begin(), permissions.end()), permissions.end());
    for (uint32_t p : permissions) each(*catalog.PermissionAt(p));
  });
}

Result<std::shared_ptr<const Organization>> ReadModel::GetOrganization(
    const OrgId& org, const std::function<Result<Organization>()>& load) {
  ORGD_TRY(EnsureFresh());
  {
    std::shared_lock lock(mu_);
    if (auto it = records_.find(std::string_view(org.value())); it != records_.end()) {
      return ThreadCopyOf(it->second);
    }
  }
  uint64_t start = 0;
  {
    std::unique_lock lock(mu_);
    start = epoch_;
    ++loads_in_flight_;
  }
  auto loaded = load();
  record_loads_.fetch_add(1, std::memory_order_relaxed);
  std::unique_lock lock(mu_);
  // Checked before this load stops counting as in flight, which may clear invalidated_at_.
  bool keep = loaded.has_value() && everything_epoch_ <= start;
  if (auto it = invalidated_at_.find(org.value()); it != invalidated_at_.end() && it->second > start) {
    keep = false;
  }
  if (--loads_in_flight_ == 0) invalidated_at_.clear();
  if (!loaded) return std::move(loaded).error();
  auto result = std::make_shared<const Organization>(std::move(*loaded));
  if (keep) {
    if (records_.size() >= kMaxKeptOrganizations) records_.erase(records_.begin());
    records_[org.value()] = result;
  }
  return result;
}

Result<uint64_t> ReadModel::Generation() {
  ORGD_TRY(EnsureFresh());
  std::shared_lock lock(mu_);
  return epoch_;
}

ReadModel::Stats ReadModel::stats() const {
  Stats s;
  s.polls = polls_.load(std::memory_order_relaxed);
  s.admitted_batches = admitted_batches_.load(std::memory_order_relaxed);
  s.follow_rounds = follow_rounds_.load(std::memory_order_relaxed);
  s.follow_failures = follow_failures_.load(std::memory_order_relaxed);
  s.background_loads = background_loads_.load(std::memory_order_relaxed);
  s.organization_loads = organization_loads_.load(std::memory_order_relaxed);
  s.catalog_loads = catalog_loads_.load(std::memory_order_relaxed);
  s.organization_record_loads = record_loads_.load(std::memory_order_relaxed);
  std::shared_lock lock(mu_);
  s.organizations = static_cast<int64_t>(orgs_.size());
  s.memberships = memberships_;
  return s;
}

}  // namespace orgd::domain
