#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "domain/model/organization.h"
#include "store/db.h"
#include "store/store.h"
#include "store/tx_mode.h"

namespace orgd::store::sql {

// The one Store implementation: all SQL of the service, written once for both engines and run
// through a Database driver. The schema must be migrated (Migrate) before use.
//
// A store built from a Database draws a connection from the pool for each call and is
// thread-safe. Calls that run several statements (insert and update of an organization, lists)
// run them in one transaction of their own, retried on kAborted like InTransaction; the other
// calls are single statements. The store handed to an InTransaction callback is bound
// to that transaction's connection and belongs to the callback's thread.
//
// Failures: kUnavailable (database unreachable, or no pooled connection came free in time),
// kAborted (a concurrent writer won; retryable), kInternal (anything else), plus the codes listed
// per method in store.h.
class SqlStore final : public Store {
 public:
  // `db` must outlive the store and every store it hands to InTransaction callbacks.
  explicit SqlStore(Database& db);
  SqlStore(const SqlStore&) = delete;
  SqlStore& operator=(const SqlStore&) = delete;

  // Organizations. Name sorting, search and the handle's case-insensitive uniqueness fold ASCII
  // letters only, identically on both engines. allowed_domains (on insert, and in a patch) must
  // hold no duplicates: one fails with kAlreadyExists, subject "organization", reason
  // "email_domain". ListOrganizations: kInvalidArgument (subject "limit", "offset" or "after") for
  // a negative limit or offset, or for an `after` cursor whose sort_key is not a decimal number in
  // creation order; `offset` also applies after an `after` cursor.
  Result<void> InsertOrganization(const domain::Organization& org) override;
  Result<domain::Organization> GetOrganization(const OrgId& id) override;
  Result<domain::Organization> UpdateOrganization(const OrgId& id,
                                                  const domain::OrganizationPatch& patch,
                                                  int64_t now_ms) override;
  Result<void> DeleteOrganization(const OrgId& id) override;
  Result<domain::OrganizationPage> ListOrganizations(
      const domain::OrganizationListQuery& query) override;
  Result<std::vector<domain::OrganizationSearchText>> ListOrganizationSearchTexts(
      const std::string& after_id, int64_t limit) override;
  Result<std::vector<domain::OrganizationSearchText>> GetOrganizationSearchTexts(
      const std::vector<OrgId>& ids) override;

  // Clients. Scopes are stored space-separated, so a scope must not contain a space.
  Result<void> InsertClient(const ClientRecord& client) override;
  Result<void> UpsertClient(const ClientRecord& client) override;
  Result<ClientRecord> GetClient(const ClientId& id) override;
  Result<int64_t> CountClients() override;
  Result<void> DeleteClient(const ClientId& id) override;
  Result<std::vector<ClientRecord>> ListClients() override;
  Result<ClientRecord> RotateClientSecret(const ClientId& id,
                                          const std::string& secret_hash) override;
  Result<int64_t> ClientsRevision() override;

  // Signing keys, newest (created_at, then kid) first. InsertSigningKey: kAlreadyExists (subject
  // "signing_key", reason "kid") when the kid is taken.
  Result<std::vector<SigningKeyRecord>> ListSigningKeys() override;
  Result<void> InsertSigningKey(const SigningKeyRecord& key) override;
  Result<void> InsertActiveSigningKey(const SigningKeyRecord& key) override;
  Result<bool> ReplaceSigningKeyMaterial(const std::string& kid, const std::string& expected,
                                         const std::string& replacement) override;

  // Users, roles, permissions, API resources, applications and memberships
  // (src/store/sql/{users,roles,resources,memberships}.cc). Contracts in user_store.h,
  // role_store.h, resource_store.h and membership_store.h. Case-insensitive matching (email
  // uniqueness, search) folds ASCII letters only, identically on both engines. Calls of several
  // statements run in one transaction of their own, as for organizations.
  Result<void> InsertUser(const domain::User& user) override;
  Result<domain::User> GetUser(const UserId& id) override;
  Result<std::vector<domain::User>> GetUsers(const std::vector<UserId>& ids) override;
  Result<domain::User> UpdateUser(const UserId& id, const domain::UserPatch& patch,
                                  int64_t now_ms) override;
  Result<void> SetUserPassword(const UserId& id, const std::string& hash,
                               const std::string& algorithm, int64_t now_ms) override;
  Result<void> DeleteUser(const UserId& id) override;
  Result<domain::UserPage> ListUsers(const domain::UserListQuery& query) override;

