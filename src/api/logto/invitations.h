#pragma once

#include "api/handler.h"
#include "api/route_table.h"
#include "domain/invitation_service.h"

// Logto dialect: organization invitations /api/organization-invitations (contracts/logto.md §3.8,
// shape §2.7). The same rows as the Kinde organization invites.
namespace orgd::api::logto {

class InvitationsHandler {
 public:
  explicit InvitationsHandler(domain::InvitationService& invitations);

  // GET /api/organization-invitations?organizationId&inviterId&invitee → 200 Invitation[],
  // newest first, not paginated.
  Result<http::Response> List(const http::Request& request, const auth::Principal& caller);
  // POST /api/organization-invitations → 201 Invitation (Pending). 400 guard.invalid_input (bad
  // email ...), 400 request.invalid_input (expiresAt in the past), 422 request.invalid_input
  // (invitee already a member), U422 (pending invitation exists), FK422 (org, role, inviter),
  // 501 connector.not_found (messagePayload given: orgd has no email transport).
  Result<http::Response> Create(const http::Request& request, const auth::Principal& caller);
  // GET /api/organization-invitations/{id} → 200; 404 entity.not_found.
  Result<http::Response> Get(const http::Request& request, const auth::Principal& caller);
  // DELETE /api/organization-invitations/{id} → 204; 404 entity.not_found.
  Result<http::Response> Delete(const http::Request& request, const auth::Principal& caller);
  // PUT /api/organization-invitations/{id}/status {status, acceptedUserId?} → 200 Invitation;
  // accepting adds the membership and roles. 422 request.invalid_input, 404 entity.not_found.
  Result<http::Response> SetStatus(const http::Request& request, const auth::Principal& caller);
  // POST /api/organization-invitations/{id}/message → 404 entity.not_found for an unknown
  // invitation, else 501 connector.not_found.
  Result<http::Response> SendMessage(const http::Request& request, const auth::Principal& caller);

 private:
  domain::InvitationService& invitations_;
};

// Registers the routes above (scope "all").
void AddInvitationRoutes(RouteTable& routes, domain::InvitationService& invitations);

}  // namespace orgd::api::logto
