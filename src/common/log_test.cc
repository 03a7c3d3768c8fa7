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

// Long strings are passed over eight bytes at a time: an escape at every position of a word,
// in the tail after the last whole word, and bytes next to the escaped ones (0x20, '!', '#',
// '[', ']', 0x7f, UTF-8) that must not be mistaken for them.
TEST(AppendJsonStringTest, EscapesAtEveryPositionOfLongStrings) {
  const std::string plain = "abcdefghijklmnopqrstuvwxyz0123456789";
  for (const char special : {'"', '\\', '\n', '\x01', '\x1f'}) {
    for (size_t at = 0; at < plain.size(); ++at) {
      std::string s = plain;
      s[at] = special;
      std::string expected = "x\"";
      for (char c : s) {
        if (c == '"') expected += "\\\"";
        else if (c == '\\') expected += "\\\\";
        else if (c == '\n') expected += "\\n";
        else if (c == '\x01') expected += "\\u0001";
        else if (c == '\x1f') expected += "\\u001f";
        else expected += c;
      }
      expected += "\"";
      EXPECT_EQ(Quoted(s), expected) << "escape " << int(special) << " at " << at;
    }
  }
  const std::string neighbours = " !#[]\x7f\xc3\xa9 !#[]\x7f\xc3\xa9 !#[]";
  EXPECT_EQ(Quoted(neighbours), "x\"" + neighbours + "\"");
}

}  // namespace
}  // namespace orgd::log