  Result<void> InsertRole(const domain::Role& role) override;
  Result<domain::Role> GetRole(const RoleId& id) override;
  Result<std::vector<domain::Role>> GetRoles(const std::vector<RoleId>& ids) override;
  Result<std::vector<domain::Role>> GetRolesByKey(const std::vector<std::string>& keys) override;
  Result<std::vector<domain::Role>> ListDefaultRoles() override;
  Result<domain::Role> UpdateRole(const RoleId& id, const domain::RolePatch& patch) override;
  Result<void> DeleteRole(const RoleId& id) override;
  Result<domain::RolePage> ListRoles(const domain::RoleListQuery& query) override;
  Result<void> InsertPermission(const domain::Permission& permission) override;
  Result<domain::Permission> GetPermission(const PermissionId& id) override;
  Result<std::vector<domain::Permission>> GetPermissions(
      const std::vector<PermissionId>& ids) override;
  Result<std::vector<domain::Permission>> GetPermissionsByKey(
      const std::vector<std::string>& keys) override;
  Result<domain::Permission> UpdatePermission(const PermissionId& id,
                                              const domain::PermissionPatch& patch) override;
  Result<void> DeletePermission(const PermissionId& id) override;
  Result<domain::PermissionPage> ListPermissions(const domain::PermissionListQuery& query) override;
  Result<std::vector<PermissionId>> AddRolePermissions(const RoleId& role,
                                                       const std::vector<PermissionId>& permissions,
                                                       int64_t now_ms) override;
  Result<void> RemoveRolePermission(const RoleId& role, const PermissionId& permission) override;
  Result<void> ClearRolePermissions(const RoleId& role) override;
  Result<domain::PermissionPage> ListRolePermissions(
      const RoleId& role, const domain::PermissionListQuery& query) override;
  Result<std::vector<ResourceScopeId>> AddRoleResourceScopes(
      const RoleId& role, const std::vector<ResourceScopeId>& scopes, int64_t now_ms) override;
  Result<void> RemoveRoleResourceScope(const RoleId& role, const ResourceScopeId& scope) override;
  Result<void> ClearRoleResourceScopes(const RoleId& role) override;
  Result<std::vector<domain::ResourceScopeWithResource>> ListRoleResourceScopes(
      const RoleId& role) override;

  Result<void> InsertResource(const domain::Resource& resource) override;
  Result<domain::Resource> GetResource(const ResourceId& id) override;
  Result<domain::Resource> UpdateResource(const ResourceId& id,
                                          const domain::ResourcePatch& patch) override;
  Result<void> DeleteResource(const ResourceId& id) override;
  Result<std::vector<domain::Resource>> ListResources(domain::ResourceSort sort) override;
  Result<void> InsertResourceScope(const domain::ResourceScope& scope) override;
  Result<domain::ResourceScope> GetResourceScope(const ResourceScopeId& id) override;
  Result<std::vector<domain::ResourceScope>> GetResourceScopes(
      const std::vector<ResourceScopeId>& ids) override;
  Result<domain::ResourceScope> UpdateResourceScope(const ResourceId& resource,
                                                    const ResourceScopeId& id,
                                                    const domain::ResourceScopePatch& patch) override;
  Result<void> DeleteResourceScope(const ResourceId& resource, const ResourceScopeId& id) override;
  Result<std::vector<domain::ResourceScope>> ListResourceScopes(const ResourceId& resource) override;
  Result<void> InsertApplication(const domain::Application& app) override;
  Result<domain::Application> GetApplication(const ApplicationId& id) override;
  Result<std::vector<domain::Application>> GetApplications(
      const std::vector<ApplicationId>& ids) override;
  Result<void> DeleteApplication(const ApplicationId& id) override;
  Result<domain::ApplicationPage> ListApplications(
      const domain::ApplicationListQuery& query) override;

