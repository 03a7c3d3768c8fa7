#pragma once

#include <atomic>
#include <cstdint>

namespace orgd {

// A number no other object of this process was or will be given (from 1 up). Per-thread caches
// keyed by an object (a model's freshness, a verifier's token slots) store it rather than the
// object's address, which a later object may reuse.
inline uint64_t NextInstanceId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace orgd
