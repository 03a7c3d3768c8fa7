#pragma once

#include "api/handler.h"
#include "api/route_table.h"
#include "domain/application_service.h"

// Logto dialect: applications in organizations and their organization roles,
// /api/organizations/{id}/applications (contracts/logto.md §3.4, §1.6, §4). Errors: FK422
// (unknown organization, application or role; an application that is not a member in the bulk
// role grant), C422 (non-MachineToMachine application or role), M422 (per-application role
// routes, checked first), U422 (duplicate ids in a role replace), 404 entity.not_found (removal
// of a relation that is not there).
namespace orgd::api::logto {

class OrganizationApplicationsHandler {
 public:
  explicit OrganizationApplicationsHandler(domain::ApplicationService& applications);

  // GET …/applications?q&page&page_size → 200 Application + organizationRoles, always paginated;
  // an unknown organization lists nothing.
  Result<http::Response> List(const http::Request& request, const auth::Principal& caller);
  // POST …/applications {applicationIds: non-empty} → 201 (no body).
  Result<http::Response> Add(const http::Request& request, const auth::Principal& caller);
  // PUT …/applications {applicationIds} → 204, delta semantics.
  Result<http::Response> Replace(const http::Request& request, const auth::Principal& caller);
  // DELETE …/applications/{applicationId} → 204; 404 entity.not_found.
  Result<http::Response> Remove(const http::Request& request, const auth::Principal& caller);
  // POST …/applications/roles {applicationIds, organizationRoleIds: both non-empty} → 201.
  Result<http::Response> AssignBulk(const http::Request& request, const auth::Principal& caller);
  // GET …/applications/{applicationId}/roles?page&page_size → 200 plain role[] (optional
  // pagination).
  Result<http::Response> ListRoles(const http::Request& request, const auth::Principal& caller);
  // POST …/applications/{applicationId}/roles {organizationRoleIds: non-empty} → 201.
  Result<http::Response> AssignRoles(const http::Request& request, const auth::Principal& caller);
  // PUT …/applications/{applicationId}/roles {organizationRoleIds: non-empty} → 204.
  Result<http::Response> ReplaceRoles(const http::Request& request, const auth::Principal& caller);
  // DELETE …/applications/{applicationId}/roles/{organizationRoleId} → 204.
  Result<http::Response> RemoveRole(const http::Request& request, const auth::Principal& caller);

 private:
  domain::ApplicationService& applications_;
};

// Registers the routes above (scope "all").
void AddOrganizationApplicationRoutes(RouteTable& routes, domain::ApplicationService& applications);

}  // namespace orgd::api::logto
