#include "api/logto/organization_roles.h"

#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/logto/errors.h"
#include "api/logto/input.h"
#include "api/logto/organization_scopes.h"
#include "api/logto/pagination.h"

namespace orgd::api::logto {
namespace {

using domain::Permission;
using domain::ResourceScopeWithResource;
using domain::Role;
using domain::RolePatch;

constexpr size_t kNameMax = 128;
constexpr size_t kDescriptionMax = 256;

// Relation inserts answer every missing end (the role itself included) as FK422 (§1.6).
Error AsForeignKey(Error error) {
  if (error.code == ErrorCode::kNotFound) {
    return Error::FailedPrecondition("foreign_key", "unknown id").WithDetail(error.message);
  }
  return error;
}

// An array of non-empty id strings at `key`. Absent leaves `out` unset; with `non_empty` an empty
// array is 400 like Logto's `.min(1)`.
Result<void> ReadIdArray(const Json& body, std::string_view key, bool non_empty,
                         std::optional<std::vector<std::string>>& out) {
  auto it = body.find(key);
  if (it == body.end()) return {};
  if (!it->is_array()) {
    return FieldError(key, "invalid_type",
                      "Expected array, received " + std::string(it->type_name()));
  }
  if (non_empty && it->empty()) {
    return FieldError(key, "too_small", "Array must contain at least 1 element(s)");
  }
  std::vector<std::string> ids;
  ids.reserve(it->size());
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& item = (*it)[i];
    std::string path = std::string(key) + "." + std::to_string(i);
    if (!item.is_string()) {
      return FieldError(path, "invalid_type",
                        "Expected string, received " + std::string(item.type_name()));
    }
    if (item.get_ref<const std::string&>().empty()) {
      return FieldError(path, "too_small", "String must contain at least 1 character(s)");
    }
    ids.push_back(item.get<std::string>());
  }
  out = std::move(ids);
  return {};
}

// A required id array (Logto's relation bodies).
template <typename IdT>
Result<std::vector<IdT>> ReadRequiredIds(const http::Request& request, std::string_view key,
                                         bool non_empty) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  std::optional<std::vector<std::string>> raw;
  ORGD_TRY(ReadIdArray(*body, key, non_empty, raw));
  if (!raw) return FieldError(key, "invalid_type", "Required");
  std::vector<IdT> ids;
  ids.reserve(raw->size());
  for (std::string& id : *raw) ids.emplace_back(std::move(id));
  return ids;
}

template <typename IdT>
std::vector<IdT> ToIds(std::vector<std::string> raw) {
  std::vector<IdT> ids;
  ids.reserve(raw.size());
  for (std::string& id : raw) ids.emplace_back(std::move(id));
  return ids;
}

Result<void> ReadType(const Json& body, std::optional<domain::RoleType>& out) {
  std::optional<std::string> type;
  ORGD_TRY(ReadString(body, "type", type));
  if (!type) return {};
  auto parsed = domain::ParseRoleType(*type);
  if (!parsed) {
    return FieldError("type", "invalid_enum_value",
                      "Invalid enum value. Expected 'User' | 'MachineToMachine', received '" +
                          *type + "'");
  }
  out = *parsed;
  return {};
}

// `name`, `description` and `type` into `patch`, with the limits of §3.6.
Result<void> ReadRoleFields(const Json& body, RolePatch& patch) {
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
  ORGD_TRY(ReadType(body, patch.type));
  return {};
}

http::Response RoleJson(int status, const Role& role) {
  JsonWriter w(192);
  WriteOrganizationRole(w, role);
  return http::Response::Json(status, w.Take());
}

// Optional pagination of the relation lists (§1.7): all rows without page parameters.
domain::PageRequest PageOf(const Paging& paging) {
  domain::PageRequest page;
  if (paging.requested) {
    page.limit = paging.page_size;
    page.offset = paging.offset();
    page.want_total = true;
  } else {
    page.limit = std::numeric_limits<int64_t>::max();
  }
  return page;
}

}  // namespace

void WriteOrganizationRole(JsonWriter& w, const Role& role) {
  w.BeginObject();
  w.Field("tenantId", "default");
  w.Field("id", role.id.value());
  w.Field("name", role.key);
  w.Key("description").OptString(role.description);
  w.Field("type", domain::RoleTypeName(role.type));
  w.EndObject();
}

void WriteResourceScope(JsonWriter& w, const domain::ResourceScope& scope) {
  w.BeginObject();
  w.Field("tenantId", "default");
  w.Field("id", scope.id.value());
  w.Field("resourceId", scope.resource_id.value());
  w.Field("name", scope.name);
  w.Key("description").OptString(scope.description);
  w.Field("createdAt", scope.created_at);
  w.EndObject();
}

OrganizationRolesHandler::OrganizationRolesHandler(domain::RoleService& roles) : roles_(roles) {}

