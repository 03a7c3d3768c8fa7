#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "api/route_table.h"
#include "auth/token_service.h"
#include "domain/feature_flag_service.h"
#include "domain/membership_service.h"
#include "domain/organization_service.h"
#include "domain/property_service.h"
#include "domain/role_service.h"
#include "domain/user_service.h"
#include "domain/application_service.h"
#include "domain/resource_service.h"
// area:resources-include
#include "domain/connection_service.h"
#include "domain/invitation_service.h"
#include "domain/jit_service.h"
// area:connections-include
#include "domain/organization_settings_service.h"
// area:settings-include
#include "domain/import_service.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"

namespace orgd::api {

// What the API needs from the rest of the process. All references outlive the Api.
// New services are added here (one line each) and wired in src/app/app.cc.
struct ApiDeps {
  domain::OrganizationService& organizations;
  domain::FeatureFlagService& feature_flags;
  domain::PropertyService& properties;
  domain::UserService& users;
  domain::RoleService& roles;
  domain::MembershipService& memberships;
  domain::ResourceService& resources;
  domain::ApplicationService& applications;
  // area:resources-deps
  domain::ConnectionService& connections;
  domain::InvitationService& invitations;
  domain::JitService& jit;
  // --jit-on-user-create: user creation runs `jit` for the new user (contracts/logto.md §3.5).
  bool jit_on_user_create = false;
  // area:connections-deps
  domain::OrganizationSettingsService& organization_settings;
  // orgd's public base URL (no trailing slash), the base of the logo URLs in Kinde organization
  // objects (contracts/kinde.md §2.1).
  std::string logo_public_url;
  // area:settings-deps
  const auth::TokenIssuer& issuer;
  const auth::TokenVerifier& verifier;
  const auth::KeyRing& keys;
  std::function<bool()> ready;  // /readyz: the database answers
  // Logto test mode (contracts/logto.md §1.3): a `development-user-id` header stands in for a
  // token with scope `all`. Never on in production.
  bool logto_test_mode = false;
  // Per-client request limits on the Management API (--rate-limit); null: unlimited.
  RateLimiter* rate_limiter = nullptr;
  // Bulk import (POST /api/orgd/import); null: the route is not served.
  domain::ImportService* imports = nullptr;
};

// The whole HTTP surface: every route (registered per area by the dialects' AddXRoutes
// functions through a RouteTable, which authenticates each in its dialect), and the dialects'
// answers for unknown routes, wrong methods and server-level failures. Thread-safe after
// construction.
class Api {
 public:
  explicit Api(ApiDeps deps);
  ~Api();

  // Routes and answers one request.
  http::Response Handle(http::Request& request);
  // The body of a failure the server detects before routing (400, 413, 431, 500).
  http::Response RenderServerError(int status, const http::Request& request) const;
  // The request-body limit for `path` (0: the server default).
  size_t BodyLimit(http::Method method, std::string_view path) const;
  // Every registered route with its dialect and required scope.
  const std::vector<RouteInfo>& routes() const { return routes_.routes(); }

 private:
  ApiDeps deps_;
  http::Router router_;
  RouteTable routes_;
};

}  // namespace orgd::api
