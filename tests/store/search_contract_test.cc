// Substring search on every backend: the store's answers to `q` (organizations, users, members)
// and to the Logto user search equal those of the plain LIKE statement, or of a LIKE written
// here, whatever the pattern: wildcards, quotes, FTS5 syntax, Unicode, invalid UTF-8, short
// ones. On SQLite the store narrows these searches by the FTS5 trigram tables of migration 0009
// (src/store/sql/fts_search.h); the plain statements read the tables, so equal answers show that
// the narrowing never drops a row. Also, on SQLite: the query plans use the FTS tables, the
// triggers keep them right through updates, deletes and VACUUM, and the MATCH builder's units.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "domain/model/membership.h"
#include "domain/model/organization.h"
#include "domain/model/user.h"
#include "store/sql/fts_search.h"
#include "store/sql/migrations.h"
#include "store/sql/sql_store.h"
#include "tests/store/backends.h"

namespace orgd::store {
namespace {

using namespace orgd::domain;  // NOLINT: test file
using testing::ErrorText;
using testing::ExpectError;

constexpr int64_t kT0 = 1'767'225'600'000;

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Organization names (and user names) with what a search can trip over.
const std::vector<std::string>& Names() {
  static const std::vector<std::string> names = {
      "Acme Corp",
      "ACME Widgets",
      "the acme of acme",
      "Globex \"Quoted\" Inc",
      "Straße Müller",
      "MÜLLER Straße",
      "Ünïcödé Café",
      "100% Pure",
      "100 percent",
      "under_score co",
      "underXscore co",
      "back\\slash org",
      "日本語の会社",
      "emoji 🎉 party",
      "ab",
      "x",
      "Initech",
      "initech-2",
      "AND OR NOT",
      "acme OR globex*",
      "col:acme ^start",
      "NEAR(acme globex)",
      "a\"b\"\"c",
      "  spaced  out  ",
      "Kelvin \u212A sign",
      "long s \u017Ftop",
      "Ǆemo dž",
      "ÉCOLE école",
  };
  return names;
}

// Patterns: long and short, wildcards, escapes, FTS5 syntax, Unicode, invalid UTF-8.
const std::vector<std::string>& Patterns() {
  static const std::vector<std::string> patterns = {
      "acme",
      "ACM",
      "cme co",
      "me",
      "a",
      "",
      "%",
      "_",
      "__",
      "%%",
      "100%",
      "100\\%",
      "0% p",
      "e_s",
      "a%e",
      "%cme%",
      "ac_e",
      "acme_",
      "under_score",
      "der_sc",
      "\"quoted\"",
      "\"",
      "\"\"",
      "a\"b",
      "b\"\"c",
      "straße",
      "STRASSE",
      "strasse",
      "müller",
      "MÜLLER",
      "ller str",
      "café",
      "CAFÉ",
      "日本語",
      "本語の",
      "語",
      "🎉 p",
      "🎉",
      "back\\sl",
      "\\",
      "\\\\",
      "k\\s",
      "AND",
      "and or",
      "or globex*",
      "acme*",
      "^start",
      "col:acme",
      "near(acme",
      "(acme",
      "acme)",
      "initech",
      "tech-",
      "kelvin",
      "kel",
      "\u212A",
      "stop",
      "ſtop",
      "ǆemo",
      "dž",
      "école",
      "ÉCOLE",
      "cole",
      "  spaced",
      "d  o",
      "\xff\xfe"
      "acme",
      "acm\xc3",
      "org-1",
      "rg-",
      "-1",
      "zzz",
      "q\"q",
      "%a%c%m%e%",
      "a_m",
      "_cme",
  };
  return patterns;
}

class SearchContractTest : public testing::MigratedStoreTest {
 protected:
  bool sqlite() const { return GetParam() != "postgres"; }
  // PostgreSQL refuses text that is not UTF-8 (SQLite takes it and never narrows it).
  bool Skip(const std::string& q) const {
    return !sqlite() && (q.find('\xff') != std::string::npos || (!q.empty() && q.back() == '\xc3'));
  }

