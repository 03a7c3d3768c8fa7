#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace orgd {

// This thread's own copy of an immutable shared object, made on first use and kept while the
// object is the one `shared` points to (at most kSlots objects per type and thread).
//
// Why: handing out the shared object means copying its shared_ptr, and when every I/O thread
// serves the same hot object (one organization read by every connection) each copy and release
// writes the same reference count, whose cache line then travels between cores on every request.
// A copy per thread is counted on memory only its thread writes.
//
// `shared` must stay alive during the call (the caller holds it, or holds the lock of the
// container holding it). The slot keeps its source alive, so a source's address is not reused
// while a slot compares against it. T must be copy-constructible; the copy is as immutable as
// the source.
template <typename T, size_t kSlots = 64>
std::shared_ptr<const T> ThreadCopyOf(const std::shared_ptr<const T>& shared) {
  struct Slot {
    std::shared_ptr<const T> source;
    std::shared_ptr<const T> copy;
  };
  thread_local std::array<Slot, kSlots> slots;
  // Heap objects are at least 16-byte aligned: the low bits carry nothing.
  Slot& slot = slots[(reinterpret_cast<uintptr_t>(shared.get()) >> 4) % kSlots];
  if (slot.source != shared) {
    slot.copy = std::make_shared<const T>(*shared);
    slot.source = shared;
  }
  return slot.copy;
}

}  // namespace orgd
