// Roles, permissions and role links: the SqlStore members declared in sql_store.h (RoleStore).

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/sql/rows.h"
#include "store/sql/sql_common.h"
#include "store/sql/sql_store.h"

namespace orgd::store::sql {
namespace {

using internal::AsciiLower;
using internal::kJoin;

Error MapRoleUnique(Error error) {
  return internal::MapUnique(std::move(error), "role",
                             {{"roles.key", "key"},
                              {"roles_key_key", "key"},
                              {"roles.id", "id"},
                              {"roles_pkey", "id"}});
}

Error MapPermissionUnique(Error error) {
  return internal::MapUnique(std::move(error), "permission",
                             {{"permissions.key", "key"},
                              {"permissions_key_key", "key"},
                              {"permissions.id", "id"},
                              {"permissions_pkey", "id"}});
}

constexpr std::string_view kSelect = "SELECT ";

// ---- roles

constexpr std::string_view kFromRoles = " FROM roles r ";
constexpr std::string_view kWhereRoleId = "WHERE r.id = $1";
constexpr std::string_view kWhereRoleKey = "WHERE r.key = $1";
constexpr std::string_view kWhereDefault = "WHERE r.is_default_role = 1 ORDER BY r.key, r.id";
constexpr std::string_view kGetRole =
    kJoin<kSelect, internal::kRoleColumns, kFromRoles, kWhereRoleId>;
constexpr std::string_view kGetRoleByKey =
    kJoin<kSelect, internal::kRoleColumns, kFromRoles, kWhereRoleKey>;
constexpr std::string_view kListDefaultRoles =
    kJoin<kSelect, internal::kRoleColumns, kFromRoles, kWhereDefault>;

constexpr std::string_view kInsertRole =
    "INSERT INTO roles (id, key, key_sort, name, name_sort, description, type, is_default_role, "
    "assignment_permission_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
constexpr std::string_view kUpdateRole =
    "UPDATE roles SET key = COALESCE($2, key), key_sort = COALESCE($3, key_sort), "
    "name = COALESCE($4, name), name_sort = COALESCE($5, name_sort), "
    "description = CASE WHEN $6 = 1 THEN $7 ELSE description END, type = COALESCE($8, type), "
    "is_default_role = COALESCE($9, is_default_role), "
    "assignment_permission_id = CASE WHEN $10 = 1 THEN $11 ELSE assignment_permission_id END "
    "WHERE id = $1";
constexpr std::string_view kDeleteRole = "DELETE FROM roles WHERE id = $1";

// $1 search pattern (id, key, description: the Logto `q` columns), $2 type or NULL; $3/$4
// cursor; $5 limit, $6 offset.
constexpr std::string_view kRoleFilter =
    "WHERE (r.id LIKE $1 OR r.key_sort LIKE $1 OR LOWER(r.description) LIKE $1) "
    "AND (CAST($2 AS TEXT) IS NULL OR r.type = CAST($2 AS TEXT)) ";
constexpr std::string_view kRoleByKey =
    "AND (CAST($3 AS TEXT) IS NULL OR r.key > CAST($3 AS TEXT) OR (r.key = CAST($3 AS TEXT) "
    "AND r.id > CAST($4 AS TEXT))) ORDER BY r.key, r.id LIMIT $5 OFFSET $6";
constexpr std::string_view kRoleByCreated =
    "AND (CAST($3 AS BIGINT) IS NULL OR r.created_at > CAST($3 AS BIGINT) OR "
    "(r.created_at = CAST($3 AS BIGINT) AND r.id > CAST($4 AS TEXT))) "
    "ORDER BY r.created_at, r.id LIMIT $5 OFFSET $6";
constexpr std::string_view kRoleByNameAsc =
    "AND (CAST($3 AS TEXT) IS NULL OR r.name_sort > CAST($3 AS TEXT) OR "
    "(r.name_sort = CAST($3 AS TEXT) AND r.id > CAST($4 AS TEXT))) "
    "ORDER BY r.name_sort, r.id LIMIT $5 OFFSET $6";
constexpr std::string_view kRoleByNameDesc =
    "AND (CAST($3 AS TEXT) IS NULL OR r.name_sort < CAST($3 AS TEXT) OR "
    "(r.name_sort = CAST($3 AS TEXT) AND r.id < CAST($4 AS TEXT))) "
    "ORDER BY r.name_sort DESC, r.id DESC LIMIT $5 OFFSET $6";
constexpr std::string_view kRoleByKeyCiAsc =
    "AND (CAST($3 AS TEXT) IS NULL OR r.key_sort > CAST($3 AS TEXT) OR "
    "(r.key_sort = CAST($3 AS TEXT) AND r.id > CAST($4 AS TEXT))) "
    "ORDER BY r.key_sort, r.id LIMIT $5 OFFSET $6";
constexpr std::string_view kRoleByKeyCiDesc =
    "AND (CAST($3 AS TEXT) IS NULL OR r.key_sort < CAST($3 AS TEXT) OR "
    "(r.key_sort = CAST($3 AS TEXT) AND r.id < CAST($4 AS TEXT))) "
    "ORDER BY r.key_sort DESC, r.id DESC LIMIT $5 OFFSET $6";
template <const std::string_view& Order>
constexpr std::string_view kListRoles =
    kJoin<kSelect, internal::kRoleColumns, kFromRoles, kRoleFilter, Order>;
constexpr std::string_view kCountRolesHead = "SELECT COUNT(*) FROM roles r ";
constexpr std::string_view kCountRoles = kJoin<kCountRolesHead, kRoleFilter>;

std::string_view RoleListSql(domain::RoleSort sort) {
  switch (sort) {
    case domain::RoleSort::kKeyAsc: return kListRoles<kRoleByKey>;
    case domain::RoleSort::kCreatedAsc: return kListRoles<kRoleByCreated>;
    case domain::RoleSort::kNameAsc: return kListRoles<kRoleByNameAsc>;
    case domain::RoleSort::kNameDesc: return kListRoles<kRoleByNameDesc>;
    case domain::RoleSort::kKeyAscCi: return kListRoles<kRoleByKeyCiAsc>;
    case domain::RoleSort::kKeyDescCi: return kListRoles<kRoleByKeyCiDesc>;
  }
  return kListRoles<kRoleByKey>;
}

std::string RoleSortKey(domain::RoleSort sort, const domain::Role& r) {
  switch (sort) {
    case domain::RoleSort::kKeyAsc: return r.key;
    case domain::RoleSort::kCreatedAsc: return std::to_string(r.created_at);
    case domain::RoleSort::kNameAsc:
    case domain::RoleSort::kNameDesc: return AsciiLower(r.name);
    case domain::RoleSort::kKeyAscCi:
    case domain::RoleSort::kKeyDescCi: return AsciiLower(r.key);
  }
  return r.key;
}

// ---- permissions

constexpr std::string_view kFromPermissions = " FROM permissions p ";
constexpr std::string_view kWherePermissionId = "WHERE p.id = $1";
constexpr std::string_view kWherePermissionKey = "WHERE p.key = $1";
constexpr std::string_view kGetPermission =
    kJoin<kSelect, internal::kPermissionColumns, kFromPermissions, kWherePermissionId>;
constexpr std::string_view kGetPermissionByKey =
    kJoin<kSelect, internal::kPermissionColumns, kFromPermissions, kWherePermissionKey>;
constexpr std::string_view kInsertPermission =
    "INSERT INTO permissions (id, key, name, name_sort, description, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6)";
constexpr std::string_view kUpdatePermission =
    "UPDATE permissions SET key = COALESCE($2, key), name = COALESCE($3, name), "
    "name_sort = COALESCE($4, name_sort), "
    "description = CASE WHEN $5 = 1 THEN $6 ELSE description END WHERE id = $1";
constexpr std::string_view kDeletePermission = "DELETE FROM permissions WHERE id = $1";

// $1 search pattern over the key; $2 a role whose permissions alone are listed, or NULL; $3/$4
// cursor; $5 limit, $6 offset. LOWER() is applied to keys, which hold no whitespace and are
// ASCII in practice.
constexpr std::string_view kPermissionFilter =
    "WHERE LOWER(p.key) LIKE $1 AND (CAST($2 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM "
    "role_permissions rp WHERE rp.role_id = CAST($2 AS TEXT) AND rp.permission_id = p.id)) ";
constexpr std::string_view kPermByKey =
    "AND (CAST($3 AS TEXT) IS NULL OR p.key > CAST($3 AS TEXT) OR (p.key = CAST($3 AS TEXT) "
    "AND p.id > CAST($4 AS TEXT))) ORDER BY p.key, p.id LIMIT $5 OFFSET $6";
constexpr std::string_view kPermByCreated =
    "AND (CAST($3 AS BIGINT) IS NULL OR p.created_at > CAST($3 AS BIGINT) OR "
    "(p.created_at = CAST($3 AS BIGINT) AND p.id > CAST($4 AS TEXT))) "
    "ORDER BY p.created_at, p.id LIMIT $5 OFFSET $6";
constexpr std::string_view kPermByNameAsc =
    "AND (CAST($3 AS TEXT) IS NULL OR p.name_sort > CAST($3 AS TEXT) OR "
    "(p.name_sort = CAST($3 AS TEXT) AND p.id > CAST($4 AS TEXT))) "
    "ORDER BY p.name_sort, p.id LIMIT $5 OFFSET $6";
constexpr std::string_view kPermByNameDesc =
    "AND (CAST($3 AS TEXT) IS NULL OR p.name_sort < CAST($3 AS TEXT) OR "
    "(p.name_sort = CAST($3 AS TEXT) AND p.id < CAST($4 AS TEXT))) "
    "ORDER BY p.name_sort DESC, p.id DESC LIMIT $5 OFFSET $6";
constexpr std::string_view kPermByIdAsc =
    "AND (CAST($3 AS TEXT) IS NULL OR p.id > CAST($4 AS TEXT)) ORDER BY p.id LIMIT $5 OFFSET $6";
constexpr std::string_view kPermByIdDesc =
    "AND (CAST($3 AS TEXT) IS NULL OR p.id < CAST($4 AS TEXT)) "
    "ORDER BY p.id DESC LIMIT $5 OFFSET $6";
template <const std::string_view& Order>
constexpr std::string_view kListPermissions =
    kJoin<kSelect, internal::kPermissionColumns, kFromPermissions, kPermissionFilter, Order>;
constexpr std::string_view kCountPermissionsHead = "SELECT COUNT(*) FROM permissions p ";
constexpr std::string_view kCountPermissions = kJoin<kCountPermissionsHead, kPermissionFilter>;

std::string_view PermissionListSql(domain::PermissionSort sort) {
  switch (sort) {
    case domain::PermissionSort::kKeyAsc: return kListPermissions<kPermByKey>;
    case domain::PermissionSort::kCreatedAsc: return kListPermissions<kPermByCreated>;
    case domain::PermissionSort::kNameAsc: return kListPermissions<kPermByNameAsc>;
    case domain::PermissionSort::kNameDesc: return kListPermissions<kPermByNameDesc>;
    case domain::PermissionSort::kIdAsc: return kListPermissions<kPermByIdAsc>;
    case domain::PermissionSort::kIdDesc: return kListPermissions<kPermByIdDesc>;
  }
  return kListPermissions<kPermByKey>;
}

std::string PermissionSortKey(domain::PermissionSort sort, const domain::Permission& p) {
  switch (sort) {
    case domain::PermissionSort::kKeyAsc: return p.key;
    case domain::PermissionSort::kCreatedAsc: return std::to_string(p.created_at);
    case domain::PermissionSort::kNameAsc:
    case domain::PermissionSort::kNameDesc: return AsciiLower(p.name);
    case domain::PermissionSort::kIdAsc:
    case domain::PermissionSort::kIdDesc: return p.id.value();
  }
  return p.key;
}

// ---- links. ON CONFLICT DO NOTHING makes the inserts idempotent on both engines; the changed
// row count tells whether the link is new.

constexpr std::string_view kAddRolePermission =
    "INSERT INTO role_permissions (role_id, permission_id, created_at) VALUES ($1, $2, $3) "
    "ON CONFLICT DO NOTHING";
constexpr std::string_view kRemoveRolePermission =
    "DELETE FROM role_permissions WHERE role_id = $1 AND permission_id = $2";
constexpr std::string_view kClearRolePermissions = "DELETE FROM role_permissions WHERE role_id = $1";
constexpr std::string_view kAddRoleScope =
    "INSERT INTO role_resource_scopes (role_id, scope_id, created_at) VALUES ($1, $2, $3) "
    "ON CONFLICT DO NOTHING";
constexpr std::string_view kRemoveRoleScope =
    "DELETE FROM role_resource_scopes WHERE role_id = $1 AND scope_id = $2";
constexpr std::string_view kClearRoleScopes = "DELETE FROM role_resource_scopes WHERE role_id = $1";
constexpr std::string_view kListRoleScopesHead = "SELECT ";
constexpr std::string_view kListRoleScopesTail =
    ", res.name FROM role_resource_scopes l JOIN resource_scopes s ON s.id = l.scope_id "
    "JOIN resources res ON res.id = s.resource_id WHERE l.role_id = $1 "
    "ORDER BY s.created_at, s.id";
constexpr std::string_view kListRoleScopes =
    kJoin<kListRoleScopesHead, internal::kResourceScopeColumns, kListRoleScopesTail>;

// Runs `sql` (an idempotent link insert) once per id; returns the ids whose row was new.
template <typename IdT>
Result<std::vector<IdT>> AddLinks(Connection& conn, std::string_view sql, const std::string& owner,
                                  const std::vector<IdT>& ids, int64_t now_ms) {
  std::vector<IdT> added;
  for (const IdT& id : ids) {
    auto changed = conn.Exec(sql, {Text(owner), Text(id.value()), Int(now_ms)});
    if (!changed) return std::move(changed).error();
    if (*changed > 0) added.push_back(id);
  }
  return added;
}

template <typename T, typename Read>
Result<std::vector<T>> GetEach(Connection& conn, std::string_view sql,
                               const std::vector<std::string>& keys, Read read) {
  std::vector<T> out;
  for (const std::string& key : keys) {
    ORGD_TRY(conn.Query(sql, {Text(key)}, [&](const Row& row) { out.push_back(read(row)); }));
  }
  return out;
}

template <typename IdT>
std::vector<std::string> Values(const std::vector<IdT>& ids) {
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (const IdT& id : ids) out.push_back(id.value());
  return out;
}

}  // namespace

Result<void> SqlStore::InsertRole(const domain::Role& r) {
  const std::string key_sort = AsciiLower(r.key);
  const std::string name_sort = AsciiLower(r.name);
  const std::string type(domain::RoleTypeName(r.type));
  const std::optional<std::string> assignment =
      r.assignment_permission_id ? std::optional(r.assignment_permission_id->value())
                                 : std::nullopt;
  const std::array<Param, 10> params = {
      Text(r.id.value()), Text(r.key),           Text(key_sort), Text(r.name),
      Text(name_sort),    OptText(r.description), Text(type),    Bool(r.is_default_role),
      OptText(assignment), Int(r.created_at)};
  return Run([&](Connection& conn) -> Result<void> {
    if (auto x = conn.Exec(kInsertRole, params); !x) return MapRoleUnique(std::move(x).error());
    return {};
  });
}

Result<domain::Role> SqlStore::GetRole(const RoleId& id) {
  std::optional<domain::Role> role;
  ORGD_TRY(Run([&](Connection& conn) {
    return conn.Query(kGetRole, {Text(id.value())},
                      [&](const Row& row) { role = internal::ReadRole(row); });
  }));
  if (!role) return Error::NotFound("role");
  return std::move(*role);
}

Result<std::vector<domain::Role>> SqlStore::GetRoles(const std::vector<RoleId>& ids) {
  std::vector<domain::Role> roles;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    auto r = GetEach<domain::Role>(conn, kGetRole, Values(ids),
                                   [](const Row& row) { return internal::ReadRole(row); });
    if (!r) return std::move(r).error();
    roles = std::move(*r);
    return {};
  }));
  return roles;
}

