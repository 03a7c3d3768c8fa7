#include "api/logto/sso_connectors.h"

#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

#include "api/json_input.h"
#include "api/logto/errors.h"
#include "api/logto/input.h"
#include "api/logto/pagination.h"

namespace orgd::api::logto {
namespace {

using domain::Connection;

constexpr size_t kConnectorNameMax = 128;
constexpr std::string_view kTable = "sso_connectors";

// Reads `branding`: {displayName?, logo?, darkLogo?} strings, unknown keys dropped. displayName
// goes to the connection's display name, the rest stays in the branding object.
Result<void> ReadBranding(const Json& body, Connection& out) {
  auto it = body.find("branding");
  if (it == body.end()) return {};
  if (!it->is_object()) return FieldError("branding", "invalid_type", "Expected object");
  Json kept = Json::object();
  for (const char* key : {"displayName", "logo", "darkLogo"}) {
    auto v = it->find(key);
    if (v == it->end()) continue;
    if (!v->is_string()) {
      return FieldError(std::string("branding.") + key, "invalid_type", "Expected string");
    }
    if (std::string_view(key) == "displayName") {
      out.display_name = v->get<std::string>();
    } else {
      kept[key] = *v;
    }
  }
  out.branding = kept.dump();
  return {};
}

// Reads `domains`: an array of strings.
Result<void> ReadDomains(const Json& body, std::vector<std::string>& out) {
  auto it = body.find("domains");
  if (it == body.end()) return {};
  if (!it->is_array()) return FieldError("domains", "invalid_type", "Expected array");
  for (size_t i = 0; i < it->size(); ++i) {
    if (!(*it)[i].is_string()) {
      return FieldError("domains." + std::to_string(i), "invalid_type", "Expected string");
    }
    out.push_back((*it)[i].get<std::string>());
  }
  return {};
}

// The branding object of the wire: the stored one plus displayName.
std::string BrandingJson(const Connection& c) {
  if (!c.display_name) return c.branding;
  auto branding = Json::parse(c.branding, nullptr, /*allow_exceptions=*/false);
  if (!branding.is_object()) branding = Json::object();
  branding["displayName"] = *c.display_name;
  return branding.dump();
}

// The connector with provider details (GET routes): row + name, providerType, logos.
void WriteWithProvider(JsonWriter& w, const Connection& c) {
  WriteSsoConnectorRow(w, c);
  const std::string provider = domain::LogtoProviderName(c.provider);
  w.Field("name", provider);
  w.Field("providerType", domain::LogtoProviderType(provider));
  w.Field("providerLogo", "");
  w.Field("providerLogoDark", "");
  w.EndObject();
}

// The domain's errors in this route's wire codes (contracts/logto.md §1.5).
Result<http::Response> RenderCreateError(Error e) {
  if (e.code == ErrorCode::kAlreadyExists && e.reason == "connection_name") {
    return ErrorBody(409, "single_sign_on.duplicate_connector_name",
                     "Connector name already exists. Please choose a different name.");
  }
  if (e.code == ErrorCode::kInvalidArgument && e.reason == "duplicated_domains") {
    return ErrorBody(422, "single_sign_on.duplicated_domains", "There are duplicate domains.");
  }
  if (e.code == ErrorCode::kInvalidArgument && e.reason == "forbidden_domains") {
    return ErrorBody(422, "single_sign_on.forbidden_domains",
                     "Public email domains are not allowed.");
  }
  return e;
}

}  // namespace

void WriteSsoConnectorRow(JsonWriter& w, const Connection& c) {
  w.BeginObject();
  w.Field("tenantId", "default");
  w.Field("id", c.id.value());
  w.Field("providerName", domain::LogtoProviderName(c.provider));
  w.Field("connectorName", c.name);
  w.Key("config").Raw(c.options);
  w.Key("domains").BeginArray();
  for (const std::string& d : c.domains) w.String(d);
  w.EndArray();
  w.Key("branding").Raw(BrandingJson(c));
  w.Field("syncProfile", c.sync_profile);
  w.Field("enableTokenStorage", c.enable_token_storage);
  w.Field("createdAt", c.created_at);
}

SsoConnectorsHandler::SsoConnectorsHandler(domain::ConnectionService& connections)
    : connections_(connections) {}

Result<http::Response> SsoConnectorsHandler::Create(const http::Request& request,
                                                    const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  Connection fields;
  ORGD_TRY(ReadRequiredString(*body, "providerName", 1, std::numeric_limits<size_t>::max(),
                              fields.provider));
  ORGD_TRY(ReadRequiredString(*body, "connectorName", 1, kConnectorNameMax, fields.name));
  std::optional<std::string> config;
  ORGD_TRY(ReadObjectText(*body, "config", config));
  if (config) fields.options = std::move(*config);
  ORGD_TRY(ReadDomains(*body, fields.domains));
  ORGD_TRY(ReadBranding(*body, fields));
  std::optional<bool> sync_profile, enable_token_storage;
  ORGD_TRY(ReadBool(*body, "syncProfile", sync_profile));
  ORGD_TRY(ReadBool(*body, "enableTokenStorage", enable_token_storage));
  fields.sync_profile = sync_profile.value_or(false);
  if (!domain::IsLogtoProvider(fields.provider)) {
    return ErrorBody(422, "connector.not_found",
                     "Cannot find any available connector for type: " + fields.provider + ".");
  }
  // Token storage needs a secret vault orgd does not have (contract choice).
  if (enable_token_storage.value_or(false)) {
    return ErrorBody(422, "request.feature_not_supported", "This feature is not supported.");
  }
  auto created = connections_.Create(std::move(fields), IdStyle::kLogto);
  if (!created) return RenderCreateError(std::move(created).error());
  JsonWriter w(512);
  WriteSsoConnectorRow(w, *created);
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> SsoConnectorsHandler::List(const http::Request& request,
                                                  const auth::Principal&) {
  auto paging = ParsePaging(request.query);
  if (!paging) return std::move(paging).error();
  domain::ConnectionListQuery query;
  query.limit = paging->requested ? paging->page_size : std::numeric_limits<int64_t>::max();
  query.offset = paging->requested ? paging->offset() : 0;
  query.want_total = paging->requested;
  auto page = connections_.List(query);
  if (!page) return std::move(page).error();
  JsonWriter w(128 + page->items.size() * 512);
  w.BeginArray();
  for (const Connection& c : page->items) WriteWithProvider(w, c);
  w.EndArray();
  http::Response response = http::Response::Json(200, w.Take());
  if (paging->requested) AddPagingHeaders(response, request, *paging, page->total);
  return response;
}

Result<http::Response> SsoConnectorsHandler::Get(const http::Request& request,
                                                 const auth::Principal&) {
  const std::string& id = request.PathParam("id");
  auto c = connections_.Get(ConnectionId(id));
  if (!c) {
    if (c.error().code == ErrorCode::kNotFound) return NotExistsWithId(kTable, id);
    return std::move(c).error();
  }
  JsonWriter w(512);
  WriteWithProvider(w, *c);
  return http::Response::Json(200, w.Take());
}

Result<http::Response> SsoConnectorsHandler::Delete(const http::Request& request,
                                                    const auth::Principal&) {
  const std::string& id = request.PathParam("id");
  auto deleted = connections_.Delete(ConnectionId(id));
  if (!deleted) {
    if (deleted.error().code == ErrorCode::kNotFound) return NotExistsWithId(kTable, id);
    return std::move(deleted).error();
  }
  return http::Response::Empty(204);
}

void AddSsoConnectorRoutes(RouteTable& routes, domain::ConnectionService& connections) {
  using H = SsoConnectorsHandler;
  using http::Method;
  auto h = std::make_shared<H>(connections);
  routes.Add(Method::kPost, "/api/sso-connectors", Dialect::kLogto, "all", Bind(h, &H::Create));
  routes.Add(Method::kGet, "/api/sso-connectors", Dialect::kLogto, "all", Bind(h, &H::List));
  routes.Add(Method::kGet, "/api/sso-connectors/{id}", Dialect::kLogto, "all", Bind(h, &H::Get));
  routes.Add(Method::kDelete, "/api/sso-connectors/{id}", Dialect::kLogto, "all",
             Bind(h, &H::Delete));
}

}  // namespace orgd::api::logto