  Result<void> LockOrganization(const OrgId& org) override;
  Result<std::vector<UserId>> AddMembers(const OrgId& org, const std::vector<UserId>& users,
                                         int64_t now_ms) override;
  Result<std::vector<UserId>> FindMembers(const OrgId& org,
                                          const std::vector<UserId>& users) override;
  Result<int64_t> RemoveMembers(const OrgId& org, const std::vector<UserId>& users) override;
  Result<void> RemoveMember(const OrgId& org, const UserId& user) override;
  Result<bool> IsMember(const OrgId& org, const UserId& user) override;
  Result<std::vector<UserId>> ListMemberIds(const OrgId& org) override;
  Result<domain::MemberPage> ListMembers(const OrgId& org,
                                         const domain::MemberListQuery& query) override;
  Result<int64_t> CountMembers(const OrgId& org) override;
  Result<std::vector<RoleId>> AddMemberRoles(const OrgId& org, const UserId& user,
                                             const std::vector<RoleId>& roles,
                                             int64_t now_ms) override;
  Result<int64_t> AddMemberRoleGrants(const OrgId& org, const std::vector<MemberRoleGrant>& grants,
                                      int64_t now_ms) override;
  Result<void> RemoveMemberRole(const OrgId& org, const UserId& user, const RoleId& role) override;
  Result<void> ClearMemberRoles(const OrgId& org, const UserId& user) override;
  Result<std::vector<domain::Role>> ListMemberRoles(const OrgId& org, const UserId& user) override;
  Result<std::vector<PermissionId>> AddMemberPermissions(
      const OrgId& org, const UserId& user, const std::vector<PermissionId>& permissions,
      int64_t now_ms) override;
  Result<int64_t> AddMemberPermissionGrants(const OrgId& org,
                                            const std::vector<MemberPermissionGrant>& grants,
                                            int64_t now_ms) override;
  Result<void> RemoveMemberPermission(const OrgId& org, const UserId& user,
                                      const PermissionId& permission) override;
  Result<std::vector<domain::Permission>> ListMemberPermissions(const OrgId& org,
                                                                const UserId& user) override;
  Result<void> AddMemberApiScope(const OrgId& org, const UserId& user,
                                 const ResourceScopeId& scope, int64_t now_ms) override;
  Result<void> RemoveMemberApiScope(const OrgId& org, const UserId& user,
                                    const ResourceScopeId& scope) override;
  Result<std::vector<domain::ResourceScope>> ListMemberApiScopes(const OrgId& org,
                                                                 const UserId& user) override;
  Result<std::vector<domain::EffectivePermission>> ListEffectivePermissions(
      const OrgId& org, const UserId& user) override;
  Result<std::vector<domain::Permission>> ListMemberRolePermissions(const OrgId& org,
                                                                    const UserId& user) override;
  Result<std::vector<domain::OrganizationWithRoles>> ListUserOrganizations(
      const UserId& user) override;
  Result<domain::Page<UserId>> ListRoleHolders(const OrgId& org, const RoleId& role,
                                               const domain::PageRequest& page) override;
  Result<int64_t> CountRoleHolders(const OrgId& org, const RoleId& role) override;
  Result<domain::Page<domain::RoleHolder>> ListRoleHoldersEverywhere(
      const RoleId& role, const domain::PageRequest& page) override;
  Result<std::vector<ApplicationId>> AddApplications(const OrgId& org,
                                                     const std::vector<ApplicationId>& apps,
                                                     int64_t now_ms) override;
  Result<void> RemoveApplication(const OrgId& org, const ApplicationId& app) override;
  Result<bool> IsApplicationMember(const OrgId& org, const ApplicationId& app) override;
  Result<std::vector<ApplicationId>> ListApplicationIds(const OrgId& org) override;
  Result<domain::Page<domain::OrganizationApplication>> ListOrganizationApplications(
      const OrgId& org, const domain::OrganizationApplicationQuery& query) override;
  Result<std::vector<RoleId>> AddApplicationRoles(const OrgId& org, const ApplicationId& app,
                                                  const std::vector<RoleId>& roles,
                                                  int64_t now_ms) override;
  Result<void> RemoveApplicationRole(const OrgId& org, const ApplicationId& app,
                                     const RoleId& role) override;
  Result<void> ClearApplicationRoles(const OrgId& org, const ApplicationId& app) override;
  Result<std::vector<domain::Role>> ListApplicationRoles(const OrgId& org,
                                                         const ApplicationId& app) override;
  Result<std::vector<domain::OrganizationWithRoles>> ListApplicationOrganizations(
      const ApplicationId& app) override;
  Result<std::vector<RoleId>> AddJitRoles(const OrgId& org, const std::vector<RoleId>& roles,
                                          int64_t now_ms) override;
  Result<void> RemoveJitRole(const OrgId& org, const RoleId& role) override;
  Result<void> ClearJitRoles(const OrgId& org) override;
  Result<std::vector<domain::Role>> ListJitRoles(const OrgId& org) override;
  Result<std::vector<domain::OrganizationMembersSummary>> SummarizeMembers(
      const std::vector<OrgId>& orgs, int64_t featured_per_org) override;