Result<std::vector<domain::Role>> SqlStore::GetRolesByKey(const std::vector<std::string>& keys) {
  std::vector<domain::Role> roles;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    auto r = GetEach<domain::Role>(conn, kGetRoleByKey, keys,
                                   [](const Row& row) { return internal::ReadRole(row); });
    if (!r) return std::move(r).error();
    roles = std::move(*r);
    return {};
  }));
  return roles;
}

Result<std::vector<domain::Role>> SqlStore::ListDefaultRoles() {
  std::vector<domain::Role> roles;
  ORGD_TRY(Run([&](Connection& conn) {
    roles.clear();
    return conn.Query(kListDefaultRoles, {},
                      [&](const Row& row) { roles.push_back(internal::ReadRole(row)); });
  }));
  return roles;
}

Result<domain::Role> SqlStore::UpdateRole(const RoleId& id, const domain::RolePatch& patch) {
  const std::optional<std::string> key_sort =
      patch.key ? std::optional(AsciiLower(*patch.key)) : std::nullopt;
  const std::optional<std::string> name_sort =
      patch.name ? std::optional(AsciiLower(*patch.name)) : std::nullopt;
  const std::optional<std::string> type =
      patch.type ? std::optional(std::string(domain::RoleTypeName(*patch.type))) : std::nullopt;
  std::optional<std::string> assignment;
  if (patch.assignment_permission_id && *patch.assignment_permission_id) {
    assignment = (*patch.assignment_permission_id)->value();
  }
  const std::array<Param, 11> params = {
      Text(id.value()),
      OptText(patch.key),
      OptText(key_sort),
      OptText(patch.name),
      OptText(name_sort),
      internal::Flag(patch.description.has_value()),
      patch.description ? OptText(*patch.description) : Param{nullptr},
      OptText(type),
      internal::OptBool(patch.is_default_role),
      internal::Flag(patch.assignment_permission_id.has_value()),
      OptText(assignment),
  };
  std::optional<domain::Role> updated;
  ORGD_TRY(RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    auto changed = conn.Exec(kUpdateRole, params);
    if (!changed) return MapRoleUnique(std::move(changed).error());
    if (*changed == 0) return Error::NotFound("role");
    return conn.Query(kGetRole, {Text(id.value())},
                      [&](const Row& row) { updated = internal::ReadRole(row); });
  }));
  if (!updated) return Error::NotFound("role");
  return std::move(*updated);
}

