#pragma once

#include "api/handler.h"
#include "api/route_table.h"
#include "domain/membership_service.h"
#include "domain/organization_service.h"

// Logto dialect: just-in-time provisioning rows of an organization, /api/organizations/{id}/jit/
// email-domains and /jit/roles (contracts/logto.md §3.5, rows §2.7, role shape §2.2). The
// email domains are the organization's allowed_domains, which the Kinde dialect reads too.
namespace orgd::api::logto {

class JitHandler {
 public:
  JitHandler(domain::OrganizationService& organizations, domain::MembershipService& memberships);

  // GET …/jit/email-domains (optional paging) → 200 [{tenantId, organizationId, emailDomain}],
  // insertion order. No organization check: an unknown org lists nothing.
  Result<http::Response> ListEmailDomains(const http::Request& request,
                                          const auth::Principal& caller);
  // POST …/jit/email-domains {emailDomain: 1–128} → 201 the row; 422
  // entity.unique_integrity_violation when the org has it; 422
  // entity.relation_foreign_key_not_found for an unknown org.
  Result<http::Response> AddEmailDomain(const http::Request& request,
                                        const auth::Principal& caller);
  // PUT …/jit/email-domains {emailDomains} → 204. Empty items → 400; items over 128 characters →
  // 422 entity.value_too_long; a domain listed twice → 422 entity.unique_integrity_violation;
  // unknown org → 422 entity.relation_foreign_key_not_found unless the list is empty.
  Result<http::Response> ReplaceEmailDomains(const http::Request& request,
                                             const auth::Principal& caller);
  // DELETE …/jit/email-domains/{emailDomain} → 204; 404 entity.not_found when absent (exact,
  // case-sensitive match).
  Result<http::Response> RemoveEmailDomain(const http::Request& request,
                                           const auth::Principal& caller);

  // GET …/jit/roles (optional paging) → 200 role[], insertion order; 404
  // entity.not_exists_with_id for an unknown org.
  Result<http::Response> ListRoles(const http::Request& request, const auth::Principal& caller);
  // POST …/jit/roles {organizationRoleIds: non-empty} → 201, no body; 422
  // entity.relation_foreign_key_not_found for an unknown role or org. No role-type check.
  Result<http::Response> AddRoles(const http::Request& request, const auth::Principal& caller);
  // PUT …/jit/roles {organizationRoleIds} → 204; foreign keys as POST; a role listed twice → 422
  // entity.unique_integrity_violation.
  Result<http::Response> ReplaceRoles(const http::Request& request, const auth::Principal& caller);
  // DELETE …/jit/roles/{organizationRoleId} → 204; 404 entity.not_found when absent.
  Result<http::Response> RemoveRole(const http::Request& request, const auth::Principal& caller);

 private:
  domain::OrganizationService& organizations_;
  domain::MembershipService& memberships_;
};

// Registers the routes above (scope "all").
void AddJitRoutes(RouteTable& routes, domain::OrganizationService& organizations,
                  domain::MembershipService& memberships);

}  // namespace orgd::api::logto
