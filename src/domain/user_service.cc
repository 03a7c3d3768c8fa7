#include "domain/user_service.h"

#include <string>
#include <utility>

#include "domain/membership_service.h"

namespace orgd::domain {
namespace {

constexpr int kIdAttempts = 3;

// The store runs searches as one fixed statement: one term per field (and one over every field),
// each with a bounded number of values.
Result<void> CheckSearch(const UserSearch& search) {
  for (size_t i = 0; i < search.terms.size(); ++i) {
    const UserSearchTerm& term = search.terms[i];
    if (term.values.empty() || term.values.size() > UserSearch::kMaxValuesPerTerm) {
      return Error::InvalidArgument("a search field takes 1 to " +
                                    std::to_string(UserSearch::kMaxValuesPerTerm) + " values")
          .WithReason("business");
    }
    for (size_t j = 0; j < i; ++j) {
      if (search.terms[j].field == term.field) {
        return Error::InvalidArgument("a search field is given twice").WithReason("business");
      }
    }
  }
  return {};
}

Result<std::vector<OrgId>> OrganizationIdsOf(store::Store& tx, const UserId& id) {
  auto orgs = tx.ListUserOrganizations(id);
  if (!orgs) return std::move(orgs).error();
  std::vector<OrgId> ids;
  ids.reserve(orgs->size());
  for (OrganizationWithRoles& org : *orgs) ids.push_back(std::move(org.organization.id));
  return ids;
}

}  // namespace

UserService::UserService(store::Store& store, const Clock& clock, IdGenerator& ids,
                         const PasswordHasher& hasher)
    : store_(store), clock_(clock), ids_(ids), hasher_(hasher) {}

Result<User> UserService::Create(const CreateUserInput& input, IdStyle style) {
  if (input.password && input.password_digest) {
    return Error::InvalidArgument("give a password or a digest, not both", "password");
  }
  if (input.password_digest && !input.password_algorithm) {
    return Error::InvalidArgument("a password digest needs its algorithm", "password_algorithm");
  }
  User user = input.fields;
  user.password_hash.reset();
  user.password_algorithm.reset();
  // Hashing is slow on purpose; it runs before the transaction so that no lock waits for it.
  if (input.password) {
    auto hash = hasher_.Hash(*input.password);
    if (!hash) return std::move(hash).error();
    user.password_hash = std::move(*hash);
    user.password_algorithm = std::string(hasher_.algorithm());
  } else if (input.password_digest) {
    user.password_hash = input.password_digest;
    user.password_algorithm = input.password_algorithm;
  }
  const int64_t now = clock_.NowMillis();
  user.created_at = now;
  user.updated_at = now;
  // A clash on the freshly minted id retries the whole transaction: inside it, PostgreSQL would
  // refuse every statement after the failed insert.
  for (int attempt = 1;; ++attempt) {
    auto created = store_.InTransaction(store::TxMode::kWrite, [&](store::Store& tx) {
      return CreateOnce(tx, input, user, style);
    });
    if (created) return user;
    const Error& e = created.error();
    if (e.code == ErrorCode::kAlreadyExists && e.reason == "id" && attempt < kIdAttempts) continue;
    return std::move(created).error();
  }
}

Result<void> UserService::CreateOnce(store::Store& tx, const CreateUserInput& input, User& user,
                                     IdStyle style) {
  if (input.organization) ORGD_TRY(tx.GetOrganization(*input.organization));
  if (input.username_ignores_case && user.username) {
    UserListQuery clash;
    clash.usernames = {*user.username};
    clash.page.limit = 1;
    auto found = tx.ListUsers(clash);
    if (!found) return std::move(found).error();
    if (!found->items.empty()) return Error::AlreadyExists("user", "username");
  }
  user.id = UserId(ids_.Next(IdKind::kUser, style));
  ORGD_TRY(tx.InsertUser(user));
  if (input.organization) {
    // `tx` is bound to this transaction, so the membership rules run inside it.
    MembershipService members(tx, clock_);
    auto joined = members.AddMembersWithGrants(*input.organization, {MemberGrantInput{user.id}});
    if (!joined) return std::move(joined).error();
  }
  if (after_create_) ORGD_TRY(after_create_(tx, user));
  return {};
}

Result<User> UserService::Get(const UserId& id) { return store_.GetUser(id); }

Result<UserWithOrganizations> UserService::GetWithOrganizations(const UserId& id,
                                                                bool with_organizations) {
  UserWithOrganizations out;
  ORGD_TRY(store_.InTransaction(store::TxMode::kRead, [&](store::Store& tx) -> Result<void> {
    auto user = tx.GetUser(id);
    if (!user) return std::move(user).error();
    out.user = std::move(*user);
    if (with_organizations) {
      auto orgs = OrganizationIdsOf(tx, id);
      if (!orgs) return std::move(orgs).error();
      out.organizations = std::move(*orgs);
    }
    return {};
  }));
  return out;
}

Result<User> UserService::Update(const UserId& id, const UserPatch& patch) {
  if (patch.empty()) return store_.GetUser(id);
  return store_.UpdateUser(id, patch, clock_.NowMillis());
}

Result<User> UserService::UpdateWith(
    const UserId& id, const std::function<Result<UserPatch>(const User& current)>& make_patch) {
  User updated;
  ORGD_TRY(store_.InTransaction(store::TxMode::kWrite, [&](store::Store& tx) -> Result<void> {
    auto current = tx.GetUser(id);
    if (!current) return std::move(current).error();
    auto patch = make_patch(*current);
    if (!patch) return std::move(patch).error();
    if (patch->empty()) {
      updated = std::move(*current);
      return {};
    }
    auto result = tx.UpdateUser(id, *patch, clock_.NowMillis());
    if (!result) return std::move(result).error();
    updated = std::move(*result);
    return {};
  }));
  return updated;
}

Result<void> UserService::SetPassword(const UserId& id, std::string_view password) {
  auto hash = hasher_.Hash(password);
  if (!hash) return std::move(hash).error();
  return store_.SetUserPassword(id, *hash, std::string(hasher_.algorithm()), clock_.NowMillis());
}

Result<void> UserService::Delete(const UserId& id) { return store_.DeleteUser(id); }

Result<UserPage> UserService::List(const UserListQuery& query) {
  ORGD_TRY(CheckSearch(query.search));
  return store_.ListUsers(query);
}

Result<Page<UserWithOrganizations>> UserService::ListWithOrganizations(const UserListQuery& query,
                                                                       bool with_organizations) {
  ORGD_TRY(CheckSearch(query.search));
  Page<UserWithOrganizations> out;
  ORGD_TRY(store_.InTransaction(store::TxMode::kRead, [&](store::Store& tx) -> Result<void> {
    auto page = tx.ListUsers(query);
    if (!page) return std::move(page).error();
    out = Page<UserWithOrganizations>{
        .total = page->total, .has_more = page->has_more, .last = std::move(page->last)};
    out.items.reserve(page->items.size());
    for (User& user : page->items) {
      UserWithOrganizations item{.user = std::move(user)};
      if (with_organizations) {
        auto orgs = OrganizationIdsOf(tx, item.user.id);
        if (!orgs) return std::move(orgs).error();
        item.organizations = std::move(*orgs);
      }
      out.items.push_back(std::move(item));
    }
    return {};
  }));
  return out;
}

Result<std::vector<OrganizationWithRoles>> UserService::ListOrganizations(const UserId& id) {
  std::vector<OrganizationWithRoles> out;
  ORGD_TRY(store_.InTransaction(store::TxMode::kRead, [&](store::Store& tx) -> Result<void> {
    ORGD_TRY(tx.GetUser(id));
    auto orgs = tx.ListUserOrganizations(id);
    if (!orgs) return std::move(orgs).error();
    out = std::move(*orgs);
    return {};
  }));
  return out;
}

}  // namespace orgd::domain
