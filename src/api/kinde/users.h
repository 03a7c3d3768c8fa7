#pragma once

#include "api/handler.h"
#include "api/route_table.h"
#include "domain/user_service.h"

// Kinde dialect: /api/v1/user and /api/v1/users (contracts/kinde.md §3.13.1, shapes §2.2). A user
// created here gets a `kp_` id and is the same record the Logto dialect reads: its email, phone
// and username identities are Logto's `primaryEmail`, `primaryPhone` and `username`, `picture` is
// `avatar`, and `first_name` / `last_name` are `profile.givenName` / `profile.familyName`.
namespace orgd::api::kinde {

class UsersHandler {
 public:
  explicit UsersHandler(domain::UserService& users);

  // POST /api/v1/user → 200 {id, created, identities: [{type, result: {created}}]} (bare). With
  // `organization_code` the user joins that organization with its default roles in the same
  // transaction. 400 INVALID_TYPE, EMAIL_REQUIRED / PHONE_REQUIRED / USERNAME_REQUIRED,
  // INVALID_EMAIL, INVALID_IDENTITIES (a second identity of one type), ORGANIZATION_NOT_FOUND,
  // EMAIL_EXISTS / PHONE_EXISTS / USERNAME_EXISTS (case-insensitive), PROVIDED_ID_EXISTS; any
  // error leaves nothing behind.
  Result<http::Response> Create(const http::Request& request, const auth::Principal& caller);
  // GET /api/v1/user?id&expand → 200 user object (bare). 400 USER_ID_REQUIRED, USER_NOT_FOUND.
  Result<http::Response> Get(const http::Request& request, const auth::Principal& caller);
  // PATCH /api/v1/user?id → 200 {id, given_name, family_name, email, is_suspended,
  // is_password_reset_requested, picture}. 400 USER_ID_REQUIRED, NO_FIELDS_TO_UPDATE,
  // USER_NOT_FOUND, PROVIDED_ID_EXISTS.
  Result<http::Response> Update(const http::Request& request, const auth::Principal& caller);
  // DELETE /api/v1/user?id&is_delete_profile → 200 success_response; the user's memberships and
  // grants go with it. 400 USER_ID_REQUIRED, INVALID_IS_DELETE_PROFILE, USER_NOT_FOUND.
  Result<http::Response> Delete(const http::Request& request, const auth::Principal& caller);
  // GET /api/v1/users?page_size&next_token&user_id&email&username&phone&has_organization&
  // active_since&expand → 200 {code, message, users, next_token}, creation order, keyset pages.
  // 400 INVALID_PAGE_SIZE, PAGE_SIZE_LIMIT_EXCEEDED, INVALID_NEXT_TOKEN,
  // INVALID_HAS_ORGANIZATION, INVALID_ACTIVE_SINCE.
  Result<http::Response> List(const http::Request& request, const auth::Principal& caller);

 private:
  domain::UserService& users_;
};

// Registers the routes above with their scopes (contracts/kinde.md §5).
void AddUserRoutes(RouteTable& routes, domain::UserService& users);

}  // namespace orgd::api::kinde
