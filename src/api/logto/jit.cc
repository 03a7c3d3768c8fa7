#include "api/logto/jit.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/json_input.h"
#include "api/json_writer.h"
#include "api/logto/errors.h"
#include "api/logto/input.h"
#include "api/logto/pagination.h"
#include "api/logto/organization_roles.h"
#include "api/logto/relations.h"

namespace orgd::api::logto {
namespace {

// The column size of an email domain (Logto's organization_jit_email_domains.email_domain).
constexpr size_t kEmailDomainMax = 128;

OrgId PathOrg(const http::Request& request) { return OrgId(request.PathParam("id")); }

void WriteEmailDomain(JsonWriter& w, const OrgId& org, const std::string& domain) {
  w.BeginObject();
  w.Field("tenantId", "default");
  w.Field("organizationId", org.value());
  w.Field("emailDomain", domain);
  w.EndObject();
}

}  // namespace

JitHandler::JitHandler(domain::OrganizationService& organizations,
                       domain::MembershipService& memberships)
    : organizations_(organizations), memberships_(memberships) {}

Result<http::Response> JitHandler::ListEmailDomains(const http::Request& request,
                                                    const auth::Principal&) {
  auto paging = ParsePaging(request.query);
  if (!paging) return std::move(paging).error();
  const OrgId org = PathOrg(request);
  auto domains = organizations_.ListJitEmailDomains(org);
  if (!domains) return std::move(domains).error();
  return OptionallyPaged(request, *paging, *domains,
                         [&](JsonWriter& w, const std::string& d) { WriteEmailDomain(w, org, d); });
}

Result<http::Response> JitHandler::AddEmailDomain(const http::Request& request,
                                                  const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  std::string domain;
  ORGD_TRY(ReadRequiredString(*body, "emailDomain", 1, kEmailDomainMax, domain));
  const OrgId org = PathOrg(request);
  auto added = organizations_.AddJitEmailDomain(org, domain);
  if (!added) return RenderRelationError(added.error());
  JsonWriter w(128);
  WriteEmailDomain(w, org, domain);
  return http::Response::Json(201, w.Take());
}

Result<http::Response> JitHandler::ReplaceEmailDomains(const http::Request& request,
                                                       const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  std::optional<std::vector<std::string>> domains;
  ORGD_TRY(ReadIdArray(*body, "emailDomains", /*required=*/true, /*non_empty=*/false, domains));
  for (const std::string& d : *domains) {
    // Logto leaves this length to its database column (contract choice: 422, not 400).
    if (Utf8Length(d) > kEmailDomainMax) {
      return Error::InvalidArgument("email domain too long", "emailDomains")
          .WithReason("too_long_db");
    }
  }
  auto replaced = organizations_.ReplaceJitEmailDomains(PathOrg(request), *domains);
  if (!replaced) return RenderRelationError(replaced.error());
  return http::Response::Empty(204);
}

Result<http::Response> JitHandler::RemoveEmailDomain(const http::Request& request,
                                                     const auth::Principal&) {
  auto removed =
      organizations_.RemoveJitEmailDomain(PathOrg(request), request.PathParam("emailDomain"));
  if (!removed) return std::move(removed).error();  // kNotFound → 404 entity.not_found
  return http::Response::Empty(204);
}

Result<http::Response> JitHandler::ListRoles(const http::Request& request,
                                             const auth::Principal&) {
  auto paging = ParsePaging(request.query);
  if (!paging) return std::move(paging).error();
  auto roles = memberships_.ListJitRoles(PathOrg(request));
  if (!roles) {
    if (roles.error().code == ErrorCode::kNotFound) {
      return NotExistsWithId("organizations", request.PathParam("id"));
    }
    return std::move(roles).error();
  }
  return OptionallyPaged(request, *paging, *roles, WriteOrganizationRole);
}

Result<http::Response> JitHandler::AddRoles(const http::Request& request,
                                            const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  std::optional<std::vector<std::string>> role_ids;
  ORGD_TRY(ReadIdArray(*body, "organizationRoleIds", /*required=*/true, /*non_empty=*/true,
                       role_ids));
  auto added = memberships_.AddJitRoles(PathOrg(request), ToIds<RoleId>(*role_ids));
  if (!added) return RenderRelationError(added.error());
  return http::Response::Empty(201);
}

Result<http::Response> JitHandler::ReplaceRoles(const http::Request& request,
                                                const auth::Principal&) {
  auto body = ReadBody(request);
  if (!body) return std::move(body).error();
  std::optional<std::vector<std::string>> role_ids;
  ORGD_TRY(ReadIdArray(*body, "organizationRoleIds", /*required=*/true, /*non_empty=*/false,
                       role_ids));
  auto replaced = memberships_.ReplaceJitRoles(PathOrg(request), ToIds<RoleId>(*role_ids));
  if (!replaced) return RenderRelationError(replaced.error());
  return http::Response::Empty(204);
}

Result<http::Response> JitHandler::RemoveRole(const http::Request& request,
                                              const auth::Principal&) {
  auto removed = memberships_.RemoveJitRole(PathOrg(request),
                                            RoleId(request.PathParam("organizationRoleId")));
  if (!removed) return std::move(removed).error();  // kNotFound → 404 entity.not_found
  return http::Response::Empty(204);
}

void AddJitRoutes(RouteTable& routes, domain::OrganizationService& organizations,
                  domain::MembershipService& memberships) {
  using H = JitHandler;
  using http::Method;
  auto h = std::make_shared<H>(organizations, memberships);
  constexpr Dialect k = Dialect::kLogto;
  const std::string domains = "/api/organizations/{id}/jit/email-domains";
  const std::string roles = "/api/organizations/{id}/jit/roles";
  routes.Add(Method::kGet, domains, k, "all", Bind(h, &H::ListEmailDomains));
  routes.Add(Method::kPost, domains, k, "all", Bind(h, &H::AddEmailDomain));
  routes.Add(Method::kPut, domains, k, "all", Bind(h, &H::ReplaceEmailDomains));
  routes.Add(Method::kDelete, domains + "/{emailDomain}", k, "all",
             Bind(h, &H::RemoveEmailDomain));
  routes.Add(Method::kGet, roles, k, "all", Bind(h, &H::ListRoles));
  routes.Add(Method::kPost, roles, k, "all", Bind(h, &H::AddRoles));
  routes.Add(Method::kPut, roles, k, "all", Bind(h, &H::ReplaceRoles));
  routes.Add(Method::kDelete, roles + "/{organizationRoleId}", k, "all", Bind(h, &H::RemoveRole));
}

}  // namespace orgd::api::logto
