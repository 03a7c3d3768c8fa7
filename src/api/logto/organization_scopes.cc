#include "api/logto/organization_scopes.h"

#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "api/logto/errors.h"
#include "api/logto/input.h"
#include "api/logto/pagination.h"

namespace orgd::api::logto {
namespace {

using domain::Permission;
using domain::PermissionPatch;

constexpr size_t kNameMax = 128;
constexpr size_t kDescriptionMax = 256;

// `name` and `description` into `patch`, with the column limits of §3.7.
Result<void> ReadScopeFields(const Json& body, PermissionPatch& patch) {
  std::optional<std::string> name;
  ORGD_TRY(ReadString(body, "name", name));
  if (name) {
    ORGD_TRY(CheckLength("name", *name, 1, kNameMax));
    patch.key = std::move(name);
  }
  ORGD_TRY(ReadNullableString(body, "description", patch.description));
  if (patch.description && *patch.description) {
    ORGD_TRY(CheckLength("description", **patch.description, 0, kDescriptionMax));
  }
  return {};
}

http::Response ScopeJson(int status, const Permission& scope) {
  JsonWriter w(192);
  WriteOrganizationScope(w, scope);
  return http::Response::Json(status, w.Take());
}

}  // namespace

void WriteOrganizationScope(JsonWriter& w, const Permission& scope) {
  w.BeginObject();
  w.Field("tenantId", "default");
  w.Field("id", scope.id.value());
  w.Field("name", scope.key);
  w.Key("description").OptString(scope.description);
  w.EndObject();
}

OrganizationScopesHandler::OrganizationScopesHandler(domain::RoleService& roles) : roles_(roles) {}

Result<http::Response> OrganizationScopesHandler::List(const http::Request& request,
                                                       const auth::Principal&) {
  auto paging = ParsePaging(request.query);
  if (!paging) return std::move(paging).error();
  auto q = SingleQuery(request.query, "q");
  if (!q) return std::move(q).error();
  domain::PermissionListQuery query;
  query.sort = domain::PermissionSort::kKeyAsc;
  if (*q) query.q = std::string(**q);
  if (paging->requested) {
    query.page.limit = paging->page_size;
    query.page.offset = paging->offset();
    query.page.want_total = true;
  } else {
    query.page.limit = std::numeric_limits<int64_t>::max();
  }
  auto page = roles_.ListPermissions(query);
  if (!page) return std::move(page).error();
  JsonWriter w(64 + page->items.size() * 128);
  w.BeginArray();
  for (const Permission& scope : page->items) WriteOrganizationScope(w, scope);
  w.EndArray();
  http::Response response = http::Response::Json(200, w.Take());
  if (paging->requested) AddPagingHeaders(response, request, *paging, page->total);
  return response;
}

Result<http::Response> OrganizationScopesHandler::Create(const http::Request& request,
                                                         const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  Permission fields;
  ORGD_TRY(ReadRequiredString(*body, "name", 1, kNameMax, fields.key));
  PermissionPatch rest;
  ORGD_TRY(ReadScopeFields(*body, rest));
  if (rest.description) fields.description = *rest.description;
  auto created = roles_.CreatePermission(fields, IdStyle::kLogto);
  if (!created) return std::move(created).error();  // kAlreadyExists renders as U422
  return ScopeJson(201, *created);
}

Result<http::Response> OrganizationScopesHandler::Get(const http::Request& request,
                                                      const auth::Principal&) {
  const std::string& id = request.PathParam("id");
  auto scope = roles_.GetPermission(PermissionId(id));
  if (!scope) {
    if (scope.error().code == ErrorCode::kNotFound) {
      return NotExistsWithId("organization_scopes", id);
    }
    return std::move(scope).error();
  }
  return ScopeJson(200, *scope);
}

Result<http::Response> OrganizationScopesHandler::Update(const http::Request& request,
                                                         const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  PermissionPatch patch;
  ORGD_TRY(ReadScopeFields(*body, patch));
  auto scope = roles_.UpdatePermission(PermissionId(request.PathParam("id")), patch);
  if (!scope) {
    if (scope.error().code == ErrorCode::kNotFound) return NotExists("organization_scope");
    return std::move(scope).error();
  }
  return ScopeJson(200, *scope);
}

Result<http::Response> OrganizationScopesHandler::Delete(const http::Request& request,
                                                         const auth::Principal&) {
  ORGD_TRY(roles_.DeletePermission(PermissionId(request.PathParam("id"))));
  return http::Response::Empty(204);
}

void AddOrganizationScopeRoutes(RouteTable& routes, domain::RoleService& roles) {
  using H = OrganizationScopesHandler;
  using http::Method;
  auto h = std::make_shared<H>(roles);
  constexpr Dialect k = Dialect::kLogto;
  routes.Add(Method::kGet, "/api/organization-scopes", k, "all", Bind(h, &H::List));
  routes.Add(Method::kPost, "/api/organization-scopes", k, "all", Bind(h, &H::Create));
  routes.Add(Method::kGet, "/api/organization-scopes/{id}", k, "all", Bind(h, &H::Get));
  routes.Add(Method::kPatch, "/api/organization-scopes/{id}", k, "all", Bind(h, &H::Update));
  routes.Add(Method::kDelete, "/api/organization-scopes/{id}", k, "all", Bind(h, &H::Delete));
}

}  // namespace orgd::api::logto
