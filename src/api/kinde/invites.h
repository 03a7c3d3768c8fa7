#pragma once

#include <string>

#include "api/handler.h"
#include "api/route_table.h"
#include "domain/invitation_service.h"

// Kinde dialect: organization invites /api/v1/organization/{org_code}/invites (contracts/kinde.md
// §3.2, object `organization_invite` §2.2). The same rows as the Logto organization invitations;
// an invite's `code` is its id.
namespace orgd::api::kinde {

class InvitesHandler {
 public:
  // `public_url` is the base of each invite's `invite_link`.
  InvitesHandler(domain::InvitationService& invitations, std::string public_url);

  // GET …/invites?sort&page_size&next_token&include_revoked&include_accepted → 200 {invites,
  // next_token}; by default pending invites only. 400 ORGANIZATION_NOT_FOUND, INVALID_SORT, ...
  Result<http::Response> List(const http::Request& request, const auth::Principal& caller);
  // POST …/invites → 201 {"code":"INVITATION_CREATED",…,"invite":{…}}. 400 EMAIL_REQUIRED,
  // ROLES_REQUIRED, EMAIL_TOO_LONG, FIRST_NAME_TOO_LONG, LAST_NAME_TOO_LONG, INVALID_EMAIL,
  // ROLE_NOT_FOUND, ORGANIZATION_NOT_FOUND, USER_ALREADY_IN_ORGANIZATION, INVITE_EXISTS.
  Result<http::Response> Create(const http::Request& request, const auth::Principal& caller);
  // GET …/invites/{invite_code} → 200 [quirk] the invite's fields at top level + message;
  // 404 object INVITE_NOT_FOUND / ORGANIZATION_NOT_FOUND.
  Result<http::Response> Get(const http::Request& request, const auth::Principal& caller);
  // DELETE …/invites/{invite_code} → 200, the invite is revoked; 404 object INVITE_NOT_FOUND;
  // 400 INVITE_ALREADY_ACCEPTED.
  Result<http::Response> Revoke(const http::Request& request, const auth::Principal& caller);

 private:
  domain::InvitationService& invitations_;
  std::string public_url_;
};

// Registers the routes above with their scopes (contracts/kinde.md §5).
void AddInviteRoutes(RouteTable& routes, domain::InvitationService& invitations,
                     const std::string& public_url);

}  // namespace orgd::api::kinde
