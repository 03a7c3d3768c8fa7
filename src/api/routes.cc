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

namespace orgd::api {
namespace {

using http::Method;
using http::Request;
using http::Response;

// Logo uploads carry up to 1 MiB of image plus multipart framing (contracts/kinde.md §3.10).
constexpr size_t kLogoBodyLimit = (1 << 20) + (64 << 10);

}  // namespace

Api::Api(ApiDeps deps)
    : deps_(std::move(deps)), routes_(router_, deps_.verifier, deps_.logto_test_mode) {
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
  if (deps_.logto_test_mode) {
    // Logto's integration suite calls this before every file (contracts/logto.md §5).
    routes_.Add(Method::kPatch, "/api/sign-in-exp", Dialect::kLogto, "all",
                [](const Request& r, const auth::Principal&) -> Result<Response> {
                  return Response::Json(200, r.body.empty() ? "{}" : r.body);
                });
  }

  // Kinde dialect (contracts/kinde.md). One line per area.
  kinde::AddOrganizationRoutes(routes_, deps_.organizations);
  kinde::AddFeatureFlagRoutes(routes_, deps_.feature_flags);
  kinde::AddPropertyRoutes(routes_, deps_.properties);
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
  return 0;
}

}  // namespace orgd::api