  // Feature flags and their organization overrides (src/store/sql/feature_flags.cc); contracts
  // in feature_flag_store.h. GetFeatureFlagForUpdate locks the flag's row with a no-op UPDATE,
  // which is the same SQL on both engines (SQLite's BEGIN IMMEDIATE already serializes writers).
  Result<void> InsertFeatureFlag(const domain::FeatureFlag& flag) override;
  Result<domain::FeatureFlag> GetFeatureFlag(const domain::FeatureFlagKey& key) override;
  Result<domain::FeatureFlag> GetFeatureFlagForUpdate(const domain::FeatureFlagKey& key) override;
  Result<void> UpdateFeatureFlag(const domain::FeatureFlag& flag) override;
  Result<void> DeleteFeatureFlag(const domain::FeatureFlagKey& key) override;
  Result<std::vector<domain::FeatureFlag>> ListFeatureFlags() override;
  Result<std::vector<domain::OrgFeatureFlag>> ListOrgFeatureFlags(const OrgId& org) override;
  Result<std::vector<std::string>> ListFeatureFlagOverrideValues(
      const domain::FeatureFlagKey& key) override;
  Result<void> SetFeatureFlagOverride(const OrgId& org,
                                      const domain::FeatureFlagOverride& flag_override) override;
  Result<bool> DeleteFeatureFlagOverride(const OrgId& org,
                                         const domain::FeatureFlagKey& key) override;
  Result<int64_t> DeleteOrgFeatureFlagOverrides(const OrgId& org) override;
  Result<int64_t> DeleteFeatureFlagOverridesOfFlag(const domain::FeatureFlagKey& key) override;

  // Property categories, properties and organization property values
  // (src/store/sql/properties.cc); contracts in property_store.h.
  Result<void> InsertPropertyCategory(const domain::PropertyCategory& category) override;
  Result<domain::PropertyCategory> GetPropertyCategory(
      const domain::PropertyCategoryId& id) override;
  Result<void> RenamePropertyCategory(const domain::PropertyCategoryId& id,
                                      const std::string& name) override;
  Result<domain::PropertyCategoryPage> ListPropertyCategories(
      const domain::PropertyCategoryListQuery& query) override;
  Result<void> InsertProperty(const domain::Property& property) override;
  Result<domain::Property> GetProperty(const domain::PropertyId& id) override;
  Result<domain::Property> GetPropertyByKey(const std::string& key) override;
  Result<void> UpdateProperty(const domain::PropertyId& id,
                              const domain::PropertyUpdate& update) override;
  Result<void> DeleteProperty(const domain::PropertyId& id) override;
  Result<domain::PropertyPage> ListProperties(const domain::PropertyListQuery& query) override;
  Result<std::vector<domain::OrgPropertyValue>> ListOrgPropertyValues(const OrgId& org) override;
  Result<void> SetOrgPropertyValue(const OrgId& org, const domain::PropertyId& property,
                                   const std::string& value) override;
  Result<void> ClearOrgPropertyValue(const OrgId& org,
                                     const domain::PropertyId& property) override;

