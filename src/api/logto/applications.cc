#include "api/logto/applications.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "api/json_writer.h"
#include "api/logto/application_json.h"
#include "api/logto/user_json.h"
#include "api/logto/errors.h"
#include "api/logto/input.h"
#include "api/logto/pagination.h"

namespace orgd::api::logto {
namespace {

using domain::Application;
using domain::ApplicationType;

constexpr size_t kNameMax = 256;

Error QueryError(std::string_view key, std::string_view code, std::string message) {
  Error e = FieldError(key, code, std::move(message));
  e.fields["_in"] = "query";
  return e;
}

// Checks that `value` (at `path`) is an array of URL strings.
Result<void> CheckUrlArray(const Json& value, const std::string& path) {
  if (!value.is_array()) return FieldError(path, "invalid_type", "Expected array");
  for (const Json& item : value) {
    if (!item.is_string() || !IsUrl(item.get_ref<const std::string&>())) {
      return FieldError(path, "custom", "Invalid URL");
    }
  }
  return {};
}

// `oidcClientMetadata`: both URI arrays are required when the object is given; the optional keys
// are checked and kept, unknown keys dropped.
Result<void> ReadOidcClientMetadata(const Json& body, std::string& out) {
  auto it = body.find("oidcClientMetadata");
  if (it == body.end()) return {};
  if (!it->is_object()) return FieldError("oidcClientMetadata", "invalid_type", "Expected object");
  Json kept = Json::object();
  for (const char* key : {"redirectUris", "postLogoutRedirectUris"}) {
    const std::string path = std::string("oidcClientMetadata.") + key;
    auto uris = it->find(key);
    if (uris == it->end()) return FieldError(path, "required", "Required");
    ORGD_TRY(CheckUrlArray(*uris, path));
    kept[key] = *uris;
  }
  if (auto u = it->find("backchannelLogoutUri"); u != it->end()) {
    if (!u->is_string() || !IsUrl(u->get_ref<const std::string&>())) {
      return FieldError("oidcClientMetadata.backchannelLogoutUri", "invalid_string", "Invalid url");
    }
    kept["backchannelLogoutUri"] = *u;
  }
  if (auto b = it->find("backchannelLogoutSessionRequired"); b != it->end()) {
    if (!b->is_boolean()) {
      return FieldError("oidcClientMetadata.backchannelLogoutSessionRequired", "invalid_type",
                        "Expected boolean");
    }
    kept["backchannelLogoutSessionRequired"] = *b;
  }
  if (auto l = it->find("logoUri"); l != it->end()) {
    if (!l->is_string()) {
      return FieldError("oidcClientMetadata.logoUri", "invalid_type", "Expected string");
    }
    kept["logoUri"] = *l;
  }
  out = kept.dump();
  return {};
}

// `customClientMetadata`: the known keys with their types, unknown keys dropped. Sets
// `is_device_flow` when `isDeviceFlow` is true.
Result<void> ReadCustomClientMetadata(const Json& body, std::string& out, bool& is_device_flow) {
  auto it = body.find("customClientMetadata");
  if (it == body.end()) return {};
  if (!it->is_object()) {
    return FieldError("customClientMetadata", "invalid_type", "Expected object");
  }
  Json kept = Json::object();
  auto fail = [](std::string_view key, std::string_view expected) {
    return FieldError("customClientMetadata." + std::string(key), "invalid_type",
                      "Expected " + std::string(expected));
  };
  for (const auto& [key, value] : it->items()) {
    if (key == "corsAllowedOrigins") {
      if (!value.is_array()) return fail(key, "array");
      for (const Json& origin : value) {
        if (!origin.is_string() || origin.get_ref<const std::string&>().empty()) {
          return fail(key, "array of non-empty strings");
        }
      }
    } else if (key == "idTokenTtl" || key == "refreshTokenTtl" || key == "refreshTokenTtlInDays" ||
               key == "maxAllowedGrants") {
      if (!value.is_number()) return fail(key, "number");
    } else if (key == "tenantId") {
      if (!value.is_string()) return fail(key, "string");
    } else if (key == "alwaysIssueRefreshToken" || key == "rotateRefreshToken" ||
               key == "allowTokenExchange" || key == "isDeviceFlow") {
      if (!value.is_boolean()) return fail(key, "boolean");
      if (key == "isDeviceFlow") is_device_flow = value.get<bool>();
    } else {
      continue;
    }
    kept[key] = value;
  }
  out = kept.dump();
  return {};
}

// `protectedAppMetadata`: `{subDomain, origin}` strings. Sets `present` when given.
Result<void> ReadProtectedAppMetadata(const Json& body, bool& present) {
  auto it = body.find("protectedAppMetadata");
  if (it == body.end()) return {};
  if (!it->is_object()) {
    return FieldError("protectedAppMetadata", "invalid_type", "Expected object");
  }
  for (const char* key : {"subDomain", "origin"}) {
    auto v = it->find(key);
    if (v == it->end() || !v->is_string()) {
      return FieldError(std::string("protectedAppMetadata.") + key, "invalid_type",
                        "Expected string");
    }
  }
  present = true;
  return {};
}

Result<ApplicationType> ReadType(const Json& body) {
  auto it = body.find("type");
  if (it == body.end()) return FieldError("type", "required", "Required");
  std::optional<ApplicationType> type;
  if (it->is_string()) type = domain::ParseApplicationType(it->get_ref<const std::string&>());
  if (!type) return FieldError("type", "invalid_enum_value", "Invalid enum value");
  return *type;
}

// The application type rules' own error codes (contracts/logto.md §1.5, §3.9.2).
http::Response RuleError(const Error& e) {
  if (e.subject == "application") {
    if (e.reason == "saml") {
      return ErrorBody(400, "application.saml.use_saml_app_api",
                       "Use `[METHOD] /saml-applications(/.*)?` API to operate SAML app.");
    }
    if (e.reason == "third_party_type") {
      return ErrorBody(400, "application.invalid_third_party_application_type",
                       "Only traditional web, single-page and native applications can be marked "
                       "as a third-party app.");
    }
    if (e.reason == "protected_app_metadata_required") {
      return ErrorBody(400, "application.protected_app_metadata_is_required",
                       "Protected app metadata is required.");
    }
    if (e.reason == "protected_app_not_configured") {
      return ErrorBody(501, "application.protected_app_not_configured",
                       "Protected app provider is not configured. This feature is not available "
                       "for open source version.");
    }
    if (e.reason == "device_flow_native_only") {
      return ErrorBody(422, "application.device_flow_native_only",
                       "Device flow is only available for native applications.");
    }
  }
  return Render(e);
}

http::Response ApplicationError(const Error& e, const std::string& id) {
  if (e.code == ErrorCode::kNotFound && e.subject == "application") {
    return NotExistsWithId("applications", id);
  }
  return RuleError(e);
}

}  // namespace

ApplicationsHandler::ApplicationsHandler(domain::ApplicationService& applications)
    : applications_(applications) {}

Result<http::Response> ApplicationsHandler::Create(const http::Request& request,
                                                   const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  domain::CreateApplicationInput input;
  Application& app = input.fields;
  ORGD_TRY(ReadRequiredString(*body, "name", 1, kNameMax, app.name));
  auto type = ReadType(*body);
  if (!type) return std::move(type).error();
  app.type = *type;
  std::optional<std::optional<std::string>> description;
  ORGD_TRY(ReadNullableString(*body, "description", description));
  if (description) app.description = std::move(*description);
  ORGD_TRY(ReadOidcClientMetadata(*body, app.oidc_client_metadata));
  ORGD_TRY(ReadCustomClientMetadata(*body, app.custom_client_metadata, input.is_device_flow));
  std::optional<std::string> custom_data;
  ORGD_TRY(ReadObjectText(*body, "customData", custom_data));
  if (custom_data) app.custom_data = std::move(*custom_data);
  std::optional<bool> third_party;
  ORGD_TRY(ReadBool(*body, "isThirdParty", third_party));
  app.is_third_party = third_party.value_or(false);
  ORGD_TRY(ReadProtectedAppMetadata(*body, input.has_protected_app_metadata));

  auto created = applications_.Create(input, IdStyle::kLogto);
  if (!created) return RuleError(created.error());
  JsonWriter w(512);
  WriteApplicationFields(w, *created);
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> ApplicationsHandler::List(const http::Request& request,
                                                 const auth::Principal&) {
  auto paging = ParsePaging(request.query);
  if (!paging) return std::move(paging).error();
  domain::ApplicationListQuery query;
  for (std::string_view name : request.query.GetAll("types")) {
    if (name.empty()) continue;
    auto type = domain::ParseApplicationType(name);
    if (!type) return QueryError("types", "invalid_enum_value", "Invalid enum value");
    if (std::find(query.types.begin(), query.types.end(), *type) == query.types.end()) {
      query.types.push_back(*type);
    }
  }
  auto exclude_role = SingleQuery(request.query, "excludeRoleId");
  if (!exclude_role) return std::move(exclude_role).error();
  auto exclude_org = SingleQuery(request.query, "excludeOrganizationId");
  if (!exclude_org) return std::move(exclude_org).error();
  if (*exclude_role && *exclude_org) {
    return Error::InvalidArgument(
               "`excludeRoleId` and `excludeOrganizationId` cannot be used at the same time.")
        .WithReason("business");
  }
  // orgd has no environment-level application roles, so no application holds `excludeRoleId`
  // and that filter keeps every application.
  if (*exclude_org) query.exclude_org = OrgId(std::string(**exclude_org));
  auto third_party = SingleQuery(request.query, "isThirdParty");
  if (!third_party) return std::move(third_party).error();
  if (*third_party) {
    if (**third_party != "true" && **third_party != "false") {
      return QueryError("isThirdParty", "invalid_union", "Invalid input");
    }
    query.is_third_party = **third_party == "true";
  }
  if (paging->requested) {
    query.page = domain::PageRequest{
        .limit = paging->page_size, .offset = paging->offset(), .want_total = true};
  } else {
    query.page = domain::PageRequest{.limit = std::numeric_limits<int64_t>::max()};
  }
  auto page = applications_.List(query);
  if (!page) return std::move(page).error();
  JsonWriter w(64 + page->items.size() * 512);
  w.BeginArray();
  for (const Application& app : page->items) {
    WriteApplicationFields(w, app);
    w.EndObject();
  }
  w.EndArray();
  http::Response response = http::Response::Json(200, w.Take());
  if (paging->requested) AddPagingHeaders(response, request, *paging, page->total);
  return response;
}

Result<http::Response> ApplicationsHandler::Get(const http::Request& request,
                                                const auth::Principal&) {
  const std::string& id = request.PathParam("id");
  auto app = applications_.Get(ApplicationId(id));
  if (!app) return ApplicationError(app.error(), id);
  JsonWriter w(512);
  WriteApplicationFields(w, *app);
  w.Field("isAdmin", false);
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> ApplicationsHandler::Delete(const http::Request& request,
                                                   const auth::Principal&) {
  const std::string& id = request.PathParam("id");
  auto deleted = applications_.Delete(ApplicationId(id));
  if (!deleted) return ApplicationError(deleted.error(), id);
  return http::Response::Empty(204);
}

Result<http::Response> ApplicationsHandler::ListOrganizations(const http::Request& request,
                                                              const auth::Principal&) {
  auto paging = ParsePaging(request.query);
  if (!paging) return std::move(paging).error();
  const std::string& id = request.PathParam("id");
  auto orgs = applications_.ListOrganizations(ApplicationId(id));
  if (!orgs) return ApplicationError(orgs.error(), id);
  const int64_t total = static_cast<int64_t>(orgs->size());
  size_t begin = 0, end = orgs->size();
  if (paging->requested) {
    begin = static_cast<size_t>(std::min(paging->offset(), total));
    end = static_cast<size_t>(std::min(paging->offset() + paging->page_size, total));
  }
  JsonWriter w(64 + (end - begin) * 400);
  w.BeginArray();
  for (size_t i = begin; i < end; ++i) {
    WriteOrganizationObjectFields(w, (*orgs)[i].organization);
    WriteOrganizationRoles(w, (*orgs)[i].roles);
    w.EndObject();
  }
  w.EndArray();
  http::Response response = http::Response::Json(200, w.Take());
  if (paging->requested) AddPagingHeaders(response, request, *paging, total);
  return response;
}

void AddApplicationRoutes(RouteTable& routes, domain::ApplicationService& applications) {
  using H = ApplicationsHandler;
  using http::Method;
  auto h = std::make_shared<H>(applications);
  constexpr Dialect k = Dialect::kLogto;
  routes.Add(Method::kPost, "/api/applications", k, "all", Bind(h, &H::Create));
  routes.Add(Method::kGet, "/api/applications", k, "all", Bind(h, &H::List));
  routes.Add(Method::kGet, "/api/applications/{id}", k, "all", Bind(h, &H::Get));
  routes.Add(Method::kDelete, "/api/applications/{id}", k, "all", Bind(h, &H::Delete));
  routes.Add(Method::kGet, "/api/applications/{id}/organizations", k, "all",
             Bind(h, &H::ListOrganizations));
}

}  // namespace orgd::api::logto
