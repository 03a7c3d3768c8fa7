// Users: the SqlStore members declared in sql_store.h (UserStore).

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/sql/bulk_rows.h"
#include "store/sql/fts_search.h"
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
// Many users by id, the ids as bulk rows (bulk_rows.h): one query per few thousand ids.
constexpr std::string_view kWhereIdsPostgres = "WHERE u.id = ANY(CAST($1 AS TEXT[]))";
constexpr std::string_view kWhereIdsSqlite =
    "WHERE u.id IN (SELECT j.value FROM json_each($1) AS j)";
constexpr std::string_view kGetUsersPostgres =
    kJoin<kSelect, internal::kUserColumns, kFromUsers, kWhereIdsPostgres>;
constexpr std::string_view kGetUsersSqlite =
    kJoin<kSelect, internal::kUserColumns, kFromUsers, kWhereIdsSqlite>;

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

// The list filter, one SQL text per engine (built once, see ListUsersSql). Parameters:
//   $1  `q` pattern (NULL: no filter)          $2  organization to exclude (NULL)
//   $3  has_organization 1 / 0 (NULL)           $4  ids as ",a,b," (NULL)
//   $5  lower-cased emails as ",a,b," (NULL)   $6  lower-cased usernames as ",a,b," (NULL)
//   $7  phones as ",a,b," (NULL)                $8  active_since, epoch ms (NULL)
//   $9  search joint: 0 no search, 1 AND, 2 OR
//   $10 1: search values compare with the ASCII-lower-cased columns (they are lower-cased too)
//   then per search term (term 0 over every column, term i over kSearchColumns[i - 1]) its
//   operator (kTermAbsent, kTermEquals, kTermLike, kTermGlob) and kMaxValuesPerTerm values,
//   unused ones NULL.
// Value lists are matched by REPLACE on the delimited list, which reads the same on both engines
// and keeps the text fixed whatever the number of values (the drivers cache statements by text).
constexpr std::string_view kUserFilterHead =
    "WHERE (CAST($1 AS TEXT) IS NULL OR u.id LIKE CAST($1 AS TEXT) "
    "OR u.primary_email_lower LIKE CAST($1 AS TEXT) OR u.primary_phone LIKE CAST($1 AS TEXT) "
    "OR u.username_lower LIKE CAST($1 AS TEXT) OR u.name_lower LIKE CAST($1 AS TEXT)) "
    "AND (CAST($2 AS TEXT) IS NULL OR NOT EXISTS (SELECT 1 FROM organization_members m "
    "WHERE m.org_id = CAST($2 AS TEXT) AND m.user_id = u.id)) "
    "AND (CAST($3 AS BIGINT) IS NULL OR (CASE WHEN EXISTS (SELECT 1 FROM organization_members m "
    "WHERE m.user_id = u.id) THEN 1 ELSE 0 END) = CAST($3 AS BIGINT)) "
    "AND (CAST($4 AS TEXT) IS NULL OR LENGTH(REPLACE(CAST($4 AS TEXT), ',' || u.id || ',', '')) "
    "< LENGTH(CAST($4 AS TEXT))) "
    "AND (CAST($5 AS TEXT) IS NULL OR LENGTH(REPLACE(CAST($5 AS TEXT), ',' || "
    "u.primary_email_lower || ',', '')) < LENGTH(CAST($5 AS TEXT))) "
    "AND (CAST($6 AS TEXT) IS NULL OR LENGTH(REPLACE(CAST($6 AS TEXT), ',' || u.username_lower "
    "|| ',', '')) < LENGTH(CAST($6 AS TEXT))) "
    "AND (CAST($7 AS TEXT) IS NULL OR LENGTH(REPLACE(CAST($7 AS TEXT), ',' || u.primary_phone "
    "|| ',', '')) < LENGTH(CAST($7 AS TEXT))) "
    "AND (CAST($8 AS BIGINT) IS NULL OR u.last_sign_in_at >= CAST($8 AS BIGINT)) ";

