#include "domain/role_service.h"

#include <algorithm>
#include <limits>
#include <unordered_set>
#include <utility>

#include "domain/reference_checks.h"

namespace orgd::domain {
namespace {

using store::Store;
using store::TxMode;

constexpr int kIdAttempts = 3;

template <typename IdT>
bool HasDuplicates(const std::vector<IdT>& ids) {
  return std::unordered_set<IdT>(ids.begin(), ids.end()).size() != ids.size();
}

Result<void> CheckScopes(Store& tx, const std::vector<ResourceScopeId>& ids) {
  auto found = tx.GetResourceScopes(ids);
  if (!found) return std::move(found).error();
  return RequireEvery(ids, *found, "resource_scope");
}

}  // namespace

RoleService::RoleService(store::Store& store, const Clock& clock, IdGenerator& ids)
    : store_(store), clock_(clock), ids_(ids) {}

Result<Role> RoleService::CreateRole(const CreateRoleInput& input, IdStyle style) {
  if (input.fields.key.empty()) return Error::InvalidArgument("key must not be empty", "key");
  Role role = input.fields;
  if (role.name.empty()) role.name = role.key;
  role.created_at = clock_.NowMillis();
  for (int attempt = 1;; ++attempt) {
    role.id = RoleId(ids_.Next(IdKind::kRole, style));
    auto created = store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
      // The assignment permission is a column of the row and is checked before it; the links
      // are checked after the insert so that a key clash wins over unknown link ids, as Logto
      // answers. The transaction rolls the role back when a check fails.
      if (role.assignment_permission_id) {
        ORGD_TRY(CheckPermissions(tx, {*role.assignment_permission_id}));
      }
      ORGD_TRY(tx.InsertRole(role));
      ORGD_TRY(CheckPermissions(tx, input.permission_ids));
      ORGD_TRY(CheckScopes(tx, input.resource_scope_ids));
      ORGD_TRY(tx.AddRolePermissions(role.id, input.permission_ids, role.created_at));
      ORGD_TRY(tx.AddRoleResourceScopes(role.id, input.resource_scope_ids, role.created_at));
      return {};
    });
    if (created) return role;
    const Error& e = created.error();
    if (e.code == ErrorCode::kAlreadyExists && e.reason == "id" && attempt < kIdAttempts) continue;
    return std::move(created).error();
  }
}

Result<Role> RoleService::GetRole(const RoleId& id) { return store_.GetRole(id); }

Result<Role> RoleService::UpdateRole(const RoleId& id, const RolePatch& patch) {
  if (patch.key && patch.key->empty()) return Error::InvalidArgument("key must not be empty", "key");
  if (patch.empty()) return store_.GetRole(id);
  std::optional<Role> updated;
  ORGD_TRY(store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    auto current = tx.GetRole(id);
    if (!current) return std::move(current).error();
    if (patch.assignment_permission_id && *patch.assignment_permission_id) {
      ORGD_TRY(CheckPermissions(tx, {**patch.assignment_permission_id}));
    }
    RolePatch effective = patch;
    if (patch.key && !patch.name && current->name == current->key) effective.name = *patch.key;
    auto r = tx.UpdateRole(id, effective);
    if (!r) return std::move(r).error();
    updated = std::move(*r);
    return {};
  }));
  return std::move(*updated);
}

Result<void> RoleService::DeleteRole(const RoleId& id) { return store_.DeleteRole(id); }

Result<RolePage> RoleService::ListRoles(const RoleListQuery& query) {
  return store_.ListRoles(query);
}

