#include "domain/membership_service.h"

#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "domain/reference_checks.h"

namespace orgd::domain {
namespace {

using store::Store;
using store::TxMode;

template <typename IdT>
std::vector<IdT> Dedup(const std::vector<IdT>& ids) {
  std::vector<IdT> out;
  std::unordered_set<IdT> seen;
  for (const IdT& id : ids) {
    if (seen.insert(id).second) out.push_back(id);
  }
  return out;
}

// Every user in `users` exists; otherwise kNotFound naming the first unknown one.
Result<void> CheckUsers(Store& tx, const std::vector<UserId>& users) {
  auto found = tx.GetUsers(users);
  if (!found) return std::move(found).error();
  return RequireEvery(users, *found, "user");
}

// Locks the organization (kNotFound with reason "foreign_key" when absent).
Result<void> LockOrg(Store& tx, const OrgId& org) {
  auto locked = tx.LockOrganization(org);
  if (!locked) {
    Error e = std::move(locked).error();
    if (e.code == ErrorCode::kNotFound) return std::move(e).WithReason("foreign_key");
    return e;
  }
  return {};
}

// The membership check of member-scoped operations: organization, user, then membership.
Result<void> RequireMember(Store& tx, const OrgId& org, const UserId& user) {
  auto member = tx.IsMember(org, user);
  if (!member) return std::move(member).error();
  if (*member) return {};
  ORGD_TRY(tx.GetOrganization(org));
  ORGD_TRY(tx.GetUser(user));
  return Error::FailedPrecondition("require_membership", "the user is not a member")
      .WithSubject("member");
}

}  // namespace

MembershipService::MembershipService(store::Store& store, const Clock& clock,
                                     ReadModel* read_model)
    : store_(store), clock_(clock), read_model_(read_model) {}

Result<std::vector<UserId>> MembershipService::AddMembers(const OrgId& org,
                                                          const std::vector<UserId>& users) {
  const std::vector<UserId> unique = Dedup(users);
  std::vector<UserId> added;
  ORGD_TRY(store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(LockOrg(tx, org));
    ORGD_TRY(CheckUsers(tx, unique));
    auto r = tx.AddMembers(org, unique, clock_.NowMillis());
    if (!r) return std::move(r).error();
    added = std::move(*r);
    return {};
  }));
  return added;
}

Result<MembershipDelta> MembershipService::ReplaceMembers(const OrgId& org,
                                                          const std::vector<UserId>& users) {
  const std::vector<UserId> wanted = Dedup(users);
  MembershipDelta delta;
  bool unknown_org = false;
  ORGD_TRY(store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    delta = MembershipDelta{};
    auto locked = LockOrg(tx, org);
    // Clearing the members of an organization that does not exist has nothing to do (Logto
    // answers 204 for `[]` whatever the parent).
    if (!locked && wanted.empty() && locked.error().code == ErrorCode::kNotFound) {
      unknown_org = true;
      return {};
    }
    ORGD_TRY(std::move(locked));
    ORGD_TRY(CheckUsers(tx, wanted));
    auto current = tx.ListMemberIds(org);
    if (!current) return std::move(current).error();
    const std::unordered_set<UserId> keep(wanted.begin(), wanted.end());
    for (const UserId& id : *current) {
      if (!keep.contains(id)) delta.removed.push_back(id);
    }
    if (!delta.removed.empty()) ORGD_TRY(tx.RemoveMembers(org, delta.removed));
    auto added = tx.AddMembers(org, wanted, clock_.NowMillis());
    if (!added) return std::move(added).error();
    delta.added = std::move(*added);
    return {};
  }));
  if (unknown_org) return MembershipDelta{};
  return delta;
}

Result<void> MembershipService::RemoveMember(const OrgId& org, const UserId& user) {
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    auto removed = tx.RemoveMember(org, user);
    if (removed || removed.error().code != ErrorCode::kNotFound) return removed;
    // Say why there was nothing to remove: the Kinde dialect names the missing entity.
    ORGD_TRY(tx.GetOrganization(org));
    ORGD_TRY(tx.GetUser(user));
    return removed;
  });
}

