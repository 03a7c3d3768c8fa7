#include "api/logto/organization_applications.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/json_writer.h"
#include "api/logto/application_json.h"
#include "api/logto/organization_roles.h"
#include "api/logto/errors.h"
#include "api/logto/input.h"
#include "api/logto/pagination.h"

namespace orgd::api::logto {
namespace {

// Renders with the organization-family rules of contracts/logto.md §1.6: an unknown id in a
// relation write is FK422 rather than a 404.
http::Response RelationError(const Error& e) {
  if (e.code == ErrorCode::kNotFound && e.reason == "foreign_key") {
    Error fk = e;
    fk.code = ErrorCode::kFailedPrecondition;
    return Render(fk);
  }
  return Render(e);
}

// Reads `key` as an array of non-empty id strings; `non_empty` also refuses `[]`.
template <typename IdT>
Result<std::vector<IdT>> ReadIds(const Json& body, std::string_view key, bool non_empty) {
  auto it = body.find(key);
  if (it == body.end()) return FieldError(key, "required", "Required");
  if (!it->is_array()) return FieldError(key, "invalid_type", "Expected array");
  if (non_empty && it->empty()) {
    return FieldError(key, "too_small", "Array must contain at least 1 element(s)");
  }
  std::vector<IdT> ids;
  ids.reserve(it->size());
  for (const Json& item : *it) {
    if (!item.is_string()) return FieldError(key, "invalid_type", "Expected string");
    const std::string& id = item.get_ref<const std::string&>();
    if (id.empty()) {
      return FieldError(key, "too_small", "String must contain at least 1 character(s)");
    }
    ids.emplace_back(id);
  }
  return ids;
}

}  // namespace

OrganizationApplicationsHandler::OrganizationApplicationsHandler(
    domain::ApplicationService& applications)
    : applications_(applications) {}

Result<http::Response> OrganizationApplicationsHandler::List(const http::Request& request,
                                                             const auth::Principal&) {
  auto paging = ParsePaging(request.query);
  if (!paging) return std::move(paging).error();
  auto q = SingleQuery(request.query, "q");
  if (!q) return std::move(q).error();
  domain::OrganizationApplicationQuery query;
  if (*q) query.q = std::string(**q);
  query.page = domain::PageRequest{
      .limit = paging->page_size, .offset = paging->offset(), .want_total = true};
  auto page = applications_.ListInOrganization(OrgId(request.PathParam("id")), query);
  if (!page) return std::move(page).error();
  JsonWriter w(64 + page->items.size() * 512);
  w.BeginArray();
  for (const domain::OrganizationApplication& item : page->items) {
    WriteApplicationFields(w, item.application);
    WriteOrganizationRoles(w, item.roles);
    w.EndObject();
  }
  w.EndArray();
  http::Response response = http::Response::Json(200, w.Take());
  AddPagingHeaders(response, request, *paging, page->total);
  return response;
}

Result<http::Response> OrganizationApplicationsHandler::Add(const http::Request& request,
                                                            const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  auto apps = ReadIds<ApplicationId>(*body, "applicationIds", /*non_empty=*/true);
  if (!apps) return std::move(apps).error();
  auto added = applications_.AddToOrganization(OrgId(request.PathParam("id")), *apps);
  if (!added) return RelationError(added.error());
  return http::Response::Empty(201);
}

Result<http::Response> OrganizationApplicationsHandler::Replace(const http::Request& request,
                                                                const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  auto apps = ReadIds<ApplicationId>(*body, "applicationIds", /*non_empty=*/false);
  if (!apps) return std::move(apps).error();
  auto replaced = applications_.ReplaceInOrganization(OrgId(request.PathParam("id")), *apps);
  if (!replaced) return RelationError(replaced.error());
  return http::Response::Empty(204);
}

Result<http::Response> OrganizationApplicationsHandler::Remove(const http::Request& request,
                                                               const auth::Principal&) {
  auto removed = applications_.RemoveFromOrganization(
      OrgId(request.PathParam("id")), ApplicationId(request.PathParam("applicationId")));
  if (!removed) return RelationError(removed.error());
  return http::Response::Empty(204);
}

Result<http::Response> OrganizationApplicationsHandler::AssignBulk(const http::Request& request,
                                                                   const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  auto apps = ReadIds<ApplicationId>(*body, "applicationIds", /*non_empty=*/true);
  if (!apps) return std::move(apps).error();
  auto roles = ReadIds<RoleId>(*body, "organizationRoleIds", /*non_empty=*/true);
  if (!roles) return std::move(roles).error();
  auto assigned =
      applications_.AssignRolesToApplications(OrgId(request.PathParam("id")), *apps, *roles);
  if (!assigned) return RelationError(assigned.error());
  return http::Response::Empty(201);
}

Result<http::Response> OrganizationApplicationsHandler::ListRoles(const http::Request& request,
                                                                  const auth::Principal&) {
  const OrgId org(request.PathParam("id"));
  const ApplicationId app(request.PathParam("applicationId"));
  auto paging = ParsePaging(request.query);
  if (!paging) {
    // Membership is checked before the query is (M422 first).
    ORGD_TRY(applications_.RequireMember(org, app));
    return std::move(paging).error();
  }
  auto roles = applications_.ListRoles(org, app);
  if (!roles) return RelationError(roles.error());
  const int64_t total = static_cast<int64_t>(roles->size());
  size_t begin = 0, end = roles->size();
  if (paging->requested) {
    begin = static_cast<size_t>(std::min(paging->offset(), total));
    end = static_cast<size_t>(std::min(paging->offset() + paging->page_size, total));
  }
  JsonWriter w(64 + (end - begin) * 160);
  w.BeginArray();
  for (size_t i = begin; i < end; ++i) WriteOrganizationRole(w, (*roles)[i]);
  w.EndArray();
  http::Response response = http::Response::Json(200, w.Take());
  if (paging->requested) AddPagingHeaders(response, request, *paging, total);
  return response;
}

Result<http::Response> OrganizationApplicationsHandler::AssignRoles(const http::Request& request,
                                                                    const auth::Principal&) {
  const OrgId org(request.PathParam("id"));
  const ApplicationId app(request.PathParam("applicationId"));
  auto body = ReadBody(request);
  Result<std::vector<RoleId>> roles =
      body ? ReadIds<RoleId>(*body, "organizationRoleIds", /*non_empty=*/true)
           : Result<std::vector<RoleId>>(body.error());
  if (!roles) {
    // Membership is checked before the body is (M422 first).
    ORGD_TRY(applications_.RequireMember(org, app));
    return std::move(roles).error();
  }
  auto assigned = applications_.AssignRoles(org, app, *roles);
  if (!assigned) return RelationError(assigned.error());
  return http::Response::Empty(201);
}

Result<http::Response> OrganizationApplicationsHandler::ReplaceRoles(const http::Request& request,
                                                                     const auth::Principal&) {
  const OrgId org(request.PathParam("id"));
  const ApplicationId app(request.PathParam("applicationId"));
  auto body = ReadBody(request);
  Result<std::vector<RoleId>> roles =
      body ? ReadIds<RoleId>(*body, "organizationRoleIds", /*non_empty=*/true)
           : Result<std::vector<RoleId>>(body.error());
  if (!roles) {
    ORGD_TRY(applications_.RequireMember(org, app));
    return std::move(roles).error();
  }
  auto replaced = applications_.ReplaceRoles(org, app, *roles);
  if (!replaced) return RelationError(replaced.error());
  return http::Response::Empty(204);
}

Result<http::Response> OrganizationApplicationsHandler::RemoveRole(const http::Request& request,
                                                                   const auth::Principal&) {
  auto removed = applications_.RemoveRole(OrgId(request.PathParam("id")),
                                          ApplicationId(request.PathParam("applicationId")),
                                          RoleId(request.PathParam("organizationRoleId")));
  if (!removed) return RelationError(removed.error());
  return http::Response::Empty(204);
}

void AddOrganizationApplicationRoutes(RouteTable& routes,
                                      domain::ApplicationService& applications) {
  using H = OrganizationApplicationsHandler;
  using http::Method;
  auto h = std::make_shared<H>(applications);
  constexpr Dialect k = Dialect::kLogto;
  constexpr std::string_view base = "/api/organizations/{id}/applications";
  auto path = [&](std::string_view tail) { return std::string(base) + std::string(tail); };
  routes.Add(Method::kGet, base, k, "all", Bind(h, &H::List));
  routes.Add(Method::kPost, base, k, "all", Bind(h, &H::Add));
  routes.Add(Method::kPut, base, k, "all", Bind(h, &H::Replace));
  routes.Add(Method::kDelete, path("/{applicationId}"), k, "all", Bind(h, &H::Remove));
  routes.Add(Method::kPost, path("/roles"), k, "all", Bind(h, &H::AssignBulk));
  routes.Add(Method::kGet, path("/{applicationId}/roles"), k, "all", Bind(h, &H::ListRoles));
  routes.Add(Method::kPost, path("/{applicationId}/roles"), k, "all", Bind(h, &H::AssignRoles));
  routes.Add(Method::kPut, path("/{applicationId}/roles"), k, "all", Bind(h, &H::ReplaceRoles));
  routes.Add(Method::kDelete, path("/{applicationId}/roles/{organizationRoleId}"), k, "all",
             Bind(h, &H::RemoveRole));
}

}  // namespace orgd::api::logto
