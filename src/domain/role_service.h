#pragma once

#include <vector>

#include "common/clock.h"
#include "common/id_generator.h"
#include "common/result.h"
#include "domain/model/membership.h"
#include "domain/model/page.h"
#include "domain/model/permission.h"
#include "domain/model/resource.h"
#include "domain/model/role.h"
#include "store/store.h"

namespace orgd::domain {

// Roles and permissions (environment-wide templates) and their links, shared by both dialects.
// A Logto organization role is a role (its `name` is the key), a Logto organization scope is a
// permission; Kinde sees both with their key and display name.
//
// Error vocabulary:
// - kInvalidArgument (field "key") for an empty key;
// - kAlreadyExists (subject "role" / "permission", reason "key") on a key clash;
// - kNotFound (subject "role" / "permission") for the entity named by the request path;
// - kNotFound (subject "permission" / "resource_scope", reason "foreign_key") for an unknown id
//   in a link write (checked after the role itself);
// - kAlreadyExists (subject "permission" / "resource_scope", reason "duplicate") for an id
//   listed twice in a replace;
// - kNotFound (subject "role_permission" / "role_resource_scope", reason "not_assigned") when a
//   link to remove does not exist.
// Every write runs in one transaction. Thread-safe.
class RoleService {
 public:
  RoleService(store::Store& store, const Clock& clock, IdGenerator& ids);

  // Creates the role with its permissions and resource scopes, all or nothing: on any error no
  // role remains. The display name defaults to the key; duplicate ids in the lists link once.
  // The key clash is reported before unknown link ids. kNotFound (subject "permission", reason
  // "foreign_key") also for an unknown assignment_permission_id.
  Result<Role> CreateRole(const CreateRoleInput& input, IdStyle style);
  // kNotFound (subject "role").
  Result<Role> GetRole(const RoleId& id);
  // Applies the engaged fields; an empty patch returns the role unchanged (kNotFound when
  // absent). Changing `type` does not re-check grants. When only the key changes and the display
  // name equals the old key, the display name follows the new key (a Logto rename then reads the
  // same in Kinde). kNotFound (subject "permission", reason "foreign_key") for an unknown
  // assignment_permission_id; kNotFound (subject "role") first.
  Result<Role> UpdateRole(const RoleId& id, const RolePatch& patch);
  // Deletes the role with its links, grants, JIT rows and invitation rows. kNotFound.
  Result<void> DeleteRole(const RoleId& id);
  Result<RolePage> ListRoles(const RoleListQuery& query);
  // As ListRoles, each role with its permissions and resource scopes (name order), read in one
  // transaction.
  Result<RoleWithScopesPage> ListRolesWithScopes(const RoleListQuery& query);

  // The display name defaults to the key. kInvalidArgument (field "key"); kAlreadyExists.
  Result<Permission> CreatePermission(const Permission& fields, IdStyle style);
  // kNotFound (subject "permission").
  Result<Permission> GetPermission(const PermissionId& id);
  // As UpdateRole: an empty patch returns the permission; the display name follows a key change
  // when it equalled the old key. kNotFound; kAlreadyExists (reason "key").
  Result<Permission> UpdatePermission(const PermissionId& id, const PermissionPatch& patch);
  // Deletes the permission with its role links and direct grants. kNotFound.
  Result<void> DeletePermission(const PermissionId& id);
  Result<PermissionPage> ListPermissions(const PermissionListQuery& query);

  // Links (insert-if-absent); returns those newly linked. kNotFound (subject "role") first, then
  // kNotFound (subject "permission", reason "foreign_key").
  Result<std::vector<PermissionId>> AddRolePermissions(const RoleId& role,
                                                       const std::vector<PermissionId>& ids);
  // Makes the set exactly `ids`. Duplicates → kAlreadyExists (reason "duplicate"). An empty set
  // succeeds even for an unknown role (there is nothing to clear).
  Result<void> ReplaceRolePermissions(const RoleId& role, const std::vector<PermissionId>& ids);
  // Applies `changes` in order, all or nothing: every id must name a permission (kNotFound,
  // reason "foreign_key"); linking a linked one or unlinking an unlinked one is a no-op and is
  // not reported. kNotFound (subject "role") first.
  Result<RolePermissionDelta> UpdateRolePermissions(const RoleId& role,
                                                    const std::vector<RolePermissionChange>& changes);
  // kNotFound (subject "role"); kNotFound (subject "role_permission", reason "not_assigned")
  // when not linked.
  Result<void> RemoveRolePermission(const RoleId& role, const PermissionId& permission);
  // The role's permissions in `query.sort` order. kNotFound (subject "role").
  Result<PermissionPage> ListRolePermissions(const RoleId& role, const PermissionListQuery& query);

  // As the permission links, for API resource scopes (subject "resource_scope" for unknown ids,
  // "role_resource_scope" for a missing link).
  Result<std::vector<ResourceScopeId>> AddRoleResourceScopes(
      const RoleId& role, const std::vector<ResourceScopeId>& ids);
  Result<void> ReplaceRoleResourceScopes(const RoleId& role,
                                         const std::vector<ResourceScopeId>& ids);
  Result<void> RemoveRoleResourceScope(const RoleId& role, const ResourceScopeId& scope);
  // The role's resource scopes in scope creation order (ties by id), `page.offset`/`limit`
  // applied, `total` always set. kNotFound (subject "role").
  Result<Page<ResourceScopeWithResource>> ListRoleResourceScopes(const RoleId& role,
                                                                 const PageRequest& page);

  // Users holding `role` in any organization, user id order (keyset on the user id), each with
  // those organizations. kNotFound (subject "role").
  Result<Page<RoleHolder>> ListRoleHolders(const RoleId& role, const PageRequest& page);

 private:
  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
};

}  // namespace orgd::domain
