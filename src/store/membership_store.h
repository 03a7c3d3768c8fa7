#pragma once

#include <cstdint>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "domain/model/membership.h"

namespace orgd::store {

// One grant of a bulk grant write (MembershipStore::AddMemberRoleGrants and
// AddMemberPermissionGrants).
struct MemberRoleGrant {
  UserId user;
  RoleId role;
};
struct MemberPermissionGrant {
  UserId user;
  PermissionId permission;
};

// Organization data: memberships of users and applications, their role grants, direct
// permission grants, per-member API scopes, JIT roles, and the reads built on them. Every method
// takes the organization and its SQL filters on org_id: one organization's rows are never
// reached through another's id. Writes do not check policy (role types, membership): services
// do, inside InTransaction. A grant for a non-member, or an unknown org / user / role /
// permission / scope id, fails with kFailedPrecondition (reason "foreign_key").
class MembershipStore {
 public:
  virtual ~MembershipStore() = default;

  // Takes the write lock of the organization for the enclosing transaction (PostgreSQL
  // SELECT … FOR UPDATE; SQLite holds the database lock from BEGIN IMMEDIATE). kNotFound
  // (subject "organization") when absent.
  virtual Result<void> LockOrganization(const OrgId& org) = 0;

  // Inserts the memberships not present yet; returns the users newly added, in input order (a
  // user listed twice counts once). A few statements whatever the number of users.
  virtual Result<std::vector<UserId>> AddMembers(const OrgId& org,
                                                 const std::vector<UserId>& users,
                                                 int64_t now_ms) = 0;
  // The users among `users` that are members of `org`, in no particular order. One query per
  // few thousand users.
  virtual Result<std::vector<UserId>> FindMembers(const OrgId& org,
                                                  const std::vector<UserId>& users) = 0;
  // Removes the memberships of `users` that exist, with their grants as RemoveMember does;
  // returns how many were removed. A user who is not a member is skipped, not an error.
  virtual Result<int64_t> RemoveMembers(const OrgId& org, const std::vector<UserId>& users) = 0;
  // Removes the membership with its roles, direct permissions and API scopes there. kNotFound
  // (subject "member", reason "not_assigned") when the user is not a member.
  virtual Result<void> RemoveMember(const OrgId& org, const UserId& user) = 0;
  virtual Result<bool> IsMember(const OrgId& org, const UserId& user) = 0;
  // Every member's id, in user id order.
  virtual Result<std::vector<UserId>> ListMemberIds(const OrgId& org) = 0;
  // Members with their roles, filtered and ordered as `query` says. kInvalidArgument for bad
  // paging as in ListUsers, or for an `after` cursor whose sort_key is not a decimal number in
  // join order. The name and email orders and the all_roles / all_permissions filters are
  // evaluated over the organization's whole member set for each page (Kinde lists); the user id
  // order with `q` / `role_id` runs as one keyset/offset query (Logto lists).
  virtual Result<domain::MemberPage> ListMembers(const OrgId& org,
                                                 const domain::MemberListQuery& query) = 0;
  // Member count, counted (tests compare the kept counts with it).
  virtual Result<int64_t> CountMembers(const OrgId& org) = 0;
  // For each organization of `orgs` (the result is aligned with it): its member count (the kept
  // one) and its first `featured_per_org` members by user id, read without visiting the others.
  // Two queries per 20 organizations; an unknown organization reads as having no members.
  virtual Result<std::vector<domain::OrganizationMembersSummary>> SummarizeMembers(
      const std::vector<OrgId>& orgs, int64_t featured_per_org) = 0;

  // Grants each role not yet granted; returns those newly granted.
  virtual Result<std::vector<RoleId>> AddMemberRoles(const OrgId& org, const UserId& user,
                                                     const std::vector<RoleId>& roles,
                                                     int64_t now_ms) = 0;
  // Grants each (user, role) pair not granted yet, in a few statements whatever their number;
  // returns how many grants were new. Every user must be a member (kFailedPrecondition, reason
  // "foreign_key", otherwise, and nothing is granted).
  virtual Result<int64_t> AddMemberRoleGrants(const OrgId& org,
                                              const std::vector<MemberRoleGrant>& grants,
                                              int64_t now_ms) = 0;
  // kNotFound (subject "member_role", reason "not_assigned") when not granted.
  virtual Result<void> RemoveMemberRole(const OrgId& org, const UserId& user,
                                        const RoleId& role) = 0;
  virtual Result<void> ClearMemberRoles(const OrgId& org, const UserId& user) = 0;
  // The member's roles, key order.
  virtual Result<std::vector<domain::Role>> ListMemberRoles(const OrgId& org,
                                                            const UserId& user) = 0;

