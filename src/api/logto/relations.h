#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/json_input.h"
#include "api/json_writer.h"
#include "api/logto/pagination.h"
#include "common/error.h"
#include "domain/model/role.h"
#include "http/request.h"
#include "http/response.h"

// What the Logto relation routes of organizations share (members, JIT rows): id-list bodies, the
// relation error statuses of contracts/logto.md §1.6, the plain role shape (§2.2) and optional
// pagination of in-memory lists (§1.7).
namespace orgd::api::logto {

// Reads `key` as an array of non-empty strings. Absent: `out` untouched, or 400
// guard.invalid_input (Required) when `required`; `[]` is 400 when `non_empty`.
Result<void> ReadIdArray(const Json& body, std::string_view key, bool required, bool non_empty,
                         std::optional<std::vector<std::string>>& out);

// Converts the strings to typed ids.
template <typename IdT>
std::vector<IdT> ToIds(const std::vector<std::string>& values) {
  std::vector<IdT> ids;
  ids.reserve(values.size());
  for (const std::string& v : values) ids.emplace_back(v);
  return ids;
}

// Renders a domain error of a relation write: kNotFound with reason "foreign_key" → 422
// entity.relation_foreign_key_not_found; anything else as Render.
http::Response RenderRelationError(const Error& error);

// 200 with the rows of `items` (written by `write`) that the optional paging selects: every row
// without paging parameters, else the requested page with Total-Number and Link headers.
template <typename T, typename Write>
http::Response OptionallyPaged(const http::Request& request, const Paging& paging,
                               const std::vector<T>& items, Write write) {
  size_t first = 0;
  size_t end = items.size();
  if (paging.requested) {
    first = std::min(items.size(), static_cast<size_t>(paging.offset()));
    end = std::min(items.size(), first + static_cast<size_t>(paging.page_size));
  }
  JsonWriter w(64 + (end - first) * 128);
  w.BeginArray();
  for (size_t i = first; i < end; ++i) write(w, items[i]);
  w.EndArray();
  http::Response response = http::Response::Json(200, w.Take());
  if (paging.requested) {
    AddPagingHeaders(response, request, paging, static_cast<int64_t>(items.size()));
  }
  return response;
}

}  // namespace orgd::api::logto