  // Ids of `sql`'s rows (first column), bound with `params`.
  std::vector<std::string> Ids(std::string_view sql, std::vector<Param> params) {
    std::vector<std::string> ids;
    auto lease = database_->db().Acquire();
    EXPECT_TRUE(lease);
    if (!lease) return ids;
    auto r = (*lease)->Query(sql, params, [&](const Row& row) { ids.push_back(row.GetString(0)); });
    EXPECT_TRUE(r) << ErrorText(r.error());
    return ids;
  }

  void AddOrgs() {
    int64_t at = kT0;
    for (size_t i = 0; i < Names().size(); ++i) {
      Organization org;
      org.id = OrgId("org-" + std::to_string(i));
      org.name = Names()[i];
      org.created_at = org.updated_at = at++;
      ASSERT_OK(s().InsertOrganization(org));
    }
  }

  void AddUsers() {
    int64_t at = kT0;
    for (size_t i = 0; i < Names().size(); ++i) {
      User u;
      u.id = UserId("usr-" + std::to_string(i));
      u.name = Names()[i];
      if (i % 3 != 0) u.username = "user_" + std::to_string(i) + (i % 2 ? "acme" : "Globex");
      if (i % 4 != 0)
        u.primary_email = "p" + std::to_string(i) + "@Example" + std::to_string(i % 5) + ".com";
      if (i % 5 == 1) u.primary_phone = "+1555" + std::to_string(1000 + i);
      u.created_at = u.updated_at = at++;
      ASSERT_OK(s().InsertUser(u));
    }
  }

  // The organization search without any narrowing: the LIKE of src/store/sql/sql_store.cc.
  void ExpectOrganizationsMatchPlainLike() {
    for (const std::string& q : Patterns()) {
      if (Skip(q)) continue;
      const std::string pattern = "%" + AsciiLower(q) + "%";
      const std::vector<std::string> want =
          Ids("SELECT o.id FROM organizations o WHERE (o.id LIKE $1 ESCAPE '\\' OR "
              "o.name_sort LIKE $1 ESCAPE '\\') ORDER BY o.created_at, o.id",
              {Text(pattern)});
      for (OrgSort sort : {OrgSort::kCreatedAsc, OrgSort::kNameAsc}) {
        auto page =
            s().ListOrganizations({.q = q, .sort = sort, .limit = 1000, .want_total = true});
        ASSERT_TRUE(page) << ErrorText(page.error()) << " q=" << q;
        std::vector<std::string> got;
        for (const Organization& o : page->items) got.push_back(o.id.value());
        if (sort == OrgSort::kNameAsc) {
          std::vector<std::string> sorted_want = want;
          std::sort(sorted_want.begin(), sorted_want.end());
          std::sort(got.begin(), got.end());
          EXPECT_EQ(got, sorted_want) << "q=" << q;
        } else {
          EXPECT_EQ(got, want) << "q=" << q;
        }
        EXPECT_EQ(page->total, static_cast<int64_t>(want.size())) << "q=" << q;
      }
      // A page of one, and its successor by cursor, as the dialects page.
      auto first = s().ListOrganizations({.q = q, .limit = 1, .want_total = true});
      ASSERT_TRUE(first) << ErrorText(first.error());
      ASSERT_EQ(first->items.size(), want.empty() ? 0u : 1u) << "q=" << q;
      if (want.size() > 1) {
        EXPECT_EQ(first->items[0].id.value(), want[0]);
        auto second = s().ListOrganizations({.q = q, .limit = 1, .after = first->last});
        ASSERT_TRUE(second) << ErrorText(second.error());
        ASSERT_EQ(second->items.size(), 1u) << "q=" << q;
        EXPECT_EQ(second->items[0].id.value(), want[1]) << "q=" << q;
      }
    }
  }

