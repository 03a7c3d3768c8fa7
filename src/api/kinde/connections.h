#pragma once

#include "api/handler.h"
#include "api/route_table.h"
#include "domain/connection_service.h"

// Kinde dialect: connections /api/v1/connections (contracts/kinde.md §3.13.7) and organization
// connections /api/v1/organizations/{organization_code}/connections (§3.12). A connection is a
// domain::Connection; a Logto SSO connector is listed here with its provider mapped to a strategy
// (domain::KindeStrategy). `options.home_realm_domains` are the connection's domains.
namespace orgd::api::kinde {

class ConnectionsHandler {
 public:
  explicit ConnectionsHandler(domain::ConnectionService& connections);

  // GET /api/v1/connections?page_size&starting_after&ending_before&home_realm_domain
  // → 200 {connections: [flat connection], has_more}; 400 TOO_MANY_PARAMETERS, INVALID_CURSOR.
  Result<http::Response> List(const http::Request& request, const auth::Principal& caller);
  // POST /api/v1/connections → 201 {connection: {id}}; 400 NAME_REQUIRED, DISPLAY_NAME_REQUIRED,
  // STRATEGY_REQUIRED, INVALID_STRATEGY, ORGANIZATION_NOT_FOUND, CONNECTION_NAME_EXISTS.
  Result<http::Response> Create(const http::Request& request, const auth::Principal& caller);
  // GET /api/v1/connections/{connection_id} → 200 {connection}; 400 CONNECTION_NOT_FOUND.
  Result<http::Response> Get(const http::Request& request, const auth::Principal& caller);
  // PATCH /api/v1/connections/{connection_id}: given fields set, options merged key by key
  // → 200; 404 object CONNECTION_NOT_FOUND; 400 NO_FIELDS_TO_UPDATE.
  Result<http::Response> Update(const http::Request& request, const auth::Principal& caller);
  // PUT /api/v1/connections/{connection_id}: name, display_name required; options and
  // enabled_applications replaced (default {} / []) → 200; 404 object CONNECTION_NOT_FOUND.
  Result<http::Response> Replace(const http::Request& request, const auth::Principal& caller);
  // DELETE /api/v1/connections/{connection_id} → 200; 404 object CONNECTION_NOT_FOUND.
  Result<http::Response> Delete(const http::Request& request, const auth::Principal& caller);

  // GET /api/v1/organizations/{organization_code}/connections → 200 {connections, has_more:
  // false}; 400 ORGANIZATION_NOT_FOUND.
  Result<http::Response> ListForOrganization(const http::Request& request,
                                             const auth::Principal& caller);
  // POST …/connections/{connection_id} → 200 (enabling twice is success); 400
  // ORGANIZATION_NOT_FOUND, CONNECTION_NOT_FOUND.
  Result<http::Response> Enable(const http::Request& request, const auth::Principal& caller);
  // DELETE …/connections/{connection_id} → 200; 400 ORGANIZATION_NOT_FOUND,
  // CONNECTION_NOT_FOUND, CONNECTION_NOT_ENABLED.
  Result<http::Response> Disable(const http::Request& request, const auth::Principal& caller);

 private:
  domain::ConnectionService& connections_;
};

// Registers the routes above with their scopes (contracts/kinde.md §5).
void AddConnectionRoutes(RouteTable& routes, domain::ConnectionService& connections);

}  // namespace orgd::api::kinde
