#pragma once

#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "domain/list_cache.h"
#include "domain/model/membership.h"
#include "domain/read_model.h"
#include "store/store.h"

namespace orgd::domain {

// What the Kinde dialect adds for one user in a bulk organization-users request: roles and
// permissions by key. `remove` (PATCH operation "delete") removes the member instead.
struct MemberGrantInput {
  UserId user_id;
  std::vector<std::string> role_keys;
  std::vector<std::string> permission_keys;
  bool remove = false;
};

// Memberships of users in organizations and every grant inside one: role grants, direct
// permission grants, per-member API scopes, JIT roles, and the reads built on them (effective
// permissions, role holders). The rules both dialects share live here; each write runs in one
// store.InTransaction(kWrite) that locks the organization first, so a bulk write changes all or
// nothing. Thread-safe.
//
// Error vocabulary (the dialects map (code, subject, reason)):
// * kNotFound, subject "organization" / "user" / "role" / "permission" / "resource" /
//   "resource_scope", reason "foreign_key": an id named in a relation write does not exist
//   (Logto FK422; Kinde <ENTITY>_NOT_FOUND). Plain kNotFound (no reason) for the path entity of a
//   read.
// * kFailedPrecondition, subject "member", reason "require_membership": the user is not a member
//   (Logto M422; Kinde USER_NOT_IN_ORGANIZATION). On member-scoped routes the org and the user are
//   checked first, so an unknown org or user is kNotFound (subject "organization" / "user"); the
//   Logto dialect renders all three as M422 there.
// * kFailedPrecondition, subject "role", reason "constraint": a `MachineToMachine` role for a
//   user (Logto C422).
// * kNotFound, subject "role", reason "names_not_found": role names that resolve to nothing;
//   `fields` maps each unknown name to "not_found" (Logto organization.role_names_not_found).
// * kNotFound, subject "member" / "member_role" / "member_permission" / "member_api_scope" /
//   "jit_role", reason "not_assigned": removal of a relation that is not there.
// * kAlreadyExists, subject "role", reason "duplicate": a replace list names an id twice where
//   the contract forbids it (Logto U422).
class MembershipService {
 public:
  // With a `read_model` (it must outlive the service), RequireMembership, ListMemberRoles,
  // EffectivePermissions and MemberRoleScopes answer from memory, with the same results and
  // read-your-writes across processes; whatever it cannot answer (a non-member's error, a
  // database failure) goes through SQL as without one.
  MembershipService(store::Store& store, const Clock& clock, ReadModel* read_model = nullptr);

  // Adds every user not yet a member (duplicates and existing members ignored) and returns those
  // newly added. Unknown org or user → kNotFound (reason "foreign_key"); nothing is added.
  Result<std::vector<UserId>> AddMembers(const OrgId& org, const std::vector<UserId>& users);
  // Makes the member set exactly `users` (de-duplicated) with delta semantics: only departing
  // members are removed (with their grants in this org), only new ones inserted; staying members
  // keep their roles. Errors as AddMembers, except that an empty set on an unknown org
  // succeeds (nothing to clear).
  Result<MembershipDelta> ReplaceMembers(const OrgId& org, const std::vector<UserId>& users);
  // Removes the member with its roles, direct permissions and API scopes in this org. When the
  // user is not a member: kNotFound with subject "organization" (unknown org), "user" (unknown
  // user), else subject "member", reason "not_assigned".
  Result<void> RemoveMember(const OrgId& org, const UserId& user);
  // Members with their roles. No organization check (an unknown org lists nothing). Shared, not
  // copied: with a read model, pages are kept (immutable) for its generation.
  Result<std::shared_ptr<const MemberPage>> ListMembers(const OrgId& org, const MemberListQuery& query);
  // Kinde list: members holding every role of `role_keys` and every permission of
  // `permission_keys` (directly or through a role), filtered, ordered and paged by `query`. A key
  // that names no role or permission matches nobody (an empty page). kNotFound (subject
  // "organization") for an unknown org.
  Result<MemberPage> ListMembersHolding(const OrgId& org, MemberListQuery query,
                                        const std::vector<std::string>& role_keys,
                                        const std::vector<std::string>& permission_keys);
  // The membership check of member-scoped operations, alone: kNotFound (subject "organization" /
  // "user") for an unknown org or user, kFailedPrecondition (reason "require_membership") for a
  // non-member.
  Result<void> RequireMembership(const OrgId& org, const UserId& user);
  // Kinde bulk add: each non-member joins with the listed roles and permissions plus every
  // default role; members get the listed grants added. Returns the users newly added. Unknown
  // org / user / role key / permission key → kNotFound (reason "foreign_key"); nothing changes.
  Result<std::vector<UserId>> AddMembersWithGrants(const OrgId& org,
                                                   const std::vector<MemberGrantInput>& users);
  // Kinde bulk update, all or nothing: an item with `remove` removes that member (a non-member
  // is skipped); any other item adds a non-member as AddMembersWithGrants does (`added`) or adds
  // the listed grants to a member (`updated`, listed even when nothing changed). Errors as
  // AddMembersWithGrants.
  Result<MembershipDelta> UpdateMembersWithGrants(const OrgId& org,
                                                  const std::vector<MemberGrantInput>& users);

