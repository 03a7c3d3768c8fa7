#include "domain/user_service.h"

#include <utility>

namespace orgd::domain {
namespace {

constexpr int kIdAttempts = 3;

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
  for (int attempt = 1;; ++attempt) {
    user.id = UserId(ids_.Next(IdKind::kUser, style));
    auto inserted = store_.InsertUser(user);
    if (inserted) return user;
    const Error& e = inserted.error();
    if (e.code == ErrorCode::kAlreadyExists && e.reason == "id" && attempt < kIdAttempts) continue;
    return std::move(inserted).error();
  }
}

Result<User> UserService::Get(const UserId& id) { return store_.GetUser(id); }

Result<User> UserService::Update(const UserId& id, const UserPatch& patch) {
  if (patch.empty()) return store_.GetUser(id);
  return store_.UpdateUser(id, patch, clock_.NowMillis());
}

Result<void> UserService::SetPassword(const UserId& id, std::string_view password) {
  auto hash = hasher_.Hash(password);
  if (!hash) return std::move(hash).error();
  return store_.SetUserPassword(id, *hash, std::string(hasher_.algorithm()), clock_.NowMillis());
}

Result<void> UserService::Delete(const UserId& id) { return store_.DeleteUser(id); }

Result<UserPage> UserService::List(const UserListQuery& query) { return store_.ListUsers(query); }

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
