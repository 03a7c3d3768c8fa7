#pragma once

#include <memory>
#include <string>

#include "common/result.h"

namespace orgd::testing {

// A PostgreSQL schema of its own for one test, so tests never share state: created on
// construction in the database of ORGD_TEST_POSTGRES_URL, dropped (CASCADE) on destruction.
class PgTestSchema {
 public:
  // nullptr with `skip_reason` set when ORGD_TEST_POSTGRES_URL is not set.
  static Result<std::unique_ptr<PgTestSchema>> Create(std::string* skip_reason);
  ~PgTestSchema();

  // The base URL with `options=-csearch_path=<schema>` so that every connection works inside it.
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

 private:
  PgTestSchema(std::string base_url, std::string name, std::string url);
  std::string base_url_;
  std::string name_;
  std::string url_;
};

}  // namespace orgd::testing