// Operators of a search term.
constexpr int64_t kTermAbsent = -1;
constexpr int64_t kTermEquals = 0;
constexpr int64_t kTermLike = 1;
// Case-sensitive LIKE on SQLite, whose LIKE always folds ASCII case: the store hands over the
// equivalent GLOB pattern instead. PostgreSQL's LIKE is case-sensitive and never gets this one.
constexpr int64_t kTermGlob = 2;

// A searchable column: as stored, and ASCII-lower-cased (a maintained copy where one exists;
// LOWER() folds ASCII only on both engines: SQLite without ICU, PostgreSQL on COLLATE "C"); and
// its column in SQLite's users_fts (migrations/sqlite/0009_search_fts.sql).
struct SearchColumn {
  domain::UserField field;
  std::string_view raw;
  std::string_view folded;
  std::string_view fts;
};
constexpr std::array<SearchColumn, 5> kSearchColumns = {{
    {domain::UserField::kId, "u.id", "LOWER(u.id)", "id"},
    {domain::UserField::kPrimaryEmail, "u.primary_email", "u.primary_email_lower", "primary_email"},
    {domain::UserField::kPrimaryPhone, "u.primary_phone", "LOWER(u.primary_phone)",
     "primary_phone"},
    {domain::UserField::kUsername, "u.username", "u.username_lower", "username"},
    {domain::UserField::kName, "u.name", "u.name_lower", "name"},
}};
constexpr size_t kValuesPerTerm = domain::UserSearch::kMaxValuesPerTerm;
constexpr size_t kTermCount = 1 + kSearchColumns.size();
constexpr size_t kFirstTermParam = 11;
constexpr size_t kTermParams = 1 + kValuesPerTerm;
constexpr size_t kFilterParamCount = kFirstTermParam - 1 + kTermCount * kTermParams;

std::string ParamRef(size_t n, std::string_view type) {
  return "CAST($" + std::to_string(n) + " AS " + std::string(type) + ")";
}

// `column` matches one of the values of term `term` with the term's operator.
std::string TermCondition(Engine engine, size_t term, const SearchColumn& column) {
  const size_t base = kFirstTermParam + term * kTermParams;
  const std::string op = ParamRef(base, "BIGINT");
  const std::string col = "(CASE WHEN CAST($10 AS BIGINT) = 1 THEN " + std::string(column.folded) +
                          " ELSE " + std::string(column.raw) + " END)";
  std::string in, like, glob;
  for (size_t v = 1; v <= kValuesPerTerm; ++v) {
    const std::string value = ParamRef(base + v, "TEXT");
    in += (v == 1 ? "" : ", ") + value;
    like += std::string(v == 1 ? "" : " OR ") + col + " LIKE " + value + " ESCAPE '\\'";
    glob += std::string(v == 1 ? "" : " OR ") + col + " GLOB " + value;
  }
  std::string sql =
      "(" + op + " = 0 AND " + col + " IN (" + in + ")) OR (" + op + " = 1 AND (" + like + "))";
  if (engine == Engine::kSqlite) sql += " OR (" + op + " = 2 AND (" + glob + "))";
  return sql;
}

// The search part of the filter.
std::string SearchCondition(Engine engine) {
  std::string all_of, any_of;
  for (size_t term = 0; term < kTermCount; ++term) {
    std::string matches;
    for (size_t c = 0; c < kSearchColumns.size(); ++c) {
      if (term != 0 && c != term - 1) continue;
      matches += std::string(matches.empty() ? "" : " OR ") +
                 TermCondition(engine, term, kSearchColumns[c]);
    }
    const std::string op = ParamRef(kFirstTermParam + term * kTermParams, "BIGINT");
    all_of += " AND (" + op + " = -1 OR " + matches + ")";
    any_of += std::string(term == 0 ? "" : " OR ") + "(" + op + " <> -1 AND (" + matches + "))";
  }
  return "AND (CAST($9 AS BIGINT) = 0 OR (CAST($9 AS BIGINT) = 1" + all_of +
         ") OR (CAST($9 AS BIGINT) = 2 AND (" + any_of + "))) ";
}

