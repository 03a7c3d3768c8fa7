#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "domain/model/permission.h"
#include "domain/model/role.h"

// What an in-memory read model of grants needs from storage (src/domain/read_model.h): a feed of
// what changed since it last asked, and consistent snapshots to fill itself from. Implemented by
// the SQL store's change feed (src/store/sql/change_feed.h) over the `changes` table that
// triggers keep (migrations/*/0010_change_feed.sql).
namespace orgd::store {

// What changed since the previous Poll.
struct ChangePoll {
  // Organizations whose memberships, member role grants or direct permission grants changed.
  std::vector<OrgId> organizations;
  // Roles, permissions or the links between them changed.
  bool catalog_changed = false;
  // The feed cannot say what changed (the first poll, or more changes than one poll returns):
  // everything a reader keeps may be stale.
  bool everything = false;
};

class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;

  // Reports every change committed, in any process, before this call began that no earlier call
  // reported; it may also report changes committed later, and report a change twice. The first
  // call reports `everything`. Not thread-safe: callers run one Poll at a time. Database failures
  // as in store.h; after a failure the next call still reports what this one would have.
  virtual Result<ChangePoll> Poll() = 0;

  // A cheap check that any number of threads may run at once, unlike Poll: a number, read on a
  // connection of the calling thread's own, that differs from the one the same thread read before
  // whenever any connection, in any process, committed in between. nullopt where the engine has
  // no such number (the caller then polls). Lets a reader skip Poll on the many requests after
  // which nothing changed.
  virtual Result<std::optional<int64_t>> ThreadCommitCounter() {
    return std::optional<int64_t>();
  }
};

// Freshness without a round trip per read, for engines where checking the feed costs one
// (PostgreSQL; pg_change_fence.h). Every process that follows the feed holds a lease; after each
// commit, a writer in any process waits until every other follower with a live lease has
// acknowledged a poll of the feed that began after the commit, or its lease has lapsed. So while
// a follower's lease holds, every write that any other process has reported done is applied in
// its memory, and only this process's own writes need a poll (LocalWrites tells of them).
//
// A follower runs rounds, one at a time, on one thread: WaitForWrites, TakeFence, a poll of the
// feed begun after TakeFence returned, Acknowledge. Database failures as in store.h.
class ChangeSubscription {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~ChangeSubscription() = default;

  // Returns true when another process has committed a write since the previous call, false once
  // `timeout` has passed without one.
  virtual Result<bool> WaitForWrites(std::chrono::milliseconds timeout) = 0;
  // A fence for the next round: every write whose writer took a lower fence committed before
  // this call.
  virtual Result<int64_t> TakeFence() = 0;
  // Tells writers that every write below `fence` is applied and renews the lease. Returns the
  // time until which this process may answer from memory, or nullopt when the lease had lapsed:
  // it is then renewed, but trusted only from the next round's Acknowledge on.
  virtual Result<std::optional<Clock::time_point>> Acknowledge(int64_t fence) = 0;
  // A counter of the writes committed by this process: it moves before each of them is reported
  // done to its caller.
  virtual uint64_t LocalWrites() const = 0;
};

// The catalog: every role and permission, and the permissions of each role.
struct GrantCatalog {
  std::vector<domain::Role> roles;
  std::vector<domain::Permission> permissions;
  std::vector<std::pair<RoleId, PermissionId>> role_permissions;
};

// One grant row of an organization, for GrantSnapshots::ReadOrganizationGrants. Views are valid
// only during the callback.
struct GrantRow {
  enum class Kind { kMember, kRole, kPermission };
  Kind kind = Kind::kMember;
  std::string_view user_id;
  std::string_view target_id;  // the role (kRole) or permission (kPermission) id; empty for kMember
};

class GrantSnapshots {
 public:
  virtual ~GrantSnapshots() = default;

  // Calls `on_row` for every membership of `org` (kind kMember) and every role grant and direct
  // permission grant inside it, all from one snapshot taken after the call began, in no
  // particular order. An unknown organization has no rows. Thread-safe.
  virtual Result<void> ReadOrganizationGrants(const OrgId& org,
                                              const std::function<void(const GrantRow&)>& on_row) = 0;
  // The whole catalog from one snapshot taken after the call began. Thread-safe.
  virtual Result<GrantCatalog> ReadGrantCatalog() = 0;
};

}  // namespace orgd::store
