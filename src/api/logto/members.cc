#include "api/logto/members.h"

#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "api/json_writer.h"
#include "api/logto/errors.h"
#include "api/logto/input.h"
#include "api/logto/pagination.h"
#include "api/logto/organization_roles.h"
#include "api/logto/organization_scopes.h"
#include "api/logto/relations.h"
#include "api/logto/user_json.h"

namespace orgd::api::logto {
namespace {

using domain::Member;

// Member-scoped routes answer every "not a member" cause alike: the org or the user is unknown,
// or the user is not in the org (contracts/logto.md §3.3).
http::Response RenderMemberScoped(const Error& error) {
  if (error.code == ErrorCode::kNotFound && error.reason.empty() &&
      (error.subject == "organization" || error.subject == "user")) {
    return Render(Error::FailedPrecondition("require_membership", error.message));
  }
  return RenderRelationError(error);
}

// UserInfo (§2.5) plus the member's roles {id, name}, name order.
void WriteMember(JsonWriter& w, const Member& member) {
  WriteUserInfoFields(w, member.user);
  w.Key("organizationRoles").BeginArray();
  for (const domain::RoleRef& role : member.roles) {
    w.BeginObject().Field("id", role.id.value()).Field("name", role.key).EndObject();
  }
  w.EndArray();
  w.EndObject();
}

// "a", "a and b", "a, b, and c": how Logto lists unknown role names.
std::string ConjunctionList(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += items.size() == 2 ? " and " : (i + 1 == items.size() ? ", and " : ", ");
    out += items[i];
  }
  return out;
}

// Errors of a member-role body: unknown names → 422 organization.role_names_not_found (the
// error's message holds the listed names); validation as Render.
http::Response RenderRoleBodyError(const Error& error) {
  if (error.reason == "names_not_found") {
    return ErrorBody(422, "organization.role_names_not_found",
                     "Invalid role names detected: " + error.message +
                         ". Please create these roles first before proceeding.");
  }
  return Render(error);
}

OrgId PathOrg(const http::Request& request) { return OrgId(request.PathParam("id")); }
UserId PathUser(const http::Request& request) { return UserId(request.PathParam("userId")); }

}  // namespace

MembersHandler::MembersHandler(domain::MembershipService& memberships)
    : memberships_(memberships) {}

Result<http::Response> MembersHandler::List(const http::Request& request,
                                            const auth::Principal&) {
  auto paging = ParsePaging(request.query);
  if (!paging) return std::move(paging).error();
  auto q = SingleQuery(request.query, "q");
  if (!q) return std::move(q).error();
  auto role = SingleQuery(request.query, "organizationRoleId");
  if (!role) return std::move(role).error();

  domain::MemberListQuery query;
  if (*q) query.q = std::string(**q);
  if (*role) query.role_id = RoleId(**role);
  query.sort = domain::MemberSort::kUserIdAsc;
  query.page.limit = paging->page_size;
  query.page.offset = paging->offset();
  query.page.want_total = true;
  auto listed = memberships_.ListMembers(PathOrg(request), query);
  if (!listed) return std::move(listed).error();
  const domain::MemberPage& page = **listed;

  http::Response response = http::Response::Json(200, list_json_.Get(*listed, [&] {
    JsonWriter w(64 + page.items.size() * 512);
    w.BeginArray();
    for (const Member& member : page.items) WriteMember(w, member);
    w.EndArray();
    return w.Take();
  }));
  AddPagingHeaders(response, request, *paging, page.total);
  return response;
}

Result<http::Response> MembersHandler::Add(const http::Request& request, const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  std::optional<std::vector<std::string>> user_ids;
  ORGD_TRY(ReadIdArray(*body, "userIds", /*required=*/true, /*non_empty=*/true, user_ids));
  auto added = memberships_.AddMembers(PathOrg(request), ToIds<UserId>(*user_ids));
  if (!added) return RenderRelationError(added.error());
  // Logto echoes the request's array as sent, duplicates included.
  Json echo = {{"userIds", (*body)["userIds"]}};
  return http::Response::Json(201, echo.dump());
}

Result<http::Response> MembersHandler::Replace(const http::Request& request,
                                               const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  std::optional<std::vector<std::string>> user_ids;
  ORGD_TRY(ReadIdArray(*body, "userIds", /*required=*/true, /*non_empty=*/false, user_ids));
  auto replaced = memberships_.ReplaceMembers(PathOrg(request), ToIds<UserId>(*user_ids));
  if (!replaced) return RenderRelationError(replaced.error());
  return http::Response::Empty(204);
}

Result<http::Response> MembersHandler::Remove(const http::Request& request,
                                              const auth::Principal&) {
  auto removed = memberships_.RemoveMember(PathOrg(request), PathUser(request));
  if (!removed) return std::move(removed).error();  // every kNotFound is 404 entity.not_found
  return http::Response::Empty(204);
}

Result<http::Response> MembersHandler::AssignRolesToUsers(const http::Request& request,
                                                          const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  std::optional<std::vector<std::string>> user_ids;
  std::optional<std::vector<std::string>> role_ids;
  ORGD_TRY(ReadIdArray(*body, "userIds", /*required=*/true, /*non_empty=*/true, user_ids));
  ORGD_TRY(ReadIdArray(*body, "organizationRoleIds", /*required=*/true, /*non_empty=*/true,
                       role_ids));
  auto assigned = memberships_.AssignRolesToMembers(PathOrg(request), ToIds<UserId>(*user_ids),
                                                    ToIds<RoleId>(*role_ids));
  if (!assigned) return RenderRelationError(assigned.error());
  return http::Response::Empty(201);
}

