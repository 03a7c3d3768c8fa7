#pragma once

#include "api/handler.h"
#include "api/route_table.h"
#include "domain/resource_service.h"

// Kinde dialect: APIs and API scopes, /api/v1/apis (contracts/kinde.md §3.13.6, shapes §2.2). A
// Kinde API is the domain's resource (audience == indicator), an API scope a resource scope
// (key == name). Errors are 400: API_NOT_FOUND, SCOPE_NOT_FOUND, NAME_REQUIRED,
// AUDIENCE_REQUIRED, KEY_REQUIRED, <FIELD>_TOO_LONG, INVALID_KEY, API_AUDIENCE_EXISTS,
// SCOPE_KEY_EXISTS, NO_FIELDS_TO_UPDATE, INVALID_REQUEST_BODY. The application sub-routes of
// the spec are not registered (404 ROUTE_NOT_FOUND): orgd's Kinde dialect has no applications.
namespace orgd::api::kinde {

class ApisHandler {
 public:
  explicit ApisHandler(domain::ResourceService& resources);

  // GET /api/v1/apis?expand=scopes → 200 {code, message, next_token: null, apis}, name order.
  Result<http::Response> List(const http::Request& request, const auth::Principal& caller);
  // POST /api/v1/apis {name, audience} → [quirk] 200 {code, message, api: {id}}.
  Result<http::Response> Create(const http::Request& request, const auth::Principal& caller);
  // GET /api/v1/apis/{api_id} → 200 {code, message, api: {…, scopes, applications: []}}.
  Result<http::Response> Get(const http::Request& request, const auth::Principal& caller);
  // DELETE /api/v1/apis/{api_id} → 200 {"code":"API_DELETED",…}.
  Result<http::Response> Delete(const http::Request& request, const auth::Principal& caller);
  // GET /api/v1/apis/{api_id}/scopes → 200 {code, message, scopes}, creation order.
  Result<http::Response> ListScopes(const http::Request& request, const auth::Principal& caller);
  // POST /api/v1/apis/{api_id}/scopes {key, description?} → [quirk] 200 {…, scope: {id}}.
  Result<http::Response> CreateScope(const http::Request& request, const auth::Principal& caller);
  // GET /api/v1/apis/{api_id}/scopes/{scope_id} → 200 {…, scope: {id, key, description}}.
  Result<http::Response> GetScope(const http::Request& request, const auth::Principal& caller);
  // PATCH /api/v1/apis/{api_id}/scopes/{scope_id} {description} → 200 success_response.
  Result<http::Response> UpdateScope(const http::Request& request, const auth::Principal& caller);
  // DELETE /api/v1/apis/{api_id}/scopes/{scope_id} → 200 success_response.
  Result<http::Response> DeleteScope(const http::Request& request, const auth::Principal& caller);

 private:
  domain::ResourceService& resources_;
};

// Registers the routes above with their scopes (contracts/kinde.md §5; the scope delete needs
// `delete:apis_scopes`).
void AddApiRoutes(RouteTable& routes, domain::ResourceService& resources);

}  // namespace orgd::api::kinde