Result<RoleWithScopesPage> RoleService::ListRolesWithScopes(const RoleListQuery& query) {
  RoleWithScopesPage out;
  ORGD_TRY(store_.InTransaction(TxMode::kRead, [&](Store& tx) -> Result<void> {
    auto roles = tx.ListRoles(query);
    if (!roles) return std::move(roles).error();
    out = {};
    out.total = roles->total;
    out.has_more = roles->has_more;
    out.last = roles->last;
    out.items.reserve(roles->items.size());
    // The store has no batch read of the links, so each role costs two indexed reads; they share
    // one read transaction and so one consistent snapshot.
    PermissionListQuery all;
    all.sort = PermissionSort::kKeyAsc;
    all.page.limit = std::numeric_limits<int64_t>::max();
    for (Role& role : roles->items) {
      auto permissions = tx.ListRolePermissions(role.id, all);
      if (!permissions) return std::move(permissions).error();
      auto scopes = tx.ListRoleResourceScopes(role.id);
      if (!scopes) return std::move(scopes).error();
      std::sort(scopes->begin(), scopes->end(),
                [](const ResourceScopeWithResource& a, const ResourceScopeWithResource& b) {
                  if (a.scope.name != b.scope.name) return a.scope.name < b.scope.name;
                  return a.scope.id < b.scope.id;
                });
      out.items.push_back(RoleWithScopes{.role = std::move(role),
                                         .permissions = std::move(permissions->items),
                                         .resource_scopes = std::move(*scopes)});
    }
    return {};
  }));
  return out;
}

Result<Permission> RoleService::CreatePermission(const Permission& fields, IdStyle style) {
  if (fields.key.empty()) return Error::InvalidArgument("key must not be empty", "key");
  Permission p = fields;
  if (p.name.empty()) p.name = p.key;
  p.created_at = clock_.NowMillis();
  for (int attempt = 1;; ++attempt) {
    p.id = PermissionId(ids_.Next(IdKind::kPermission, style));
    auto inserted = store_.InsertPermission(p);
    if (inserted) return p;
    const Error& e = inserted.error();
    if (e.code == ErrorCode::kAlreadyExists && e.reason == "id" && attempt < kIdAttempts) continue;
    return std::move(inserted).error();
  }
}

Result<Permission> RoleService::GetPermission(const PermissionId& id) {
  return store_.GetPermission(id);
}

Result<Permission> RoleService::UpdatePermission(const PermissionId& id,
                                                 const PermissionPatch& patch) {
  if (patch.key && patch.key->empty()) return Error::InvalidArgument("key must not be empty", "key");
  if (patch.empty()) return store_.GetPermission(id);
  std::optional<Permission> updated;
  ORGD_TRY(store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    auto current = tx.GetPermission(id);
    if (!current) return std::move(current).error();
    PermissionPatch effective = patch;
    if (patch.key && !patch.name && current->name == current->key) effective.name = *patch.key;
    auto r = tx.UpdatePermission(id, effective);
    if (!r) return std::move(r).error();
    updated = std::move(*r);
    return {};
  }));
  return std::move(*updated);
}

Result<void> RoleService::DeletePermission(const PermissionId& id) {
  return store_.DeletePermission(id);
}

Result<PermissionPage> RoleService::ListPermissions(const PermissionListQuery& query) {
  return store_.ListPermissions(query);
}

Result<std::vector<PermissionId>> RoleService::AddRolePermissions(
    const RoleId& role, const std::vector<PermissionId>& ids) {
  std::vector<PermissionId> added;
  ORGD_TRY(store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetRole(role));
    ORGD_TRY(CheckPermissions(tx, ids));
    auto r = tx.AddRolePermissions(role, ids, clock_.NowMillis());
    if (!r) return std::move(r).error();
    added = std::move(*r);
    return {};
  }));
  return added;
}

Result<void> RoleService::ReplaceRolePermissions(const RoleId& role,
                                                 const std::vector<PermissionId>& ids) {
  if (HasDuplicates(ids)) return Error::AlreadyExists("permission", "duplicate");
  if (ids.empty()) return store_.ClearRolePermissions(role);
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetRole(role));
    ORGD_TRY(CheckPermissions(tx, ids));
    ORGD_TRY(tx.ClearRolePermissions(role));
    ORGD_TRY(tx.AddRolePermissions(role, ids, clock_.NowMillis()));
    return {};
  });
}

