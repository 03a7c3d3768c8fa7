#include "api/kinde/permissions.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "api/json_input.h"
#include "api/json_writer.h"
#include "api/kinde/errors.h"
#include "api/kinde/responses.h"
#include "api/kinde/pagination.h"
#include "domain/key_rules.h"

namespace orgd::api::kinde {
namespace {

using domain::Permission;
using domain::PermissionSort;


// A permission key: missing or empty → KEY_REQUIRED; whitespace → INVALID_KEY (§1.8).
Result<void> CheckKey(const std::optional<std::string>& key) {
  if (!key || key->empty()) return FieldError("key", "required");
  if (!domain::IsValidKey(*key)) return FieldError("key", "invalid", "Invalid key");
  return {};
}

// kAlreadyExists on the key is PERMISSION_KEY_EXISTS; the rest take the default mapping.
Result<http::Response> RenderPermissionError(Error error) {
  if (error.code == ErrorCode::kAlreadyExists && error.reason == "key") {
    return ErrorBody(400, "PERMISSION_KEY_EXISTS", "Permission key already exists", "key");
  }
  return error;
}

std::string_view SortWord(PermissionSort sort) {
  switch (sort) {
    case PermissionSort::kNameAsc: return "name_asc";
    case PermissionSort::kNameDesc: return "name_desc";
    case PermissionSort::kIdAsc: return "id_asc";
    case PermissionSort::kIdDesc: return "id_desc";
    case PermissionSort::kKeyAsc:
    case PermissionSort::kCreatedAsc: break;
  }
  return "created";
}

}  // namespace

Result<http::Response> PermissionListResponse(
    const http::Request& request, std::string_view list, std::string_view filter,
    const std::function<Result<domain::PermissionPage>(const domain::PermissionListQuery&)>&
        fetch) {
  auto page_size = ParsePageSize(request.query);
  if (!page_size) return std::move(page_size).error();
  auto sort = SingleQuery(request.query, "sort");
  if (!sort) return std::move(sort).error();
  domain::PermissionListQuery query;
  query.sort = PermissionSort::kCreatedAsc;
  if (*sort) {
    std::string_view s = **sort;
    if (s == "name_asc") {
      query.sort = PermissionSort::kNameAsc;
    } else if (s == "name_desc") {
      query.sort = PermissionSort::kNameDesc;
    } else if (s == "id_asc") {
      query.sort = PermissionSort::kIdAsc;
    } else if (s == "id_desc") {
      query.sort = PermissionSort::kIdDesc;
    } else {
      return FieldError("sort", "invalid", "Invalid sort");
    }
  }
  const std::string_view sort_word = SortWord(query.sort);
  auto token = SingleQuery(request.query, "next_token");
  if (!token) return std::move(token).error();
  if (*token) {
    auto position = DecodeNextToken(**token, list, sort_word, filter);
    if (!position) return std::move(position).error();
    query.page.after = domain::Cursor{std::move(position->key), std::move(position->id)};
  }
  query.page.limit = *page_size;
  auto page = fetch(query);
  if (!page) return std::move(page).error();

  JsonWriter w(128 + page->items.size() * 160);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("permissions").BeginArray();
  for (const Permission& p : page->items) {
    w.BeginObject();
    w.Field("id", p.id.value());
    w.Field("key", p.key);
    w.Field("name", p.name);
    w.Key("description").OptString(p.description);
    w.EndObject();
  }
  w.EndArray();
  if (page->has_more && page->last) {
    w.Field("next_token",
            EncodeNextToken(list, sort_word, filter,
                            TokenPosition{page->last->sort_key, page->last->id}));
  } else {
    w.Key("next_token").Null();
  }
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

PermissionsHandler::PermissionsHandler(domain::RoleService& roles) : roles_(roles) {}

Result<http::Response> PermissionsHandler::List(const http::Request& request,
                                                const auth::Principal&) {
  return PermissionListResponse(
      request, "permissions", "",
      [this](const domain::PermissionListQuery& query) { return roles_.ListPermissions(query); });
}

Result<http::Response> PermissionsHandler::Create(const http::Request& request,
                                                  const auth::Principal&) {
  auto body = ParseBodyObject(request);
  if (!body) return std::move(body).error();
  std::optional<std::string> key;
  ORGD_TRY(ReadString(*body, "key", key));
  ORGD_TRY(CheckKey(key));
  std::optional<std::string> name;
  ORGD_TRY(ReadString(*body, "name", name));
  std::optional<std::optional<std::string>> description;
  ORGD_TRY(ReadNullableString(*body, "description", description));
  Permission fields;
  fields.key = std::move(*key);
  if (name) fields.name = std::move(*name);  // empty: the service uses the key
  if (description) fields.description = std::move(*description);
  auto created = roles_.CreatePermission(fields, IdStyle::kKinde);
  if (!created) return RenderPermissionError(std::move(created).error());
  JsonWriter w(96);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("permission").BeginObject().Field("id", created->id.value()).EndObject();
  w.EndObject();
  return http::Response::Json(201, w.Take());
}

Result<http::Response> PermissionsHandler::Update(const http::Request& request,
                                                  const auth::Principal&) {
  auto body = ParseBodyObject(request);
  if (!body) return std::move(body).error();
  domain::PermissionPatch patch;
  ORGD_TRY(ReadString(*body, "name", patch.name));
  if (patch.name && patch.name->empty()) return FieldError("name", "required");
  ORGD_TRY(ReadNullableString(*body, "description", patch.description));
  ORGD_TRY(ReadString(*body, "key", patch.key));
  if (patch.key) ORGD_TRY(CheckKey(patch.key));
  if (patch.empty()) {
    return ErrorBody(400, "NO_FIELDS_TO_UPDATE", "At least one field must be provided for update");
  }
  auto updated = roles_.UpdatePermission(PermissionId(request.PathParam("permission_id")), patch);
  if (!updated) return RenderPermissionError(std::move(updated).error());
  return Success();
}

Result<http::Response> PermissionsHandler::Delete(const http::Request& request,
                                                  const auth::Principal&) {
  ORGD_TRY(roles_.DeletePermission(PermissionId(request.PathParam("permission_id"))));
  return Success();
}

void AddPermissionRoutes(RouteTable& routes, domain::RoleService& roles) {
  using H = PermissionsHandler;
  using http::Method;
  auto h = std::make_shared<H>(roles);
  constexpr Dialect k = Dialect::kKinde;
  routes.Add(Method::kGet, "/api/v1/permissions", k, "read:permissions", Bind(h, &H::List));
  routes.Add(Method::kPost, "/api/v1/permissions", k, "create:permissions", Bind(h, &H::Create));
  routes.Add(Method::kPatch, "/api/v1/permissions/{permission_id}", k, "update:permissions",
             Bind(h, &H::Update));
  routes.Add(Method::kDelete, "/api/v1/permissions/{permission_id}", k, "delete:permissions",
             Bind(h, &H::Delete));
}

}  // namespace orgd::api::kinde
