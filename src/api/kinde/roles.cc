#include "api/kinde/roles.h"

#include <limits>
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
#include "api/kinde/permissions.h"
#include "domain/key_rules.h"

namespace orgd::api::kinde {
namespace {

using domain::Role;
using domain::RoleSort;

// assignment_permission_id on PATCH: this value clears it (contracts/kinde.md §3.13.2).
constexpr std::string_view kNoPermissionRequired = "NO_PERMISSION_REQUIRED";

// A role key: missing or empty → KEY_REQUIRED; whitespace → INVALID_KEY (§1.8).
Result<void> CheckKey(const std::optional<std::string>& key) {
  if (!key || key->empty()) return FieldError("key", "required");
  if (!domain::IsValidKey(*key)) return FieldError("key", "invalid", "Invalid key");
  return {};
}

// The role service's errors with this dialect's codes where they differ from the default mapping
// (ROLE_NOT_FOUND and PERMISSION_NOT_FOUND come out of it as they are).
Result<http::Response> RenderRoleError(Error error) {
  if (error.code == ErrorCode::kAlreadyExists && error.reason == "key") {
    return ErrorBody(400, "ROLE_KEY_EXISTS", "Role key already exists", "key");
  }
  if (error.code == ErrorCode::kNotFound) {
    if (error.subject == "resource_scope") return ErrorBody(400, "SCOPE_NOT_FOUND", "Scope not found");
    if (error.subject == "role_permission") {
      return ErrorBody(400, "PERMISSION_NOT_ASSIGNED", "Permission is not assigned");
    }
    if (error.subject == "role_resource_scope") {
      return ErrorBody(400, "SCOPE_NOT_ASSIGNED", "Scope is not assigned");
    }
  }
  return error;
}

// `assignment_permission_id`: absent or null → unchanged (unset on create); a string → that
// permission; on PATCH "NO_PERMISSION_REQUIRED" clears it.
Result<void> ReadAssignmentPermission(const Json& body, bool allow_clear,
                                      std::optional<std::optional<PermissionId>>& out) {
  auto it = body.find("assignment_permission_id");
  if (it == body.end() || it->is_null()) return {};
  if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
    return FieldError("assignment_permission_id", "invalid");
  }
  const std::string& value = it->get_ref<const std::string&>();
  if (allow_clear && value == kNoPermissionRequired) {
    out.emplace(std::nullopt);
  } else {
    out.emplace(PermissionId(value));
  }
  return {};
}

void WriteRole(JsonWriter& w, const Role& role) {
  w.BeginObject();
  w.Field("id", role.id.value());
  w.Field("key", role.key);
  w.Field("name", role.name);
  w.Key("description").OptString(role.description);
  w.Field("is_default_role", role.is_default_role);
  w.EndObject();
}

std::string_view SortWord(RoleSort sort) {
  switch (sort) {
    case RoleSort::kNameAsc: return "name_asc";
    case RoleSort::kNameDesc: return "name_desc";
    case RoleSort::kKeyAscCi: return "key_asc";
    case RoleSort::kKeyDescCi: return "key_desc";
    case RoleSort::kKeyAsc:
    case RoleSort::kCreatedAsc: break;
  }
  return "created";
}

// The token position of a page's next_token, or null when the page is the last.
void WriteNextToken(JsonWriter& w, bool has_more, const std::optional<domain::Cursor>& last,
                    std::string_view list, std::string_view sort, std::string_view filter) {
  if (has_more && last) {
    w.Field("next_token",
            EncodeNextToken(list, sort, filter, TokenPosition{last->sort_key, last->id}));
  } else {
    w.Key("next_token").Null();
  }
}

}  // namespace

RolesHandler::RolesHandler(domain::RoleService& roles) : roles_(roles) {}