  // The user `q` search without narrowing: the LIKE of src/store/sql/users.cc.
  void ExpectUsersMatchPlainLike() {
    for (const std::string& q : Patterns()) {
      if (Skip(q)) continue;
      const std::string pattern = "%" + AsciiLower(q) + "%";
      const std::vector<std::string> want =
          Ids("SELECT u.id FROM users u WHERE u.id LIKE $1 OR u.primary_email_lower LIKE $1 OR "
              "u.primary_phone LIKE $1 OR u.username_lower LIKE $1 OR u.name_lower LIKE $1 "
              "ORDER BY u.created_at, u.id",
              {Text(pattern)});
      auto page = s().ListUsers(
          {.q = q, .sort = UserSort::kCreatedAsc, .page = {.limit = 1000, .want_total = true}});
      ASSERT_TRUE(page) << ErrorText(page.error()) << " q=" << q;
      std::vector<std::string> got;
      for (const User& u : page->items) got.push_back(u.id.value());
      EXPECT_EQ(got, want) << "q=" << q;
      EXPECT_EQ(page->total, static_cast<int64_t>(want.size())) << "q=" << q;
    }
  }
};

TEST_P(SearchContractTest, OrganizationSearchEqualsThePlainLike) {
  AddOrgs();
  ExpectOrganizationsMatchPlainLike();
}

TEST_P(SearchContractTest, OrganizationSearchFollowsUpdatesAndDeletes) {
  AddOrgs();
  OrganizationPatch rename;
  rename.name = "Renamed Globex";
  ASSERT_OK(s().UpdateOrganization(OrgId("org-0"), rename, kT0 + 1000));
  OrganizationPatch describe;  // not a searched column: the index is left alone
  describe.description = std::optional<std::string>("acme");
  ASSERT_OK(s().UpdateOrganization(OrgId("org-1"), describe, kT0 + 1000));
  ASSERT_OK(s().DeleteOrganization(OrgId("org-2")));
  Organization late;
  late.id = OrgId("org-late");
  late.name = "Late Acme";
  late.created_at = late.updated_at = kT0 + 2000;
  ASSERT_OK(s().InsertOrganization(late));
  ExpectOrganizationsMatchPlainLike();

  auto acme = s().ListOrganizations({.q = "acme", .limit = 100, .want_total = true});
  ASSERT_TRUE(acme);
  std::vector<std::string> ids;
  for (const Organization& o : acme->items) ids.push_back(o.id.value());
  EXPECT_EQ(ids, (std::vector<std::string>{"org-1", "org-19", "org-20", "org-21", "org-late"}));

  if (sqlite()) {
    auto lease = database_->db().Acquire();
    ASSERT_TRUE(lease);
    ASSERT_OK((*lease)->Exec(
        "INSERT INTO organizations_fts (organizations_fts, rank) VALUES ('integrity-check', 1)",
        {}));
  }
}

TEST_P(SearchContractTest, UserSearchEqualsThePlainLike) {
  AddUsers();
  ExpectUsersMatchPlainLike();

  UserPatch patch;
  patch.primary_email = std::optional<std::string>("renamed.acme@globex.example");
  patch.name = std::optional<std::string>(std::nullopt);
  ASSERT_OK(s().UpdateUser(UserId("usr-5"), patch, kT0 + 1000));
  UserPatch unsearched;
  unsearched.avatar = std::optional<std::string>("https://acme.example/a.png");
  ASSERT_OK(s().UpdateUser(UserId("usr-6"), unsearched, kT0 + 1000));
  ASSERT_OK(s().DeleteUser(UserId("usr-1")));
  ExpectUsersMatchPlainLike();

  if (sqlite()) {
    auto lease = database_->db().Acquire();
    ASSERT_TRUE(lease);
    ASSERT_OK((*lease)->Exec(
        "INSERT INTO users_fts (users_fts, rank) VALUES ('integrity-check', 1)", {}));
  }
}

// The Logto user search (`search`, `search.<field>`, mode, joint, isCaseSensitive) against a LIKE
// written here: `%` any run, `_` one code point, no escape; ASCII case folded unless
// case-sensitive.
bool LikeMatch(std::string_view value, std::string_view pattern) {
  auto next = [](std::string_view s, size_t i) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    return std::min(s.size(), i + n);
  };
  if (pattern.empty()) return value.empty();
  if (pattern[0] == '%') {
    for (size_t i = 0;; i = next(value, i)) {
      if (LikeMatch(value.substr(i), pattern.substr(1))) return true;
      if (i >= value.size()) return false;
    }
  }
  if (value.empty()) return false;
  if (pattern[0] == '_') {
    return LikeMatch(value.substr(next(value, 0)), pattern.substr(1));
  }
  return value[0] == pattern[0] && LikeMatch(value.substr(1), pattern.substr(1));
}

struct Probe {
  UserSearch search;
  std::string label;
};

TEST_P(SearchContractTest, LogtoUserSearchEqualsALikeWrittenHere) {
  AddUsers();
  std::vector<User> users;
  {
    auto all = s().ListUsers({.sort = UserSort::kCreatedAsc, .page = {.limit = 1000}});
    ASSERT_TRUE(all);
    users = all->items;
  }
  auto field_values = [](const User& u, std::optional<UserField> field) {
    std::vector<std::optional<std::string>> all = {u.id.value(), u.primary_email, u.primary_phone,
                                                   u.username, u.name};
    if (!field) return all;
    return std::vector<std::optional<std::string>>{all[static_cast<size_t>(*field)]};
  };
  auto term_holds = [&](const User& u, const UserSearchTerm& term, bool case_sensitive) {
    for (const std::optional<std::string>& v : field_values(u, term.field)) {
      if (!v) continue;
      for (const std::string& want : term.values) {
        const std::string a = case_sensitive ? *v : AsciiLower(*v);
        const std::string b = case_sensitive ? want : AsciiLower(want);
        if (term.mode == UserMatchMode::kExact ? a == b : LikeMatch(a, b)) return true;
      }
    }
    return false;
  };

  std::vector<Probe> probes;
  const std::vector<std::string> values = {
      "%acme%",          "%ACME%",          "acme",   "%ac_e%", "%me%",     "%",
      "%globex%",        "%example3%",      "%\\%",   "%\"%",   "%straße%", "%🎉%",
      "p7@example2.com", "P7@EXAMPLE2.COM", "%_1%",   "user_%", "%555%",    "%日本%",
      "Acme Corp",       "%cole%",          "usr-1%", "%r-1_"};
  for (bool case_sensitive : {false, true}) {
    for (const std::string& v : values) {
      for (UserMatchMode mode : {UserMatchMode::kLike, UserMatchMode::kExact}) {
        probes.push_back(
            {{.terms = {{.values = {v}, .mode = mode}}, .case_sensitive = case_sensitive},
             "any " + v});
        for (UserField f : {UserField::kId, UserField::kPrimaryEmail, UserField::kPrimaryPhone,
                            UserField::kUsername, UserField::kName}) {
          probes.push_back({{.terms = {{.field = f, .values = {v}, .mode = mode}},
                             .case_sensitive = case_sensitive},
                            "field " + std::to_string(static_cast<int>(f)) + " " + v});
        }
      }
    }
  }
  for (bool match_all : {false, true}) {
    probes.push_back({{.terms = {{.field = UserField::kName, .values = {"%acme%", "%ab%"}},
                                 {.field = UserField::kUsername, .values = {"%globex%"}}},
                       .match_all = match_all},
                      "two terms, one short value"});
    probes.push_back({{.terms = {{.field = UserField::kName, .values = {"%acme%", "%initech%"}},
                                 {.field = UserField::kPrimaryEmail, .values = {"%example1%"}}},
                       .match_all = match_all},
                      "two terms"});
    probes.push_back(
        {{.terms = {{.values = {"%acme%"}}, {.field = UserField::kPrimaryEmail, .values = {"%@%"}}},
          .match_all = match_all},
         "any and one field"});
  }

  for (const Probe& probe : probes) {
    std::vector<std::string> want;
    for (const User& u : users) {
      bool holds = probe.search.match_all;
      for (const UserSearchTerm& term : probe.search.terms) {
        const bool t = term_holds(u, term, probe.search.case_sensitive);
        holds = probe.search.match_all ? holds && t : holds || t;
      }
      if (holds) want.push_back(u.id.value());
    }
    for (const std::string& q : {std::string(), std::string("usr")}) {
      auto page = s().ListUsers({.q = q,
                                 .search = probe.search,
                                 .sort = UserSort::kCreatedAsc,
                                 .page = {.limit = 1000, .want_total = true}});
      ASSERT_TRUE(page) << ErrorText(page.error()) << " " << probe.label;
      std::vector<std::string> got;
      for (const User& u : page->items) got.push_back(u.id.value());
      EXPECT_EQ(got, want) << probe.label << " case_sensitive=" << probe.search.case_sensitive
                           << " match_all=" << probe.search.match_all << " q=" << q;
      EXPECT_EQ(page->total, static_cast<int64_t>(want.size())) << probe.label;
    }
  }
}

// An organization of 1,100 members (above the size where SQLite narrows a member search by
// users_fts) and a small one, searched with every pattern and member order.
TEST_P(SearchContractTest, MemberSearchEqualsThePlainLike) {
  Organization big, small;
  big.id = OrgId("org-big");
  big.name = "Big";
  small.id = OrgId("org-small");
  small.name = "Small";
  big.created_at = big.updated_at = small.created_at = small.updated_at = kT0;
  ASSERT_OK(s().InsertOrganization(big));
  ASSERT_OK(s().InsertOrganization(small));
  AddUsers();
  std::vector<UserId> ids;
  for (size_t i = 0; i < Names().size(); ++i) ids.emplace_back("usr-" + std::to_string(i));
  for (int i = 0; i < 1100; ++i) {
    User u;
    u.id = UserId("mbr-" + std::to_string(i));
    u.name = (i % 7 == 0 ? "Acme " : "Person ") + std::to_string(i);
    u.primary_email = "m" + std::to_string(i) + "@corp" + std::to_string(i % 11) + ".example";
    u.created_at = u.updated_at = kT0 + i;
    ASSERT_OK(s().InsertUser(u));
    ids.push_back(u.id);
  }
  ASSERT_OK(s().AddMembers(big.id, ids, kT0));
  ASSERT_OK(s().AddMembers(small.id, std::vector<UserId>(ids.begin(), ids.begin() + 20), kT0));

  std::vector<std::string> patterns = Patterns();
  for (const char* more : {"corp3", "m10", "acme 7", "person 1_0", "@corp1", ".example"}) {
    patterns.push_back(more);
  }
  for (const OrgId& org : {big.id, small.id}) {
    for (const std::string& q : patterns) {
      if (Skip(q)) continue;
      const std::string pattern = "%" + AsciiLower(q) + "%";
      const std::vector<std::string> want =
          Ids("SELECT u.id FROM organization_members m JOIN users u ON u.id = m.user_id "
              "WHERE m.org_id = $1 AND (u.id LIKE $2 OR u.primary_email_lower LIKE $2 OR "
              "u.primary_phone LIKE $2 OR u.username_lower LIKE $2 OR u.name_lower LIKE $2) "
              "ORDER BY m.user_id",
              {Text(org.value()), Text(pattern)});
      for (MemberSort sort :
           {MemberSort::kUserIdAsc, MemberSort::kJoinedAsc, MemberSort::kNameAsc}) {
        auto page = s().ListMembers(
            org, {.q = q, .sort = sort, .page = {.limit = 2000, .want_total = true}});
        ASSERT_TRUE(page) << ErrorText(page.error()) << " q=" << q;
        std::vector<std::string> got;
        for (const Member& m : page->items) got.push_back(m.user.id.value());
        std::sort(got.begin(), got.end());
        EXPECT_EQ(got, want) << org.value() << " q=" << q << " sort=" << static_cast<int>(sort);
        EXPECT_EQ(page->total, static_cast<int64_t>(want.size())) << "q=" << q;
      }
    }
  }
  // Paging through a narrowed search by cursor visits every match once, in order.
  std::vector<std::string> seen;
  std::optional<Cursor> after;
  for (;;) {
    auto page = s().ListMembers(big.id, {.q = "acme", .page = {.limit = 7, .after = after}});
    ASSERT_TRUE(page) << ErrorText(page.error());
    for (const Member& m : page->items) seen.push_back(m.user.id.value());
    if (!page->has_more) break;
    after = page->last;
  }
  EXPECT_EQ(seen, Ids("SELECT u.id FROM organization_members m JOIN users u ON u.id = m.user_id "
                      "WHERE m.org_id = $1 AND (u.id LIKE '%acme%' OR u.username_lower LIKE "
                      "'%acme%' OR u.name_lower LIKE '%acme%' OR u.primary_email_lower LIKE "
                      "'%acme%') ORDER BY m.user_id",
                      {Text(big.id.value())}));
  EXPECT_GT(seen.size(), 150u);
}

INSTANTIATE_TEST_SUITE_P(Backends, SearchContractTest,
                         ::testing::ValuesIn(testing::AvailableBackends()), testing::BackendName);

// SQLite only: the plans of the narrowed statements (as src/store/sql writes them) read the FTS
// table and look rows up by rowid, never scanning organizations or users.
class SqliteSearchPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = testing::OpenBackend("sqlite_memory");
    ASSERT_TRUE(opened) << ErrorText(opened.error());
    ASSERT_NE(opened->database, nullptr);
    database_ = std::move(opened->database);
    ASSERT_OK(sql::Migrate(database_->db()));
  }

  std::string Plan(const std::string& sql, std::vector<Param> params) {
    std::string plan;
    auto lease = database_->db().Acquire();
    EXPECT_TRUE(lease);
    auto r = (*lease)->Query("EXPLAIN QUERY PLAN " + sql, params,
                             [&](const Row& row) { plan += row.GetString(3) + "\n"; });
    EXPECT_TRUE(r) << ErrorText(r.error());
    return plan;
  }

  std::unique_ptr<testing::TestDatabase> database_;
};

