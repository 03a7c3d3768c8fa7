#include "api/kinde/organization_users.h"

#include <ctime>
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
#include "common/time_format.h"

namespace orgd::api::kinde {
namespace {

using domain::MemberGrantInput;
using domain::MemberSort;

// The most users one bulk request may name (contracts/kinde.md §3.3).
constexpr size_t kMaxUsersPerRequest = 100;

OrgId PathOrg(const http::Request& request) { return OrgId(request.PathParam("org_code")); }
UserId PathUser(const http::Request& request) { return UserId(request.PathParam("user_id")); }

// The Kinde codes of the membership vocabulary (domain/membership_service.h); the rest as
// Render, or as the 404 object form when `as_404`.
http::Response RenderMemberError(const Error& e, bool as_404 = false) {
  auto body = [&](std::string_view code, std::string_view message) {
    return as_404 ? NotFoundBody(code, message) : ErrorBody(400, code, message);
  };
  if ((e.code == ErrorCode::kFailedPrecondition && e.reason == "require_membership") ||
      (e.code == ErrorCode::kNotFound && e.subject == "member")) {
    return body("USER_NOT_IN_ORGANIZATION", "User is not a member of the organization");
  }
  if (e.code == ErrorCode::kFailedPrecondition && e.reason == "constraint") {
    return ErrorBody(400, "INVALID_ROLE_ID", "Invalid role_id", "role_id");
  }
  if (e.code == ErrorCode::kNotFound) {
    if (e.subject == "member_role") return body("ROLE_NOT_ASSIGNED", "Role is not assigned");
    if (e.subject == "member_permission") {
      return body("PERMISSION_NOT_ASSIGNED", "Permission is not assigned");
    }
    if (e.subject == "member_api_scope") return body("SCOPE_NOT_ASSIGNED", "Scope is not assigned");
    if (e.subject == "resource") return body("API_NOT_FOUND", "API not found");
    if (e.subject == "resource_scope") return body("SCOPE_NOT_FOUND", "Scope not found");
    return as_404 ? RenderWith404(e) : Render(e);
  }
  return Render(e);
}

// The body as a JSON object; an empty body reads as {}.
Result<Json> ReadObject(const http::Request& request) {
  auto body = ParseJson(request.body.empty() ? std::string_view("{}")
                                             : std::string_view(request.body));
  if (!body) return std::move(body).error();
  if (!body->is_object()) return Error::InvalidArgument("body").WithReason("json");
  return std::move(*body);
}

// A required string id field ("role_id", "permission_id"): absent or empty → `required_code`.
Result<std::string> ReadRequiredId(const Json& body, std::string_view key,
                                   std::string_view required_code,
                                   std::string_view required_message) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null() ||
      (it->is_string() && it->get_ref<const std::string&>().empty())) {
    return Error::InvalidArgument(std::string(required_message), std::string(key))
        .WithReason(std::string(required_code));
  }
  if (!it->is_string()) return FieldError(key, "invalid", "Invalid " + std::string(key));
  return it->get<std::string>();
}

// The `users` list of a bulk body. `allow_operation`: PATCH items may carry operation "delete".
Result<std::vector<MemberGrantInput>> ReadUsers(const Json& body, bool allow_operation) {
  std::vector<MemberGrantInput> out;
  auto users = body.find("users");
  if (users == body.end() || users->is_null()) return out;
  if (!users->is_array()) return FieldError("users", "invalid", "Invalid users");
  if (users->size() > kMaxUsersPerRequest) {
    return FieldError("users", "users_limit_exceeded",
                      "Cannot process more than 100 users per request");
  }
  for (const Json& item : *users) {
    if (!item.is_object()) return FieldError("users", "invalid", "Invalid users");
    MemberGrantInput input;
    auto id = item.find("id");
    if (id == item.end() || id->is_null() ||
        (id->is_string() && id->get_ref<const std::string&>().empty())) {
      return FieldError("user_id", "required", "User id is required");
    }
    if (!id->is_string()) return FieldError("user_id", "invalid", "Invalid user_id");
    input.user_id = UserId(id->get<std::string>());
    std::optional<std::vector<std::string>> roles;
    ORGD_TRY(ReadStringArray(item, "roles", roles));
    if (roles) input.role_keys = std::move(*roles);
    std::optional<std::vector<std::string>> permissions;
    ORGD_TRY(ReadStringArray(item, "permissions", permissions));
    if (permissions) input.permission_keys = std::move(*permissions);
    if (allow_operation) {
      if (auto op = item.find("operation"); op != item.end() && !op->is_null()) {
        if (!op->is_string() || *op != "delete") {
          return FieldError("operation", "invalid", "Invalid operation");
        }
        input.remove = true;
      }
    }
    out.push_back(std::move(input));
  }
  return out;
}

