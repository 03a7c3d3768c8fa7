#include "common/time_format.h"

#include <gtest/gtest.h>

namespace orgd {
namespace {

TEST(TimeFormatTest, Rfc3339MillisAndKindeTimestamps) {
  EXPECT_EQ(FormatRfc3339Millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Millis(1700000000123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(FormatRfc3339Millis(951782400007), "2000-02-29T00:00:00.007Z");
  EXPECT_EQ(FormatRfc3339Millis(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339Millis(253402300799999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339Millis(253402300800000), "10000-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Millis(-62167219200000), "0000-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Millis(-62167219200001), "-0001-12-31T23:59:59.999Z");

  EXPECT_EQ(FormatKindeTimestamp(0), "1970-01-01T00:00:00.000000+00:00");
  EXPECT_EQ(FormatKindeTimestamp(1700000000123), "2023-11-14T22:13:20.123000+00:00");
}

TEST(TimeFormatTest, FormattedTimestampsParseBack) {
  for (int64_t ms : {int64_t{0}, int64_t{1700000000123}, int64_t{951782400007}, int64_t{-1},
                     int64_t{253402300799999}}) {
    auto micros = ParseRfc3339Micros(FormatRfc3339Millis(ms));
    ASSERT_TRUE(micros) << ms;
    EXPECT_EQ(*micros, ms * 1000) << ms;
  }
}

}  // namespace
}  // namespace orgd
