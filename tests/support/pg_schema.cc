#include "tests/support/pg_schema.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "common/id_generator.h"
#include "store/postgres/pg_db.h"

namespace orgd::testing {

Result<std::unique_ptr<PgTestSchema>> PgTestSchema::Create(std::string* skip_reason) {
  const char* base = std::getenv("ORGD_TEST_POSTGRES_URL");
  if (base == nullptr || *base == '\0') {
    if (skip_reason) *skip_reason = "ORGD_TEST_POSTGRES_URL is not set";
    return std::unique_ptr<PgTestSchema>();
  }
  static std::atomic<int> counter{0};
  std::string name = "orgd_t_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
                     RandomHex(6);
  store::postgres::PgOptions options;
  options.pool_size = 1;
  auto db = store::postgres::PgDatabase::Open(base, options);
  if (!db) return std::move(db).error();
  {
    auto conn = (*db)->Acquire();
    if (!conn) return std::move(conn).error();
    ORGD_TRY((*conn)->ExecScript("CREATE SCHEMA " + name));
  }
  std::string url = base;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "options=-csearch_path%3D" + name;
  return std::unique_ptr<PgTestSchema>(new PgTestSchema(base, name, url));
}

PgTestSchema::PgTestSchema(std::string base_url, std::string name, std::string url)
    : base_url_(std::move(base_url)), name_(std::move(name)), url_(std::move(url)) {}

PgTestSchema::~PgTestSchema() {
  store::postgres::PgOptions options;
  options.pool_size = 1;
  auto db = store::postgres::PgDatabase::Open(base_url_, options);
  if (!db) return;
  auto conn = (*db)->Acquire();
  if (!conn) return;
  (void)(*conn)->ExecScript("DROP SCHEMA IF EXISTS " + name_ + " CASCADE");
}

}  // namespace orgd::testing