// The keyset cursor (created_at, id) or NULLs, then limit and offset.
std::string PageClause(bool descending) {
  const std::string at = ParamRef(kFilterParamCount + 1, "BIGINT");
  const std::string id = ParamRef(kFilterParamCount + 2, "TEXT");
  const char* cmp = descending ? " < " : " > ";
  return "AND (" + at + " IS NULL OR u.created_at" + cmp + at + " OR (u.created_at = " + at +
         " AND u.id" + cmp + id + ")) ORDER BY " +
         (descending ? "u.created_at DESC, u.id DESC" : "u.created_at, u.id") + " LIMIT $" +
         std::to_string(kFilterParamCount + 3) + " OFFSET $" +
         std::to_string(kFilterParamCount + 4);
}

enum class UserListSql { kAsc, kDesc, kCount };

// SQLite only: the narrowing of a search by users_fts (src/store/sql/fts_search.h), with its
// MATCH expression in the parameter after the page's. Those statements are bound with every
// parameter, the count statement too.
constexpr size_t kFtsParam = kFilterParamCount + 5;
std::string FtsFilter() {
  return "AND u.rowid IN (SELECT rowid FROM users_fts WHERE users_fts MATCH $" +
         std::to_string(kFtsParam) + ") ";
}

// PostgreSQL only: every user's searched texts as one string, the expression of the trigram index
// of migrations/postgres/0016_user_search.sql (it must stay identical, or the index goes unused).
// Each searched column appears lower-cased, so a run that a search requires, lower-cased, is in
// it whenever the search matches, case-sensitive or not (COLLATE "C": LOWER folds ASCII only).
constexpr std::string_view kPgUserSearchText =
    "(lower(u.id) || ' ' || COALESCE(u.primary_email_lower, '') || ' ' || "
    "COALESCE(lower(u.primary_phone), '') || ' ' || COALESCE(u.username_lower, '') || ' ' || "
    "COALESCE(u.name_lower, ''))";
// The most literal runs a PostgreSQL search is narrowed by (the longest ones).
constexpr size_t kMaxPgRuns = 3;

// PostgreSQL only: `AND <kPgUserSearchText> LIKE $first ...` for `runs` parameters.
std::string PgRunsFilter(size_t first, size_t runs) {
  std::string out;
  for (size_t i = 0; i < runs; ++i) {
    out += "AND " + std::string(kPgUserSearchText) + " LIKE $" + std::to_string(first + i) + " ";
  }
  return out;
}

// The list and count statements, built once per engine (on SQLite with and without the FTS
// narrowing, on PostgreSQL for 0 to kMaxPgRuns narrowing runs): a fixed set of texts. On
// PostgreSQL the count statement takes the runs right after the filter's parameters (every
// parameter of a statement must appear in it there), the list statements after the page's.
const std::string& ListUsersSql(Engine engine, UserListSql which, bool fts, size_t pg_runs) {
  struct Texts {
    std::string asc, desc, count;
  };
  auto build = [](Engine e, bool with_fts, size_t runs) {
    const std::string head = std::string(kUserFilterHead) + (with_fts ? FtsFilter() : "");
    const std::string filter = head + PgRunsFilter(kFtsParam, runs) + SearchCondition(e);
    const std::string count_filter =
        head + PgRunsFilter(kFilterParamCount + 1, runs) + SearchCondition(e);
    const std::string select = "SELECT " + std::string(internal::kUserColumns) + " FROM users u ";
    return Texts{select + filter + PageClause(false), select + filter + PageClause(true),
                 "SELECT COUNT(*) FROM users u " + count_filter};
  };
  static const Texts sqlite = build(Engine::kSqlite, false, 0);
  static const Texts sqlite_fts = build(Engine::kSqlite, true, 0);
  static const std::array<Texts, kMaxPgRuns + 1> postgres = [&] {
    std::array<Texts, kMaxPgRuns + 1> texts;
    for (size_t runs = 0; runs <= kMaxPgRuns; ++runs) {
      texts[runs] = build(Engine::kPostgres, false, runs);
    }
    return texts;
  }();
  const Texts& t = engine == Engine::kSqlite ? (fts ? sqlite_fts : sqlite)
                                             : postgres[std::min(pg_runs, kMaxPgRuns)];
  switch (which) {
    case UserListSql::kAsc:
      return t.asc;
    case UserListSql::kDesc:
      return t.desc;
    case UserListSql::kCount:
      break;
  }
  return t.count;
}

