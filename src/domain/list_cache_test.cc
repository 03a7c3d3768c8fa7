// ListCache (src/domain/list_cache.h): pages are found only under the generation they were kept
// for, a newer generation drops the older pages, an older one is not kept, large pages are not
// kept, and ListKey keeps field boundaries apart. Through() with a read model is tested in
// tests/store/read_model_test.cc.
#include "domain/list_cache.h"

#include <memory>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace orgd::domain {
namespace {

struct FakePage {
  std::vector<int> items;
};

std::shared_ptr<const FakePage> P(std::vector<int> items) {
  return std::make_shared<const FakePage>(FakePage{std::move(items)});
}

TEST(ListCacheTest, FindsAPageOnlyUnderTheGenerationItWasKeptFor) {
  ListCache<FakePage> cache;
  EXPECT_EQ(cache.Find("k", 0), nullptr);
  cache.Keep("k", 5, P({1, 2}));
  auto found = cache.Find("k", 5);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->items, (std::vector<int>{1, 2}));
  EXPECT_EQ(cache.Find("k", 6), nullptr);
  EXPECT_EQ(cache.Find("other", 5), nullptr);

  cache.Keep("old", 4, P({3}));  // read under an older generation: not kept
  EXPECT_EQ(cache.Find("old", 4), nullptr);
  ASSERT_NE(cache.Find("k", 5), nullptr);

  cache.Keep("new", 6, P({4}));  // a newer generation drops every older page
  EXPECT_EQ(cache.Find("k", 5), nullptr);
  EXPECT_EQ(cache.Find("k", 6), nullptr);
  ASSERT_NE(cache.Find("new", 6), nullptr);
}

TEST(ListCacheTest, DoesNotKeepLargePagesAndEmptiesItselfWhenFull) {
  ListCache<FakePage> cache;
  cache.Keep("big", 1, P(std::vector<int>(ListCache<FakePage>::kMaxItems + 1)));
  EXPECT_EQ(cache.Find("big", 1), nullptr);
  for (size_t i = 0; i < ListCache<FakePage>::kMaxEntries; ++i) {
    cache.Keep("k" + std::to_string(i), 1, P({1}));
  }
  EXPECT_NE(cache.Find("k0", 1), nullptr);
  cache.Keep("one more", 1, P({1}));
  EXPECT_EQ(cache.Find("k0", 1), nullptr);
  EXPECT_NE(cache.Find("one more", 1), nullptr);
}

TEST(ListKeyTest, KeepsFieldBoundariesApart) {
  EXPECT_NE(ListKey().Add("a").Add("bc").Take(), ListKey().Add("ab").Add("c").Take());
  EXPECT_NE(ListKey().Add("1:a").Take(), ListKey().Add(int64_t{1}).Add("a").Take());
  EXPECT_EQ(ListKey().Add("x").Add(int64_t{20}).Take(), ListKey().Add("x").Add(int64_t{20}).Take());
}

}  // namespace
}  // namespace orgd::domain
