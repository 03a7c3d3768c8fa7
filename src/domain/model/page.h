#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace orgd::domain {

// Position after which a keyset page starts: the sort key of the last row seen (decimal
// created_at for creation orders, the lower-cased text otherwise) and its id.
struct Cursor {
  std::string sort_key;
  std::string id;
};

// Paging of a list request. The Logto dialect pages by `offset`; the Kinde dialect by `after`
// (keyset). With neither the list starts at the beginning; `offset` also applies after `after`.
struct PageRequest {
  int64_t limit = 20;
  int64_t offset = 0;
  std::optional<Cursor> after;
  bool want_total = false;
};

template <typename T>
struct Page {
  std::vector<T> items;
  int64_t total = 0;              // set when want_total
  bool has_more = false;          // another row exists after the last item
  std::optional<Cursor> last;     // cursor of the last item, when any
};

}  // namespace orgd::domain
