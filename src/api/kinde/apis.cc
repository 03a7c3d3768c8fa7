#include "api/kinde/apis.h"

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

namespace orgd::api::kinde {
namespace {

using domain::ResourceScope;

constexpr size_t kMaxLength = 64;

// A required string of 1–64 characters: absent or empty → <KEY>_REQUIRED, wrong type →
// INVALID_<KEY>, longer → <KEY>_TOO_LONG.
Result<std::string> RequiredShortString(const Json& body, std::string_view key) {
  std::optional<std::string> value;
  ORGD_TRY(ReadString(body, key, value));
  if (!value || value->empty()) return FieldError(key, "required");
  if (Utf8Length(*value) > kMaxLength) {
    return FieldError(
        key, "too_long",
        Sentence(key) + " must be at most " + std::to_string(kMaxLength) + " characters");
  }
  return std::move(*value);
}

// Maps the resource service's vocabulary to this dialect's codes.
http::Response ApiError(const Error& e) {
  if (e.code == ErrorCode::kNotFound && e.subject == "resource") {
    return ErrorBody(400, "API_NOT_FOUND", "API not found");
  }
  if (e.code == ErrorCode::kNotFound && e.subject == "resource_scope") {
    return ErrorBody(400, "SCOPE_NOT_FOUND", "Scope not found");
  }
  if (e.code == ErrorCode::kAlreadyExists && e.subject == "resource") {
    return ErrorBody(400, "API_AUDIENCE_EXISTS", "API audience already exists", "audience");
  }
  if (e.code == ErrorCode::kAlreadyExists && e.subject == "resource_scope") {
    return ErrorBody(400, "SCOPE_KEY_EXISTS", "Scope key already exists", "key");
  }
  if (e.code == ErrorCode::kInvalidArgument && e.reason == "whitespace") {
    return ErrorBody(400, "INVALID_KEY", "Invalid key", "key");
  }
  return Render(e);
}

void WriteScopeRefs(JsonWriter& w, const std::vector<ResourceScope>& scopes) {
  w.Key("scopes").BeginArray();
  for (const ResourceScope& s : scopes) {
    w.BeginObject().Field("id", s.id.value()).Field("key", s.name).EndObject();
  }
  w.EndArray();
}

void WriteScope(JsonWriter& w, const ResourceScope& s) {
  w.BeginObject();
  w.Field("id", s.id.value());
  w.Field("key", s.name);
  w.Key("description").OptString(s.description);
  w.EndObject();
}

// {"code":"OK","message":"Success","<kind>":{"id":…}} with status 200.
http::Response CreatedWithId(std::string_view kind, const std::string& id) {
  JsonWriter w(96);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.EscapedKey(kind).BeginObject().Field("id", id).EndObject();
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

// True when the comma-separated `expand` names `scopes`; other values are ignored.
bool ExpandsScopes(std::string_view expand) {
  while (!expand.empty()) {
    size_t comma = expand.find(',');
    std::string_view item = expand.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == "scopes") return true;
    if (comma == std::string_view::npos) break;
    expand.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

ApisHandler::ApisHandler(domain::ResourceService& resources) : resources_(resources) {}

Result<http::Response> ApisHandler::List(const http::Request& request, const auth::Principal&) {
  auto expand = SingleQuery(request.query, "expand");
  if (!expand) return std::move(expand).error();
  const bool with_scopes = *expand && ExpandsScopes(**expand);
  auto apis = resources_.ListResources(domain::ResourceSort::kNameAsc, with_scopes);
  if (!apis) return std::move(apis).error();
  JsonWriter w(96 + apis->size() * 192);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("next_token").Null();
  w.Key("apis").BeginArray();
  for (const domain::ResourceWithScopes& api : *apis) {
    w.BeginObject();
    w.Field("id", api.resource.id.value());
    w.Field("name", api.resource.name);
    w.Field("audience", api.resource.indicator);
    w.Field("is_management_api", false);
    if (with_scopes) WriteScopeRefs(w, api.scopes);
    w.EndObject();
  }
  w.EndArray().EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> ApisHandler::Create(const http::Request& request, const auth::Principal&) {
  auto body = ParseBodyObject(request);
  if (!body) return std::move(body).error();
  auto name = RequiredShortString(*body, "name");
  if (!name) return std::move(name).error();
  auto audience = RequiredShortString(*body, "audience");
  if (!audience) return std::move(audience).error();
  auto created = resources_.CreateResource(
      domain::CreateResourceInput{.name = std::move(*name), .indicator = std::move(*audience)},
      IdStyle::kKinde);
  if (!created) return ApiError(created.error());
  return CreatedWithId("api", created->id.value());
}

Result<http::Response> ApisHandler::Get(const http::Request& request, const auth::Principal&) {
  auto api = resources_.GetResourceWithScopes(ResourceId(request.PathParam("api_id")));
  if (!api) return ApiError(api.error());
  JsonWriter w(256 + api->scopes.size() * 96);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("api").BeginObject();
  w.Field("id", api->resource.id.value());
  w.Field("name", api->resource.name);
  w.Field("audience", api->resource.indicator);
  w.Field("is_management_api", false);
  WriteScopeRefs(w, api->scopes);
  w.Key("applications").BeginArray().EndArray();
  w.EndObject().EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> ApisHandler::Delete(const http::Request& request, const auth::Principal&) {
  auto deleted = resources_.DeleteResource(ResourceId(request.PathParam("api_id")));
  if (!deleted) return ApiError(deleted.error());
  return http::Response::Json(200,
                              R"({"code":"API_DELETED","message":"API successfully deleted"})");
}

Result<http::Response> ApisHandler::ListScopes(const http::Request& request,
                                               const auth::Principal&) {
  auto scopes = resources_.ListScopes(ResourceId(request.PathParam("api_id")));
  if (!scopes) return ApiError(scopes.error());
  JsonWriter w(96 + scopes->size() * 128);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("scopes").BeginArray();
  for (const ResourceScope& s : *scopes) WriteScope(w, s);
  w.EndArray().EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> ApisHandler::CreateScope(const http::Request& request,
                                                const auth::Principal&) {
  auto body = ParseBodyObject(request);
  if (!body) return std::move(body).error();
  auto key = RequiredShortString(*body, "key");
  if (!key) return std::move(key).error();
  domain::CreateResourceScopeInput input{.name = std::move(*key)};
  std::optional<std::optional<std::string>> description;
  ORGD_TRY(ReadNullableString(*body, "description", description));
  if (description) input.description = std::move(*description);
  auto created =
      resources_.CreateScope(ResourceId(request.PathParam("api_id")), input, IdStyle::kKinde);
  if (!created) return ApiError(created.error());
  return CreatedWithId("scope", created->id.value());
}

Result<http::Response> ApisHandler::GetScope(const http::Request& request, const auth::Principal&) {
  auto scope = resources_.GetScope(ResourceId(request.PathParam("api_id")),
                                   ResourceScopeId(request.PathParam("scope_id")));
  if (!scope) return ApiError(scope.error());
  JsonWriter w(192);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("scope");
  WriteScope(w, *scope);
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> ApisHandler::UpdateScope(const http::Request& request,
                                                const auth::Principal&) {
  auto body = ParseBodyObject(request);
  if (!body) return std::move(body).error();
  domain::ResourceScopePatch patch;
  ORGD_TRY(ReadNullableString(*body, "description", patch.description));
  if (patch.empty()) {
    return ErrorBody(400, "NO_FIELDS_TO_UPDATE", "At least one field must be provided for update");
  }
  auto updated = resources_.UpdateScope(ResourceId(request.PathParam("api_id")),
                                        ResourceScopeId(request.PathParam("scope_id")), patch);
  if (!updated) return ApiError(updated.error());
  return Success();
}

Result<http::Response> ApisHandler::DeleteScope(const http::Request& request,
                                                const auth::Principal&) {
  auto deleted = resources_.DeleteScope(ResourceId(request.PathParam("api_id")),
                                        ResourceScopeId(request.PathParam("scope_id")));
  if (!deleted) return ApiError(deleted.error());
  return Success();
}

void AddApiRoutes(RouteTable& routes, domain::ResourceService& resources) {
  using H = ApisHandler;
  using http::Method;
  auto h = std::make_shared<H>(resources);
  constexpr Dialect k = Dialect::kKinde;
  routes.Add(Method::kGet, "/api/v1/apis", k, "read:apis", Bind(h, &H::List));
  routes.Add(Method::kPost, "/api/v1/apis", k, "create:apis", Bind(h, &H::Create));
  routes.Add(Method::kGet, "/api/v1/apis/{api_id}", k, "read:apis", Bind(h, &H::Get));
  routes.Add(Method::kDelete, "/api/v1/apis/{api_id}", k, "delete:apis", Bind(h, &H::Delete));
  routes.Add(Method::kGet, "/api/v1/apis/{api_id}/scopes", k, "read:api_scopes",
             Bind(h, &H::ListScopes));
  routes.Add(Method::kPost, "/api/v1/apis/{api_id}/scopes", k, "create:api_scopes",
             Bind(h, &H::CreateScope));
  routes.Add(Method::kGet, "/api/v1/apis/{api_id}/scopes/{scope_id}", k, "read:api_scopes",
             Bind(h, &H::GetScope));
  routes.Add(Method::kPatch, "/api/v1/apis/{api_id}/scopes/{scope_id}", k, "update:api_scopes",
             Bind(h, &H::UpdateScope));
  routes.Add(Method::kDelete, "/api/v1/apis/{api_id}/scopes/{scope_id}", k, "delete:apis_scopes",
             Bind(h, &H::DeleteScope));
}

}  // namespace orgd::api::kinde
