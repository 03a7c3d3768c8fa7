// Memberships and every grant inside an organization: the SqlStore members declared in
// sql_store.h (MembershipStore). Every statement filters on org_id.

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "store/sql/bulk_rows.h"
#include "store/sql/fts_search.h"
#include "store/sql/rows.h"
#include "store/sql/sql_common.h"
#include "store/sql/sql_store.h"

namespace orgd::store::sql {
namespace {

using internal::kJoin;

// SQLite serializes writers from BEGIN IMMEDIATE, so a plain read suffices there; PostgreSQL
// needs the row lock. The other engine difference of this file is how the bulk statements below
// read their rows (bulk_rows.h).
constexpr std::string_view kLockOrgSqlite = "SELECT id FROM organizations WHERE id = $1";
constexpr std::string_view kLockOrgPostgres =
    "SELECT id FROM organizations WHERE id = $1 FOR UPDATE";

constexpr std::string_view kAddMember =
    "INSERT INTO organization_members (org_id, user_id, created_at) VALUES ($1, $2, $3) "
    "ON CONFLICT DO NOTHING";
constexpr std::string_view kRemoveMember =
    "DELETE FROM organization_members WHERE org_id = $1 AND user_id = $2";

// Bulk statements, one text per engine (bulk_rows.h): $1 the organization, then $2 now where the
// statement writes, then the rows. The casts give PostgreSQL the types it cannot infer from a
// SELECT list. `WHERE true` keeps SQLite from reading ON CONFLICT as a join constraint.
constexpr std::string_view kAddMembersPostgres =
    "INSERT INTO organization_members (org_id, user_id, created_at) "
    "SELECT CAST($1 AS TEXT), v.user_id, CAST($2 AS BIGINT) "
    "FROM unnest(CAST($3 AS TEXT[])) AS v(user_id) ON CONFLICT DO NOTHING RETURNING user_id";
constexpr std::string_view kAddMembersSqlite =
    "INSERT INTO organization_members (org_id, user_id, created_at) "
    "SELECT $1, j.value, $2 FROM json_each($3) AS j WHERE true "
    "ON CONFLICT DO NOTHING RETURNING user_id";
constexpr std::string_view kFindMembersPostgres =
    "SELECT user_id FROM organization_members "
    "WHERE org_id = $1 AND user_id = ANY(CAST($2 AS TEXT[]))";
constexpr std::string_view kFindMembersSqlite =
    "SELECT user_id FROM organization_members "
    "WHERE org_id = $1 AND user_id IN (SELECT j.value FROM json_each($2) AS j)";
constexpr std::string_view kRemoveMembersPostgres =
    "DELETE FROM organization_members WHERE org_id = $1 AND user_id = ANY(CAST($2 AS TEXT[]))";
constexpr std::string_view kRemoveMembersSqlite =
    "DELETE FROM organization_members "
    "WHERE org_id = $1 AND user_id IN (SELECT j.value FROM json_each($2) AS j)";
constexpr std::string_view kAddMemberRoleGrantsPostgres =
    "INSERT INTO organization_member_roles (org_id, user_id, role_id, created_at) "
    "SELECT CAST($1 AS TEXT), v.user_id, v.role_id, CAST($2 AS BIGINT) "
    "FROM unnest(CAST($3 AS TEXT[]), CAST($4 AS TEXT[])) AS v(user_id, role_id) "
    "ON CONFLICT DO NOTHING";
constexpr std::string_view kAddMemberRoleGrantsSqlite =
    "INSERT INTO organization_member_roles (org_id, user_id, role_id, created_at) "
    "SELECT $1, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), $2 "
    "FROM json_each($3) AS j WHERE true ON CONFLICT DO NOTHING";
constexpr std::string_view kAddMemberPermissionGrantsPostgres =
    "INSERT INTO organization_member_permissions (org_id, user_id, permission_id, created_at) "
    "SELECT CAST($1 AS TEXT), v.user_id, v.permission_id, CAST($2 AS BIGINT) "
    "FROM unnest(CAST($3 AS TEXT[]), CAST($4 AS TEXT[])) AS v(user_id, permission_id) "
    "ON CONFLICT DO NOTHING";
constexpr std::string_view kAddMemberPermissionGrantsSqlite =
    "INSERT INTO organization_member_permissions (org_id, user_id, permission_id, created_at) "
    "SELECT $1, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), $2 "
    "FROM json_each($3) AS j WHERE true ON CONFLICT DO NOTHING";

std::string_view ForEngine(const Connection& conn, std::string_view postgres,
                           std::string_view sqlite) {
  return conn.engine() == Engine::kPostgres ? postgres : sqlite;
}

constexpr std::string_view kIsMember =
    "SELECT COUNT(*) FROM organization_members WHERE org_id = $1 AND user_id = $2";
constexpr std::string_view kMemberIds =
    "SELECT user_id FROM organization_members WHERE org_id = $1 ORDER BY user_id";
constexpr std::string_view kCountMembers =
    "SELECT COUNT(*) FROM organization_members WHERE org_id = $1";

constexpr std::string_view kSelect = "SELECT ";
constexpr std::string_view kMemberFrom =
    ", m.created_at FROM organization_members m JOIN users u ON u.id = m.user_id ";
// $1 org, $2 search pattern, $3 role or NULL; $4/$5 cursor; $6 limit, $7 offset.
constexpr std::string_view kMemberOrg = "WHERE m.org_id = $1 ";
constexpr std::string_view kMemberSearch =
    "AND (u.id LIKE $2 OR u.primary_email_lower LIKE $2 OR "
    "u.primary_phone LIKE $2 OR u.username_lower LIKE $2 OR u.name_lower LIKE $2) ";
// Every member (no search): $2 is still bound (to "%%") so that these statements take the
// parameters of the search statements; a term that names no column is evaluated once, not per
// row, by both engines.
constexpr std::string_view kMemberNoSearch = "AND CAST($2 AS TEXT) = '%%' ";
constexpr std::string_view kMemberRole =
    "AND (CAST($3 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM organization_member_roles mr "
    "WHERE mr.org_id = m.org_id AND mr.user_id = m.user_id AND mr.role_id = CAST($3 AS TEXT))) ";
constexpr std::string_view kMemberFilter = kJoin<kMemberOrg, kMemberSearch, kMemberRole>;
constexpr std::string_view kMemberFilterAll = kJoin<kMemberOrg, kMemberNoSearch, kMemberRole>;
constexpr std::string_view kMembersByUser =
    "AND (CAST($4 AS TEXT) IS NULL OR m.user_id > CAST($5 AS TEXT)) "
    "ORDER BY m.user_id LIMIT $6 OFFSET $7";
constexpr std::string_view kMembersByJoin =
    "AND (CAST($4 AS BIGINT) IS NULL OR m.created_at > CAST($4 AS BIGINT) OR "
    "(m.created_at = CAST($4 AS BIGINT) AND m.user_id > CAST($5 AS TEXT))) "
    "ORDER BY m.created_at, m.user_id LIMIT $6 OFFSET $7";
constexpr std::string_view kListMembersByUser =
    kJoin<kSelect, internal::kUserColumns, kMemberFrom, kMemberFilter, kMembersByUser>;
constexpr std::string_view kListMembersByJoin =
    kJoin<kSelect, internal::kUserColumns, kMemberFrom, kMemberFilter, kMembersByJoin>;
constexpr std::string_view kListAllMembersByUser =
    kJoin<kSelect, internal::kUserColumns, kMemberFrom, kMemberFilterAll, kMembersByUser>;
constexpr std::string_view kListAllMembersByJoin =
    kJoin<kSelect, internal::kUserColumns, kMemberFrom, kMemberFilterAll, kMembersByJoin>;
// Every member matching the filter (no paging), for the orders and filters evaluated in memory.
constexpr std::string_view kOrderByUser = "ORDER BY m.user_id";
constexpr std::string_view kListAllMembers =
    kJoin<kSelect, internal::kUserColumns, kMemberFrom, kMemberFilter, kOrderByUser>;

// SQLite only: a search of a large organization narrowed by users_fts (src/store/sql/
// fts_search.h), $8 its MATCH expression; bound with all eight parameters. CROSS JOIN makes
// SQLite read the users the FTS table names and then look up their memberships; left to itself
// it reads every member of the organization and tests each against the FTS hits.
constexpr std::string_view kMemberFromFts =
    ", m.created_at FROM users u CROSS JOIN organization_members m ON m.user_id = u.id ";
constexpr std::string_view kMemberFts =
    "AND u.rowid IN (SELECT rowid FROM users_fts WHERE users_fts MATCH $8) ";
constexpr std::string_view kListMembersByUserFts = kJoin<kSelect, internal::kUserColumns,
                                                         kMemberFromFts, kMemberFilter,
                                                         kMemberFts, kMembersByUser>;
constexpr std::string_view kListMembersByJoinFts = kJoin<kSelect, internal::kUserColumns,
                                                         kMemberFromFts, kMemberFilter,
                                                         kMemberFts, kMembersByJoin>;
constexpr std::string_view kListAllMembersFts = kJoin<kSelect, internal::kUserColumns,
                                                      kMemberFromFts, kMemberFilter, kMemberFts,
                                                      kOrderByUser>;
// An organization with fewer members than this is searched by reading its members, which costs
// less than the FTS query (that one grows with the matching users of every organization).
constexpr int64_t kMemberScanLimit = 1000;
constexpr std::string_view kMembersUpTo =
    "SELECT COUNT(*) FROM (SELECT 1 FROM organization_members WHERE org_id = $1 LIMIT $2)";
// The role grants of every member of an organization, with the keys and names the member
// objects show, in role key order.
constexpr std::string_view kOrgMemberRoles =
    "SELECT mr.user_id, r.id, r.key, r.name FROM organization_member_roles mr "
    "JOIN roles r ON r.id = mr.role_id WHERE mr.org_id = $1 ORDER BY r.key, r.id";
// Every (member, permission) pair of an organization: direct grants and grants through roles.
constexpr std::string_view kOrgMemberPermissions =
    "SELECT mp.user_id, mp.permission_id FROM organization_member_permissions mp "
    "WHERE mp.org_id = $1 UNION "
    "SELECT mr.user_id, rp.permission_id FROM organization_member_roles mr "
    "JOIN role_permissions rp ON rp.role_id = mr.role_id WHERE mr.org_id = $1";

// "$First, $First+1, …" for Count placeholders, built at compile time so that the batched
// statement below stays one constant.
constexpr size_t DigitCount(size_t n) { return n < 10 ? 1 : n < 100 ? 2 : 3; }
constexpr size_t PlaceholderListSize(size_t first, size_t count) {
  size_t total = 0;
  for (size_t i = 0; i < count; ++i) total += 1 + DigitCount(first + i) + (i > 0 ? 2 : 0);
  return total;
}
template <size_t First, size_t Count>
struct PlaceholderList {
  static constexpr auto kChars = [] {
    std::array<char, PlaceholderListSize(First, Count)> chars{};
    size_t at = 0;
    for (size_t i = 0; i < Count; ++i) {
      if (i > 0) {
        chars[at++] = ',';
        chars[at++] = ' ';
      }
      chars[at++] = '$';
      size_t n = First + i;
      const size_t digits = DigitCount(n);
      for (size_t k = digits; k-- > 0;) {
        chars[at + k] = static_cast<char>('0' + n % 10);
        n /= 10;
      }
      at += digits;
    }
    return chars;
  }();
  static constexpr std::string_view kValue{kChars.data(), kChars.size()};
};

// The first members of up to kSummaryBatch organizations in one statement, one branch per
// organization: each reads its first $1 members in user id order from the primary key and stops
// (a window over every membership read all 100,000 members of a large organization, 0.35 s
// each). Unused organization slots are bound to NULL, which matches nothing. Their member counts
// are the kept ones (migrations/*/0015_member_counts.sql).
constexpr size_t kSummaryBatch = 20;
const std::string& FeaturedMembersSql() {
  static const std::string sql = [] {
    std::string out;
    for (size_t i = 0; i < kSummaryBatch; ++i) {
      if (i > 0) out += " UNION ALL ";
      out += "SELECT * FROM (SELECT m.org_id, m.user_id, u.avatar, u.name "
             "FROM organization_members m JOIN users u ON u.id = m.user_id WHERE m.org_id = $" +
             std::to_string(i + 2) + " ORDER BY m.user_id LIMIT $1) f" + std::to_string(i);
    }
    return out + " ORDER BY 1, 2";
  }();
  return sql;
}
constexpr std::string_view kKeptMemberCountsHead =
    "SELECT org_id, n FROM organization_member_counts WHERE org_id IN (";
constexpr std::string_view kKeptMemberCountsTail = ")";
constexpr std::string_view kKeptMemberCounts =
    kJoin<kKeptMemberCountsHead, PlaceholderList<1, kSummaryBatch>::kValue, kKeptMemberCountsTail>;

constexpr std::string_view kCountMembersHead =
    "SELECT COUNT(*) FROM organization_members m JOIN users u ON u.id = m.user_id ";
constexpr std::string_view kCountMatchingMembers = kJoin<kCountMembersHead, kMemberFilter>;
constexpr std::string_view kCountAllMembers = kJoin<kCountMembersHead, kMemberFilterAll>;
// Every member, no role filter: the count the triggers keep (migrations/*/0015_member_counts.sql).
constexpr std::string_view kKeptMemberCount =
    "SELECT COALESCE((SELECT n FROM organization_member_counts WHERE org_id = $1), 0)";
constexpr std::string_view kCountMembersHeadFts =
    "SELECT COUNT(*) FROM users u CROSS JOIN organization_members m ON m.user_id = u.id ";
constexpr std::string_view kCountMatchingMembersFts =
    kJoin<kCountMembersHeadFts, kMemberFilter, kMemberFts>;

constexpr std::string_view kAddMemberRole =
    "INSERT INTO organization_member_roles (org_id, user_id, role_id, created_at) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
constexpr std::string_view kRemoveMemberRole =
    "DELETE FROM organization_member_roles WHERE org_id = $1 AND user_id = $2 AND role_id = $3";
constexpr std::string_view kClearMemberRoles =
    "DELETE FROM organization_member_roles WHERE org_id = $1 AND user_id = $2";
constexpr std::string_view kMemberRolesTail =
    " FROM organization_member_roles mr JOIN roles r ON r.id = mr.role_id "
    "WHERE mr.org_id = $1 AND mr.user_id = $2 ORDER BY r.key, r.id";
constexpr std::string_view kListMemberRoles = kJoin<kSelect, internal::kRoleColumns, kMemberRolesTail>;
// The role grants of up to kRolesBatch members of one organization ($1), in role key order, each
// row ending with the member's id; unused member slots are bound to NULL, which matches nothing.
constexpr size_t kRolesBatch = 50;
constexpr std::string_view kRolesOfMembersHead =
    ", mr.user_id FROM organization_member_roles mr JOIN roles r ON r.id = mr.role_id "
    "WHERE mr.org_id = $1 AND mr.user_id IN (";
constexpr std::string_view kRolesOfMembersTail = ") ORDER BY r.key, r.id";
constexpr std::string_view kRolesOfMembers =
    kJoin<kSelect, internal::kRoleColumns, kRolesOfMembersHead,
          PlaceholderList<2, kRolesBatch>::kValue, kRolesOfMembersTail>;

constexpr std::string_view kAddMemberPermission =
    "INSERT INTO organization_member_permissions (org_id, user_id, permission_id, created_at) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
constexpr std::string_view kRemoveMemberPermission =
    "DELETE FROM organization_member_permissions "
    "WHERE org_id = $1 AND user_id = $2 AND permission_id = $3";
constexpr std::string_view kMemberPermissionsTail =
    " FROM organization_member_permissions mp JOIN permissions p ON p.id = mp.permission_id "
    "WHERE mp.org_id = $1 AND mp.user_id = $2 ORDER BY p.key, p.id";
constexpr std::string_view kListMemberPermissions =
    kJoin<kSelect, internal::kPermissionColumns, kMemberPermissionsTail>;

constexpr std::string_view kAddMemberApiScope =
    "INSERT INTO organization_member_api_scopes (org_id, user_id, scope_id, created_at) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
constexpr std::string_view kRemoveMemberApiScope =
    "DELETE FROM organization_member_api_scopes WHERE org_id = $1 AND user_id = $2 AND "
    "scope_id = $3";
constexpr std::string_view kMemberApiScopesTail =
    " FROM organization_member_api_scopes ms JOIN resource_scopes s ON s.id = ms.scope_id "
    "WHERE ms.org_id = $1 AND ms.user_id = $2 ORDER BY s.created_at, s.id";
constexpr std::string_view kListMemberApiScopes =
    kJoin<kSelect, internal::kResourceScopeColumns, kMemberApiScopesTail>;

// One row per (permission, granting role); a direct grant has a NULL role. Ordered so that the
// rows of one permission are adjacent.
constexpr std::string_view kEffectiveTail =
    ", g.role_id, r.key, r.name FROM ("
    "SELECT mp.permission_id AS permission_id, CAST(NULL AS TEXT) AS role_id "
    "FROM organization_member_permissions mp WHERE mp.org_id = $1 AND mp.user_id = $2 "
    "UNION ALL "
    "SELECT rp.permission_id, mr.role_id FROM organization_member_roles mr "
    "JOIN role_permissions rp ON rp.role_id = mr.role_id "
    "WHERE mr.org_id = $1 AND mr.user_id = $2) g "
    "JOIN permissions p ON p.id = g.permission_id LEFT JOIN roles r ON r.id = g.role_id "
    "ORDER BY p.key, p.id, r.key, r.id";
constexpr std::string_view kEffective = kJoin<kSelect, internal::kPermissionColumns, kEffectiveTail>;
constexpr std::string_view kSelectDistinct = "SELECT DISTINCT ";
constexpr std::string_view kRolePermissionsTail =
    " FROM organization_member_roles mr JOIN role_permissions rp ON rp.role_id = mr.role_id "
    "JOIN permissions p ON p.id = rp.permission_id WHERE mr.org_id = $1 AND mr.user_id = $2 "
    "ORDER BY p.key, p.id";
constexpr std::string_view kMemberRolePermissions =
    kJoin<kSelectDistinct, internal::kPermissionColumns, kRolePermissionsTail>;

// The organizations of a user or application with the roles held there: one row per
// (organization, role), a NULL role for an organization where none is held.
constexpr std::string_view kUserOrgs =
    "SELECT m.org_id, r.id, r.key, r.name FROM organization_members m "
    "JOIN organizations o ON o.id = m.org_id "
    "LEFT JOIN organization_member_roles mr ON mr.org_id = m.org_id AND mr.user_id = m.user_id "
    "LEFT JOIN roles r ON r.id = mr.role_id WHERE m.user_id = $1 "
    "ORDER BY o.created_at, o.id, r.key, r.id";
constexpr std::string_view kApplicationOrgs =
    "SELECT m.org_id, r.id, r.key, r.name FROM organization_applications m "
    "JOIN organizations o ON o.id = m.org_id "
    "LEFT JOIN organization_application_roles mr ON mr.org_id = m.org_id "
    "AND mr.application_id = m.application_id "
    "LEFT JOIN roles r ON r.id = mr.role_id WHERE m.application_id = $1 "
    "ORDER BY o.created_at, o.id, r.key, r.id";

constexpr std::string_view kRoleHolders =
    "SELECT user_id FROM organization_member_roles WHERE org_id = $1 AND role_id = $2 "
    "AND (CAST($3 AS TEXT) IS NULL OR user_id > CAST($3 AS TEXT)) "
    "ORDER BY user_id LIMIT $4 OFFSET $5";
constexpr std::string_view kCountRoleHolders =
    "SELECT COUNT(*) FROM organization_member_roles WHERE org_id = $1 AND role_id = $2";
// Page over distinct users first, then their organizations (one row per pair, user order).
constexpr std::string_view kRoleHolderUsers =
    "SELECT DISTINCT user_id FROM organization_member_roles WHERE role_id = $1 "
    "AND (CAST($2 AS TEXT) IS NULL OR user_id > CAST($2 AS TEXT)) "
    "ORDER BY user_id LIMIT $3 OFFSET $4";
constexpr std::string_view kRoleHolderOrgs =
    "SELECT org_id FROM organization_member_roles WHERE role_id = $1 AND user_id = $2 "
    "ORDER BY org_id";

constexpr std::string_view kAddApplication =
    "INSERT INTO organization_applications (org_id, application_id, created_at) "
    "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
constexpr std::string_view kRemoveApplication =
    "DELETE FROM organization_applications WHERE org_id = $1 AND application_id = $2";
constexpr std::string_view kIsApplicationMember =
    "SELECT COUNT(*) FROM organization_applications WHERE org_id = $1 AND application_id = $2";
constexpr std::string_view kApplicationIds =
    "SELECT application_id FROM organization_applications WHERE org_id = $1 "
    "ORDER BY application_id";
constexpr std::string_view kOrgAppsTail =
    " FROM organization_applications oa JOIN applications a ON a.id = oa.application_id "
    "WHERE oa.org_id = $1 AND (a.id LIKE $2 OR LOWER(a.name) LIKE $2 OR "
    "LOWER(COALESCE(a.description, '')) LIKE $2) "
    "ORDER BY oa.created_at, a.id LIMIT $3 OFFSET $4";
constexpr std::string_view kListOrgApps = kJoin<kSelect, internal::kApplicationColumns, kOrgAppsTail>;
constexpr std::string_view kCountOrgApps =
    "SELECT COUNT(*) FROM organization_applications oa JOIN applications a "
    "ON a.id = oa.application_id WHERE oa.org_id = $1 AND (a.id LIKE $2 OR LOWER(a.name) LIKE $2 "
    "OR LOWER(COALESCE(a.description, '')) LIKE $2)";
constexpr std::string_view kAddApplicationRole =
    "INSERT INTO organization_application_roles (org_id, application_id, role_id, created_at) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
constexpr std::string_view kRemoveApplicationRole =
    "DELETE FROM organization_application_roles WHERE org_id = $1 AND application_id = $2 "
    "AND role_id = $3";
constexpr std::string_view kClearApplicationRoles =
    "DELETE FROM organization_application_roles WHERE org_id = $1 AND application_id = $2";
constexpr std::string_view kAppRolesTail =
    " FROM organization_application_roles ar JOIN roles r ON r.id = ar.role_id "
    "WHERE ar.org_id = $1 AND ar.application_id = $2 ORDER BY r.key, r.id";
constexpr std::string_view kListApplicationRoles = kJoin<kSelect, internal::kRoleColumns, kAppRolesTail>;

constexpr std::string_view kAddJitRole =
    "INSERT INTO organization_jit_roles (org_id, role_id, created_at) VALUES ($1, $2, $3) "
    "ON CONFLICT DO NOTHING";
constexpr std::string_view kRemoveJitRole =
    "DELETE FROM organization_jit_roles WHERE org_id = $1 AND role_id = $2";
constexpr std::string_view kClearJitRoles = "DELETE FROM organization_jit_roles WHERE org_id = $1";
constexpr std::string_view kJitRolesTail =
    " FROM organization_jit_roles j JOIN roles r ON r.id = j.role_id WHERE j.org_id = $1 "
    "ORDER BY j.created_at, r.id";
constexpr std::string_view kListJitRoles = kJoin<kSelect, internal::kRoleColumns, kJitRolesTail>;

// Runs an idempotent grant insert ($1 org, $2 holder, $3 granted id, $4 now) per id; returns
// the ids whose row was new.
template <typename IdT>
Result<std::vector<IdT>> Grant(Connection& conn, std::string_view sql, const OrgId& org,
                               const std::string& holder, const std::vector<IdT>& ids,
                               int64_t now_ms) {
  std::vector<IdT> added;
  for (const IdT& id : ids) {
    auto changed = conn.Exec(sql, {Text(org.value()), Text(holder), Text(id.value()), Int(now_ms)});
    if (!changed) return std::move(changed).error();
    if (*changed > 0) added.push_back(id);
  }
  return added;
}

// Fills the roles of `members` (all of `org`), kRolesBatch members per query.
Result<void> LoadMemberRolesOn(Connection& conn, const OrgId& org,
                               std::vector<domain::Member>& members) {
  std::unordered_map<std::string_view, domain::Member*> by_id;
  by_id.reserve(members.size());
  for (domain::Member& member : members) {
    member.roles.clear();
    by_id.emplace(member.user.id.value(), &member);
  }
  for (size_t start = 0; start < members.size(); start += kRolesBatch) {
    std::array<Param, kRolesBatch + 1> params;
    params.fill(nullptr);
    params[0] = Text(org.value());
    for (size_t i = 0; i < kRolesBatch && start + i < members.size(); ++i) {
      params[i + 1] = Text(members[start + i].user.id.value());
    }
    ORGD_TRY(conn.Query(kRolesOfMembers, params, [&](const Row& row) {
      auto it = by_id.find(row.GetText(internal::kRoleColumnCount));
      if (it == by_id.end()) return;
      domain::Role r = internal::ReadRole(row);
      it->second->roles.push_back({r.id, r.key, r.name});
    }));
  }
  return {};
}

Result<bool> CountIsPositive(Connection& conn, std::string_view sql, const std::string& a,
                             const std::string& b) {
  int64_t count = 0;
  ORGD_TRY(conn.Query(sql, {Text(a), Text(b)}, [&](const Row& row) { count = row.GetInt(0); }));
  return count > 0;
}

// The organizations `sql` lists for `holder`, with only their ids set, and the holder's roles in
// each (rows ordered by organization; a NULL role id means no role there).
Result<std::vector<domain::OrganizationWithRoles>> OrgsWithRolesOn(Connection& conn,
                                                                   std::string_view sql,
                                                                   const std::string& holder) {
  std::vector<domain::OrganizationWithRoles> out;
  ORGD_TRY(conn.Query(sql, {Text(holder)}, [&](const Row& row) {
    OrgId org(row.GetText(0));
    if (out.empty() || out.back().organization.id != org) {
      out.emplace_back();
      out.back().organization.id = org;
    }
    if (!row.IsNull(1)) {
      out.back().roles.push_back({RoleId(row.GetText(1)), row.GetString(2), row.GetString(3)});
    }
  }));
  return out;
}

Result<void> RemoveOne(Connection& conn, std::string_view sql, std::initializer_list<Param> params,
                       std::string_view subject) {
  auto deleted = conn.Exec(sql, params);
  if (!deleted) return std::move(deleted).error();
  if (*deleted == 0) return Error::NotFound(std::string(subject)).WithReason("not_assigned");
  return {};
}

// The text a member is ordered by under `sort` (the decimal join time in join order).
std::string MemberSortKey(const domain::Member& member, domain::MemberSort sort) {
  switch (sort) {
    case domain::MemberSort::kUserIdAsc:
      return member.user.id.value();
    case domain::MemberSort::kJoinedAsc:
      return std::to_string(member.joined_at);
    case domain::MemberSort::kNameAsc:
    case domain::MemberSort::kNameDesc:
      return internal::AsciiLower(domain::JoinedFullName(member.user));
    case domain::MemberSort::kEmailAsc:
    case domain::MemberSort::kEmailDesc:
      return internal::AsciiLower(member.user.primary_email.value_or(""));
  }
  return member.user.id.value();
}

// A member's position in a list: its sort key and id. Ordered by `Precedes`.
struct MemberPosition {
  std::string key;
  int64_t joined = 0;  // kJoinedAsc only
  std::string id;
};

// Whether `a` comes before `b` under `sort`. Name and email orders put empty keys last in both
// directions; every order breaks ties by ascending user id.
bool Precedes(const MemberPosition& a, const MemberPosition& b, domain::MemberSort sort) {
  switch (sort) {
    case domain::MemberSort::kUserIdAsc:
      return a.id < b.id;
    case domain::MemberSort::kJoinedAsc:
      return a.joined != b.joined ? a.joined < b.joined : a.id < b.id;
    case domain::MemberSort::kNameAsc:
    case domain::MemberSort::kEmailAsc:
    case domain::MemberSort::kNameDesc:
    case domain::MemberSort::kEmailDesc: {
      if (a.key.empty() != b.key.empty()) return b.key.empty();
      if (a.key != b.key) {
        const bool descending =
            sort == domain::MemberSort::kNameDesc || sort == domain::MemberSort::kEmailDesc;
        return descending ? a.key > b.key : a.key < b.key;
      }
      return a.id < b.id;
    }
  }
  return a.id < b.id;
}

// SQLite: the MATCH expression that narrows a member search by users_fts when the organization
// is large (kMemberScanLimit) and the expression selective (internal::kDenseHits); nullopt
// otherwise, and always on PostgreSQL.
Result<std::optional<std::string>> MemberSearchFts(Connection& conn, const OrgId& org,
                                                   const std::string& pattern) {
  std::optional<std::string> none;
  if (conn.engine() != Engine::kSqlite) return none;
  // No ESCAPE clause in kMemberFilter: on SQLite a backslash in the pattern is itself.
  std::optional<std::string> fts = internal::FtsLike(pattern, internal::LikeEscape::kNone);
  if (!fts) return none;
  int64_t members = 0;
  ORGD_TRY(conn.Query(kMembersUpTo, {Text(org.value()), Int(kMemberScanLimit)},
                      [&](const Row& row) { members = row.GetInt(0); }));
  if (members < kMemberScanLimit) return none;
  auto few = internal::FewFtsHits(conn, internal::kUsersFtsProbe, *fts);
  if (!few) return std::move(few).error();
  if (!*few) return none;
  return fts;
}

// Name and email orders and the all-of filters have no index to seek; organizations are small
// enough that reading their member set per page is cheaper than a query per filter key, and it
// keeps the ASCII-only case folding identical on both engines. The keyset cursor compares
// positions, so a page starts right after the last member seen even if that member is gone.
Result<domain::MemberPage> ListMembersInMemoryOn(Connection& conn, const OrgId& org,
                                                 const domain::MemberListQuery& query) {
  std::optional<MemberPosition> after;
  if (query.page.after) {
    after = MemberPosition{.key = query.page.after->sort_key, .id = query.page.after->id};
    if (query.sort == domain::MemberSort::kJoinedAsc) {
      auto parsed = internal::ParseIntCursor(query.page.after->sort_key);
      if (!parsed) return std::move(parsed).error();
      after->joined = *parsed;
    }
  }
  const std::string pattern = internal::SearchPattern(query.q);
  const std::optional<std::string> role =
      query.role_id ? std::optional(query.role_id->value()) : std::nullopt;
  auto fts = MemberSearchFts(conn, org, pattern);
  if (!fts) return std::move(fts).error();
  domain::MemberPage page;
  std::vector<domain::Member> members;
  const std::array<Param, 8> params = {
      Text(org.value()), Text(pattern), OptText(role), nullptr, nullptr, nullptr, nullptr,
      *fts ? Text(**fts) : Param{nullptr}};
  ORGD_TRY(conn.Query(*fts ? kListAllMembersFts : kListAllMembers,
                      std::span(params).first(*fts ? size_t{8} : size_t{3}),
                      [&](const Row& row) {
                        members.push_back(domain::Member{
                            .user = internal::ReadUser(row),
                            .joined_at = row.GetInt(internal::kUserColumnCount)});
                      }));
  std::unordered_map<std::string, std::vector<domain::RoleRef>> roles_of;
  ORGD_TRY(conn.Query(kOrgMemberRoles, {Text(org.value())}, [&](const Row& row) {
    roles_of[row.GetString(0)].push_back(
        {RoleId(row.GetText(1)), row.GetString(2), row.GetString(3)});
  }));
  std::unordered_map<std::string, std::unordered_set<std::string>> permissions_of;
  if (!query.all_permissions.empty()) {
    ORGD_TRY(conn.Query(kOrgMemberPermissions, {Text(org.value())}, [&](const Row& row) {
      permissions_of[row.GetString(0)].insert(row.GetString(1));
    }));
  }
  auto holds_all = [&](const domain::Member& m) {
    auto roles = roles_of.find(m.user.id.value());
    for (const RoleId& wanted : query.all_roles) {
      if (roles == roles_of.end() ||
          std::none_of(roles->second.begin(), roles->second.end(),
                       [&](const domain::RoleRef& r) { return r.id == wanted; })) {
        return false;
      }
    }
    auto permissions = permissions_of.find(m.user.id.value());
    for (const PermissionId& wanted : query.all_permissions) {
      if (permissions == permissions_of.end() ||
          !permissions->second.contains(wanted.value())) {
        return false;
      }
    }
    return true;
  };
  std::vector<std::pair<MemberPosition, domain::Member*>> ordered;
  for (domain::Member& m : members) {
    if (!holds_all(m)) continue;
    ordered.push_back({MemberPosition{.key = MemberSortKey(m, query.sort),
                                      .joined = m.joined_at,
                                      .id = m.user.id.value()},
                       &m});
  }
  page.total = static_cast<int64_t>(ordered.size());
  std::stable_sort(ordered.begin(), ordered.end(), [&](const auto& a, const auto& b) {
    return Precedes(a.first, b.first, query.sort);
  });
  auto first = ordered.begin();
  if (after) {
    first = std::upper_bound(ordered.begin(), ordered.end(), *after,
                             [&](const MemberPosition& pos, const auto& item) {
                               return Precedes(pos, item.first, query.sort);
                             });
  }
  const auto remaining = ordered.end() - first;
  first += std::min<int64_t>(query.page.offset, remaining);
  for (auto it = first; it != ordered.end(); ++it) {
    if (static_cast<int64_t>(page.items.size()) == query.page.limit) {
      page.has_more = true;
      break;
    }
    domain::Member& m = *it->second;
    if (auto roles = roles_of.find(m.user.id.value()); roles != roles_of.end()) {
      m.roles = std::move(roles->second);
    }
    page.last = domain::Cursor{.sort_key = it->first.key, .id = it->first.id};
    page.items.push_back(std::move(m));
  }
  return page;
}

}  // namespace

Result<void> SqlStore::LockOrganization(const OrgId& org) {
  return Run([&](Connection& conn) -> Result<void> {
    bool found = false;
    ORGD_TRY(conn.Query(conn.engine() == Engine::kPostgres ? kLockOrgPostgres : kLockOrgSqlite,
                        {Text(org.value())}, [&](const Row&) { found = true; }));
    if (!found) return Error::NotFound("organization");
    return {};
  });
}

Result<std::vector<UserId>> SqlStore::AddMembers(const OrgId& org,
                                                 const std::vector<UserId>& users,
                                                 int64_t now_ms) {
  std::vector<UserId> added;
  ORGD_TRY(RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    added.clear();
    if (users.size() == 1) {
      // The common single add (JIT, an invitation, one Kinde user) takes the single-row
      // statement: a bulk parameter costs SQLite a json_each cursor and a RETURNING table per
      // execution, which is more than the row itself.
      auto changed =
          conn.Exec(kAddMember, {Text(org.value()), Text(users[0].value()), Int(now_ms)});
      if (!changed) return std::move(changed).error();
      if (*changed > 0) added.push_back(users[0]);
      return {};
    }
    std::unordered_set<std::string> inserted;
    const auto ordered =
        internal::InKeyOrder(std::span(users), [](const UserId& u) -> const UserId& { return u; });
    ORGD_TRY(internal::InChunks(users.size(), [&](size_t begin, size_t end) -> Result<void> {
      internal::BulkRows rows(conn.engine(), 1);
      for (size_t i = begin; i < end; ++i) ORGD_TRY(rows.Add({Text(ordered[i]->value())}));
      return conn.Query(ForEngine(conn, kAddMembersPostgres, kAddMembersSqlite),
                        internal::BulkParams({Text(org.value()), Int(now_ms)}, rows),
                        [&](const Row& row) { inserted.insert(row.GetString(0)); });
    }));
    // Input order; erasing keeps a user listed twice from counting twice.
    for (const UserId& user : users) {
      if (inserted.erase(user.value()) > 0) added.push_back(user);
    }
    return {};
  }));
  return added;
}

