#pragma once

// Column lists and row readers shared by the SQL store's source files. Internal to src/store/sql.
// Each list is read by its reader, column by column, starting at `first`.

#include <string_view>

#include "domain/model/application.h"
#include "domain/model/permission.h"
#include "domain/model/resource.h"
#include "domain/model/role.h"
#include "domain/model/user.h"
#include "store/db.h"

namespace orgd::store::sql::internal {

inline constexpr std::string_view kUserColumns =
    "u.id, u.username, u.primary_email, u.primary_phone, u.name, u.first_name, u.last_name, "
    "u.avatar, u.custom_data, u.profile, u.identities, u.password_hash, u.password_algorithm, "
    "u.provided_id, u.application_id, u.is_suspended, u.is_password_reset_requested, "
    "u.last_sign_in_at, u.created_at, u.updated_at";
inline constexpr int kUserColumnCount = 20;

inline domain::User ReadUser(const Row& row, int first = 0) {
  const int c = first;
  domain::User u;
  u.id = UserId(row.GetText(c));
  u.username = row.GetOptString(c + 1);
  u.primary_email = row.GetOptString(c + 2);
  u.primary_phone = row.GetOptString(c + 3);
  u.name = row.GetOptString(c + 4);
  u.first_name = row.GetOptString(c + 5);
  u.last_name = row.GetOptString(c + 6);
  u.avatar = row.GetOptString(c + 7);
  u.custom_data = row.GetString(c + 8);
  u.profile = row.GetString(c + 9);
  u.identities = row.GetString(c + 10);
  u.password_hash = row.GetOptString(c + 11);
  u.password_algorithm = row.GetOptString(c + 12);
  u.provided_id = row.GetOptString(c + 13);
  u.application_id = row.GetOptString(c + 14);
  u.is_suspended = row.GetBool(c + 15);
  u.is_password_reset_requested = row.GetBool(c + 16);
  u.last_sign_in_at = row.GetOptInt(c + 17);
  u.created_at = row.GetInt(c + 18);
  u.updated_at = row.GetInt(c + 19);
  return u;
}

inline constexpr std::string_view kRoleColumns =
    "r.id, r.key, r.name, r.description, r.type, r.is_default_role, r.assignment_permission_id, "
    "r.created_at";
inline constexpr int kRoleColumnCount = 8;

inline domain::Role ReadRole(const Row& row, int first = 0) {
  const int c = first;
  domain::Role r;
  r.id = RoleId(row.GetText(c));
  r.key = row.GetString(c + 1);
  r.name = row.GetString(c + 2);
  r.description = row.GetOptString(c + 3);
  r.type = domain::ParseRoleType(row.GetText(c + 4)).value_or(domain::RoleType::kUser);
  r.is_default_role = row.GetBool(c + 5);
  if (!row.IsNull(c + 6)) r.assignment_permission_id = PermissionId(row.GetText(c + 6));
  r.created_at = row.GetInt(c + 7);
  return r;
}

inline constexpr std::string_view kPermissionColumns =
    "p.id, p.key, p.name, p.description, p.created_at";
inline constexpr int kPermissionColumnCount = 5;

inline domain::Permission ReadPermission(const Row& row, int first = 0) {
  const int c = first;
  return domain::Permission{.id = PermissionId(row.GetText(c)),
                            .key = row.GetString(c + 1),
                            .name = row.GetString(c + 2),
                            .description = row.GetOptString(c + 3),
                            .created_at = row.GetInt(c + 4)};
}

inline constexpr std::string_view kResourceScopeColumns =
    "s.id, s.resource_id, s.name, s.description, s.created_at";

inline domain::ResourceScope ReadResourceScope(const Row& row, int first = 0) {
  const int c = first;
  return domain::ResourceScope{.id = ResourceScopeId(row.GetText(c)),
                               .resource_id = ResourceId(row.GetText(c + 1)),
                               .name = row.GetString(c + 2),
                               .description = row.GetOptString(c + 3),
                               .created_at = row.GetInt(c + 4)};
}

inline constexpr std::string_view kApplicationColumns =
    "a.id, a.name, a.type, a.description, a.oidc_client_metadata, a.custom_client_metadata, "
    "a.custom_data, a.is_third_party, a.created_at";
inline constexpr int kApplicationColumnCount = 9;

inline domain::Application ReadApplication(const Row& row, int first = 0) {
  const int c = first;
  domain::Application a;
  a.id = ApplicationId(row.GetText(c));
  a.name = row.GetString(c + 1);
  a.type = domain::ParseApplicationType(row.GetText(c + 2))
               .value_or(domain::ApplicationType::kMachineToMachine);
  a.description = row.GetOptString(c + 3);
  a.oidc_client_metadata = row.GetString(c + 4);
  a.custom_client_metadata = row.GetString(c + 5);
  a.custom_data = row.GetString(c + 6);
  a.is_third_party = row.GetBool(c + 7);
  a.created_at = row.GetInt(c + 8);
  return a;
}

}  // namespace orgd::store::sql::internal