  // Connections, their domains and organization links, the JIT lookups
  // (src/store/sql/connections.cc), and organization invitations (src/store/sql/invitations.cc);
  // contracts in connection_store.h and invitation_store.h. Domains, invitees and names compare
  // ASCII-case-insensitively, identically on both engines.
  Result<void> InsertConnection(const domain::Connection& connection) override;
  Result<domain::Connection> GetConnection(const ConnectionId& id) override;
  Result<std::vector<domain::Connection>> GetConnections(
      const std::vector<ConnectionId>& ids) override;
  Result<void> UpdateConnection(const domain::Connection& connection) override;
  Result<void> DeleteConnection(const ConnectionId& id) override;
  Result<domain::ConnectionPage> ListConnections(const domain::ConnectionListQuery& query) override;
  Result<std::vector<ConnectionId>> AddOrganizationConnections(
      const OrgId& org, const std::vector<ConnectionId>& connections, int64_t now_ms) override;
  Result<void> RemoveOrganizationConnection(const OrgId& org,
                                            const ConnectionId& connection) override;
  Result<void> ClearOrganizationConnections(const OrgId& org) override;
  Result<std::vector<domain::Connection>> ListOrganizationConnections(const OrgId& org) override;
  Result<std::vector<OrgId>> ListConnectionOrganizations(const ConnectionId& connection) override;
  Result<std::vector<OrgId>> ListOrganizationsByEmailDomain(
      const std::string& domain_lower) override;
  Result<void> InsertInvitation(const domain::Invitation& invitation) override;
  Result<domain::Invitation> GetInvitation(const InvitationId& id) override;
  Result<domain::Invitation> GetOrganizationInvitation(const OrgId& org,
                                                       const InvitationId& id) override;
  Result<void> UpdateInvitationStatus(const InvitationId& id, domain::InvitationStatus status,
                                      const std::optional<UserId>& accepted_user,
                                      std::optional<int64_t> accepted_at, int64_t now_ms) override;
  Result<void> DeleteInvitation(const InvitationId& id) override;
  Result<std::vector<domain::Invitation>> ListInvitations(
      const domain::InvitationFilter& filter) override;
  Result<domain::InvitationPage> ListOrganizationInvitations(
      const OrgId& org, const domain::InvitationPageQuery& query) override;
  Result<int64_t> ExpirePendingInvitations(const OrgId& org, const std::string& invitee_lower,
                                           int64_t now_ms) override;
  Result<bool> HasPendingInvitation(const OrgId& org, const std::string& invitee_lower) override;
  Result<bool> HasMemberWithEmail(const OrgId& org, const std::string& email_lower) override;

  // area:connections-store-decls
  // Organization logos and settings rows (src/store/sql/organization_settings.cc); contracts in
  // organization_settings_store.h. Logo bytes are a BLOB (SQLite) / bytea (PostgreSQL).
  Result<void> PutOrganizationLogo(const OrgId& org,
                                   const domain::OrganizationLogo& logo) override;
  Result<domain::OrganizationLogo> GetOrganizationLogo(const OrgId& org,
                                                       domain::LogoType type) override;
  Result<std::vector<domain::OrganizationLogoInfo>> ListOrganizationLogos(
      const OrgId& org) override;
  Result<bool> DeleteOrganizationLogo(const OrgId& org, domain::LogoType type) override;
  Result<domain::OrganizationSettings> GetOrganizationSettings(const OrgId& org) override;
  Result<void> PutOrganizationSettings(const OrgId& org,
                                       const domain::OrganizationSettings& settings,
                                       int64_t now_ms) override;
  // area:settings-store-decls
  // Bulk-import writes (src/store/sql/import.cc); contracts in import_store.h.
  Result<void> PrepareBulkImport(int64_t cache_bytes) override;
  Result<void> FinishBulkImport(const std::function<void()>& starting) override;
  Result<bool> BulkLoad(const std::function<Result<void>(Store& tx)>& load) override;
  Result<std::optional<ImportProgress>> GetImportProgress(const std::string& file_id) override;
  Result<void> PutImportProgress(const ImportProgress& progress) override;
  Result<ImportWrite> ImportOrganization(const domain::Organization& org,
                                         std::optional<int64_t> created_at,
                                         int64_t now_ms) override;
  Result<ImportWrite> ImportUser(const domain::User& user, std::optional<int64_t> created_at,
                                 int64_t now_ms) override;
  Result<ImportWrite> ImportPermission(const domain::Permission& permission) override;
  Result<ImportWrite> ImportRole(const domain::Role& role) override;
  Result<bool> ImportRolePermission(const RoleId& role, const PermissionId& permission,
                                    int64_t now_ms) override;
  Result<bool> ImportMembership(const OrgId& org, const UserId& user, int64_t now_ms) override;
  Result<bool> ImportMemberRole(const OrgId& org, const UserId& user, const RoleId& role,
                                int64_t now_ms) override;
  Result<ImportRunCounts> ImportOrganizations(std::span<const ImportOrganizationRow> rows,
                                              int64_t now_ms) override;
  Result<ImportRunCounts> ImportUsers(std::span<const ImportUserRow> rows,
                                      int64_t now_ms) override;
  Result<int64_t> ImportMemberships(std::span<const ImportMembershipRow> rows,
                                    int64_t now_ms) override;
  Result<int64_t> ImportMemberRoles(std::span<const ImportMemberRoleRow> rows,
                                    int64_t now_ms) override;

