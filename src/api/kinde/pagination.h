#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "http/request.h"

// Token pagination of the Kinde dialect (contracts/kinde.md §1.6).
namespace orgd::api::kinde {

inline constexpr int64_t kDefaultPageSize = 10;
inline constexpr int64_t kMaxPageSize = 500;

// Reads `page_size`: default 10, an integer ≥ 1 (else INVALID_PAGE_SIZE) and ≤ 500 (else
// PAGE_SIZE_LIMIT_EXCEEDED), as kInvalidArgument errors the Kinde renderer understands.
Result<int64_t> ParsePageSize(const http::QueryParams& query);

// The position a next_token carries: the sort key and id of the last row of the previous page.
struct TokenPosition {
  std::string key;
  std::string id;
};

// An opaque, URL-safe token bound to one list, sort and filter set.
std::string EncodeNextToken(std::string_view list, std::string_view sort, std::string_view filter,
                            const TokenPosition& position);
// Decodes a token made by EncodeNextToken for the same list, sort and filter; anything else is
// kInvalidArgument INVALID_NEXT_TOKEN.
Result<TokenPosition> DecodeNextToken(std::string_view token, std::string_view list,
                                      std::string_view sort, std::string_view filter);

// Reads a single-valued query parameter; repeated → INVALID_<KEY>. Empty counts as absent.
Result<std::optional<std::string_view>> SingleQuery(const http::QueryParams& query,
                                                    std::string_view key);

}  // namespace orgd::api::kinde
