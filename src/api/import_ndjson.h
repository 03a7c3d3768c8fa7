#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "domain/import_service.h"

// The NDJSON line format of bulk imports (docs/import.md): one JSON object per line whose "type"
// names the record, with the Logto dialect's field names. Shared by `orgd import` and
// POST /api/orgd/import.
namespace orgd::api {

// Parses one line into a record. Unknown fields are refused (a typo must not import silently),
// as are fields of the wrong JSON type. kInvalidArgument with a message naming the field; the
// field rules (lengths, patterns) are domain::ValidateImportRecord's. Thread-safe.
Result<domain::ImportRecord> ParseImportLine(std::string_view line);

// The identity of an import file: the lower-case hex SHA-256 of its bytes.
std::string ImportFileId(std::string_view content);

}  // namespace orgd::api
