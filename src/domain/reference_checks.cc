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
  std::unordered_set<RoleId> known;
  for (const Role& r : *found) known.insert(r.id);
  for (const RoleId& id : roles) {
    if (!known.contains(id)) return MissingRef("role", id.value());
  }
  for (const Role& r : *found) {
    if (r.type != type) {
      return Error::FailedPrecondition("constraint", "role " + r.id.value() + " is of type " +
                                                         std::string(RoleTypeName(r.type)))
          .WithSubject("role");
    }
  }
  return {};
}

}  // namespace orgd::domain