// Whether a plan reads the table `alias` by a scan ("SCAN o", "SCAN o USING INDEX ...").
bool Scans(const std::string& plan, const std::string& alias) {
  const std::string line = "\n" + plan;
  return line.find("\nSCAN " + alias + "\n") != std::string::npos ||
         line.find("\nSCAN " + alias + " ") != std::string::npos;
}

TEST_F(SqliteSearchPlanTest, NarrowedOrganizationSearchReadsTheFtsTable) {
  const std::optional<std::string> match =
      sql::internal::FtsLike("%acme%", sql::internal::LikeEscape::kBackslash);
  ASSERT_TRUE(match);
  const std::string from =
      " FROM organizations o WHERE (o.id LIKE $1 ESCAPE '\\' OR o.name_sort LIKE $1 ESCAPE '\\')"
      " AND o.rowid IN (SELECT rowid FROM organizations_fts WHERE organizations_fts MATCH $6)";
  for (const std::string order :
       {" ORDER BY o.created_at, o.id LIMIT $2 OFFSET $3",
        " ORDER BY o.name_sort, o.id LIMIT $2 OFFSET $3",
        " AND o.name_sort >= $4 AND (o.name_sort > $4 OR o.id > $5) ORDER BY o.name_sort, o.id "
        "LIMIT $2 OFFSET $3"}) {
    for (const std::string& head :
         {std::string("SELECT o.id, o.name"), std::string("SELECT COUNT(*)")}) {
      const std::string plan =
          Plan(head + from + (head == "SELECT COUNT(*)" ? "" : order),
               {Text("%acme%"), Int(21), Int(0), Text("acme"), Text("x"), Text(*match)});
      EXPECT_NE(plan.find("SCAN organizations_fts VIRTUAL TABLE"), std::string::npos) << plan;
      EXPECT_NE(plan.find("SEARCH o USING INTEGER PRIMARY KEY (rowid=?)"), std::string::npos)
          << plan;
      EXPECT_FALSE(Scans(plan, "o")) << plan;
    }
  }
  // Without the narrowing the same search reads the whole table: what 0009 is for.
  const std::string plain = Plan(
      "SELECT o.id FROM organizations o WHERE (o.id LIKE $1 ESCAPE '\\' OR o.name_sort LIKE $1 "
      "ESCAPE '\\') ORDER BY o.created_at, o.id LIMIT 21",
      {Text("%acme%")});
  EXPECT_TRUE(Scans(plain, "o")) << plain;
}

