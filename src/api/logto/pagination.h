#pragma once

#include <cstdint>

#include "common/result.h"
#include "http/request.h"
#include "http/response.h"

// Page-number pagination of the Logto dialect (contracts/logto.md §1.7).
namespace orgd::api::logto {

inline constexpr int64_t kDefaultPageSize = 20;
inline constexpr int64_t kMaxPageSize = 100;

struct Paging {
  int64_t page = 1;
  int64_t page_size = kDefaultPageSize;
  bool requested = false;  // `page` or `page_size` was given (optional-pagination lists)

  int64_t offset() const { return (page - 1) * page_size; }
};

// Reads `page` and `page_size`: positive integers, page_size ≤ 100, an empty value counts as
// absent. kInvalidArgument with reason "pagination" otherwise (repeated keys too).
Result<Paging> ParsePaging(const http::QueryParams& query);

// Adds `Total-Number` and the `Link` entries (first, prev, last, next) for `total` rows.
void AddPagingHeaders(http::Response& response, const http::Request& request, const Paging& paging,
                      int64_t total);

}  // namespace orgd::api::logto
