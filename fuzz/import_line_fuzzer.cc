// Feeds arbitrary bytes to the NDJSON import: each line through api::ParseImportLine and
// domain::ValidateImportRecord, then the whole input as a file through domain::ImportService on an
// in-memory SQLite store (small batches, so that partial commits and resumes are exercised).
// Aborts when bad input becomes an internal error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "api/import_ndjson.h"
#include "common/clock.h"
#include "common/id_generator.h"
#include "domain/import_service.h"
#include "store/sql/migrations.h"
#include "store/sql/sql_store.h"
#include "store/sqlite/sqlite_db.h"

namespace {

struct Env {
  std::unique_ptr<orgd::store::sqlite::SqliteDatabase> db;
  std::unique_ptr<orgd::store::sql::SqlStore> store;
  orgd::FakeClock clock;
  orgd::SequentialIdGenerator ids;
  std::unique_ptr<orgd::domain::ImportService> imports;
};

Env& Environment() {
  static Env* env = [] {
    auto* e = new Env();
    auto db = orgd::store::sqlite::SqliteDatabase::Open(":memory:");
    if (!db || !orgd::store::sql::Migrate(**db)) std::abort();
    e->db = std::move(*db);
    e->store = std::make_unique<orgd::store::sql::SqlStore>(*e->db);
    e->imports = std::make_unique<orgd::domain::ImportService>(*e->store, e->clock, e->ids,
                                                               orgd::api::ParseImportLine);
    return e;
  }();
  return *env;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t pos = 0;
  while (pos <= input.size()) {
    size_t end = input.find('\n', pos);
    if (end == std::string_view::npos) end = input.size();
    auto record = orgd::api::ParseImportLine(input.substr(pos, end - pos));
    if (record) {
      auto valid = orgd::domain::ValidateImportRecord(*record);
      if (!valid && valid.error().code != orgd::ErrorCode::kInvalidArgument) std::abort();
    } else if (record.error().code != orgd::ErrorCode::kInvalidArgument) {
      std::abort();
    }
    pos = end + 1;
  }
  if (size <= 4096) {
    Env& env = Environment();
    orgd::domain::ImportOptions options;
    options.batch_lines = 2;
    options.parse_ahead = (size & 1) != 0;
    auto summary = env.imports->Import(input, orgd::api::ImportFileId(input), options);
    if (!summary && summary.error().code == orgd::ErrorCode::kInternal) std::abort();
  }
  return 0;
}