void WriteIds(JsonWriter& w, std::string_view key, const std::vector<UserId>& ids) {
  w.EscapedKey(key).BeginArray();
  for (const UserId& id : ids) w.String(id.value());
  w.EndArray();
}

// Comma-separated keys of a filter parameter; empty segments are ignored.
Result<std::vector<std::string>> ReadKeyList(const http::QueryParams& query, std::string_view key) {
  auto raw = SingleQuery(query, key);
  if (!raw) return std::move(raw).error();
  std::vector<std::string> keys;
  if (!*raw) return keys;
  std::string_view rest = **raw;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view part = rest.substr(0, comma);
    if (!part.empty()) keys.emplace_back(part);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return keys;
}

std::optional<MemberSort> ParseSort(std::string_view s) {
  if (s == "name_asc") return MemberSort::kNameAsc;
  if (s == "name_desc") return MemberSort::kNameDesc;
  if (s == "email_asc") return MemberSort::kEmailAsc;
  if (s == "email_desc") return MemberSort::kEmailDesc;
  return std::nullopt;
}

// Reads a required date-time query parameter as whole epoch seconds, rounding a fraction down
// (`round_up` false) or up.
Result<int64_t> ReadDateTime(const http::QueryParams& query, std::string_view key, bool round_up) {
  auto raw = SingleQuery(query, key);
  if (!raw) return std::move(raw).error();
  if (!*raw) return FieldError(key, "required", std::string(key) + " is required");
  auto micros = ParseRfc3339Micros(**raw);
  if (!micros) {
    return Error::InvalidArgument("Invalid date_time", std::string(key))
        .WithReason("invalid_date_time");
  }
  constexpr int64_t kMicrosPerSecond = 1'000'000;
  int64_t seconds = *micros / kMicrosPerSecond;
  int64_t rest = *micros % kMicrosPerSecond;
  if (rest < 0) {
    --seconds;
    rest += kMicrosPerSecond;
  }
  if (round_up && rest > 0) ++seconds;
  return seconds;
}