TEST_F(SqliteSearchPlanTest, NarrowedUserAndMemberSearchesReadTheFtsTable) {
  const std::string match = *sql::internal::FtsLike("%johnson%", sql::internal::LikeEscape::kNone);
  const std::string users = Plan(
      "SELECT u.id FROM users u WHERE (CAST($1 AS TEXT) IS NULL OR u.id LIKE CAST($1 AS TEXT) "
      "OR u.name_lower LIKE CAST($1 AS TEXT)) AND u.rowid IN (SELECT rowid FROM users_fts WHERE "
      "users_fts MATCH $2) ORDER BY u.created_at DESC, u.id DESC LIMIT 21",
      {Text("%johnson%"), Text(match)});
  EXPECT_NE(users.find("SCAN users_fts VIRTUAL TABLE"), std::string::npos) << users;
  EXPECT_NE(users.find("SEARCH u USING INTEGER PRIMARY KEY (rowid=?)"), std::string::npos) << users;
  EXPECT_FALSE(Scans(users, "u")) << users;

  const std::string members = Plan(
      "SELECT u.id, m.created_at FROM users u CROSS JOIN organization_members m ON m.user_id = "
      "u.id "
      "WHERE m.org_id = $1 AND (u.id LIKE $2 OR u.name_lower LIKE $2) AND u.rowid IN (SELECT "
      "rowid FROM users_fts WHERE users_fts MATCH $3) ORDER BY m.user_id LIMIT 21",
      {Text("org"), Text("%johnson%"), Text(match)});
  EXPECT_NE(members.find("SCAN users_fts VIRTUAL TABLE"), std::string::npos) << members;
  EXPECT_NE(members.find("SEARCH u USING INTEGER PRIMARY KEY (rowid=?)"), std::string::npos)
      << members;
  EXPECT_NE(members.find("SEARCH m USING PRIMARY KEY (org_id=? AND user_id=?)"), std::string::npos)
      << members;
  EXPECT_FALSE(Scans(members, "m")) << members;
  EXPECT_FALSE(Scans(members, "u")) << members;
}