Result<void> SqlStore::DeleteRole(const RoleId& id) {
  return Run([&](Connection& conn) -> Result<void> {
    auto deleted = conn.Exec(kDeleteRole, {Text(id.value())});
    if (!deleted) return std::move(deleted).error();
    if (*deleted == 0) return Error::NotFound("role");
    return {};
  });
}

Result<domain::RolePage> SqlStore::ListRoles(const domain::RoleListQuery& query) {
  ORGD_TRY(internal::CheckPage(query.page));
  const bool by_created = query.sort == domain::RoleSort::kCreatedAsc;
  std::optional<int64_t> after_created;
  if (query.page.after && by_created) {
    auto parsed = internal::ParseIntCursor(query.page.after->sort_key);
    if (!parsed) return std::move(parsed).error();
    after_created = *parsed;
  }
  const std::string pattern = internal::SearchPattern(query.q);
  const std::optional<std::string> type =
      query.type ? std::optional(std::string(domain::RoleTypeName(*query.type))) : std::nullopt;
  const auto& after = query.page.after;
  const std::array<Param, 6> params = {
      Text(pattern),
      OptText(type),
      !after ? Param{nullptr} : (by_created ? Int(*after_created) : Text(after->sort_key)),
      after ? Text(after->id) : Param{nullptr},
      Int(internal::FetchCount(query.page.limit)),
      Int(query.page.offset),
  };
  domain::RolePage page;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    ORGD_TRY(internal::FillPage(conn, RoleListSql(query.sort), params, query.page.limit, page,
                                [](const Row& row) { return internal::ReadRole(row); }));
    if (!page.items.empty()) {
      page.last = domain::Cursor{.sort_key = RoleSortKey(query.sort, page.items.back()),
                                 .id = page.items.back().id.value()};
    }
    if (query.page.want_total) {
      ORGD_TRY(conn.Query(kCountRoles, std::span(params).first(2),
                          [&](const Row& row) { page.total = row.GetInt(0); }));
    }
    return {};
  }));
  return page;
}

