#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.h"
#include "store/tx_mode.h"

// The small driver interface under the one SQL store (src/store/sql). A driver runs SQL text
// written once for both engines with `$1`-style parameters, and hides the few real differences
// behind named hooks (see Engine and Connection::Sql). Drivers translate database errors to
// Error per STYLE.md §6: unique violation → kAlreadyExists (reason "unique"), busy /
// serialization failure / deadlock → kAborted, lost connection → kUnavailable, anything else →
// kInternal with the library text in `detail`.
namespace orgd::store {

enum class Engine { kSqlite, kPostgres };

// Raw bytes for BLOB / bytea values.
struct Blob {
  std::string bytes;
};

// A bound parameter. Booleans are stored as integers 0/1 on both engines.
using Param = std::variant<std::nullptr_t, int64_t, std::string_view, Blob>;

inline Param Bool(bool b) { return Param{static_cast<int64_t>(b ? 1 : 0)}; }
inline Param Text(const std::string& s) { return Param{std::string_view(s)}; }
inline Param OptText(const std::optional<std::string>& s) {
  return s ? Param{std::string_view(*s)} : Param{nullptr};
}
inline Param Int(int64_t v) { return Param{v}; }

// One result row, valid only inside the row callback. Columns are 0-based.
class Row {
 public:
  virtual ~Row() = default;
  virtual bool IsNull(int col) const = 0;
  virtual int64_t GetInt(int col) const = 0;
  virtual bool GetBool(int col) const { return GetInt(col) != 0; }
  // Text and blob views stay valid until the callback returns.
  virtual std::string_view GetText(int col) const = 0;
  virtual std::string GetBlob(int col) const = 0;

  std::string GetString(int col) const { return std::string(GetText(col)); }
  std::optional<std::string> GetOptString(int col) const {
    if (IsNull(col)) return std::nullopt;
    return std::string(GetText(col));
  }
  std::optional<int64_t> GetOptInt(int col) const {
    if (IsNull(col)) return std::nullopt;
    return GetInt(col);
  }
};

using RowCallback = std::function<void(const Row&)>;

// One database session. Not thread-safe: a connection is used by one thread at a time, through a
// lease from Database::Acquire.
class Connection {
 public:
  virtual ~Connection() = default;

  // Runs `sql` with `params` bound in order ($1 = params[0]), calling `on_row` per result row.
  // Statements are prepared once per connection and cached by their text.
  virtual Result<void> Query(std::string_view sql, std::span<const Param> params,
                             const RowCallback& on_row) = 0;
  // Runs a statement without result rows; returns the number of rows changed.
  virtual Result<int64_t> Exec(std::string_view sql, std::span<const Param> params) = 0;
  // Runs a script of several statements without parameters (migrations).
  virtual Result<void> ExecScript(std::string_view sql) = 0;

  virtual Result<void> Begin(TxMode mode) = 0;
  virtual Result<void> Commit() = 0;
  // Never fails observably; a failed rollback marks the connection broken.
  virtual void Rollback() = 0;

  virtual Engine engine() const = 0;

  // Convenience wrappers.
  Result<void> Query(std::string_view sql, std::initializer_list<Param> params,
                     const RowCallback& on_row) {
    return Query(sql, std::span<const Param>(params.begin(), params.size()), on_row);
  }
  Result<int64_t> Exec(std::string_view sql, std::initializer_list<Param> params) {
    return Exec(sql, std::span<const Param>(params.begin(), params.size()));
  }
};

// A pool of connections to one database. Thread-safe.
class Database {
 public:
  // A connection on loan; returned to the pool when destroyed.
  class Lease {
   public:
    Lease(Database* owner, std::unique_ptr<Connection> conn)
        : owner_(owner), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = default;
    ~Lease() {
      if (owner_ && conn_) owner_->Release(std::move(conn_));
    }
    Connection& operator*() { return *conn_; }
    Connection* operator->() { return conn_.get(); }

   private:
    Database* owner_;
    std::unique_ptr<Connection> conn_;
  };

  virtual ~Database() = default;
  // Borrows a connection, opening one if none is idle. kUnavailable when the database cannot be
  // reached.
  virtual Result<Lease> Acquire() = 0;
  virtual Engine engine() const = 0;
  // True when a trivial query succeeds now (for /readyz).
  virtual bool Ping() = 0;

 protected:
  virtual void Release(std::unique_ptr<Connection> conn) = 0;
};

}  // namespace orgd::store
