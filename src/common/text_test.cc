#include "common/text.h"

#include <string>

#include <gtest/gtest.h>

namespace orgd {
namespace {

TEST(TextTest, AsciiLowerFoldsAsciiLettersOnly) {
  EXPECT_EQ(AsciiLower("Hello-WORLD_09"), "hello-world_09");
  EXPECT_EQ(AsciiLower("\xC3\x89t\xC3\xA9"), "\xC3\x89t\xC3\xA9");  // "Été": É is not ASCII
  EXPECT_EQ(AsciiLower('Z'), 'z');
  EXPECT_EQ(AsciiLower('['), '[');  // just past 'Z'
  EXPECT_EQ(AsciiLower('@'), '@');  // just before 'A'
}

TEST(TextTest, EqualsIgnoreAsciiCase) {
  EXPECT_TRUE(EqualsIgnoreAsciiCase("Content-Type", "content-type"));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("content-type", "content-typ"));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("\xC3\x89", "\xC3\xA9"));  // É and é differ
}

TEST(TextTest, Utf8SequenceLengthOfLeadBytes) {
  EXPECT_EQ(Utf8SequenceLength('a'), 1u);
  EXPECT_EQ(Utf8SequenceLength(0x80), 1u);  // a stray continuation byte
  EXPECT_EQ(Utf8SequenceLength(0xC3), 2u);
  EXPECT_EQ(Utf8SequenceLength(0xE2), 3u);
  EXPECT_EQ(Utf8SequenceLength(0xF0), 4u);
}

TEST(TextTest, IsStrictUtf8) {
  EXPECT_TRUE(IsStrictUtf8(""));
  EXPECT_TRUE(IsStrictUtf8("plain"));
  EXPECT_TRUE(IsStrictUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x9A\x80"));  // é € 🚀
  EXPECT_TRUE(IsStrictUtf8("\xF4\x8F\xBF\xBF"));                         // U+10FFFF
  EXPECT_FALSE(IsStrictUtf8("\xC0\xAF"));          // overlong two-byte form
  EXPECT_FALSE(IsStrictUtf8("\xE0\x80\xAF"));      // overlong three-byte form
  EXPECT_FALSE(IsStrictUtf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsStrictUtf8("\xF0\x80\x80\xAF"));  // overlong four-byte form
  EXPECT_FALSE(IsStrictUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsStrictUtf8("\xF5\x80\x80\x80"));  // no such lead byte
  EXPECT_FALSE(IsStrictUtf8("\xC3"));              // truncated
  EXPECT_FALSE(IsStrictUtf8("\xC3x"));             // not a continuation byte
  EXPECT_FALSE(IsStrictUtf8("\x80"));              // stray continuation byte
}

}  // namespace
}  // namespace orgd