Result<void> SqlStore::InsertPermission(const domain::Permission& p) {
  const std::string name_sort = AsciiLower(p.name);
  return Run([&](Connection& conn) -> Result<void> {
    auto r = conn.Exec(kInsertPermission, {Text(p.id.value()), Text(p.key), Text(p.name),
                                           Text(name_sort), OptText(p.description),
                                           Int(p.created_at)});
    if (!r) return MapPermissionUnique(std::move(r).error());
    return {};
  });
}

Result<domain::Permission> SqlStore::GetPermission(const PermissionId& id) {
  std::optional<domain::Permission> permission;
  ORGD_TRY(Run([&](Connection& conn) {
    return conn.Query(kGetPermission, {Text(id.value())},
                      [&](const Row& row) { permission = internal::ReadPermission(row); });
  }));
  if (!permission) return Error::NotFound("permission");
  return std::move(*permission);
}

Result<std::vector<domain::Permission>> SqlStore::GetPermissions(
    const std::vector<PermissionId>& ids) {
  std::vector<domain::Permission> out;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    auto r = GetEach<domain::Permission>(
        conn, kGetPermission, Values(ids),
        [](const Row& row) { return internal::ReadPermission(row); });
    if (!r) return std::move(r).error();
    out = std::move(*r);
    return {};
  }));
  return out;
}

