#pragma once

#include "api/handler.h"
#include "api/route_table.h"
#include "domain/membership_service.h"

// Kinde dialect: organization users, their roles, direct permissions, API scopes and MFA, and the
// holders of a role in an organization (contracts/kinde.md §3.3–§3.7, shapes §2.2).
//
// Errors (400 unless noted): ORGANIZATION_NOT_FOUND, USER_NOT_FOUND, USER_NOT_IN_ORGANIZATION,
// ROLE_NOT_FOUND, PERMISSION_NOT_FOUND, API_NOT_FOUND, SCOPE_NOT_FOUND, ROLE_NOT_ASSIGNED,
// PERMISSION_NOT_ASSIGNED, SCOPE_NOT_ASSIGNED, input codes (ROLE_REQUIRED, PERMISSION_REQUIRED,
// USER_ID_REQUIRED, USERS_LIMIT_EXCEEDED, INVALID_OPERATION, INVALID_SORT, pagination, dates).
// The three MFA operations answer their failures as 404 objects.
namespace orgd::api::kinde {

class OrganizationUsersHandler {
 public:
  explicit OrganizationUsersHandler(domain::MembershipService& memberships);

  // GET …/organizations/{org_code}/users?sort&page_size&next_token&roles&permissions → 200
  // {organization_users, next_token}. `roles` / `permissions`: comma-separated keys, all held.
  Result<http::Response> List(const http::Request& request, const auth::Principal& caller);
  // POST …/users {users: [{id, roles?, permissions?}]} (≤ 100) → 200 {users_added}.
  Result<http::Response> Add(const http::Request& request, const auth::Principal& caller);
  // PATCH …/users {users: [{id, operation?: "delete", roles?, permissions?}]} (≤ 100) → 200
  // {users_added, users_updated, users_removed}.
  Result<http::Response> Update(const http::Request& request, const auth::Principal& caller);
  // DELETE …/users/{user_id} → 200 success_response.
  Result<http::Response> Remove(const http::Request& request, const auth::Principal& caller);

  // GET …/users/{user_id}/roles → 200 {roles: [{id, key, name}], next_token: null}.
  Result<http::Response> ListRoles(const http::Request& request, const auth::Principal& caller);
  // POST …/users/{user_id}/roles {role_id} → 200 success_response (also when already held).
  Result<http::Response> AddRole(const http::Request& request, const auth::Principal& caller);
  // DELETE …/users/{user_id}/roles/{role_id} → 200 success_response.
  Result<http::Response> RemoveRole(const http::Request& request, const auth::Principal& caller);

  // GET …/organizations/{org_code}/roles/{role_id}/users?page_size&next_token → 200
  // {users: [{id}], next_token}, user id order.
  Result<http::Response> ListRoleUsers(const http::Request& request,
                                       const auth::Principal& caller);
  // GET …/roles/{role_id}/users/count → 200 {count}.
  Result<http::Response> CountRoleUsers(const http::Request& request,
                                        const auth::Principal& caller);
  // GET …/roles/{role_id}/active_users/count?date_time_from&date_time_to → 200
  // {active_users_count, date_time_from, date_time_to} (bounds rounded to seconds).
  Result<http::Response> CountActiveRoleUsers(const http::Request& request,
                                              const auth::Principal& caller);

  // GET …/users/{user_id}/permissions?expand=roles → 200 {permissions}: effective permissions.
  Result<http::Response> ListPermissions(const http::Request& request,
                                         const auth::Principal& caller);
  // POST …/users/{user_id}/permissions {permission_id} → 200 success_response.
  Result<http::Response> AddPermission(const http::Request& request,
                                       const auth::Principal& caller);
  // DELETE …/users/{user_id}/permissions/{permission_id} → 200; the direct grant only.
  Result<http::Response> RemovePermission(const http::Request& request,
                                          const auth::Principal& caller);

  // POST / DELETE …/users/{user_id}/apis/{api_id}/scopes/{scope_id} → 200 success_response.
  Result<http::Response> AddApiScope(const http::Request& request, const auth::Principal& caller);
  Result<http::Response> RemoveApiScope(const http::Request& request,
                                        const auth::Principal& caller);

  // GET …/users/{user_id}/mfa → 200 {code, message} (no factor is ever enrolled).
  Result<http::Response> GetMfa(const http::Request& request, const auth::Principal& caller);
  // DELETE …/users/{user_id}/mfa → 200 success_response (nothing to reset).
  Result<http::Response> ResetMfa(const http::Request& request, const auth::Principal& caller);
  // DELETE …/users/{user_id}/mfa/{factor_id} → 404 MFA_FACTOR_NOT_FOUND for a member.
  Result<http::Response> ResetMfaFactor(const http::Request& request,
                                        const auth::Principal& caller);

 private:
  domain::MembershipService& memberships_;
};

// Registers the routes above with their scopes (contracts/kinde.md §5).
void AddOrganizationUserRoutes(RouteTable& routes, domain::MembershipService& memberships);

}  // namespace orgd::api::kinde