// "2026-01-28T14:26:02Z": a bound echoed at second precision.
std::string FormatSeconds(int64_t epoch_seconds) {
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

OrganizationUsersHandler::OrganizationUsersHandler(domain::MembershipService& memberships)
    : memberships_(memberships) {}

Result<http::Response> OrganizationUsersHandler::List(const http::Request& request,
                                                      const auth::Principal&) {
  auto page_size = ParsePageSize(request.query);
  if (!page_size) return std::move(page_size).error();
  auto sort = SingleQuery(request.query, "sort");
  if (!sort) return std::move(sort).error();
  domain::MemberListQuery query;
  query.sort = MemberSort::kJoinedAsc;
  std::string_view sort_word = "joined_asc";
  if (*sort) {
    auto parsed = ParseSort(**sort);
    if (!parsed) return FieldError("sort", "invalid", "Invalid sort");
    query.sort = *parsed;
    sort_word = **sort;
  }
  auto role_keys = ReadKeyList(request.query, "roles");
  if (!role_keys) return std::move(role_keys).error();
  auto permission_keys = ReadKeyList(request.query, "permissions");
  if (!permission_keys) return std::move(permission_keys).error();
  // The token is bound to this organization's list and to the filters it was made under.
  const std::string list = "organization_users:" + request.PathParam("org_code");
  std::string filter = "roles=";
  for (const std::string& k : *role_keys) filter += k + ",";
  filter += ";permissions=";
  for (const std::string& k : *permission_keys) filter += k + ",";
  auto token = SingleQuery(request.query, "next_token");
  if (!token) return std::move(token).error();
  if (*token) {
    auto position = DecodeNextToken(**token, list, sort_word, filter);
    if (!position) return std::move(position).error();
    query.page.after = domain::Cursor{std::move(position->key), std::move(position->id)};
  }
  query.page.limit = *page_size;
  auto page =
      memberships_.ListMembersHolding(PathOrg(request), query, *role_keys, *permission_keys);
  if (!page) return std::move(page).error();

  JsonWriter w(128 + page->items.size() * 320);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("organization_users").BeginArray();
  for (const domain::Member& member : page->items) {
    const domain::User& u = member.user;
    w.BeginObject();
    w.Field("id", u.id.value());
    w.Key("email").OptString(u.primary_email);
    w.Field("full_name", domain::JoinedFullName(u));
    w.Key("first_name").OptString(u.first_name);
    w.Key("last_name").OptString(u.last_name);
    w.Key("picture").OptString(u.avatar);
    w.Field("joined_on", FormatKindeTimestamp(member.joined_at));
    w.Key("last_accessed_on").Null();
    w.Field("is_suspended", u.is_suspended);
    w.Key("roles").BeginArray();
    for (const domain::RoleRef& role : member.roles) w.String(role.key);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  if (page->has_more && page->last) {
    w.Field("next_token", EncodeNextToken(list, sort_word, filter,
                                          TokenPosition{page->last->sort_key, page->last->id}));
  } else {
    w.Key("next_token").Null();
  }
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> OrganizationUsersHandler::Add(const http::Request& request,
                                                     const auth::Principal&) {
  auto body = ReadObject(request);
  if (!body) return std::move(body).error();
  auto users = ReadUsers(*body, /*allow_operation=*/false);
  if (!users) return std::move(users).error();
  auto added = memberships_.AddMembersWithGrants(PathOrg(request), *users);
  if (!added) return RenderMemberError(added.error());
  JsonWriter w(128 + added->size() * 40);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  WriteIds(w, "users_added", *added);
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> OrganizationUsersHandler::Update(const http::Request& request,
                                                        const auth::Principal&) {
  auto body = ReadObject(request);
  if (!body) return std::move(body).error();
  auto users = ReadUsers(*body, /*allow_operation=*/true);
  if (!users) return std::move(users).error();
  auto delta = memberships_.UpdateMembersWithGrants(PathOrg(request), *users);
  if (!delta) return RenderMemberError(delta.error());
  JsonWriter w(128 + users->size() * 40);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  WriteIds(w, "users_added", delta->added);
  WriteIds(w, "users_updated", delta->updated);
  WriteIds(w, "users_removed", delta->removed);
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> OrganizationUsersHandler::Remove(const http::Request& request,
                                                        const auth::Principal&) {
  auto removed = memberships_.RemoveMember(PathOrg(request), PathUser(request));
  if (!removed) return RenderMemberError(removed.error());
  return Success();
}

Result<http::Response> OrganizationUsersHandler::ListRoles(const http::Request& request,
                                                           const auth::Principal&) {
  auto roles = memberships_.ListMemberRoles(PathOrg(request), PathUser(request));
  if (!roles) return RenderMemberError(roles.error());
  JsonWriter w(128 + roles->size() * 96);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("roles").BeginArray();
  for (const domain::Role& role : *roles) {
    w.BeginObject().Field("id", role.id.value()).Field("key", role.key).Field("name", role.name);
    w.EndObject();
  }
  w.EndArray();
  w.Key("next_token").Null();
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> OrganizationUsersHandler::AddRole(const http::Request& request,
                                                         const auth::Principal&) {
  auto body = ReadObject(request);
  if (!body) return std::move(body).error();
  auto role = ReadRequiredId(*body, "role_id", "role_required", "No role ID provided");
  if (!role) return std::move(role).error();
  auto added =
      memberships_.AssignMemberRoles(PathOrg(request), PathUser(request), {RoleId(*role)});
  if (!added) return RenderMemberError(added.error());
  return Success();
}

Result<http::Response> OrganizationUsersHandler::RemoveRole(const http::Request& request,
                                                            const auth::Principal&) {
  auto removed = memberships_.RemoveMemberRole(PathOrg(request), PathUser(request),
                                               RoleId(request.PathParam("role_id")));
  if (!removed) return RenderMemberError(removed.error());
  return Success();
}

Result<http::Response> OrganizationUsersHandler::ListRoleUsers(const http::Request& request,
                                                               const auth::Principal&) {
  auto page_size = ParsePageSize(request.query);
  if (!page_size) return std::move(page_size).error();
  const std::string list =
      "organization_role_users:" + request.PathParam("org_code") + ":" + request.PathParam("role_id");
  domain::PageRequest page_request;
  page_request.limit = *page_size;
  auto token = SingleQuery(request.query, "next_token");
  if (!token) return std::move(token).error();
  if (*token) {
    auto position = DecodeNextToken(**token, list, "user_id_asc", "");
    if (!position) return std::move(position).error();
    page_request.after = domain::Cursor{std::move(position->key), std::move(position->id)};
  }
  auto page = memberships_.ListRoleHolders(PathOrg(request), RoleId(request.PathParam("role_id")),
                                           page_request);
  if (!page) return std::move(page).error();
  JsonWriter w(128 + page->items.size() * 48);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("users").BeginArray();
  for (const UserId& id : page->items) w.BeginObject().Field("id", id.value()).EndObject();
  w.EndArray();
  if (page->has_more && page->last) {
    w.Field("next_token", EncodeNextToken(list, "user_id_asc", "",
                                          TokenPosition{page->last->sort_key, page->last->id}));
  } else {
    w.Key("next_token").Null();
  }
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> OrganizationUsersHandler::CountRoleUsers(const http::Request& request,
                                                                const auth::Principal&) {
  auto count =
      memberships_.CountRoleHolders(PathOrg(request), RoleId(request.PathParam("role_id")));
  if (!count) return std::move(count).error();
  JsonWriter w(64);
  w.BeginObject().Field("code", "OK").Field("message", "Success").Field("count", *count);
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> OrganizationUsersHandler::CountActiveRoleUsers(const http::Request& request,
                                                                      const auth::Principal&) {
  auto from = ReadDateTime(request.query, "date_time_from", /*round_up=*/false);
  if (!from) return std::move(from).error();
  auto to = ReadDateTime(request.query, "date_time_to", /*round_up=*/true);
  if (!to) return std::move(to).error();
  auto count = memberships_.CountActiveRoleHolders(
      PathOrg(request), RoleId(request.PathParam("role_id")), *from * 1000, *to * 1000);
  if (!count) return std::move(count).error();
  JsonWriter w(160);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Field("active_users_count", *count);
  w.Field("date_time_from", FormatSeconds(*from));
  w.Field("date_time_to", FormatSeconds(*to));
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> OrganizationUsersHandler::ListPermissions(const http::Request& request,
                                                                 const auth::Principal&) {
  bool expand_roles = false;
  for (std::string_view expand : request.query.GetAll("expand")) {
    while (!expand.empty()) {
      size_t comma = expand.find(',');
      if (expand.substr(0, comma) == "roles") expand_roles = true;
      if (comma == std::string_view::npos) break;
      expand.remove_prefix(comma + 1);
    }
  }
  auto permissions = memberships_.EffectivePermissions(PathOrg(request), PathUser(request));
  if (!permissions) return RenderMemberError(permissions.error());
  JsonWriter w(128 + permissions->size() * 160);
  w.BeginObject().Field("code", "OK").Field("message", "Success");
  w.Key("permissions").BeginArray();
  for (const domain::EffectivePermission& p : *permissions) {
    w.BeginObject();
    w.Field("id", p.permission.id.value());
    w.Field("key", p.permission.key);
    w.Field("name", p.permission.name);
    w.Key("description").OptString(p.permission.description);
    if (expand_roles) {
      w.Key("roles").BeginArray();
      for (const domain::RoleRef& role : p.via_roles) {
        w.BeginObject().Field("id", role.id.value()).Field("key", role.key).EndObject();
      }
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return http::Response::Json(200, w.Take());
}

Result<http::Response> OrganizationUsersHandler::AddPermission(const http::Request& request,
                                                               const auth::Principal&) {
  auto body = ReadObject(request);
  if (!body) return std::move(body).error();
  auto permission =
      ReadRequiredId(*body, "permission_id", "permission_required", "Permission is required");
  if (!permission) return std::move(permission).error();
  auto granted = memberships_.GrantMemberPermissions(PathOrg(request), PathUser(request),
                                                     {PermissionId(*permission)});
  if (!granted) return RenderMemberError(granted.error());
  return Success();
}

Result<http::Response> OrganizationUsersHandler::RemovePermission(const http::Request& request,
                                                                  const auth::Principal&) {
  auto revoked = memberships_.RevokeMemberPermission(
      PathOrg(request), PathUser(request), PermissionId(request.PathParam("permission_id")));
  if (!revoked) return RenderMemberError(revoked.error());
  return Success();
}

Result<http::Response> OrganizationUsersHandler::AddApiScope(const http::Request& request,
                                                             const auth::Principal&) {
  auto granted = memberships_.GrantMemberApiScope(PathOrg(request), PathUser(request),
                                                  ResourceId(request.PathParam("api_id")),
                                                  ResourceScopeId(request.PathParam("scope_id")));
  if (!granted) return RenderMemberError(granted.error());
  return Success();
}

Result<http::Response> OrganizationUsersHandler::RemoveApiScope(const http::Request& request,
                                                                const auth::Principal&) {
  auto revoked = memberships_.RevokeMemberApiScope(PathOrg(request), PathUser(request),
                                                   ResourceId(request.PathParam("api_id")),
                                                   ResourceScopeId(request.PathParam("scope_id")));
  if (!revoked) return RenderMemberError(revoked.error());
  return Success();
}

Result<http::Response> OrganizationUsersHandler::GetMfa(const http::Request& request,
                                                        const auth::Principal&) {
  auto member = memberships_.RequireMembership(PathOrg(request), PathUser(request));
  if (!member) return RenderMemberError(member.error(), /*as_404=*/true);
  // No factor is ever enrolled, so `mfa` is omitted (contract choice).
  return Success();
}

Result<http::Response> OrganizationUsersHandler::ResetMfa(const http::Request& request,
                                                          const auth::Principal&) {
  auto member = memberships_.RequireMembership(PathOrg(request), PathUser(request));
  if (!member) return RenderMemberError(member.error(), /*as_404=*/true);
  return Success();
}

Result<http::Response> OrganizationUsersHandler::ResetMfaFactor(const http::Request& request,
                                                                const auth::Principal&) {
  auto member = memberships_.RequireMembership(PathOrg(request), PathUser(request));
  if (!member) return RenderMemberError(member.error(), /*as_404=*/true);
  return NotFoundBody("MFA_FACTOR_NOT_FOUND", "MFA factor not found");
}

void AddOrganizationUserRoutes(RouteTable& routes, domain::MembershipService& memberships) {
  using H = OrganizationUsersHandler;
  using http::Method;
  auto h = std::make_shared<H>(memberships);
  constexpr Dialect k = Dialect::kKinde;
  const std::string users = "/api/v1/organizations/{org_code}/users";
  const std::string user = users + "/{user_id}";
  const std::string role = "/api/v1/organizations/{org_code}/roles/{role_id}";
  routes.Add(Method::kGet, users, k, "read:organization_users", Bind(h, &H::List));
  routes.Add(Method::kPost, users, k, "create:organization_users", Bind(h, &H::Add));
  routes.Add(Method::kPatch, users, k, "update:organization_users", Bind(h, &H::Update));
  routes.Add(Method::kDelete, user, k, "delete:organization_users", Bind(h, &H::Remove));
  routes.Add(Method::kGet, user + "/roles", k, "read:organization_user_roles",
             Bind(h, &H::ListRoles));
  routes.Add(Method::kPost, user + "/roles", k, "create:organization_user_roles",
             Bind(h, &H::AddRole));
  routes.Add(Method::kDelete, user + "/roles/{role_id}", k, "delete:organization_user_roles",
             Bind(h, &H::RemoveRole));
  routes.Add(Method::kGet, role + "/users", k, "read:organization_user_roles",
             Bind(h, &H::ListRoleUsers));
  routes.Add(Method::kGet, role + "/users/count", k, "read:organization_user_roles",
             Bind(h, &H::CountRoleUsers));
  routes.Add(Method::kGet, role + "/active_users/count", k, "read:organization_user_roles",
             Bind(h, &H::CountActiveRoleUsers));
  routes.Add(Method::kGet, user + "/permissions", k, "read:organization_user_permissions",
             Bind(h, &H::ListPermissions));
  routes.Add(Method::kPost, user + "/permissions", k, "create:organization_user_permissions",
             Bind(h, &H::AddPermission));
  routes.Add(Method::kDelete, user + "/permissions/{permission_id}", k,
             "delete:organization_user_permissions", Bind(h, &H::RemovePermission));
  routes.Add(Method::kPost, user + "/apis/{api_id}/scopes/{scope_id}", k,
             "create:organization_user_api_scopes", Bind(h, &H::AddApiScope));
  routes.Add(Method::kDelete, user + "/apis/{api_id}/scopes/{scope_id}", k,
             "delete:organization_user_api_scopes", Bind(h, &H::RemoveApiScope));
  routes.Add(Method::kGet, user + "/mfa", k, "read:organization_user_mfa", Bind(h, &H::GetMfa));
  routes.Add(Method::kDelete, user + "/mfa", k, "delete:organization_user_mfa",
             Bind(h, &H::ResetMfa));
  routes.Add(Method::kDelete, user + "/mfa/{factor_id}", k, "delete:organization_user_mfa",
             Bind(h, &H::ResetMfaFactor));
}

}  // namespace orgd::api::kinde
