#include "domain/application_service.h"

#include <string>
#include <unordered_set>
#include <utility>

#include "domain/reference_checks.h"

namespace orgd::domain {
namespace {

using store::Store;
using store::TxMode;

constexpr int kIdAttempts = 3;

template <typename IdT>
std::vector<IdT> Dedup(const std::vector<IdT>& ids) {
  std::vector<IdT> out;
  std::unordered_set<IdT> seen;
  for (const IdT& id : ids) {
    if (seen.insert(id).second) out.push_back(id);
  }
  return out;
}

Error TypeRule(std::string reason, std::string message) {
  return Error::InvalidArgument(std::move(message))
      .WithSubject("application")
      .WithReason(std::move(reason));
}

// Locks the organization; an unknown one is a missing reference of the write.
Result<void> LockOrg(Store& tx, const OrgId& org) {
  auto locked = tx.LockOrganization(org);
  if (!locked) {
    Error e = std::move(locked).error();
    if (e.code == ErrorCode::kNotFound) return std::move(e).WithReason("foreign_key");
    return e;
  }
  return {};
}

Error NotAMember() {
  return Error::FailedPrecondition("require_membership",
                                   "the application is not a member of the organization")
      .WithSubject("organization_application");
}

// Locks the organization and requires `app` to be a member of it; an unknown organization or
// application is "not a member" too.
Result<void> LockAndRequireMember(Store& tx, const OrgId& org, const ApplicationId& app) {
  auto locked = tx.LockOrganization(org);
  if (!locked) {
    if (locked.error().code == ErrorCode::kNotFound) return NotAMember();
    return std::move(locked).error();
  }
  auto member = tx.IsApplicationMember(org, app);
  if (!member) return std::move(member).error();
  if (!*member) return NotAMember();
  return {};
}

// Every application exists (foreign_key) and is MachineToMachine (constraint), in that order.
Result<void> CheckJoinable(Store& tx, const std::vector<ApplicationId>& apps) {
  auto found = tx.GetApplications(apps);
  if (!found) return std::move(found).error();
  ORGD_TRY(RequireEvery(apps, *found, "application"));
  for (const Application& a : *found) {
    if (a.type != ApplicationType::kMachineToMachine) {
      return Error::FailedPrecondition("constraint", "application " + a.id.value() +
                                                         " is not a MachineToMachine application")
          .WithSubject("application");
    }
  }
  return {};
}

}  // namespace

ApplicationService::ApplicationService(store::Store& store, const Clock& clock, IdGenerator& ids)
    : store_(store), clock_(clock), ids_(ids) {}

Result<Application> ApplicationService::Create(const CreateApplicationInput& input, IdStyle style) {
  const ApplicationType type = input.fields.type;
  if (type == ApplicationType::kSaml) {
    return TypeRule("saml", "SAML applications are managed through the SAML application API");
  }
  if (input.fields.is_third_party && type != ApplicationType::kTraditional &&
      type != ApplicationType::kSpa && type != ApplicationType::kNative) {
    return TypeRule("third_party_type",
                    "only Traditional, SPA and Native applications can be third-party");
  }
  if (input.is_device_flow && type != ApplicationType::kNative) {
    return TypeRule("device_flow_native_only", "device flow is for Native applications only");
  }
  if (type == ApplicationType::kProtected) {
    if (!input.has_protected_app_metadata) {
      return TypeRule("protected_app_metadata_required",
                      "a Protected application needs its protectedAppMetadata");
    }
    return Error::FailedPrecondition("protected_app_not_configured",
                                     "protected applications are not available")
        .WithSubject("application");
  }
  if (input.fields.name.empty()) {
    return Error::InvalidArgument("name must not be empty", "name").WithReason("required");
  }
  Application app = input.fields;
  app.created_at = clock_.NowMillis();
  for (int attempt = 1;; ++attempt) {
    app.id = ApplicationId(ids_.Next(IdKind::kApplication, style));
    auto inserted = store_.InsertApplication(app);
    if (inserted) return app;
    const Error& e = inserted.error();
    if (e.code != ErrorCode::kAlreadyExists || attempt == kIdAttempts) {
      return std::move(inserted).error();
    }
  }
}

Result<Application> ApplicationService::Get(const ApplicationId& id) {
  return store_.GetApplication(id);
}

Result<void> ApplicationService::Delete(const ApplicationId& id) {
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    auto app = tx.GetApplication(id);
    if (!app) return std::move(app).error();
    if (app->type == ApplicationType::kSaml) {
      return TypeRule("saml", "SAML applications are managed through the SAML application API");
    }
    return tx.DeleteApplication(id);
  });
}

Result<ApplicationPage> ApplicationService::List(const ApplicationListQuery& query) {
  return store_.ListApplications(query);
}

Result<std::vector<OrganizationWithRoles>> ApplicationService::ListOrganizations(
    const ApplicationId& id) {
  std::vector<OrganizationWithRoles> out;
  ORGD_TRY(store_.InTransaction(TxMode::kRead, [&](Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetApplication(id));
    auto orgs = tx.ListApplicationOrganizations(id);
    if (!orgs) return std::move(orgs).error();
    out = std::move(*orgs);
    return {};
  }));
  return out;
}