Result<std::vector<domain::Permission>> SqlStore::GetPermissionsByKey(
    const std::vector<std::string>& keys) {
  std::vector<domain::Permission> out;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    auto r = GetEach<domain::Permission>(
        conn, kGetPermissionByKey, keys,
        [](const Row& row) { return internal::ReadPermission(row); });
    if (!r) return std::move(r).error();
    out = std::move(*r);
    return {};
  }));
  return out;
}

Result<domain::Permission> SqlStore::UpdatePermission(const PermissionId& id,
                                                      const domain::PermissionPatch& patch) {
  const std::optional<std::string> name_sort =
      patch.name ? std::optional(AsciiLower(*patch.name)) : std::nullopt;
  const std::array<Param, 6> params = {
      Text(id.value()),
      OptText(patch.key),
      OptText(patch.name),
      OptText(name_sort),
      internal::Flag(patch.description.has_value()),
      patch.description ? OptText(*patch.description) : Param{nullptr},
  };
  std::optional<domain::Permission> updated;
  ORGD_TRY(RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    auto changed = conn.Exec(kUpdatePermission, params);
    if (!changed) return MapPermissionUnique(std::move(changed).error());
    if (*changed == 0) return Error::NotFound("permission");
    return conn.Query(kGetPermission, {Text(id.value())},
                      [&](const Row& row) { updated = internal::ReadPermission(row); });
  }));
  if (!updated) return Error::NotFound("permission");
  return std::move(*updated);
}