Result<std::vector<UserId>> SqlStore::FindMembers(const OrgId& org,
                                                  const std::vector<UserId>& users) {
  std::vector<UserId> members;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    members.clear();
    return internal::InChunks(users.size(), [&](size_t begin, size_t end) -> Result<void> {
      internal::BulkRows rows(conn.engine(), 1);
      for (size_t i = begin; i < end; ++i) ORGD_TRY(rows.Add({Text(users[i].value())}));
      return conn.Query(ForEngine(conn, kFindMembersPostgres, kFindMembersSqlite),
                        internal::BulkParams({Text(org.value())}, rows),
                        [&](const Row& row) { members.emplace_back(row.GetText(0)); });
    });
  }));
  return members;
}

Result<int64_t> SqlStore::RemoveMembers(const OrgId& org, const std::vector<UserId>& users) {
  int64_t removed = 0;
  ORGD_TRY(RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    removed = 0;
    return internal::InChunks(users.size(), [&](size_t begin, size_t end) -> Result<void> {
      internal::BulkRows rows(conn.engine(), 1);
      for (size_t i = begin; i < end; ++i) ORGD_TRY(rows.Add({Text(users[i].value())}));
      auto n = conn.Exec(ForEngine(conn, kRemoveMembersPostgres, kRemoveMembersSqlite),
                         internal::BulkParams({Text(org.value())}, rows));
      if (!n) return std::move(n).error();
      removed += *n;
      return {};
    });
  }));
  return removed;
}