// PostgreSQL only: LIKE operands ('%run%', escape `\`) for the literal runs that every user the
// search matches holds in kPgUserSearchText, ASCII-lower-cased, the longest kMaxPgRuns: the runs
// of the `q` pattern, and those of each term when every term is required (or there is one term)
// and the term has one value (a term of several values holds when any does, so none of its runs
// is required). None when the search requires no run of three characters.
std::vector<std::string> PgUserSearchRuns(const std::optional<std::string>& pattern, int64_t joint,
                                          const std::array<int64_t, kTermCount>& ops,
                                          const std::array<std::vector<std::string_view>,
                                                           kTermCount>& raw_values) {
  std::vector<std::string> runs;
  // PostgreSQL's LIKE without an ESCAPE clause escapes with a backslash.
  if (pattern) runs = internal::LiteralRuns(*pattern, internal::LikeEscape::kBackslash);
  const auto present = std::count_if(ops.begin(), ops.end(), [](int64_t op) {
    return op != kTermAbsent;
  });
  if (joint == 1 || present == 1) {
    for (size_t t = 0; t < kTermCount; ++t) {
      if (ops[t] == kTermAbsent || raw_values[t].size() != 1) continue;
      const std::string_view value = raw_values[t][0];
      if (ops[t] == kTermEquals) {
        if (internal::FtsEquals(value)) runs.emplace_back(value);  // whole, valid, 3+ characters
      } else {
        for (std::string& run : internal::LiteralRuns(value, internal::LikeEscape::kNone)) {
          runs.push_back(std::move(run));
        }
      }
    }
  }
  std::stable_sort(runs.begin(), runs.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  if (runs.size() > kMaxPgRuns) runs.resize(kMaxPgRuns);
  for (std::string& run : runs) {
    std::string operand = "%";
    for (char c : AsciiLower(run)) {
      if (c == '%' || c == '_' || c == '\\') operand.push_back('\\');
      operand.push_back(c);
    }
    run = operand + "%";
  }
  return runs;
}

// A LIKE pattern without escape character as the statement's LIKE operand (escape `\`).
std::string EscapeBackslashes(std::string_view like) {
  std::string out;
  for (char c : like) {
    if (c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// A LIKE pattern without escape character (`%`, `_`) as the equivalent SQLite GLOB pattern.
std::string LikeToGlob(std::string_view like) {
  std::string glob;
  for (char c : like) {
    if (c == '%') {
      glob.push_back('*');
    } else if (c == '_') {
      glob.push_back('?');
    } else if (c == '*' || c == '?' || c == '[') {
      glob += '[';
      glob.push_back(c);
      glob += ']';
    } else {
      glob.push_back(c);
    }
  }
  return glob;
}

// ",a,b," for a list filter, or nullopt for an empty list (no filter). `fold` lower-cases.
template <typename T, typename Get>
std::optional<std::string> DelimitedList(const std::vector<T>& values, Get get, bool fold) {
  if (values.empty()) return std::nullopt;
  std::string out = ",";
  for (const T& v : values) {
    out += fold ? AsciiLower(get(v)) : std::string(get(v));
    out += ',';
  }
  return out;
}

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
      Text(u.id.value()),
      OptText(u.username),
      OptText(username_lower),
      OptText(u.primary_email),
      OptText(email_lower),
      OptText(u.primary_phone),
      OptText(u.name),
      OptText(name_lower),
      OptText(u.first_name),
      OptText(u.last_name),
      OptText(u.avatar),
      Text(u.custom_data),
      Text(u.profile),
      Text(u.identities),
      OptText(u.password_hash),
      OptText(u.password_algorithm),
      OptText(u.provided_id),
      OptText(u.application_id),
      Bool(u.is_suspended),
      Bool(u.is_password_reset_requested),
      internal::OptInt(u.last_sign_in_at),
      Int(u.created_at),
      Int(u.updated_at),
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
    if (ids.size() == 1) {  // one id: the plain lookup (see SqlStore::AddMembers)
      auto r = GetUserOn(conn, ids[0]);
      if (!r) return std::move(r).error();
      if (*r) users.push_back(std::move(**r));
      return {};
    }
    const std::string_view sql =
        conn.engine() == Engine::kPostgres ? kGetUsersPostgres : kGetUsersSqlite;
    return internal::InChunks(ids.size(), [&](size_t begin, size_t end) -> Result<void> {
      internal::BulkRows rows(conn.engine(), 1);
      for (size_t i = begin; i < end; ++i) ORGD_TRY(rows.Add({Text(ids[i].value())}));
      return conn.Query(sql, rows.Params(),
                        [&](const Row& row) { users.push_back(internal::ReadUser(row)); });
    });
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
  const std::optional<std::string> pattern =
      query.q.empty() ? std::nullopt : std::optional(internal::SearchPattern(query.q));
  const std::optional<std::string> exclude =
      query.exclude_org ? std::optional(query.exclude_org->value()) : std::nullopt;
  const std::optional<int64_t> has_org =
      query.has_organization ? std::optional<int64_t>(*query.has_organization ? 1 : 0)
                             : std::nullopt;
  const auto same = [](const std::string& s) -> const std::string& { return s; };
  const std::optional<std::string> ids = DelimitedList(
      query.ids, [](const UserId& id) -> const std::string& { return id.value(); }, false);
  const std::optional<std::string> emails = DelimitedList(query.emails, same, true);
  const std::optional<std::string> usernames = DelimitedList(query.usernames, same, true);
  const std::optional<std::string> phones = DelimitedList(query.phones, same, false);
  const std::optional<std::string> after_id =
      query.page.after ? std::optional(query.page.after->id) : std::nullopt;
  const domain::UserSearch& search = query.search;
  for (const domain::UserSearchTerm& term : search.terms) {
    if (term.values.empty() || term.values.size() > kValuesPerTerm) {
      return Error::InvalidArgument("a search term takes 1 to 10 values", "search");
    }
  }
  const int64_t joint = search.empty() ? 0 : search.match_all ? 1 : 2;

  domain::UserPage page;
  ORGD_TRY(RunInTransaction(TxMode::kRead, [&](Connection& conn) -> Result<void> {
    const Engine engine = conn.engine();
    // Each term's operator and prepared values; the params point into `values`.
    std::array<int64_t, kTermCount> ops;
    ops.fill(kTermAbsent);
    std::array<std::vector<std::string>, kTermCount> values;
    std::array<std::vector<std::string_view>, kTermCount> raw_values;
    for (const domain::UserSearchTerm& term : search.terms) {
      size_t slot = 0;
      for (size_t c = 0; term.field && c < kSearchColumns.size(); ++c) {
        if (kSearchColumns[c].field == *term.field) slot = c + 1;
      }
      const bool glob = term.mode == domain::UserMatchMode::kLike && search.case_sensitive &&
                        engine == Engine::kSqlite;
      ops[slot] = term.mode == domain::UserMatchMode::kExact ? kTermEquals
                  : glob                                     ? kTermGlob
                                                             : kTermLike;
      for (const std::string& v : term.values) {
        raw_values[slot].push_back(v);
        std::string value = search.case_sensitive ? v : AsciiLower(v);
        if (ops[slot] == kTermLike) value = EscapeBackslashes(value);
        if (ops[slot] == kTermGlob) value = LikeToGlob(value);
        values[slot].push_back(std::move(value));
      }
    }
    std::vector<Param> params = {
        OptText(pattern),
        OptText(exclude),
        internal::OptInt(has_org),
        OptText(ids),
        OptText(emails),
        OptText(usernames),
        OptText(phones),
        internal::OptInt(query.active_since),
        Int(joint),
        Int(search.case_sensitive ? 0 : 1),
    };
    for (size_t t = 0; t < kTermCount; ++t) {
      params.push_back(Int(ops[t]));
      for (size_t v = 0; v < kValuesPerTerm; ++v) {
        params.push_back(v < values[t].size() ? Text(values[t][v]) : Param{nullptr});
      }
    }
    params.push_back(internal::OptInt(after_created));
    params.push_back(OptText(after_id));
    params.push_back(Int(internal::FetchCount(query.page.limit)));
    params.push_back(Int(query.page.offset));
    // SQLite: what the filter requires of users_fts. The q pattern has no ESCAPE clause, so a
    // backslash in it is itself; so it is in the search values (escaped above). A term holds
    // when one of its values does, with the slot's operator; the terms are required all (joint
    // AND) or one of them (joint OR, which narrows only if each term does).
    std::optional<std::string> fts;
    if (engine == Engine::kSqlite) {
      std::vector<std::optional<std::string>> term_fts;
      for (size_t t = 0; t < kTermCount; ++t) {
        if (ops[t] == kTermAbsent) continue;
        std::vector<std::optional<std::string>> value_fts;
        for (std::string_view v : raw_values[t]) {
          value_fts.push_back(ops[t] == kTermEquals
                                  ? internal::FtsEquals(v)
                                  : internal::FtsLike(v, internal::LikeEscape::kNone));
        }
        term_fts.push_back(
            t == 0 ? internal::FtsOr(value_fts)
                   : internal::FtsInColumn(kSearchColumns[t - 1].fts, internal::FtsOr(value_fts)));
      }
      fts = internal::FtsAnd(
          {pattern ? internal::FtsLike(*pattern, internal::LikeEscape::kNone) : std::nullopt,
           joint == 1   ? internal::FtsAnd(term_fts)
           : joint == 2 ? internal::FtsOr(term_fts)
                        : std::nullopt});
    }
    if (fts) params.push_back(Text(*fts));
    // PostgreSQL: the runs every match holds, for the trigram index over the users' texts.
    const std::vector<std::string> pg_runs =
        engine == Engine::kPostgres ? PgUserSearchRuns(pattern, joint, ops, raw_values)
                                    : std::vector<std::string>{};
    for (const std::string& run : pg_runs) params.push_back(Text(run));
    // The page goes through users_fts when the matches are few (see internal::kDenseHits):
    // counted exactly when the total is wanted anyway, else estimated by the FTS hits.
    int64_t total = 0;
    if (query.page.want_total) {
      std::vector<Param> count_params;
      if (!pg_runs.empty()) {
        count_params.assign(params.begin(), params.begin() + kFilterParamCount);
        for (const std::string& run : pg_runs) count_params.push_back(Text(run));
      }
      const std::span<const Param> bound =
          !pg_runs.empty() ? std::span<const Param>(count_params)
          : fts            ? std::span<const Param>(params)
                           : std::span<const Param>(params).first(kFilterParamCount);
      ORGD_TRY(conn.Query(
          ListUsersSql(engine, UserListSql::kCount, fts.has_value(), pg_runs.size()), bound,
          [&](const Row& row) { total = row.GetInt(0); }));
    }
    bool narrow = false;
    if (fts && query.page.want_total) {
      narrow = total < internal::kDenseHits;
    } else if (fts) {
      auto few = internal::FewFtsHits(conn, internal::kUsersFtsProbe, *fts);
      if (!few) return std::move(few).error();
      narrow = *few;
    }

    const UserListSql which =
        query.sort == domain::UserSort::kCreatedAsc ? UserListSql::kAsc : UserListSql::kDesc;
    ORGD_TRY(internal::FillPage(conn, ListUsersSql(engine, which, narrow, pg_runs.size()), params,
                                query.page.limit, page,
                                [](const Row& row) { return internal::ReadUser(row); }));
    if (!page.items.empty()) {
      page.last = domain::Cursor{.sort_key = std::to_string(page.items.back().created_at),
                                 .id = page.items.back().id.value()};
    }
    page.total = total;
    return {};
  }));
  return page;
}

}  // namespace orgd::store::sql
