#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "api/handler.h"
#include "api/json_writer.h"
#include "api/route_table.h"
#include "domain/connection_service.h"

// Logto dialect: SSO connectors /api/sso-connectors (contracts/logto.md §3.9.3, shapes §2.7). An
// SSO connector is a domain::Connection; one created through the Kinde dialect is listed here
// with its strategy mapped to a provider name (domain::LogtoProviderName).
namespace orgd::api::logto {

class SsoConnectorsHandler {
 public:
  explicit SsoConnectorsHandler(domain::ConnectionService& connections);

  // POST /api/sso-connectors → [quirk] 200 SSO connector row. 422 connector.not_found (provider),
  // 409 single_sign_on.duplicate_connector_name, 422 single_sign_on.duplicated_domains /
  // forbidden_domains, 422 request.feature_not_supported (enableTokenStorage: true).
  Result<http::Response> Create(const http::Request& request, const auth::Principal& caller);
  // GET /api/sso-connectors?page&page_size → 200 connector-with-provider[] (optional paging).
  Result<http::Response> List(const http::Request& request, const auth::Principal& caller);
  // GET /api/sso-connectors/{id} → 200; 404 entity.not_exists_with_id (sso_connectors).
  Result<http::Response> Get(const http::Request& request, const auth::Principal& caller);
  // DELETE /api/sso-connectors/{id} → 204 (JIT links go with it); 404 as GET.
  Result<http::Response> Delete(const http::Request& request, const auth::Principal& caller);

 private:
  domain::ConnectionService& connections_;
};

// Writes the SSO connector row of §2.7 (create response, JIT list items) as an open object: the
// caller may add keys, then closes it.
void WriteSsoConnectorRow(JsonWriter& w, const domain::Connection& connection);

// Registers the routes above (scope "all").
void AddSsoConnectorRoutes(RouteTable& routes, domain::ConnectionService& connections);

}  // namespace orgd::api::logto