  // Resolves role ids and names (exact key match) into one de-duplicated id list: ids first, then
  // the ids of names, in request order. Every unknown name is reported at once
  // (reason "names_not_found"). Unknown ids are not checked here.
  Result<std::vector<RoleId>> ResolveRoles(const std::vector<RoleId>& ids,
                                           const std::vector<std::string>& names);
  // Grants roles to a member (existing grants ignored); returns those newly granted. Membership
  // first (require_membership), then each role exists (foreign_key) and is a `User` role
  // (constraint).
  Result<std::vector<RoleId>> AssignMemberRoles(const OrgId& org, const UserId& user,
                                                const std::vector<RoleId>& roles);
  // Makes the member's role set exactly `roles` (duplicates removed); empty clears it. Errors as
  // AssignMemberRoles.
  Result<void> ReplaceMemberRoles(const OrgId& org, const UserId& user,
                                  const std::vector<RoleId>& roles);
  // Membership first; then kNotFound (subject "role") for an unknown role, (subject
  // "member_role", reason "not_assigned") when not held.
  Result<void> RemoveMemberRole(const OrgId& org, const UserId& user, const RoleId& role);
  // The member's roles, key order. Membership required.
  Result<std::vector<Role>> ListMemberRoles(const OrgId& org, const UserId& user);
  // Logto bulk: every role to every user. A user who is not a member → kNotFound (subject
  // "member", reason "foreign_key"); role errors as AssignMemberRoles.
  Result<void> AssignRolesToMembers(const OrgId& org, const std::vector<UserId>& users,
                                    const std::vector<RoleId>& roles);

  // Direct permission grants (Kinde). Membership required; unknown permission → kNotFound
  // (subject "permission", reason "foreign_key"). Re-granting is a no-op.
  Result<void> GrantMemberPermissions(const OrgId& org, const UserId& user,
                                      const std::vector<PermissionId>& permissions);
  // Removes the direct grant only (role-derived permissions stay). kNotFound (subject
  // "permission") for an unknown permission; (subject "member_permission", reason
  // "not_assigned") when not granted directly.
  Result<void> RevokeMemberPermission(const OrgId& org, const UserId& user,
                                      const PermissionId& permission);

  // Per-member API scopes (Kinde). Membership required; kNotFound (subject "resource") for an
  // unknown API, (subject "resource_scope") for an unknown scope or one of another API.
  Result<void> GrantMemberApiScope(const OrgId& org, const UserId& user,
                                   const ResourceId& resource, const ResourceScopeId& scope);
  // As Grant, plus kNotFound (subject "member_api_scope", reason "not_assigned").
  Result<void> RevokeMemberApiScope(const OrgId& org, const UserId& user,
                                    const ResourceId& resource, const ResourceScopeId& scope);

  // Effective permissions of a member: direct grants ∪ permissions of held roles, key order,
  // each with the held roles granting it (Kinde expand=roles). Membership required.
  Result<std::vector<EffectivePermission>> EffectivePermissions(const OrgId& org,
                                                                const UserId& user);
  // Logto GET …/users/{id}/scopes: the distinct permissions of the user's roles in `org` (key
  // order). No membership check: a non-member gets an empty list.
  Result<std::vector<Permission>> MemberRoleScopes(const OrgId& org, const UserId& user);
  // The same permissions handed to `each` in key order, without copying them out of the read
  // model (ReadModel::ForEachMemberRoleScope: `each` must be quick and must not call back into
  // the service). `each` is called only once the answer is known: never after an error.
  Result<void> ForEachMemberRoleScope(const OrgId& org, const UserId& user,
                                      const std::function<void(const Permission&)>& each);
  // Members holding `role`. kNotFound (subject "organization" / "role") when absent.
  Result<Page<UserId>> ListRoleHolders(const OrgId& org, const RoleId& role,
                                       const PageRequest& page);
  Result<int64_t> CountRoleHolders(const OrgId& org, const RoleId& role);
  // Members holding `role` who were active between `from_ms` and `to_ms` (inclusive). The window
  // must not be reversed nor span 3 days or more: kInvalidArgument (subject "date_time_to",
  // reason "invalid_date_time" / "date_time_range_too_large"), checked before the org and the
  // role (kNotFound as ListRoleHolders). orgd issues no user tokens, so nobody is ever active:
  // the count is 0.
  Result<int64_t> CountActiveRoleHolders(const OrgId& org, const RoleId& role, int64_t from_ms,
                                         int64_t to_ms);

  // JIT roles. Unknown org or role → kNotFound (reason "foreign_key"). Add ignores existing rows.
  Result<void> AddJitRoles(const OrgId& org, const std::vector<RoleId>& roles);
  // Replaces the set; a duplicate id → kAlreadyExists (subject "role", reason "duplicate"). An
  // empty set on an unknown org succeeds (nothing to clear).
  Result<void> ReplaceJitRoles(const OrgId& org, const std::vector<RoleId>& roles);
  // kNotFound (subject "jit_role", reason "not_assigned").
  Result<void> RemoveJitRole(const OrgId& org, const RoleId& role);
  // Insertion order. kNotFound (subject "organization") for an unknown org.
  Result<std::vector<Role>> ListJitRoles(const OrgId& org);

 private:
  store::Store& store_;
  const Clock& clock_;
  ReadModel* read_model_ = nullptr;
  ListCache<MemberPage> pages_;  // ListMembers's, with a read model
};

}  // namespace orgd::domain
