#include "api/logto/resources.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "api/json_writer.h"
#include "api/logto/errors.h"
#include "api/logto/input.h"
#include "api/logto/pagination.h"
#include "api/logto/search_query.h"

namespace orgd::api::logto {
namespace {

using domain::Resource;
using domain::ResourceScope;

constexpr size_t kScopeNameMax = 256;

void WriteResourceFields(JsonWriter& w, const Resource& r) {
  w.Field("tenantId", "default");
  w.Field("id", r.id.value());
  w.Field("name", r.name);
  w.Field("indicator", r.indicator);
  w.Field("isDefault", false);
  w.Field("accessTokenTtl", r.access_token_ttl);
}

void WriteScope(JsonWriter& w, const ResourceScope& s) {
  w.BeginObject();
  w.Field("tenantId", "default");
  w.Field("id", s.id.value());
  w.Field("resourceId", s.resource_id.value());
  w.Field("name", s.name);
  w.Key("description").OptString(s.description);
  w.Field("createdAt", s.created_at);
  w.EndObject();
}

// A failure naming the path's resource renders as the generic entity finder's 404.
http::Response ResourceError(const Error& e, const std::string& id) {
  if (e.code == ErrorCode::kNotFound && e.subject == "resource") {
    return NotExistsWithId("resources", id);
  }
  return Render(e);
}

}  // namespace

ResourcesHandler::ResourcesHandler(domain::ResourceService& resources) : resources_(resources) {}

Result<http::Response> ResourcesHandler::Create(const http::Request& request,
                                                const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  domain::CreateResourceInput input;
  ORGD_TRY(ReadRequiredString(*body, "name", 1, SIZE_MAX, input.name));
  ORGD_TRY(ReadRequiredString(*body, "indicator", 1, SIZE_MAX, input.indicator));
  ORGD_TRY(ReadInt(*body, "accessTokenTtl", input.access_token_ttl));
  auto created = resources_.CreateResource(input, IdStyle::kLogto);
  if (!created) {
    if (created.error().code == ErrorCode::kAlreadyExists) {
      return ErrorBody(422, "resource.resource_identifier_in_use",
                       "The API identifier " + input.indicator + " is already in use");
    }
    return std::move(created).error();
  }
  JsonWriter w(256);
  w.BeginObject();
  WriteResourceFields(w, *created);
  w.Key("scopes").BeginArray().EndArray();
  w.EndObject();
  return http::Response::Json(201, w.Take());
}

Result<http::Response> ResourcesHandler::List(const http::Request& request,
                                              const auth::Principal&) {
  auto paging = ParsePaging(request.query);
  if (!paging) return std::move(paging).error();
  auto include = SingleQuery(request.query, "includeScopes");
  if (!include) return std::move(include).error();
  const bool with_scopes = *include && IsYes(**include);
  auto listed = resources_.ListResources(domain::ResourceSort::kCreatedAsc, with_scopes);
  if (!listed) return std::move(listed).error();

  const int64_t total = static_cast<int64_t>(listed->size());
  size_t begin = 0, end = listed->size();
  if (paging->requested) {
    begin = static_cast<size_t>(std::min(paging->offset(), total));
    end = static_cast<size_t>(std::min(paging->offset() + paging->page_size, total));
  }
  JsonWriter w(64 + (end - begin) * 256);
  w.BeginArray();
  for (size_t i = begin; i < end; ++i) {
    const domain::ResourceWithScopes& item = (*listed)[i];
    w.BeginObject();
    WriteResourceFields(w, item.resource);
    if (with_scopes) {
      w.Key("scopes").BeginArray();
      for (const ResourceScope& s : item.scopes) WriteScope(w, s);
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndArray();
  http::Response response = http::Response::Json(200, w.Take());
  if (paging->requested) AddPagingHeaders(response, request, *paging, total);
  return response;
}

Result<http::Response> ResourcesHandler::Get(const http::Request& request, const auth::Principal&) {
  const std::string& id = request.PathParam("id");
  auto resource = resources_.GetResource(ResourceId(id));
  if (!resource) return ResourceError(resource.error(), id);
  JsonWriter w(256);
  w.BeginObject();
  WriteResourceFields(w, *resource);
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> ResourcesHandler::Delete(const http::Request& request,
                                                const auth::Principal&) {
  const std::string& id = request.PathParam("id");
  auto deleted = resources_.DeleteResource(ResourceId(id));
  if (!deleted) return ResourceError(deleted.error(), id);
  return http::Response::Empty(204);
}

Result<http::Response> ResourcesHandler::ListScopes(const http::Request& request,
                                                    const auth::Principal&) {
  auto paging = ParsePaging(request.query);
  if (!paging) return std::move(paging).error();
  auto search = ParseSearchQuery(request.query, {"id", "name", "description"});
  if (!search) return std::move(search).error();
  domain::PageRequest page{.limit = paging->page_size, .offset = paging->offset()};
  auto listed = resources_.SearchScopes(ResourceId(request.PathParam("resourceId")), *search, page);
  if (!listed) return std::move(listed).error();
  JsonWriter w(64 + listed->items.size() * 200);
  w.BeginArray();
  for (const ResourceScope& s : listed->items) WriteScope(w, s);
  w.EndArray();
  http::Response response = http::Response::Json(200, w.Take());
  AddPagingHeaders(response, request, *paging, listed->total);
  return response;
}

Result<http::Response> ResourcesHandler::CreateScope(const http::Request& request,
                                                     const auth::Principal&) {
  const std::string& resource_id = request.PathParam("resourceId");
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  domain::CreateResourceScopeInput input;
  ORGD_TRY(ReadRequiredString(*body, "name", 1, kScopeNameMax, input.name));
  std::optional<std::optional<std::string>> description;
  ORGD_TRY(ReadNullableString(*body, "description", description));
  if (description) input.description = std::move(*description);
  auto created = resources_.CreateScope(ResourceId(resource_id), input, IdStyle::kLogto);
  if (!created) {
    const Error& e = created.error();
    if (e.code == ErrorCode::kInvalidArgument && e.reason == "whitespace") {
      return ErrorBody(400, "scope.name_with_space",
                       "The name of the scope cannot contain any spaces.");
    }
    if (e.code == ErrorCode::kAlreadyExists && e.subject == "resource_scope") {
      return ErrorBody(422, "scope.name_exists",
                       "The scope name " + input.name + " is already in use");
    }
    return ResourceError(e, resource_id);
  }
  JsonWriter w(256);
  WriteScope(w, *created);
  return http::Response::Json(201, w.Take());
}

Result<http::Response> ResourcesHandler::DeleteScope(const http::Request& request,
                                                     const auth::Principal&) {
  const std::string& resource_id = request.PathParam("resourceId");
  auto deleted = resources_.DeleteScope(ResourceId(resource_id),
                                        ResourceScopeId(request.PathParam("scopeId")));
  if (!deleted) return ResourceError(deleted.error(), resource_id);
  return http::Response::Empty(204);
}

void AddResourceRoutes(RouteTable& routes, domain::ResourceService& resources) {
  using H = ResourcesHandler;
  using http::Method;
  auto h = std::make_shared<H>(resources);
  constexpr Dialect k = Dialect::kLogto;
  routes.Add(Method::kPost, "/api/resources", k, "all", Bind(h, &H::Create));
  routes.Add(Method::kGet, "/api/resources", k, "all", Bind(h, &H::List));
  routes.Add(Method::kGet, "/api/resources/{id}", k, "all", Bind(h, &H::Get));
  routes.Add(Method::kDelete, "/api/resources/{id}", k, "all", Bind(h, &H::Delete));
  routes.Add(Method::kGet, "/api/resources/{resourceId}/scopes", k, "all", Bind(h, &H::ListScopes));
  routes.Add(Method::kPost, "/api/resources/{resourceId}/scopes", k, "all",
             Bind(h, &H::CreateScope));
  routes.Add(Method::kDelete, "/api/resources/{resourceId}/scopes/{scopeId}", k, "all",
             Bind(h, &H::DeleteScope));
}

}  // namespace orgd::api::logto
