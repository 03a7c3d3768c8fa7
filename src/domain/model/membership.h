#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.h"
#include "domain/model/application.h"
#include "domain/model/organization.h"
#include "domain/model/page.h"
#include "domain/model/permission.h"
#include "domain/model/resource.h"
#include "domain/model/role.h"
#include "domain/model/user.h"

namespace orgd::domain {

// A member of an organization: the user, when it joined, and its roles there (key order).
struct Member {
  User user;
  int64_t joined_at = 0;  // epoch ms
  std::vector<RoleRef> roles;
};

// Logto lists members by user id; Kinde in join order. Ties by user id.
enum class MemberSort { kUserIdAsc, kJoinedAsc };

struct MemberListQuery {
  // Case-insensitive substring of user id, primary email, primary phone, username or name.
  std::string q;
  std::optional<RoleId> role_id;  // only members holding this role (Logto organizationRoleId)
  MemberSort sort = MemberSort::kUserIdAsc;
  PageRequest page;
};

using MemberPage = Page<Member>;

// A permission a member holds in an organization, and why: directly, and/or through the listed
// held roles (key order).
struct EffectivePermission {
  Permission permission;
  bool is_direct = false;
  std::vector<RoleRef> via_roles;
};

// An organization with the roles a user or application holds there (key order).
struct OrganizationWithRoles {
  Organization organization;
  std::vector<RoleRef> roles;
};

// An application in an organization with its roles there (key order).
struct OrganizationApplication {
  Application application;
  std::vector<RoleRef> roles;
};

struct OrganizationApplicationQuery {
  std::string q;  // case-insensitive substring of application id, name or description
  PageRequest page;  // insertion order, ties by id
};

// A user holding a role, with the organizations where it holds it (Kinde /roles/{id}/users).
struct RoleHolder {
  UserId user_id;
  std::vector<OrgId> org_ids;
};

// What a bulk membership write changed.
struct MembershipDelta {
  std::vector<UserId> added;
  std::vector<UserId> removed;
};

}  // namespace orgd::domain
