#pragma once

#include "api/handler.h"
#include "api/json_writer.h"
#include "api/route_table.h"
#include "domain/model/resource.h"
#include "domain/model/role.h"
#include "domain/role_service.h"

// Logto dialect: /api/organization-roles and their scope and resource-scope links
// (contracts/logto.md §3.6, shapes §2.2 and §2.4, relation rules §1.6 and §4). An organization role
// is a domain Role whose `name` is the role key; its scopes are permissions.
namespace orgd::api::logto {

// Writes the plain organization role {tenantId, id, name, description, type} (complete, closed).
void WriteOrganizationRole(JsonWriter& w, const domain::Role& role);
// Writes the ResourceScope object {tenantId, id, resourceId, name, description, createdAt}.
void WriteResourceScope(JsonWriter& w, const domain::ResourceScope& scope);

class OrganizationRolesHandler {
 public:
  explicit OrganizationRolesHandler(domain::RoleService& roles);

  // GET /api/organization-roles?q&page&page_size → 200 role list form (with `scopes` and
  // `resourceScopes`) in name order, always with paging headers. 400 guard.invalid_pagination.
  Result<http::Response> List(const http::Request& request, const auth::Principal& caller);
  // POST /api/organization-roles {name, description?, type?, organizationScopeIds?,
  // resourceScopeIds?} → 201 plain role; 400; 422 U422 (name taken); 422 FK422 (unknown scope;
  // no role is left behind).
  Result<http::Response> Create(const http::Request& request, const auth::Principal& caller);
  // GET /api/organization-roles/{id} → 200 plain role; 404 entity.not_found.
  Result<http::Response> Get(const http::Request& request, const auth::Principal& caller);
  // PATCH /api/organization-roles/{id} {name?, description?, type?} → 200; 400; U422; 404
  // entity.not_exists (organization_role).
  Result<http::Response> Update(const http::Request& request, const auth::Principal& caller);
  // DELETE /api/organization-roles/{id} → 204; 404 entity.not_found.
  Result<http::Response> Delete(const http::Request& request, const auth::Principal& caller);

  // GET …/{id}/scopes (optional paging) → 200 OrganizationScope[]; 404 entity.not_found.
  Result<http::Response> ListScopes(const http::Request& request, const auth::Principal& caller);
  // POST …/{id}/scopes {organizationScopeIds: non-empty} → 201 (no body); FK422 for an unknown
  // role or scope.
  Result<http::Response> AddScopes(const http::Request& request, const auth::Principal& caller);
  // PUT …/{id}/scopes {organizationScopeIds} → 204; FK422; U422 for an id listed twice.
  Result<http::Response> ReplaceScopes(const http::Request& request, const auth::Principal& caller);
  // DELETE …/{id}/scopes/{organizationScopeId} → 204; 404 entity.not_found when not linked.
  Result<http::Response> RemoveScope(const http::Request& request, const auth::Principal& caller);

  // The same four for API resource scopes: …/{id}/resource-scopes, body key `scopeIds`, path
  // parameter `scopeId`; GET answers ResourceScope[].
  Result<http::Response> ListResourceScopes(const http::Request& request,
                                            const auth::Principal& caller);
  Result<http::Response> AddResourceScopes(const http::Request& request,
                                           const auth::Principal& caller);
  Result<http::Response> ReplaceResourceScopes(const http::Request& request,
                                               const auth::Principal& caller);
  Result<http::Response> RemoveResourceScope(const http::Request& request,
                                             const auth::Principal& caller);

 private:
  domain::RoleService& roles_;
};

// Registers the routes above (scope "all").
void AddOrganizationRoleRoutes(RouteTable& routes, domain::RoleService& roles);

}  // namespace orgd::api::logto