Result<void> SqlStore::DeletePermission(const PermissionId& id) {
  return Run([&](Connection& conn) -> Result<void> {
    auto deleted = conn.Exec(kDeletePermission, {Text(id.value())});
    if (!deleted) return std::move(deleted).error();
    if (*deleted == 0) return Error::NotFound("permission");
    return {};
  });
}

namespace {

Result<domain::PermissionPage> ListPermissionsOn(Connection& conn,
                                                 const std::optional<std::string>& role,
                                                 const domain::PermissionListQuery& query) {
  ORGD_TRY(internal::CheckPage(query.page));
  const bool by_created = query.sort == domain::PermissionSort::kCreatedAsc;
  std::optional<int64_t> after_created;
  if (query.page.after && by_created) {
    auto parsed = internal::ParseIntCursor(query.page.after->sort_key);
    if (!parsed) return std::move(parsed).error();
    after_created = *parsed;
  }
  const std::string pattern = internal::SearchPattern(query.q);
  const auto& after = query.page.after;
  const std::array<Param, 6> params = {
      Text(pattern),
      OptText(role),
      !after ? Param{nullptr} : (by_created ? Int(*after_created) : Text(after->sort_key)),
      after ? Text(after->id) : Param{nullptr},
      Int(internal::FetchCount(query.page.limit)),
      Int(query.page.offset),
  };
  domain::PermissionPage page;
  ORGD_TRY(internal::FillPage(conn, PermissionListSql(query.sort), params, query.page.limit, page,
                              [](const Row& row) { return internal::ReadPermission(row); }));
  if (!page.items.empty()) {
    page.last = domain::Cursor{.sort_key = PermissionSortKey(query.sort, page.items.back()),
                               .id = page.items.back().id.value()};
  }
  if (query.page.want_total) {
    ORGD_TRY(conn.Query(kCountPermissions, std::span(params).first(2),
                        [&](const Row& row) { page.total = row.GetInt(0); }));
  }
  return page;
}

}  // namespace

