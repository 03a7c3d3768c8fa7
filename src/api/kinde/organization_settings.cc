#include "api/kinde/organization_settings.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/json_input.h"
#include "api/json_writer.h"
#include "api/kinde/errors.h"
#include "api/kinde/responses.h"
#include "api/kinde/pagination.h"
#include "http/multipart.h"

namespace orgd::api::kinde {
namespace {

using domain::LogoType;

Result<LogoType> ReadLogoType(const http::Request& request) {
  auto type = domain::ParseLogoType(request.PathParam("type"));
  if (!type) return FieldError("type", "invalid_logo_type", "Invalid logo type");
  return *type;
}

http::Response InvalidMultipart() {
  return ErrorBody(400, "INVALID_REQUEST_BODY", "Request body is not valid multipart/form-data");
}

void WritePasskeyFields(JsonWriter& w, const domain::PasskeySettings& passkey) {
  w.Field("code", "OK").Field("message", "Success");
  w.Field("enabled", passkey.enabled());
  w.Field("policy", domain::PasskeyPolicyName(passkey.policy));
  w.Field("is_override_environment_passkey_settings",
          passkey.is_override_environment_passkey_settings);
}

// Whether an If-None-Match header value names `etag` (or is `*`).
bool MatchesEtag(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == etag || item == "*") return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

OrganizationSettingsHandler::OrganizationSettingsHandler(
    domain::OrganizationSettingsService& settings)
    : settings_(settings) {}

Result<http::Response> OrganizationSettingsHandler::ListLogos(const http::Request& request,
                                                              const auth::Principal&) {
  const std::string& code = request.PathParam("org_code");
  auto logos = settings_.ListLogos(OrgId(code));
  if (!logos) return std::move(logos).error();
  const std::string encoded = http::PercentEncode(code);
  JsonWriter w(128 + logos->size() * 128);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("logos").BeginArray();
  for (const domain::OrganizationLogoInfo& logo : *logos) {
    w.BeginObject();
    w.Field("type", domain::LogoTypeName(logo.type));
    w.Key("file_name").OptString(logo.file_name);
    w.Field("path", std::string(logo.type == LogoType::kDark ? "/logo_dark" : "/logo") +
                        "?p_org_code=" + encoded);
    w.EndObject();
  }
  w.EndArray().EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> OrganizationSettingsHandler::PutLogo(const http::Request& request,
                                                            const auth::Principal&) {
  auto type = ReadLogoType(request);
  if (!type) return std::move(type).error();
  // Without a multipart body there is no `logo` part to be found.
  if (request.MediaType() != "multipart/form-data") return FieldError("logo", "required");
  auto boundary = http::MultipartBoundary(request.Header("Content-Type").value_or(""));
  if (!boundary) return InvalidMultipart();
  auto parts = http::ParseMultipart(request.body, *boundary);
  if (!parts) return InvalidMultipart();

  const http::MultipartPart* logo = nullptr;
  for (const http::MultipartPart& part : *parts) {
    if (part.name != "logo") continue;
    if (logo != nullptr) return FieldError("logo", "invalid", "Only one logo may be sent");
    logo = &part;
  }
  if (logo == nullptr) return FieldError("logo", "required");

  auto stored =
      settings_.PutLogo(OrgId(request.PathParam("org_code")), domain::LogoUpload{
                                                                  .type = *type,
                                                                  .file_name = logo->filename,
                                                                  .bytes = std::string(logo->data),
                                                              });
  if (!stored) return std::move(stored).error();
  return Success();
}

Result<http::Response> OrganizationSettingsHandler::DeleteLogo(const http::Request& request,
                                                               const auth::Principal&) {
  auto type = ReadLogoType(request);
  if (!type) return std::move(type).error();
  auto removed = settings_.DeleteLogo(OrgId(request.PathParam("org_code")), *type);
  if (!removed) return std::move(removed).error();
  // [quirk] Nothing to delete answers 204 without a body (contracts/kinde.md §3.10).
  return *removed ? Success() : http::Response::Empty(204);
}

Result<http::Response> OrganizationSettingsHandler::UpdateSessions(const http::Request& request,
                                                                   const auth::Principal&) {
  auto body = ParseBodyObject(request);
  if (!body) return std::move(body).error();
  domain::SessionPolicyPatch patch;
  ORGD_TRY(ReadBool(*body, "is_use_org_sso_session_policy", patch.is_use_org_sso_session_policy));
  std::optional<std::string> mode;
  ORGD_TRY(ReadString(*body, "sso_session_persistence_mode", mode));
  if (mode) {
    patch.sso_session_persistence_mode = domain::ParseSessionPersistenceMode(*mode);
    if (!patch.sso_session_persistence_mode) {
      return FieldError("sso_session_persistence_mode", "invalid");
    }
  }
  ORGD_TRY(ReadBool(*body, "is_use_org_authenticated_session_lifetime",
                    patch.is_use_org_authenticated_session_lifetime));
  ORGD_TRY(ReadInt(*body, "authenticated_session_lifetime", patch.authenticated_session_lifetime));
  if (patch.empty()) {
    return ErrorBody(400, "NO_FIELDS_TO_UPDATE", "At least one field must be provided for update");
  }
  auto updated = settings_.UpdateSessionPolicy(OrgId(request.PathParam("org_code")), patch);
  if (!updated) return std::move(updated).error();
  return Success();
}

Result<http::Response> OrganizationSettingsHandler::ReplaceMfa(const http::Request& request,
                                                               const auth::Principal&) {
  auto body = ParseBodyObject(request);
  if (!body) return std::move(body).error();
  auto factors = body->find("enabled_factors");
  if (factors == body->end() || factors->is_null()) {
    return FieldError("enabled_factors", "required");
  }
  if (!factors->is_array()) return FieldError("enabled_factors", "invalid");
  domain::OrganizationMfaConfig config;
  for (const Json& item : *factors) {
    auto factor = item.is_string()
                      ? domain::ParseOrganizationMfaFactor(item.get_ref<const std::string&>())
                      : std::nullopt;
    if (!factor) return FieldError("enabled_factors", "invalid");
    config.enabled_factors.push_back(*factor);
  }
  std::optional<bool> recovery_codes;
  ORGD_TRY(ReadBool(*body, "is_recovery_codes_enabled", recovery_codes));
  config.is_recovery_codes_enabled = recovery_codes.value_or(true);
  auto replaced =
      settings_.ReplaceMfaConfig(OrgId(request.PathParam("org_code")), std::move(config));
  if (!replaced) return std::move(replaced).error();
  return Success();
}

Result<http::Response> OrganizationSettingsHandler::GetPasskey(const http::Request& request,
                                                               const auth::Principal&) {
  auto passkey = settings_.GetPasskey(OrgId(request.PathParam("org_code")));
  if (!passkey) return std::move(passkey).error();
  JsonWriter w(192);
  w.BeginObject();
  WritePasskeyFields(w, *passkey);
  w.Field("environment_policy", domain::PasskeyPolicyName(passkey->environment_policy));
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> OrganizationSettingsHandler::UpdatePasskey(const http::Request& request,
                                                                  const auth::Principal&) {
  auto body = ParseBodyObject(request);
  if (!body) return std::move(body).error();
  domain::PasskeyUpdate update;
  if (auto policy = body->find("policy"); policy != body->end()) {
    update.policy = policy->is_string()
                        ? domain::ParsePasskeyPolicy(policy->get_ref<const std::string&>())
                        : std::nullopt;
    if (!update.policy) return FieldError("policy", "invalid");
  }
  ORGD_TRY(ReadBool(*body, "is_override_environment_passkey_settings", update.is_override));
  auto passkey = settings_.UpdatePasskey(OrgId(request.PathParam("org_code")), update);
  if (!passkey) return std::move(passkey).error();
  JsonWriter w(160);
  w.BeginObject();
  WritePasskeyFields(w, *passkey);
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

http::Response OrganizationSettingsHandler::ServeLogo(const http::Request& request, LogoType type) {
  std::optional<std::string_view> code = request.query.Get("org_code");
  if (!code || code->empty()) code = request.query.Get("p_org_code");
  if (!code || code->empty()) return http::Response::Text(400, "org_code is required");
  auto logo = settings_.GetLogo(OrgId(*code), type);
  if (!logo) {
    switch (logo.error().code) {
      case ErrorCode::kNotFound:
        return http::Response::Text(404, "Not Found");
      case ErrorCode::kUnavailable:
      case ErrorCode::kAborted:
        return http::Response::Text(503, "Service Unavailable");
      default:
        return http::Response::Text(500, "Internal Server Error");
    }
  }
  const std::string etag = "\"" + logo->info.content_hash + "\"";
  // A URL that names the current hash (as the organization object's logo URLs do) never changes
  // content; the bare URL does whenever the logo is replaced, so caches revalidate it by ETag.
  const bool is_versioned = request.query.Get("cache") == logo->info.content_hash;
  const char* cache_control =
      is_versioned ? "public, max-age=31536000, immutable" : "public, no-cache";
  if (auto if_none_match = request.Header("If-None-Match");
      if_none_match && MatchesEtag(*if_none_match, etag)) {
    http::Response not_modified = http::Response::Empty(304);
    not_modified.WithHeader("ETag", etag).WithHeader("Cache-Control", cache_control);
    return not_modified;
  }
  http::Response response;
  response.status = 200;
  response.content_type = std::move(logo->info.content_type);
  response.body = std::move(logo->bytes);
  response.WithHeader("ETag", etag)
      .WithHeader("Cache-Control", cache_control)
      .WithHeader("X-Content-Type-Options", "nosniff")
      .WithHeader("Content-Security-Policy",
                  "default-src 'none'; style-src 'unsafe-inline'; sandbox");
  return response;
}

void AddOrganizationSettingsRoutes(RouteTable& routes,
                                   domain::OrganizationSettingsService& settings) {
  using H = OrganizationSettingsHandler;
  using http::Method;
  auto h = std::make_shared<H>(settings);
  constexpr Dialect k = Dialect::kKinde;
  // [quirk] Logo writes and sessions are guarded by update:organizations, logo reads by
  // read:organizations (contracts/kinde.md §1.3).
  routes.Add(Method::kGet, "/api/v1/organizations/{org_code}/logos", k, "read:organizations",
             Bind(h, &H::ListLogos));
  routes.Add(Method::kPost, "/api/v1/organizations/{org_code}/logos/{type}", k,
             "update:organizations", Bind(h, &H::PutLogo));
  routes.Add(Method::kDelete, "/api/v1/organizations/{org_code}/logos/{type}", k,
             "update:organizations", Bind(h, &H::DeleteLogo));
  routes.Add(Method::kPatch, "/api/v1/organizations/{org_code}/sessions", k, "update:organizations",
             Bind(h, &H::UpdateSessions));
  routes.Add(Method::kPut, "/api/v1/organizations/{org_code}/mfa", k, "update:organization_mfa",
             Bind(h, &H::ReplaceMfa));
  routes.Add(Method::kGet, "/api/v1/organizations/{org_code}/passkey", k,
             "read:organization_passkey", Bind(h, &H::GetPasskey));
  routes.Add(Method::kPut, "/api/v1/organizations/{org_code}/passkey", k,
             "update:organization_passkey", Bind(h, &H::UpdatePasskey));
  routes.AddPublic(Method::kGet, "/logo",
                   [h](http::Request& r) { return h->ServeLogo(r, LogoType::kLight); });
  routes.AddPublic(Method::kGet, "/logo_dark",
                   [h](http::Request& r) { return h->ServeLogo(r, LogoType::kDark); });
}

}  // namespace orgd::api::kinde
