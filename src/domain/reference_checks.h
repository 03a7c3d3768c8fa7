#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "common/error.h"
#include "common/ids.h"
#include "common/result.h"
#include "domain/model/role.h"
#include "store/store.h"

namespace orgd::domain {

// kNotFound naming `subject`, reason "foreign_key": a write refers to an id that does not exist.
Error MissingRef(std::string subject, const std::string& id);

// Success when every id of `ids` is among `found` (the rows the store returned for them, each with
// an `id`); otherwise MissingRef(subject, first missing id), in the order of `ids`.
template <typename Id, typename Row>
Result<void> RequireEvery(const std::vector<Id>& ids, const std::vector<Row>& found,
                          const std::string& subject) {
  std::unordered_set<Id> known;
  for (const Row& row : found) known.insert(row.id);
  for (const Id& id : ids) {
    if (!known.contains(id)) return MissingRef(subject, id.value());
  }
  return {};
}

// Every permission of `permissions` exists, read in transaction `tx`: kNotFound (subject
// "permission", reason "foreign_key") naming the first missing one.
Result<void> CheckPermissions(store::Store& tx, const std::vector<PermissionId>& permissions);

// Every role of `roles` exists and has `type`, read in transaction `tx`. Every missing role is
// reported before any type (Logto's quirk: a missing role never reports the type): kNotFound
// (subject "role", reason "foreign_key"), then kFailedPrecondition (subject "role", reason
// "constraint").
Result<void> CheckRolesOfType(store::Store& tx, const std::vector<RoleId>& roles, RoleType type);

}  // namespace orgd::domain