Result<void> SqlStore::RemoveMember(const OrgId& org, const UserId& user) {
  return Run([&](Connection& conn) {
    return RemoveOne(conn, kRemoveMember, {Text(org.value()), Text(user.value())}, "member");
  });
}

Result<bool> SqlStore::IsMember(const OrgId& org, const UserId& user) {
  bool member = false;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    auto r = CountIsPositive(conn, kIsMember, org.value(), user.value());
    if (!r) return std::move(r).error();
    member = *r;
    return {};
  }));
  return member;
}

Result<std::vector<UserId>> SqlStore::ListMemberIds(const OrgId& org) {
  std::vector<UserId> ids;
  ORGD_TRY(Run([&](Connection& conn) {
    ids.clear();
    return conn.Query(kMemberIds, {Text(org.value())},
                      [&](const Row& row) { ids.emplace_back(row.GetText(0)); });
  }));
  return ids;
}

Result<domain::MemberPage> SqlStore::ListMembers(const OrgId& org,
                                                 const domain::MemberListQuery& query) {
  ORGD_TRY(internal::CheckPage(query.page));
  const bool in_memory = !query.all_roles.empty() || !query.all_permissions.empty() ||
                         (query.sort != domain::MemberSort::kUserIdAsc &&
                          query.sort != domain::MemberSort::kJoinedAsc);
  if (in_memory) {
    domain::MemberPage page;
    ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
      auto r = ListMembersInMemoryOn(conn, org, query);
      if (!r) return std::move(r).error();
      page = std::move(*r);
      return {};
    }));
    return page;
  }
  const bool by_join = query.sort == domain::MemberSort::kJoinedAsc;
  const auto& after = query.page.after;
  std::optional<int64_t> after_joined;
  if (after && by_join) {
    auto parsed = internal::ParseIntCursor(after->sort_key);
    if (!parsed) return std::move(parsed).error();
    after_joined = *parsed;
  }
  const std::string pattern = internal::SearchPattern(query.q);
  const std::optional<std::string> role =
      query.role_id ? std::optional(query.role_id->value()) : std::nullopt;
  std::array<Param, 8> params = {
      Text(org.value()),
      Text(pattern),
      OptText(role),
      !after ? Param{nullptr} : (by_join ? Int(*after_joined) : Text(after->sort_key)),
      after ? Text(after->id) : Param{nullptr},
      Int(internal::FetchCount(query.page.limit)),
      Int(query.page.offset),
      nullptr,
  };
  domain::MemberPage page;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    auto fts = MemberSearchFts(conn, org, pattern);
    if (!fts) return std::move(fts).error();
    params[7] = *fts ? Text(**fts) : Param{nullptr};
    const bool all = query.q.empty();
    const std::string_view list_sql =
        *fts  ? (by_join ? kListMembersByJoinFts : kListMembersByUserFts)
        : all ? (by_join ? kListAllMembersByJoin : kListAllMembersByUser)
              : (by_join ? kListMembersByJoin : kListMembersByUser);
    ORGD_TRY(internal::FillPage(conn, list_sql, std::span(params).first(*fts ? 8 : 7),
                                query.page.limit, page, [](const Row& row) {
                                  return domain::Member{
                                      .user = internal::ReadUser(row),
                                      .joined_at = row.GetInt(internal::kUserColumnCount)};
                                }));
    ORGD_TRY(LoadMemberRolesOn(conn, org, page.items));
    if (!page.items.empty()) {
      const domain::Member& last = page.items.back();
      page.last = domain::Cursor{
          .sort_key = by_join ? std::to_string(last.joined_at) : last.user.id.value(),
          .id = last.user.id.value()};
    }
    if (query.page.want_total && all && !role) {
      ORGD_TRY(conn.Query(kKeptMemberCount, std::span(params).first(1),
                          [&](const Row& row) { page.total = row.GetInt(0); }));
    } else if (query.page.want_total) {
      ORGD_TRY(conn.Query(*fts ? kCountMatchingMembersFts
                          : all ? kCountAllMembers
                                : kCountMatchingMembers,
                          std::span(params).first(*fts ? 8 : 3),
                          [&](const Row& row) { page.total = row.GetInt(0); }));
    }
    return {};
  }));
  return page;
}