Result<std::shared_ptr<const MemberPage>> MembershipService::ListMembers(const OrgId& org, const MemberListQuery& query) {
  ListKey key;
  key.Add(org.value()).Add(query.q).Add(query.role_id ? query.role_id->value() : "");
  key.Add(query.role_id ? 1 : 0).Add(static_cast<int64_t>(query.all_roles.size()));
  for (const RoleId& role : query.all_roles) key.Add(role.value());
  key.Add(static_cast<int64_t>(query.all_permissions.size()));
  for (const PermissionId& permission : query.all_permissions) key.Add(permission.value());
  key.Add(static_cast<int64_t>(query.sort)).Add(query.page.limit).Add(query.page.offset);
  key.Add(query.page.want_total ? 1 : 0).Add(query.page.after ? 1 : 0);
  if (query.page.after) key.Add(query.page.after->sort_key).Add(query.page.after->id);
  return pages_.Through(read_model_, key.Take(), [&] { return store_.ListMembers(org, query); });
}

Result<MemberPage> MembershipService::ListMembersHolding(
    const OrgId& org, MemberListQuery query, const std::vector<std::string>& role_keys,
    const std::vector<std::string>& permission_keys) {
  MemberPage page;
  ORGD_TRY(store_.InTransaction(TxMode::kRead, [&](Store& tx) -> Result<void> {
    page = MemberPage{};
    ORGD_TRY(tx.GetOrganization(org));
    auto roles = tx.GetRolesByKey(role_keys);
    if (!roles) return std::move(roles).error();
    auto permissions = tx.GetPermissionsByKey(permission_keys);
    if (!permissions) return std::move(permissions).error();
    // A key that names nothing is held by nobody.
    for (const std::string& key : role_keys) {
      if (std::none_of(roles->begin(), roles->end(), [&](const Role& r) { return r.key == key; })) {
        return {};
      }
    }
    for (const std::string& key : permission_keys) {
      if (std::none_of(permissions->begin(), permissions->end(),
                       [&](const Permission& p) { return p.key == key; })) {
        return {};
      }
    }
    query.all_roles.clear();
    for (const Role& r : *roles) query.all_roles.push_back(r.id);
    query.all_permissions.clear();
    for (const Permission& p : *permissions) query.all_permissions.push_back(p.id);
    auto listed = tx.ListMembers(org, query);
    if (!listed) return std::move(listed).error();
    page = std::move(*listed);
    return {};
  }));
  return page;
}

Result<void> MembershipService::RequireMembership(const OrgId& org, const UserId& user) {
  if (read_model_ != nullptr) {
    auto member = read_model_->IsMember(org, user);
    if (member && *member) return {};
  }
  return store_.InTransaction(TxMode::kRead,
                              [&](Store& tx) { return RequireMember(tx, org, user); });
}

namespace {

// Adds `item.user_id` to `org` if not a member yet (with the default roles) and grants the
// item's roles and permissions by key. Returns whether the user joined. Requires: inside a write
// transaction that locked the org.
Result<bool> JoinWithGrants(Store& tx, const OrgId& org, const MemberGrantInput& item,
                            const std::vector<Role>& defaults, int64_t now) {
  ORGD_TRY(CheckUsers(tx, {item.user_id}));
  auto roles = tx.GetRolesByKey(item.role_keys);
  if (!roles) return std::move(roles).error();
  for (const std::string& key : item.role_keys) {
    if (std::none_of(roles->begin(), roles->end(), [&](const Role& r) { return r.key == key; })) {
      return MissingRef("role", key);
    }
  }
  auto permissions = tx.GetPermissionsByKey(item.permission_keys);
  if (!permissions) return std::move(permissions).error();
  for (const std::string& key : item.permission_keys) {
    if (std::none_of(permissions->begin(), permissions->end(),
                     [&](const Permission& p) { return p.key == key; })) {
      return MissingRef("permission", key);
    }
  }
  auto joined = tx.AddMembers(org, {item.user_id}, now);
  if (!joined) return std::move(joined).error();
  std::vector<RoleId> role_ids;
  for (const Role& r : *roles) role_ids.push_back(r.id);
  if (!joined->empty()) {
    for (const Role& r : defaults) role_ids.push_back(r.id);
  }
  ORGD_TRY(tx.AddMemberRoles(org, item.user_id, Dedup(role_ids), now));
  std::vector<PermissionId> permission_ids;
  for (const Permission& p : *permissions) permission_ids.push_back(p.id);
  ORGD_TRY(tx.AddMemberPermissions(org, item.user_id, Dedup(permission_ids), now));
  return !joined->empty();
}

// The keys of every item's roles and permissions, each once.
std::pair<std::vector<std::string>, std::vector<std::string>> GrantKeys(
    const std::vector<MemberGrantInput>& items) {
  std::vector<std::string> role_keys;
  std::vector<std::string> permission_keys;
  for (const MemberGrantInput& item : items) {
    role_keys.insert(role_keys.end(), item.role_keys.begin(), item.role_keys.end());
    permission_keys.insert(permission_keys.end(), item.permission_keys.begin(),
                           item.permission_keys.end());
  }
  return {Dedup(role_keys), Dedup(permission_keys)};
}

}  // namespace

