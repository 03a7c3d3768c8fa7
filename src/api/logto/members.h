#pragma once

#include "api/handler.h"
#include "api/route_table.h"
#include "api/page_render_memo.h"
#include "domain/membership_service.h"

// Logto dialect: organization members /api/organizations/{id}/users and their roles and scopes
// (contracts/logto.md §3.2, §3.3, shapes §2.2, §2.3, §2.5, relation rules §1.6 and §4).
namespace orgd::api::logto {

// Relation errors of these routes: an unknown org, user or role in a write → 422
// entity.relation_foreign_key_not_found; a `MachineToMachine` role → 422
// entity.db_constraint_violated; on every `/users/{userId}/roles` route a non-member, unknown
// org or unknown user → 422 organization.require_membership, checked before the body.
class MembersHandler {
 public:
  explicit MembersHandler(domain::MembershipService& memberships);

  // GET …/users?q&organizationRoleId&page&page_size → 200 Member[] by user id + paging headers.
  // No organization check: an unknown org lists nothing.
  Result<http::Response> List(const http::Request& request, const auth::Principal& caller);
  // POST …/users {userIds: non-empty} → 201 echoing the raw userIds (duplicates included).
  Result<http::Response> Add(const http::Request& request, const auth::Principal& caller);
  // PUT …/users {userIds} → 204; delta replace (staying members keep their roles).
  Result<http::Response> Replace(const http::Request& request, const auth::Principal& caller);
  // DELETE …/users/{userId} → 204; 404 entity.not_found when not a member.
  Result<http::Response> Remove(const http::Request& request, const auth::Principal& caller);
  // POST …/users/roles {userIds, organizationRoleIds} (both non-empty) → 201, no body.
  Result<http::Response> AssignRolesToUsers(const http::Request& request,
                                            const auth::Principal& caller);
  // GET …/users/{userId}/roles (optional paging) → 200 role[] by name.
  Result<http::Response> ListRoles(const http::Request& request, const auth::Principal& caller);
  // POST …/users/{userId}/roles {organizationRoleIds?, organizationRoleNames?} → 201
  // {organizationRoleIds: resolved ids}; 422 organization.role_names_not_found lists every
  // unknown name.
  Result<http::Response> AssignRoles(const http::Request& request, const auth::Principal& caller);
  // PUT …/users/{userId}/roles (body as POST) → 204; the role set becomes exactly the resolved set.
  Result<http::Response> ReplaceRoles(const http::Request& request,
                                      const auth::Principal& caller);
  // DELETE …/users/{userId}/roles/{organizationRoleId} → 204; 404 entity.not_found when not held.
  Result<http::Response> RemoveRole(const http::Request& request, const auth::Principal& caller);
  // GET …/users/{userId}/scopes → 200 OrganizationScope[]: the scopes of the user's roles there.
  // No membership check: a non-member gets [].
  Result<http::Response> ListScopes(const http::Request& request, const auth::Principal& caller);

 private:
  // The resolved role ids of a POST/PUT …/users/{userId}/roles body, after the membership check.
  Result<std::vector<RoleId>> ResolveRoleBody(const http::Request& request);

  domain::MembershipService& memberships_;
  PageRenderMemo list_json_;  // the list pages' JSON
};

// Registers the routes above (scope "all").
void AddMemberRoutes(RouteTable& routes, domain::MembershipService& memberships);

}  // namespace orgd::api::logto
