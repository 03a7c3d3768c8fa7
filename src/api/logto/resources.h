#pragma once

#include "api/handler.h"
#include "api/route_table.h"
#include "domain/resource_service.h"

// Logto dialect: API resources and their scopes, /api/resources (contracts/logto.md §3.9.4,
// shapes §2.4).
namespace orgd::api::logto {

class ResourcesHandler {
 public:
  explicit ResourcesHandler(domain::ResourceService& resources);

  // POST /api/resources → 201 Resource + scopes:[]; 422 resource.resource_identifier_in_use.
  Result<http::Response> Create(const http::Request& request, const auth::Principal& caller);
  // GET /api/resources?includeScopes&page&page_size → 200 Resource[] (creation order; optional
  // pagination).
  Result<http::Response> List(const http::Request& request, const auth::Principal& caller);
  // GET /api/resources/{id} → 200 Resource; 404 entity.not_exists_with_id.
  Result<http::Response> Get(const http::Request& request, const auth::Principal& caller);
  // DELETE /api/resources/{id} → 204 (scopes and their role links go too); 404 as Get.
  Result<http::Response> Delete(const http::Request& request, const auth::Principal& caller);

  // GET /api/resources/{resourceId}/scopes?page&page_size&search… → 200 ResourceScope[] (always
  // paginated; an unknown resource lists nothing); 400 request.invalid_input for bad search.
  Result<http::Response> ListScopes(const http::Request& request, const auth::Principal& caller);
  // POST /api/resources/{resourceId}/scopes → 201 ResourceScope; 404 entity.not_exists_with_id;
  // 400 scope.name_with_space; 422 scope.name_exists.
  Result<http::Response> CreateScope(const http::Request& request, const auth::Principal& caller);
  // DELETE /api/resources/{resourceId}/scopes/{scopeId} → 204; 404 entity.not_exists_with_id
  // (resource), 404 entity.not_found (scope unknown or of another resource).
  Result<http::Response> DeleteScope(const http::Request& request, const auth::Principal& caller);

 private:
  domain::ResourceService& resources_;
};

// Registers the routes above (scope "all").
void AddResourceRoutes(RouteTable& routes, domain::ResourceService& resources);

}  // namespace orgd::api::logto
