#include "http/request.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace orgd::http {
namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;

TEST(QueryParamsTest, KeepsRepeatedKeysInOrder) {
  QueryParams q = QueryParams::Parse("a=1&b=2&a=3");
  EXPECT_EQ(q.entries(), (Entries{{"a", "1"}, {"b", "2"}, {"a", "3"}}));
  EXPECT_EQ(q.Get("a"), "1");
  EXPECT_EQ(q.Count("a"), 2u);
  EXPECT_EQ(q.GetAll("a"), (std::vector<std::string_view>{"1", "3"}));
  EXPECT_EQ(q.Get("missing"), std::nullopt);
  EXPECT_EQ(q.Count("missing"), 0u);
}

TEST(QueryParamsTest, PlusAndPercentTwentyAreSpaces) {
  QueryParams q = QueryParams::Parse("q=hello+world&r=hello%20world&k%2Bx=a%2Bb");
  EXPECT_EQ(q.entries(), (Entries{{"q", "hello world"}, {"r", "hello world"}, {"k+x", "a+b"}}));
}

TEST(QueryParamsTest, MalformedEscapesAreKeptLiterally) {
  QueryParams q = QueryParams::Parse("a=%zz&b=100%&c=%4");
  EXPECT_EQ(q.entries(), (Entries{{"a", "%zz"}, {"b", "100%"}, {"c", "%4"}}));
}

TEST(QueryParamsTest, EmptyValuesAndKeysWithoutEquals) {
  QueryParams q = QueryParams::Parse("a=&flag&b=x=y");
  EXPECT_EQ(q.entries(), (Entries{{"a", ""}, {"flag", ""}, {"b", "x=y"}}));
}

TEST(QueryParamsTest, EmptyPiecesAreSkipped) {
  EXPECT_TRUE(QueryParams::Parse("").empty());
  EXPECT_EQ(QueryParams::Parse("&a=1&&b=2&").entries(), (Entries{{"a", "1"}, {"b", "2"}}));
}

TEST(PercentDecodeTest, DecodesEscapesInEitherCase) {
  EXPECT_EQ(PercentDecode("a%2Fb%2fc", false), "a/b/c");
  EXPECT_EQ(PercentDecode("%E2%82%AC", false), "\xE2\x82\xAC");
  EXPECT_EQ(PercentDecode("%00x", false), std::string("\0x", 2));
}

TEST(PercentDecodeTest, PlusIsSpaceOnlyWhenAsked) {
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
}

TEST(PercentDecodeTest, KeepsMalformedEscapes) {
  EXPECT_EQ(PercentDecode("%", false), "%");
  EXPECT_EQ(PercentDecode("%z1%1", false), "%z1%1");
  EXPECT_EQ(PercentDecode("%%41", false), "%A");
}

TEST(PercentDecodeTest, AppendVariantAppends) {
  std::string out = "x";
  AppendPercentDecoded(out, "%41+", true);
  EXPECT_EQ(out, "xA ");
}

TEST(PercentEncodeTest, EncodesAllButUnreserved) {
  EXPECT_EQ(PercentEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(PercentEncode("a b/c?d=e&f+g%"), "a%20b%2Fc%3Fd%3De%26f%2Bg%25");
  EXPECT_EQ(PercentEncode("\xE2\x82\xAC"), "%E2%82%AC");
  EXPECT_EQ(PercentDecode(PercentEncode("x y/z+%"), false), "x y/z+%");
}

TEST(MethodTest, NamesRoundTrip) {
  EXPECT_EQ(MethodName(Method::kPatch), "PATCH");
  EXPECT_EQ(MethodName(Method::kOther), "OTHER");
  EXPECT_EQ(ParseMethod("DELETE"), Method::kDelete);
  EXPECT_EQ(ParseMethod("get"), Method::kOther);
  EXPECT_EQ(ParseMethod("TRACE"), Method::kOther);
}

TEST(RequestTest, HeaderLookupIgnoresCase) {
  Request r;
  r.headers = {{"Content-Type", "application/json"}, {"X-Dup", "1"}, {"x-dup", "2"}};
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.Header("X-DUP"), "1");
  EXPECT_EQ(r.Header("Missing"), std::nullopt);
}

TEST(RequestTest, PathParamIsEmptyWhenAbsent) {
  Request r;
  r.path_params.emplace_back("id", "org 1");
  EXPECT_EQ(r.PathParam("id"), "org 1");
  EXPECT_EQ(r.PathParam("other"), "");
}

TEST(RequestTest, OriginComesFromHost) {
  Request r;
  EXPECT_EQ(r.Origin(), "http://localhost");
  r.headers = {{"host", "example.com:8080"}};
  EXPECT_EQ(r.Origin(), "http://example.com:8080");
  r.headers = {{"Host", "[::1]:3001"}};
  EXPECT_EQ(r.Origin(), "http://[::1]:3001");
}

TEST(RequestTest, OriginRejectsHostsThatWouldInjectText) {
  Request r;
  r.headers = {{"Host", "evil.com/\"><script>"}};
  EXPECT_EQ(r.Origin(), "http://localhost");
  r.headers = {{"Host", ""}};
  EXPECT_EQ(r.Origin(), "http://localhost");
}

TEST(RequestTest, MediaTypeDropsParametersAndLowerCases) {
  Request r;
  EXPECT_EQ(r.MediaType(), "");
  r.headers = {{"Content-Type", " Application/JSON ; charset=UTF-8"}};
  EXPECT_EQ(r.MediaType(), "application/json");
  r.headers = {{"content-type", "application/x-www-form-urlencoded"}};
  EXPECT_EQ(r.MediaType(), "application/x-www-form-urlencoded");
}

}  // namespace
}  // namespace orgd::http
