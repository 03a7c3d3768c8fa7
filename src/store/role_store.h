#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "domain/model/permission.h"
#include "domain/model/resource.h"
#include "domain/model/role.h"

namespace orgd::store {

// Roles, permissions, and the links of a role to permissions and to API resource scopes.
// Environment-wide. Link writes do not check that the ends exist: a missing end fails with
// kFailedPrecondition (reason "foreign_key"); services check first to name the missing id.
class RoleStore {
 public:
  virtual ~RoleStore() = default;

  // kAlreadyExists, subject "role", reason "id" or "key".
  virtual Result<void> InsertRole(const domain::Role& role) = 0;
  // kNotFound (subject "role").
  virtual Result<domain::Role> GetRole(const RoleId& id) = 0;
  // The roles among `ids` / with one of `keys` (exact, case-sensitive) that exist.
  virtual Result<std::vector<domain::Role>> GetRoles(const std::vector<RoleId>& ids) = 0;
  virtual Result<std::vector<domain::Role>> GetRolesByKey(const std::vector<std::string>& keys) = 0;
  // Every role with is_default_role, in key order.
  virtual Result<std::vector<domain::Role>> ListDefaultRoles() = 0;
  // kNotFound; kAlreadyExists (reason "key").
  virtual Result<domain::Role> UpdateRole(const RoleId& id, const domain::RolePatch& patch) = 0;
  // Deletes the role with its links, grants and JIT rows. kNotFound when absent.
  virtual Result<void> DeleteRole(const RoleId& id) = 0;
  // `query.q` matches id, key and description (case-insensitive; % and _ are wildcards).
  virtual Result<domain::RolePage> ListRoles(const domain::RoleListQuery& query) = 0;

  // kAlreadyExists, subject "permission", reason "id" or "key".
  virtual Result<void> InsertPermission(const domain::Permission& permission) = 0;
  // kNotFound (subject "permission").
  virtual Result<domain::Permission> GetPermission(const PermissionId& id) = 0;
  virtual Result<std::vector<domain::Permission>> GetPermissions(
      const std::vector<PermissionId>& ids) = 0;
  virtual Result<std::vector<domain::Permission>> GetPermissionsByKey(
      const std::vector<std::string>& keys) = 0;
  // kNotFound; kAlreadyExists (reason "key").
  virtual Result<domain::Permission> UpdatePermission(const PermissionId& id,
                                                      const domain::PermissionPatch& patch) = 0;
  // Deletes the permission with its role links and direct grants. kNotFound when absent.
  virtual Result<void> DeletePermission(const PermissionId& id) = 0;
  virtual Result<domain::PermissionPage> ListPermissions(
      const domain::PermissionListQuery& query) = 0;

  // Links `role` to each of `permissions` not yet linked; returns those newly linked.
  virtual Result<std::vector<PermissionId>> AddRolePermissions(
      const RoleId& role, const std::vector<PermissionId>& permissions, int64_t now_ms) = 0;
  // kNotFound (subject "role_permission", reason "not_assigned") when not linked.
  virtual Result<void> RemoveRolePermission(const RoleId& role,
                                            const PermissionId& permission) = 0;
  // Removes every permission link of `role`.
  virtual Result<void> ClearRolePermissions(const RoleId& role) = 0;
  // The role's permissions; `query.q` filters the key.
  virtual Result<domain::PermissionPage> ListRolePermissions(
      const RoleId& role, const domain::PermissionListQuery& query) = 0;

  // As the permission links, for API resource scopes (subject "role_resource_scope").
  virtual Result<std::vector<ResourceScopeId>> AddRoleResourceScopes(
      const RoleId& role, const std::vector<ResourceScopeId>& scopes, int64_t now_ms) = 0;
  virtual Result<void> RemoveRoleResourceScope(const RoleId& role,
                                               const ResourceScopeId& scope) = 0;
  virtual Result<void> ClearRoleResourceScopes(const RoleId& role) = 0;
  // Scope creation order, ties by id.
  virtual Result<std::vector<domain::ResourceScopeWithResource>> ListRoleResourceScopes(
      const RoleId& role) = 0;
};

}  // namespace orgd::store
