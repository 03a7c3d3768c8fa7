#pragma once

#include "api/handler.h"
#include "api/route_table.h"
#include "domain/connection_service.h"
#include "domain/jit_service.h"

// Logto dialect: JIT SSO connectors of an organization /api/organizations/{id}/jit/sso-connectors
// (contracts/logto.md §3.5): the connections enabled for the organization, the same links as the
// Kinde organization connections. And the orgd provisioning endpoint
// POST /api/organization-jit/provision (§3.5 "Provisioning endpoint").
namespace orgd::api::logto {

class JitSsoConnectorsHandler {
 public:
  JitSsoConnectorsHandler(domain::ConnectionService& connections, domain::JitService& jit);

  // GET …/jit/sso-connectors?page&page_size → 200 SSO connector row[] (with config; optional
  // paging); 404 entity.not_exists_with_id (organizations) for an unknown org.
  Result<http::Response> List(const http::Request& request, const auth::Principal& caller);
  // POST …/jit/sso-connectors {ssoConnectorIds: non-empty} → 201 (no body); FK422 for an unknown
  // connector or org; links already there are kept.
  Result<http::Response> Add(const http::Request& request, const auth::Principal& caller);
  // PUT …/jit/sso-connectors {ssoConnectorIds} → 204; FK422; U422 for a duplicate id.
  Result<http::Response> Replace(const http::Request& request, const auth::Principal& caller);
  // DELETE …/jit/sso-connectors/{ssoConnectorId} → 204; 404 entity.not_found when not linked.
  Result<http::Response> Remove(const http::Request& request, const auth::Principal& caller);
  // POST /api/organization-jit/provision {userId, email?, ssoConnectorId?} → 200
  // {"organizations":[{"id","joined","organizationRoleIds"}]} listing what this call granted;
  // 404 entity.not_found for an unknown user.
  Result<http::Response> Provision(const http::Request& request, const auth::Principal& caller);

 private:
  domain::ConnectionService& connections_;
  domain::JitService& jit_;
};

// Registers the routes above (scope "all").
void AddJitSsoConnectorRoutes(RouteTable& routes, domain::ConnectionService& connections,
                              domain::JitService& jit);

}  // namespace orgd::api::logto