Result<std::vector<domain::OrganizationMembersSummary>> SqlStore::SummarizeMembers(
    const std::vector<OrgId>& orgs, int64_t featured_per_org) {
  // Each organization is read once, however often it is asked for.
  std::unordered_map<std::string_view, domain::OrganizationMembersSummary> by_id;
  std::vector<const OrgId*> distinct;
  for (const OrgId& org : orgs) {
    if (by_id.try_emplace(org.value()).second) distinct.push_back(&org);
  }
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    for (auto& [id, summary] : by_id) summary = domain::OrganizationMembersSummary{};
    for (size_t start = 0; start < distinct.size(); start += kSummaryBatch) {
      std::array<Param, kSummaryBatch + 1> params;
      params.fill(nullptr);
      params[0] = Int(featured_per_org);
      for (size_t i = 0; i < kSummaryBatch && start + i < distinct.size(); ++i) {
        params[i + 1] = Text(distinct[start + i]->value());
      }
      ORGD_TRY(conn.Query(kKeptMemberCounts, std::span(params).subspan(1), [&](const Row& row) {
        if (auto it = by_id.find(row.GetText(0)); it != by_id.end()) {
          it->second.users_count = row.GetInt(1);
        }
      }));
      if (featured_per_org <= 0) continue;
      ORGD_TRY(conn.Query(FeaturedMembersSql(), params, [&](const Row& row) {
        auto it = by_id.find(row.GetText(0));
        if (it == by_id.end()) return;
        it->second.featured.push_back(domain::FeaturedUser{.id = UserId(row.GetText(1)),
                                                           .avatar = row.GetOptString(2),
                                                           .name = row.GetOptString(3)});
      }));
    }
    return {};
  }));
  std::vector<domain::OrganizationMembersSummary> out;
  out.reserve(orgs.size());
  for (const OrgId& org : orgs) out.push_back(by_id.at(org.value()));
  return out;
}

