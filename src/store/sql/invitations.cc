// SqlStore: organization invitations of both dialects and their roles (invitation_store.h),
// tables of migrations/*/0005_connections_invitations.sql.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/result.h"
#include "domain/model/invitation.h"
#include "store/db.h"
#include "store/sql/sql_common.h"
#include "store/sql/sql_store.h"

namespace orgd::store::sql {
namespace {

using domain::Invitation;
using domain::InvitationSort;
using domain::InvitationStatus;
using internal::kJoin;

Error MapInvitationUnique(Error error) {
  return internal::MapUnique(std::move(error), "invitation", {});
}

constexpr std::string_view kInvitationColumns =
    "i.id, i.org_id, i.invitee, i.first_name, i.last_name, i.inviter_id, i.accepted_user_id, "
    "i.status, i.expires_at, i.accepted_at, i.send_email, i.is_sent, i.created_at, i.updated_at";

Invitation ReadInvitation(const Row& row) {
  Invitation inv;
  inv.id = InvitationId(row.GetText(0));
  inv.org_id = OrgId(row.GetText(1));
  inv.invitee = row.GetString(2);
  inv.first_name = row.GetOptString(3);
  inv.last_name = row.GetOptString(4);
  if (!row.IsNull(5)) inv.inviter_id = UserId(row.GetText(5));
  if (!row.IsNull(6)) inv.accepted_user_id = UserId(row.GetText(6));
  inv.status = domain::ParseInvitationStatus(row.GetText(7)).value_or(InvitationStatus::kPending);
  inv.expires_at = row.GetInt(8);
  inv.accepted_at = row.GetOptInt(9);
  inv.send_email = row.GetBool(10);
  inv.is_sent = row.GetBool(11);
  inv.created_at = row.GetInt(12);
  inv.updated_at = row.GetInt(13);
  return inv;
}

// "first last", the one that is set alone, "" when neither: the Kinde full name, lower-cased as
// the name sort key.
std::string NameSortKey(const Invitation& inv) {
  std::string name = inv.first_name.value_or("");
  if (inv.last_name) {
    if (!name.empty()) name += ' ';
    name += *inv.last_name;
  }
  return internal::AsciiLower(name);
}

constexpr std::string_view kInsertInvitation =
    "INSERT INTO organization_invitations (org_id, id, invitee, invitee_lower, first_name, "
    "last_name, name_sort, inviter_id, accepted_user_id, status, expires_at, accepted_at, "
    "send_email, is_sent, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
constexpr std::string_view kInsertInvitationRole =
    "INSERT INTO organization_invitation_roles (org_id, invitation_id, role_id) "
    "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";

constexpr std::string_view kSelect = "SELECT ";
constexpr std::string_view kFromInvitations = " FROM organization_invitations i ";
constexpr std::string_view kByIdWhere = "WHERE i.id = $1";
constexpr std::string_view kByOrgIdWhere = "WHERE i.org_id = $1 AND i.id = $2";
constexpr std::string_view kGetInvitation =
    kJoin<kSelect, kInvitationColumns, kFromInvitations, kByIdWhere>;
constexpr std::string_view kGetOrgInvitation =
    kJoin<kSelect, kInvitationColumns, kFromInvitations, kByOrgIdWhere>;

// $1 org or NULL, $2 inviter or NULL, $3 lower-cased invitee or NULL.
constexpr std::string_view kFilterWhere =
    "WHERE (CAST($1 AS TEXT) IS NULL OR i.org_id = CAST($1 AS TEXT)) "
    "AND (CAST($2 AS TEXT) IS NULL OR i.inviter_id = CAST($2 AS TEXT)) "
    "AND (CAST($3 AS TEXT) IS NULL OR i.invitee_lower = CAST($3 AS TEXT)) "
    "ORDER BY i.created_at DESC, i.id DESC";
constexpr std::string_view kListInvitations =
    kJoin<kSelect, kInvitationColumns, kFromInvitations, kFilterWhere>;

// The roles of the invitations a list returned: one statement with the list's own filter, so
// that a list costs two round trips whatever its length. Rows of one invitation are adjacent.
constexpr std::string_view kRolesHead =
    "SELECT ir.invitation_id, r.id, r.key, r.name FROM organization_invitation_roles ir "
    "JOIN roles r ON r.id = ir.role_id ";
constexpr std::string_view kRolesOfOne =
    "WHERE ir.org_id = $1 AND ir.invitation_id = $2 ORDER BY r.key, r.id";
constexpr std::string_view kRolesOfFilter =
    "JOIN organization_invitations i ON i.org_id = ir.org_id AND i.id = ir.invitation_id "
    "WHERE (CAST($1 AS TEXT) IS NULL OR i.org_id = CAST($1 AS TEXT)) "
    "AND (CAST($2 AS TEXT) IS NULL OR i.inviter_id = CAST($2 AS TEXT)) "
    "AND (CAST($3 AS TEXT) IS NULL OR i.invitee_lower = CAST($3 AS TEXT)) "
    "ORDER BY ir.invitation_id, r.key, r.id";
constexpr std::string_view kRolesOfOrg =
    "WHERE ir.org_id = $1 ORDER BY ir.invitation_id, r.key, r.id";
constexpr std::string_view kInvitationRoles = kJoin<kRolesHead, kRolesOfOne>;
constexpr std::string_view kFilterRoles = kJoin<kRolesHead, kRolesOfFilter>;
constexpr std::string_view kOrgRoles = kJoin<kRolesHead, kRolesOfOrg>;

// The Kinde list of one organization. $1 org, $2 include revoked (0/1), $3 include accepted
// (0/1), $4 limit, $5 offset, $6 cursor sort key or NULL, $7 cursor id.
constexpr std::string_view kOrgFilter =
    "WHERE i.org_id = $1 AND ($2 = 1 OR i.status <> 'Revoked') "
    "AND ($3 = 1 OR i.status <> 'Accepted') ";
constexpr std::string_view kCreatedAsc =
    "AND (CAST($6 AS BIGINT) IS NULL OR i.created_at > CAST($6 AS BIGINT) OR "
    "(i.created_at = CAST($6 AS BIGINT) AND i.id > CAST($7 AS TEXT))) "
    "ORDER BY i.created_at, i.id LIMIT $4 OFFSET $5";
constexpr std::string_view kCreatedDesc =
    "AND (CAST($6 AS BIGINT) IS NULL OR i.created_at < CAST($6 AS BIGINT) OR "
    "(i.created_at = CAST($6 AS BIGINT) AND i.id < CAST($7 AS TEXT))) "
    "ORDER BY i.created_at DESC, i.id DESC LIMIT $4 OFFSET $5";
constexpr std::string_view kEmailAsc =
    "AND (CAST($6 AS TEXT) IS NULL OR i.invitee_lower > CAST($6 AS TEXT) OR "
    "(i.invitee_lower = CAST($6 AS TEXT) AND i.id > CAST($7 AS TEXT))) "
    "ORDER BY i.invitee_lower, i.id LIMIT $4 OFFSET $5";
constexpr std::string_view kEmailDesc =
    "AND (CAST($6 AS TEXT) IS NULL OR i.invitee_lower < CAST($6 AS TEXT) OR "
    "(i.invitee_lower = CAST($6 AS TEXT) AND i.id < CAST($7 AS TEXT))) "
    "ORDER BY i.invitee_lower DESC, i.id DESC LIMIT $4 OFFSET $5";
constexpr std::string_view kNameAsc =
    "AND (CAST($6 AS TEXT) IS NULL OR i.name_sort > CAST($6 AS TEXT) OR "
    "(i.name_sort = CAST($6 AS TEXT) AND i.id > CAST($7 AS TEXT))) "
    "ORDER BY i.name_sort, i.id LIMIT $4 OFFSET $5";
constexpr std::string_view kNameDesc =
    "AND (CAST($6 AS TEXT) IS NULL OR i.name_sort < CAST($6 AS TEXT) OR "
    "(i.name_sort = CAST($6 AS TEXT) AND i.id < CAST($7 AS TEXT))) "
    "ORDER BY i.name_sort DESC, i.id DESC LIMIT $4 OFFSET $5";
constexpr std::string_view kListCreatedAsc =
    kJoin<kSelect, kInvitationColumns, kFromInvitations, kOrgFilter, kCreatedAsc>;
constexpr std::string_view kListCreatedDesc =
    kJoin<kSelect, kInvitationColumns, kFromInvitations, kOrgFilter, kCreatedDesc>;
constexpr std::string_view kListEmailAsc =
    kJoin<kSelect, kInvitationColumns, kFromInvitations, kOrgFilter, kEmailAsc>;
constexpr std::string_view kListEmailDesc =
    kJoin<kSelect, kInvitationColumns, kFromInvitations, kOrgFilter, kEmailDesc>;
constexpr std::string_view kListNameAsc =
    kJoin<kSelect, kInvitationColumns, kFromInvitations, kOrgFilter, kNameAsc>;
constexpr std::string_view kListNameDesc =
    kJoin<kSelect, kInvitationColumns, kFromInvitations, kOrgFilter, kNameDesc>;

constexpr std::string_view kUpdateStatus =
    "UPDATE organization_invitations SET status = $2, accepted_user_id = $3, accepted_at = $4, "
    "updated_at = $5 WHERE id = $1";
// Its role rows go with it through ON DELETE CASCADE.
constexpr std::string_view kDeleteInvitation = "DELETE FROM organization_invitations WHERE id = $1";
constexpr std::string_view kExpirePending =
    "UPDATE organization_invitations SET status = 'Expired', updated_at = $3 "
    "WHERE org_id = $1 AND invitee_lower = $2 AND status = 'Pending' AND expires_at <= $3";
constexpr std::string_view kHasPending =
    "SELECT COUNT(*) FROM organization_invitations "
    "WHERE org_id = $1 AND invitee_lower = $2 AND status = 'Pending'";
constexpr std::string_view kHasMemberWithEmail =
    "SELECT COUNT(*) FROM organization_members m JOIN users u ON u.id = m.user_id "
    "WHERE m.org_id = $1 AND u.primary_email_lower = $2";

bool IsCreatedSort(InvitationSort sort) {
  return sort == InvitationSort::kCreatedAsc || sort == InvitationSort::kCreatedDesc;
}

std::string_view ListSql(InvitationSort sort) {
  switch (sort) {
    case InvitationSort::kCreatedAsc:
      return kListCreatedAsc;
    case InvitationSort::kEmailAsc:
      return kListEmailAsc;
    case InvitationSort::kEmailDesc:
      return kListEmailDesc;
    case InvitationSort::kNameAsc:
      return kListNameAsc;
    case InvitationSort::kNameDesc:
      return kListNameDesc;
    case InvitationSort::kCreatedDesc:
      break;
  }
  return kListCreatedDesc;
}

std::string SortKeyOf(const Invitation& inv, InvitationSort sort) {
  switch (sort) {
    case InvitationSort::kEmailAsc:
    case InvitationSort::kEmailDesc:
      return internal::AsciiLower(inv.invitee);
    case InvitationSort::kNameAsc:
    case InvitationSort::kNameDesc:
      return NameSortKey(inv);
    case InvitationSort::kCreatedAsc:
    case InvitationSort::kCreatedDesc:
      break;
  }
  return std::to_string(inv.created_at);
}

// Attaches to `invitations` the roles the statement `sql` returns (invitation id, role id, key,
// name), which must cover them.
Result<void> AttachRoles(Connection& conn, std::string_view sql, std::span<const Param> params,
                         std::vector<Invitation>& invitations) {
  std::map<std::string, std::vector<domain::RoleRef>, std::less<>> roles;
  ORGD_TRY(conn.Query(sql, params, [&](const Row& row) {
    roles[row.GetString(0)].push_back(domain::RoleRef{
        .id = RoleId(row.GetText(1)), .key = row.GetString(2), .name = row.GetString(3)});
  }));
  for (Invitation& inv : invitations) {
    auto it = roles.find(inv.id.value());
    if (it != roles.end()) inv.roles = it->second;
  }
  return {};
}

// The one invitation `sql` selects with `params`, with its roles; kNotFound (subject "invite").
Result<Invitation> GetOne(Connection& conn, std::string_view sql, std::span<const Param> params) {
  std::optional<Invitation> found;
  ORGD_TRY(conn.Query(sql, params, [&](const Row& row) { found = ReadInvitation(row); }));
  if (!found) return Error::NotFound("invite");
  std::vector<Invitation> one = {std::move(*found)};
  const std::array<Param, 2> role_params = {Text(one[0].org_id.value()), Text(one[0].id.value())};
  ORGD_TRY(AttachRoles(conn, kInvitationRoles, role_params, one));
  return std::move(one[0]);
}

}  // namespace

Result<void> SqlStore::InsertInvitation(const Invitation& inv) {
  const std::string invitee_lower = internal::AsciiLower(inv.invitee);
  const std::string name_sort = NameSortKey(inv);
  const std::string status(domain::InvitationStatusName(inv.status));
  const std::optional<std::string> inviter =
      inv.inviter_id ? std::optional<std::string>(inv.inviter_id->value()) : std::nullopt;
  const std::optional<std::string> accepted =
      inv.accepted_user_id ? std::optional<std::string>(inv.accepted_user_id->value())
                           : std::nullopt;
  const std::array<Param, 16> params = {
      Text(inv.org_id.value()), Text(inv.id.value()),
      Text(inv.invitee),        Text(invitee_lower),
      OptText(inv.first_name),  OptText(inv.last_name),
      Text(name_sort),          OptText(inviter),
      OptText(accepted),        Text(status),
      Int(inv.expires_at),      internal::OptInt(inv.accepted_at),
      Bool(inv.send_email),     Bool(inv.is_sent),
      Int(inv.created_at),      Int(inv.updated_at),
  };
  return RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    if (auto r = conn.Exec(kInsertInvitation, params); !r) {
      return MapInvitationUnique(std::move(r).error());
    }
    for (const domain::RoleRef& role : inv.roles) {
      ORGD_TRY(conn.Exec(kInsertInvitationRole,
                         {Text(inv.org_id.value()), Text(inv.id.value()), Text(role.id.value())}));
    }
    return {};
  });
}

