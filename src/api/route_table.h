#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/handler.h"
#include "api/rate_limiter.h"
#include "auth/token_service.h"
#include "http/router.h"

namespace orgd::api {

enum class Dialect { kLogto, kKinde, kNone };

// The dialect that owns `path`: /api/v1/... is Kinde, /api/... and /oidc/... Logto, the rest none.
Dialect DialectOf(std::string_view path);

// One registered route: what the route table knows about it (the scope-enforcement tests walk
// these). `scope` is empty for public routes, whose dialect is kNone.
struct RouteInfo {
  http::Method method;
  std::string pattern;
  Dialect dialect;
  std::string scope;
};

// Registers routes: each Management API route names its dialect and the scope it requires, and
// is wrapped in that dialect's authentication (token, then scope) and, when a limiter is given,
// the caller's rate limit (429 in the dialect's shape, with RateLimit-Reset and Retry-After)
// before its handler runs; a handler's Error is rendered in the route's dialect. Access is declared here, never decided by
// handlers. Build once at start; the router it fills is then read-only.
class RouteTable {
 public:
  // `limiter` may be null (no rate limiting); it must outlive the routes.
  RouteTable(http::Router& router, const auth::TokenVerifier& verifier, bool logto_test_mode,
             RateLimiter* limiter = nullptr);

  // A Management API route of `dialect` requiring `scope` (Logto routes require "all").
  void Add(http::Method method, std::string_view pattern, Dialect dialect, std::string_view scope,
           HandlerFn handler);
  // A route without authentication (token endpoints, probes, JWKS).
  void AddPublic(http::Method method, std::string_view pattern, http::Handler handler);

  bool logto_test_mode() const { return logto_test_mode_; }
  // Every route added so far, in registration order.
  const std::vector<RouteInfo>& routes() const { return routes_; }

 private:
  http::Router& router_;
  const auth::TokenVerifier& verifier_;
  bool logto_test_mode_;
  RateLimiter* limiter_;
  std::vector<RouteInfo> routes_;
};

// Binds a member function of a shared handler object as a HandlerFn; the routes keep the object
// alive.
template <typename H>
HandlerFn Bind(std::shared_ptr<H> handler,
               Result<http::Response> (H::*method)(const http::Request&, const auth::Principal&)) {
  return [handler = std::move(handler), method](const http::Request& request,
                                                const auth::Principal& caller) {
    return (*handler.*method)(request, caller);
  };
}

}  // namespace orgd::api
