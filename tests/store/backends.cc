#include "tests/store/backends.h"

#include <stdlib.h>

#include <cstdlib>
#include <system_error>
#include <utility>

#include "store/postgres/pg_db.h"
#include "store/sql/migrations.h"
#include "store/sqlite/sqlite_db.h"

namespace orgd::store::testing {
namespace {

Result<std::filesystem::path> MakeTempDir() {
  std::string templ = (std::filesystem::temp_directory_path() / "orgd-store-XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr) {
    return Error::Internal("cannot create a temporary directory", templ);
  }
  return std::filesystem::path(templ);
}

}  // namespace

TestDatabase::TestDatabase(std::unique_ptr<Database> db, std::filesystem::path temp_dir)
    : db_(std::move(db)), temp_dir_(std::move(temp_dir)) {}

TestDatabase::~TestDatabase() {
  db_.reset();
  schema_.reset();
  if (!temp_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(temp_dir_, ec);
  }
}

std::filesystem::path TestDatabase::file() const {
  return temp_dir_.empty() ? std::filesystem::path() : temp_dir_ / "orgd.db";
}

std::vector<std::string> AvailableBackends() {
  return {"sqlite_memory", "sqlite_file", "postgres"};
}

std::unique_ptr<Database> OpenSecondHandle(const std::string& backend, TestDatabase& database) {
  if (backend == "sqlite_file") {
    auto db = sqlite::SqliteDatabase::Open(database.file().string());
    EXPECT_TRUE(db) << ErrorText(db.error());
    return db ? std::move(*db) : nullptr;
  }
  if (backend == "postgres") {
    auto db = postgres::PgDatabase::Open(database.schema_->url());
    EXPECT_TRUE(db) << ErrorText(db.error());
    return db ? std::move(*db) : nullptr;
  }
  return nullptr;
}

Result<OpenedBackend> OpenBackend(const std::string& name) {
  if (name == "sqlite_memory") {
    auto db = sqlite::SqliteDatabase::Open(":memory:");
    if (!db) return std::move(db).error();
    return OpenedBackend{.database = std::make_unique<TestDatabase>(std::move(*db), ""),
                         .skip_reason = {}};
  }
  if (name == "sqlite_file") {
    auto dir = MakeTempDir();
    if (!dir) return std::move(dir).error();
    auto db = sqlite::SqliteDatabase::Open((*dir / "orgd.db").string());
    if (!db) {
      std::error_code ec;
      std::filesystem::remove_all(*dir, ec);
      return std::move(db).error();
    }
    return OpenedBackend{.database = std::make_unique<TestDatabase>(std::move(*db), *dir),
                         .skip_reason = {}};
  }
  if (name == "postgres") {
    std::string skip_reason;
    auto schema = orgd::testing::PgTestSchema::Create(&skip_reason);
    if (!schema) return std::move(schema).error();
    if (!*schema) return OpenedBackend{.database = nullptr, .skip_reason = skip_reason};
    auto db = postgres::PgDatabase::Open((*schema)->url());
    if (!db) return std::move(db).error();
    auto test_db = std::make_unique<TestDatabase>(std::move(*db), "");
    test_db->schema_ = std::move(*schema);
    return OpenedBackend{.database = std::move(test_db), .skip_reason = {}};
  }
  return Error::InvalidArgument("unknown backend " + name);
}

std::string ErrorText(const Error& e) {
  return std::string(ErrorCodeName(e.code)) + " subject=" + e.subject + " reason=" + e.reason +
         " message=" + e.message + " detail=" + e.detail;
}

std::string BackendName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

void BackendTest::SetUp() {
  auto opened = OpenBackend(backend());
  ASSERT_TRUE(opened) << ErrorText(opened.error());
  if (opened->database == nullptr) GTEST_SKIP() << opened->skip_reason;
  database_ = std::move(opened->database);
}

int64_t BackendTest::CountRows(std::string_view sql, std::initializer_list<Param> params) {
  auto lease = db().Acquire();
  EXPECT_TRUE(lease);
  if (!lease) return -1;
  int64_t count = -1;
  auto r = (*lease)->Query(sql, params, [&](const Row& row) { count = row.GetInt(0); });
  EXPECT_TRUE(r) << ErrorText(r.error());
  return count;
}

void MigratedStoreTest::SetUp() {
  BackendTest::SetUp();
  if (IsSkipped() || HasFatalFailure()) return;
  auto applied = sql::Migrate(db());
  ASSERT_TRUE(applied) << ErrorText(applied.error());
  migrated_ = *applied;
  store_ = std::make_unique<sql::SqlStore>(db());
}

void MigratedStoreTest::TearDown() { store_.reset(); }

}  // namespace orgd::store::testing