// What JoinWithGrants does item by item, with every read and write made once for all items: the
// checks run in item order against what was read, so the first failing item reports the same
// error; the grants are the union of what each item would have granted (a user listed twice
// joins, and gets the default roles, at its first item).
Result<std::vector<UserId>> MembershipService::AddMembersWithGrants(
    const OrgId& org, const std::vector<MemberGrantInput>& users) {
  std::vector<UserId> added;
  ORGD_TRY(store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    added.clear();
    ORGD_TRY(LockOrg(tx, org));
    auto defaults = tx.ListDefaultRoles();
    if (!defaults) return std::move(defaults).error();
    std::vector<UserId> ids;
    for (const MemberGrantInput& item : users) ids.push_back(item.user_id);
    ids = Dedup(ids);
    auto found_users = tx.GetUsers(ids);
    if (!found_users) return std::move(found_users).error();
    std::unordered_set<UserId> known_users;
    for (const User& u : *found_users) known_users.insert(u.id);
    const auto [role_keys, permission_keys] = GrantKeys(users);
    auto roles = tx.GetRolesByKey(role_keys);
    if (!roles) return std::move(roles).error();
    std::unordered_map<std::string, RoleId> role_by_key;
    for (const Role& r : *roles) role_by_key.emplace(r.key, r.id);
    auto permissions = tx.GetPermissionsByKey(permission_keys);
    if (!permissions) return std::move(permissions).error();
    std::unordered_map<std::string, PermissionId> permission_by_key;
    for (const Permission& p : *permissions) permission_by_key.emplace(p.key, p.id);
    for (const MemberGrantInput& item : users) {
      if (!known_users.contains(item.user_id)) return MissingRef("user", item.user_id.value());
      for (const std::string& key : item.role_keys) {
        if (!role_by_key.contains(key)) return MissingRef("role", key);
      }
      for (const std::string& key : item.permission_keys) {
        if (!permission_by_key.contains(key)) return MissingRef("permission", key);
      }
    }

    const int64_t now = clock_.NowMillis();
    auto joined = tx.AddMembers(org, ids, now);
    if (!joined) return std::move(joined).error();
    std::unordered_set<UserId> joining(joined->begin(), joined->end());
    std::vector<store::MemberRoleGrant> role_grants;
    std::vector<store::MemberPermissionGrant> permission_grants;
    for (const MemberGrantInput& item : users) {
      for (const std::string& key : item.role_keys) {
        role_grants.push_back({item.user_id, role_by_key.at(key)});
      }
      if (joining.erase(item.user_id) > 0) {
        added.push_back(item.user_id);
        for (const Role& r : *defaults) role_grants.push_back({item.user_id, r.id});
      }
      for (const std::string& key : item.permission_keys) {
        permission_grants.push_back({item.user_id, permission_by_key.at(key)});
      }
    }
    // A listed role that is also a default one is one grant (most requests then write one row).
    std::sort(role_grants.begin(), role_grants.end(), [](const auto& a, const auto& b) {
      return std::tie(a.user, a.role) < std::tie(b.user, b.role);
    });
    role_grants.erase(std::unique(role_grants.begin(), role_grants.end(),
                                  [](const auto& a, const auto& b) {
                                    return a.user == b.user && a.role == b.role;
                                  }),
                      role_grants.end());
    if (!role_grants.empty()) ORGD_TRY(tx.AddMemberRoleGrants(org, role_grants, now));
    if (!permission_grants.empty()) {
      ORGD_TRY(tx.AddMemberPermissionGrants(org, permission_grants, now));
    }
    return {};
  }));
  return added;
}