Result<Invitation> SqlStore::GetInvitation(const InvitationId& id) {
  std::optional<Invitation> found;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    const std::array<Param, 1> params = {Text(id.value())};
    auto r = GetOne(conn, kGetInvitation, params);
    if (!r) return std::move(r).error();
    found = std::move(*r);
    return {};
  }));
  return std::move(*found);
}

Result<Invitation> SqlStore::GetOrganizationInvitation(const OrgId& org, const InvitationId& id) {
  std::optional<Invitation> found;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    const std::array<Param, 2> params = {Text(org.value()), Text(id.value())};
    auto r = GetOne(conn, kGetOrgInvitation, params);
    if (!r) return std::move(r).error();
    found = std::move(*r);
    return {};
  }));
  return std::move(*found);
}

Result<void> SqlStore::UpdateInvitationStatus(const InvitationId& id, InvitationStatus status,
                                              const std::optional<UserId>& accepted_user,
                                              std::optional<int64_t> accepted_at, int64_t now_ms) {
  const std::string status_name(domain::InvitationStatusName(status));
  const std::optional<std::string> accepted =
      accepted_user ? std::optional<std::string>(accepted_user->value()) : std::nullopt;
  return Run([&](Connection& conn) -> Result<void> {
    auto changed = conn.Exec(kUpdateStatus, {Text(id.value()), Text(status_name), OptText(accepted),
                                             internal::OptInt(accepted_at), Int(now_ms)});
    if (!changed) return std::move(changed).error();
    if (*changed == 0) return Error::NotFound("invite");
    return {};
  });
}

