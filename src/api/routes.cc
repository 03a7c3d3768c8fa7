#include "api/routes.h"

#include <string>
#include <utility>

#include "api/kinde/errors.h"
#include "api/kinde/feature_flags.h"
#include "api/kinde/organizations.h"
#include "api/kinde/properties.h"
#include "api/logto/errors.h"
#include "api/logto/organizations.h"
#include "api/token_endpoints.h"
#include "api/kinde/users.h"
#include "api/logto/users.h"
// area:users-include
#include "api/kinde/permissions.h"
#include "api/kinde/roles.h"
#include "api/logto/organization_roles.h"
#include "api/logto/organization_scopes.h"
// area:roles-include
#include "api/kinde/apis.h"
#include "api/logto/applications.h"
#include "api/logto/organization_applications.h"
#include "api/logto/resources.h"
// area:resources-include
#include "api/kinde/organization_users.h"
#include "api/logto/jit.h"
#include "api/logto/members.h"
// area:members-include
#include "api/kinde/connections.h"
#include "api/kinde/invites.h"
#include "api/logto/invitations.h"
#include "api/logto/jit_sso_connectors.h"
#include "api/logto/sso_connectors.h"
// area:connections-include
#include "api/kinde/organization_settings.h"
// area:settings-include
#include "api/logto/import.h"

namespace orgd::api {
namespace {

using http::Method;
using http::Request;
using http::Response;

// Logo uploads carry up to 1 MiB of image plus multipart framing (contracts/kinde.md §3.10).
constexpr size_t kLogoBodyLimit = (1 << 20) + (64 << 10);

}  // namespace

Api::Api(ApiDeps deps)
    : deps_(std::move(deps)), routes_(router_, deps_.verifier, deps_.logto_test_mode, deps_.rate_limiter) {
  // Public routes: probes, token endpoints, public keys.
  routes_.AddPublic(Method::kGet, "/healthz",
                    [](Request&) { return Response::Json(200, R"({"status":"ok"})"); });
  routes_.AddPublic(Method::kGet, "/readyz", [this](Request&) {
    return deps_.ready() ? Response::Json(200, R"({"status":"ready"})")
                         : Response::Json(503, R"({"status":"unavailable"})");
  });
  routes_.AddPublic(Method::kPost, "/oidc/token", [this](Request& r) {
    return TokenResponse(deps_.issuer.IssueLogto(ReadTokenRequest(r)));
  });
  routes_.AddPublic(Method::kPost, "/oauth2/token", [this](Request& r) {
    return TokenResponse(deps_.issuer.IssueKinde(ReadTokenRequest(r)));
  });
  auto jwks = [this](Request&) {
    Response response = Response::Json(200, deps_.keys.JwksJson());
    response.WithHeader("Cache-Control", "public, max-age=300");
    return response;
  };
  routes_.AddPublic(Method::kGet, "/oidc/jwks", jwks);
  routes_.AddPublic(Method::kGet, "/.well-known/jwks.json", jwks);

  // Logto dialect (contracts/logto.md). One line per area.
  logto::AddOrganizationRoutes(routes_, deps_.organizations);
  logto::AddUserRoutes(routes_, deps_.users);
  // area:users-logto
  logto::AddOrganizationRoleRoutes(routes_, deps_.roles);
  logto::AddOrganizationScopeRoutes(routes_, deps_.roles);
  // area:roles-logto
  logto::AddResourceRoutes(routes_, deps_.resources);
  logto::AddApplicationRoutes(routes_, deps_.applications);
  logto::AddOrganizationApplicationRoutes(routes_, deps_.applications);
  // area:resources-logto
  logto::AddMemberRoutes(routes_, deps_.memberships);
  logto::AddJitRoutes(routes_, deps_.organizations, deps_.memberships);
  // area:members-logto
  logto::AddSsoConnectorRoutes(routes_, deps_.connections);
  logto::AddJitSsoConnectorRoutes(routes_, deps_.connections, deps_.jit);
  logto::AddInvitationRoutes(routes_, deps_.invitations);
  // area:connections-logto
  if (deps_.imports) logto::AddImportRoutes(routes_, *deps_.imports);
  if (deps_.logto_test_mode) {
    // Logto's integration suite calls this before every file (contracts/logto.md §5).
    routes_.Add(Method::kPatch, "/api/sign-in-exp", Dialect::kLogto, "all",
                [](const Request& r, const auth::Principal&) -> Result<Response> {
                  return Response::Json(200, r.body.empty() ? "{}" : r.body);
                });
  }

  // Kinde dialect (contracts/kinde.md). One line per area.
  kinde::AddOrganizationRoutes(routes_, deps_.organizations, deps_.organization_settings,
                               deps_.logo_public_url);
  kinde::AddFeatureFlagRoutes(routes_, deps_.feature_flags);
  kinde::AddPropertyRoutes(routes_, deps_.properties);
  kinde::AddUserRoutes(routes_, deps_.users);
  // area:users-kinde
  kinde::AddRoleRoutes(routes_, deps_.roles);
  kinde::AddPermissionRoutes(routes_, deps_.roles);
  // area:roles-kinde
  kinde::AddApiRoutes(routes_, deps_.resources);
  // area:resources-kinde
  kinde::AddOrganizationUserRoutes(routes_, deps_.memberships);
  // area:members-kinde
  kinde::AddConnectionRoutes(routes_, deps_.connections);
  kinde::AddInviteRoutes(routes_, deps_.invitations, deps_.issuer.config().public_url);
  // area:connections-kinde
  kinde::AddOrganizationSettingsRoutes(routes_, deps_.organization_settings);
  // area:settings-kinde
}

Api::~Api() = default;

Response Api::Handle(Request& request) {
  http::Router::Match match = router_.Find(request);
  if (match.kind == http::Router::MatchKind::kFound) return (*match.handler)(request);
  if (DialectOf(request.path) == Dialect::kKinde) return kinde::RouteNotFound();
  if (match.kind == http::Router::MatchKind::kMethodNotAllowed) {
    std::string allow;
    for (Method m : match.allowed) {
      if (!allow.empty()) allow += ", ";
      allow += http::MethodName(m);
    }
    Response response = Response::Text(405, "Method Not Allowed");
    response.WithHeader("Allow", allow);
    return response;
  }
  return Response::Text(404, "Not Found");
}

Response Api::RenderServerError(int status, const Request& request) const {
  return DialectOf(request.raw_path) == Dialect::kKinde ? kinde::RenderStatus(status)
                                                        : logto::RenderStatus(status);
}

size_t Api::BodyLimit(Method method, std::string_view path) const {
  if (method == Method::kPost && path.starts_with("/api/v1/organizations/") &&
      path.find("/logos/") != std::string_view::npos) {
    return kLogoBodyLimit;
  }
  if (method == Method::kPost && path == "/api/orgd/import") return logto::kImportBodyLimit;
  return 0;
}

}  // namespace orgd::api
