// Users: the SqlStore members declared in sql_store.h (UserStore).

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/sql/rows.h"
#include "store/sql/sql_common.h"
#include "store/sql/sql_store.h"

namespace orgd::store::sql {
namespace {

using internal::AsciiLower;
using internal::kJoin;
using internal::OptAsciiLower;

// The unique indexes of migrations/*/0004_members_roles.sql, as each engine names them.
Error MapUserUnique(Error error) {
  return internal::MapUnique(std::move(error), "user",
                             {
                                 {"users.username", "username"},
                                 {"users_username_key", "username"},
                                 {"users.primary_email_lower", "email"},
                                 {"users_primary_email_lower_key", "email"},
                                 {"users.primary_phone", "phone"},
                                 {"users_primary_phone_key", "phone"},
                                 {"users.provided_id", "provided_id"},
                                 {"users_provided_id_key", "provided_id"},
                                 {"users.id", "id"},
                                 {"users_pkey", "id"},
                             });
}

constexpr std::string_view kSelect = "SELECT ";
constexpr std::string_view kFromUsers = " FROM users u ";
constexpr std::string_view kWhereId = "WHERE u.id = $1";
constexpr std::string_view kGetUser = kJoin<kSelect, internal::kUserColumns, kFromUsers, kWhereId>;

constexpr std::string_view kInsertUser =
    "INSERT INTO users (id, username, username_lower, primary_email, primary_email_lower, "
    "primary_phone, name, name_lower, first_name, last_name, avatar, custom_data, profile, "
    "identities, password_hash, password_algorithm, provided_id, application_id, is_suspended, "
    "is_password_reset_requested, last_sign_in_at, created_at, updated_at) VALUES ($1, $2, $3, $4, "
    "$5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)";

// Non-null columns take COALESCE($n, col); nullable ones a flag and a value (see
// sql_store.cc's kUpdateOrganization for why).
constexpr std::string_view kUpdateUser =
    "UPDATE users SET "
    "username = CASE WHEN $2 = 1 THEN $3 ELSE username END, "
    "username_lower = CASE WHEN $2 = 1 THEN $4 ELSE username_lower END, "
    "primary_email = CASE WHEN $5 = 1 THEN $6 ELSE primary_email END, "
    "primary_email_lower = CASE WHEN $5 = 1 THEN $7 ELSE primary_email_lower END, "
    "primary_phone = CASE WHEN $8 = 1 THEN $9 ELSE primary_phone END, "
    "name = CASE WHEN $10 = 1 THEN $11 ELSE name END, "
    "name_lower = CASE WHEN $10 = 1 THEN $12 ELSE name_lower END, "
    "first_name = CASE WHEN $13 = 1 THEN $14 ELSE first_name END, "
    "last_name = CASE WHEN $15 = 1 THEN $16 ELSE last_name END, "
    "avatar = CASE WHEN $17 = 1 THEN $18 ELSE avatar END, "
    "provided_id = CASE WHEN $19 = 1 THEN $20 ELSE provided_id END, "
    "custom_data = COALESCE($21, custom_data), profile = COALESCE($22, profile), "
    "identities = COALESCE($23, identities), is_suspended = COALESCE($24, is_suspended), "
    "is_password_reset_requested = COALESCE($25, is_password_reset_requested), "
    "last_sign_in_at = CASE WHEN $26 = 1 THEN $27 ELSE last_sign_in_at END, "
    "updated_at = $28 WHERE id = $1";

constexpr std::string_view kSetPassword =
    "UPDATE users SET password_hash = $2, password_algorithm = $3, updated_at = $4 WHERE id = $1";
constexpr std::string_view kDeleteUser = "DELETE FROM users WHERE id = $1";

// $1 search pattern, $2 organization to exclude (or NULL), $3 has_organization (1 / 0 / NULL).
constexpr std::string_view kUserFilter =
    "WHERE (u.id LIKE $1 OR u.primary_email_lower LIKE $1 OR u.primary_phone LIKE $1 "
    "OR u.username_lower LIKE $1 OR u.name_lower LIKE $1) "
    "AND (CAST($2 AS TEXT) IS NULL OR NOT EXISTS (SELECT 1 FROM organization_members m "
    "WHERE m.org_id = CAST($2 AS TEXT) AND m.user_id = u.id)) "
    "AND (CAST($3 AS BIGINT) IS NULL OR (CASE WHEN EXISTS (SELECT 1 FROM organization_members m "
    "WHERE m.user_id = u.id) THEN 1 ELSE 0 END) = CAST($3 AS BIGINT)) ";
// $4 / $5: the cursor (created_at, id), or NULLs. $6 limit, $7 offset.
constexpr std::string_view kAfterAsc =
    "AND (CAST($4 AS BIGINT) IS NULL OR u.created_at > CAST($4 AS BIGINT) OR "
    "(u.created_at = CAST($4 AS BIGINT) AND u.id > CAST($5 AS TEXT))) "
    "ORDER BY u.created_at, u.id LIMIT $6 OFFSET $7";
constexpr std::string_view kAfterDesc =
    "AND (CAST($4 AS BIGINT) IS NULL OR u.created_at < CAST($4 AS BIGINT) OR "
    "(u.created_at = CAST($4 AS BIGINT) AND u.id < CAST($5 AS TEXT))) "
    "ORDER BY u.created_at DESC, u.id DESC LIMIT $6 OFFSET $7";
constexpr std::string_view kListUsersAsc =
    kJoin<kSelect, internal::kUserColumns, kFromUsers, kUserFilter, kAfterAsc>;
constexpr std::string_view kListUsersDesc =
    kJoin<kSelect, internal::kUserColumns, kFromUsers, kUserFilter, kAfterDesc>;
constexpr std::string_view kCountHead = "SELECT COUNT(*) FROM users u ";
constexpr std::string_view kCountUsers = kJoin<kCountHead, kUserFilter>;

Result<std::optional<domain::User>> GetUserOn(Connection& conn, const UserId& id) {
  std::optional<domain::User> user;
  ORGD_TRY(conn.Query(kGetUser, {Text(id.value())},
                      [&](const Row& row) { user = internal::ReadUser(row); }));
  return user;
}

}  // namespace

Result<void> SqlStore::InsertUser(const domain::User& u) {
  const std::optional<std::string> username_lower = OptAsciiLower(u.username);
  const std::optional<std::string> email_lower = OptAsciiLower(u.primary_email);
  const std::optional<std::string> name_lower = OptAsciiLower(u.name);
  const std::array<Param, 23> params = {
      Text(u.id.value()),        OptText(u.username),       OptText(username_lower),
      OptText(u.primary_email),  OptText(email_lower),      OptText(u.primary_phone),
      OptText(u.name),           OptText(name_lower),       OptText(u.first_name),
      OptText(u.last_name),      OptText(u.avatar),         Text(u.custom_data),
      Text(u.profile),           Text(u.identities),        OptText(u.password_hash),
      OptText(u.password_algorithm), OptText(u.provided_id), OptText(u.application_id),
      Bool(u.is_suspended),      Bool(u.is_password_reset_requested),
      internal::OptInt(u.last_sign_in_at), Int(u.created_at), Int(u.updated_at),
  };
  return Run([&](Connection& conn) -> Result<void> {
    if (auto r = conn.Exec(kInsertUser, params); !r) return MapUserUnique(std::move(r).error());
    return {};
  });
}

Result<domain::User> SqlStore::GetUser(const UserId& id) {
  std::optional<domain::User> user;
  ORGD_TRY(Run([&](Connection& conn) -> Result<void> {
    auto r = GetUserOn(conn, id);
    if (!r) return std::move(r).error();
    user = std::move(*r);
    return {};
  }));
  if (!user) return Error::NotFound("user");
  return std::move(*user);
}

Result<std::vector<domain::User>> SqlStore::GetUsers(const std::vector<UserId>& ids) {
  std::vector<domain::User> users;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    users.clear();
    for (const UserId& id : ids) {
      auto r = GetUserOn(conn, id);
      if (!r) return std::move(r).error();
      if (*r) users.push_back(std::move(**r));
    }
    return {};
  }));
  return users;
}

