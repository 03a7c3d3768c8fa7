#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "domain/model/page.h"
#include "domain/model/permission.h"
#include "domain/model/resource.h"

namespace orgd::domain {

// Who may hold a role: user members (`User`) or machine-to-machine applications.
enum class RoleType { kUser, kMachineToMachine };

// "User" / "MachineToMachine", as stored and as the Logto dialect writes them.
inline std::string_view RoleTypeName(RoleType type) {
  return type == RoleType::kUser ? "User" : "MachineToMachine";
}
inline std::optional<RoleType> ParseRoleType(std::string_view name) {
  if (name == "User") return RoleType::kUser;
  if (name == "MachineToMachine") return RoleType::kMachineToMachine;
  return std::nullopt;
}

// An organization-role template: Logto organization role (`name` there is `key` here), Kinde role
// (`key` and display `name`). Environment-wide; granted per organization.
struct Role {
  RoleId id;
  std::string key;   // unique
  std::string name;  // display name; the key when not given
  std::optional<std::string> description;
  RoleType type = RoleType::kUser;
  bool is_default_role = false;  // Kinde: given to every new member
  std::optional<PermissionId> assignment_permission_id;  // Kinde; stored only
  int64_t created_at = 0;  // epoch ms
};

// A role as embedded in other objects (member roles, org user roles).
struct RoleRef {
  RoleId id;
  std::string key;
  std::string name;
};

// Creation input: the role, and the permissions and resource scopes it starts with (all or
// nothing: one unknown id and no role is created).
struct CreateRoleInput {
  Role fields;  // id and created_at are set by the service
  std::vector<PermissionId> permission_ids;
  std::vector<ResourceScopeId> resource_scope_ids;
};

struct RolePatch {
  std::optional<std::string> key;
  std::optional<std::string> name;
  std::optional<std::optional<std::string>> description;
  std::optional<RoleType> type;
  std::optional<bool> is_default_role;
  std::optional<std::optional<PermissionId>> assignment_permission_id;

  bool empty() const {
    return !key && !name && !description && !type && !is_default_role &&
           !assignment_permission_id;
  }
};

// kKeyAsc: Logto (byte order of the key). The rest are Kinde's (case-insensitive). Ties by id.
enum class RoleSort { kKeyAsc, kCreatedAsc, kNameAsc, kNameDesc, kKeyAscCi, kKeyDescCi };

struct RoleListQuery {
  std::string q;  // case-insensitive substring of id, key or description; % and _ are wildcards
  std::optional<RoleType> type;
  RoleSort sort = RoleSort::kKeyAsc;
  PageRequest page;
};

using RolePage = Page<Role>;

// A role with its permissions and resource scopes, both in name order (the Logto role list form).
struct RoleWithScopes {
  Role role;
  std::vector<Permission> permissions;
  std::vector<ResourceScopeWithResource> resource_scopes;
};

using RoleWithScopesPage = Page<RoleWithScopes>;

// One item of a bulk change of a role's permissions (Kinde PATCH /roles/{id}/permissions).
struct RolePermissionChange {
  PermissionId id;
  bool remove = false;  // false: link it
};

// What a bulk change did: the permissions newly linked and those unlinked (no-ops left out).
struct RolePermissionDelta {
  std::vector<PermissionId> added;
  std::vector<PermissionId> removed;
};

}  // namespace orgd::domain
