#pragma once

#include <string>
#include <string_view>

#include "api/handler.h"
#include "api/route_table.h"
#include "api/page_render_memo.h"
#include "domain/organization_service.h"
#include "domain/organization_settings_service.h"

// Kinde dialect: /api/v1/organization and /api/v1/organizations (contracts/kinde.md §3.1, §2.1).
namespace orgd::api::kinde {

class OrganizationsHandler {
 public:
  // `public_url` (no trailing slash) is the base of the logo URLs in organization objects.
  OrganizationsHandler(domain::OrganizationService& organizations,
                       domain::OrganizationSettingsService& settings, std::string public_url);

  // POST /api/v1/organization → 200 {code, message, organization: {code}}.
  Result<http::Response> Create(const http::Request& request, const auth::Principal& caller);
  // GET /api/v1/organization?code= → 200 organization object, unwrapped, with `logo` /
  // `logo_dark` = `{public_url}/logo?org_code=<code>&cache=<content hash>` (`/logo_dark?…`) or null.
  Result<http::Response> Get(const http::Request& request, const auth::Principal& caller);
  // GET /api/v1/organizations?sort&page_size&next_token → 200 {organizations, next_token}.
  Result<http::Response> List(const http::Request& request, const auth::Principal& caller);
  // PATCH /api/v1/organization/{org_code} → 200 success_response.
  Result<http::Response> Update(const http::Request& request, const auth::Principal& caller);
  // DELETE /api/v1/organization/{org_code} → 200; 404 object ORGANIZATION_NOT_FOUND.
  Result<http::Response> Delete(const http::Request& request, const auth::Principal& caller);
  // DELETE /api/v1/organization/{org_code}/handle → 200.
  Result<http::Response> DeleteHandle(const http::Request& request, const auth::Principal& caller);

 private:
  domain::OrganizationService& organizations_;
  PageRenderMemo list_json_;  // the list pages' JSON
  domain::OrganizationSettingsService& settings_;
  std::string public_url_;
};

// Registers the routes above with their scopes (contracts/kinde.md §5).
void AddOrganizationRoutes(RouteTable& routes, domain::OrganizationService& organizations,
                           domain::OrganizationSettingsService& settings, std::string public_url);

// A colour as the Kinde dialect reads it back: {"raw","hex","hsl"} (JSON text). `raw` must be
// `#rgb` or `#rrggbb`.
std::string ColorObjectJson(std::string_view raw);

}  // namespace orgd::api::kinde
