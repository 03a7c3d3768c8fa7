#pragma once

// Rows handed to one statement as a few parameters, whatever their number: the bulk writes of the
// SQL store (memberships, grants, import runs) cost a few statements instead of a round trip per
// row. Internal to src/store/sql.
//
// The one engine difference, behind Engine:
// - PostgreSQL: one parameter per column, an array literal ('{"a","b",NULL}') that the statement
//   reads with `unnest(CAST($n AS TEXT[]), CAST($m AS BIGINT[]), ...)`, which yields the rows in
//   order.
// - SQLite: one parameter, a JSON array read with `json_each($n)`: with one column the element
//   is the value (`j.value`), with several it is the row's array (`json_extract(j.value, '$[0]')`,
//   ...). Strings stay strings and integers integers, as STRICT tables require.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "store/db.h"

namespace orgd::store::sql::internal {

// The most rows one bulk statement carries; more rows take several statements. Bounds the size
// of one parameter (and of SQLite's statement journal) while keeping the statement count small.
inline constexpr size_t kBulkRowsPerStatement = 4096;

class BulkRows {
 public:
  BulkRows(Engine engine, size_t columns);

  // Appends a row of `columns` values: text (std::string_view), int64_t or NULL. Blobs are not
  // supported. On PostgreSQL kInvalidArgument for text with a NUL character, as the driver
  // answers for a single value (SQLite's JSON carries it as \u0000).
  Result<void> Add(std::initializer_list<Param> row);

  size_t size() const { return rows_; }
  bool empty() const { return rows_ == 0; }

  // The statement's parameters: `columns` array literals (PostgreSQL) or one JSON text (SQLite).
  // They point into this object, which must outlive the statement.
  std::vector<Param> Params();

 private:
  Engine engine_;
  size_t columns_;
  size_t rows_ = 0;
  // PostgreSQL: one literal per column; SQLite: one JSON text. Open until Params() closes them.
  std::vector<std::string> texts_;
  bool closed_ = false;
};

// `scalars` followed by the parameters of `rows`: bulk statements number their scalar parameters
// first, so that the positions agree on both engines.
inline std::vector<Param> BulkParams(std::initializer_list<Param> scalars, BulkRows& rows) {
  std::vector<Param> params(scalars);
  for (Param& p : rows.Params()) params.push_back(std::move(p));
  return params;
}

// Pointers to `rows` in the order of key(row) (a value or a std::tie that compares). Bulk inserts
// take their rows in key order: each index is then filled from left to right instead of at
// random places, which spares SQLite about a third of its page lookups on a large table.
template <typename T, typename Key>
std::vector<const T*> InKeyOrder(std::span<const T> rows, Key key) {
  std::vector<const T*> ordered;
  ordered.reserve(rows.size());
  for (const T& row : rows) ordered.push_back(&row);
  const auto less = [&](const T* a, const T* b) { return key(*a) < key(*b); };
  // A bulk load hands over millions of rows sorted already: one pass instead of a sort.
  if (!std::is_sorted(ordered.begin(), ordered.end(), less)) {
    std::stable_sort(ordered.begin(), ordered.end(), less);
  }
  return ordered;
}

// For SQLite, where a statement costs no round trip but each execution sets its cursors up
// again: "($2, $3, $1), ($4, $5, $1), …", `rows` tuples of `columns` parameters numbered from $2,
// each ending with `tail` (parameters every row shares, such as $1), for a multi-row
// INSERT … VALUES that fills a table many rows per execution.
std::string ValuesTuples(size_t rows, size_t columns, std::string_view tail);

// Calls fn(begin, end) for consecutive ranges of at most kBulkRowsPerStatement of [0, count), and
// stops at the first error.
template <typename Fn>
Result<void> InChunks(size_t count, Fn&& fn) {
  for (size_t begin = 0; begin < count; begin += kBulkRowsPerStatement) {
    const size_t end =
        count - begin < kBulkRowsPerStatement ? count : begin + kBulkRowsPerStatement;
    ORGD_TRY(fn(begin, end));
  }
  return {};
}

}  // namespace orgd::store::sql::internal
