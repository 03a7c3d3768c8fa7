#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "common/sharded_shared_mutex.h"
#include "domain/model/membership.h"
#include "domain/model/organization.h"
#include "domain/model/permission.h"
#include "domain/model/role.h"
#include "store/change_feed.h"

namespace orgd::domain {

// The grants of organizations kept in memory, so that membership checks, a member's roles, its
// effective permissions and the scopes of its roles are answered without SQL. It stays exactly
// right across processes: every answer reflects every write committed, by any process, before
// the call began (read-your-writes), and answers nothing it cannot vouch for.
//
// How: an organization is loaded on its first read (one statement, one snapshot) and kept until
// the change feed reports it changed; the catalog (roles, permissions, their links) likewise.
// Before answering, each call waits for a poll of the feed that began after the call did. Polls
// are single-flight: one runs at a time, and every call that arrived while one was running shares
// the next one, so concurrent calls cost one round trip between them, never one each. A load that
// overlapped a poll reporting its organization is used for the call that made it (it began after
// the call did) but not kept.
//
// A large organization (Options::background_load_members or more members when the feed reported
// it changed) is loaded again on a thread of the model's own, not by the call that finds it
// missing: reloading 100,000 members takes 30-75 ms, and every read of the organization after
// each write to it would wait that long, holding an I/O thread. Until the reload is kept, calls
// about it answer kUnavailable and the caller reads the store (one indexed query), which is as
// fresh. Reloads of one organization are spaced (kReloadSpacing times the previous one's
// duration), so an organization that changes all the time costs a bounded share of a core and
// is read from SQL meanwhile.
//
// Memory: user ids are stored once per membership, packed in one buffer per organization; role
// and permission ids are interned (4-byte indexes). Organizations are never evicted; a deleted
// one is dropped when the feed reports it.
//
// Errors: a failed poll or load returns its store error (kUnavailable, kAborted, kInternal), and
// a large organization being reloaded kUnavailable; the caller may fall back to SQL.
// Thread-safe.
class ReadModel {
 public:
  struct Options {
    // Organizations with at least this many members are reloaded in the background.
    size_t background_load_members = 5'000;
  };
  // A reload of a large organization starts no sooner than this many times the previous one's
  // duration after it ended.
  static constexpr int kReloadSpacing = 4;

  // `feed` and `snapshots` must outlive the model; the model is the only caller of feed.Poll.
  ReadModel(store::ChangeFeed& feed, store::GrantSnapshots& snapshots);
  ReadModel(store::ChangeFeed& feed, store::GrantSnapshots& snapshots, Options options);
  // Calls StopAdmission.
  ~ReadModel();
  ReadModel(const ReadModel&) = delete;
  ReadModel& operator=(const ReadModel&) = delete;

  // Admission without a blocked thread, for servers whose handlers would otherwise each wait for
  // a poll (PostgreSQL, where a poll is a round trip): calls `then(fresh)` once a poll of the feed
  // that began after this call has been applied, from the model's poller thread (started on the
  // first call). Every call that arrives while a poll runs shares the next one. `fresh` is false
  // when that poll failed. `then` must be quick and must not call back into the model's polling
  // (it typically posts the request to its I/O thread).
  void WhenFresh(std::function<void(bool fresh)> then);
  // Calls back every WhenFresh caller still waiting (after one last poll) and joins the poller
  // thread, the follower thread (Follow) and the background loader; call before whatever the
  // callbacks touch goes away. WhenFresh must not be called after it. Idempotent.
  void StopAdmission();

  // Freshness without a poll per call, where a poll is a round trip (PostgreSQL): starts a
  // thread that runs `subscription`'s rounds (store/change_feed.h) — at once, whenever another
  // process writes, and at least every `renew_every` — each a fence, a poll of the feed begun
  // after it, and an acknowledgement that renews the lease. While the lease holds and no write of
  // this process has committed since the last poll, calls answer from memory at once: every
  // write another process has reported done is applied, since its writer waited for this one.
  // Otherwise they poll as without it. `subscription` must outlive the model (or StopAdmission).
  // At most once, after every AddPollObserver and before the model serves any call.
  void Follow(store::ChangeSubscription& subscription,
              std::chrono::milliseconds renew_every = std::chrono::milliseconds(400));
  // True when a call made now would answer without waiting for a poll (Follow's lease holds and
  // this process wrote nothing since the last poll): a server then need not admit the request
  // through WhenFresh.
  bool FreshWithoutPoll() const;