Result<int64_t> SqlStore::CountMembers(const OrgId& org) {
  int64_t count = 0;
  ORGD_TRY(Run([&](Connection& conn) {
    return conn.Query(kCountMembers, {Text(org.value())},
                      [&](const Row& row) { count = row.GetInt(0); });
  }));
  return count;
}

Result<std::vector<RoleId>> SqlStore::AddMemberRoles(const OrgId& org, const UserId& user,
                                                     const std::vector<RoleId>& roles,
                                                     int64_t now_ms) {
  std::vector<RoleId> added;
  ORGD_TRY(RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    auto r = Grant(conn, kAddMemberRole, org, user.value(), roles, now_ms);
    if (!r) return std::move(r).error();
    added = std::move(*r);
    return {};
  }));
  return added;
}

namespace {

// Inserts (org, user, granted id, now) rows with the engine's text of a bulk grant statement;
// returns how many were new.
template <typename Grant, typename Granted>
Result<int64_t> BulkGrant(Connection& conn, std::string_view single, std::string_view postgres,
                          std::string_view sqlite, const OrgId& org,
                          const std::vector<Grant>& grants, Granted granted, int64_t now_ms) {
  if (grants.size() == 1) {  // as AddMembers: one row takes the single-row statement
    return conn.Exec(single, {Text(org.value()), Text(grants[0].user.value()),
                              Text(granted(grants[0]).value()), Int(now_ms)});
  }
  int64_t added = 0;
  const auto ordered = internal::InKeyOrder(std::span(grants), [&](const Grant& g) {
    return std::tie(g.user, granted(g));
  });
  ORGD_TRY(internal::InChunks(grants.size(), [&](size_t begin, size_t end) -> Result<void> {
    internal::BulkRows rows(conn.engine(), 2);
    for (size_t i = begin; i < end; ++i) {
      ORGD_TRY(rows.Add({Text(ordered[i]->user.value()), Text(granted(*ordered[i]).value())}));
    }
    auto n = conn.Exec(ForEngine(conn, postgres, sqlite),
                       internal::BulkParams({Text(org.value()), Int(now_ms)}, rows));
    if (!n) return std::move(n).error();
    added += *n;
    return {};
  }));
  return added;
}

}  // namespace

