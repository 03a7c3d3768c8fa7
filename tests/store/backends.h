#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "store/db.h"
#include "tests/support/pg_schema.h"

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

}  // namespace orgd::store::testing
