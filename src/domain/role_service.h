#pragma once

#include <vector>

#include "common/clock.h"
#include "common/id_generator.h"
#include "common/result.h"
#include "domain/model/permission.h"
#include "domain/model/resource.h"
#include "domain/model/role.h"
#include "store/store.h"

namespace orgd::domain {

// Roles and permissions (environment-wide templates) and their links, shared by both dialects.
// Errors: kInvalidArgument (field "key") for an empty key; kAlreadyExists (subject "role" /
// "permission", reason "key") on a clash; kNotFound (subject "role" / "permission") for the path
// entity; kNotFound (subject "permission" / "resource_scope", reason "foreign_key") for an
// unknown id in a link write; kAlreadyExists (subject "permission" / "resource_scope", reason
// "duplicate") for an id listed twice in a replace. Thread-safe.
class RoleService {
 public:
  RoleService(store::Store& store, const Clock& clock, IdGenerator& ids);

  // Creates the role with its permissions and resource scopes, all or nothing. The display name
  // defaults to the key.
  Result<Role> CreateRole(const CreateRoleInput& input, IdStyle style);
  Result<Role> GetRole(const RoleId& id);
  // An empty patch returns the role unchanged. Changing `type` does not re-check grants.
  // kNotFound (subject "permission", reason "foreign_key") for an unknown
  // assignment_permission_id.
  Result<Role> UpdateRole(const RoleId& id, const RolePatch& patch);
  // Deletes the role with its links, grants and JIT rows.
  Result<void> DeleteRole(const RoleId& id);
  Result<RolePage> ListRoles(const RoleListQuery& query);

  Result<Permission> CreatePermission(const Permission& fields, IdStyle style);
  Result<Permission> GetPermission(const PermissionId& id);
  Result<Permission> UpdatePermission(const PermissionId& id, const PermissionPatch& patch);
  // Deletes the permission with its role links and direct grants.
  Result<void> DeletePermission(const PermissionId& id);
  Result<PermissionPage> ListPermissions(const PermissionListQuery& query);

  // Links (insert-if-absent); returns those newly linked. kNotFound (subject "role") first.
  Result<std::vector<PermissionId>> AddRolePermissions(const RoleId& role,
                                                       const std::vector<PermissionId>& ids);
  // Makes the set exactly `ids`; duplicates → kAlreadyExists (reason "duplicate").
  Result<void> ReplaceRolePermissions(const RoleId& role, const std::vector<PermissionId>& ids);
  // kNotFound (subject "role_permission", reason "not_assigned") when not linked.
  Result<void> RemoveRolePermission(const RoleId& role, const PermissionId& permission);
  Result<PermissionPage> ListRolePermissions(const RoleId& role, const PermissionListQuery& query);

  Result<std::vector<ResourceScopeId>> AddRoleResourceScopes(
      const RoleId& role, const std::vector<ResourceScopeId>& ids);
  Result<void> ReplaceRoleResourceScopes(const RoleId& role,
                                         const std::vector<ResourceScopeId>& ids);
  Result<void> RemoveRoleResourceScope(const RoleId& role, const ResourceScopeId& scope);
  Result<std::vector<ResourceScopeWithResource>> ListRoleResourceScopes(const RoleId& role);

 private:
  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
};

}  // namespace orgd::domain