Result<int64_t> SqlStore::AddMemberRoleGrants(const OrgId& org,
                                              const std::vector<MemberRoleGrant>& grants,
                                              int64_t now_ms) {
  int64_t added = 0;
  ORGD_TRY(RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    auto n = BulkGrant(conn, kAddMemberRole, kAddMemberRoleGrantsPostgres,
                       kAddMemberRoleGrantsSqlite, org, grants,
                       [](const MemberRoleGrant& g) -> const RoleId& { return g.role; }, now_ms);
    if (!n) return std::move(n).error();
    added = *n;
    return {};
  }));
  return added;
}

Result<int64_t> SqlStore::AddMemberPermissionGrants(
    const OrgId& org, const std::vector<MemberPermissionGrant>& grants, int64_t now_ms) {
  int64_t added = 0;
  ORGD_TRY(RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    auto n = BulkGrant(
        conn, kAddMemberPermission, kAddMemberPermissionGrantsPostgres,
        kAddMemberPermissionGrantsSqlite, org, grants,
        [](const MemberPermissionGrant& g) -> const PermissionId& { return g.permission; },
        now_ms);
    if (!n) return std::move(n).error();
    added = *n;
    return {};
  }));
  return added;
}

Result<void> SqlStore::RemoveMemberRole(const OrgId& org, const UserId& user, const RoleId& role) {
  return Run([&](Connection& conn) {
    return RemoveOne(conn, kRemoveMemberRole,
                     {Text(org.value()), Text(user.value()), Text(role.value())}, "member_role");
  });
}

