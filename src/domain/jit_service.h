#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "domain/model/connection.h"
#include "store/store.h"

namespace orgd::domain {

// How a user arrived, for JIT provisioning: through an enabled connection (SSO connector), or by
// an email address (the user's primary email when `email` is absent).
struct ProvisionInput {
  UserId user_id;
  std::optional<std::string> email;
  std::optional<ConnectionId> connection_id;
};

// What provisioning granted in one organization: whether the user joined it, and the JIT roles
// newly granted there (in the organization's JIT role order).
struct ProvisionedOrganization {
  OrgId org_id;
  bool joined = false;
  std::vector<RoleId> granted_roles;
};

// Organizations where something was granted, in organization creation order. Empty when
// nothing changed.
struct ProvisionResult {
  std::vector<ProvisionedOrganization> organizations;
};

// Just-in-time provisioning: the one entry point (DESIGN.md) that the provisioning endpoint, and
// user creation when the server runs with --jit-on-user-create, call. Thread-safe.
//
// Matching (contracts/logto.md §3.5): with a connection, the organizations it is enabled for
// (email domains are not consulted); otherwise the domain after the last '@' of the email,
// compared ASCII-case-insensitively with each organization's JIT email domains, whole domain only
// ("mail.example.org" does not match "example.org"). In each matching organization the user
// becomes a member if not one yet and receives every JIT role of that organization not yet held;
// roles already held stay. JIT email domains apply whatever the organization's Kinde
// is_auto_join_domain_list says: they are the Logto dialect's JIT rule, and the Kinde dialect
// reads the same rows as allowed_domains.
class JitService {
 public:
  JitService(store::Store& store, const Clock& clock);

  // Provisions the user in one write transaction and reports what it granted; running it again
  // with the same input grants nothing. kNotFound (subject "user") for an unknown user, nothing
  // granted. An unknown connection, or no email at all, matches no organization.
  Result<ProvisionResult> Provision(const ProvisionInput& input);
  // As Provision, inside the caller's transaction (user creation with --jit-on-user-create).
  // Requires: `tx` is the store of a kWrite InTransaction callback.
  Result<ProvisionResult> ProvisionIn(store::Store& tx, const ProvisionInput& input) const;

 private:
  store::Store& store_;
  const Clock& clock_;
};

// The lower-cased domain after the last '@' of `email`; nullopt when there is none.
std::optional<std::string> EmailDomain(std::string_view email);

}  // namespace orgd::domain
