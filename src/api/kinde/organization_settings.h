#pragma once

#include "api/handler.h"
#include "api/route_table.h"
#include "domain/organization_settings_service.h"
#include "http/request.h"
#include "http/response.h"

// Kinde dialect: organization logos, session policy, MFA configuration and passkey policy
// (contracts/kinde.md §3.10, §3.11), and the public logo images those routes point to.
namespace orgd::api::kinde {

class OrganizationSettingsHandler {
 public:
  explicit OrganizationSettingsHandler(domain::OrganizationSettingsService& settings);

  // GET /api/v1/organizations/{org_code}/logos → 200 {code, message, logos: [{type, file_name,
  // path}]}, uploaded types only, light first; `path` is `/logo?p_org_code=<code>` or
  // `/logo_dark?p_org_code=<code>`. 400 ORGANIZATION_NOT_FOUND.
  Result<http::Response> ListLogos(const http::Request& request, const auth::Principal& caller);
  // POST /api/v1/organizations/{org_code}/logos/{type}, multipart/form-data with one file part
  // `logo` (any declared part type; the bytes decide) → 200 success_response, replacing any logo
  // of that type. Errors, all 400, input before the organization: INVALID_LOGO_TYPE (type not
  // light|dark); LOGO_REQUIRED (the body is not multipart/form-data, has no `logo` part, or the
  // part is empty); INVALID_REQUEST_BODY (malformed multipart, message "Request body is not valid
  // multipart/form-data"); INVALID_LOGO (several `logo` parts, or bytes that are not a PNG, JPEG,
  // GIF, WebP, ICO or SVG image); FILE_TOO_LARGE (over 1 MiB; a body over the route's limit,
  // Api::BodyLimit = 1 MiB + 64 KiB, is refused with 413 before it is read); INVALID_FILE_NAME
  // (not UTF-8, control characters, over 255 bytes); then ORGANIZATION_NOT_FOUND.
  Result<http::Response> PutLogo(const http::Request& request, const auth::Principal& caller);
  // DELETE /api/v1/organizations/{org_code}/logos/{type} → 200 success_response when a logo was
  // removed, [quirk] 204 without a body when there was none. 400 INVALID_LOGO_TYPE,
  // ORGANIZATION_NOT_FOUND.
  Result<http::Response> DeleteLogo(const http::Request& request, const auth::Principal& caller);
  // PATCH /api/v1/organizations/{org_code}/sessions {is_use_org_sso_session_policy,
  // sso_session_persistence_mode, is_use_org_authenticated_session_lifetime,
  // authenticated_session_lifetime} → 200 success_response. 400 INVALID_REQUEST_BODY,
  // INVALID_<FIELD> (wrong type, unknown mode, lifetime < 1), NO_FIELDS_TO_UPDATE,
  // ORGANIZATION_NOT_FOUND.
  Result<http::Response> UpdateSessions(const http::Request& request,
                                        const auth::Principal& caller);
  // PUT /api/v1/organizations/{org_code}/mfa {enabled_factors, is_recovery_codes_enabled} → 200
  // success_response. 400 INVALID_REQUEST_BODY, ENABLED_FACTORS_REQUIRED (absent or null),
  // INVALID_ENABLED_FACTORS, INVALID_IS_RECOVERY_CODES_ENABLED, ORGANIZATION_NOT_FOUND.
  Result<http::Response> ReplaceMfa(const http::Request& request, const auth::Principal& caller);
  // GET /api/v1/organizations/{org_code}/passkey → 200 {code, message, enabled, policy,
  // is_override_environment_passkey_settings, environment_policy}. 400 ORGANIZATION_NOT_FOUND.
  Result<http::Response> GetPasskey(const http::Request& request, const auth::Principal& caller);
  // PUT /api/v1/organizations/{org_code}/passkey {policy?, is_override_environment_passkey_
  // settings?} → 200 {code, message, enabled, policy, is_override_environment_passkey_settings}.
  // 400 INVALID_REQUEST_BODY, INVALID_POLICY, INVALID_IS_OVERRIDE_ENVIRONMENT_PASSKEY_SETTINGS,
  // ORGANIZATION_NOT_FOUND, POLICY_REQUIRED (override requested without a policy and none
  // stored).
  Result<http::Response> UpdatePasskey(const http::Request& request, const auth::Principal& caller);

  // Public GET /logo and /logo_dark (`type`) ?org_code= or ?p_org_code=: the stored bytes with
  // their detected Content-Type, an ETag (the content hash) and Cache-Control (immutable for a
  // year when `cache` names the current hash, else revalidate each time); 304 for a matching
  // If-None-Match. Plain-text 400 without an org code, 404 when the organization has no such
  // logo (or does not exist). Images go out with `X-Content-Type-Options: nosniff` and a
  // sandboxing Content-Security-Policy, since SVG can carry script.
  http::Response ServeLogo(const http::Request& request, domain::LogoType type);

 private:
  domain::OrganizationSettingsService& settings_;
};

// Registers the routes above with their scopes (contracts/kinde.md §5), and the two public image
// routes.
void AddOrganizationSettingsRoutes(RouteTable& routes,
                                   domain::OrganizationSettingsService& settings);

}  // namespace orgd::api::kinde
