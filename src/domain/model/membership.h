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

// Logto lists members by user id; Kinde in join order by default, or by full name or email
// (ASCII case-insensitive, members without a value last in both directions). Ties by user id.
enum class MemberSort { kUserIdAsc, kJoinedAsc, kNameAsc, kNameDesc, kEmailAsc, kEmailDesc };

struct MemberListQuery {
  // Case-insensitive substring of user id, primary email, primary phone, username or name.
  std::string q;
  std::optional<RoleId> role_id;  // only members holding this role (Logto organizationRoleId)
  // Only members holding every one of these roles (Kinde `roles`).
  std::vector<RoleId> all_roles;
  // Only members holding every one of these permissions, directly or through a role held in the
  // organization (Kinde `permissions`).
  std::vector<PermissionId> all_permissions;
  MemberSort sort = MemberSort::kUserIdAsc;
  PageRequest page;
};

// The Kinde full name of a user: first and last name joined by one space, the one that is set
// alone, "" when neither is (contracts/kinde.md §1.9).
inline std::string JoinedFullName(const User& user) {
  std::string out = user.first_name.value_or("");
  if (user.last_name && !user.last_name->empty()) {
    if (!out.empty()) out += ' ';
    out += *user.last_name;
  }
  return out;
}

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

// What a bulk membership write changed. `updated`: members that stayed and whose grants the
// request named (Kinde PATCH users_updated).
struct MembershipDelta {
  std::vector<UserId> added;
  std::vector<UserId> updated;
  std::vector<UserId> removed;
};

// A member shown beside an organization in the Logto list with showFeatured.
struct FeaturedUser {
  UserId id;
  std::optional<std::string> avatar;
  std::optional<std::string> name;
};

// The member count of an organization and its first members by user id.
struct OrganizationMembersSummary {
  int64_t users_count = 0;
  std::vector<FeaturedUser> featured;
};

// An organization with its member summary (Logto OrganizationWithFeatured).
struct OrganizationWithFeatured {
  Organization organization;
  OrganizationMembersSummary members;
};

using OrganizationWithFeaturedPage = Page<OrganizationWithFeatured>;

}  // namespace orgd::domain
