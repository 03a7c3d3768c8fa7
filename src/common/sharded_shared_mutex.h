#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <shared_mutex>

namespace orgd {

// A reader-writer lock for data read on every request and written rarely (the read model, the
// page caches). A reader locks one of several shared mutexes, each on its own cache line, chosen
// by its thread; a writer locks them all, in order. With one std::shared_mutex, every reader
// writes the lock's one cache line, which then travels between the I/O threads' cores on every
// request; here each I/O thread writes its own.
//
// Meets the standard's SharedMutex requirements: use it with std::shared_lock and
// std::unique_lock. Like std::shared_mutex it is not recursive for writers; a thread keeps its
// shard for its whole life, so unlock_shared releases what lock_shared took.
class ShardedSharedMutex {
 public:
  void lock() {
    for (auto& shard : shards_) shard.mu.lock();
  }
  bool try_lock() {
    for (size_t i = 0; i < kShards; ++i) {
      if (!shards_[i].mu.try_lock()) {
        while (i > 0) shards_[--i].mu.unlock();
        return false;
      }
    }
    return true;
  }
  void unlock() {
    for (auto& shard : shards_) shard.mu.unlock();
  }

  void lock_shared() { shards_[ThreadShard()].mu.lock_shared(); }
  bool try_lock_shared() { return shards_[ThreadShard()].mu.try_lock_shared(); }
  void unlock_shared() { shards_[ThreadShard()].mu.unlock_shared(); }

 private:
  static constexpr size_t kShards = 8;
  struct alignas(64) Shard {
    std::shared_mutex mu;
  };

  // Threads take shards in turn as they first read, so the first kShards threads to read (the
  // I/O threads, in a server) each have one of their own.
  static size_t ThreadShard() {
    static std::atomic<size_t> next{0};
    thread_local const size_t shard = next.fetch_add(1, std::memory_order_relaxed) % kShards;
    return shard;
  }

  std::array<Shard, kShards> shards_;
};

}  // namespace orgd
