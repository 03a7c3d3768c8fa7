#include "api/token_endpoints.h"

#include "api/json_writer.h"
#include "auth/jwt.h"

namespace orgd::api {
namespace {

// Copies a single-valued parameter; a repeated one makes the request malformed (RFC 6749 §3.2).
void Take(const http::QueryParams& form, std::string_view key, std::optional<std::string>& out,
          bool& malformed) {
  size_t count = form.Count(key);
  if (count > 1) malformed = true;
  if (count >= 1) out = std::string(*form.Get(key));
}

}  // namespace

auth::TokenRequest ReadTokenRequest(const http::Request& request) {
  auth::TokenRequest out;
  http::QueryParams form;
  if (request.MediaType() == "application/x-www-form-urlencoded") {
    form = http::QueryParams::Parse(request.body);
  }
  Take(form, "grant_type", out.grant_type, out.malformed);
  Take(form, "client_id", out.client_id, out.malformed);
  Take(form, "client_secret", out.client_secret, out.malformed);
  Take(form, "resource", out.resource, out.malformed);
  Take(form, "audience", out.audience, out.malformed);
  Take(form, "scope", out.scope, out.malformed);
  out.has_organization_id = form.Count("organization_id") > 0;

  if (auto header = request.Header("Authorization")) {
    std::string_view value = *header;
    constexpr std::string_view kBasic = "Basic ";
    if (value.size() > kBasic.size() &&
        std::equal(kBasic.begin(), kBasic.end(), value.begin(),
                   [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      auto decoded = auth::Base64Decode(value.substr(kBasic.size()));
      size_t colon = decoded ? decoded->find(':') : std::string::npos;
      if (!decoded || colon == std::string::npos) {
        out.malformed = true;
        return out;
      }
      // RFC 6749 §2.3.1: the id and secret are form-encoded before Basic encoding.
      std::string id = http::PercentDecode(std::string_view(*decoded).substr(0, colon), true);
      std::string secret = http::PercentDecode(std::string_view(*decoded).substr(colon + 1), true);
      if ((out.client_id && *out.client_id != id) ||
          (out.client_secret && *out.client_secret != secret)) {
        out.malformed = true;
      }
      out.client_id = std::move(id);
      out.client_secret = std::move(secret);
    }
  }
  return out;
}

http::Response TokenResponse(const auth::TokenOutcome& outcome) {
  JsonWriter w(1024);
  if (const auto* token = std::get_if<auth::IssuedToken>(&outcome)) {
    w.BeginObject();
    w.Field("access_token", token->access_token);
    w.Field("expires_in", token->expires_in);
    w.Field("token_type", "Bearer");
    w.Field("scope", token->scope);
    w.EndObject();
    http::Response response = http::Response::Json(200, w.Take());
    response.WithHeader("Cache-Control", "no-store").WithHeader("Pragma", "no-cache");
    return response;
  }
  const auto& error = std::get<auth::OAuthError>(outcome);
  w.BeginObject().Field("error", error.error).Field("error_description", error.description).EndObject();
  http::Response response = http::Response::Json(error.status, w.Take());
  response.WithHeader("Cache-Control", "no-store");
  if (error.status == 401) response.WithHeader("WWW-Authenticate", "Basic realm=\"orgd\"");
  return response;
}

}  // namespace orgd::api