Result<http::Response> OrganizationRolesHandler::List(const http::Request& request,
                                                      const auth::Principal&) {
  auto paging = ParsePaging(request.query);
  if (!paging) return std::move(paging).error();
  auto q = SingleQuery(request.query, "q");
  if (!q) return std::move(q).error();
  domain::RoleListQuery query;
  query.sort = domain::RoleSort::kKeyAsc;
  if (*q) query.q = std::string(**q);
  query.page.limit = paging->page_size;
  query.page.offset = paging->offset();
  query.page.want_total = true;
  auto page = roles_.ListRolesWithScopes(query);
  if (!page) return std::move(page).error();

  JsonWriter w(64 + page->items.size() * 384);
  w.BeginArray();
  for (const domain::RoleWithScopes& item : page->items) {
    const Role& role = item.role;
    w.BeginObject();
    w.Field("tenantId", "default");
    w.Field("id", role.id.value());
    w.Field("name", role.key);
    w.Key("description").OptString(role.description);
    w.Field("type", domain::RoleTypeName(role.type));
    w.Key("scopes").BeginArray();
    for (const Permission& scope : item.permissions) {
      w.BeginObject().Field("id", scope.id.value()).Field("name", scope.key).EndObject();
    }
    w.EndArray();
    w.Key("resourceScopes").BeginArray();
    for (const ResourceScopeWithResource& rs : item.resource_scopes) {
      w.BeginObject().Field("id", rs.scope.id.value()).Field("name", rs.scope.name);
      w.Key("resource").BeginObject();
      w.Field("id", rs.scope.resource_id.value()).Field("name", rs.resource_name);
      w.EndObject().EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  http::Response response = http::Response::Json(200, w.Take());
  AddPagingHeaders(response, request, *paging, page->total);
  return response;
}

Result<http::Response> OrganizationRolesHandler::Create(const http::Request& request,
                                                        const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  domain::CreateRoleInput input;
  ORGD_TRY(ReadRequiredString(*body, "name", 1, kNameMax, input.fields.key));
  RolePatch rest;
  ORGD_TRY(ReadRoleFields(*body, rest));
  if (rest.description) input.fields.description = *rest.description;
  if (rest.type) input.fields.type = *rest.type;
  std::optional<std::vector<std::string>> scope_ids;
  ORGD_TRY(ReadIdArray(*body, "organizationScopeIds", false, scope_ids));
  if (scope_ids) input.permission_ids = ToIds<PermissionId>(std::move(*scope_ids));
  std::optional<std::vector<std::string>> resource_scope_ids;
  ORGD_TRY(ReadIdArray(*body, "resourceScopeIds", false, resource_scope_ids));
  if (resource_scope_ids) {
    input.resource_scope_ids = ToIds<ResourceScopeId>(std::move(*resource_scope_ids));
  }
  auto created = roles_.CreateRole(input, IdStyle::kLogto);
  if (!created) return AsForeignKey(std::move(created).error());
  return RoleJson(201, *created);
}

Result<http::Response> OrganizationRolesHandler::Get(const http::Request& request,
                                                     const auth::Principal&) {
  auto role = roles_.GetRole(RoleId(request.PathParam("id")));
  if (!role) return std::move(role).error();  // kNotFound renders as entity.not_found
  return RoleJson(200, *role);
}

Result<http::Response> OrganizationRolesHandler::Update(const http::Request& request,
                                                        const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  RolePatch patch;
  ORGD_TRY(ReadRoleFields(*body, patch));
  auto role = roles_.UpdateRole(RoleId(request.PathParam("id")), patch);
  if (!role) {
    if (role.error().code == ErrorCode::kNotFound) return NotExists("organization_role");
    return std::move(role).error();
  }
  return RoleJson(200, *role);
}

Result<http::Response> OrganizationRolesHandler::Delete(const http::Request& request,
                                                        const auth::Principal&) {
  ORGD_TRY(roles_.DeleteRole(RoleId(request.PathParam("id"))));
  return http::Response::Empty(204);
}

Result<http::Response> OrganizationRolesHandler::ListScopes(const http::Request& request,
                                                            const auth::Principal&) {
  auto paging = ParsePaging(request.query);
  if (!paging) return std::move(paging).error();
  domain::PermissionListQuery query;
  query.sort = domain::PermissionSort::kCreatedAsc;
  query.page = PageOf(*paging);
  auto page = roles_.ListRolePermissions(RoleId(request.PathParam("id")), query);
  if (!page) return std::move(page).error();
  JsonWriter w(64 + page->items.size() * 128);
  w.BeginArray();
  for (const Permission& scope : page->items) WriteOrganizationScope(w, scope);
  w.EndArray();
  http::Response response = http::Response::Json(200, w.Take());
  if (paging->requested) AddPagingHeaders(response, request, *paging, page->total);
  return response;
}

Result<http::Response> OrganizationRolesHandler::AddScopes(const http::Request& request,
                                                           const auth::Principal&) {
  auto ids = ReadRequiredIds<PermissionId>(request, "organizationScopeIds", true);
  if (!ids) return std::move(ids).error();
  auto added = roles_.AddRolePermissions(RoleId(request.PathParam("id")), *ids);
  if (!added) return AsForeignKey(std::move(added).error());
  return http::Response::Empty(201);
}

Result<http::Response> OrganizationRolesHandler::ReplaceScopes(const http::Request& request,
                                                               const auth::Principal&) {
  auto ids = ReadRequiredIds<PermissionId>(request, "organizationScopeIds", false);
  if (!ids) return std::move(ids).error();
  auto replaced = roles_.ReplaceRolePermissions(RoleId(request.PathParam("id")), *ids);
  if (!replaced) return AsForeignKey(std::move(replaced).error());
  return http::Response::Empty(204);
}

Result<http::Response> OrganizationRolesHandler::RemoveScope(const http::Request& request,
                                                             const auth::Principal&) {
  ORGD_TRY(roles_.RemoveRolePermission(RoleId(request.PathParam("id")),
                                       PermissionId(request.PathParam("organizationScopeId"))));
  return http::Response::Empty(204);
}

Result<http::Response> OrganizationRolesHandler::ListResourceScopes(const http::Request& request,
                                                                    const auth::Principal&) {
  auto paging = ParsePaging(request.query);
  if (!paging) return std::move(paging).error();
  auto page = roles_.ListRoleResourceScopes(RoleId(request.PathParam("id")), PageOf(*paging));
  if (!page) return std::move(page).error();
  JsonWriter w(64 + page->items.size() * 192);
  w.BeginArray();
  for (const ResourceScopeWithResource& rs : page->items) WriteResourceScope(w, rs.scope);
  w.EndArray();
  http::Response response = http::Response::Json(200, w.Take());
  if (paging->requested) AddPagingHeaders(response, request, *paging, page->total);
  return response;
}

Result<http::Response> OrganizationRolesHandler::AddResourceScopes(const http::Request& request,
                                                                   const auth::Principal&) {
  auto ids = ReadRequiredIds<ResourceScopeId>(request, "scopeIds", true);
  if (!ids) return std::move(ids).error();
  auto added = roles_.AddRoleResourceScopes(RoleId(request.PathParam("id")), *ids);
  if (!added) return AsForeignKey(std::move(added).error());
  return http::Response::Empty(201);
}

Result<http::Response> OrganizationRolesHandler::ReplaceResourceScopes(
    const http::Request& request, const auth::Principal&) {
  auto ids = ReadRequiredIds<ResourceScopeId>(request, "scopeIds", false);
  if (!ids) return std::move(ids).error();
  auto replaced = roles_.ReplaceRoleResourceScopes(RoleId(request.PathParam("id")), *ids);
  if (!replaced) return AsForeignKey(std::move(replaced).error());
  return http::Response::Empty(204);
}

Result<http::Response> OrganizationRolesHandler::RemoveResourceScope(
    const http::Request& request, const auth::Principal&) {
  ORGD_TRY(roles_.RemoveRoleResourceScope(RoleId(request.PathParam("id")),
                                          ResourceScopeId(request.PathParam("scopeId"))));
  return http::Response::Empty(204);
}

void AddOrganizationRoleRoutes(RouteTable& routes, domain::RoleService& roles) {
  using H = OrganizationRolesHandler;
  using http::Method;
  auto h = std::make_shared<H>(roles);
  constexpr Dialect k = Dialect::kLogto;
  const std::string base = "/api/organization-roles";
  routes.Add(Method::kGet, base, k, "all", Bind(h, &H::List));
  routes.Add(Method::kPost, base, k, "all", Bind(h, &H::Create));
  routes.Add(Method::kGet, base + "/{id}", k, "all", Bind(h, &H::Get));
  routes.Add(Method::kPatch, base + "/{id}", k, "all", Bind(h, &H::Update));
  routes.Add(Method::kDelete, base + "/{id}", k, "all", Bind(h, &H::Delete));
  routes.Add(Method::kGet, base + "/{id}/scopes", k, "all", Bind(h, &H::ListScopes));
  routes.Add(Method::kPost, base + "/{id}/scopes", k, "all", Bind(h, &H::AddScopes));
  routes.Add(Method::kPut, base + "/{id}/scopes", k, "all", Bind(h, &H::ReplaceScopes));
  routes.Add(Method::kDelete, base + "/{id}/scopes/{organizationScopeId}", k, "all",
             Bind(h, &H::RemoveScope));
  routes.Add(Method::kGet, base + "/{id}/resource-scopes", k, "all",
             Bind(h, &H::ListResourceScopes));
  routes.Add(Method::kPost, base + "/{id}/resource-scopes", k, "all",
             Bind(h, &H::AddResourceScopes));
  routes.Add(Method::kPut, base + "/{id}/resource-scopes", k, "all",
             Bind(h, &H::ReplaceResourceScopes));
  routes.Add(Method::kDelete, base + "/{id}/resource-scopes/{scopeId}", k, "all",
             Bind(h, &H::RemoveResourceScope));
}

}  // namespace orgd::api::logto