Result<http::Response> RolesHandler::List(const http::Request& request, const auth::Principal&) {
  auto page_size = ParsePageSize(request.query);
  if (!page_size) return std::move(page_size).error();
  auto sort = SingleQuery(request.query, "sort");
  if (!sort) return std::move(sort).error();
  domain::RoleListQuery query;
  query.sort = RoleSort::kCreatedAsc;
  if (*sort) {
    std::string_view s = **sort;
    if (s == "name_asc") {
      query.sort = RoleSort::kNameAsc;
    } else if (s == "name_desc") {
      query.sort = RoleSort::kNameDesc;
    } else if (s == "key_asc") {
      query.sort = RoleSort::kKeyAscCi;
    } else if (s == "key_desc") {
      query.sort = RoleSort::kKeyDescCi;
    } else {
      return FieldError("sort", "invalid", "Invalid sort");
    }
  }
  const std::string_view sort_word = SortWord(query.sort);
  auto token = SingleQuery(request.query, "next_token");
  if (!token) return std::move(token).error();
  if (*token) {
    auto position = DecodeNextToken(**token, "roles", sort_word, "");
    if (!position) return std::move(position).error();
    query.page.after = domain::Cursor{std::move(position->key), std::move(position->id)};
  }
  query.page.limit = *page_size;
  auto page = roles_.ListRoles(query);
  if (!page) return std::move(page).error();

  JsonWriter w(128 + page->items.size() * 160);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("roles").BeginArray();
  for (const Role& role : page->items) WriteRole(w, role);
  w.EndArray();
  WriteNextToken(w, page->has_more, page->last, "roles", sort_word, "");
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> RolesHandler::Create(const http::Request& request, const auth::Principal&) {
  auto body = ParseBodyObject(request);
  if (!body) return std::move(body).error();
  std::optional<std::string> key;
  ORGD_TRY(ReadString(*body, "key", key));
  ORGD_TRY(CheckKey(key));
  domain::CreateRoleInput input;
  Role& role = input.fields;
  role.key = std::move(*key);
  role.type = domain::RoleType::kUser;
  std::optional<std::string> name;
  ORGD_TRY(ReadString(*body, "name", name));
  if (name) role.name = std::move(*name);  // empty: the service uses the key
  std::optional<std::optional<std::string>> description;
  ORGD_TRY(ReadNullableString(*body, "description", description));
  if (description) role.description = std::move(*description);
  std::optional<bool> is_default;
  ORGD_TRY(ReadBool(*body, "is_default_role", is_default));
  role.is_default_role = is_default.value_or(false);
  std::optional<std::optional<PermissionId>> assignment;
  ORGD_TRY(ReadAssignmentPermission(*body, /*allow_clear=*/false, assignment));
  if (assignment) role.assignment_permission_id = *assignment;

  auto created = roles_.CreateRole(input, IdStyle::kKinde);
  if (!created) return RenderRoleError(std::move(created).error());
  JsonWriter w(96);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("role").BeginObject().Field("id", created->id.value()).EndObject();
  w.EndObject();
  return http::Response::Json(201, w.Take());
}

Result<http::Response> RolesHandler::Get(const http::Request& request, const auth::Principal&) {
  auto role = roles_.GetRole(RoleId(request.PathParam("role_id")));
  if (!role) return std::move(role).error();
  JsonWriter w(256);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("role");
  WriteRole(w, *role);
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> RolesHandler::Update(const http::Request& request, const auth::Principal&) {
  auto body = ParseBodyObject(request);
  if (!body) return std::move(body).error();
  domain::RolePatch patch;
  ORGD_TRY(ReadString(*body, "name", patch.name));
  if (!patch.name || patch.name->empty()) return FieldError("name", "required");
  ORGD_TRY(ReadString(*body, "key", patch.key));
  ORGD_TRY(CheckKey(patch.key));
  ORGD_TRY(ReadNullableString(*body, "description", patch.description));
  ORGD_TRY(ReadBool(*body, "is_default_role", patch.is_default_role));
  ORGD_TRY(ReadAssignmentPermission(*body, /*allow_clear=*/true, patch.assignment_permission_id));
  auto updated = roles_.UpdateRole(RoleId(request.PathParam("role_id")), patch);
  if (!updated) return RenderRoleError(std::move(updated).error());
  return Success(201);  // [quirk] the spec's status for this update
}

Result<http::Response> RolesHandler::Delete(const http::Request& request, const auth::Principal&) {
  ORGD_TRY(roles_.DeleteRole(RoleId(request.PathParam("role_id"))));
  return Success();
}

Result<http::Response> RolesHandler::ListPermissions(const http::Request& request,
                                                     const auth::Principal&) {
  const RoleId role(request.PathParam("role_id"));
  return PermissionListResponse(request, "role_permissions", role.value(),
                                [this, &role](const domain::PermissionListQuery& query) {
                                  return roles_.ListRolePermissions(role, query);
                                });
}

Result<http::Response> RolesHandler::UpdatePermissions(const http::Request& request,
                                                       const auth::Principal&) {
  auto body = ParseBodyObject(request);
  if (!body) return std::move(body).error();
  auto items = body->find("permissions");
  if (items == body->end() || items->is_null()) return FieldError("permissions", "required");
  if (!items->is_array()) return FieldError("permissions", "invalid", "Invalid permissions");
  std::vector<domain::RolePermissionChange> changes;
  changes.reserve(items->size());
  for (const Json& item : *items) {
    if (!item.is_object()) return FieldError("permissions", "invalid", "Invalid permissions");
    auto id = item.find("id");
    if (id == item.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
      return FieldError("permissions", "invalid", "Invalid permissions");
    }
    domain::RolePermissionChange change{.id = PermissionId(id->get<std::string>())};
    auto operation = item.find("operation");
    if (operation != item.end() && !operation->is_null()) {
      if (!operation->is_string() || operation->get_ref<const std::string&>() != "delete") {
        return FieldError("operation", "invalid", "Invalid operation");
      }
      change.remove = true;
    }
    changes.push_back(std::move(change));
  }
  auto delta = roles_.UpdateRolePermissions(RoleId(request.PathParam("role_id")), changes);
  if (!delta) return RenderRoleError(std::move(delta).error());
  JsonWriter w(128 + (delta->added.size() + delta->removed.size()) * 48);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("permissions_added").BeginArray();
  for (const PermissionId& id : delta->added) w.String(id.value());
  w.EndArray();
  w.Key("permissions_removed").BeginArray();
  for (const PermissionId& id : delta->removed) w.String(id.value());
  w.EndArray();
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> RolesHandler::RemovePermission(const http::Request& request,
                                                      const auth::Principal&) {
  auto removed = roles_.RemoveRolePermission(RoleId(request.PathParam("role_id")),
                                             PermissionId(request.PathParam("permission_id")));
  if (!removed) return RenderRoleError(std::move(removed).error());
  return Success();
}

Result<http::Response> RolesHandler::ListScopes(const http::Request& request,
                                                const auth::Principal&) {
  domain::PageRequest all;
  all.limit = std::numeric_limits<int64_t>::max();
  auto scopes = roles_.ListRoleResourceScopes(RoleId(request.PathParam("role_id")), all);
  if (!scopes) return std::move(scopes).error();
  JsonWriter w(96 + scopes->items.size() * 160);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("scopes").BeginArray();
  for (const domain::ResourceScopeWithResource& rs : scopes->items) {
    w.BeginObject();
    w.Field("id", rs.scope.id.value());
    w.Field("key", rs.scope.name);
    w.Key("description").OptString(rs.scope.description);
    w.Field("api_id", rs.scope.resource_id.value());
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> RolesHandler::AddScope(const http::Request& request,
                                              const auth::Principal&) {
  auto body = ParseBodyObject(request);
  if (!body) return std::move(body).error();
  std::optional<std::string> scope_id;
  ORGD_TRY(ReadString(*body, "scope_id", scope_id));
  if (!scope_id || scope_id->empty()) return FieldError("scope_id", "required");
  auto added = roles_.AddRoleResourceScopes(RoleId(request.PathParam("role_id")),
                                            {ResourceScopeId(std::move(*scope_id))});
  if (!added) return RenderRoleError(std::move(added).error());
  return http::Response::Json(201, R"({"code":"ROLE_SCOPE_ADDED","message":"Scope added to role"})");
}

Result<http::Response> RolesHandler::RemoveScope(const http::Request& request,
                                                 const auth::Principal&) {
  auto removed = roles_.RemoveRoleResourceScope(RoleId(request.PathParam("role_id")),
                                                ResourceScopeId(request.PathParam("scope_id")));
  if (!removed) return RenderRoleError(std::move(removed).error());
  return http::Response::Json(200, R"({"code":"SCOPE_DELETED","message":"Scope deleted from role"})");
}

Result<http::Response> RolesHandler::ListUsers(const http::Request& request,
                                               const auth::Principal&) {
  auto page_size = ParsePageSize(request.query);
  if (!page_size) return std::move(page_size).error();
  const RoleId role(request.PathParam("role_id"));
  domain::PageRequest page_request;
  page_request.limit = *page_size;
  auto token = SingleQuery(request.query, "next_token");
  if (!token) return std::move(token).error();
  if (*token) {
    auto position = DecodeNextToken(**token, "role_users", "", role.value());
    if (!position) return std::move(position).error();
    page_request.after = domain::Cursor{std::move(position->key), std::move(position->id)};
  }
  auto page = roles_.ListRoleHolders(role, page_request);
  if (!page) return std::move(page).error();
  JsonWriter w(128 + page->items.size() * 96);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("users").BeginArray();
  for (const domain::RoleHolder& holder : page->items) {
    w.BeginObject().Field("id", holder.user_id.value());
    w.Key("org_codes").BeginArray();
    for (const OrgId& org : holder.org_ids) w.String(org.value());
    w.EndArray().EndObject();
  }
  w.EndArray();
  WriteNextToken(w, page->has_more, page->last, "role_users", "", role.value());
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

void AddRoleRoutes(RouteTable& routes, domain::RoleService& roles) {
  using H = RolesHandler;
  using http::Method;
  auto h = std::make_shared<H>(roles);
  constexpr Dialect k = Dialect::kKinde;
  routes.Add(Method::kGet, "/api/v1/roles", k, "read:roles", Bind(h, &H::List));
  routes.Add(Method::kPost, "/api/v1/roles", k, "create:roles", Bind(h, &H::Create));
  routes.Add(Method::kGet, "/api/v1/roles/{role_id}", k, "read:roles", Bind(h, &H::Get));
  routes.Add(Method::kPatch, "/api/v1/roles/{role_id}", k, "update:roles", Bind(h, &H::Update));
  routes.Add(Method::kDelete, "/api/v1/roles/{role_id}", k, "delete:roles", Bind(h, &H::Delete));
  routes.Add(Method::kGet, "/api/v1/roles/{role_id}/permissions", k, "read:role_permissions",
             Bind(h, &H::ListPermissions));
  routes.Add(Method::kPatch, "/api/v1/roles/{role_id}/permissions", k, "update:role_permissions",
             Bind(h, &H::UpdatePermissions));
  routes.Add(Method::kDelete, "/api/v1/roles/{role_id}/permissions/{permission_id}", k,
             "delete:role_permissions", Bind(h, &H::RemovePermission));
  routes.Add(Method::kGet, "/api/v1/roles/{role_id}/scopes", k, "read:role_scopes",
             Bind(h, &H::ListScopes));
  routes.Add(Method::kPost, "/api/v1/roles/{role_id}/scopes", k, "create:role_scopes",
             Bind(h, &H::AddScope));
  routes.Add(Method::kDelete, "/api/v1/roles/{role_id}/scopes/{scope_id}", k,
             "delete:role_scopes", Bind(h, &H::RemoveScope));
  routes.Add(Method::kGet, "/api/v1/roles/{role_id}/users", k, "read:organization_user_roles",
             Bind(h, &H::ListUsers));
}

}  // namespace orgd::api::kinde
