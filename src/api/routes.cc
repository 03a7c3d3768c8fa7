#include "api/routes.h"

#include <string>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>

#include "api/handler.h"
#include "api/kinde/errors.h"
#include "api/kinde/organizations.h"
#include "api/logto/errors.h"
#include "api/logto/organizations.h"
#include "api/token_endpoints.h"
#include "common/log.h"

namespace orgd::api {
namespace {

using http::Method;
using http::Request;
using http::Response;

constexpr std::string_view kBearer = "Bearer ";

// Logo uploads carry up to 1 MiB of image plus multipart framing (contracts/kinde.md §3.10).
constexpr size_t kLogoBodyLimit = (1 << 20) + (64 << 10);

std::optional<std::string_view> BearerToken(const Request& request) {
  auto header = request.Header("Authorization");
  if (!header || header->size() <= kBearer.size() || header->substr(0, kBearer.size()) != kBearer) {
    return std::nullopt;
  }
  return header->substr(kBearer.size());
}

Response Render(Dialect dialect, const Error& error) {
  return dialect == Dialect::kKinde ? kinde::Render(error) : logto::Render(error);
}

}  // namespace

Dialect DialectOf(std::string_view path) {
  if (path.starts_with("/api/v1/") || path == "/api/v1") return Dialect::kKinde;
  if (path.starts_with("/api/") || path == "/api" || path.starts_with("/oidc/")) return Dialect::kLogto;
  return Dialect::kNone;
}

struct Api::Handlers {
  logto::OrganizationsHandler logto_organizations;
  kinde::OrganizationsHandler kinde_organizations;
};

Api::Api(ApiDeps deps)
    : deps_(std::move(deps)),
      handlers_(std::make_unique<Handlers>(Handlers{
          logto::OrganizationsHandler(deps_.organizations),
          kinde::OrganizationsHandler(deps_.organizations),
      })) {
  AddRoutes();
}

Api::~Api() = default;

void Api::AddRoutes() {
  // A route of the Management API: authenticated in its dialect, then checked for `scope`.
  auto add = [this](Method method, std::string_view pattern, Dialect dialect,
                    std::string_view scope, HandlerFn fn) {
    router_.Add(method, pattern, [this, dialect, scope, fn = std::move(fn)](Request& request) {
      std::variant<auth::Principal, Response> caller;
      if (dialect == Dialect::kKinde) {
        auto token = BearerToken(request);
        auto principal = token ? deps_.verifier.VerifyKinde(*token)
                               : Result<auth::Principal>(Error::Unauthenticated("no token"));
        if (!principal) return kinde::ErrorBody(401, "UNAUTHORIZED", "Invalid or missing access token");
        if (!principal->HasScope(scope)) {
          return kinde::ErrorBody(403, "FORBIDDEN", "Missing required scope: " + std::string(scope));
        }
        caller = std::move(*principal);
      } else {
        auto dev_user = deps_.logto_test_mode ? request.Header("development-user-id") : std::nullopt;
        if (dev_user) {
          caller = auth::Principal{ClientId(*dev_user), {"all"}, 0};
        } else {
          auto header = request.Header("Authorization");
          if (!header) {
            return logto::ErrorBody(401, "auth.authorization_header_missing",
                                    "Authorization header is missing.");
          }
          auto token = BearerToken(request);
          if (!token) {
            nlohmann::json data = {{"supportedTypes", {"Bearer"}}};
            return logto::ErrorBody(401, "auth.authorization_token_type_not_supported",
                                    "Authorization type is not supported.", &data);
          }
          auto principal = deps_.verifier.VerifyLogto(*token);
          if (!principal) {
            if (principal.error().reason == "sub_missing") {
              return logto::ErrorBody(401, "auth.jwt_sub_missing", "Missing `sub` in JWT.");
            }
            return logto::ErrorBody(401, "auth.unauthorized",
                                    "Unauthorized. Please check credentials and its scope.");
          }
          if (!principal->HasScope(scope)) {
            return logto::ErrorBody(403, "auth.forbidden",
                                    "Forbidden. Please check your user roles and permissions.");
          }
          caller = std::move(*principal);
        }
      }
      auto result = fn(request, std::get<auth::Principal>(caller));
      if (result) return std::move(*result);
      const Error& error = result.error();
      if (error.code == ErrorCode::kInternal || error.code == ErrorCode::kUnavailable) {
        log::Error("request failed", {{"request_id", request.request_id},
                                      {"code", ErrorCodeName(error.code)},
                                      {"message", error.message},
                                      {"detail", error.detail}});
      }
      return Render(dialect, error);
    });
  };
  // A public route: no token.
  auto open = [this](Method method, std::string_view pattern, http::Handler fn) {
    router_.Add(method, pattern, std::move(fn));
  };
  auto bind = [](auto* handler, auto method) -> HandlerFn {
    return [handler, method](const Request& r, const auth::Principal& p) { return (handler->*method)(r, p); };
  };

  open(Method::kGet, "/healthz", [](Request&) { return Response::Json(200, R"({"status":"ok"})"); });
  open(Method::kGet, "/readyz", [this](Request&) {
    return deps_.ready() ? Response::Json(200, R"({"status":"ready"})")
                         : Response::Json(503, R"({"status":"unavailable"})");
  });
  open(Method::kPost, "/oidc/token", [this](Request& r) {
    return TokenResponse(deps_.issuer.IssueLogto(ReadTokenRequest(r)));
  });
  open(Method::kPost, "/oauth2/token", [this](Request& r) {
    return TokenResponse(deps_.issuer.IssueKinde(ReadTokenRequest(r)));
  });
  auto jwks = [this](Request&) {
    Response response = Response::Json(200, deps_.keys.JwksJson());
    response.WithHeader("Cache-Control", "public, max-age=300");
    return response;
  };
  open(Method::kGet, "/oidc/jwks", jwks);
  open(Method::kGet, "/.well-known/jwks.json", jwks);

  // Logto dialect (contracts/logto.md): every route needs scope `all`.
  constexpr std::string_view kAll = "all";
  auto* lo = &handlers_->logto_organizations;
  using LO = logto::OrganizationsHandler;
  add(Method::kPost, "/api/organizations", Dialect::kLogto, kAll, bind(lo, &LO::Create));
  add(Method::kGet, "/api/organizations", Dialect::kLogto, kAll, bind(lo, &LO::List));
  add(Method::kGet, "/api/organizations/{id}", Dialect::kLogto, kAll, bind(lo, &LO::Get));
  add(Method::kPatch, "/api/organizations/{id}", Dialect::kLogto, kAll, bind(lo, &LO::Update));
  add(Method::kDelete, "/api/organizations/{id}", Dialect::kLogto, kAll, bind(lo, &LO::Delete));
  if (deps_.logto_test_mode) {
    // Logto's integration suite calls this before every file (contracts/logto.md §5).
    add(Method::kPatch, "/api/sign-in-exp", Dialect::kLogto, kAll,
        [](const Request& r, const auth::Principal&) -> Result<Response> {
          return Response::Json(200, r.body.empty() ? "{}" : r.body);
        });
  }

  // Kinde dialect (contracts/kinde.md §5): one scope per operation.
  auto* ki = &handlers_->kinde_organizations;
  using KI = kinde::OrganizationsHandler;
  add(Method::kPost, "/api/v1/organization", Dialect::kKinde, "create:organizations", bind(ki, &KI::Create));
  add(Method::kGet, "/api/v1/organization", Dialect::kKinde, "read:organizations", bind(ki, &KI::Get));
  add(Method::kGet, "/api/v1/organizations", Dialect::kKinde, "read:organizations", bind(ki, &KI::List));
  add(Method::kPatch, "/api/v1/organization/{org_code}", Dialect::kKinde, "update:organizations",
      bind(ki, &KI::Update));
  add(Method::kDelete, "/api/v1/organization/{org_code}", Dialect::kKinde, "delete:organizations",
      bind(ki, &KI::Delete));
  add(Method::kDelete, "/api/v1/organization/{org_code}/handle", Dialect::kKinde,
      "delete:organization_handles", bind(ki, &KI::DeleteHandle));
}

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
