#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.h"
#include "domain/model/page.h"

namespace orgd::domain {

// A user: one record for both dialects. Logto `primaryEmail` is Kinde `preferred_email`; Logto
// `avatar` is Kinde `picture`; Kinde `first_name`/`last_name` sit beside Logto `name`. JSON-valued
// fields (custom_data, profile, identities) hold compact JSON text the dialect validated.
struct User {
  UserId id;
  std::optional<std::string> username;       // unique, case-sensitive
  std::optional<std::string> primary_email;  // unique, case-insensitive
  std::optional<std::string> primary_phone;  // unique
  std::optional<std::string> name;
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  std::optional<std::string> avatar;
  std::string custom_data = "{}";
  std::string profile = "{}";
  std::string identities = "{}";
  // An Argon2id PHC string, or an imported digest; `password_algorithm` names the digest's
  // algorithm ("Argon2id" for hashes made here). Never leaves the server.
  std::optional<std::string> password_hash;
  std::optional<std::string> password_algorithm;
  std::optional<std::string> provided_id;  // Kinde external id, unique
  std::optional<std::string> application_id;
  bool is_suspended = false;
  bool is_password_reset_requested = false;
  std::optional<int64_t> last_sign_in_at;  // epoch ms
  int64_t created_at = 0;                  // epoch ms
  int64_t updated_at = 0;                  // epoch ms

  bool has_password() const { return password_hash.has_value(); }
};

// Creation input. `fields.id`, timestamps and password fields are set by the service. Give at
// most one of `password` (plain text, hashed by the service) or `password_digest` (imported,
// stored as given, with its `password_algorithm`).
// `organization`, when set, is joined with every default role in the same transaction as the
// create (Kinde `organization_code`). `username_ignores_case` makes the username clash check
// case-insensitive (the Kinde rule; Logto usernames are case-sensitive).
struct CreateUserInput {
  User fields;
  std::optional<std::string> password;
  std::optional<std::string> password_digest;
  std::optional<std::string> password_algorithm;
  std::optional<OrgId> organization;
  bool username_ignores_case = false;
};

// A partial update: each engaged field is written; for nullable columns the inner optional
// carries the new value or null.
struct UserPatch {
  std::optional<std::optional<std::string>> username;
  std::optional<std::optional<std::string>> primary_email;
  std::optional<std::optional<std::string>> primary_phone;
  std::optional<std::optional<std::string>> name;
  std::optional<std::optional<std::string>> first_name;
  std::optional<std::optional<std::string>> last_name;
  std::optional<std::optional<std::string>> avatar;
  std::optional<std::optional<std::string>> provided_id;
  std::optional<std::string> custom_data;
  std::optional<std::string> profile;
  std::optional<std::string> identities;
  std::optional<bool> is_suspended;
  std::optional<bool> is_password_reset_requested;
  std::optional<std::optional<int64_t>> last_sign_in_at;

  bool empty() const {
    return !username && !primary_email && !primary_phone && !name && !first_name && !last_name &&
           !avatar && !provided_id && !custom_data && !profile && !identities && !is_suspended &&
           !is_password_reset_requested && !last_sign_in_at;
  }
};

// Logto lists users newest first; Kinde in creation order. Ties by id.
enum class UserSort { kCreatedDesc, kCreatedAsc };

// The user fields the Logto search syntax can name (`search.<field>`).
enum class UserField { kId, kPrimaryEmail, kPrimaryPhone, kUsername, kName };

// How a search value is compared (Logto `mode`): `kLike` is SQL LIKE with the caller's own `%`
// and `_` wildcards (`_` is one code point) and no escape character; `kExact` is equality.
enum class UserMatchMode { kLike, kExact };

// One search term: matches a user when one of its fields matches one of its values.
struct UserSearchTerm {
  std::optional<UserField> field;  // nullopt: every UserField
  std::vector<std::string> values;
  UserMatchMode mode = UserMatchMode::kLike;
};

// The Logto search syntax: at most one term per field and one over every field, joined by AND
// (`match_all`) or OR. Unless `case_sensitive`, ASCII letters compare case-insensitively.
struct UserSearch {
  static constexpr size_t kMaxValuesPerTerm = 10;

  std::vector<UserSearchTerm> terms;
  bool match_all = false;
  bool case_sensitive = false;

  bool empty() const { return terms.empty(); }
};

struct UserListQuery {
  // Case-insensitive substring of id, primary email, primary phone, username or name; % and _
  // act as wildcards. Empty: no filter.
  std::string q;
  UserSearch search;
  // Exact filters (Kinde): within one list values OR, across lists AND; emails and usernames
  // compare case-insensitively. Empty lists do not filter. Values never contain commas.
  std::vector<UserId> ids;
  std::vector<std::string> emails;
  std::vector<std::string> usernames;
  std::vector<std::string> phones;
  std::optional<OrgId> exclude_org;      // users that are not members of this organization
  std::optional<bool> has_organization;  // users with (true) / without (false) any membership
  std::optional<int64_t> active_since;   // users whose last sign-in is at or after (epoch ms)
  UserSort sort = UserSort::kCreatedDesc;
  PageRequest page;
};

// A user with the organizations it belongs to (organization creation order), for the Kinde
// `expand=organizations`; `organizations` stays empty unless asked for.
struct UserWithOrganizations {
  User user;
  std::vector<OrgId> organizations;
};

using UserPage = Page<User>;

}  // namespace orgd::domain
