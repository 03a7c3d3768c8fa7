#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "domain/model/page.h"
#include "domain/model/role.h"

namespace orgd {

using InvitationId = Id<struct InvitationIdTag>;

}  // namespace orgd

namespace orgd::domain {

// The stored state of an invitation. kPending past its expiry reads as kExpired (EffectiveStatus).
enum class InvitationStatus { kPending, kAccepted, kExpired, kRevoked };

// "Pending", "Accepted", "Expired", "Revoked": the stored text and the Logto wire value.
inline std::string_view InvitationStatusName(InvitationStatus status) {
  switch (status) {
    case InvitationStatus::kAccepted:
      return "Accepted";
    case InvitationStatus::kExpired:
      return "Expired";
    case InvitationStatus::kRevoked:
      return "Revoked";
    case InvitationStatus::kPending:
      break;
  }
  return "Pending";
}
inline std::optional<InvitationStatus> ParseInvitationStatus(std::string_view name) {
  if (name == "Pending") return InvitationStatus::kPending;
  if (name == "Accepted") return InvitationStatus::kAccepted;
  if (name == "Expired") return InvitationStatus::kExpired;
  if (name == "Revoked") return InvitationStatus::kRevoked;
  return std::nullopt;
}

// An invitation to join an organization: one row for both dialects (the Logto organization
// invitation and the Kinde organization invite, whose `code` is the id). `invitee` is the email
// as given; it matches members and users case-insensitively.
struct Invitation {
  InvitationId id;
  OrgId org_id;
  std::string invitee;
  std::optional<std::string> first_name;  // Kinde
  std::optional<std::string> last_name;   // Kinde
  std::optional<UserId> inviter_id;       // Logto; null once the inviter is deleted
  std::optional<UserId> accepted_user_id;
  InvitationStatus status = InvitationStatus::kPending;  // as stored
  int64_t expires_at = 0;                                // epoch ms
  std::optional<int64_t> accepted_at;                    // epoch ms, when accepted
  bool send_email = false;                               // Kinde: asked for; recorded only
  bool is_sent = false;        // an email went out (never, without a transport)
  std::vector<RoleRef> roles;  // key order
  int64_t created_at = 0;      // epoch ms
  int64_t updated_at = 0;      // epoch ms

  // The status as read at `now_ms`: a pending invitation past expires_at is kExpired.
  InvitationStatus EffectiveStatus(int64_t now_ms) const {
    if (status == InvitationStatus::kPending && expires_at <= now_ms) {
      return InvitationStatus::kExpired;
    }
    return status;
  }
};

// The Logto list: every invitation matching all given filters, created_at descending (ties by id
// descending). `invitee` compares case-insensitively.
struct InvitationFilter {
  std::optional<OrgId> org_id;
  std::optional<UserId> inviter_id;
  std::optional<std::string> invitee;
};

// The Kinde list orders. Name = "first last" (case-insensitive); email case-insensitive. Ties by
// id in the direction of the sort.
enum class InvitationSort { kCreatedDesc, kCreatedAsc, kEmailAsc, kEmailDesc, kNameAsc, kNameDesc };

// The Kinde list of one organization: by default only invitations neither revoked nor accepted.
// Keyset paging: `page.after` holds the last row's sort key (decimal created_at for the created
// orders, the lower-cased email or name otherwise) and id.
struct InvitationPageQuery {
  InvitationSort sort = InvitationSort::kCreatedDesc;
  bool include_revoked = false;
  bool include_accepted = false;
  PageRequest page;
};

using InvitationPage = Page<Invitation>;

}  // namespace orgd::domain