Result<MembershipDelta> MembershipService::UpdateMembersWithGrants(
    const OrgId& org, const std::vector<MemberGrantInput>& users) {
  MembershipDelta delta;
  ORGD_TRY(store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    delta = MembershipDelta{};
    ORGD_TRY(LockOrg(tx, org));
    auto defaults = tx.ListDefaultRoles();
    if (!defaults) return std::move(defaults).error();
    const int64_t now = clock_.NowMillis();
    for (const MemberGrantInput& item : users) {
      if (item.remove) {
        auto member = tx.IsMember(org, item.user_id);
        if (!member) return std::move(member).error();
        if (!*member) continue;
        ORGD_TRY(tx.RemoveMember(org, item.user_id));
        delta.removed.push_back(item.user_id);
        continue;
      }
      auto joined = JoinWithGrants(tx, org, item, *defaults, now);
      if (!joined) return std::move(joined).error();
      (*joined ? delta.added : delta.updated).push_back(item.user_id);
    }
    return {};
  }));
  return delta;
}

Result<std::vector<RoleId>> MembershipService::ResolveRoles(const std::vector<RoleId>& ids,
                                                            const std::vector<std::string>& names) {
  std::vector<RoleId> out = ids;
  if (!names.empty()) {
    auto found = store_.GetRolesByKey(names);
    if (!found) return std::move(found).error();
    Error unknown = Error::NotFound("role").WithReason("names_not_found");
    std::string listed;
    for (const std::string& name : names) {
      auto it = std::find_if(found->begin(), found->end(),
                             [&](const Role& r) { return r.key == name; });
      if (it == found->end()) {
        unknown.fields[name] = "not_found";
        listed += (listed.empty() ? "" : ", ") + name;
      } else {
        out.push_back(it->id);
      }
    }
    if (!unknown.fields.empty()) {
      unknown.message = "unknown role names: " + listed;
      return unknown;
    }
  }
  return Dedup(out);
}

Result<std::vector<RoleId>> MembershipService::AssignMemberRoles(const OrgId& org,
                                                                 const UserId& user,
                                                                 const std::vector<RoleId>& roles) {
  const std::vector<RoleId> unique = Dedup(roles);
  std::vector<RoleId> added;
  ORGD_TRY(store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(RequireMember(tx, org, user));
    ORGD_TRY(LockOrg(tx, org));
    ORGD_TRY(CheckRolesOfType(tx, unique, RoleType::kUser));
    auto r = tx.AddMemberRoles(org, user, unique, clock_.NowMillis());
    if (!r) return std::move(r).error();
    added = std::move(*r);
    return {};
  }));
  return added;
}

Result<void> MembershipService::ReplaceMemberRoles(const OrgId& org, const UserId& user,
                                                   const std::vector<RoleId>& roles) {
  const std::vector<RoleId> unique = Dedup(roles);
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(RequireMember(tx, org, user));
    ORGD_TRY(LockOrg(tx, org));
    ORGD_TRY(CheckRolesOfType(tx, unique, RoleType::kUser));
    ORGD_TRY(tx.ClearMemberRoles(org, user));
    ORGD_TRY(tx.AddMemberRoles(org, user, unique, clock_.NowMillis()));
    return {};
  });
}

Result<void> MembershipService::RemoveMemberRole(const OrgId& org, const UserId& user,
                                                 const RoleId& role) {
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(RequireMember(tx, org, user));
    auto removed = tx.RemoveMemberRole(org, user, role);
    if (removed || removed.error().code != ErrorCode::kNotFound) return removed;
    ORGD_TRY(tx.GetRole(role));
    return removed;
  });
}

Result<std::vector<Role>> MembershipService::ListMemberRoles(const OrgId& org,
                                                             const UserId& user) {
  if (read_model_ != nullptr) {
    auto roles = read_model_->MemberRoles(org, user);
    if (roles && *roles) return std::move(**roles);
  }
  std::vector<Role> roles;
  ORGD_TRY(store_.InTransaction(TxMode::kRead, [&](Store& tx) -> Result<void> {
    ORGD_TRY(RequireMember(tx, org, user));
    auto r = tx.ListMemberRoles(org, user);
    if (!r) return std::move(r).error();
    roles = std::move(*r);
    return {};
  }));
  return roles;
}

