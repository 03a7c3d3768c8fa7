#pragma once

#include <cstddef>

#include "api/handler.h"
#include "api/route_table.h"
#include "domain/import_service.h"

// POST /api/orgd/import: the bulk import of docs/import.md over HTTP, behind the Logto dialect's
// authentication (scope `all`). Not a Logto route; orgd's own, in Logto's error format.
namespace orgd::api::logto {

// The request-body limit of the import route. Bigger files go through `orgd import FILE`, which
// has no limit and shows progress; the import runs on the request's I/O thread, so this also
// bounds how long one request holds it.
inline constexpr size_t kImportBodyLimit = size_t{32} << 20;

class ImportHandler {
 public:
  explicit ImportHandler(domain::ImportService& imports);

  // POST /api/orgd/import?batchSize=N&fromStart=true, body application/x-ndjson (or
  // application/ndjson) → 200 {fileId, alreadyComplete, firstLine, linesDone, linesThisRun,
  // batches, organizations, users, organizationScopes, organizationRoles, memberships,
  // memberRoles}, each count {inserted, updated, unchanged}. 400 guard.invalid_input for another
  // Content-Type or a bad batchSize (1..100000); a bad line: 400 import.invalid_line (it does not
  // parse or breaks a field rule) or 422 import.line_rejected (unknown name, uniqueness clash,
  // unknown organization or user), with data {line, field?}; batches before it stay committed and
  // a re-post of the same body resumes after them. 413 beyond kImportBodyLimit.
  Result<http::Response> Import(const http::Request& request, const auth::Principal& caller);

 private:
  domain::ImportService& imports_;
};

// Registers the route above (scope "all").
void AddImportRoutes(RouteTable& routes, domain::ImportService& imports);

}  // namespace orgd::api::logto