  // While alive, the calls of this model on this thread skip their own wait for a poll: they
  // serve a request that WhenFresh admitted with fresh = true, so every change committed before
  // the request arrived is applied. Only for requests that write nothing: a write made inside the
  // scope would not be seen by the reads after it. With fresh = false, or inside another
  // AdmittedScope on this thread (of any model), it changes nothing.
  class AdmittedScope {
   public:
    AdmittedScope(const ReadModel& model, bool fresh);
    ~AdmittedScope();
    AdmittedScope(const AdmittedScope&) = delete;
    AdmittedScope& operator=(const AdmittedScope&) = delete;

   private:
    bool active_ = false;
  };

  // Whether `user` is a member of `org` (false for an unknown org or user).
  Result<bool> IsMember(const OrgId& org, const UserId& user);
  // The member's roles in key order, as ListMemberRoles returns them; nullopt when `user` is not
  // a member (the caller owes the precise error).
  Result<std::optional<std::vector<Role>>> MemberRoles(const OrgId& org, const UserId& user);
  // Direct grants ∪ permissions of held roles, key order, each with its granting roles (key
  // order); nullopt when `user` is not a member.
  Result<std::optional<std::vector<EffectivePermission>>> EffectivePermissions(const OrgId& org,
                                                                             const UserId& user);
  // The distinct permissions of the member's roles, key order; empty for a non-member.
  Result<std::vector<Permission>> MemberRoleScopes(const OrgId& org, const UserId& user);
  // The same permissions handed to `each` one by one, in key order, without copies (the hot
  // path of Logto's GET …/users/{userId}/scopes renders them straight away). `each` runs under
  // the model's shared lock: it must be quick and must not call into the model. It is called
  // only once the answer is known, so after an error it was not called at all.
  Result<void> ForEachMemberRoleScope(const OrgId& org, const UserId& user,
                                      const std::function<void(const Permission&)>& each);

  // The organization `org`, from memory when held, else from `load` (kept for the next call
  // unless a change to it was reported while it loaded). Fresh for a call that began before this
  // one, as every answer here: the feed reports changes to an organization's row and its email
  // domains too (migrations/*/0012_organization_changes.sql). Errors of `load` (kNotFound for an
  // unknown organization) are returned as they are, and nothing is kept for them. At most
  // kMaxKeptOrganizations are kept; beyond that one is dropped for each one loaded. A kept one
  // is answered from the calling thread's own copy (common/thread_copy.h).
  Result<std::shared_ptr<const Organization>> GetOrganization(
      const OrgId& org, const std::function<Result<Organization>()>& load);
  static constexpr size_t kMaxKeptOrganizations = 100'000;

  // A number that moves whenever the feed reports a change of any kind (memberships, grants, the
  // catalog, users, organizations and their domains: migrations/*/0013_list_changes.sql), read
  // after the same freshness wait as every answer here. So a value read after a write committed
  // differs from any value read before that write was reported: an answer computed after reading
  // generation G may be given again while the generation is still G (src/domain/list_cache.h).
  // Errors as EnsureFresh (the caller then reads the store).
  Result<uint64_t> Generation();

  // Calls `observer` with every poll of the feed that succeeds, after the model applied it and
  // before any call waiting for that poll returns, on the polling thread: for a companion kept in
  // step with the same feed (domain/org_search_index.h), which is then as fresh as the model
  // after any call here. `observer` must be quick and must not call into this model. Only before
  // the model serves any call and before Follow (observers are not guarded).
  void AddPollObserver(std::function<void(const store::ChangePoll&)> observer);