Result<void> MembershipService::AssignRolesToMembers(const OrgId& org,
                                                     const std::vector<UserId>& users,
                                                     const std::vector<RoleId>& roles) {
  const std::vector<UserId> unique_users = Dedup(users);
  const std::vector<RoleId> unique_roles = Dedup(roles);
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(LockOrg(tx, org));
    auto members = tx.FindMembers(org, unique_users);
    if (!members) return std::move(members).error();
    const std::unordered_set<UserId> member_set(members->begin(), members->end());
    for (const UserId& user : unique_users) {
      if (!member_set.contains(user)) {
        return Error::NotFound("member", "not a member: " + user.value()).WithReason("foreign_key");
      }
    }
    ORGD_TRY(CheckRolesOfType(tx, unique_roles, RoleType::kUser));
    std::vector<store::MemberRoleGrant> grants;
    grants.reserve(unique_users.size() * unique_roles.size());
    for (const UserId& user : unique_users) {
      for (const RoleId& role : unique_roles) grants.push_back({user, role});
    }
    if (!grants.empty()) ORGD_TRY(tx.AddMemberRoleGrants(org, grants, clock_.NowMillis()));
    return {};
  });
}

Result<void> MembershipService::GrantMemberPermissions(
    const OrgId& org, const UserId& user, const std::vector<PermissionId>& permissions) {
  const std::vector<PermissionId> unique = Dedup(permissions);
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(RequireMember(tx, org, user));
    ORGD_TRY(LockOrg(tx, org));
    ORGD_TRY(CheckPermissions(tx, unique));
    ORGD_TRY(tx.AddMemberPermissions(org, user, unique, clock_.NowMillis()));
    return {};
  });
}

Result<void> MembershipService::RevokeMemberPermission(const OrgId& org, const UserId& user,
                                                       const PermissionId& permission) {
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(RequireMember(tx, org, user));
    ORGD_TRY(tx.GetPermission(permission));
    return tx.RemoveMemberPermission(org, user, permission);
  });
}

namespace {

Result<void> CheckScopeOf(Store& tx, const ResourceId& resource, const ResourceScopeId& scope) {
  ORGD_TRY(tx.GetResource(resource));
  auto s = tx.GetResourceScope(scope);
  if (!s) return std::move(s).error();
  if (s->resource_id != resource) return Error::NotFound("resource_scope");
  return {};
}

}  // namespace

Result<void> MembershipService::GrantMemberApiScope(const OrgId& org, const UserId& user,
                                                    const ResourceId& resource,
                                                    const ResourceScopeId& scope) {
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(RequireMember(tx, org, user));
    ORGD_TRY(CheckScopeOf(tx, resource, scope));
    return tx.AddMemberApiScope(org, user, scope, clock_.NowMillis());
  });
}

Result<void> MembershipService::RevokeMemberApiScope(const OrgId& org, const UserId& user,
                                                     const ResourceId& resource,
                                                     const ResourceScopeId& scope) {
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(RequireMember(tx, org, user));
    ORGD_TRY(CheckScopeOf(tx, resource, scope));
    return tx.RemoveMemberApiScope(org, user, scope);
  });
}

Result<std::vector<EffectivePermission>> MembershipService::EffectivePermissions(
    const OrgId& org, const UserId& user) {
  if (read_model_ != nullptr) {
    auto permissions = read_model_->EffectivePermissions(org, user);
    if (permissions && *permissions) return std::move(**permissions);
  }
  std::vector<EffectivePermission> out;
  ORGD_TRY(store_.InTransaction(TxMode::kRead, [&](Store& tx) -> Result<void> {
    ORGD_TRY(RequireMember(tx, org, user));
    auto r = tx.ListEffectivePermissions(org, user);
    if (!r) return std::move(r).error();
    out = std::move(*r);
    return {};
  }));
  return out;
}

Result<std::vector<Permission>> MembershipService::MemberRoleScopes(const OrgId& org,
                                                                    const UserId& user) {
  std::vector<Permission> out;
  ORGD_TRY(ForEachMemberRoleScope(org, user, [&](const Permission& p) { out.push_back(p); }));
  return out;
}