Result<RolePermissionDelta> RoleService::UpdateRolePermissions(
    const RoleId& role, const std::vector<RolePermissionChange>& changes) {
  RolePermissionDelta delta;
  ORGD_TRY(store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    delta = {};
    ORGD_TRY(tx.GetRole(role));
    std::vector<PermissionId> ids;
    ids.reserve(changes.size());
    for (const RolePermissionChange& change : changes) ids.push_back(change.id);
    ORGD_TRY(CheckPermissions(tx, ids));
    const int64_t now = clock_.NowMillis();
    for (const RolePermissionChange& change : changes) {
      if (!change.remove) {
        auto added = tx.AddRolePermissions(role, {change.id}, now);
        if (!added) return std::move(added).error();
        if (!added->empty()) delta.added.push_back(change.id);
        continue;
      }
      auto removed = tx.RemoveRolePermission(role, change.id);
      if (removed) {
        delta.removed.push_back(change.id);
      } else if (removed.error().code != ErrorCode::kNotFound) {
        return std::move(removed).error();
      }
    }
    return {};
  }));
  return delta;
}

Result<void> RoleService::RemoveRolePermission(const RoleId& role, const PermissionId& permission) {
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetRole(role));
    return tx.RemoveRolePermission(role, permission);
  });
}

Result<PermissionPage> RoleService::ListRolePermissions(const RoleId& role,
                                                        const PermissionListQuery& query) {
  PermissionPage page;
  ORGD_TRY(store_.InTransaction(TxMode::kRead, [&](Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetRole(role));
    auto r = tx.ListRolePermissions(role, query);
    if (!r) return std::move(r).error();
    page = std::move(*r);
    return {};
  }));
  return page;
}

Result<std::vector<ResourceScopeId>> RoleService::AddRoleResourceScopes(
    const RoleId& role, const std::vector<ResourceScopeId>& ids) {
  std::vector<ResourceScopeId> added;
  ORGD_TRY(store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetRole(role));
    ORGD_TRY(CheckScopes(tx, ids));
    auto r = tx.AddRoleResourceScopes(role, ids, clock_.NowMillis());
    if (!r) return std::move(r).error();
    added = std::move(*r);
    return {};
  }));
  return added;
}

Result<void> RoleService::ReplaceRoleResourceScopes(const RoleId& role,
                                                    const std::vector<ResourceScopeId>& ids) {
  if (HasDuplicates(ids)) return Error::AlreadyExists("resource_scope", "duplicate");
  if (ids.empty()) return store_.ClearRoleResourceScopes(role);
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetRole(role));
    ORGD_TRY(CheckScopes(tx, ids));
    ORGD_TRY(tx.ClearRoleResourceScopes(role));
    ORGD_TRY(tx.AddRoleResourceScopes(role, ids, clock_.NowMillis()));
    return {};
  });
}

Result<void> RoleService::RemoveRoleResourceScope(const RoleId& role,
                                                  const ResourceScopeId& scope) {
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetRole(role));
    return tx.RemoveRoleResourceScope(role, scope);
  });
}

Result<Page<ResourceScopeWithResource>> RoleService::ListRoleResourceScopes(
    const RoleId& role, const PageRequest& page) {
  if (page.limit < 0 || page.offset < 0) {
    return Error::InvalidArgument("limit and offset must not be negative", "limit");
  }
  Page<ResourceScopeWithResource> out;
  ORGD_TRY(store_.InTransaction(TxMode::kRead, [&](Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetRole(role));
    auto r = tx.ListRoleResourceScopes(role);
    if (!r) return std::move(r).error();
    out = {};
    out.total = static_cast<int64_t>(r->size());
    const int64_t begin = std::min(page.offset, out.total);
    const int64_t end = page.limit > out.total - begin ? out.total : begin + page.limit;
    out.items.assign(std::make_move_iterator(r->begin() + begin),
                     std::make_move_iterator(r->begin() + end));
    out.has_more = end < out.total;
    return {};
  }));
  return out;
}

Result<Page<RoleHolder>> RoleService::ListRoleHolders(const RoleId& role, const PageRequest& page) {
  Page<RoleHolder> out;
  ORGD_TRY(store_.InTransaction(TxMode::kRead, [&](Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetRole(role));
    auto r = tx.ListRoleHoldersEverywhere(role, page);
    if (!r) return std::move(r).error();
    out = std::move(*r);
    return {};
  }));
  return out;
}

}  // namespace orgd::domain
