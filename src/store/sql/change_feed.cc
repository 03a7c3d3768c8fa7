#include "store/sql/change_feed.h"

#include <atomic>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/instance_id.h"
#include "store/sql/rows.h"
#include "store/sql/sql_common.h"

namespace orgd::store::sql {
namespace {

using internal::kJoin;

// The row of `changes` that stands for the catalog (no organization has an empty id).
constexpr std::string_view kCatalogRow = "";

constexpr std::string_view kSqliteHead = "SELECT COALESCE(MAX(seq), 0) FROM changes";
// Uses changes_seq_idx; LIMIT is one beyond the most a poll lists, to tell "more" apart.
constexpr std::string_view kSqliteChangesAfter =
    "SELECT org_id, seq FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2";

// One statement, so that the xmin and the rows come from the same snapshot. The first row
// (org_id NULL) carries the xmin; the others are the rows written at or after the previous one
// (changes_xid_idx).
constexpr std::string_view kPostgresChangesSince =
    "SELECT CAST(NULL AS TEXT), "
    "CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS TEXT) AS BIGINT) "
    "UNION ALL "
    "SELECT org_id, CAST(CAST(xid AS TEXT) AS BIGINT) FROM changes "
    "WHERE xid >= CAST(CAST($1 AS TEXT) AS xid8)";

// The first poll: the xmin, and the rows already at or above it (written by transactions that
// finished while an older one was still open), which the next poll must not report as new.
constexpr std::string_view kPostgresHead =
    "SELECT CAST(NULL AS TEXT), "
    "CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS TEXT) AS BIGINT) "
    "UNION ALL "
    "SELECT org_id, CAST(CAST(xid AS TEXT) AS BIGINT) FROM changes "
    "WHERE xid >= pg_snapshot_xmin(pg_current_snapshot())";

// One statement, one snapshot: the memberships, role grants and direct grants of one org.
constexpr std::string_view kOrganizationGrants =
    "SELECT 0, user_id, '' FROM organization_members WHERE org_id = $1 "
    "UNION ALL SELECT 1, user_id, role_id FROM organization_member_roles WHERE org_id = $1 "
    "UNION ALL SELECT 2, user_id, permission_id FROM organization_member_permissions "
    "WHERE org_id = $1";

constexpr std::string_view kSelect = "SELECT ";
constexpr std::string_view kFromRoles = " FROM roles r";
constexpr std::string_view kFromPermissions = " FROM permissions p";
constexpr std::string_view kAllRoles = kJoin<kSelect, internal::kRoleColumns, kFromRoles>;
constexpr std::string_view kAllPermissions =
    kJoin<kSelect, internal::kPermissionColumns, kFromPermissions>;
constexpr std::string_view kAllRolePermissions = "SELECT role_id, permission_id FROM role_permissions";

using CommitCounter = std::function<Result<int64_t>()>;
// Each thread's counters, by feed instance.
thread_local std::unordered_map<uint64_t, CommitCounter*> thread_counters;

}  // namespace

SqlChangeFeed::SqlChangeFeed(Database& db, SqlChangeFeedOptions options)
    : db_(db),
      options_(std::move(options)),
      instance_(NextInstanceId()) {}

Result<std::optional<int64_t>> SqlChangeFeed::ThreadCommitCounter() {
  if (!options_.open_thread_counter) return std::optional<int64_t>();
  CommitCounter*& counter = thread_counters[instance_];
  if (counter == nullptr) {
    auto opened = options_.open_thread_counter();
    if (!opened) {
      thread_counters.erase(instance_);
      return std::move(opened).error();
    }
    std::lock_guard lock(thread_counters_mu_);
    thread_counters_.push_back(std::make_unique<CommitCounter>(std::move(*opened)));
    counter = thread_counters_.back().get();
  }
  auto value = (*counter)();
  if (!value) return std::move(value).error();
  return std::optional<int64_t>(*value);
}

Result<ChangePoll> SqlChangeFeed::Poll() {
  if (options_.poll_connection) return PollOn(*options_.poll_connection);
  auto lease = db_.Acquire();
  if (!lease) return std::move(lease).error();
  return PollOn(**lease);
}

Result<ChangePoll> SqlChangeFeed::PollOn(Connection& conn) {
  // The counter is read before the table: a commit that lands between the two is seen by the
  // query and moves the counter again, so the next poll queries once more (a harmless repeat),
  // while a commit before the read always moves it.
  std::optional<int64_t> counter;
  if (options_.commit_counter) {
    auto c = options_.commit_counter();
    if (!c) return std::move(c).error();
    counter = *c;
    if (started_ && counter_ == counter) return ChangePoll{};
  }
  auto poll = conn.engine() == Engine::kPostgres ? PollPostgres(conn) : PollSqlite(conn);
  if (!poll) return poll;
  ++queries_;
  started_ = true;
  counter_ = counter;
  return poll;
}

Result<ChangePoll> SqlChangeFeed::PollSqlite(Connection& conn) {
  ChangePoll poll;
  if (!started_) {
    ORGD_TRY(conn.Query(kSqliteHead, {}, [&](const Row& row) { position_ = row.GetInt(0); }));
    poll.everything = true;
    return poll;
  }
  int64_t position = position_;
  int64_t rows = 0;
  ORGD_TRY(conn.Query(kSqliteChangesAfter, {Int(position_), Int(options_.max_organizations + 1)},
                      [&](const Row& row) {
                        ++rows;
                        position = row.GetInt(1);
                        std::string_view org = row.GetText(0);
                        if (org == kCatalogRow) {
                          poll.catalog_changed = true;
                        } else {
                          poll.organizations.emplace_back(org);
                        }
                      }));
  if (rows > options_.max_organizations) {
    // The rows beyond the limit come again in the next poll, as harmless repeats.
    poll = ChangePoll{.organizations = {}, .catalog_changed = true, .everything = true};
  }
  position_ = position;
  return poll;
}

Result<ChangePoll> SqlChangeFeed::PollPostgres(Connection& conn) {
  ChangePoll poll;
  if (!started_) {
    std::unordered_map<std::string, int64_t> seen;
    ORGD_TRY(conn.Query(kPostgresHead, {}, [&](const Row& row) {
      if (row.IsNull(0)) {
        position_ = row.GetInt(1);
      } else {
        seen.emplace(std::string(row.GetText(0)), row.GetInt(1));
      }
    }));
    seen_ = std::move(seen);
    poll.everything = true;
    return poll;
  }
  int64_t xmin = position_;
  std::unordered_map<std::string, int64_t> seen;
  ORGD_TRY(conn.Query(kPostgresChangesSince, {Int(position_)}, [&](const Row& row) {
    if (row.IsNull(0)) {
      xmin = row.GetInt(1);
      return;
    }
    std::string_view org = row.GetText(0);
    const int64_t xid = row.GetInt(1);
    // A row is new unless the previous poll reported it with this very transaction id.
    auto it = seen_.find(std::string(org));
    if (it == seen_.end() || it->second != xid) {
      if (org == kCatalogRow) {
        poll.catalog_changed = true;
      } else {
        poll.organizations.emplace_back(org);
      }
    }
    seen.emplace(std::string(org), xid);
  }));
  // Only rows at or above the new xmin can come back in the next poll; keep those.
  for (auto it = seen.begin(); it != seen.end();) {
    it = it->second < xmin ? seen.erase(it) : std::next(it);
  }
  if (static_cast<int64_t>(poll.organizations.size()) > options_.max_organizations) {
    poll = ChangePoll{.organizations = {}, .catalog_changed = true, .everything = true};
  }
  position_ = xmin;
  seen_ = std::move(seen);
  return poll;
}

Result<void> SqlChangeFeed::ReadOrganizationGrants(
    const OrgId& org, const std::function<void(const GrantRow&)>& on_row) {
  auto lease = db_.Acquire();
  if (!lease) return std::move(lease).error();
  return (*lease)->Query(kOrganizationGrants, {Text(org.value())}, [&](const Row& row) {
    const int64_t kind = row.GetInt(0);
    on_row(GrantRow{.kind = kind == 0   ? GrantRow::Kind::kMember
                            : kind == 1 ? GrantRow::Kind::kRole
                                        : GrantRow::Kind::kPermission,
                    .user_id = row.GetText(1),
                    .target_id = row.GetText(2)});
  });
}

Result<GrantCatalog> SqlChangeFeed::ReadGrantCatalog() {
  auto lease = db_.Acquire();
  if (!lease) return std::move(lease).error();
  Connection& conn = **lease;
  GrantCatalog catalog;
  ORGD_TRY(conn.Begin(TxMode::kRead));
  auto read = [&]() -> Result<void> {
    ORGD_TRY(conn.Query(kAllRoles, {},
                        [&](const Row& row) { catalog.roles.push_back(internal::ReadRole(row)); }));
    ORGD_TRY(conn.Query(kAllPermissions, {}, [&](const Row& row) {
      catalog.permissions.push_back(internal::ReadPermission(row));
    }));
    return conn.Query(kAllRolePermissions, {}, [&](const Row& row) {
      catalog.role_permissions.emplace_back(RoleId(row.GetText(0)), PermissionId(row.GetText(1)));
    });
  }();
  if (!read) {
    conn.Rollback();
    return std::move(read).error();
  }
  if (auto c = conn.Commit(); !c) {
    conn.Rollback();
    return std::move(c).error();
  }
  return catalog;
}

}  // namespace orgd::store::sql
