#include "api/logto/pagination.h"

#include <string>

namespace orgd::api::logto {
namespace {

// Parses a positive integer of at most 15 digits (beyond any real page); nullopt otherwise.
std::optional<int64_t> ParsePositive(std::string_view s) {
  if (s.empty() || s.size() > 15) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v < 1) return std::nullopt;
  return v;
}

Error PaginationError() {
  return Error::InvalidArgument("The request pagination value is invalid.").WithReason("pagination");
}

std::string PageUrl(const http::Request& request, int64_t page) {
  std::string url = request.Origin();
  url += request.raw_path;
  bool replaced = false;
  char sep = '?';
  for (const auto& [key, value] : request.query.entries()) {
    url.push_back(sep);
    sep = '&';
    url += http::PercentEncode(key);
    url.push_back('=');
    // ParsePaging has rejected a repeated `page`, so there is at most one to replace.
    if (key == "page") {
      url += std::to_string(page);
      replaced = true;
    } else {
      url += http::PercentEncode(value);
    }
  }
  if (!replaced) {
    url.push_back(sep);
    url += "page=" + std::to_string(page);
  }
  return url;
}

}  // namespace

Result<Paging> ParsePaging(const http::QueryParams& query) {
  Paging paging;
  for (std::string_view key : {"page", "page_size"}) {
    size_t count = query.Count(key);
    if (count == 0) continue;
    if (count > 1) return PaginationError();
    std::string_view raw = *query.Get(key);
    if (raw.empty()) continue;
    auto value = ParsePositive(raw);
    if (!value) return PaginationError();
    paging.requested = true;
    if (key == "page") {
      paging.page = *value;
    } else {
      if (*value > kMaxPageSize) return PaginationError();
      paging.page_size = *value;
    }
  }
  return paging;
}

void AddPagingHeaders(http::Response& response, const http::Request& request, const Paging& paging,
                      int64_t total) {
  int64_t last = total == 0 ? 1 : (total + paging.page_size - 1) / paging.page_size;
  response.WithHeader("Total-Number", std::to_string(total));
  auto link = [&](int64_t page, std::string_view rel) {
    response.WithHeader("Link", "<" + PageUrl(request, page) + ">; rel=\"" + std::string(rel) + "\"");
  };
  link(1, "first");
  if (paging.page > 1) link(paging.page - 1, "prev");
  link(last, "last");
  if (paging.page < last) link(paging.page + 1, "next");
}

}  // namespace orgd::api::logto
