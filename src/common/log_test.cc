#include "common/log.h"

#include <gtest/gtest.h>

#include <string>

namespace orgd::log {
namespace {

std::string Quoted(std::string_view s) {
  std::string out = "x";
  AppendJsonString(out, s);
  return out;
}

TEST(AppendJsonStringTest, CopiesPlainTextAndUtf8AsIs) {
  EXPECT_EQ(Quoted(""), "x\"\"");
  EXPECT_EQ(Quoted("Acme Corp / é ✓"), "x\"Acme Corp / é ✓\"");
}

TEST(AppendJsonStringTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(Quoted("a\"b\\c"), "x\"a\\\"b\\\\c\"");
  EXPECT_EQ(Quoted("\n\r\t"), "x\"\\n\\r\\t\"");
  EXPECT_EQ(Quoted(std::string_view("\x00\x01\x1f", 3)), "x\"\\u0000\\u0001\\u001f\"");
  EXPECT_EQ(Quoted("\"start and end\""), "x\"\\\"start and end\\\"\"");
  EXPECT_EQ(Quoted("x\x7fy"), "x\"x\x7fy\"");
}

}  // namespace
}  // namespace orgd::log
