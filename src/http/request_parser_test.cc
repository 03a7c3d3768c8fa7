#include "http/request_parser.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace orgd::http {

// Readable failure messages for the status enums (found by argument-dependent lookup, so they
// live in orgd::http; internal linkage keeps them out of other test files' way).
static void PrintTo(HeadParse result, std::ostream* os) {
  switch (result) {
    case HeadParse::kComplete:
      *os << "kComplete";
      return;
    case HeadParse::kNeedMore:
      *os << "kNeedMore";
      return;
    case HeadParse::kBadRequest:
      *os << "kBadRequest";
      return;
    case HeadParse::kHeaderTooLarge:
      *os << "kHeaderTooLarge";
      return;
    case HeadParse::kNotImplemented:
      *os << "kNotImplemented";
      return;
    case HeadParse::kVersionNotSupported:
      *os << "kVersionNotSupported";
      return;
  }
  *os << "HeadParse(" << static_cast<int>(result) << ")";
}

static void PrintTo(RequestHead::Body body, std::ostream* os) {
  switch (body) {
    case RequestHead::Body::kNone:
      *os << "kNone";
      return;
    case RequestHead::Body::kContentLength:
      *os << "kContentLength";
      return;
    case RequestHead::Body::kChunked:
      *os << "kChunked";
      return;
  }
  *os << "Body(" << static_cast<int>(body) << ")";
}

static void PrintTo(ChunkedDecoder::Status status, std::ostream* os) {
  switch (status) {
    case ChunkedDecoder::Status::kDone:
      *os << "kDone";
      return;
    case ChunkedDecoder::Status::kNeedMore:
      *os << "kNeedMore";
      return;
    case ChunkedDecoder::Status::kBadRequest:
      *os << "kBadRequest";
      return;
    case ChunkedDecoder::Status::kTooLarge:
      *os << "kTooLarge";
      return;
  }
  *os << "Status(" << static_cast<int>(status) << ")";
}

