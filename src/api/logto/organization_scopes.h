#pragma once

#include "api/handler.h"
#include "api/json_writer.h"
#include "api/route_table.h"
#include "domain/model/permission.h"
#include "domain/role_service.h"

// Logto dialect: /api/organization-scopes (contracts/logto.md §3.7, shape §2.3). An organization
// scope is a domain Permission; its `name` is the permission key.
namespace orgd::api::logto {

// Writes the OrganizationScope object {tenantId, id, name, description} (complete, closed).
void WriteOrganizationScope(JsonWriter& w, const domain::Permission& scope);

class OrganizationScopesHandler {
 public:
  explicit OrganizationScopesHandler(domain::RoleService& roles);

  // GET /api/organization-scopes?q&page&page_size → 200 OrganizationScope[] in name order; all
  // rows and no paging headers without page parameters. 400 guard.invalid_pagination.
  Result<http::Response> List(const http::Request& request, const auth::Principal& caller);
  // POST /api/organization-scopes {name, description?} → 201 scope; 400; 422
  // entity.unique_integrity_violation for a taken name.
  Result<http::Response> Create(const http::Request& request, const auth::Principal& caller);
  // GET /api/organization-scopes/{id} → 200; 404 entity.not_exists_with_id
  // (organization_scopes).
  Result<http::Response> Get(const http::Request& request, const auth::Principal& caller);
  // PATCH /api/organization-scopes/{id} {name?, description?} → 200; 400; 422 U422; 404
  // entity.not_exists (organization_scope). An empty body answers the scope unchanged.
  Result<http::Response> Update(const http::Request& request, const auth::Principal& caller);
  // DELETE /api/organization-scopes/{id} → 204, removing its role links and grants; 404
  // entity.not_found.
  Result<http::Response> Delete(const http::Request& request, const auth::Principal& caller);

 private:
  domain::RoleService& roles_;
};

// Registers the routes above (scope "all").
void AddOrganizationScopeRoutes(RouteTable& routes, domain::RoleService& roles);

}  // namespace orgd::api::logto
