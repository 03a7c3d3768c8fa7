#pragma once

#include "api/handler.h"
#include "api/route_table.h"
#include "domain/user_service.h"

// Logto dialect: /api/users (contracts/logto.md §3.9.1, shapes §2.1 and §2.5). A user created
// here gets a 12-character id and is the same record the Kinde dialect reads: `primaryEmail` is
// Kinde's `preferred_email`, `avatar` its `picture`, `profile.givenName` / `profile.familyName`
// its `first_name` / `last_name`.
namespace orgd::api::logto {

class UsersHandler {
 public:
  explicit UsersHandler(domain::UserService& users);

  // POST /api/users → 200 user profile response (UserInfo + hasPassword). 400 guard.invalid_input
  // for a field that breaks its rule; 400 user.password_and_digest; 400
  // user.password_algorithm_required; 422 entity.value_too_long for a `name` over 128 characters;
  // 422 user.username_already_in_use / user.email_already_in_use / user.phone_already_in_use.
  Result<http::Response> Create(const http::Request& request, const auth::Principal& caller);
  // GET /api/users?page&page_size&search…&excludeOrganizationId → 200 user profile response[],
  // newest first, with Total-Number and Link. 400 guard.invalid_pagination; 400
  // request.invalid_input for bad search syntax, `similar_to` / `posix`, or both
  // `excludeRoleId` and `excludeOrganizationId`.
  Result<http::Response> List(const http::Request& request, const auth::Principal& caller);
  // GET /api/users/{userId} → 200 user profile response; 404 entity.not_found.
  Result<http::Response> Get(const http::Request& request, const auth::Principal& caller);
  // DELETE /api/users/{userId} → 204, with the user's memberships and roles; 404 entity.not_found.
  Result<http::Response> Delete(const http::Request& request, const auth::Principal& caller);
  // GET /api/users/{userId}/organizations → 200 OrganizationWithRoles[] (not paginated); 404
  // entity.not_found for an unknown user.
  Result<http::Response> ListOrganizations(const http::Request& request,
                                           const auth::Principal& caller);

 private:
  domain::UserService& users_;
};

// Registers the routes above (scope "all").
void AddUserRoutes(RouteTable& routes, domain::UserService& users);

}  // namespace orgd::api::logto