namespace {

using namespace std::string_literals;  // NOLINT: test file

using Headers = std::vector<std::pair<std::string_view, std::string_view>>;
using Body = RequestHead::Body;
using Status = ChunkedDecoder::Status;

constexpr size_t kMaxHead = 16 * 1024;

// Parses `input` in one call with a fresh `scanned`.
HeadParse Parse(std::string_view input, RequestHead& head, size_t max_head_bytes = kMaxHead) {
  size_t scanned = 0;
  return ParseRequestHead(input, max_head_bytes, scanned, head);
}

// The result alone, for inputs expected to fail.
HeadParse ParseResult(std::string_view input, size_t max_head_bytes = kMaxHead) {
  RequestHead head;
  return Parse(input, head, max_head_bytes);
}

// A request line, the given field lines and the empty line.
std::string Request(std::string_view request_line, const std::vector<std::string>& fields) {
  std::string out(request_line);
  out += "\r\n";
  for (const std::string& field : fields) out += field + "\r\n";
  out += "\r\n";
  return out;
}

// An HTTP/1.1 GET with the given field lines.
std::string Get(const std::vector<std::string>& fields) {
  return Request("GET / HTTP/1.1", fields);
}

// Expects that the parts of two parsed heads agree.
void ExpectSameHead(const RequestHead& actual, const RequestHead& expected) {
  EXPECT_EQ(actual.method, expected.method);
  EXPECT_EQ(actual.target, expected.target);
  EXPECT_EQ(actual.version, expected.version);
  EXPECT_EQ(actual.headers, expected.headers);
  EXPECT_EQ(actual.body, expected.body);
  EXPECT_EQ(actual.content_length, expected.content_length);
  EXPECT_EQ(actual.keep_alive, expected.keep_alive);
  EXPECT_EQ(actual.expect_continue, expected.expect_continue);
  EXPECT_EQ(actual.size, expected.size);
}

constexpr std::string_view kSimpleGet =
    "GET /api/v1/organizations?limit=5&q=a%20b HTTP/1.1\r\n"
    "Host: example.com\r\n"
    "Accept:  \t application/json \t\r\n"
    "X-Empty:\r\n"
    "User-Agent: curl/8.5.0 (x86_64)\r\n"
    "x-trace:\tabc\r\n"
    "Host: second.example\r\n"
    "\r\n";

const Headers kSimpleGetHeaders = {{"Host", "example.com"}, {"Accept", "application/json"},
                                   {"X-Empty", ""},         {"User-Agent", "curl/8.5.0 (x86_64)"},
                                   {"x-trace", "abc"},      {"Host", "second.example"}};

TEST(RequestParserTest, ParsesSimpleGet) {
  RequestHead head;
  ASSERT_EQ(Parse(kSimpleGet, head), HeadParse::kComplete);
  EXPECT_EQ(head.method, "GET");
  EXPECT_EQ(head.target, "/api/v1/organizations?limit=5&q=a%20b");
  EXPECT_EQ(head.version, 11);
  EXPECT_EQ(head.headers, kSimpleGetHeaders);
  EXPECT_EQ(head.size, kSimpleGet.size());
  EXPECT_TRUE(head.keep_alive);
  EXPECT_FALSE(head.expect_continue);
  EXPECT_EQ(head.body, Body::kNone);
  EXPECT_EQ(head.content_length, 0u);
  // Views into the input, not copies.
  EXPECT_EQ(head.method.data(), kSimpleGet.data());
  EXPECT_EQ(head.target.data(), kSimpleGet.data() + 4);
}

TEST(RequestParserTest, MinimalRequestHasNoHeaders) {
  RequestHead head;
  ASSERT_EQ(Parse("DELETE * HTTP/1.1\r\n\r\n", head), HeadParse::kComplete);
  EXPECT_EQ(head.method, "DELETE");
  EXPECT_EQ(head.target, "*");
  EXPECT_EQ(head.version, 11);
  EXPECT_EQ(head.headers, Headers{});
  EXPECT_EQ(head.size, 21u);
  EXPECT_EQ(head.body, Body::kNone);
}

TEST(RequestParserTest, PipelinedBytesAreNotPartOfTheHead) {
  const std::string input =
      std::string(kSimpleGet) + "POST /next HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
  RequestHead head;
  ASSERT_EQ(Parse(input, head), HeadParse::kComplete);
  EXPECT_EQ(head.size, kSimpleGet.size());
  EXPECT_EQ(head.method, "GET");
  EXPECT_EQ(head.headers, kSimpleGetHeaders);
  EXPECT_EQ(head.body, Body::kNone);

  // The next request parses from where the first one ended.
  RequestHead next;
  ASSERT_EQ(Parse(std::string_view(input).substr(head.size), next), HeadParse::kComplete);
  EXPECT_EQ(next.method, "POST");
  EXPECT_EQ(next.target, "/next");
  EXPECT_EQ(next.body, Body::kContentLength);
  EXPECT_EQ(next.content_length, 3u);
  EXPECT_EQ(next.size, input.size() - kSimpleGet.size() - 3);
}

TEST(RequestParserTest, HeadIsResetWhenReused) {
  RequestHead head;
  ASSERT_EQ(Parse(Request("POST /a HTTP/1.0",
                          {"Content-Length: 7", "Expect: 100-continue", "Connection: keep-alive"}),
                  head),
            HeadParse::kComplete);
  EXPECT_EQ(head.body, Body::kContentLength);
  EXPECT_EQ(head.version, 10);
  EXPECT_TRUE(head.keep_alive);

  const std::string get = Request("GET /b HTTP/1.1", {"Host: h"});
  ASSERT_EQ(Parse(get, head), HeadParse::kComplete);
  EXPECT_EQ(head.method, "GET");
  EXPECT_EQ(head.target, "/b");
  EXPECT_EQ(head.version, 11);
  EXPECT_EQ(head.headers, (Headers{{"Host", "h"}}));
  EXPECT_EQ(head.body, Body::kNone);
  EXPECT_EQ(head.content_length, 0u);
  EXPECT_FALSE(head.expect_continue);
  EXPECT_TRUE(head.keep_alive);
  EXPECT_EQ(head.size, get.size());
}

TEST(RequestParserTest, HeadArrivingByteByByte) {
  const std::string input = std::string(kSimpleGet) + "GET /next HTTP/1.1\r\n\r\n";
  RequestHead expected;
  ASSERT_EQ(Parse(kSimpleGet, expected), HeadParse::kComplete);

  // The server's buffer grows; `scanned` is kept between calls.
  size_t scanned = 0;
  RequestHead head;
  for (size_t n = 0; n < kSimpleGet.size(); ++n) {
    ASSERT_EQ(ParseRequestHead(std::string_view(input).substr(0, n), kMaxHead, scanned, head),
              HeadParse::kNeedMore)
        << "prefix of " << n << " bytes";
    ASSERT_LE(scanned, n);
  }
  ASSERT_EQ(ParseRequestHead(kSimpleGet, kMaxHead, scanned, head), HeadParse::kComplete);
  EXPECT_EQ(scanned, 0u);
  ExpectSameHead(head, expected);
  EXPECT_EQ(head.size, kSimpleGet.size());
}

TEST(RequestParserTest, HeadArrivingInTwoPiecesWithNextRequest) {
  const std::string next = "GET /next HTTP/1.1\r\n\r\n";
  const std::string input = std::string(kSimpleGet) + next;
  RequestHead expected;
  ASSERT_EQ(Parse(kSimpleGet, expected), HeadParse::kComplete);

  for (size_t split = 0; split < kSimpleGet.size(); ++split) {
    size_t scanned = 0;
    RequestHead head;
    ASSERT_EQ(ParseRequestHead(std::string_view(input).substr(0, split), kMaxHead, scanned, head),
              HeadParse::kNeedMore)
        << "split at " << split;
    // The second piece holds the rest of the head and the whole next request.
    ASSERT_EQ(ParseRequestHead(input, kMaxHead, scanned, head), HeadParse::kComplete)
        << "split at " << split;
    EXPECT_EQ(scanned, 0u);
    ExpectSameHead(head, expected);
  }
}

TEST(RequestParserTest, ScannedRemembersCompleteLines) {
  const std::string_view input = "GET / HTTP/1.1\r\nHost: a\r\nAcc";
  size_t scanned = 0;
  RequestHead head;
  EXPECT_EQ(ParseRequestHead(input, kMaxHead, scanned, head), HeadParse::kNeedMore);
  EXPECT_EQ(scanned, 25u);  // the start of the incomplete line "Acc"
}

TEST(RequestParserTest, BareLfAfterScannedPartIsRefused) {
  size_t scanned = 0;
  RequestHead head;
  std::string input = "GET / HTTP/1.1\r\nHost: a";
  EXPECT_EQ(ParseRequestHead(input, kMaxHead, scanned, head), HeadParse::kNeedMore);
  input += "\n";
  EXPECT_EQ(ParseRequestHead(input, kMaxHead, scanned, head), HeadParse::kBadRequest);
}

TEST(RequestParserTest, SkipsLeadingEmptyLines) {
  const std::string input = "\r\n\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n";
  RequestHead head;
  ASSERT_EQ(Parse(input, head), HeadParse::kComplete);
  EXPECT_EQ(head.method, "GET");
  EXPECT_EQ(head.target, "/x");
  EXPECT_EQ(head.headers, (Headers{{"Host", "a"}}));
  EXPECT_EQ(head.size, input.size());
}

TEST(RequestParserTest, SkipsLeadingEmptyLinesArrivingByteByByte) {
  const std::string input = "\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n";
  size_t scanned = 0;
  RequestHead head;
  for (size_t n = 0; n < input.size(); ++n) {
    ASSERT_EQ(ParseRequestHead(std::string_view(input).substr(0, n), kMaxHead, scanned, head),
              HeadParse::kNeedMore)
        << "prefix of " << n << " bytes";
  }
  ASSERT_EQ(ParseRequestHead(input, kMaxHead, scanned, head), HeadParse::kComplete);
  EXPECT_EQ(scanned, 0u);
  EXPECT_EQ(head.method, "GET");
  EXPECT_EQ(head.target, "/x");
  EXPECT_EQ(head.headers, (Headers{{"Host", "a"}}));
  EXPECT_EQ(head.size, input.size());
}

TEST(RequestParserTest, OnlyEmptyLinesNeedMore) {
  EXPECT_EQ(ParseResult(""), HeadParse::kNeedMore);
  EXPECT_EQ(ParseResult("\r"), HeadParse::kNeedMore);
  EXPECT_EQ(ParseResult("\r\n"), HeadParse::kNeedMore);
  EXPECT_EQ(ParseResult("\r\n\r\n\r"), HeadParse::kNeedMore);
}

TEST(RequestParserTest, RefusesBareLineFeeds) {
  // In the request line.
  EXPECT_EQ(ParseResult("GET / HTTP/1.1\nHost: a\r\n\r\n"), HeadParse::kBadRequest);
  // ... even before the head is complete.
  EXPECT_EQ(ParseResult("GET / HTTP/1.1\nHost"), HeadParse::kBadRequest);
  // In a field line.
  EXPECT_EQ(ParseResult("GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n"), HeadParse::kBadRequest);
  // As the final empty line.
  EXPECT_EQ(ParseResult("GET / HTTP/1.1\r\nHost: a\r\n\n"), HeadParse::kBadRequest);
  // Everywhere.
  EXPECT_EQ(ParseResult("GET / HTTP/1.1\nHost: a\n\n"), HeadParse::kBadRequest);
  // As a leading empty line.
  EXPECT_EQ(ParseResult("\nGET / HTTP/1.1\r\n\r\n"), HeadParse::kBadRequest);
  EXPECT_EQ(ParseResult("\r\n\nGET / HTTP/1.1\r\n\r\n"), HeadParse::kBadRequest);
}

TEST(RequestParserTest, RefusesLoneCarriageReturns) {
  EXPECT_EQ(ParseResult("GET / HTTP/1.1\r\r\n\r\n"), HeadParse::kBadRequest);
  EXPECT_EQ(ParseResult("GET /a\rb HTTP/1.1\r\n\r\n"), HeadParse::kBadRequest);
  EXPECT_EQ(ParseResult(Get({"X: a\rb"})), HeadParse::kBadRequest);
  EXPECT_EQ(ParseResult(Get({"X: a\r"})), HeadParse::kBadRequest);
  EXPECT_EQ(ParseResult(Get({"\r"})), HeadParse::kBadRequest);
}

TEST(RequestParserTest, RefusesMalformedFieldLines) {
  EXPECT_EQ(ParseResult(Get({"Host example.com"})), HeadParse::kBadRequest);  // no colon
  EXPECT_EQ(ParseResult(Get({"Host : a"})), HeadParse::kBadRequest);   // space before the colon
  EXPECT_EQ(ParseResult(Get({"Host\t: a"})), HeadParse::kBadRequest);  // tab before the colon
  EXPECT_EQ(ParseResult(Get({": a"})), HeadParse::kBadRequest);        // empty name
  EXPECT_EQ(ParseResult(Get({"X(y): a"})), HeadParse::kBadRequest);    // not a token
  EXPECT_EQ(ParseResult(Get({"X\x80: a"})), HeadParse::kBadRequest);
  // Obsolete line folding, after another field and right after the request line.
  EXPECT_EQ(ParseResult(Get({"X-A: b", " c"})), HeadParse::kBadRequest);
  EXPECT_EQ(ParseResult(Get({"X-A: b", "\tc"})), HeadParse::kBadRequest);
  EXPECT_EQ(ParseResult(Get({" Host: a"})), HeadParse::kBadRequest);
  EXPECT_EQ(ParseResult(Get({"\tHost: a"})), HeadParse::kBadRequest);
}

TEST(RequestParserTest, RefusesControlCharactersInValues) {
  EXPECT_EQ(ParseResult(Get({"X: a\x01z"})), HeadParse::kBadRequest);
  EXPECT_EQ(ParseResult(Get({"X: a\x7f"})), HeadParse::kBadRequest);
  EXPECT_EQ(ParseResult(Get({"X: \x1f"})), HeadParse::kBadRequest);
  EXPECT_EQ(ParseResult(Get({"X: a\vb"})), HeadParse::kBadRequest);
  EXPECT_EQ(ParseResult(Get({"X: a"s + '\0' + "b"})), HeadParse::kBadRequest);
}

TEST(RequestParserTest, AllowsTabsAndObsTextInValues) {
  RequestHead head;
  const std::string input = Get({"X: a\tb", "Y: caf\xc3\xa9 \x80\xff"});
  ASSERT_EQ(Parse(input, head), HeadParse::kComplete);
  EXPECT_EQ(head.headers, (Headers{{"X", "a\tb"}, {"Y", "caf\xc3\xa9 \x80\xff"}}));
}

// Long values are checked in blocks (64 and 16 bytes at a time, then byte by byte): a byte at
// every position must be judged the same. With the space after the colon the raw value is 151
// bytes: two 64-byte blocks, one 16-byte block and a 7-byte tail.
TEST(RequestParserTest, ChecksEveryByteOfLongValues) {
  const std::string base(150, 'v');
  struct Case {
    char byte;
    bool allowed;
  };
  const Case cases[] = {{'\t', true},    {'\x80', true},  {'\xff', true},
                        {'~', true},     {'\x01', false}, {'\x1f', false},
                        {'\x7f', false}, {'\0', false},   {'\r', false}};
  for (const Case& c : cases) {
    for (size_t i = 0; i < base.size(); ++i) {
      std::string value = base;
      value[i] = c.byte;
      const std::string input = Get({"X-Long: " + value});
      RequestHead head;
      const HeadParse result = Parse(input, head);
      if (c.allowed) {
        ASSERT_EQ(result, HeadParse::kComplete)
            << "byte " << static_cast<int>(static_cast<unsigned char>(c.byte)) << " at " << i;
        // A tab at either end is trimmed.
        std::string_view expected = value;
        if (c.byte == '\t' && i == 0) expected.remove_prefix(1);
        if (c.byte == '\t' && i == value.size() - 1) expected.remove_suffix(1);
        EXPECT_EQ(head.headers, (Headers{{"X-Long", expected}}));
      } else {
        ASSERT_EQ(result, HeadParse::kBadRequest)
            << "byte " << static_cast<int>(static_cast<unsigned char>(c.byte)) << " at " << i;
      }
    }
  }
}

TEST(RequestParserTest, AcceptsLongValue) {
  std::string token(3000, 'x');
  token[1500] = '\t';
  token[2995] = '\t';
  token[7] = '\xe9';
  const std::string input = Get({"Authorization: Bearer " + token, "Host: a"});
  RequestHead head;
  ASSERT_EQ(Parse(input, head), HeadParse::kComplete);
  ASSERT_EQ(head.headers.size(), 2u);
  EXPECT_EQ(head.headers[0].first, "Authorization");
  EXPECT_EQ(head.headers[0].second, "Bearer " + token);
  EXPECT_EQ(head.headers[0].second.size(), 3007u);
  EXPECT_EQ(head.headers[1], (std::pair<std::string_view, std::string_view>{"Host", "a"}));
  EXPECT_EQ(head.size, input.size());
}

TEST(RequestParserTest, RefusesMalformedRequestLines) {
  auto line = [](std::string_view request_line) {
    return ParseResult(Request(request_line, {"Host: a"}));
  };
  EXPECT_EQ(line("G(T / HTTP/1.1"), HeadParse::kBadRequest);  // method not a token
  EXPECT_EQ(line("GE\"T / HTTP/1.1"), HeadParse::kBadRequest);
  EXPECT_EQ(line("GET\t/ HTTP/1.1"), HeadParse::kBadRequest);
  EXPECT_EQ(line(" / HTTP/1.1"), HeadParse::kBadRequest);      // empty method
  EXPECT_EQ(line("GET  HTTP/1.1"), HeadParse::kBadRequest);    // empty target
  EXPECT_EQ(line("GET  / HTTP/1.1"), HeadParse::kBadRequest);  // two spaces
  EXPECT_EQ(line("GET /  HTTP/1.1"), HeadParse::kBadRequest);
  EXPECT_EQ(line("GET /a\x01z HTTP/1.1"), HeadParse::kBadRequest);  // control in target
  EXPECT_EQ(line("GET /a\x7f HTTP/1.1"), HeadParse::kBadRequest);   // DEL in target
  EXPECT_EQ(line("GET /a\tb HTTP/1.1"), HeadParse::kBadRequest);
  EXPECT_EQ(ParseResult(Request("GET /a"s + '\0' + " HTTP/1.1", {})), HeadParse::kBadRequest);
  EXPECT_EQ(line("GET /"), HeadParse::kBadRequest);  // no version
  EXPECT_EQ(line("GET / "), HeadParse::kBadRequest);
  EXPECT_EQ(line("GET"), HeadParse::kBadRequest);
  EXPECT_EQ(line("GET / HTTP/1.1 "), HeadParse::kBadRequest);  // trailing space
  EXPECT_EQ(line("GET / http/1.1"), HeadParse::kBadRequest);
  EXPECT_EQ(line("GET / HTTP/11"), HeadParse::kBadRequest);
  EXPECT_EQ(line("GET / HTTP/1.10"), HeadParse::kBadRequest);
  EXPECT_EQ(line("GET / HTTP/1"), HeadParse::kBadRequest);
  EXPECT_EQ(line("GET / HTTP/x.1"), HeadParse::kBadRequest);
  EXPECT_EQ(line("GET / HTTP/1.x"), HeadParse::kBadRequest);
  EXPECT_EQ(line("GET / HTTP-1.1"), HeadParse::kBadRequest);
  EXPECT_EQ(line("GET / x HTTP/1.1"), HeadParse::kBadRequest);
}

TEST(RequestParserTest, AcceptsAnyTokenMethodAndObsTextTarget) {
  RequestHead head;
  ASSERT_EQ(Parse("M-SEARCH! /caf\xc3\xa9?x=\"y\" HTTP/1.1\r\n\r\n", head), HeadParse::kComplete);
  EXPECT_EQ(head.method, "M-SEARCH!");
  EXPECT_EQ(head.target, "/caf\xc3\xa9?x=\"y\"");
}

TEST(RequestParserTest, Versions) {
  RequestHead head;
  ASSERT_EQ(Parse("GET / HTTP/1.0\r\n\r\n", head), HeadParse::kComplete);
  EXPECT_EQ(head.version, 10);
  ASSERT_EQ(Parse("GET / HTTP/1.1\r\n\r\n", head), HeadParse::kComplete);
  EXPECT_EQ(head.version, 11);
  ASSERT_EQ(Parse("GET / HTTP/1.2\r\n\r\n", head), HeadParse::kComplete);
  EXPECT_EQ(head.version, 11);
  ASSERT_EQ(Parse("GET / HTTP/1.9\r\n\r\n", head), HeadParse::kComplete);
  EXPECT_EQ(head.version, 11);
  EXPECT_EQ(ParseResult("GET / HTTP/2.0\r\n\r\n"), HeadParse::kVersionNotSupported);
  EXPECT_EQ(ParseResult("GET / HTTP/0.9\r\n\r\n"), HeadParse::kVersionNotSupported);
  EXPECT_EQ(ParseResult("GET / HTTP/3.0\r\n\r\n"), HeadParse::kVersionNotSupported);
}

TEST(RequestParserTest, KeepAlive) {
  auto keep_alive = [](std::string_view request_line, const std::vector<std::string>& fields) {
    RequestHead head;
    EXPECT_EQ(Parse(Request(request_line, fields), head), HeadParse::kComplete);
    return head.keep_alive;
  };
  EXPECT_TRUE(keep_alive("GET / HTTP/1.1", {}));
  EXPECT_TRUE(keep_alive("GET / HTTP/1.1", {"Connection: keep-alive"}));
  EXPECT_TRUE(keep_alive("GET / HTTP/1.1", {"Connection: closed"}));
  EXPECT_TRUE(keep_alive("GET / HTTP/1.1", {"X-Connection: close"}));
  EXPECT_FALSE(keep_alive("GET / HTTP/1.1", {"Connection: close"}));
  EXPECT_FALSE(keep_alive("GET / HTTP/1.1", {"connection: CLOSE"}));
  EXPECT_FALSE(keep_alive("GET / HTTP/1.1", {"Connection: keep-alive, Close"}));
  EXPECT_FALSE(keep_alive("GET / HTTP/1.1", {"Connection: upgrade,close ,"}));
  EXPECT_FALSE(keep_alive("GET / HTTP/1.1", {"Connection: keep-alive", "Connection: close"}));
  EXPECT_FALSE(keep_alive("GET / HTTP/1.0", {}));
  EXPECT_FALSE(keep_alive("GET / HTTP/1.0", {"Connection: close"}));
  EXPECT_FALSE(keep_alive("GET / HTTP/1.0", {"Connection: keep-alive, close"}));
  EXPECT_TRUE(keep_alive("GET / HTTP/1.0", {"Connection: keep-alive"}));
  EXPECT_TRUE(keep_alive("GET / HTTP/1.0", {"CONNECTION: Keep-Alive"}));
  EXPECT_TRUE(keep_alive("GET / HTTP/1.0", {"Connection: foo, keep-alive"}));
}

TEST(RequestParserTest, ExpectContinue) {
  auto expect_continue = [](std::string_view request_line, const std::vector<std::string>& fields) {
    RequestHead head;
    EXPECT_EQ(Parse(Request(request_line, fields), head), HeadParse::kComplete);
    return head.expect_continue;
  };
  EXPECT_FALSE(expect_continue("POST / HTTP/1.1", {}));
  EXPECT_TRUE(expect_continue("POST / HTTP/1.1", {"Expect: 100-continue"}));
  EXPECT_TRUE(expect_continue("POST / HTTP/1.1", {"expect:100-Continue "}));
  EXPECT_TRUE(expect_continue("POST / HTTP/1.1", {"EXPECT: 100-CONTINUE"}));
  EXPECT_FALSE(expect_continue("POST / HTTP/1.1", {"Expect: 100-continued"}));
  EXPECT_FALSE(expect_continue("POST / HTTP/1.1", {"Expect: 200-ok"}));
  EXPECT_FALSE(expect_continue("POST / HTTP/1.1", {"Expect:"}));
  EXPECT_FALSE(expect_continue("POST / HTTP/1.1", {"X-Expect: 100-continue"}));
  // RFC 9110 section 10.1.1: "A server that receives a 100-continue expectation in an HTTP/1.0
  // request MUST ignore that expectation" (and section 15.2: no 1xx to an HTTP/1.0 client).
  EXPECT_FALSE(expect_continue("POST / HTTP/1.0", {"Expect: 100-continue"}));
}

TEST(RequestParserTest, ContentLength) {
  RequestHead head;
  ASSERT_EQ(Parse(Request("POST / HTTP/1.1", {"Content-Length: 5"}), head), HeadParse::kComplete);
  EXPECT_EQ(head.body, Body::kContentLength);
  EXPECT_EQ(head.content_length, 5u);

  ASSERT_EQ(Parse(Request("POST / HTTP/1.1", {"content-length:\t 12 \t"}), head),
            HeadParse::kComplete);
  EXPECT_EQ(head.body, Body::kContentLength);
  EXPECT_EQ(head.content_length, 12u);

  ASSERT_EQ(Parse(Request("POST / HTTP/1.1", {"Content-Length: 0"}), head), HeadParse::kComplete);
  EXPECT_EQ(head.body, Body::kNone);
  EXPECT_EQ(head.content_length, 0u);

  ASSERT_EQ(Parse(Request("POST / HTTP/1.0", {"Content-Length: 3"}), head), HeadParse::kComplete);
  EXPECT_EQ(head.body, Body::kContentLength);
  EXPECT_EQ(head.content_length, 3u);

  // The same length twice is harmless.
  const std::string repeated =
      Request("POST / HTTP/1.1", {"Content-Length: 5", "X: y", "CONTENT-LENGTH: 5"});
  ASSERT_EQ(Parse(repeated, head), HeadParse::kComplete);
  EXPECT_EQ(head.body, Body::kContentLength);
  EXPECT_EQ(head.content_length, 5u);
  EXPECT_EQ(head.headers, (Headers{{"Content-Length", "5"}, {"X", "y"}, {"CONTENT-LENGTH", "5"}}));

  // The largest accepted: 18 digits.
  ASSERT_EQ(Parse(Request("POST / HTTP/1.1", {"Content-Length: 999999999999999999"}), head),
            HeadParse::kComplete);
  EXPECT_EQ(head.body, Body::kContentLength);
  EXPECT_EQ(head.content_length, 999999999999999999u);
}

TEST(RequestParserTest, RefusesMalformedContentLength) {
  auto with_length = [](const std::vector<std::string>& fields) {
    return ParseResult(Request("POST / HTTP/1.1", fields));
  };
  EXPECT_EQ(with_length({"Content-Length: 5", "Content-Length: 6"}), HeadParse::kBadRequest);
  EXPECT_EQ(with_length({"Content-Length: 0", "Content-Length: 5"}), HeadParse::kBadRequest);
  EXPECT_EQ(with_length({"Content-Length: 5", "Content-Length: 0"}), HeadParse::kBadRequest);
  EXPECT_EQ(with_length({"Content-Length: 5", "Content-Length:"}), HeadParse::kBadRequest);
  for (const char* value : {"+5", "-1", "5 5", "5,5", "5, 5", "", " ", "0x10", "5a", "five", "1e3",
                            "1000000000000000000", "9999999999999999999", "18446744073709551616"}) {
    EXPECT_EQ(with_length({"Content-Length: "s + value}), HeadParse::kBadRequest)
        << "\"" << value << "\"";
  }
}

TEST(RequestParserTest, TransferEncodingChunked) {
  RequestHead head;
  for (const char* value :
       {"chunked", "Chunked", "CHUNKED", ", chunked", "chunked ,", " ,chunked"}) {
    ASSERT_EQ(Parse(Request("POST / HTTP/1.1", {"Transfer-Encoding: "s + value}), head),
              HeadParse::kComplete)
        << value;
    EXPECT_EQ(head.body, Body::kChunked) << value;
    EXPECT_EQ(head.content_length, 0u);
  }
  ASSERT_EQ(Parse(Request("POST / HTTP/1.1", {"transfer-encoding: chunked"}), head),
            HeadParse::kComplete);
  EXPECT_EQ(head.body, Body::kChunked);
}

TEST(RequestParserTest, RefusesOtherTransferEncodings) {
  auto with = [](std::string_view request_line, const std::vector<std::string>& fields) {
    return ParseResult(Request(request_line, fields));
  };
  const std::string_view post = "POST / HTTP/1.1";
  // Chunked last, after a coding this server does not decode: well framed, not served.
  EXPECT_EQ(with(post, {"Transfer-Encoding: gzip, chunked"}), HeadParse::kNotImplemented);
  EXPECT_EQ(with(post, {"Transfer-Encoding: gzip", "Transfer-Encoding: chunked"}),
            HeadParse::kNotImplemented);
  // Chunked not last (or absent): the body's length cannot be known (RFC 9112 section 6.3).
  EXPECT_EQ(with(post, {"Transfer-Encoding: gzip"}), HeadParse::kBadRequest);
  EXPECT_EQ(with(post, {"Transfer-Encoding: chunked, gzip"}), HeadParse::kBadRequest);
  EXPECT_EQ(with(post, {"Transfer-Encoding: chunked", "Transfer-Encoding: gzip"}),
            HeadParse::kBadRequest);
  EXPECT_EQ(with(post, {"Transfer-Encoding: chunked, chunked"}), HeadParse::kBadRequest);
  EXPECT_EQ(with(post, {"Transfer-Encoding: chunked", "Transfer-Encoding: chunked"}),
            HeadParse::kBadRequest);
  EXPECT_EQ(with(post, {"Transfer-Encoding: chunked", "Content-Length: 5"}),
            HeadParse::kBadRequest);
  EXPECT_EQ(with(post, {"Content-Length: 5", "Transfer-Encoding: chunked"}),
            HeadParse::kBadRequest);
  EXPECT_EQ(with(post, {"Content-Length: 0", "Transfer-Encoding: chunked"}),
            HeadParse::kBadRequest);
  EXPECT_EQ(with("POST / HTTP/1.0", {"Transfer-Encoding: chunked"}), HeadParse::kBadRequest);
  EXPECT_EQ(with(post, {"Transfer-Encoding:"}), HeadParse::kBadRequest);
  EXPECT_EQ(with(post, {"Transfer-Encoding: ,"}), HeadParse::kBadRequest);
  EXPECT_EQ(with(post, {"Transfer-Encoding: chunked, @"}), HeadParse::kBadRequest);
  EXPECT_EQ(with(post, {"Transfer-Encoding: \"chunked\""}), HeadParse::kBadRequest);
}

TEST(RequestParserTest, HeadOverLimitIsTooLarge) {
  constexpr size_t kLimit = 64;
  const std::string input = Get({"X-Long: " + std::string(60, 'a')});
  ASSERT_GT(input.size(), kLimit);
  size_t scanned = 0;
  RequestHead head;
  for (size_t n = 0; n <= input.size(); ++n) {
    const HeadParse expected = n < kLimit ? HeadParse::kNeedMore : HeadParse::kHeaderTooLarge;
    ASSERT_EQ(ParseRequestHead(std::string_view(input).substr(0, n), kLimit, scanned, head),
              expected)
        << "prefix of " << n << " bytes";
  }
  // In one call too, also with more input after.
  EXPECT_EQ(ParseResult(input, kLimit), HeadParse::kHeaderTooLarge);
  EXPECT_EQ(ParseResult(input + "GET / HTTP/1.1\r\n\r\n", kLimit), HeadParse::kHeaderTooLarge);
  // One byte over.
  const std::string one_over = Get({"X: " + std::string(kLimit + 1 - 23, 'a')});
  ASSERT_EQ(one_over.size(), kLimit + 1);
  EXPECT_EQ(ParseResult(one_over, kLimit), HeadParse::kHeaderTooLarge);
  EXPECT_EQ(ParseResult(std::string_view(one_over).substr(0, kLimit - 1), kLimit),
            HeadParse::kNeedMore);
}

TEST(RequestParserTest, HeadExactlyAtLimitIsComplete) {
  constexpr size_t kLimit = 64;
  const std::string input = Get({"X: " + std::string(kLimit - 23, 'a')});
  ASSERT_EQ(input.size(), kLimit);
  RequestHead head;
  ASSERT_EQ(Parse(input, head, kLimit), HeadParse::kComplete);
  EXPECT_EQ(head.size, kLimit);
  // With the next request's bytes beyond the limit.
  ASSERT_EQ(Parse(input + "GET / HTTP/1.1\r\n\r\n", head, kLimit), HeadParse::kComplete);
  EXPECT_EQ(head.size, kLimit);
  // Byte by byte.
  size_t scanned = 0;
  for (size_t n = 0; n < input.size(); ++n) {
    ASSERT_EQ(ParseRequestHead(std::string_view(input).substr(0, n), kLimit, scanned, head),
              HeadParse::kNeedMore)
        << "prefix of " << n << " bytes";
  }
  ASSERT_EQ(ParseRequestHead(input, kLimit, scanned, head), HeadParse::kComplete);
  EXPECT_EQ(head.size, kLimit);
}

TEST(RequestParserTest, LeadingEmptyLinesCountAgainstLimit) {
  constexpr size_t kLimit = 64;
  const std::string head_62 = Get({"X: " + std::string(kLimit - 2 - 23, 'a')});
  ASSERT_EQ(head_62.size(), kLimit - 2);
  RequestHead head;
  ASSERT_EQ(Parse("\r\n" + head_62, head, kLimit), HeadParse::kComplete);
  EXPECT_EQ(head.size, kLimit);
  EXPECT_EQ(ParseResult("\r\n\r\n" + head_62, kLimit), HeadParse::kHeaderTooLarge);
  // Nothing but empty lines.
  std::string empty_lines;
  for (size_t i = 0; i < kLimit / 2; ++i) empty_lines += "\r\n";
  EXPECT_EQ(ParseResult(std::string_view(empty_lines).substr(0, kLimit - 2), kLimit),
            HeadParse::kNeedMore);
  EXPECT_EQ(ParseResult(empty_lines, kLimit), HeadParse::kHeaderTooLarge);
  EXPECT_EQ(ParseResult(empty_lines + "\r", kLimit), HeadParse::kHeaderTooLarge);
}

TEST(RequestParserTest, IsTokenChar) {
  for (char c : std::string_view("azAZ09!#$%&'*+-.^_`|~")) EXPECT_TRUE(IsTokenChar(c)) << c;
  for (char c : std::string_view(" \t\"(),/:;<=>?@[\\]{}\x7f\x80\xff\x01")) {
    EXPECT_FALSE(IsTokenChar(c)) << static_cast<int>(static_cast<unsigned char>(c));
  }
  EXPECT_FALSE(IsTokenChar('\0'));
}

// ChunkedDecoder

constexpr size_t kBodyLimit = 1 << 20;
constexpr size_t kLineLimit = 1024;

struct Decoded {
  Status status = Status::kNeedMore;
  std::string body;
  size_t used = 0;
  size_t wire_bytes = 0;
};

// Feeds `input` in one call to a fresh decoder.
Decoded Decode(std::string_view input, size_t body_limit = kBodyLimit,
               size_t line_limit = kLineLimit) {
  ChunkedDecoder decoder(body_limit, line_limit);
  Decoded out;
  out.status = decoder.Feed(input, out.body, out.used);
  out.wire_bytes = decoder.wire_bytes();
  return out;
}

struct Streamed {
  Status status = Status::kNeedMore;
  std::string body;
  std::string rest;  // the buffer after the decoder is done: the next request's bytes
  size_t wire_bytes = 0;
};

// Feeds `pieces` as a server does: appended to a buffer, the whole buffer given to Feed, the used
// bytes dropped from its front; stops at the first status other than kNeedMore.
Streamed DecodeInPieces(const std::vector<std::string_view>& pieces, size_t body_limit = kBodyLimit,
                        size_t line_limit = kLineLimit) {
  ChunkedDecoder decoder(body_limit, line_limit);
  Streamed out;
  std::string buffer;
  size_t i = 0;
  while (i < pieces.size()) {
    buffer.append(pieces[i++]);
    size_t used = 0;
    out.status = decoder.Feed(buffer, out.body, used);
    EXPECT_LE(used, buffer.size());
    buffer.erase(0, used);
    if (out.status != Status::kNeedMore) break;
  }
  for (; i < pieces.size(); ++i) buffer.append(pieces[i]);
  out.rest = buffer;
  out.wire_bytes = decoder.wire_bytes();
  return out;
}

TEST(ChunkedDecoderTest, DecodesSimpleBody) {
  const std::string_view input = "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
  const Decoded d = Decode(input);
  EXPECT_EQ(d.status, Status::kDone);
  EXPECT_EQ(d.body, "abcde");
  EXPECT_EQ(d.used, input.size());
  EXPECT_EQ(d.used, 20u);
  EXPECT_EQ(d.wire_bytes, input.size());
}

TEST(ChunkedDecoderTest, EmptyBody) {
  const Decoded d = Decode("0\r\n\r\n");
  EXPECT_EQ(d.status, Status::kDone);
  EXPECT_EQ(d.body, "");
  EXPECT_EQ(d.used, 5u);
  EXPECT_EQ(d.wire_bytes, 5u);
}

TEST(ChunkedDecoderTest, LeavesNextRequest) {
  const std::string_view message = "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
  const std::string input = std::string(message) + "GET / HTTP/1.1\r\n\r\n";
  ChunkedDecoder decoder(kBodyLimit, kLineLimit);
  std::string body;
  size_t used = 0;
  EXPECT_EQ(decoder.Feed(input, body, used), Status::kDone);
  EXPECT_EQ(body, "abcde");
  EXPECT_EQ(used, message.size());
  EXPECT_EQ(decoder.wire_bytes(), message.size());
  // Once done it takes nothing more.
  EXPECT_EQ(decoder.Feed(std::string_view(input).substr(used), body, used), Status::kDone);
  EXPECT_EQ(used, 0u);
  EXPECT_EQ(body, "abcde");
  EXPECT_EQ(decoder.wire_bytes(), message.size());
}

TEST(ChunkedDecoderTest, SameBodyInEverySplit) {
  const std::string_view message =
      "3;ext=1\r\nabc\r\nA\r\n0123456789\r\n1 ; x\r\n!\r\n0\r\nX-Trailer: v\r\n\r\n";
  const std::string_view next = "GET / HTTP/1.1\r\n";
  const std::string input = std::string(message) + std::string(next);
  const std::string_view all = input;
  const std::string expected_body = "abc0123456789!";

  auto check = [&](const std::vector<std::string_view>& pieces, const std::string& label) {
    const Streamed s = DecodeInPieces(pieces);
    EXPECT_EQ(s.status, Status::kDone) << label;
    EXPECT_EQ(s.body, expected_body) << label;
    EXPECT_EQ(s.rest, next) << label;
    EXPECT_EQ(s.wire_bytes, message.size()) << label;
  };

  // Every split in two and in three pieces.
  for (size_t i = 0; i <= all.size(); ++i) {
    check({all.substr(0, i), all.substr(i)}, "split at " + std::to_string(i));
    for (size_t j = i; j <= all.size(); ++j) {
      check({all.substr(0, i), all.substr(i, j - i), all.substr(j)},
            "split at " + std::to_string(i) + ", " + std::to_string(j));
    }
  }
  // Byte by byte.
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < all.size(); ++i) bytes.push_back(all.substr(i, 1));
  check(bytes, "byte by byte");
}

