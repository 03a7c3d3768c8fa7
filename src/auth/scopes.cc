#include "auth/token_service.h"

#include <algorithm>
#include <string>
#include <vector>

namespace orgd::auth {

const std::vector<std::string>& KindeScopes() {
  // Copied from the Scope column of contracts/kinde.md §5 (every route of §3 is listed there),
  // spellings exact, including the upstream quirks delete:apis_scopes,
  // delete:apis_application_scopes and delete:organization_handles. Kept in byte order.
  static const std::vector<std::string> kScopes = {
      "create:api_application_scopes",
      "create:api_scopes",
      "create:apis",
      "create:connections",
      "create:feature_flags",
      "create:organization_connections",
      "create:organization_invites",
      "create:organization_user_api_scopes",
      "create:organization_user_permissions",
      "create:organization_user_roles",
      "create:organization_users",
      "create:organizations",
      "create:permissions",
      "create:properties",
      "create:property_categories",
      "create:role_scopes",
      "create:roles",
      "create:users",
      "delete:apis",
      "delete:apis_application_scopes",
      "delete:apis_scopes",
      "delete:connections",
      "delete:feature_flags",
      "delete:organization_connections",
      "delete:organization_feature_flags",
      "delete:organization_handles",
      "delete:organization_invites",
      "delete:organization_user_api_scopes",
      "delete:organization_user_mfa",
      "delete:organization_user_permissions",
      "delete:organization_user_roles",
      "delete:organization_users",
      "delete:organizations",
      "delete:permissions",
      "delete:properties",
      "delete:role_permissions",
      "delete:role_scopes",
      "delete:roles",
      "delete:users",
      "read:api_scopes",
      "read:apis",
      "read:connections",
      "read:organization_connections",
      "read:organization_feature_flags",
      "read:organization_invites",
      "read:organization_passkey",
      "read:organization_properties",
      "read:organization_user_mfa",
      "read:organization_user_permissions",
      "read:organization_user_roles",
      "read:organization_users",
      "read:organizations",
      "read:permissions",
      "read:properties",
      "read:property_categories",
      "read:role_permissions",
      "read:role_scopes",
      "read:roles",
      "read:users",
      "update:api_scopes",
      "update:apis",
      "update:connections",
      "update:feature_flags",
      "update:organization_feature_flags",
      "update:organization_mfa",
      "update:organization_passkey",
      "update:organization_properties",
      "update:organization_users",
      "update:organizations",
      "update:permissions",
      "update:properties",
      "update:property_categories",
      "update:role_permissions",
      "update:roles",
      "update:users",
  };
  return kScopes;
}

std::vector<std::string> AllScopes() {
  std::vector<std::string> scopes = KindeScopes();
  scopes.emplace_back(kLogtoScope);
  std::sort(scopes.begin(), scopes.end());
  scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
  return scopes;
}

}  // namespace orgd::auth
