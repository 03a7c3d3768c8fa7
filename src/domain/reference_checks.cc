#include "domain/reference_checks.h"

#include <unordered_set>
#include <utility>

namespace orgd::domain {

Error MissingRef(std::string subject, const std::string& id) {
  return Error::NotFound(std::move(subject), "unknown id " + id).WithReason("foreign_key");
}

Result<void> CheckRolesOfType(store::Store& tx, const std::vector<RoleId>& roles, RoleType type) {
  auto found = tx.GetRoles(roles);
  if (!found) return std::move(found).error();
  ORGD_TRY(RequireEvery(roles, *found, "role"));
  for (const Role& r : *found) {
    if (r.type != type) {
      return Error::FailedPrecondition("constraint", "role " + r.id.value() + " is of type " +
                                                         std::string(RoleTypeName(r.type)))
          .WithSubject("role");
    }
  }
  return {};
}

Result<void> CheckPermissions(store::Store& tx, const std::vector<PermissionId>& permissions) {
  auto found = tx.GetPermissions(permissions);
  if (!found) return std::move(found).error();
  return RequireEvery(permissions, *found, "permission");
}

}  // namespace orgd::domain