TEST(ChunkedDecoderTest, NeedsMoreUntilTheEnd) {
  const std::string_view input = "3\r\nabc\r\n2\r\nde\r\n0\r\nX: y\r\n\r\n";
  for (size_t n = 0; n < input.size(); ++n) {
    const Decoded d = Decode(input.substr(0, n));
    EXPECT_EQ(d.status, Status::kNeedMore) << "prefix of " << n << " bytes";
  }
}

TEST(ChunkedDecoderTest, PartialDataIsTaken) {
  ChunkedDecoder decoder(kBodyLimit, kLineLimit);
  std::string body;
  size_t used = 0;
  EXPECT_EQ(decoder.Feed("5\r\nab", body, used), Status::kNeedMore);
  EXPECT_EQ(body, "ab");
  EXPECT_EQ(used, 5u);
  EXPECT_EQ(decoder.Feed("cde\r", body, used), Status::kNeedMore);
  EXPECT_EQ(body, "abcde");
  EXPECT_EQ(used, 3u);  // the CR waits for its LF
  EXPECT_EQ(decoder.Feed("\r\n0\r", body, used), Status::kNeedMore);
  EXPECT_EQ(used, 2u);  // the incomplete size line waits
  EXPECT_EQ(decoder.Feed("0\r\n\r\n", body, used), Status::kDone);
  EXPECT_EQ(used, 5u);
  EXPECT_EQ(body, "abcde");
  EXPECT_EQ(decoder.wire_bytes(), 15u);
}