Result<void> MembershipService::ForEachMemberRoleScope(
    const OrgId& org, const UserId& user, const std::function<void(const Permission&)>& each) {
  if (read_model_ != nullptr && read_model_->ForEachMemberRoleScope(org, user, each)) return {};
  auto scopes = store_.ListMemberRolePermissions(org, user);
  if (!scopes) return std::move(scopes).error();
  for (const Permission& p : *scopes) each(p);
  return {};
}

Result<Page<UserId>> MembershipService::ListRoleHolders(const OrgId& org, const RoleId& role,
                                                        const PageRequest& page) {
  Page<UserId> out;
  ORGD_TRY(store_.InTransaction(TxMode::kRead, [&](Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetOrganization(org));
    ORGD_TRY(tx.GetRole(role));
    auto r = tx.ListRoleHolders(org, role, page);
    if (!r) return std::move(r).error();
    out = std::move(*r);
    return {};
  }));
  return out;
}

Result<int64_t> MembershipService::CountRoleHolders(const OrgId& org, const RoleId& role) {
  int64_t count = 0;
  ORGD_TRY(store_.InTransaction(TxMode::kRead, [&](Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetOrganization(org));
    ORGD_TRY(tx.GetRole(role));
    auto r = tx.CountRoleHolders(org, role);
    if (!r) return std::move(r).error();
    count = *r;
    return {};
  }));
  return count;
}

Result<int64_t> MembershipService::CountActiveRoleHolders(const OrgId& org, const RoleId& role,
                                                          int64_t from_ms, int64_t to_ms) {
  constexpr int64_t kMaxWindowMs = int64_t{3} * 24 * 60 * 60 * 1000;
  if (to_ms < from_ms) {
    return Error::InvalidArgument("date_time_to must not be earlier than date_time_from",
                                  "date_time_to")
        .WithReason("invalid_date_time");
  }
  if (to_ms - from_ms >= kMaxWindowMs) {
    return Error::InvalidArgument("The requested window must not exceed 3 days", "date_time_to")
        .WithReason("date_time_range_too_large");
  }
  ORGD_TRY(store_.InTransaction(TxMode::kRead, [&](Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetOrganization(org));
    ORGD_TRY(tx.GetRole(role));
    return {};
  }));
  return int64_t{0};
}

namespace {

Result<void> CheckRoleIds(Store& tx, const std::vector<RoleId>& roles) {
  auto found = tx.GetRoles(roles);
  if (!found) return std::move(found).error();
  std::unordered_set<RoleId> known;
  for (const Role& r : *found) known.insert(r.id);
  for (const RoleId& id : roles) {
    if (!known.contains(id)) return MissingRef("role", id.value());
  }
  return {};
}

}  // namespace

Result<void> MembershipService::AddJitRoles(const OrgId& org, const std::vector<RoleId>& roles) {
  const std::vector<RoleId> unique = Dedup(roles);
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    ORGD_TRY(LockOrg(tx, org));
    ORGD_TRY(CheckRoleIds(tx, unique));
    ORGD_TRY(tx.AddJitRoles(org, unique, clock_.NowMillis()));
    return {};
  });
}

Result<void> MembershipService::ReplaceJitRoles(const OrgId& org,
                                                const std::vector<RoleId>& roles) {
  if (Dedup(roles).size() != roles.size()) {
    return Error::AlreadyExists("role", "duplicate", "a role id is listed twice");
  }
  return store_.InTransaction(TxMode::kWrite, [&](Store& tx) -> Result<void> {
    auto locked = LockOrg(tx, org);
    if (!locked && roles.empty() && locked.error().code == ErrorCode::kNotFound) return {};
    ORGD_TRY(std::move(locked));
    ORGD_TRY(CheckRoleIds(tx, roles));
    ORGD_TRY(tx.ClearJitRoles(org));
    ORGD_TRY(tx.AddJitRoles(org, roles, clock_.NowMillis()));
    return {};
  });
}

Result<void> MembershipService::RemoveJitRole(const OrgId& org, const RoleId& role) {
  return store_.RemoveJitRole(org, role);
}

Result<std::vector<Role>> MembershipService::ListJitRoles(const OrgId& org) {
  std::vector<Role> roles;
  ORGD_TRY(store_.InTransaction(TxMode::kRead, [&](Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetOrganization(org));
    auto r = tx.ListJitRoles(org);
    if (!r) return std::move(r).error();
    roles = std::move(*r);
    return {};
  }));
  return roles;
}

}  // namespace orgd::domain
