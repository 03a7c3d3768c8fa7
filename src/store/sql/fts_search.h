#pragma once

// The SQLite side of substring search (migrations/sqlite/0009_search_fts.sql): FTS5 MATCH
// expressions that narrow a LIKE search to the rows an FTS5 trigram table names. Internal to
// src/store/sql.
//
// The one place where the search SQL differs per engine. PostgreSQL answers `LIKE '%abc%'` from
// its pg_trgm indexes (migrations/postgres/0002_search_indexes.sql) under the store's one SQL
// text. SQLite has no such index, so on SQLite a search statement gets one more predicate,
//   AND <alias>.rowid IN (SELECT rowid FROM <table>_fts WHERE <table>_fts MATCH $n)
// with $n built here from the LIKE pattern. The LIKE predicate stays as it is and decides; the
// MATCH expression only has to hold for every row the LIKE matches (it may hold for more):
// * each literal run of kMinRunChars or more characters (code points) of the pattern, i.e. the
//   text between wildcards, must occur in a matching value, so the expression requires each
//   run as a phrase, which the trigram tokenizer reads as that substring, case-folded;
// * the tokenizer folds case for all of Unicode and SQLite's LIKE for ASCII only, so the FTS
//   side matches at least what LIKE matches;
// * a pattern with no such run (`%ab%`, `%a_b%`, `%%`), or one that is not valid UTF-8, yields
//   no expression: the statement runs without the FTS predicate, i.e. reads the whole table.
//   (A trigram index cannot serve fewer than three characters.)
// User text reaches MATCH only inside double-quoted phrases with inner quotes doubled, so FTS5
// query syntax in it (AND, *, :, ^, parentheses) is inert.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "store/db.h"

namespace orgd::store::sql::internal {

// The shortest literal run worth a phrase: the trigram tokenizer indexes three characters.
inline constexpr size_t kMinRunChars = 3;

// How a LIKE pattern's backslash reads: as the escape character (`LIKE $1 ESCAPE '\'`, where
// `\x` is a literal x) or as itself (a LIKE without ESCAPE on SQLite).
enum class LikeEscape { kNone, kBackslash };

// The literal runs of `pattern` (`%` and `_` are wildcards) that are kMinRunChars or more code
// points long, in order. Empty when there are none or `pattern` is not valid UTF-8. A NUL
// character ends a run (it never takes part in a phrase).
std::vector<std::string> LiteralRuns(std::string_view pattern, LikeEscape escape);

// `text` as an FTS5 phrase: in double quotes, inner double quotes doubled.
std::string FtsPhrase(std::string_view text);

// An FTS5 expression that holds for every value matching the LIKE `pattern`: its literal runs
// as phrases joined by AND, or nullopt (no narrowing) when it has none.
std::optional<std::string> FtsLike(std::string_view pattern, LikeEscape escape);

// The expression for a value compared with `=`: the whole value as one phrase when it is valid
// UTF-8 of kMinRunChars or more code points without NUL, else nullopt.
std::optional<std::string> FtsEquals(std::string_view value);

// Combinators over optional expressions, where nullopt means "no narrowing" (every row):
// FtsAnd drops the nullopt operands (nullopt if all are); FtsOr is nullopt if any operand is
// (or there are none). Operands are parenthesized.
std::optional<std::string> FtsAnd(const std::vector<std::optional<std::string>>& operands);
std::optional<std::string> FtsOr(const std::vector<std::optional<std::string>>& operands);

// `expression` restricted to the FTS column `column` (an FTS5 column filter), or nullopt.
std::optional<std::string> FtsInColumn(std::string_view column,
                                       const std::optional<std::string>& expression);

// How many matches make a search "dense": SQLite cannot weigh the FTS predicate against the
// page's order (it always reads every hit, fetches each row and sorts them), so a page whose
// search matches this many rows or more is read from the table in the page's order instead
// (plain statement), where matches are frequent enough that the page fills after a short read:
// about (offset + limit) * rows / matches rows. 4096 is near sqrt(21 * 1,000,000), where the two
// costs meet for a first page of 20 at a million rows. The matches are counted exactly when the
// caller wants the total anyway (the count goes through the FTS table, which costs less than
// reading every row even for many matches), else estimated by the FTS hits (FewFtsHits).
inline constexpr int64_t kDenseHits = 4096;

// Counts up to kDenseHits rows of an FTS table: `probe_sql` is one of the statements below, with
// $1 the MATCH expression and $2 the cap.
inline constexpr std::string_view kOrganizationsFtsProbe =
    "SELECT COUNT(*) FROM (SELECT rowid FROM organizations_fts WHERE organizations_fts MATCH $1 "
    "LIMIT $2)";
inline constexpr std::string_view kUsersFtsProbe =
    "SELECT COUNT(*) FROM (SELECT rowid FROM users_fts WHERE users_fts MATCH $1 LIMIT $2)";

// Whether `match` names fewer than kDenseHits rows (reads at most that many).
Result<bool> FewFtsHits(Connection& conn, std::string_view probe_sql, const std::string& match);

}  // namespace orgd::store::sql::internal