TEST(ChunkedDecoderTest, HexDigitsInAnyCaseWithLeadingZeros) {
  const Decoded d = Decode(
      "A\r\n0123456789\r\n"
      "00000000000000000000001\r\nx\r\n"
      "0b\r\nhello world\r\n"
      "1F\r\n0123456789012345678901234567890\r\n"
      "0000\r\n\r\n");
  EXPECT_EQ(d.status, Status::kDone);
  EXPECT_EQ(d.body, "0123456789xhello world0123456789012345678901234567890");
}

TEST(ChunkedDecoderTest, AcceptsAndDropsExtensions) {
  const std::string_view input =
      "3;name=value\r\nabc\r\n3 ; a\r\ndef\r\n2\t;q=\"x y\";r\r\ngh\r\n0;last\r\n\r\n";
  const Decoded d = Decode(input);
  EXPECT_EQ(d.status, Status::kDone);
  EXPECT_EQ(d.body, "abcdefgh");
  EXPECT_EQ(d.used, input.size());
}

TEST(ChunkedDecoderTest, AcceptsAndDropsTrailers) {
  const std::string_view input =
      "3\r\nabc\r\n0\r\nX-Checksum: 123\r\nX-Other:\tv\r\nX-Empty:\r\n\r\n";
  const Decoded d = Decode(std::string(input) + "POST");
  EXPECT_EQ(d.status, Status::kDone);
  EXPECT_EQ(d.body, "abc");
  EXPECT_EQ(d.used, input.size());
  EXPECT_EQ(d.wire_bytes, input.size());
}

