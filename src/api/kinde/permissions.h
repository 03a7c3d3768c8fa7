#pragma once

#include <functional>
#include <string_view>

#include "api/handler.h"
#include "api/route_table.h"
#include "domain/model/permission.h"
#include "domain/role_service.h"

// Kinde dialect: /api/v1/permissions (contracts/kinde.md §3.13.3, shape §2.2). A Kinde permission
// is a domain Permission (`key` and display `name`).
namespace orgd::api::kinde {

// Answers a permission list in the `next_token` envelope {code, message, permissions,
// next_token}: reads `sort` (name_asc, name_desc, id_asc, id_desc; default creation order),
// `page_size` and `next_token` (bound to `list` and `filter`), then runs `fetch`. Its errors
// (and 400 INVALID_SORT, INVALID_PAGE_SIZE, PAGE_SIZE_LIMIT_EXCEEDED, INVALID_NEXT_TOKEN) are
// returned as they come.
Result<http::Response> PermissionListResponse(
    const http::Request& request, std::string_view list, std::string_view filter,
    const std::function<Result<domain::PermissionPage>(const domain::PermissionListQuery&)>&
        fetch);

class PermissionsHandler {
 public:
  explicit PermissionsHandler(domain::RoleService& roles);

  // GET /api/v1/permissions?sort&page_size&next_token → 200 {code, message, permissions,
  // next_token}.
  Result<http::Response> List(const http::Request& request, const auth::Principal& caller);
  // POST /api/v1/permissions {key, name?, description?} → 201 {code, message, permission: {id}}.
  // 400 KEY_REQUIRED, INVALID_KEY, PERMISSION_KEY_EXISTS, INVALID_<FIELD>.
  Result<http::Response> Create(const http::Request& request, const auth::Principal& caller);
  // PATCH /api/v1/permissions/{permission_id} {name?, description?, key?} → 200
  // success_response. 400 NO_FIELDS_TO_UPDATE, PERMISSION_NOT_FOUND, PERMISSION_KEY_EXISTS,
  // KEY_REQUIRED / NAME_REQUIRED (empty), INVALID_KEY.
  Result<http::Response> Update(const http::Request& request, const auth::Principal& caller);
  // DELETE /api/v1/permissions/{permission_id} → 200 success_response, removing it from roles
  // and direct grants. 400 PERMISSION_NOT_FOUND.
  Result<http::Response> Delete(const http::Request& request, const auth::Principal& caller);

 private:
  domain::RoleService& roles_;
};

// Registers the routes above with their scopes (contracts/kinde.md §5).
void AddPermissionRoutes(RouteTable& routes, domain::RoleService& roles);

}  // namespace orgd::api::kinde
