#include "api/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace orgd::api {

RateLimiter::RateLimiter(RateLimit limit, const Clock& clock)
    : limit_(limit),
      per_ms_(static_cast<double>(limit.requests) / static_cast<double>(std::max<int64_t>(1, limit.window_ms))),
      clock_(clock) {}

RateLimiter::Decision RateLimiter::Take(std::string_view client) {
  const int64_t now = clock_.NowMillis();
  const double capacity = static_cast<double>(limit_.requests);
  Shard& shard = shards_[std::hash<std::string_view>{}(client) % kShards];
  std::lock_guard<std::mutex> lock(shard.mutex);
  auto it = shard.buckets.find(client);
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= kMaxBucketsPerShard) {
      // Forget buckets that have refilled completely: they carry no state worth keeping.
      std::erase_if(shard.buckets, [&](const auto& entry) {
        return entry.second.tokens + static_cast<double>(now - entry.second.updated_ms) * per_ms_ >= capacity;
      });
    }
    it = shard.buckets.emplace(std::string(client), Bucket{capacity, now}).first;
  }
  Bucket& bucket = it->second;
  if (now > bucket.updated_ms) {
    bucket.tokens = std::min(capacity, bucket.tokens + static_cast<double>(now - bucket.updated_ms) * per_ms_);
    bucket.updated_ms = now;
  }
  Decision decision;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    decision.remaining = static_cast<int64_t>(bucket.tokens);
    return decision;
  }
  decision.allowed = false;
  const double wait_ms = (1.0 - bucket.tokens) / per_ms_;
  decision.reset_seconds = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait_ms / 1000.0)));
  return decision;
}

}  // namespace orgd::api
