#pragma once

#include "api/handler.h"
#include "api/route_table.h"
#include "domain/role_service.h"

// Kinde dialect: /api/v1/roles, their permissions, API scopes and holders (contracts/kinde.md
// §3.13.2, shapes §2.2, pagination §1.6, sorting §1.7). A Kinde role is a domain Role (`key` and
// display `name`); roles created here are user roles.
namespace orgd::api::kinde {

class RolesHandler {
 public:
  explicit RolesHandler(domain::RoleService& roles);

  // GET /api/v1/roles?sort&page_size&next_token → 200 {code, message, roles, next_token}.
  // 400 INVALID_SORT, INVALID_PAGE_SIZE, PAGE_SIZE_LIMIT_EXCEEDED, INVALID_NEXT_TOKEN.
  Result<http::Response> List(const http::Request& request, const auth::Principal& caller);
  // POST /api/v1/roles {key, name?, description?, is_default_role?, assignment_permission_id?}
  // → 201 {code, message, role: {id}}. 400 KEY_REQUIRED, INVALID_KEY, ROLE_KEY_EXISTS,
  // PERMISSION_NOT_FOUND, INVALID_<FIELD>.
  Result<http::Response> Create(const http::Request& request, const auth::Principal& caller);
  // GET /api/v1/roles/{role_id} → 200 {code, message, role}. 400 ROLE_NOT_FOUND.
  Result<http::Response> Get(const http::Request& request, const auth::Principal& caller);
  // PATCH /api/v1/roles/{role_id} {name, key, description?, is_default_role?,
  // assignment_permission_id?} → 201 success_response. 400 NAME_REQUIRED, KEY_REQUIRED,
  // INVALID_KEY, ROLE_KEY_EXISTS, ROLE_NOT_FOUND, PERMISSION_NOT_FOUND.
  Result<http::Response> Update(const http::Request& request, const auth::Principal& caller);
  // DELETE /api/v1/roles/{role_id} → 200 success_response. 400 ROLE_NOT_FOUND.
  Result<http::Response> Delete(const http::Request& request, const auth::Principal& caller);

  // GET /api/v1/roles/{role_id}/permissions?sort&page_size&next_token → 200 {code, message,
  // permissions, next_token}. 400 ROLE_NOT_FOUND and the list errors.
  Result<http::Response> ListPermissions(const http::Request& request,
                                         const auth::Principal& caller);
  // PATCH /api/v1/roles/{role_id}/permissions {permissions: [{id, operation?: "delete"}]} → 200
  // {code, message, permissions_added, permissions_removed}, all or nothing. 400
  // PERMISSIONS_REQUIRED, INVALID_PERMISSIONS, INVALID_OPERATION, ROLE_NOT_FOUND,
  // PERMISSION_NOT_FOUND.
  Result<http::Response> UpdatePermissions(const http::Request& request,
                                           const auth::Principal& caller);
  // DELETE /api/v1/roles/{role_id}/permissions/{permission_id} → 200 success_response. 400
  // ROLE_NOT_FOUND, PERMISSION_NOT_ASSIGNED.
  Result<http::Response> RemovePermission(const http::Request& request,
                                          const auth::Principal& caller);

  // GET /api/v1/roles/{role_id}/scopes → 200 {code, message, scopes: [{id, key, description,
  // api_id}]}. 400 ROLE_NOT_FOUND.
  Result<http::Response> ListScopes(const http::Request& request, const auth::Principal& caller);
  // POST /api/v1/roles/{role_id}/scopes {scope_id} → 201 ROLE_SCOPE_ADDED (also when linked
  // already). 400 SCOPE_ID_REQUIRED, INVALID_SCOPE_ID, ROLE_NOT_FOUND, SCOPE_NOT_FOUND.
  Result<http::Response> AddScope(const http::Request& request, const auth::Principal& caller);
  // DELETE /api/v1/roles/{role_id}/scopes/{scope_id} → 200 SCOPE_DELETED. 400 ROLE_NOT_FOUND,
  // SCOPE_NOT_ASSIGNED.
  Result<http::Response> RemoveScope(const http::Request& request, const auth::Principal& caller);

  // GET /api/v1/roles/{role_id}/users?page_size&next_token → 200 {code, message, users: [{id,
  // org_codes}], next_token}: users holding the role in any organization, user id order. 400
  // ROLE_NOT_FOUND and the paging errors.
  Result<http::Response> ListUsers(const http::Request& request, const auth::Principal& caller);

 private:
  domain::RoleService& roles_;
};

// Registers the routes above with their scopes (contracts/kinde.md §5).
void AddRoleRoutes(RouteTable& routes, domain::RoleService& roles);

}  // namespace orgd::api::kinde