TEST(ChunkedDecoderTest, RefusesMalformedSizeLines) {
  for (const std::string& input :
       {"\r\n"s, ";a\r\n"s, "x\r\n"s, " 3\r\nabc\r\n0\r\n\r\n"s, "-3\r\n"s, "+3\r\n"s,
        "0x3\r\nabc\r\n"s, "3x\r\nabc\r\n"s, "3 x\r\nabc\r\n"s, "3;a\x01\r\nabc\r\n"s,
        "3;a\rb\r\nabc\r\n"s, "3;a\x7f\r\n"s}) {
    EXPECT_EQ(Decode(input).status, Status::kBadRequest) << input;
  }
}

TEST(ChunkedDecoderTest, RefusesBareLineFeeds) {
  EXPECT_EQ(Decode("3\nabc\r\n0\r\n\r\n").status, Status::kBadRequest);
  EXPECT_EQ(Decode("3\n").status, Status::kBadRequest);  // before the data arrives
  EXPECT_EQ(Decode("\n").status, Status::kBadRequest);
  EXPECT_EQ(Decode("3\r\nabc\n0\r\n\r\n").status, Status::kBadRequest);
  EXPECT_EQ(Decode("3\r\nabc\r\n0\n\r\n").status, Status::kBadRequest);
  EXPECT_EQ(Decode("3\r\nabc\r\n0\r\n\n").status, Status::kBadRequest);
  EXPECT_EQ(Decode("3\r\nabc\r\n0\r\nX: y\n\r\n").status, Status::kBadRequest);
}