// VACUUM keeps the rowids the FTS tables refer to (the tables have indexes, see 0009), on a file.
TEST(SqliteSearchVacuumTest, SearchStaysRightAfterDeletesAndVacuum) {
  auto opened = testing::OpenBackend("sqlite_file");
  ASSERT_TRUE(opened) << ErrorText(opened.error());
  ASSERT_NE(opened->database, nullptr);
  auto database = std::move(opened->database);
  ASSERT_OK(sql::Migrate(database->db()));
  sql::SqlStore store(database->db());
  for (int i = 0; i < 300; ++i) {
    Organization org;
    org.id = OrgId("o" + std::to_string(i));
    org.name = (i % 3 == 0 ? "Acme " : "Other ") + std::to_string(i);
    org.created_at = org.updated_at = kT0 + i;
    ASSERT_OK(store.InsertOrganization(org));
  }
  for (int i = 0; i < 300; i += 2)
    ASSERT_OK(store.DeleteOrganization(OrgId("o" + std::to_string(i))));
  {
    auto lease = database->db().Acquire();
    ASSERT_TRUE(lease);
    ASSERT_OK((*lease)->ExecScript("VACUUM"));
  }
  auto page = store.ListOrganizations({.q = "acme", .limit = 1000, .want_total = true});
  ASSERT_TRUE(page) << ErrorText(page.error());
  std::vector<std::string> got, want;
  for (const Organization& o : page->items) got.push_back(o.id.value());
  for (int i = 3; i < 300; i += 6) want.push_back("o" + std::to_string(i));
  EXPECT_EQ(got, want);
  EXPECT_EQ(page->total, 50);
  auto lease = database->db().Acquire();
  ASSERT_TRUE(lease);
  ASSERT_OK((*lease)->Exec(
      "INSERT INTO organizations_fts (organizations_fts, rank) VALUES ('integrity-check', 1)", {}));
}

