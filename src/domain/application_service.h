#pragma once

#include <vector>

#include "common/clock.h"
#include "common/id_generator.h"
#include "common/result.h"
#include "domain/model/application.h"
#include "domain/model/membership.h"
#include "domain/model/role.h"
#include "store/store.h"

namespace orgd::domain {

// What creating an application needs beyond the stored fields: facts about the request that
// decide whether the type allows it.
struct CreateApplicationInput {
  Application fields;                       // id and created_at are set by the service
  bool has_protected_app_metadata = false;  // Logto `protectedAppMetadata` was given
  bool is_device_flow = false;              // `customClientMetadata.isDeviceFlow` is true
};

// Applications (environment-wide), their memberships in organizations and their organization
// roles. Only `MachineToMachine` applications may join an organization, and they may only hold
// `MachineToMachine` roles. Each organization write runs in one store.InTransaction(kWrite) that
// locks the organization first, so a bulk write changes all or nothing. Thread-safe.
//
// Error vocabulary (the dialects map (code, subject, reason)):
// * kInvalidArgument, subject "application", reason "saml" (SAML applications have their own
//   API), "third_party_type" (a third-party application that is not Traditional, SPA or
//   Native), "protected_app_metadata_required" (a Protected application without its metadata),
//   "device_flow_native_only" (device flow on a non-Native application).
// * kFailedPrecondition, subject "application", reason "protected_app_not_configured": a Protected
//   application with its metadata (orgd hosts no protected apps).
// * kNotFound, subject "application": the path's application does not exist.
// * kNotFound, subject "organization" / "application" / "role", reason "foreign_key": an id named
//   in an organization write does not exist (Logto FK422); subject "organization_application",
//   reason "foreign_key": a bulk role grant names an application that is not a member.
// * kFailedPrecondition, subject "application", reason "constraint": a non-`MachineToMachine`
//   application added to an organization; subject "role", reason "constraint": a non-
//   `MachineToMachine` role for an application (Logto C422). Unknown ids are reported first.
// * kFailedPrecondition, subject "organization_application", reason "require_membership": the
//   application is not a member of the organization, also when either does not exist (Logto
//   M422); checked before anything else on the per-application role operations.
// * kNotFound, subject "organization_application" / "application_role", reason "not_assigned":
//   removal of a relation that is not there.
// * kAlreadyExists, subject "role", reason "duplicate": a role replace list names an id twice.
class ApplicationService {
 public:
  ApplicationService(store::Store& store, const Clock& clock, IdGenerator& ids);

  // Checks the type rules (in the order of the vocabulary above) and creates the application
  // with an id in `style`'s format.
  Result<Application> Create(const CreateApplicationInput& input, IdStyle style);
  Result<Application> Get(const ApplicationId& id);
  // Deletes the application with its memberships and role grants. SAML applications are refused
  // as on create.
  Result<void> Delete(const ApplicationId& id);
  // Newest first, ties by id; `total` when `query.page.want_total`.
  Result<ApplicationPage> List(const ApplicationListQuery& query);
  // The organizations the application belongs to, with its roles in each (organization creation
  // order). kNotFound (subject "application") when absent.
  Result<std::vector<OrganizationWithRoles>> ListOrganizations(const ApplicationId& id);

  // Adds every application not yet a member (duplicates and existing members ignored).
  Result<void> AddToOrganization(const OrgId& org, const std::vector<ApplicationId>& apps);
  // Makes the application set exactly `apps` (de-duplicated) with delta semantics: only departing
  // applications are removed (with their roles here), only new ones inserted; staying ones keep
  // their roles. An empty list clears the set, and succeeds for an unknown organization.
  Result<void> ReplaceInOrganization(const OrgId& org, const std::vector<ApplicationId>& apps);
  // Removes the application with its roles in this organization. kNotFound (subject
  // "organization_application", reason "not_assigned") when not a member or the org is unknown.
  Result<void> RemoveFromOrganization(const OrgId& org, const ApplicationId& app);
  // Member applications with their roles, insertion order; no organization check.
  Result<Page<OrganizationApplication>> ListInOrganization(
      const OrgId& org, const OrganizationApplicationQuery& query);

  // Every role to every application (existing grants ignored). Unknown org or role →
  // foreign_key; an application that is not a member → foreign_key (subject
  // "organization_application"); a non-MachineToMachine role → constraint.
  Result<void> AssignRolesToApplications(const OrgId& org, const std::vector<ApplicationId>& apps,
                                         const std::vector<RoleId>& roles);
  // Succeeds when the application is a member of the organization; require_membership otherwise
  // (lets a dialect answer M422 before it reports a malformed body, as Logto does).
  Result<void> RequireMember(const OrgId& org, const ApplicationId& app);
  // The application's roles here, key order. Membership required.
  Result<std::vector<Role>> ListRoles(const OrgId& org, const ApplicationId& app);
  // Membership first, then each role exists and is MachineToMachine; existing grants ignored.
  Result<void> AssignRoles(const OrgId& org, const ApplicationId& app,
                           const std::vector<RoleId>& roles);
  // Membership first; a role listed twice → kAlreadyExists (no de-duplication); then as
  // AssignRoles. The application's role set here becomes exactly `roles`.
  Result<void> ReplaceRoles(const OrgId& org, const ApplicationId& app,
                            const std::vector<RoleId>& roles);
  // Membership first; kNotFound (subject "application_role", reason "not_assigned") when the role
  // is not held.
  Result<void> RemoveRole(const OrgId& org, const ApplicationId& app, const RoleId& role);

 private:
  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
};

}  // namespace orgd::domain