TEST(ChunkedDecoderTest, RefusesDataNotFollowedByCrlf) {
  EXPECT_EQ(Decode("3\r\nabcd\r\n0\r\n\r\n").status, Status::kBadRequest);
  EXPECT_EQ(Decode("3\r\nabcd").status, Status::kBadRequest);  // known at the first wrong byte
  EXPECT_EQ(Decode("3\r\nabc\rX").status, Status::kBadRequest);
  EXPECT_EQ(Decode("3\r\nabc0\r\n\r\n").status, Status::kBadRequest);
  EXPECT_EQ(Decode("3\r\nab\r\n0\r\n\r\n").status, Status::kBadRequest);
}

TEST(ChunkedDecoderTest, RefusesMalformedTrailers) {
  EXPECT_EQ(Decode("0\r\nNoColon\r\n\r\n").status, Status::kBadRequest);
  EXPECT_EQ(Decode("0\r\n: v\r\n\r\n").status, Status::kBadRequest);
  EXPECT_EQ(Decode("0\r\nX : v\r\n\r\n").status, Status::kBadRequest);
  EXPECT_EQ(Decode("0\r\n X: v\r\n\r\n").status, Status::kBadRequest);
  EXPECT_EQ(Decode("0\r\nX: a\x01z\r\n\r\n").status, Status::kBadRequest);
  EXPECT_EQ(Decode("0\r\nX: a\rb\r\n\r\n").status, Status::kBadRequest);
  EXPECT_EQ(Decode("0\r\nX: a\r\n\tb\r\n\r\n").status, Status::kBadRequest);  // obs-fold
}

