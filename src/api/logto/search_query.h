#pragma once

#include <string_view>
#include <vector>

#include "common/result.h"
#include "domain/text_search.h"
#include "http/request.h"

// The Logto dialect's advanced search syntax (contracts/logto.md §3.9.1): `search=<pattern>` over
// every searchable field, `search.<field>=<pattern>` over one (repeat a key to OR values),
// `mode[.<field>]=like|exact` (default like; a field without its own mode takes the bare `mode`),
// `joint=or|and` (default or; `jointMode` is an alias), `isCaseSensitive=true|false` (default
// false). Empty search values are ignored.
namespace orgd::api::logto {

// Reads the search parameters of `query`; `fields` are the searchable fields. Other parameters
// are left alone. kInvalidArgument with reason "business" (400 request.invalid_input) for an
// unknown field, an unknown or unsupported mode (`similar_to` and `posix` are not implemented), a
// mode given twice for one field, or a bad `joint` / `isCaseSensitive`.
Result<domain::TextSearch> ParseSearchQuery(const http::QueryParams& query,
                                            const std::vector<std::string_view>& fields);

}  // namespace orgd::api::logto