  struct Stats {
    int64_t polls = 0;             // polls of the change feed
    int64_t organization_loads = 0;
    int64_t catalog_loads = 0;
    int64_t organizations = 0;     // organizations held now
    int64_t memberships = 0;       // memberships held now
    int64_t organization_record_loads = 0;  // GetOrganization calls that ran `load`
    int64_t admitted_batches = 0;  // polls run for WhenFresh callers (each serves one or more)
    int64_t follow_rounds = 0;     // Follow's acknowledged rounds
    int64_t follow_failures = 0;   // Follow's rounds that failed (the lease then runs out)
    int64_t background_loads = 0;  // reloads of large organizations on the loader thread
  };
  Stats stats() const;

 private:
  // Role and permission ids ↔ dense indexes. Indexes are never reused, so that organizations
  // loaded under one catalog stay valid under the next.
  class Interner {
   public:
    uint32_t Intern(std::string_view id);
    std::optional<uint32_t> Find(std::string_view id) const;
    size_t size() const { return ids_.size(); }

   private:
    std::deque<std::string> ids_;  // a deque: views into it stay valid as it grows
    std::unordered_map<std::string_view, uint32_t> index_;
  };

  // One organization's members sorted by user id; member i's grants are
  // grants[members[i].grants_begin, members[i + 1].grants_begin (or the end)).
  struct OrgEntry {
    struct Member {
      uint32_t id_offset = 0;  // into `ids`
      uint32_t id_size = 0;
      uint32_t grants_begin = 0;
    };
    std::string ids;
    std::vector<Member> members;
    // A role index, or a permission index with kPermissionBit set.
    std::vector<uint32_t> grants;

    const Member* Find(std::string_view user) const;
    std::string_view IdOf(const Member& m) const { return {ids.data() + m.id_offset, m.id_size}; }
    // The grants of `user`; nullopt when they are not a member.
    std::optional<std::span<const uint32_t>> GrantsOf(std::string_view user) const;
  };
  static constexpr uint32_t kPermissionBit = 0x80000000u;

  // Roles and permissions by index (absent: deleted, or interned after this catalog was read),
  // each role's permissions, and each id's rank in key order (the order answers are sorted in).
  struct Catalog {
    std::vector<std::optional<Role>> roles;
    std::vector<std::optional<Permission>> permissions;
    std::vector<std::vector<uint32_t>> role_permissions;
    std::vector<uint32_t> role_rank;
    std::vector<uint32_t> permission_rank;

    const Role* RoleAt(uint32_t i) const { return i < roles.size() && roles[i] ? &*roles[i] : nullptr; }
    const Permission* PermissionAt(uint32_t i) const {
      return i < permissions.size() && permissions[i] ? &*permissions[i] : nullptr;
    }
  };

  struct TransparentHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  // Returns once every change committed before this call began is applied: at once when the
  // feed's thread counter shows that nothing committed since this thread last got here, else
  // after a poll of the feed that began after this call (running it when none is running).
  Result<void> EnsureFresh();
  Result<void> PollAfterNow();
  // The poller thread: waits for WhenFresh callers, polls once for all that are waiting, calls
  // them back; returns when the model is destroyed and nobody waits.
  void AdmitLoop();
  // Follow's thread: runs rounds until StopAdmission.
  void FollowLoop(std::chrono::milliseconds renew_every);
  // Whether Follow's lease holds now and every write of this process up to `local_writes` (read
  // before) is applied. Only while following.
  bool LeaseCovers(uint64_t local_writes) const;
  void NoteLocalWritesApplied(uint64_t local_writes);
  void Apply(const store::ChangePoll& poll);
  // `fn` sees the organization's entry (null when it has no members) and the catalog, fresh for
  // a call that began before this one; from memory when both are held, else loaded.
  Result<void> With(const OrgId& org,
                    const std::function<void(const OrgEntry*, const Catalog&)>& fn);
  Result<std::shared_ptr<const OrgEntry>> LoadOrganization(const OrgId& org);
  Result<std::shared_ptr<const Catalog>> LoadCatalog();
  // Queues a reload of the large organization `org` for the loader thread (started on the first
  // call), unless one is queued or running, or the previous one ended too recently.
  void ScheduleBackgroundLoad(std::string_view org);
  void BackgroundLoadLoop();