Result<void> ApplicationService::AddToOrganization(const OrgId& org,
                                                   const std::vector<ApplicationId>& apps) {
  const std::vector<ApplicationId> unique = Dedup(apps);
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(LockOrg(tx, org));
    ORGD_TRY(CheckJoinable(tx, unique));
    ORGD_TRY(tx.AddApplications(org, unique, clock_.NowMillis()));
    return {};
  });
}

Result<void> ApplicationService::ReplaceInOrganization(const OrgId& org,
                                                       const std::vector<ApplicationId>& apps) {
  const std::vector<ApplicationId> wanted = Dedup(apps);
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    auto locked = LockOrg(tx, org);
    if (!locked) {
      // Clearing the set of an organization that does not exist leaves nothing to do.
      if (wanted.empty() && locked.error().code == ErrorCode::kNotFound) return {};
      return locked;
    }
    ORGD_TRY(CheckJoinable(tx, wanted));
    auto current = tx.ListApplicationIds(org);
    if (!current) return std::move(current).error();
    const std::unordered_set<ApplicationId> keep(wanted.begin(), wanted.end());
    for (const ApplicationId& id : *current) {
      if (!keep.contains(id)) ORGD_TRY(tx.RemoveApplication(org, id));
    }
    ORGD_TRY(tx.AddApplications(org, wanted, clock_.NowMillis()));
    return {};
  });
}

Result<void> ApplicationService::RemoveFromOrganization(const OrgId& org,
                                                        const ApplicationId& app) {
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    auto locked = tx.LockOrganization(org);
    if (!locked) {
      if (locked.error().code == ErrorCode::kNotFound) {
        return Error::NotFound("organization_application").WithReason("not_assigned");
      }
      return locked;
    }
    return tx.RemoveApplication(org, app);
  });
}

Result<Page<OrganizationApplication>> ApplicationService::ListInOrganization(
    const OrgId& org, const OrganizationApplicationQuery& query) {
  return store_.ListOrganizationApplications(org, query);
}

Result<void> ApplicationService::AssignRolesToApplications(const OrgId& org,
                                                           const std::vector<ApplicationId>& apps,
                                                           const std::vector<RoleId>& roles) {
  const std::vector<ApplicationId> unique_apps = Dedup(apps);
  const std::vector<RoleId> unique_roles = Dedup(roles);
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(LockOrg(tx, org));
    for (const ApplicationId& app : unique_apps) {
      auto member = tx.IsApplicationMember(org, app);
      if (!member) return std::move(member).error();
      if (!*member) return MissingRef("organization_application", app.value());
    }
    ORGD_TRY(CheckRolesOfType(tx, unique_roles, RoleType::kMachineToMachine));
    const int64_t now = clock_.NowMillis();
    for (const ApplicationId& app : unique_apps) {
      ORGD_TRY(tx.AddApplicationRoles(org, app, unique_roles, now));
    }
    return {};
  });
}

Result<void> ApplicationService::RequireMember(const OrgId& org, const ApplicationId& app) {
  auto member = store_.IsApplicationMember(org, app);
  if (!member) return std::move(member).error();
  if (!*member) return NotAMember();
  return {};
}

Result<std::vector<Role>> ApplicationService::ListRoles(const OrgId& org,
                                                        const ApplicationId& app) {
  std::vector<Role> out;
  ORGD_TRY(store_.InTransaction(TxMode::kRead, [&](Store& tx) -> Result<void> {
    auto member = tx.IsApplicationMember(org, app);
    if (!member) return std::move(member).error();
    if (!*member) return NotAMember();
    auto roles = tx.ListApplicationRoles(org, app);
    if (!roles) return std::move(roles).error();
    out = std::move(*roles);
    return {};
  }));
  return out;
}

Result<void> ApplicationService::AssignRoles(const OrgId& org, const ApplicationId& app,
                                             const std::vector<RoleId>& roles) {
  const std::vector<RoleId> unique = Dedup(roles);
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(LockAndRequireMember(tx, org, app));
    ORGD_TRY(CheckRolesOfType(tx, unique, RoleType::kMachineToMachine));
    ORGD_TRY(tx.AddApplicationRoles(org, app, unique, clock_.NowMillis()));
    return {};
  });
}

Result<void> ApplicationService::ReplaceRoles(const OrgId& org, const ApplicationId& app,
                                              const std::vector<RoleId>& roles) {
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(LockAndRequireMember(tx, org, app));
    if (Dedup(roles).size() != roles.size()) {
      return Error::AlreadyExists("role", "duplicate", "a role id is listed twice");
    }
    ORGD_TRY(CheckRolesOfType(tx, roles, RoleType::kMachineToMachine));
    ORGD_TRY(tx.ClearApplicationRoles(org, app));
    ORGD_TRY(tx.AddApplicationRoles(org, app, roles, clock_.NowMillis()));
    return {};
  });
}

Result<void> ApplicationService::RemoveRole(const OrgId& org, const ApplicationId& app,
                                            const RoleId& role) {
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(LockAndRequireMember(tx, org, app));
    return tx.RemoveApplicationRole(org, app, role);
  });
}

}  // namespace orgd::domain
