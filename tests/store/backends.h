#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/result.h"
#include "store/db.h"
#include "store/sql/sql_store.h"
#include "tests/support/pg_schema.h"

// Asserts that a Result holds a value; the failure message names the error (ErrorText).
#define ASSERT_OK(expr)                                                \
  do {                                                                 \
    const auto& orgd_assert_ok_ = (expr);                              \
    ASSERT_TRUE(orgd_assert_ok_)                                       \
        << ::orgd::store::testing::ErrorText(orgd_assert_ok_.error()); \
  } while (0)

// Backends the cross-layer suites run against. Each test opens a fresh, empty (unmigrated)
// database of its backend and drops it afterwards.
namespace orgd::store::testing {

// Every backend name this build knows, in a fixed order: "sqlite_memory", "sqlite_file",
// "postgres". A backend that cannot run here (PostgreSQL without ORGD_TEST_POSTGRES_URL or without
// a driver) is still listed; OpenBackend tells the test to skip it.
std::vector<std::string> AvailableBackends();

// A fresh database for one test. Owns any temporary files and removes them on destruction,
// after closing the database.
class TestDatabase {
 public:
  TestDatabase(std::unique_ptr<Database> db, std::filesystem::path temp_dir);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  Database& db() { return *db_; }
  // The database file of "sqlite_file", empty otherwise.
  std::filesystem::path file() const;

  // The PostgreSQL schema of the "postgres" backend, dropped after the database is closed.
  std::unique_ptr<orgd::testing::PgTestSchema> schema_;

 private:
  std::unique_ptr<Database> db_;
  std::filesystem::path temp_dir_;
};

// The outcome of OpenBackend: a database, or why the backend cannot run here (`skip_reason`,
// for GTEST_SKIP), or an error (a failure of the test).
struct OpenedBackend {
  std::unique_ptr<TestDatabase> database;
  std::string skip_reason;
};

Result<OpenedBackend> OpenBackend(const std::string& name);

// A second handle on the database of `backend` that `database` holds, as another process would
// hold it: null for "sqlite_memory", which has none (and a failure when it cannot be opened).
std::unique_ptr<Database> OpenSecondHandle(const std::string& backend, TestDatabase& database);

// Every field of an error on one line, for assertion messages.
std::string ErrorText(const Error& e);

// Asserts that `result` failed with exactly this code and subject (and reason, in the overload
// that takes one).
template <typename R>
void ExpectError(const R& result, ErrorCode code, std::string_view subject) {
  ASSERT_FALSE(result) << "expected " << ErrorCodeName(code);
  EXPECT_EQ(result.error().code, code) << ErrorText(result.error());
  EXPECT_EQ(result.error().subject, subject) << ErrorText(result.error());
}
template <typename R>
void ExpectError(const R& result, ErrorCode code, std::string_view subject,
                 std::string_view reason) {
  ExpectError(result, code, subject);
  if (result) return;
  EXPECT_EQ(result.error().reason, reason) << ErrorText(result.error());
}

// The backend as the name of a test instance: "Backends/Suite.Test/sqlite_file".
std::string BackendName(const ::testing::TestParamInfo<std::string>& info);

// A fresh, unmigrated database of the backend GetParam() names, for suites instantiated over
// AvailableBackends(). SetUp skips the test when the backend cannot run here; a subclass's SetUp
// returns early when IsSkipped() or HasFatalFailure() after calling this one. A suite may run its
// tests again in a variant of its own: GetParam() "sqlite_file+bulk" opens sqlite_file, and
// variant() is "bulk".
class BackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override;

  std::string backend() const { return GetParam().substr(0, GetParam().find('+')); }
  std::string variant() const {
    const size_t plus = GetParam().find('+');
    return plus == std::string::npos ? "" : GetParam().substr(plus + 1);
  }

  Database& db() { return database_->db(); }

  // The first column of the one row `sql` returns, read straight from the database (to look
  // behind the store); -1, and a failure, when the statement fails.
  int64_t CountRows(std::string_view sql, std::initializer_list<Param> params = {});

  std::unique_ptr<TestDatabase> database_;
};

// A fresh database of the backend, migrated to the newest version, and an SqlStore over it. The
// store is destroyed before the database.
class MigratedStoreTest : public BackendTest {
 protected:
  void SetUp() override;
  void TearDown() override;

  sql::SqlStore& s() { return *store_; }

  // The versions SetUp's migration applied.
  std::vector<int> migrated_;
  std::unique_ptr<sql::SqlStore> store_;
};

}  // namespace orgd::store::testing