// The MATCH builder.
TEST(FtsSearchTest, LiteralRunsFollowTheLikeSyntax) {
  using sql::internal::LikeEscape;
  using sql::internal::LiteralRuns;
  using V = std::vector<std::string>;
  EXPECT_EQ(LiteralRuns("%acme%", LikeEscape::kBackslash), V{"acme"});
  EXPECT_EQ(LiteralRuns("%ab%", LikeEscape::kBackslash), V{});
  EXPECT_EQ(LiteralRuns("%abc_de%fgh%", LikeEscape::kBackslash), (V{"abc", "fgh"}));
  EXPECT_EQ(LiteralRuns("%100\\%%", LikeEscape::kBackslash), V{"100%"});
  EXPECT_EQ(LiteralRuns("%100\\%%", LikeEscape::kNone), V{"100\\"});
  EXPECT_EQ(LiteralRuns("%a\\_b%", LikeEscape::kBackslash), V{"a_b"});
  EXPECT_EQ(LiteralRuns("%ab\\", LikeEscape::kBackslash), V{});
  EXPECT_EQ(LiteralRuns("%日本%", LikeEscape::kNone), V{});  // two code points
  EXPECT_EQ(LiteralRuns("%日本語%", LikeEscape::kNone), V{"日本語"});
  EXPECT_EQ(LiteralRuns("%🎉ab%", LikeEscape::kNone), V{"🎉ab"});
  EXPECT_EQ(LiteralRuns("%ab\xff"
                        "cdef%",
                        LikeEscape::kNone),
            V{});  // not UTF-8: no narrowing at all
  EXPECT_EQ(LiteralRuns("%\xc0\xaf"
                        "abc%",
                        LikeEscape::kNone),
            V{});  // overlong
  EXPECT_EQ(LiteralRuns(std::string_view("%ab\0cd%efg", 10), LikeEscape::kNone), V{"efg"});
}

