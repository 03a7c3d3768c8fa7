#pragma once

#include "api/handler.h"
#include "api/route_table.h"
#include "domain/application_service.h"

// Logto dialect: applications, /api/applications (contracts/logto.md §3.9.2, shape §2.6).
// Applications created here are organization data only; they get no Management API access.
namespace orgd::api::logto {

class ApplicationsHandler {
 public:
  explicit ApplicationsHandler(domain::ApplicationService& applications);

  // POST /api/applications → [quirk] 200 Application. 400 application.saml.use_saml_app_api,
  // application.invalid_third_party_application_type,
  // application.protected_app_metadata_is_required; 501 application.protected_app_not_configured;
  // 422 application.device_flow_native_only.
  Result<http::Response> Create(const http::Request& request, const auth::Principal& caller);
  // GET /api/applications?types&excludeRoleId&excludeOrganizationId&isThirdParty&page&page_size
  // → 200 Application[] newest first (optional pagination); 400 request.invalid_input when both
  // exclude parameters are given.
  Result<http::Response> List(const http::Request& request, const auth::Principal& caller);
  // GET /api/applications/{id} → 200 Application + isAdmin:false; 404 entity.not_exists_with_id.
  Result<http::Response> Get(const http::Request& request, const auth::Principal& caller);
  // DELETE /api/applications/{id} → 204; 404 as Get.
  Result<http::Response> Delete(const http::Request& request, const auth::Principal& caller);
  // GET /api/applications/{id}/organizations → 200 OrganizationWithRoles[] (optional
  // pagination); 404 as Get.
  Result<http::Response> ListOrganizations(const http::Request& request,
                                           const auth::Principal& caller);

 private:
  domain::ApplicationService& applications_;
};

// Registers the routes above (scope "all").
void AddApplicationRoutes(RouteTable& routes, domain::ApplicationService& applications);

}  // namespace orgd::api::logto