Result<domain::PermissionPage> SqlStore::ListPermissions(const domain::PermissionListQuery& query) {
  domain::PermissionPage page;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    auto r = ListPermissionsOn(conn, std::nullopt, query);
    if (!r) return std::move(r).error();
    page = std::move(*r);
    return {};
  }));
  return page;
}

Result<std::vector<PermissionId>> SqlStore::AddRolePermissions(
    const RoleId& role, const std::vector<PermissionId>& permissions, int64_t now_ms) {
  std::vector<PermissionId> added;
  ORGD_TRY(RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    auto r = AddLinks(conn, kAddRolePermission, role.value(), permissions, now_ms);
    if (!r) return std::move(r).error();
    added = std::move(*r);
    return {};
  }));
  return added;
}

Result<void> SqlStore::RemoveRolePermission(const RoleId& role, const PermissionId& permission) {
  return Run([&](Connection& conn) -> Result<void> {
    auto deleted = conn.Exec(kRemoveRolePermission, {Text(role.value()), Text(permission.value())});
    if (!deleted) return std::move(deleted).error();
    if (*deleted == 0) return Error::NotFound("role_permission").WithReason("not_assigned");
    return {};
  });
}

Result<void> SqlStore::ClearRolePermissions(const RoleId& role) {
  return Run([&](Connection& conn) -> Result<void> {
    ORGD_TRY(conn.Exec(kClearRolePermissions, {Text(role.value())}));
    return {};
  });
}

Result<domain::PermissionPage> SqlStore::ListRolePermissions(
    const RoleId& role, const domain::PermissionListQuery& query) {
  domain::PermissionPage page;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    auto r = ListPermissionsOn(conn, role.value(), query);
    if (!r) return std::move(r).error();
    page = std::move(*r);
    return {};
  }));
  return page;
}

Result<std::vector<ResourceScopeId>> SqlStore::AddRoleResourceScopes(
    const RoleId& role, const std::vector<ResourceScopeId>& scopes, int64_t now_ms) {
  std::vector<ResourceScopeId> added;
  ORGD_TRY(RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    auto r = AddLinks(conn, kAddRoleScope, role.value(), scopes, now_ms);
    if (!r) return std::move(r).error();
    added = std::move(*r);
    return {};
  }));
  return added;
}

Result<void> SqlStore::RemoveRoleResourceScope(const RoleId& role, const ResourceScopeId& scope) {
  return Run([&](Connection& conn) -> Result<void> {
    auto deleted = conn.Exec(kRemoveRoleScope, {Text(role.value()), Text(scope.value())});
    if (!deleted) return std::move(deleted).error();
    if (*deleted == 0) return Error::NotFound("role_resource_scope").WithReason("not_assigned");
    return {};
  });
}

Result<void> SqlStore::ClearRoleResourceScopes(const RoleId& role) {
  return Run([&](Connection& conn) -> Result<void> {
    ORGD_TRY(conn.Exec(kClearRoleScopes, {Text(role.value())}));
    return {};
  });
}

Result<std::vector<domain::ResourceScopeWithResource>> SqlStore::ListRoleResourceScopes(
    const RoleId& role) {
  std::vector<domain::ResourceScopeWithResource> out;
  ORGD_TRY(Run([&](Connection& conn) {
    out.clear();
    return conn.Query(kListRoleScopes, {Text(role.value())}, [&](const Row& row) {
      out.push_back({internal::ReadResourceScope(row), row.GetString(5)});
    });
  }));
  return out;
}

}  // namespace orgd::store::sql
