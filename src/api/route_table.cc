#include "api/route_table.h"

#include <memory>
#include <string>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>

#include "api/kinde/errors.h"
#include "api/logto/errors.h"
#include "api/utf8.h"
#include "common/log.h"

namespace orgd::api {
namespace {

using http::Request;
using http::Response;

constexpr std::string_view kBearer = "Bearer ";

std::optional<std::string_view> BearerToken(const Request& request) {
  auto header = request.Header("Authorization");
  if (!header || header->size() <= kBearer.size() || header->substr(0, kBearer.size()) != kBearer) {
    return std::nullopt;
  }
  return header->substr(kBearer.size());
}

// Kinde (contracts/kinde.md §1.3): 401 for a missing or bad token, 403 for a missing scope.
using PrincipalPtr = std::shared_ptr<const auth::Principal>;

std::variant<PrincipalPtr, Response> AuthenticateKinde(const auth::TokenVerifier& verifier,
                                                       const Request& request,
                                                       std::string_view scope) {
  auto token = BearerToken(request);
  auto principal =
      token ? verifier.VerifyKinde(*token) : Result<PrincipalPtr>(Error::Unauthenticated("no token"));
  if (!principal) return kinde::ErrorBody(401, "UNAUTHORIZED", "Invalid or missing access token");
  if (!(*principal)->HasScope(scope)) {
    return kinde::ErrorBody(403, "FORBIDDEN", "Missing required scope: " + std::string(scope));
  }
  return std::move(*principal);
}

// Logto (contracts/logto.md §1.3), checks in the contract's order.
std::variant<PrincipalPtr, Response> AuthenticateLogto(const auth::TokenVerifier& verifier,
                                                       const Request& request,
                                                       std::string_view scope, bool test_mode) {
  if (test_mode) {
    if (auto dev_user = request.Header("development-user-id")) {
      return std::make_shared<const auth::Principal>(
          auth::Principal{ClientId(*dev_user), {"all"}, 0});
    }
  }
  if (!request.Header("Authorization")) {
    return logto::ErrorBody(401, "auth.authorization_header_missing", "Authorization header is missing.");
  }
  auto token = BearerToken(request);
  if (!token) {
    nlohmann::json data = {{"supportedTypes", {"Bearer"}}};
    return logto::ErrorBody(401, "auth.authorization_token_type_not_supported",
                            "Authorization type is not supported.", &data);
  }
  auto principal = verifier.VerifyLogto(*token);
  if (!principal) {
    if (principal.error().reason == "sub_missing") {
      return logto::ErrorBody(401, "auth.jwt_sub_missing", "Missing `sub` in JWT.");
    }
    return logto::ErrorBody(401, "auth.unauthorized", "Unauthorized. Please check credentials and its scope.");
  }
  if (!(*principal)->HasScope(scope)) {
    return logto::ErrorBody(403, "auth.forbidden", "Forbidden. Please check your user roles and permissions.");
  }
  return std::move(*principal);
}

// 429 for a caller over its rate limit: the Kinde error_response with RateLimit-Reset
// (contracts/kinde.md §1.1), or the Logto error body; both with Retry-After.
Response TooManyRequests(Dialect dialect, int64_t reset_seconds) {
  Response response = dialect == Dialect::kKinde
                          ? kinde::ErrorBody(429, "TOO_MANY_REQUESTS", "Request was throttled.")
                          : logto::ErrorBody(429, "request.rate_limited",
                                             "Too many requests. Please try again later.");
  response.WithHeader("RateLimit-Reset", std::to_string(reset_seconds));
  response.WithHeader("Retry-After", std::to_string(reset_seconds));
  return response;
}

}  // namespace

Dialect DialectOf(std::string_view path) {
  if (path.starts_with("/api/v1/") || path == "/api/v1") return Dialect::kKinde;
  if (path.starts_with("/api/") || path == "/api" || path.starts_with("/oidc/")) return Dialect::kLogto;
  return Dialect::kNone;
}

RouteTable::RouteTable(http::Router& router, const auth::TokenVerifier& verifier, bool logto_test_mode,
                       RateLimiter* limiter)
    : router_(router), verifier_(verifier), logto_test_mode_(logto_test_mode), limiter_(limiter) {}

void RouteTable::Add(http::Method method, std::string_view pattern, Dialect dialect,
                     std::string_view scope, HandlerFn handler) {
  routes_.push_back(RouteInfo{method, std::string(pattern), dialect, std::string(scope)});
  router_.Add(method, pattern, [this, dialect, scope = std::string(scope),
                                fn = std::move(handler)](Request& request) {
    auto caller = dialect == Dialect::kKinde
                      ? AuthenticateKinde(verifier_, request, scope)
                      : AuthenticateLogto(verifier_, request, scope, logto_test_mode_);
    if (auto* refused = std::get_if<Response>(&caller)) return std::move(*refused);
    const auth::Principal& principal = *std::get<PrincipalPtr>(caller);
    if (limiter_) {
      RateLimiter::Decision decision = limiter_->Take(principal.client_id.value());
      if (!decision.allowed) return TooManyRequests(dialect, decision.reset_seconds);
    }
    // Ids in the path are text to the store, and no stored id holds bytes that are not UTF-8
    // (PostgreSQL would refuse them as text): Logto answers that nothing has such an id, as its
    // user routes always did; Kinde answers the parameter invalid.
    for (const auto& [name, value] : request.path_params) {
      if (!IsValidUtf8(value)) {
        Error bad = Error::InvalidArgument("path parameter is not valid UTF-8", std::string(name));
        if (dialect == Dialect::kKinde) return kinde::Render(bad);
        return logto::NotFound();
      }
    }
    auto result = fn(request, principal);
    if (result) return std::move(*result);
    const Error& error = result.error();
    if (error.code == ErrorCode::kInternal || error.code == ErrorCode::kUnavailable) {
      log::Error("request failed", {{"request_id", request.request_id},
                                    {"code", ErrorCodeName(error.code)},
                                    {"message", error.message},
                                    {"detail", error.detail}});
    }
    return dialect == Dialect::kKinde ? kinde::Render(error) : logto::Render(error);
  });
}

void RouteTable::AddPublic(http::Method method, std::string_view pattern, http::Handler handler) {
  routes_.push_back(RouteInfo{method, std::string(pattern), Dialect::kNone, ""});
  router_.Add(method, pattern, std::move(handler));
}

}  // namespace orgd::api