TEST(FtsSearchTest, ExpressionsQuoteEverything) {
  using sql::internal::FtsAnd;
  using sql::internal::FtsEquals;
  using sql::internal::FtsInColumn;
  using sql::internal::FtsLike;
  using sql::internal::FtsOr;
  using sql::internal::FtsPhrase;
  using sql::internal::LikeEscape;
  EXPECT_EQ(FtsPhrase("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(FtsLike("%a\"b\"c%", LikeEscape::kNone), "(\"a\"\"b\"\"c\")");
  EXPECT_EQ(FtsLike("%acme OR x*%", LikeEscape::kNone), "(\"acme OR x*\")");
  EXPECT_EQ(FtsLike("%abc%def%", LikeEscape::kNone), "(\"abc\") AND (\"def\")");
  EXPECT_EQ(FtsLike("%ab%", LikeEscape::kNone), std::nullopt);
  EXPECT_EQ(FtsEquals("ab"), std::nullopt);
  EXPECT_EQ(FtsEquals("a%b"), "\"a%b\"");
  EXPECT_EQ(FtsAnd({std::nullopt, std::string("x")}), "(x)");
  EXPECT_EQ(FtsAnd({std::nullopt}), std::nullopt);
  EXPECT_EQ(FtsOr({std::nullopt, std::string("x")}), std::nullopt);
  EXPECT_EQ(FtsOr({std::string("x"), std::string("y")}), "(x) OR (y)");
  EXPECT_EQ(FtsOr({}), std::nullopt);
  EXPECT_EQ(FtsInColumn("name", std::string("x")), "name : (x)");
  EXPECT_EQ(FtsInColumn("name", std::nullopt), std::nullopt);
}

}  // namespace
}  // namespace orgd::store