Result<http::Response> MembersHandler::ListRoles(const http::Request& request,
                                                 const auth::Principal&) {
  auto roles = memberships_.ListMemberRoles(PathOrg(request), PathUser(request));
  if (!roles) return RenderMemberScoped(roles.error());
  auto paging = ParsePaging(request.query);
  if (!paging) return std::move(paging).error();
  return OptionallyPaged(request, *paging, *roles, WriteOrganizationRole);
}

Result<std::vector<RoleId>> MembersHandler::ResolveRoleBody(const http::Request& request) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  std::optional<std::vector<std::string>> ids;
  std::optional<std::vector<std::string>> names;
  ORGD_TRY(ReadIdArray(*body, "organizationRoleIds", /*required=*/false, /*non_empty=*/false,
                       ids));
  ORGD_TRY(ReadIdArray(*body, "organizationRoleNames", /*required=*/false,
                       /*non_empty=*/false, names));
  const std::vector<std::string> no_names;
  const std::vector<std::string>& wanted_names = names ? *names : no_names;
  auto resolved =
      memberships_.ResolveRoles(ToIds<RoleId>(ids.value_or(std::vector<std::string>{})),
                                wanted_names);
  if (resolved) return resolved;
  const Error& e = resolved.error();
  if (e.reason != "names_not_found") return std::move(resolved).error();
  // Every unknown name, once each, in request order.
  std::vector<std::string> unknown;
  std::unordered_set<std::string> seen;
  for (const std::string& name : wanted_names) {
    if (e.fields.contains(name) && seen.insert(name).second) unknown.push_back(name);
  }
  return Error::NotFound("role", ConjunctionList(unknown)).WithReason("names_not_found");
}

Result<http::Response> MembersHandler::AssignRoles(const http::Request& request,
                                                   const auth::Principal&) {
  auto member = memberships_.RequireMembership(PathOrg(request), PathUser(request));
  if (!member) return RenderMemberScoped(member.error());
  auto roles = ResolveRoleBody(request);
  if (!roles) return RenderRoleBodyError(roles.error());
  auto assigned = memberships_.AssignMemberRoles(PathOrg(request), PathUser(request), *roles);
  if (!assigned) return RenderMemberScoped(assigned.error());
  JsonWriter w(64 + roles->size() * 32);
  w.BeginObject().Key("organizationRoleIds").BeginArray();
  for (const RoleId& id : *roles) w.String(id.value());
  w.EndArray().EndObject();
  return http::Response::Json(201, w.Take());
}

Result<http::Response> MembersHandler::ReplaceRoles(const http::Request& request,
                                                    const auth::Principal&) {
  auto member = memberships_.RequireMembership(PathOrg(request), PathUser(request));
  if (!member) return RenderMemberScoped(member.error());
  auto roles = ResolveRoleBody(request);
  if (!roles) return RenderRoleBodyError(roles.error());
  auto replaced = memberships_.ReplaceMemberRoles(PathOrg(request), PathUser(request), *roles);
  if (!replaced) return RenderMemberScoped(replaced.error());
  return http::Response::Empty(204);
}

Result<http::Response> MembersHandler::RemoveRole(const http::Request& request,
                                                  const auth::Principal&) {
  auto removed = memberships_.RemoveMemberRole(PathOrg(request), PathUser(request),
                                               RoleId(request.PathParam("organizationRoleId")));
  if (!removed) {
    const Error& e = removed.error();
    // An unknown or unheld role is 404; the membership failures are M422.
    if (e.code == ErrorCode::kNotFound && (e.subject == "role" || e.subject == "member_role")) {
      return NotFound();
    }
    return RenderMemberScoped(e);
  }
  return http::Response::Empty(204);
}

Result<http::Response> MembersHandler::ListScopes(const http::Request& request,
                                                  const auth::Principal&) {
  JsonWriter w(1024);
  w.BeginArray();
  ORGD_TRY(memberships_.ForEachMemberRoleScope(
      PathOrg(request), PathUser(request),
      [&](const domain::Permission& p) { WriteOrganizationScope(w, p); }));
  w.EndArray();
  return http::Response::Json(200, w.Take());
}

void AddMemberRoutes(RouteTable& routes, domain::MembershipService& memberships) {
  using H = MembersHandler;
  using http::Method;
  auto h = std::make_shared<H>(memberships);
  constexpr Dialect k = Dialect::kLogto;
  const std::string users = "/api/organizations/{id}/users";
  const std::string user = users + "/{userId}";
  routes.Add(Method::kGet, users, k, "all", Bind(h, &H::List));
  routes.Add(Method::kPost, users, k, "all", Bind(h, &H::Add));
  routes.Add(Method::kPut, users, k, "all", Bind(h, &H::Replace));
  routes.Add(Method::kPost, users + "/roles", k, "all", Bind(h, &H::AssignRolesToUsers));
  routes.Add(Method::kDelete, user, k, "all", Bind(h, &H::Remove));
  routes.Add(Method::kGet, user + "/roles", k, "all", Bind(h, &H::ListRoles));
  routes.Add(Method::kPost, user + "/roles", k, "all", Bind(h, &H::AssignRoles));
  routes.Add(Method::kPut, user + "/roles", k, "all", Bind(h, &H::ReplaceRoles));
  routes.Add(Method::kDelete, user + "/roles/{organizationRoleId}", k, "all",
             Bind(h, &H::RemoveRole));
  routes.Add(Method::kGet, user + "/scopes", k, "all", Bind(h, &H::ListScopes));
}

}  // namespace orgd::api::logto
