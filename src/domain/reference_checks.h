#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "common/ids.h"
#include "common/result.h"
#include "domain/model/role.h"
#include "store/store.h"

namespace orgd::domain {

// kNotFound naming `subject`, reason "foreign_key": a write refers to an id that does not exist.
Error MissingRef(std::string subject, const std::string& id);

// Every role of `roles` exists and has `type`, read in transaction `tx`. Every missing role is
// reported before any type (Logto's quirk: a missing role never reports the type): kNotFound
// (subject "role", reason "foreign_key"), then kFailedPrecondition (subject "role", reason
// "constraint").
Result<void> CheckRolesOfType(store::Store& tx, const std::vector<RoleId>& roles, RoleType type);

}  // namespace orgd::domain