Result<void> SqlStore::ClearMemberRoles(const OrgId& org, const UserId& user) {
  return Run([&](Connection& conn) -> Result<void> {
    ORGD_TRY(conn.Exec(kClearMemberRoles, {Text(org.value()), Text(user.value())}));
    return {};
  });
}

Result<std::vector<domain::Role>> SqlStore::ListMemberRoles(const OrgId& org, const UserId& user) {
  std::vector<domain::Role> roles;
  ORGD_TRY(Run([&](Connection& conn) {
    roles.clear();
    return conn.Query(kListMemberRoles, {Text(org.value()), Text(user.value())},
                      [&](const Row& row) { roles.push_back(internal::ReadRole(row)); });
  }));
  return roles;
}

Result<std::vector<PermissionId>> SqlStore::AddMemberPermissions(
    const OrgId& org, const UserId& user, const std::vector<PermissionId>& permissions,
    int64_t now_ms) {
  std::vector<PermissionId> added;
  ORGD_TRY(RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    auto r = Grant(conn, kAddMemberPermission, org, user.value(), permissions, now_ms);
    if (!r) return std::move(r).error();
    added = std::move(*r);
    return {};
  }));
  return added;
}

Result<void> SqlStore::RemoveMemberPermission(const OrgId& org, const UserId& user,
                                              const PermissionId& permission) {
  return Run([&](Connection& conn) {
    return RemoveOne(conn, kRemoveMemberPermission,
                     {Text(org.value()), Text(user.value()), Text(permission.value())},
                     "member_permission");
  });
}

Result<std::vector<domain::Permission>> SqlStore::ListMemberPermissions(const OrgId& org,
                                                                        const UserId& user) {
  std::vector<domain::Permission> out;
  ORGD_TRY(Run([&](Connection& conn) {
    out.clear();
    return conn.Query(kListMemberPermissions, {Text(org.value()), Text(user.value())},
                      [&](const Row& row) { out.push_back(internal::ReadPermission(row)); });
  }));
  return out;
}

Result<void> SqlStore::AddMemberApiScope(const OrgId& org, const UserId& user,
                                         const ResourceScopeId& scope, int64_t now_ms) {
  return Run([&](Connection& conn) -> Result<void> {
    ORGD_TRY(conn.Exec(kAddMemberApiScope,
                       {Text(org.value()), Text(user.value()), Text(scope.value()), Int(now_ms)}));
    return {};
  });
}

Result<void> SqlStore::RemoveMemberApiScope(const OrgId& org, const UserId& user,
                                            const ResourceScopeId& scope) {
  return Run([&](Connection& conn) {
    return RemoveOne(conn, kRemoveMemberApiScope,
                     {Text(org.value()), Text(user.value()), Text(scope.value())},
                     "member_api_scope");
  });
}

Result<std::vector<domain::ResourceScope>> SqlStore::ListMemberApiScopes(const OrgId& org,
                                                                         const UserId& user) {
  std::vector<domain::ResourceScope> out;
  ORGD_TRY(Run([&](Connection& conn) {
    out.clear();
    return conn.Query(kListMemberApiScopes, {Text(org.value()), Text(user.value())},
                      [&](const Row& row) { out.push_back(internal::ReadResourceScope(row)); });
  }));
  return out;
}

Result<std::vector<domain::EffectivePermission>> SqlStore::ListEffectivePermissions(
    const OrgId& org, const UserId& user) {
  std::vector<domain::EffectivePermission> out;
  constexpr int kRole = internal::kPermissionColumnCount;
  ORGD_TRY(Run([&](Connection& conn) {
    out.clear();
    return conn.Query(kEffective, {Text(org.value()), Text(user.value())}, [&](const Row& row) {
      std::string_view id = row.GetText(0);
      if (out.empty() || out.back().permission.id.value() != id) {
        out.push_back({.permission = internal::ReadPermission(row)});
      }
      domain::EffectivePermission& p = out.back();
      if (row.IsNull(kRole)) {
        p.is_direct = true;
      } else {
        p.via_roles.push_back(
            {RoleId(row.GetText(kRole)), row.GetString(kRole + 1), row.GetString(kRole + 2)});
      }
    });
  }));
  return out;
}

Result<std::vector<domain::Permission>> SqlStore::ListMemberRolePermissions(const OrgId& org,
                                                                            const UserId& user) {
  std::vector<domain::Permission> out;
  ORGD_TRY(Run([&](Connection& conn) {
    out.clear();
    return conn.Query(kMemberRolePermissions, {Text(org.value()), Text(user.value())},
                      [&](const Row& row) { out.push_back(internal::ReadPermission(row)); });
  }));
  return out;
}

Result<std::vector<domain::OrganizationWithRoles>> SqlStore::ListUserOrganizations(
    const UserId& user) {
  return ListOrganizationsWithRoles(kUserOrgs, user.value());
}

Result<domain::Page<UserId>> SqlStore::ListRoleHolders(const OrgId& org, const RoleId& role,
                                                       const domain::PageRequest& page_request) {
  ORGD_TRY(internal::CheckPage(page_request));
  const auto& after = page_request.after;
  const std::array<Param, 5> params = {Text(org.value()), Text(role.value()),
                                       after ? Text(after->id) : Param{nullptr},
                                       Int(internal::FetchCount(page_request.limit)),
                                       Int(page_request.offset)};
  domain::Page<UserId> page;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    ORGD_TRY(internal::FillPage(conn, kRoleHolders, params, page_request.limit, page,
                                [](const Row& row) { return UserId(row.GetText(0)); }));
    if (!page.items.empty()) {
      page.last = domain::Cursor{.sort_key = page.items.back().value(),
                                 .id = page.items.back().value()};
    }
    if (page_request.want_total) {
      ORGD_TRY(conn.Query(kCountRoleHolders, std::span(params).first(2),
                          [&](const Row& row) { page.total = row.GetInt(0); }));
    }
    return {};
  }));
  return page;
}

Result<int64_t> SqlStore::CountRoleHolders(const OrgId& org, const RoleId& role) {
  int64_t count = 0;
  ORGD_TRY(Run([&](Connection& conn) {
    return conn.Query(kCountRoleHolders, {Text(org.value()), Text(role.value())},
                      [&](const Row& row) { count = row.GetInt(0); });
  }));
  return count;
}

