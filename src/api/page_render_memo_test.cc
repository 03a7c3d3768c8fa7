#include "api/page_render_memo.h"

#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace orgd::api {
namespace {

struct Page {
  std::string text;
};

TEST(PageRenderMemoTest, RendersAPageOncePerThreadAndMemo) {
  PageRenderMemo memo;
  auto page = std::make_shared<const Page>(Page{"a"});
  int renders = 0;
  auto render = [&] {
    ++renders;
    return "[" + page->text + "]";
  };
  EXPECT_EQ(memo.Get(page, render), "[a]");
  EXPECT_EQ(memo.Get(page, render), "[a]");
  EXPECT_EQ(renders, 1);

  // Another memo (another handler) renders the same page itself.
  PageRenderMemo other;
  EXPECT_EQ(other.Get(page, [] { return std::string("{a}"); }), "{a}");
  EXPECT_EQ(memo.Get(page, render), "[a]");
  EXPECT_EQ(renders, 1);

  // So does another thread.
  std::thread([&] { EXPECT_EQ(memo.Get(page, [] { return std::string("[a] again"); }), "[a] again"); })
      .join();
  EXPECT_EQ(memo.Get(page, render), "[a]");
  EXPECT_EQ(renders, 1);
}

TEST(PageRenderMemoTest, ANewPageIsRenderedEvenWithTheSameContentOrAddress) {
  PageRenderMemo memo;
  auto first = std::make_shared<const Page>(Page{"x"});
  EXPECT_EQ(memo.Get(first, [] { return std::string("first"); }), "first");
  first.reset();
  // The memo's weak reference keeps the old block allocated, so no new page can share its
  // identity; whatever the allocator does, the new page is rendered anew.
  for (int i = 0; i < 100; ++i) {
    auto next = std::make_shared<const Page>(Page{"x"});
    const std::string expected = "next " + std::to_string(i);
    EXPECT_EQ(memo.Get(next, [&] { return expected; }), expected);
  }
}

TEST(PageRenderMemoTest, PagesBeyondTheSlotsAreRenderedAgainAndStayRight) {
  PageRenderMemo memo;
  std::vector<std::shared_ptr<const Page>> pages;
  for (int i = 0; i < 200; ++i) pages.push_back(std::make_shared<const Page>(Page{std::to_string(i)}));
  int renders = 0;
  for (int round = 0; round < 3; ++round) {
    for (const auto& page : pages) {
      EXPECT_EQ(memo.Get(page, [&] {
        ++renders;
        return page->text;
      }), page->text);
    }
  }
  // Some pages found their rendering; all were answered right.
  EXPECT_GT(renders, 200);
  EXPECT_LE(renders, 600);
}

}  // namespace
}  // namespace orgd::api
