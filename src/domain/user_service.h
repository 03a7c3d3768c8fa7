#pragma once

#include <functional>
#include <vector>

#include "common/clock.h"
#include "common/id_generator.h"
#include "common/result.h"
#include "domain/model/membership.h"
#include "domain/model/user.h"
#include "domain/password_hasher.h"
#include "store/store.h"

namespace orgd::domain {

// Users, shared by both dialects: one record per user, whichever dialect created it. Field shapes
// are checked by the dialect; this service checks what holds whatever the dialect. Thread-safe.
//
// Error vocabulary (the dialects map (code, subject, reason)):
// * kInvalidArgument, subject "password": both a password and a digest; subject
//   "password_algorithm": a digest without its algorithm; reason "business": a search with a
//   field given twice, or a term with no values or more than UserSearch::kMaxValuesPerTerm.
// * kAlreadyExists, subject "user", reason "username" / "email" (case-insensitive) / "phone" /
//   "provided_id": a uniqueness clash.
// * kNotFound, subject "user": unknown user; subject "organization": the organization to join on
//   create does not exist.
class UserService {
 public:
  UserService(store::Store& store, const Clock& clock, IdGenerator& ids,
              const PasswordHasher& hasher);

  // Creates a user with a new id in `style`'s format; a plain password is hashed, a digest is
  // stored with its algorithm. With `input.organization`, the user joins it with every default
  // role in the same transaction: an unknown organization or any clash leaves nothing behind.
  // Errors: the password rules, kNotFound (subject "organization"), kAlreadyExists.
  Result<User> Create(const CreateUserInput& input, IdStyle style);
  // A step that runs inside every user-creation transaction, after the insert (and the Kinde
  // organization join): its failure rolls the creation back. Set once, before serving
  // (--jit-on-user-create provisions the new user here).
  using AfterCreate = std::function<Result<void>(store::Store& tx, const User& user)>;
  void SetAfterCreate(AfterCreate after_create) { after_create_ = std::move(after_create); }
  // kNotFound (subject "user").
  Result<User> Get(const UserId& id);
  // The user, and with `with_organizations` the organizations it belongs to. kNotFound.
  Result<UserWithOrganizations> GetWithOrganizations(const UserId& id, bool with_organizations);
  // kNotFound; kAlreadyExists as for Create. An empty patch returns the user unchanged.
  Result<User> Update(const UserId& id, const UserPatch& patch);
  // Reads the user and applies the patch `make_patch` builds from it, in one write transaction
  // (for a patch computed from stored JSON, such as a profile edit). kNotFound; any error of
  // `make_patch`; kAlreadyExists as for Create.
  Result<User> UpdateWith(const UserId& id,
                          const std::function<Result<UserPatch>(const User& current)>& make_patch);
  // Hashes and stores a new password. kNotFound.
  Result<void> SetPassword(const UserId& id, std::string_view password);
  // Deletes the user with its memberships and grants everywhere. kNotFound.
  Result<void> Delete(const UserId& id);
  // Lists users as `query` says. kInvalidArgument (reason "business") for a search the store
  // cannot run (see above); kInvalidArgument (subject "limit" / "offset" / "after") for bad paging.
  Result<UserPage> List(const UserListQuery& query);
  // As List, each user with its organizations when `with_organizations`, in one read transaction.
  Result<Page<UserWithOrganizations>> ListWithOrganizations(const UserListQuery& query,
                                                            bool with_organizations);
  // The user's organizations with its roles there. kNotFound (subject "user") for an unknown
  // user (Logto GET /users/{id}/organizations).
  Result<std::vector<OrganizationWithRoles>> ListOrganizations(const UserId& id);

 private:
  Result<void> CreateOnce(store::Store& tx, const CreateUserInput& input, User& user,
                          IdStyle style);

  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
  const PasswordHasher& hasher_;
  AfterCreate after_create_;
};

}  // namespace orgd::domain