Result<void> SqlStore::DeleteInvitation(const InvitationId& id) {
  return Run([&](Connection& conn) -> Result<void> {
    auto deleted = conn.Exec(kDeleteInvitation, {Text(id.value())});
    if (!deleted) return std::move(deleted).error();
    if (*deleted == 0) return Error::NotFound("invite");
    return {};
  });
}

Result<std::vector<Invitation>> SqlStore::ListInvitations(const domain::InvitationFilter& filter) {
  const std::optional<std::string> org =
      filter.org_id ? std::optional<std::string>(filter.org_id->value()) : std::nullopt;
  const std::optional<std::string> inviter =
      filter.inviter_id ? std::optional<std::string>(filter.inviter_id->value()) : std::nullopt;
  const std::optional<std::string> invitee = internal::OptAsciiLower(filter.invitee);
  const std::array<Param, 3> params = {OptText(org), OptText(inviter), OptText(invitee)};
  std::vector<Invitation> out;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    out.clear();
    ORGD_TRY(conn.Query(kListInvitations, params,
                        [&](const Row& row) { out.push_back(ReadInvitation(row)); }));
    return AttachRoles(conn, kFilterRoles, params, out);
  }));
  return out;
}

Result<domain::InvitationPage> SqlStore::ListOrganizationInvitations(
    const OrgId& org, const domain::InvitationPageQuery& query) {
  ORGD_TRY(internal::CheckPage(query.page));
  std::optional<int64_t> created_key;
  if (query.page.after && IsCreatedSort(query.sort)) {
    auto parsed = internal::ParseIntCursor(query.page.after->sort_key);
    if (!parsed) return std::move(parsed).error();
    created_key = *parsed;
  }
  const std::optional<domain::Cursor>& after = query.page.after;
  Param key = Param{nullptr};
  if (after) key = created_key ? Int(*created_key) : Param{std::string_view(after->sort_key)};
  const std::array<Param, 7> params = {
      Text(org.value()),
      Bool(query.include_revoked),
      Bool(query.include_accepted),
      Int(internal::FetchCount(query.page.limit)),
      Int(query.page.offset),
      key,
      after ? Param{std::string_view(after->id)} : Param{nullptr},
  };
  domain::InvitationPage page;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    ORGD_TRY(internal::FillPage(conn, ListSql(query.sort), params, query.page.limit, page,
                                &ReadInvitation));
    const std::array<Param, 1> org_param = {Text(org.value())};
    return AttachRoles(conn, kOrgRoles, org_param, page.items);
  }));
  if (!page.items.empty()) {
    page.last =
        domain::Cursor{SortKeyOf(page.items.back(), query.sort), page.items.back().id.value()};
  }
  return page;
}

Result<int64_t> SqlStore::ExpirePendingInvitations(const OrgId& org,
                                                   const std::string& invitee_lower,
                                                   int64_t now_ms) {
  int64_t changed = 0;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    auto r = conn.Exec(kExpirePending, {Text(org.value()), Text(invitee_lower), Int(now_ms)});
    if (!r) return std::move(r).error();
    changed = *r;
    return {};
  }));
  return changed;
}

Result<bool> SqlStore::HasPendingInvitation(const OrgId& org, const std::string& invitee_lower) {
  int64_t count = 0;
  ORGD_TRY(Run([&](Connection& conn) {
    return conn.Query(kHasPending, {Text(org.value()), Text(invitee_lower)},
                      [&](const Row& row) { count = row.GetInt(0); });
  }));
  return count > 0;
}

Result<bool> SqlStore::HasMemberWithEmail(const OrgId& org, const std::string& email_lower) {
  int64_t count = 0;
  ORGD_TRY(Run([&](Connection& conn) {
    return conn.Query(kHasMemberWithEmail, {Text(org.value()), Text(email_lower)},
                      [&](const Row& row) { count = row.GetInt(0); });
  }));
  return count > 0;
}

}  // namespace orgd::store::sql