TEST(ChunkedDecoderTest, BodyOverLimitIsTooLarge) {
  // Exactly at the limit.
  Decoded d = Decode("5\r\nabcde\r\n0\r\n\r\n", 5);
  EXPECT_EQ(d.status, Status::kDone);
  EXPECT_EQ(d.body, "abcde");
  // One chunk over, refused on its size line, before its data arrives.
  d = Decode("6\r\n", 5);
  EXPECT_EQ(d.status, Status::kTooLarge);
  EXPECT_EQ(d.body, "");
  // Over the limit only together.
  d = Decode("3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n", 5);
  EXPECT_EQ(d.status, Status::kTooLarge);
  EXPECT_EQ(d.body, "abc");
  d = Decode("2\r\nab\r\n2\r\ncd\r\n1\r\ne\r\n1\r\nf\r\n0\r\n\r\n", 5);
  EXPECT_EQ(d.status, Status::kTooLarge);
  EXPECT_EQ(d.body, "abcde");
  // ... also across calls.
  const Streamed s = DecodeInPieces({"3\r\nabc\r\n", "2\r\nde\r\n", "1\r\n", "f\r\n0\r\n\r\n"}, 5);
  EXPECT_EQ(s.status, Status::kTooLarge);
  EXPECT_EQ(s.body, "abcde");
}

