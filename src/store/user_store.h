#pragma once

#include <cstdint>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "domain/model/user.h"

namespace orgd::store {

// Users. Environment-wide (not organization data). Failures as described in store.h, plus the
// codes listed per method.
class UserStore {
 public:
  virtual ~UserStore() = default;

  // kAlreadyExists, subject "user", reason "id", "username", "email" (case-insensitive),
  // "phone" or "provided_id" on a clash.
  virtual Result<void> InsertUser(const domain::User& user) = 0;
  // kNotFound (subject "user") when absent.
  virtual Result<domain::User> GetUser(const UserId& id) = 0;
  // The users among `ids` that exist, in no particular order; unknown ids are left out.
  virtual Result<std::vector<domain::User>> GetUsers(const std::vector<UserId>& ids) = 0;
  // Applies the engaged fields, sets updated_at = now and returns the row as stored. kNotFound when
  // absent; kAlreadyExists as for InsertUser.
  virtual Result<domain::User> UpdateUser(const UserId& id, const domain::UserPatch& patch,
                                          int64_t now_ms) = 0;
  // Replaces the password hash and its algorithm. kNotFound when absent.
  virtual Result<void> SetUserPassword(const UserId& id, const std::string& hash,
                                       const std::string& algorithm, int64_t now_ms) = 0;
  // Deletes the user with its memberships and every grant it holds. kNotFound when absent.
  virtual Result<void> DeleteUser(const UserId& id) = 0;
  // The users `query` selects, in its order. kInvalidArgument (subject "limit", "offset" or
  // "after") for a negative limit or offset or a malformed cursor; (subject "search") for a search
  // term without values or with more than UserSearch::kMaxValuesPerTerm. Search terms for the same
  // field: the last one counts.
  virtual Result<domain::UserPage> ListUsers(const domain::UserListQuery& query) = 0;
};

}  // namespace orgd::store
