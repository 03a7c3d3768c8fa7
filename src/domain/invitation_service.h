#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/id_generator.h"
#include "common/result.h"
#include "domain/model/invitation.h"
#include "store/store.h"

namespace orgd::domain {

// How long an invitation without an explicit expiry stays valid (Kinde invites; the Kinde API has
// no expiry field).
inline constexpr int64_t kDefaultInvitationValidityMs = 7LL * 24 * 60 * 60 * 1000;

// Creation input of both dialects. Roles by id (Logto) and/or by key (Kinde).
struct CreateInvitationInput {
  OrgId org_id;
  std::string invitee;  // an email address, format checked by the dialect
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  std::optional<UserId> inviter_id;
  std::vector<RoleId> role_ids;
  std::vector<std::string> role_keys;
  // Logto: required by the dialect and must be in the future; absent: now +
  // kDefaultInvitationValidityMs.
  std::optional<int64_t> expires_at;
  bool send_email = false;        // Kinde `send_email`: recorded; no email goes out
  bool require_delivery = false;  // Logto `messagePayload`: the email must go out
};

// Organization invitations of both dialects: one row per invitation (Logto organization
// invitation, Kinde organization invite). Every invitation this service returns carries its
// effective status (a pending invitation past its expiry reads kExpired). orgd has no email
// transport, so no invitation email is ever sent. Each write is one transaction. Thread-safe.
//
// Error vocabulary (the dialects map (code, subject, reason)):
// * kNotFound, subject "invite": the invitation does not exist (in that organization).
// * kNotFound, subject "organization" / "role" / "user", reason "foreign_key": an id or role key
//   named in a create does not exist (Logto FK422; Kinde <ENTITY>_NOT_FOUND). Plain kNotFound
//   (subject "organization") for the path organization of the Kinde reads.
// * kInvalidArgument, subject "expires_at", reason "in_past".
// * kFailedPrecondition, reason "user_already_in_organization": a member has the invitee's email.
// * kAlreadyExists, subject "invitation", reason "invite": a pending invitation of the same
//   invitee (case-insensitive) exists in the organization.
// * kFailedPrecondition, reason "email_transport": an email was required and orgd has no
//   transport (Logto 501 connector.not_found); the invitation is not created.
// * kFailedPrecondition, reason "invite_already_accepted" (revoke), "invalid_status" (a status
//   change of an invitation that is not pending), "accepted_user_required",
//   "invitee_mismatch" (the accepting user's primary email is not the invitee).
class InvitationService {
 public:
  InvitationService(store::Store& store, const Clock& clock, IdGenerator& ids);

  // Creates a pending invitation with a new id in `style`'s format (Kinde: `inv_` + 12 hex, which
  // is also its code). Checks, in order: expiry, organization, member email, inviter, roles, a
  // pending invitation (expired ones are first marked expired), delivery.
  Result<Invitation> Create(const CreateInvitationInput& input, IdStyle style);
  // kNotFound (subject "invite").
  Result<Invitation> Get(const InvitationId& id);
  // kNotFound (subject "organization"), then kNotFound (subject "invite").
  Result<Invitation> GetInOrganization(const OrgId& org, const InvitationId& id);
  // The Logto list: every invitation matching the filter, newest first.
  Result<std::vector<Invitation>> List(const InvitationFilter& filter);
  // The Kinde list of one organization. kNotFound (subject "organization").
  Result<InvitationPage> ListForOrganization(const OrgId& org, const InvitationPageQuery& query);
  // Deletes the invitation. kNotFound (subject "invite").
  Result<void> Delete(const InvitationId& id);
  // Kinde delete: marks the invitation revoked (already revoked: no change).
  // kNotFound ("organization", then "invite"); kFailedPrecondition "invite_already_accepted".
  Result<Invitation> Revoke(const OrgId& org, const InvitationId& id);
  // Logto status change to kAccepted or kRevoked (others: kInvalidArgument, subject "status").
  // Only a pending invitation may change ("invalid_status"). Accepting needs `accepted_user`
  // ("accepted_user_required"), an existing user (kNotFound "user") whose primary email is the
  // invitee, case-insensitively ("invitee_mismatch"); it makes the user a member of the
  // organization with the invitation's roles in the same transaction.
  Result<Invitation> SetStatus(const InvitationId& id, InvitationStatus status,
                               const std::optional<UserId>& accepted_user);
  // Sends the invitation email again: kNotFound (subject "invite") for an unknown invitation,
  // else kFailedPrecondition "email_transport".
  Result<void> SendMessage(const InvitationId& id);

 private:
  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
};

}  // namespace orgd::domain