Result<domain::Page<domain::RoleHolder>> SqlStore::ListRoleHoldersEverywhere(
    const RoleId& role, const domain::PageRequest& page_request) {
  ORGD_TRY(internal::CheckPage(page_request));
  const auto& after = page_request.after;
  const std::array<Param, 4> params = {Text(role.value()),
                                       after ? Text(after->id) : Param{nullptr},
                                       Int(internal::FetchCount(page_request.limit)),
                                       Int(page_request.offset)};
  domain::Page<domain::RoleHolder> page;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    ORGD_TRY(internal::FillPage(conn, kRoleHolderUsers, params, page_request.limit, page,
                                [](const Row& row) {
                                  return domain::RoleHolder{.user_id = UserId(row.GetText(0))};
                                }));
    for (domain::RoleHolder& holder : page.items) {
      ORGD_TRY(conn.Query(kRoleHolderOrgs, {Text(role.value()), Text(holder.user_id.value())},
                          [&](const Row& row) { holder.org_ids.emplace_back(row.GetText(0)); }));
    }
    if (!page.items.empty()) {
      const std::string& id = page.items.back().user_id.value();
      page.last = domain::Cursor{.sort_key = id, .id = id};
    }
    return {};
  }));
  return page;
}

Result<std::vector<ApplicationId>> SqlStore::AddApplications(const OrgId& org,
                                                             const std::vector<ApplicationId>& apps,
                                                             int64_t now_ms) {
  std::vector<ApplicationId> added;
  ORGD_TRY(RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    added.clear();
    for (const ApplicationId& app : apps) {
      auto changed =
          conn.Exec(kAddApplication, {Text(org.value()), Text(app.value()), Int(now_ms)});
      if (!changed) return std::move(changed).error();
      if (*changed > 0) added.push_back(app);
    }
    return {};
  }));
  return added;
}

Result<void> SqlStore::RemoveApplication(const OrgId& org, const ApplicationId& app) {
  return Run([&](Connection& conn) {
    return RemoveOne(conn, kRemoveApplication, {Text(org.value()), Text(app.value())},
                     "organization_application");
  });
}

Result<bool> SqlStore::IsApplicationMember(const OrgId& org, const ApplicationId& app) {
  bool member = false;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    auto r = CountIsPositive(conn, kIsApplicationMember, org.value(), app.value());
    if (!r) return std::move(r).error();
    member = *r;
    return {};
  }));
  return member;
}

Result<std::vector<ApplicationId>> SqlStore::ListApplicationIds(const OrgId& org) {
  std::vector<ApplicationId> ids;
  ORGD_TRY(Run([&](Connection& conn) {
    ids.clear();
    return conn.Query(kApplicationIds, {Text(org.value())},
                      [&](const Row& row) { ids.emplace_back(row.GetText(0)); });
  }));
  return ids;
}

Result<domain::Page<domain::OrganizationApplication>> SqlStore::ListOrganizationApplications(
    const OrgId& org, const domain::OrganizationApplicationQuery& query) {
  ORGD_TRY(internal::CheckPage(query.page));
  const std::string pattern = internal::SearchPattern(query.q);
  const std::array<Param, 4> params = {Text(org.value()), Text(pattern),
                                       Int(internal::FetchCount(query.page.limit)),
                                       Int(query.page.offset)};
  domain::Page<domain::OrganizationApplication> page;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    ORGD_TRY(internal::FillPage(conn, kListOrgApps, params, query.page.limit, page,
                                [](const Row& row) {
                                  return domain::OrganizationApplication{
                                      .application = internal::ReadApplication(row)};
                                }));
    for (domain::OrganizationApplication& item : page.items) {
      ORGD_TRY(conn.Query(kListApplicationRoles,
                          {Text(org.value()), Text(item.application.id.value())},
                          [&](const Row& row) {
                            domain::Role r = internal::ReadRole(row);
                            item.roles.push_back({r.id, r.key, r.name});
                          }));
    }
    if (query.page.want_total) {
      ORGD_TRY(conn.Query(kCountOrgApps, std::span(params).first(2),
                          [&](const Row& row) { page.total = row.GetInt(0); }));
    }
    return {};
  }));
  return page;
}

Result<std::vector<RoleId>> SqlStore::AddApplicationRoles(const OrgId& org,
                                                          const ApplicationId& app,
                                                          const std::vector<RoleId>& roles,
                                                          int64_t now_ms) {
  std::vector<RoleId> added;
  ORGD_TRY(RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    auto r = Grant(conn, kAddApplicationRole, org, app.value(), roles, now_ms);
    if (!r) return std::move(r).error();
    added = std::move(*r);
    return {};
  }));
  return added;
}

Result<void> SqlStore::RemoveApplicationRole(const OrgId& org, const ApplicationId& app,
                                             const RoleId& role) {
  return Run([&](Connection& conn) {
    return RemoveOne(conn, kRemoveApplicationRole,
                     {Text(org.value()), Text(app.value()), Text(role.value())},
                     "application_role");
  });
}

Result<void> SqlStore::ClearApplicationRoles(const OrgId& org, const ApplicationId& app) {
  return Run([&](Connection& conn) -> Result<void> {
    ORGD_TRY(conn.Exec(kClearApplicationRoles, {Text(org.value()), Text(app.value())}));
    return {};
  });
}

Result<std::vector<domain::Role>> SqlStore::ListApplicationRoles(const OrgId& org,
                                                                 const ApplicationId& app) {
  std::vector<domain::Role> roles;
  ORGD_TRY(Run([&](Connection& conn) {
    roles.clear();
    return conn.Query(kListApplicationRoles, {Text(org.value()), Text(app.value())},
                      [&](const Row& row) { roles.push_back(internal::ReadRole(row)); });
  }));
  return roles;
}

Result<std::vector<domain::OrganizationWithRoles>> SqlStore::ListApplicationOrganizations(
    const ApplicationId& app) {
  return ListOrganizationsWithRoles(kApplicationOrgs, app.value());
}

Result<std::vector<domain::OrganizationWithRoles>> SqlStore::ListOrganizationsWithRoles(
    std::string_view sql, const std::string& holder) {
  std::vector<domain::OrganizationWithRoles> out;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    auto r = OrgsWithRolesOn(conn, sql, holder);
    if (!r) return std::move(r).error();
    out = std::move(*r);
    SqlStore bound(db_, conn);
    for (domain::OrganizationWithRoles& item : out) {
      auto org = bound.GetOrganization(item.organization.id);
      if (!org) return std::move(org).error();
      item.organization = std::move(*org);
    }
    return {};
  }));
  return out;
}

Result<std::vector<RoleId>> SqlStore::AddJitRoles(const OrgId& org,
                                                  const std::vector<RoleId>& roles,
                                                  int64_t now_ms) {
  std::vector<RoleId> added;
  ORGD_TRY(RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    added.clear();
    for (const RoleId& role : roles) {
      auto changed = conn.Exec(kAddJitRole, {Text(org.value()), Text(role.value()), Int(now_ms)});
      if (!changed) return std::move(changed).error();
      if (*changed > 0) added.push_back(role);
    }
    return {};
  }));
  return added;
}

Result<void> SqlStore::RemoveJitRole(const OrgId& org, const RoleId& role) {
  return Run([&](Connection& conn) {
    return RemoveOne(conn, kRemoveJitRole, {Text(org.value()), Text(role.value())}, "jit_role");
  });
}

Result<void> SqlStore::ClearJitRoles(const OrgId& org) {
  return Run([&](Connection& conn) -> Result<void> {
    ORGD_TRY(conn.Exec(kClearJitRoles, {Text(org.value())}));
    return {};
  });
}

Result<std::vector<domain::Role>> SqlStore::ListJitRoles(const OrgId& org) {
  std::vector<domain::Role> roles;
  ORGD_TRY(Run([&](Connection& conn) {
    roles.clear();
    return conn.Query(kListJitRoles, {Text(org.value())},
                      [&](const Row& row) { roles.push_back(internal::ReadRole(row)); });
  }));
  return roles;
}

}  // namespace orgd::store::sql
