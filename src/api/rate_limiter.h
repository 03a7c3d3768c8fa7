#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"

namespace orgd::api {

// How many Management API requests one client may make: `requests` per `window_ms`, with bursts
// of up to `requests` at once (a token bucket of that capacity, refilled evenly over the window).
struct RateLimit {
  int64_t requests = 0;
  int64_t window_ms = 1000;
};

// Per-client token buckets (--rate-limit). Off unless configured: the route table only asks when
// a limiter exists. Thread-safe; the buckets are sharded by client so that concurrent clients
// rarely share a lock. Idle buckets are dropped when a shard grows past a bound.
class RateLimiter {
 public:
  RateLimiter(RateLimit limit, const Clock& clock);

  struct Decision {
    bool allowed = true;
    int64_t remaining = 0;      // whole requests left in the bucket after this one
    int64_t reset_seconds = 0;  // when refused: seconds until the next request is allowed (≥ 1)
  };
  // Takes one request from `client`'s bucket.
  Decision Take(std::string_view client);

  const RateLimit& limit() const { return limit_; }

 private:
  struct Bucket {
    double tokens = 0;
    int64_t updated_ms = 0;
  };
  // Lets the map be searched by string_view without building a std::string per request.
  struct TransparentHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, Bucket, TransparentHash, std::equal_to<>> buckets;
  };
  static constexpr size_t kShards = 16;
  static constexpr size_t kMaxBucketsPerShard = 4096;

  RateLimit limit_;
  double per_ms_;
  const Clock& clock_;
  std::array<Shard, kShards> shards_;
};

}  // namespace orgd::api
