#include "api/kinde/connections.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/json_input.h"
#include "api/json_writer.h"
#include "api/kinde/errors.h"
#include "api/kinde/responses.h"
#include "api/kinde/pagination.h"

namespace orgd::api::kinde {
namespace {

using domain::Connection;


// `key` present as a non-empty string (else <KEY>_REQUIRED / INVALID_<KEY>).
Result<std::string> RequiredString(const Json& body, std::string_view key) {
  std::optional<std::string> value;
  ORGD_TRY(ReadString(body, key, value));
  if (!value || value->empty()) return FieldError(key, "required");
  return std::move(*value);
}

// The flat connection item (contracts/kinde.md §2.2); options and secrets are never returned.
void WriteConnection(JsonWriter& w, const Connection& c) {
  w.BeginObject();
  w.Field("id", c.id.value());
  w.Field("name", c.name);
  w.Key("display_name").OptString(c.display_name);
  w.Field("strategy", domain::KindeStrategy(c.provider));
  w.EndObject();
}

// Reads `options` (an object) into the connection: its text, and its home_realm_domains (an
// array of strings) as the connection's domains. With `merge`, keys are merged into the stored
// options one by one (PATCH) instead of replacing them.
Result<void> ApplyOptions(const Json& options, bool merge, Connection& c) {
  Json merged = options;
  if (merge) {
    merged = Json::parse(c.options, nullptr, /*allow_exceptions=*/false);
    if (!merged.is_object()) merged = Json::object();
    for (const auto& [key, value] : options.items()) merged[key] = value;
  }
  auto domains = merged.find("home_realm_domains");
  if (domains != merged.end()) {
    if (!domains->is_array()) return FieldError("options", "invalid", "Invalid options");
    std::vector<std::string> list;
    for (const Json& d : *domains) {
      if (!d.is_string()) return FieldError("options", "invalid", "Invalid options");
      list.push_back(d.get<std::string>());
    }
    c.domains = std::move(list);
  } else {
    c.domains.clear();
  }
  c.options = merged.dump();
  return {};
}

Result<void> ReadOptions(const Json& body, bool merge, Connection& c, int& n) {
  auto it = body.find("options");
  if (it == body.end()) return {};
  if (!it->is_object()) return FieldError("options", "invalid", "Invalid options");
  ++n;
  return ApplyOptions(*it, merge, c);
}

Result<void> ReadEnabledApplications(const Json& body, Connection& c, int& n) {
  std::optional<std::vector<std::string>> apps;
  ORGD_TRY(ReadStringArray(body, "enabled_applications", apps));
  if (!apps) return {};
  c.enabled_applications = Json(*apps).dump();
  ++n;
  return {};
}

Result<void> ReadDisplayName(const Json& body, Connection& c, int& n) {
  std::optional<std::string> display_name;
  ORGD_TRY(ReadString(body, "display_name", display_name));
  if (!display_name) return {};
  if (display_name->empty()) return FieldError("display_name", "required");
  c.display_name = std::move(*display_name);
  ++n;
  return {};
}

// The domain's errors in this dialect's codes: domain rules on the options' home realm domains
// name the `options` field.
Error OptionsField(Error e) {
  if (e.code == ErrorCode::kInvalidArgument && e.subject == "domains") {
    return FieldError("options", e.reason, "Invalid options");
  }
  return e;
}

http::Response CreatedWithId(const std::string& id) {
  JsonWriter w(96);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("connection").BeginObject().Field("id", id).EndObject();
  w.EndObject();
  return http::Response::Json(201, w.Take());
}

}  // namespace

ConnectionsHandler::ConnectionsHandler(domain::ConnectionService& connections)
    : connections_(connections) {}

Result<http::Response> ConnectionsHandler::List(const http::Request& request,
                                                const auth::Principal&) {
  auto page_size = ParsePageSize(request.query);
  if (!page_size) return std::move(page_size).error();
  auto after = SingleQuery(request.query, "starting_after");
  if (!after) return std::move(after).error();
  auto before = SingleQuery(request.query, "ending_before");
  if (!before) return std::move(before).error();
  if (*after && *before) {
    return FieldError("ending_before", "too_many_parameters",
                      "Only one of starting_after or ending_before may be specified");
  }
  auto domain = SingleQuery(request.query, "home_realm_domain");
  if (!domain) return std::move(domain).error();
  domain::ConnectionListQuery query;
  query.limit = *page_size;
  if (*after) query.starting_after = ConnectionId(**after);
  if (*before) query.ending_before = ConnectionId(**before);
  if (*domain) query.domain = std::string(**domain);
  auto page = connections_.List(query);
  if (!page) return std::move(page).error();
  JsonWriter w(96 + page->items.size() * 160);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("connections").BeginArray();
  for (const Connection& c : page->items) WriteConnection(w, c);
  w.EndArray();
  w.Field("has_more", page->has_more);
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> ConnectionsHandler::Create(const http::Request& request,
                                                  const auth::Principal&) {
  auto body = ParseBodyObject(request);
  if (!body) return std::move(body).error();
  Connection fields;
  auto name = RequiredString(*body, "name");
  if (!name) return std::move(name).error();
  fields.name = std::move(*name);
  auto display_name = RequiredString(*body, "display_name");
  if (!display_name) return std::move(display_name).error();
  fields.display_name = std::move(*display_name);
  auto strategy = RequiredString(*body, "strategy");
  if (!strategy) return std::move(strategy).error();
  if (!domain::IsKindeStrategy(*strategy)) {
    return FieldError("strategy", "invalid", "Invalid strategy");
  }
  fields.provider = std::move(*strategy);
  int n = 0;
  ORGD_TRY(ReadEnabledApplications(*body, fields, n));
  ORGD_TRY(ReadOptions(*body, /*merge=*/false, fields, n));
  std::optional<std::optional<std::string>> org;
  ORGD_TRY(ReadNullableString(*body, "organization_code", org));
  std::optional<OrgId> enable_for;
  if (org && *org && !(*org)->empty()) enable_for = OrgId(**org);
  auto created = connections_.Create(std::move(fields), IdStyle::kKinde, enable_for);
  if (!created) return OptionsField(std::move(created).error());
  return CreatedWithId(created->id.value());
}

Result<http::Response> ConnectionsHandler::Get(const http::Request& request,
                                               const auth::Principal&) {
  auto c = connections_.Get(ConnectionId(request.PathParam("connection_id")));
  if (!c) return std::move(c).error();
  JsonWriter w(192);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("connection");
  WriteConnection(w, *c);
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> ConnectionsHandler::Update(const http::Request& request,
                                                  const auth::Principal&) {
  auto body = ParseBodyObject(request);
  if (!body) return std::move(body).error();
  // Input is validated (and NO_FIELDS_TO_UPDATE decided) before the connection is looked up;
  // the edit then runs on the stored row inside the service's transaction.
  Connection probe;
  int n = 0;
  std::optional<std::string> name;
  ORGD_TRY(ReadString(*body, "name", name));
  if (name) {
    if (name->empty()) return FieldError("name", "required");
    ++n;
  }
  ORGD_TRY(ReadDisplayName(*body, probe, n));
  ORGD_TRY(ReadEnabledApplications(*body, probe, n));
  auto options = body->find("options");
  if (options != body->end()) {
    if (!options->is_object()) return FieldError("options", "invalid", "Invalid options");
    ++n;
  }
  if (n == 0) {
    return ErrorBody(400, "NO_FIELDS_TO_UPDATE", "At least one field must be provided for update");
  }
  auto updated = connections_.Update(ConnectionId(request.PathParam("connection_id")),
                                     [&](Connection& c) -> Result<void> {
                                       if (name) c.name = *name;
                                       if (probe.display_name) c.display_name = probe.display_name;
                                       if (body->contains("enabled_applications")) {
                                         c.enabled_applications = probe.enabled_applications;
                                       }
                                       if (options != body->end())
                                         ORGD_TRY(ApplyOptions(*options, /*merge=*/true, c));
                                       return {};
                                     });
  if (!updated) return RenderWith404(OptionsField(std::move(updated).error()));
  return Success();
}

Result<http::Response> ConnectionsHandler::Replace(const http::Request& request,
                                                   const auth::Principal&) {
  auto body = ParseBodyObject(request);
  if (!body) return std::move(body).error();
  Connection replacement;
  auto name = RequiredString(*body, "name");
  if (!name) return std::move(name).error();
  replacement.name = std::move(*name);
  auto display_name = RequiredString(*body, "display_name");
  if (!display_name) return std::move(display_name).error();
  replacement.display_name = std::move(*display_name);
  int n = 0;
  ORGD_TRY(ReadEnabledApplications(*body, replacement, n));
  ORGD_TRY(ReadOptions(*body, /*merge=*/false, replacement, n));
  auto updated = connections_.Update(ConnectionId(request.PathParam("connection_id")),
                                     [&](Connection& c) -> Result<void> {
                                       c.name = replacement.name;
                                       c.display_name = replacement.display_name;
                                       c.enabled_applications = replacement.enabled_applications;
                                       c.options = replacement.options;
                                       c.domains = replacement.domains;
                                       return {};
                                     });
  if (!updated) return RenderWith404(OptionsField(std::move(updated).error()));
  return Success();
}

Result<http::Response> ConnectionsHandler::Delete(const http::Request& request,
                                                  const auth::Principal&) {
  auto deleted = connections_.Delete(ConnectionId(request.PathParam("connection_id")));
  if (!deleted) return RenderWith404(std::move(deleted).error());
  return Success();
}

Result<http::Response> ConnectionsHandler::ListForOrganization(const http::Request& request,
                                                               const auth::Principal&) {
  auto listed = connections_.ListForOrganization(OrgId(request.PathParam("organization_code")));
  if (!listed) return std::move(listed).error();
  JsonWriter w(96 + listed->size() * 160);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("connections").BeginArray();
  for (const Connection& c : *listed) WriteConnection(w, c);
  w.EndArray();
  // Unpaginated (contracts/kinde.md §1.6).
  w.Field("has_more", false);
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> ConnectionsHandler::Enable(const http::Request& request,
                                                  const auth::Principal&) {
  ORGD_TRY(connections_.EnableForOrganization(OrgId(request.PathParam("organization_code")),
                                              {ConnectionId(request.PathParam("connection_id"))}));
  return Success();
}

Result<http::Response> ConnectionsHandler::Disable(const http::Request& request,
                                                   const auth::Principal&) {
  auto disabled =
      connections_.DisableForOrganization(OrgId(request.PathParam("organization_code")),
                                          ConnectionId(request.PathParam("connection_id")));
  if (!disabled) {
    if (disabled.error().code == ErrorCode::kNotFound &&
        disabled.error().reason == "not_assigned") {
      return ErrorBody(400, "CONNECTION_NOT_ENABLED", "Connection is not assigned");
    }
    return std::move(disabled).error();
  }
  return Success();
}

void AddConnectionRoutes(RouteTable& routes, domain::ConnectionService& connections) {
  using H = ConnectionsHandler;
  using http::Method;
  auto h = std::make_shared<H>(connections);
  constexpr Dialect k = Dialect::kKinde;
  routes.Add(Method::kGet, "/api/v1/connections", k, "read:connections", Bind(h, &H::List));
  routes.Add(Method::kPost, "/api/v1/connections", k, "create:connections", Bind(h, &H::Create));
  routes.Add(Method::kGet, "/api/v1/connections/{connection_id}", k, "read:connections",
             Bind(h, &H::Get));
  routes.Add(Method::kPatch, "/api/v1/connections/{connection_id}", k, "update:connections",
             Bind(h, &H::Update));
  routes.Add(Method::kPut, "/api/v1/connections/{connection_id}", k, "update:connections",
             Bind(h, &H::Replace));
  routes.Add(Method::kDelete, "/api/v1/connections/{connection_id}", k, "delete:connections",
             Bind(h, &H::Delete));
  routes.Add(Method::kGet, "/api/v1/organizations/{organization_code}/connections", k,
             "read:organization_connections", Bind(h, &H::ListForOrganization));
  routes.Add(Method::kPost, "/api/v1/organizations/{organization_code}/connections/{connection_id}",
             k, "create:organization_connections", Bind(h, &H::Enable));
  routes.Add(Method::kDelete,
             "/api/v1/organizations/{organization_code}/connections/{connection_id}", k,
             "delete:organization_connections", Bind(h, &H::Disable));
}

}  // namespace orgd::api::kinde