Result<domain::User> SqlStore::UpdateUser(const UserId& id, const domain::UserPatch& patch,
                                          int64_t now_ms) {
  using Nullable = std::optional<std::optional<std::string>>;
  const auto flag = [](const Nullable& f) { return internal::Flag(f.has_value()); };
  const auto value = [](const Nullable& f) { return f ? OptText(*f) : Param{nullptr}; };
  const auto lower = [](const Nullable& f) -> std::optional<std::string> {
    return f ? OptAsciiLower(*f) : std::nullopt;
  };
  const std::optional<std::string> username_lower = lower(patch.username);
  const std::optional<std::string> email_lower = lower(patch.primary_email);
  const std::optional<std::string> name_lower = lower(patch.name);
  const std::array<Param, 28> params = {
      Text(id.value()),
      flag(patch.username),
      value(patch.username),
      OptText(username_lower),
      flag(patch.primary_email),
      value(patch.primary_email),
      OptText(email_lower),
      flag(patch.primary_phone),
      value(patch.primary_phone),
      flag(patch.name),
      value(patch.name),
      OptText(name_lower),
      flag(patch.first_name),
      value(patch.first_name),
      flag(patch.last_name),
      value(patch.last_name),
      flag(patch.avatar),
      value(patch.avatar),
      flag(patch.provided_id),
      value(patch.provided_id),
      OptText(patch.custom_data),
      OptText(patch.profile),
      OptText(patch.identities),
      internal::OptBool(patch.is_suspended),
      internal::OptBool(patch.is_password_reset_requested),
      internal::Flag(patch.last_sign_in_at.has_value()),
      patch.last_sign_in_at ? internal::OptInt(*patch.last_sign_in_at) : Param{nullptr},
      Int(now_ms),
  };
  std::optional<domain::User> updated;
  ORGD_TRY(RunInTransaction(TxMode::kWrite, [&](Connection& conn) -> Result<void> {
    auto changed = conn.Exec(kUpdateUser, params);
    if (!changed) return MapUserUnique(std::move(changed).error());
    if (*changed == 0) return Error::NotFound("user");
    auto r = GetUserOn(conn, id);
    if (!r) return std::move(r).error();
    updated = std::move(*r);
    return {};
  }));
  if (!updated) return Error::NotFound("user");
  return std::move(*updated);
}

