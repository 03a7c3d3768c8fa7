#pragma once

#include "api/handler.h"
#include "api/route_table.h"
#include "domain/feature_flag_service.h"

// Kinde dialect: feature flag definitions /api/v1/feature_flags and organization overrides
// /api/v1/organizations/{org_code}/feature_flags (contracts/kinde.md §3.8, §3.13.4).
namespace orgd::api::kinde {

class FeatureFlagsHandler {
 public:
  explicit FeatureFlagsHandler(domain::FeatureFlagService& flags);

  // POST /api/v1/feature_flags → 201 success_response.
  Result<http::Response> Create(const http::Request& request, const auth::Principal& caller);
  // PUT /api/v1/feature_flags/{feature_flag_key}?name&description&type&allow_override_level
  // &default_value (query only, all required) → 200 success_response.
  Result<http::Response> Update(const http::Request& request, const auth::Principal& caller);
  // DELETE /api/v1/feature_flags/{feature_flag_key} → 200 success_response.
  Result<http::Response> Delete(const http::Request& request, const auth::Principal& caller);

  // GET /api/v1/organizations/{org_code}/feature_flags → 200 {feature_flags: {key: {type, value}}}.
  Result<http::Response> ListForOrganization(const http::Request& request,
                                             const auth::Principal& caller);
  // DELETE /api/v1/organizations/{org_code}/feature_flags → 200 success_response.
  Result<http::Response> DeleteOverrides(const http::Request& request,
                                         const auth::Principal& caller);
  // DELETE /api/v1/organizations/{org_code}/feature_flags/{feature_flag_key} → 200.
  Result<http::Response> DeleteOverride(const http::Request& request,
                                        const auth::Principal& caller);
  // PATCH /api/v1/organizations/{org_code}/feature_flags/{feature_flag_key}?value= → 200.
  Result<http::Response> SetOverride(const http::Request& request, const auth::Principal& caller);

 private:
  domain::FeatureFlagService& flags_;
};

// Registers the routes above with their scopes (contracts/kinde.md §5).
void AddFeatureFlagRoutes(RouteTable& routes, domain::FeatureFlagService& flags);

}  // namespace orgd::api::kinde
