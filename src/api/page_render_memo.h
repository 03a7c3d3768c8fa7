#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace orgd::api {

// Remembers, per thread, the JSON that one handler rendered for a list page the domain keeps and
// shares (domain/list_cache.h). Such a page is immutable while anyone holds it, so its rendering
// by one handler never changes: the hot list reads render each kept page once per thread instead
// of once per request. A page is known by its identity (its control block, held weakly, so no
// new page can take the place of one that is gone); each memo has its own entries on every
// thread, in a few slots that newer pages overwrite. Pages the domain did not keep are rendered,
// remembered and simply never asked for again.
//
// What the memo keeps per thread: at most kSlots renderings, and the memory of their pages until
// the slots are overwritten (a weak reference keeps a make_shared block allocated).
class PageRenderMemo {
 public:
  static constexpr size_t kSlots = 16;

  // The rendering of `page`: `render()` (which returns std::string) on a miss. The reference is
  // valid until the next call on this thread of any memo.
  template <typename Page, typename Render>
  const std::string& Get(const std::shared_ptr<const Page>& page, Render&& render) const {
    Slot& slot = SlotFor(page.get());
    // Sharing `page`'s control block means the slot's page is `page`, alive while we hold it.
    const bool same_page = !slot.page.owner_before(page) && !page.owner_before(slot.page);
    if (slot.memo != this || !same_page) {
      slot.memo = this;
      slot.page = page;
      slot.body = render();
    }
    return slot.body;
  }

 private:
  struct Slot {
    const PageRenderMemo* memo = nullptr;
    std::weak_ptr<const void> page;
    std::string body;
  };

  Slot& SlotFor(const void* page) const {
    thread_local std::array<Slot, kSlots> slots;
    const auto mix = (reinterpret_cast<uintptr_t>(page) >> 4) ^ (reinterpret_cast<uintptr_t>(this) >> 3);
    return slots[(mix ^ (mix >> 7)) % kSlots];
  }
};

}  // namespace orgd::api
