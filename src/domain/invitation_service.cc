#include "domain/invitation_service.h"

#include <algorithm>
#include <string>
#include <unordered_set>
#include <utility>

#include "common/text.h"

namespace orgd::domain {
namespace {

using store::Store;
using store::TxMode;

Error MissingRef(std::string subject, const std::string& id) {
  return Error::NotFound(std::move(subject), "unknown " + id).WithReason("foreign_key");
}

Error NoEmailTransport() {
  return Error::FailedPrecondition("email_transport", "no email transport is configured");
}

// The roles named by id and by key, each checked, de-duplicated (ids first).
Result<std::vector<RoleRef>> ResolveRoles(Store& tx, const CreateInvitationInput& input) {
  std::vector<RoleRef> out;
  std::unordered_set<RoleId> seen;
  if (!input.role_ids.empty()) {
    auto found = tx.GetRoles(input.role_ids);
    if (!found) return std::move(found).error();
    for (const RoleId& id : input.role_ids) {
      auto it =
          std::find_if(found->begin(), found->end(), [&](const Role& r) { return r.id == id; });
      if (it == found->end()) return MissingRef("role", id.value());
      if (seen.insert(id).second) out.push_back(RoleRef{it->id, it->key, it->name});
    }
  }
  if (!input.role_keys.empty()) {
    auto found = tx.GetRolesByKey(input.role_keys);
    if (!found) return std::move(found).error();
    for (const std::string& key : input.role_keys) {
      auto it =
          std::find_if(found->begin(), found->end(), [&](const Role& r) { return r.key == key; });
      if (it == found->end()) return MissingRef("role", key);
      if (seen.insert(it->id).second) out.push_back(RoleRef{it->id, it->key, it->name});
    }
  }
  std::sort(out.begin(), out.end(), [](const RoleRef& a, const RoleRef& b) {
    return a.key != b.key ? a.key < b.key : a.id < b.id;
  });
  return out;
}

}  // namespace

InvitationService::InvitationService(store::Store& store, const Clock& clock, IdGenerator& ids)
    : store_(store), clock_(clock), ids_(ids) {}

Result<Invitation> InvitationService::Create(const CreateInvitationInput& input, IdStyle style) {
  const int64_t now = clock_.NowMillis();
  Invitation inv;
  inv.id = InvitationId(ids_.Next(IdKind::kInvitation, style));
  inv.org_id = input.org_id;
  inv.invitee = input.invitee;
  inv.first_name = input.first_name;
  inv.last_name = input.last_name;
  inv.inviter_id = input.inviter_id;
  inv.expires_at = input.expires_at.value_or(now + kDefaultInvitationValidityMs);
  inv.send_email = input.send_email;
  inv.created_at = now;
  inv.updated_at = now;
  const std::string invitee_lower = AsciiLower(input.invitee);
  if (inv.expires_at <= now) {
    return Error::InvalidArgument("The value of `expiresAt` must be in the future.", "expires_at")
        .WithReason("in_past");
  }
  ORGD_TRY(store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    if (auto locked = tx.LockOrganization(input.org_id); !locked) {
      Error e = std::move(locked).error();
      if (e.code == ErrorCode::kNotFound) return std::move(e).WithReason("foreign_key");
      return e;
    }
    auto is_member = tx.HasMemberWithEmail(input.org_id, invitee_lower);
    if (!is_member) return std::move(is_member).error();
    if (*is_member) {
      return Error::FailedPrecondition("user_already_in_organization",
                                       "User is already a member of the organization");
    }
    if (input.inviter_id) {
      auto inviter = tx.GetUser(*input.inviter_id);
      if (!inviter) {
        if (inviter.error().code == ErrorCode::kNotFound) {
          return MissingRef("user", input.inviter_id->value());
        }
        return std::move(inviter).error();
      }
    }
    auto roles = ResolveRoles(tx, input);
    if (!roles) return std::move(roles).error();
    inv.roles = std::move(*roles);
    ORGD_TRY(tx.ExpirePendingInvitations(input.org_id, invitee_lower, now));
    auto pending = tx.HasPendingInvitation(input.org_id, invitee_lower);
    if (!pending) return std::move(pending).error();
    if (*pending) {
      return Error::AlreadyExists("invitation", "invite",
                                  "a pending invitation of this invitee exists");
    }
    ORGD_TRY(tx.InsertInvitation(inv));
    // Without a transport the email cannot go out; failing here rolls the invitation back, as
    // the Logto contract asks.
    if (input.require_delivery) return NoEmailTransport();
    return {};
  }));
  return inv;
}

Result<Invitation> InvitationService::Get(const InvitationId& id) {
  auto inv = store_.GetInvitation(id);
  if (!inv) return inv;
  inv->status = inv->EffectiveStatus(clock_.NowMillis());
  return inv;
}