  // Runs `fn` on one connection inside Begin(mode) … Commit, with a store bound to it, and rolls
  // back when `fn` fails. The whole transaction, `fn` included, is retried up to 3 attempts in
  // all while the failure is kAborted, so `fn` must be safe to run again. Called on a bound store
  // (nested), it runs `fn` in the enclosing transaction, whatever `mode`; an error of the nested
  // `fn` is simply returned, and rolls everything back only when the outer callback returns it.
  //
  // Inside `fn`, use only the store it receives: this store would borrow a second connection,
  // outside the transaction (on ":memory:", with its single connection, that waits for the
  // pool's acquire timeout and fails with kUnavailable).
  //
  // A callback must return an error once a statement inside it failed: PostgreSQL aborts the
  // transaction at the first failed statement, so carrying on (say, after a kAlreadyExists) works
  // on neither engine. To keep SQLite from hiding that, a transaction whose callback succeeded
  // after a failed statement is rolled back and reported as kInternal.
  Result<void> InTransaction(TxMode mode, const std::function<Result<void>(Store&)>& fn) override;
  bool Ping() override;

  static constexpr int kMaxTransactionAttempts = 3;

 private:
  using ConnFn = std::function<Result<void>(Connection&)>;

  SqlStore(Database& db, Connection& bound);
  // The body of BulkLoad's transaction on `conn` (import.cc), SQLite's and PostgreSQL's; `loaded`
  // false when it declined, having written nothing.
  Result<void> LoadInBulk(Connection& conn, const std::function<Result<void>(Store& tx)>& load,
                          bool& loaded);
  Result<void> LoadInBulkPostgres(Connection& conn,
                                  const std::function<Result<void>(Store& tx)>& load,
                                  bool& loaded);

  // Runs `fn` on the bound connection, or else on a pooled one outside any explicit transaction
  // (for single statements, which are atomic on their own).
  Result<void> Run(const ConnFn& fn);
  // Runs `fn` on the bound connection, or else in a transaction of its own (with retries).
  Result<void> RunInTransaction(TxMode mode, const ConnFn& fn);
  // One attempt of a transaction on `conn`: Begin(mode), `fn`, then Commit, or Rollback when `fn`
  // fails or went on after a failed statement.
  static Result<void> TransactionOn(Connection& conn, TxMode mode, const ConnFn& fn);
  // The organizations that `sql` lists for `holder` (a user or an application), each complete
  // and with the holder's roles there.
  Result<std::vector<domain::OrganizationWithRoles>> ListOrganizationsWithRoles(
      std::string_view sql, const std::string& holder);

  Database& db_;
  Connection* bound_ = nullptr;  // set on stores handed to InTransaction callbacks
  bool in_bulk_load_ = false;    // set on the store handed to a BulkLoad callback
};

}  // namespace orgd::store::sql