TEST(ChunkedDecoderTest, HugeChunkSizesAreTooLarge) {
  constexpr size_t kNoLimit = std::numeric_limits<size_t>::max();
  // 17 significant hex digits do not fit in 64 bits.
  EXPECT_EQ(Decode("10000000000000000\r\n", kNoLimit).status, Status::kTooLarge);
  EXPECT_EQ(Decode("FFFFFFFFFFFFFFFFF\r\n", kNoLimit).status, Status::kTooLarge);
  EXPECT_EQ(Decode("000FFFFFFFFFFFFFFFFF\r\n", kNoLimit).status, Status::kTooLarge);
  // 16 do: with no body limit, the data is awaited.
  Decoded d = Decode("0000FFFFFFFFFFFFFFFF\r\nab", kNoLimit);
  EXPECT_EQ(d.status, Status::kNeedMore);
  EXPECT_EQ(d.body, "ab");
  // With a limit.
  EXPECT_EQ(Decode("FFFFFFFFFFFFFFFF\r\n").status, Status::kTooLarge);
  EXPECT_EQ(Decode("100001\r\n").status, Status::kTooLarge);  // kBodyLimit + 1
  d = Decode("100000\r\n");                                   // kBodyLimit
  EXPECT_EQ(d.status, Status::kNeedMore);
  EXPECT_EQ(d.used, 8u);
}

TEST(ChunkedDecoderTest, SizeLineOverLimitIsRefused) {
  constexpr size_t kLimit = 16;
  // A complete line of exactly the limit (CRLF included) is accepted, one byte more is not.
  const std::string at_limit = "3;" + std::string(12, 'a') + "\r\n";
  ASSERT_EQ(at_limit.size(), kLimit);
  Decoded d = Decode(at_limit + "abc\r\n0\r\n\r\n", kBodyLimit, kLimit);
  EXPECT_EQ(d.status, Status::kDone);
  EXPECT_EQ(d.body, "abc");
  const std::string over = "3;" + std::string(13, 'a') + "\r\n";
  EXPECT_EQ(Decode(over + "abc\r\n0\r\n\r\n", kBodyLimit, kLimit).status, Status::kBadRequest);
  EXPECT_EQ(Decode(over, kBodyLimit, kLimit).status, Status::kBadRequest);
  // Still incomplete: within the limit it waits, over it it is refused.
  EXPECT_EQ(Decode(std::string_view(at_limit).substr(0, kLimit - 1), kBodyLimit, kLimit).status,
            Status::kNeedMore);
  EXPECT_EQ(Decode("3;" + std::string(40, 'a'), kBodyLimit, kLimit).status, Status::kBadRequest);
  // ... also when it arrives in pieces.
  const Streamed s =
      DecodeInPieces({"3;aaaaaaaa", "aaaaaaaa", "aaaaaaaa", "\r\nabc\r\n"}, kBodyLimit, kLimit);
  EXPECT_EQ(s.status, Status::kBadRequest);
  // The limit applies to each size line, not to the body.
  d = Decode(at_limit + "abc\r\n" + at_limit + "def\r\n0\r\n\r\n", kBodyLimit, kLimit);
  EXPECT_EQ(d.status, Status::kDone);
  EXPECT_EQ(d.body, "abcdef");
}

TEST(ChunkedDecoderTest, TrailerSectionOverLimitIsRefused) {
  constexpr size_t kLimit = 32;
  // The trailer section, final CRLF included, may be the limit long.
  const std::string trailer_at_limit = "X-A: " + std::string(23, 'a') + "\r\n\r\n";
  ASSERT_EQ(trailer_at_limit.size(), kLimit);
  Decoded d = Decode("1\r\nz\r\n0\r\n" + trailer_at_limit, kBodyLimit, kLimit);
  EXPECT_EQ(d.status, Status::kDone);
  EXPECT_EQ(d.body, "z");
  const std::string trailer_over = "X-A: " + std::string(24, 'a') + "\r\n\r\n";
  EXPECT_EQ(Decode("0\r\n" + trailer_over, kBodyLimit, kLimit).status, Status::kBadRequest);
  // Over the limit together, each line within it.
  EXPECT_EQ(
      Decode("0\r\nX-A: aaaaaaaaaaaa\r\nX-B: bbbbbbbbbbbb\r\n\r\n", kBodyLimit, kLimit).status,
      Status::kBadRequest);
  // ... also across calls.
  const Streamed s = DecodeInPieces({"0\r\nX-A: aaaaaaaaaaaa\r\n", "X-B: bbbbbbbbbbbb\r\n", "\r\n"},
                                    kBodyLimit, kLimit);
  EXPECT_EQ(s.status, Status::kBadRequest);
  // Incomplete and already over.
  EXPECT_EQ(Decode("0\r\nX-A: " + std::string(40, 'a'), kBodyLimit, kLimit).status,
            Status::kBadRequest);
  EXPECT_EQ(Decode("0\r\nX-A: " + std::string(10, 'a'), kBodyLimit, kLimit).status,
            Status::kNeedMore);
}

}  // namespace
}  // namespace orgd::http