  store::ChangeFeed& feed_;
  store::GrantSnapshots& snapshots_;
  std::vector<std::function<void(const store::ChangePoll&)>> observers_;

  // Single-flight polls.
  std::mutex poll_mu_;
  std::condition_variable poll_done_;
  bool polling_ = false;        // guarded by poll_mu_
  uint64_t polls_started_ = 0;  // guarded by poll_mu_
  uint64_t polls_done_ = 0;     // guarded by poll_mu_
  bool last_poll_ok_ = false;   // guarded by poll_mu_
  // WhenFresh callers waiting for the poller thread.
  std::mutex admit_mu_;
  std::condition_variable admit_cv_;
  std::vector<std::function<void(bool)>> admit_waiting_;  // guarded by admit_mu_
  bool admit_stopping_ = false;  // guarded by admit_mu_; also stops Follow's thread
  std::thread admit_thread_;                              // started under admit_mu_
  std::atomic<int64_t> admitted_batches_{0};
  // Follow: the subscription (null when not following), the end of the lease on the steady
  // clock (0: none held), the subscription's LocalWrites that the latest poll covered.
  store::ChangeSubscription* follow_ = nullptr;
  std::atomic<int64_t> lease_end_{0};
  std::atomic<uint64_t> local_writes_applied_{0};
  std::thread follow_thread_;  // started by Follow, joined by StopAdmission
  std::atomic<int64_t> follow_rounds_{0};
  std::atomic<int64_t> follow_failures_{0};
  // This model's key in each thread's table of the counter value after which that thread last
  // saw every change applied (never reused across models).
  const uint64_t instance_;

  mutable ShardedSharedMutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const OrgEntry>, TransparentHash,
                     std::equal_to<>>
      orgs_;                                  // guarded by mu_
  std::unordered_map<std::string, std::shared_ptr<const Organization>, TransparentHash,
                     std::equal_to<>>
      records_;                             // guarded by mu_; GetOrganization's
  std::shared_ptr<const Catalog> catalog_;  // guarded by mu_; null until loaded
  Interner roles_;                          // guarded by mu_
  Interner permissions_;                    // guarded by mu_
  // Invalidation bookkeeping for loads in flight: a load keeps its result only when nothing it
  // read was invalidated after it began (epoch at start ≥ each of these).
  uint64_t epoch_ = 0;              // guarded by mu_; +1 per invalidation
  uint64_t everything_epoch_ = 0;   // guarded by mu_
  uint64_t catalog_epoch_ = 0;      // guarded by mu_
  int loads_in_flight_ = 0;         // guarded by mu_
  std::unordered_map<std::string, uint64_t> invalidated_at_;  // guarded by mu_; while loads fly
  int64_t memberships_ = 0;         // guarded by mu_
  // Large organizations dropped since their last kept load: reloaded in the background.
  std::unordered_set<std::string, TransparentHash, std::equal_to<>> large_;  // guarded by mu_

  const Options options_;
  // The background loader.
  std::mutex load_mu_;
  std::condition_variable load_cv_;
  std::deque<std::string> load_queue_;                     // guarded by load_mu_
  std::unordered_set<std::string> load_pending_;           // guarded by load_mu_; queued or loading
  std::unordered_map<std::string, std::chrono::steady_clock::time_point>
      next_load_at_;                                       // guarded by load_mu_
  bool load_stopping_ = false;                             // guarded by load_mu_
  std::thread load_thread_;                                // started under load_mu_
  std::atomic<int64_t> background_loads_{0};

  std::atomic<int64_t> polls_{0};
  std::atomic<int64_t> organization_loads_{0};
  std::atomic<int64_t> catalog_loads_{0};
  std::atomic<int64_t> record_loads_{0};
};

}  // namespace orgd::domain
