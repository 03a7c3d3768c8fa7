#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/error.h"
#include "common/id_generator.h"
#include "common/result.h"
#include "domain/password_hasher.h"
#include "store/sql/migrations.h"
#include "store/sql/sql_store.h"
#include "store/sqlite/sqlite_db.h"

// What the domain unit tests (src/domain/*_test.cc) share: services run over a real SqlStore on a
// fresh, migrated SQLite ":memory:" database, with a fake clock and sequential ids. Header-only,
// and outside src/ because it reaches below the domain layer.
namespace orgd::domain::testing {

// An error on one line, for assertion messages.
inline std::string ErrorText(const Error& e) {
  return std::string(ErrorCodeName(e.code)) + " " + e.subject + "/" + e.reason + ": " + e.message;
}

// Asserts that `r` failed with exactly this code, subject and reason.
template <typename R>
void ExpectError(const R& r, ErrorCode code, std::string_view subject, std::string_view reason) {
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, code) << ErrorText(r.error());
  EXPECT_EQ(r.error().subject, subject) << ErrorText(r.error());
  EXPECT_EQ(r.error().reason, reason) << ErrorText(r.error());
}

// A password "hash" that costs nothing: "$fake$" + the password.
class FakeHasher final : public PasswordHasher {
 public:
  Result<std::string> Hash(std::string_view password) const override {
    return "$fake$" + std::string(password);
  }
  std::string_view algorithm() const override { return "Argon2id"; }
};

// A fixture whose SetUp opens and migrates the database and makes the store; a subclass's SetUp
// calls it first and returns when HasFatalFailure(). Members of a subclass (the services) are
// destroyed before the store they use.
class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::sqlite::SqliteDatabase::Open(":memory:");
    ASSERT_TRUE(db) << ErrorText(db.error());
    db_ = std::move(*db);
    auto migrated = store::sql::Migrate(*db_);
    ASSERT_TRUE(migrated) << ErrorText(migrated.error());
    store_ = std::make_unique<store::sql::SqlStore>(*db_);
  }

  FakeClock clock_;
  SequentialIdGenerator ids_;
  std::unique_ptr<store::sqlite::SqliteDatabase> db_;
  std::unique_ptr<store::sql::SqlStore> store_;
};

}  // namespace orgd::domain::testing

// Asserts that a Result holds a value; the failure message names the error.
#define ASSERT_OK(expr)                                                   \
  do {                                                                    \
    const auto& domain_assert_ok_ = (expr);                               \
    ASSERT_TRUE(domain_assert_ok_)                                        \
        << ::orgd::domain::testing::ErrorText(domain_assert_ok_.error()); \
  } while (0)