  // Direct permission grants; as the role grants (subject "member_permission").
  virtual Result<std::vector<PermissionId>> AddMemberPermissions(
      const OrgId& org, const UserId& user, const std::vector<PermissionId>& permissions,
      int64_t now_ms) = 0;
  // Direct permission grants of many members at once, as AddMemberRoleGrants.
  virtual Result<int64_t> AddMemberPermissionGrants(
      const OrgId& org, const std::vector<MemberPermissionGrant>& grants, int64_t now_ms) = 0;
  virtual Result<void> RemoveMemberPermission(const OrgId& org, const UserId& user,
                                              const PermissionId& permission) = 0;
  // Direct grants only, key order.
  virtual Result<std::vector<domain::Permission>> ListMemberPermissions(const OrgId& org,
                                                                        const UserId& user) = 0;

  // Per-member API scopes (subject "member_api_scope"). Add is idempotent.
  virtual Result<void> AddMemberApiScope(const OrgId& org, const UserId& user,
                                         const ResourceScopeId& scope, int64_t now_ms) = 0;
  virtual Result<void> RemoveMemberApiScope(const OrgId& org, const UserId& user,
                                            const ResourceScopeId& scope) = 0;
  virtual Result<std::vector<domain::ResourceScope>> ListMemberApiScopes(const OrgId& org,
                                                                         const UserId& user) = 0;

  // The user's effective permissions in `org`: direct grants ∪ permissions of held roles, key
  // order, each with the held roles granting it. Empty for a non-member.
  virtual Result<std::vector<domain::EffectivePermission>> ListEffectivePermissions(
      const OrgId& org, const UserId& user) = 0;
  // The distinct permissions of the user's roles in `org` (direct grants excluded), key order.
  virtual Result<std::vector<domain::Permission>> ListMemberRolePermissions(
      const OrgId& org, const UserId& user) = 0;
  // The organizations the user belongs to, with its roles in each (creation order of the orgs).
  virtual Result<std::vector<domain::OrganizationWithRoles>> ListUserOrganizations(
      const UserId& user) = 0;
  // Members of `org` holding `role`, user id order (keyset on the user id; `after.sort_key` is
  // the user id).
  virtual Result<domain::Page<UserId>> ListRoleHolders(const OrgId& org, const RoleId& role,
                                                       const domain::PageRequest& page) = 0;
  virtual Result<int64_t> CountRoleHolders(const OrgId& org, const RoleId& role) = 0;
  // Users holding `role` in any organization, user id order, each with those organizations.
  virtual Result<domain::Page<domain::RoleHolder>> ListRoleHoldersEverywhere(
      const RoleId& role, const domain::PageRequest& page) = 0;

  // Applications in organizations (subject "organization_application").
  virtual Result<std::vector<ApplicationId>> AddApplications(
      const OrgId& org, const std::vector<ApplicationId>& apps, int64_t now_ms) = 0;
  // kNotFound (subject "organization_application", reason "not_assigned").
  virtual Result<void> RemoveApplication(const OrgId& org, const ApplicationId& app) = 0;
  virtual Result<bool> IsApplicationMember(const OrgId& org, const ApplicationId& app) = 0;
  virtual Result<std::vector<ApplicationId>> ListApplicationIds(const OrgId& org) = 0;
  virtual Result<domain::Page<domain::OrganizationApplication>> ListOrganizationApplications(
      const OrgId& org, const domain::OrganizationApplicationQuery& query) = 0;
  virtual Result<std::vector<RoleId>> AddApplicationRoles(const OrgId& org,
                                                          const ApplicationId& app,
                                                          const std::vector<RoleId>& roles,
                                                          int64_t now_ms) = 0;
  // kNotFound (subject "application_role", reason "not_assigned").
  virtual Result<void> RemoveApplicationRole(const OrgId& org, const ApplicationId& app,
                                             const RoleId& role) = 0;
  virtual Result<void> ClearApplicationRoles(const OrgId& org, const ApplicationId& app) = 0;
  virtual Result<std::vector<domain::Role>> ListApplicationRoles(const OrgId& org,
                                                                 const ApplicationId& app) = 0;
  virtual Result<std::vector<domain::OrganizationWithRoles>> ListApplicationOrganizations(
      const ApplicationId& app) = 0;

  // JIT roles (subject "jit_role"): given to members that JIT provisioning adds.
  virtual Result<std::vector<RoleId>> AddJitRoles(const OrgId& org,
                                                  const std::vector<RoleId>& roles,
                                                  int64_t now_ms) = 0;
  // kNotFound (subject "jit_role", reason "not_assigned").
  virtual Result<void> RemoveJitRole(const OrgId& org, const RoleId& role) = 0;
  virtual Result<void> ClearJitRoles(const OrgId& org) = 0;
  // Insertion order, ties by id.
  virtual Result<std::vector<domain::Role>> ListJitRoles(const OrgId& org) = 0;
};

}  // namespace orgd::store
