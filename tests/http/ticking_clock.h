#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "common/clock.h"

namespace orgd::testing {

// A clock that moves one millisecond forward on every reading, starting at the real time: rows
// created one after another get distinct timestamps, so creation-order lists are deterministic
// (ties would otherwise break by random id).
class TickingClock final : public Clock {
 public:
  int64_t NowMillis() const override { return now_.fetch_add(1); }

 private:
  mutable std::atomic<int64_t> now_{std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count()};
};

}  // namespace orgd::testing
