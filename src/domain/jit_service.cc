#include "domain/jit_service.h"

#include <utility>

namespace orgd::domain {

std::optional<std::string> EmailDomain(std::string_view email) {
  size_t at = email.rfind('@');
  if (at == std::string_view::npos || at + 1 >= email.size()) return std::nullopt;
  std::string domain(email.substr(at + 1));
  for (char& c : domain) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return domain;
}

JitService::JitService(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

Result<ProvisionResult> JitService::Provision(const ProvisionInput& input) {
  ProvisionResult result;
  ORGD_TRY(store_.InTransaction(store::TxMode::kWrite, [&](store::Store& tx) -> Result<void> {
    auto r = ProvisionIn(tx, input);
    if (!r) return std::move(r).error();
    result = std::move(*r);
    return {};
  }));
  return result;
}

Result<ProvisionResult> JitService::ProvisionIn(store::Store& tx,
                                                const ProvisionInput& input) const {
  auto user = tx.GetUser(input.user_id);
  if (!user) return std::move(user).error();

  std::vector<OrgId> orgs;
  if (input.connection_id) {
    auto linked = tx.ListConnectionOrganizations(*input.connection_id);
    if (!linked) return std::move(linked).error();
    orgs = std::move(*linked);
  } else {
    const std::optional<std::string>& email = input.email ? input.email : user->primary_email;
    std::optional<std::string> domain = email ? EmailDomain(*email) : std::nullopt;
    if (domain) {
      auto matched = tx.ListOrganizationsByEmailDomain(*domain);
      if (!matched) return std::move(matched).error();
      orgs = std::move(*matched);
    }
  }

  ProvisionResult result;
  const int64_t now = clock_.NowMillis();
  for (const OrgId& org : orgs) {
    // An organization deleted since the lookup simply drops out.
    auto locked = tx.LockOrganization(org);
    if (!locked) {
      if (locked.error().code == ErrorCode::kNotFound) continue;
      return std::move(locked).error();
    }
    auto joined = tx.AddMembers(org, {input.user_id}, now);
    if (!joined) return std::move(joined).error();
    auto jit_roles = tx.ListJitRoles(org);
    if (!jit_roles) return std::move(jit_roles).error();
    std::vector<RoleId> role_ids;
    role_ids.reserve(jit_roles->size());
    for (const Role& role : *jit_roles) role_ids.push_back(role.id);
    auto granted = tx.AddMemberRoles(org, input.user_id, role_ids, now);
    if (!granted) return std::move(granted).error();
    if (joined->empty() && granted->empty()) continue;
    result.organizations.push_back(ProvisionedOrganization{
        .org_id = org, .joined = !joined->empty(), .granted_roles = std::move(*granted)});
  }
  return result;
}

}  // namespace orgd::domain
