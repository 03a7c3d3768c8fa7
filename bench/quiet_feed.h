#pragma once

// A change feed for the in-process benchmarks (read_model_memory, search_index_bench): its
// first poll reports "everything", as a real feed's does, and every later one nothing, so that
// what the benchmark loads stays loaded.

#include "common/result.h"
#include "store/change_feed.h"

namespace orgd::bench {

class QuietFeed final : public store::ChangeFeed {
 public:
  Result<store::ChangePoll> Poll() override {
    store::ChangePoll poll;
    poll.everything = first_;
    first_ = false;
    return poll;
  }

 private:
  bool first_ = true;
};

}  // namespace orgd::bench
