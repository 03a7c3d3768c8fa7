#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "domain/model/invitation.h"

namespace orgd::store {

// Organization invitations of both dialects and their roles. Part of Store (store.h). Rows are
// keyed (org_id, id); ids are also unique on their own, because the Logto dialect addresses an
// invitation by id alone (GetInvitation, UpdateInvitationStatus and DeleteInvitation take no
// organization; everything else is scoped by it). Every invitation read returns its roles (key
// order). The store checks no policy: the domain does, inside InTransaction.
class InvitationStore {
 public:
  virtual ~InvitationStore() = default;

  // Inserts the invitation and its role rows (`roles` ids only). kAlreadyExists (subject
  // "invitation", reason "id"); kFailedPrecondition (reason "foreign_key") for an unknown org,
  // inviter or role.
  virtual Result<void> InsertInvitation(const domain::Invitation& invitation) = 0;
  // kNotFound (subject "invite") when absent.
  virtual Result<domain::Invitation> GetInvitation(const InvitationId& id) = 0;
  // As GetInvitation, within `org` only.
  virtual Result<domain::Invitation> GetOrganizationInvitation(const OrgId& org,
                                                               const InvitationId& id) = 0;
  // Sets status, accepted user and time, and updated_at. kNotFound when absent.
  virtual Result<void> UpdateInvitationStatus(const InvitationId& id,
                                              domain::InvitationStatus status,
                                              const std::optional<UserId>& accepted_user,
                                              std::optional<int64_t> accepted_at,
                                              int64_t now_ms) = 0;
  // Deletes the invitation with its roles. kNotFound when absent.
  virtual Result<void> DeleteInvitation(const InvitationId& id) = 0;
  // Logto list: every invitation matching the filter, created_at descending.
  virtual Result<std::vector<domain::Invitation>> ListInvitations(
      const domain::InvitationFilter& filter) = 0;
  // Kinde list of one organization. kInvalidArgument (subject "after") for a cursor whose
  // sort_key does not suit the sort; subject "limit" / "offset" for negative values.
  virtual Result<domain::InvitationPage> ListOrganizationInvitations(
      const OrgId& org, const domain::InvitationPageQuery& query) = 0;

  // Marks `org`'s pending invitations of `invitee_lower` whose expiry is at or before `now_ms` as
  // kExpired; returns how many changed.
  virtual Result<int64_t> ExpirePendingInvitations(const OrgId& org,
                                                   const std::string& invitee_lower,
                                                   int64_t now_ms) = 0;
  // True when `org` has a kPending invitation of `invitee_lower` (any expiry).
  virtual Result<bool> HasPendingInvitation(const OrgId& org, const std::string& invitee_lower) = 0;
  // True when a member of `org` has the primary email `email_lower` (case-insensitive).
  virtual Result<bool> HasMemberWithEmail(const OrgId& org, const std::string& email_lower) = 0;
};

}  // namespace orgd::store
