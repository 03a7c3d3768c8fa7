#include "domain/role_service.h"

#include <unordered_set>
#include <utility>

namespace orgd::domain {
namespace {

using store::Store;
using store::TxMode;

constexpr int kIdAttempts = 3;

template <typename IdT>
bool HasDuplicates(const std::vector<IdT>& ids) {
  return std::unordered_set<IdT>(ids.begin(), ids.end()).size() != ids.size();
}

Result<void> CheckPermissions(Store& tx, const std::vector<PermissionId>& ids) {
  auto found = tx.GetPermissions(ids);
  if (!found) return std::move(found).error();
  std::unordered_set<PermissionId> known;
  for (const Permission& p : *found) known.insert(p.id);
  for (const PermissionId& id : ids) {
    if (!known.contains(id)) {
      return Error::NotFound("permission", "unknown id " + id.value()).WithReason("foreign_key");
    }
  }
  return {};
}

Result<void> CheckScopes(Store& tx, const std::vector<ResourceScopeId>& ids) {
  auto found = tx.GetResourceScopes(ids);
  if (!found) return std::move(found).error();
  std::unordered_set<ResourceScopeId> known;
  for (const ResourceScope& s : *found) known.insert(s.id);
  for (const ResourceScopeId& id : ids) {
    if (!known.contains(id)) {
      return Error::NotFound("resource_scope", "unknown id " + id.value())
          .WithReason("foreign_key");
    }
  }
  return {};
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
      if (role.assignment_permission_id) {
        ORGD_TRY(CheckPermissions(tx, {*role.assignment_permission_id}));
      }
      ORGD_TRY(CheckPermissions(tx, input.permission_ids));
      ORGD_TRY(CheckScopes(tx, input.resource_scope_ids));
      ORGD_TRY(tx.InsertRole(role));
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
    if (patch.assignment_permission_id && *patch.assignment_permission_id) {
      ORGD_TRY(tx.GetRole(id));
      ORGD_TRY(CheckPermissions(tx, {**patch.assignment_permission_id}));
    }
    auto r = tx.UpdateRole(id, patch);
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
  return store_.UpdatePermission(id, patch);
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
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetRole(role));
    ORGD_TRY(CheckPermissions(tx, ids));
    ORGD_TRY(tx.ClearRolePermissions(role));
    ORGD_TRY(tx.AddRolePermissions(role, ids, clock_.NowMillis()));
    return {};
  });
}

Result<void> RoleService::RemoveRolePermission(const RoleId& role, const PermissionId& permission) {
  return store_.RemoveRolePermission(role, permission);
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
  return store_.RemoveRoleResourceScope(role, scope);
}

Result<std::vector<ResourceScopeWithResource>> RoleService::ListRoleResourceScopes(
    const RoleId& role) {
  std::vector<ResourceScopeWithResource> out;
  ORGD_TRY(store_.InTransaction(TxMode::kRead, [&](Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetRole(role));
    auto r = tx.ListRoleResourceScopes(role);
    if (!r) return std::move(r).error();
    out = std::move(*r);
    return {};
  }));
  return out;
}

}  // namespace orgd::domain
