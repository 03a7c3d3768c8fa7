#pragma once

// A real orgd App for fuzz targets: built once per process on an in-memory SQLite database, with
// Logto test mode on and a Kinde token of every scope, so that fuzzed requests reach the handlers.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/app.h"
#include "http/request.h"
#include "http/response.h"

namespace orgd::fuzz {

class FuzzApp {
 public:
  // The process-wide instance (built on first use; aborts when it cannot be built).
  static FuzzApp& Get();

  // Sends one request in-process. `headers` are copied into storage that lives until the next
  // call. Adds a Kinde or Logto Authorization header when `authorize` and the path belongs to a
  // dialect.
  http::Response Send(std::string_view method, std::string_view target, std::string_view body,
                      std::vector<std::pair<std::string, std::string>> headers, bool authorize);

  // Ids of entities created at start, for filling path parameters:
  // "org", "user", "role", "permission", "kinde_org".
  const std::string& id(std::string_view name) const;

  app::App& app() { return *app_; }

 private:
  FuzzApp();
  std::unique_ptr<app::App> app_;
  std::string kinde_token_;
  std::vector<std::pair<std::string, std::string>> ids_;
  std::vector<std::pair<std::string, std::string>> header_storage_;
};

// Aborts the process (a finding) when a response is a server error: bad input must never yield
// 5xx from a healthy in-memory database.
void CheckNoServerError(const http::Response& response, std::string_view what);

}  // namespace orgd::fuzz
