#include "common/thread_copy.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/sharded_shared_mutex.h"

namespace orgd {
namespace {

TEST(ThreadCopyTest, OneThreadGetsOneCopyPerSourceUntilTheSourceChanges) {
  auto source = std::make_shared<const std::string>("kept");
  auto first = ThreadCopyOf(source);
  auto again = ThreadCopyOf(source);
  EXPECT_EQ(*first, "kept");
  EXPECT_NE(first.get(), source.get());  // a copy, not the shared object
  EXPECT_EQ(first.get(), again.get());   // the same copy while the source is the same

  auto replaced = std::make_shared<const std::string>("replaced");
  auto after = ThreadCopyOf(replaced);
  EXPECT_EQ(*after, "replaced");
  EXPECT_NE(after.get(), replaced.get());
}

TEST(ThreadCopyTest, EachThreadHasItsOwnCopy) {
  auto source = std::make_shared<const std::string>("shared");
  auto mine = ThreadCopyOf(source);
  std::shared_ptr<const std::string> theirs;
  std::thread([&] { theirs = ThreadCopyOf(source); }).join();
  ASSERT_NE(theirs, nullptr);
  EXPECT_EQ(*theirs, "shared");
  EXPECT_NE(theirs.get(), mine.get());
  EXPECT_NE(theirs.get(), source.get());
}

TEST(ThreadCopyTest, ACopyOutlivesItsSourceAndTheSlotKeepsTheSourceAlive) {
  std::weak_ptr<const std::string> watch;
  std::shared_ptr<const std::string> copy;
  {
    auto source = std::make_shared<const std::string>("gone");
    watch = source;
    copy = ThreadCopyOf(source);
  }
  // The slot still holds the source, so its address cannot be reused for another object that
  // would then be mistaken for it.
  EXPECT_FALSE(watch.expired());
  EXPECT_EQ(*copy, "gone");
}

TEST(ShardedSharedMutexTest, ReadersShareAndAWriterExcludesThem) {
  ShardedSharedMutex mu;
  {
    std::shared_lock first(mu);
    std::shared_lock second(mu);  // the same thread, the same shard: readers share
    bool other_read = false;
    bool other_wrote = true;
    std::thread([&] {
      other_read = mu.try_lock_shared();
      if (other_read) mu.unlock_shared();
      other_wrote = mu.try_lock();
      if (other_wrote) mu.unlock();
    }).join();
    EXPECT_TRUE(other_read);
    EXPECT_FALSE(other_wrote);
  }
  std::unique_lock writer(mu);
  bool other_read = true;
  std::thread([&] {
    other_read = mu.try_lock_shared();
    if (other_read) mu.unlock_shared();
  }).join();
  EXPECT_FALSE(other_read);
  writer.unlock();
  EXPECT_TRUE(mu.try_lock());
  mu.unlock();
}

// Eight threads (more than one per shard on a small machine, and every shard used) increment
// under the writer's lock and check under the readers' that they never see a half-done update.
TEST(ShardedSharedMutexTest, WritersAndReadersOnManyThreadsSeeWholeUpdates) {
  ShardedSharedMutex mu;
  long a = 0, b = 0;  // guarded by mu; always equal outside a write
  std::vector<std::thread> threads;
  std::atomic<int> torn{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        if ((i + t) % 4 == 0) {
          std::unique_lock lock(mu);
          ++a;
          ++b;
        } else {
          std::shared_lock lock(mu);
          if (a != b) torn.fetch_add(1);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_EQ(a, 8 * 500);
  EXPECT_EQ(b, 8 * 500);
}

}  // namespace
}  // namespace orgd