Result<Invitation> InvitationService::GetInOrganization(const OrgId& org, const InvitationId& id) {
  Invitation found;
  ORGD_TRY(store_.InTransaction(TxMode::kRead, [&](Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetOrganization(org));
    auto inv = tx.GetOrganizationInvitation(org, id);
    if (!inv) return std::move(inv).error();
    found = std::move(*inv);
    return {};
  }));
  found.status = found.EffectiveStatus(clock_.NowMillis());
  return found;
}

Result<std::vector<Invitation>> InvitationService::List(const InvitationFilter& filter) {
  auto listed = store_.ListInvitations(filter);
  if (!listed) return listed;
  const int64_t now = clock_.NowMillis();
  for (Invitation& inv : *listed) inv.status = inv.EffectiveStatus(now);
  return listed;
}

Result<InvitationPage> InvitationService::ListForOrganization(const OrgId& org,
                                                              const InvitationPageQuery& query) {
  InvitationPage page;
  ORGD_TRY(store_.InTransaction(TxMode::kRead, [&](Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetOrganization(org));
    auto listed = tx.ListOrganizationInvitations(org, query);
    if (!listed) return std::move(listed).error();
    page = std::move(*listed);
    return {};
  }));
  const int64_t now = clock_.NowMillis();
  for (Invitation& inv : page.items) inv.status = inv.EffectiveStatus(now);
  return page;
}

Result<void> InvitationService::Delete(const InvitationId& id) {
  return store_.DeleteInvitation(id);
}

Result<Invitation> InvitationService::Revoke(const OrgId& org, const InvitationId& id) {
  Invitation result;
  const int64_t now = clock_.NowMillis();
  ORGD_TRY(store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(tx.LockOrganization(org));
    auto inv = tx.GetOrganizationInvitation(org, id);
    if (!inv) return std::move(inv).error();
    result = std::move(*inv);
    if (result.status == InvitationStatus::kAccepted) {
      return Error::FailedPrecondition("invite_already_accepted",
                                       "Invitation has already been accepted");
    }
    if (result.status == InvitationStatus::kRevoked) return {};
    result.status = InvitationStatus::kRevoked;
    result.updated_at = now;
    return tx.UpdateInvitationStatus(id, InvitationStatus::kRevoked, std::nullopt, std::nullopt,
                                     now);
  }));
  return result;
}

Result<Invitation> InvitationService::SetStatus(const InvitationId& id, InvitationStatus status,
                                                const std::optional<UserId>& accepted_user) {
  if (status != InvitationStatus::kAccepted && status != InvitationStatus::kRevoked) {
    return Error::InvalidArgument("status must be Accepted or Revoked", "status");
  }
  Invitation result;
  const int64_t now = clock_.NowMillis();
  ORGD_TRY(store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    auto inv = tx.GetInvitation(id);
    if (!inv) return std::move(inv).error();
    result = std::move(*inv);
    ORGD_TRY(tx.LockOrganization(result.org_id));
    const InvitationStatus current = result.EffectiveStatus(now);
    if (current != InvitationStatus::kPending) {
      return Error::FailedPrecondition(
          "invalid_status",
          "The invitation is already " + AsciiLower(InvitationStatusName(current)) + ".");
    }
    if (status == InvitationStatus::kRevoked) {
      result.status = status;
      result.updated_at = now;
      return tx.UpdateInvitationStatus(id, status, std::nullopt, std::nullopt, now);
    }
    if (!accepted_user) {
      return Error::FailedPrecondition("accepted_user_required",
                                       "The `acceptedUserId` is required when accepting.");
    }
    auto user = tx.GetUser(*accepted_user);
    if (!user) return std::move(user).error();
    if (!user->primary_email || AsciiLower(*user->primary_email) != AsciiLower(result.invitee)) {
      return Error::FailedPrecondition("invitee_mismatch",
                                       "The accepting user's email does not match the invitee.");
    }
    ORGD_TRY(tx.AddMembers(result.org_id, {*accepted_user}, now));
    std::vector<RoleId> role_ids;
    for (const RoleRef& role : result.roles) role_ids.push_back(role.id);
    ORGD_TRY(tx.AddMemberRoles(result.org_id, *accepted_user, role_ids, now));
    result.status = status;
    result.accepted_user_id = accepted_user;
    result.accepted_at = now;
    result.updated_at = now;
    return tx.UpdateInvitationStatus(id, status, accepted_user, now, now);
  }));
  return result;
}

Result<void> InvitationService::SendMessage(const InvitationId& id) {
  ORGD_TRY(store_.GetInvitation(id));
  return NoEmailTransport();
}

}  // namespace orgd::domain
