#pragma once

#include "common/clock.h"
#include "common/id_generator.h"
#include "common/result.h"
#include "domain/model/membership.h"
#include "domain/model/user.h"
#include "domain/password_hasher.h"
#include "store/store.h"

namespace orgd::domain {

// Users, shared by both dialects. Field shapes are checked by the dialect; this service checks
// what holds whatever the dialect. Thread-safe.
class UserService {
 public:
  UserService(store::Store& store, const Clock& clock, IdGenerator& ids,
              const PasswordHasher& hasher);

  // Creates a user with a new id in `style`'s format; a plain password is hashed, a digest is
  // stored with its algorithm. kInvalidArgument (field "password") when both a password and a
  // digest are given, or a digest without its algorithm (field "password_algorithm");
  // kAlreadyExists (subject "user", reason "username" / "email" / "phone" / "provided_id").
  Result<User> Create(const CreateUserInput& input, IdStyle style);
  // kNotFound (subject "user").
  Result<User> Get(const UserId& id);
  // kNotFound; kAlreadyExists as for Create. An empty patch returns the user unchanged.
  Result<User> Update(const UserId& id, const UserPatch& patch);
  // Hashes and stores a new password. kNotFound.
  Result<void> SetPassword(const UserId& id, std::string_view password);
  // Deletes the user with its memberships and grants everywhere. kNotFound.
  Result<void> Delete(const UserId& id);
  Result<UserPage> List(const UserListQuery& query);
  // The user's organizations with its roles there. kNotFound (subject "user") for an unknown
  // user (Logto GET /users/{id}/organizations).
  Result<std::vector<OrganizationWithRoles>> ListOrganizations(const UserId& id);

 private:
  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
  const PasswordHasher& hasher_;
};

}  // namespace orgd::domain