Result<void> SqlStore::SetUserPassword(const UserId& id, const std::string& hash,
                                       const std::string& algorithm, int64_t now_ms) {
  return Run([&](Connection& conn) -> Result<void> {
    auto changed =
        conn.Exec(kSetPassword, {Text(id.value()), Text(hash), Text(algorithm), Int(now_ms)});
    if (!changed) return std::move(changed).error();
    if (*changed == 0) return Error::NotFound("user");
    return {};
  });
}

Result<void> SqlStore::DeleteUser(const UserId& id) {
  return Run([&](Connection& conn) -> Result<void> {
    auto deleted = conn.Exec(kDeleteUser, {Text(id.value())});
    if (!deleted) return std::move(deleted).error();
    if (*deleted == 0) return Error::NotFound("user");
    return {};
  });
}

Result<domain::UserPage> SqlStore::ListUsers(const domain::UserListQuery& query) {
  ORGD_TRY(internal::CheckPage(query.page));
  std::optional<int64_t> after_created;
  if (query.page.after) {
    auto parsed = internal::ParseIntCursor(query.page.after->sort_key);
    if (!parsed) return std::move(parsed).error();
    after_created = *parsed;
  }
  const std::string pattern = internal::SearchPattern(query.q);
  const std::optional<std::string> exclude =
      query.exclude_org ? std::optional(query.exclude_org->value()) : std::nullopt;
  const std::optional<int64_t> has_org =
      query.has_organization ? std::optional<int64_t>(*query.has_organization ? 1 : 0)
                             : std::nullopt;
  const std::optional<std::string> after_id =
      query.page.after ? std::optional(query.page.after->id) : std::nullopt;
  const std::array<Param, 7> params = {
      Text(pattern),        OptText(exclude),
      internal::OptInt(has_org), internal::OptInt(after_created),
      OptText(after_id),    Int(internal::FetchCount(query.page.limit)),
      Int(query.page.offset),
  };
  const std::string_view sql =
      query.sort == domain::UserSort::kCreatedAsc ? kListUsersAsc : kListUsersDesc;

  domain::UserPage page;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    page = domain::UserPage{};
    ORGD_TRY(conn.Query(sql, params, [&](const Row& row) {
      if (static_cast<int64_t>(page.items.size()) == query.page.limit) {
        page.has_more = true;
        return;
      }
      page.items.push_back(internal::ReadUser(row));
    }));
    if (!page.items.empty()) {
      page.last = domain::Cursor{.sort_key = std::to_string(page.items.back().created_at),
                                 .id = page.items.back().id.value()};
    }
    if (query.page.want_total) {
      ORGD_TRY(conn.Query(kCountUsers, std::span(params).first(3),
                          [&](const Row& row) { page.total = row.GetInt(0); }));
    }
    return {};
  }));
  return page;
}

}  // namespace orgd::store::sql
