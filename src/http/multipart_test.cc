// The multipart/form-data reader: boundary extraction and strict body parsing.

#include "http/multipart.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace orgd::http {
namespace {

using namespace std::string_literals;  // NOLINT: test file

std::string Describe(const Error& e) { return e.subject + ": " + e.message; }

// --- MultipartBoundary -----------------------------------------------------------------------

TEST(MultipartBoundaryTest, ReadsAnUnquotedBoundary) {
  auto b = MultipartBoundary("multipart/form-data; boundary=----WebKitFormBoundaryX3b");
  ASSERT_TRUE(b) << Describe(b.error());
  EXPECT_EQ(*b, "----WebKitFormBoundaryX3b");
}

TEST(MultipartBoundaryTest, ReadsAQuotedBoundaryWithSpacesAndEscapes) {
  auto b = MultipartBoundary(R"(multipart/form-data; boundary="a b\"c")");
  // A quote is not a boundary character, so the unescaped value is refused.
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().subject, "content_type");
  auto spaced = MultipartBoundary(R"(multipart/form-data; boundary="simple boundary")");
  ASSERT_TRUE(spaced) << Describe(spaced.error());
  EXPECT_EQ(*spaced, "simple boundary");
  auto escaped = MultipartBoundary(R"(multipart/form-data; boundary="a\bc")");
  ASSERT_TRUE(escaped) << Describe(escaped.error());
  EXPECT_EQ(*escaped, "abc");
}

TEST(MultipartBoundaryTest, MediaTypeAndParameterNamesAreCaseInsensitive) {
  auto b = MultipartBoundary("Multipart/Form-Data ;  BOUNDARY=xyz ; charset=utf-8");
  ASSERT_TRUE(b) << Describe(b.error());
  EXPECT_EQ(*b, "xyz");
}

TEST(MultipartBoundaryTest, RefusesOtherMediaTypes) {
  for (const char* type : {"application/json", "multipart/mixed; boundary=x",
                           "multipart/form-dataX; boundary=x", "", "; boundary=x"}) {
    auto b = MultipartBoundary(type);
    ASSERT_FALSE(b) << type;
    EXPECT_EQ(b.error().code, ErrorCode::kInvalidArgument) << type;
    EXPECT_EQ(b.error().subject, "content_type") << type;
  }
}

TEST(MultipartBoundaryTest, RefusesAMissingOrDuplicateBoundary) {
  for (const char* type :
       {"multipart/form-data", "multipart/form-data;", "multipart/form-data; charset=utf-8",
        "multipart/form-data; boundary=a; boundary=b"}) {
    auto b = MultipartBoundary(type);
    ASSERT_FALSE(b) << type;
    EXPECT_EQ(b.error().subject, "content_type") << type;
  }
}

TEST(MultipartBoundaryTest, RefusesInvalidBoundaries) {
  const std::string too_long(71, 'a');
  for (const std::string& type :
       {"multipart/form-data; boundary="s, R"(multipart/form-data; boundary="")"s,
        "multipart/form-data; boundary=" + too_long, R"(multipart/form-data; boundary="ends ")"s,
        "multipart/form-data; boundary=a*b"s, R"(multipart/form-data; boundary="unterminated)"s,
        "multipart/form-data; boundary=a\"b"s, "multipart/form-data; boundary=x y"s}) {
    EXPECT_FALSE(MultipartBoundary(type)) << type;
  }
  EXPECT_TRUE(MultipartBoundary("multipart/form-data; boundary=" + std::string(70, 'a')));
}

// --- ParseMultipart ----------------------------------------------------------------------------

constexpr std::string_view kBoundary = "XyZ";

TEST(ParseMultipartTest, ReadsPartsWithNamesFilenamesTypesAndBytes) {
  const std::string body =
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"logo\"; filename=\"a.png\"\r\n"
      "Content-Type: image/png\r\n"
      "\r\n"
      "PNGDATA\r\n"
      "--XyZ\r\n"
      "content-disposition: form-data; name=note\r\n"
      "\r\n"
      "hello\r\n"
      "--XyZ--\r\n";
  auto parts = ParseMultipart(body, kBoundary);
  ASSERT_TRUE(parts) << Describe(parts.error());
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "logo");
  EXPECT_EQ((*parts)[0].filename, "a.png");
  EXPECT_EQ((*parts)[0].content_type, "image/png");
  EXPECT_EQ((*parts)[0].data, "PNGDATA");
  EXPECT_EQ((*parts)[1].name, "note");
  EXPECT_EQ((*parts)[1].filename, std::nullopt);
  EXPECT_EQ((*parts)[1].content_type, "");
  EXPECT_EQ((*parts)[1].data, "hello");
}

TEST(ParseMultipartTest, PartDataViewsTheBodyWithoutCopying) {
  const std::string body = "--XyZ\r\nContent-Disposition: form-data; name=f\r\n\r\nabc\r\n--XyZ--";
  auto parts = ParseMultipart(body, kBoundary);
  ASSERT_TRUE(parts) << Describe(parts.error());
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_GE((*parts)[0].data.data(), body.data());
  EXPECT_LE((*parts)[0].data.data() + (*parts)[0].data.size(), body.data() + body.size());
}

TEST(ParseMultipartTest, KeepsBinaryBytesExactly) {
  std::string payload;
  for (int i = 0; i < 256; ++i) payload.push_back(static_cast<char>(i));
  payload += "\r\n--XyZ-not-a-delimiter-because-no\r\n\r\n-\r\n--Xy";  // CRLF and near-boundaries
  payload.push_back('\0');
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"bin\"; filename=b\r\n"
      "Content-Type: application/octet-stream\r\n\r\n" +
      payload + "\r\n--XyZ--\r\n";
  // The payload contains "\r\n--XyZ-not…", which is a delimiter followed by junk: strictly
  // malformed, since a delimiter must never occur inside a part.
  EXPECT_FALSE(ParseMultipart(body, kBoundary));

  std::string clean;
  for (int i = 0; i < 256; ++i) clean.push_back(static_cast<char>(i));
  clean += "\r\n\r\n--Xy\r\n-";
  clean.push_back('\0');
  const std::string ok_body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"bin\"\r\n\r\n" + clean + "\r\n--XyZ--";
  auto parts = ParseMultipart(ok_body, kBoundary);
  ASSERT_TRUE(parts) << Describe(parts.error());
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].data, clean);
}

TEST(ParseMultipartTest, AnEmptyPartHasNoBytes) {
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"\"\r\n"
      "Content-Type: application/octet-stream\r\n\r\n\r\n--XyZ--\r\n";
  auto parts = ParseMultipart(body, kBoundary);
  ASSERT_TRUE(parts) << Describe(parts.error());
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].filename, "");
  EXPECT_TRUE((*parts)[0].data.empty());
}

TEST(ParseMultipartTest, OnlyACloseDelimiterHasNoParts) {
  auto parts = ParseMultipart("--XyZ--\r\n", kBoundary);
  ASSERT_TRUE(parts) << Describe(parts.error());
  EXPECT_TRUE(parts->empty());
}

TEST(ParseMultipartTest, UnquotedAndQuotedFilenames) {
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=a; filename=plain.gif\r\n\r\nx\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"b\"; filename=\"my \\\"logo\\\";1.png\"\r\n"
      "\r\ny\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"c\"; filename=\"\xc3\xa9t\xc3\xa9.svg\"\r\n"
      "\r\nz\r\n--XyZ--";
  auto parts = ParseMultipart(body, kBoundary);
  ASSERT_TRUE(parts) << Describe(parts.error());
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_EQ((*parts)[0].filename, "plain.gif");
  EXPECT_EQ((*parts)[1].filename, "my \"logo\";1.png");
  EXPECT_EQ((*parts)[2].filename, "\xc3\xa9t\xc3\xa9.svg");
}

TEST(ParseMultipartTest, BoundaryWithSpacesAndPunctuation) {
  const std::string boundary = "a'()+_,-./:=? b";
  const std::string body = "--" + boundary +
                           "\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--" + boundary +
                           "--";
  auto parts = ParseMultipart(body, boundary);
  ASSERT_TRUE(parts) << Describe(parts.error());
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].data, "1");
}

TEST(ParseMultipartTest, PreambleEpilogueAndTransportPaddingAreAllowed) {
  const std::string body =
      "this is a preamble\r\n--XyZ \t\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n"
      "--XyZ-- \r\nepilogue, ignored\r\n--XyZ\r\n";
  auto parts = ParseMultipart(body, kBoundary);
  ASSERT_TRUE(parts) << Describe(parts.error());
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].data, "1");
}

TEST(ParseMultipartTest, RefusesMissingBoundaries) {
  for (const std::string& body : {
           ""s,
           "no boundary at all"s,
           "--XyZ\r\nContent-Disposition: form-data; name=x\r\n\r\nunterminated"s,
           // The final delimiter lacks its closing "--".
           "--XyZ\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--XyZ\r\n"s,
           // A delimiter must follow CRLF; "--XyZ--" right after the blank line is part data.
           "--XyZ\r\nContent-Disposition: form-data; name=x\r\n\r\n--XyZ--"s,
           // Another boundary.
           "--Other\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--Other--"s,
       }) {
    auto parts = ParseMultipart(body, kBoundary);
    ASSERT_FALSE(parts) << body;
    EXPECT_EQ(parts.error().code, ErrorCode::kInvalidArgument) << body;
    EXPECT_EQ(parts.error().subject, "body") << body;
  }
}

TEST(ParseMultipartTest, RequiresCrlfLineEndings) {
  for (const std::string& body : {
           "--XyZ\nContent-Disposition: form-data; name=x\n\n1\n--XyZ--"s,
           "--XyZ\r\nContent-Disposition: form-data; name=x\n\r\n1\r\n--XyZ--"s,
           "--XyZ\r\nContent-Disposition: form-data; name=x\r\n\n1\r\n--XyZ--"s,
           "--XyZ\r\nContent-Disposition: form-data; name=x\r\n\r\n1\n--XyZ--"s,
       }) {
    EXPECT_FALSE(ParseMultipart(body, kBoundary)) << body;
  }
}

TEST(ParseMultipartTest, RefusesJunkAfterADelimiter) {
  for (const std::string& body : {
           "--XyZjunk\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--XyZ--"s,
           "--XyZ\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--XyZ--junk"s,
           "--XyZ\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--XyZ-"s,
       }) {
    EXPECT_FALSE(ParseMultipart(body, kBoundary)) << body;
  }
}

TEST(ParseMultipartTest, RefusesMalformedPartHeaders) {
  auto with_headers = [](const std::string& headers) {
    return "--XyZ\r\n" + headers + "\r\n1\r\n--XyZ--";
  };
  for (const std::string& headers : {
           ""s,                                                    // no headers at all
           "Content-Type: text/plain\r\n"s,                        // no disposition
           "Content-Disposition: attachment; name=x\r\n"s,         // not form-data
           "Content-Disposition: form-data\r\n"s,                  // no name
           "Content-Disposition: form-data; filename=a\r\n"s,      // no name
           "Content-Disposition: form-data; name=x; name=y\r\n"s,  // duplicate parameter
           "Content-Disposition: form-data; name=\"x\r\n"s,        // unterminated quote
           "Content-Disposition: form-data; name=x junk\r\n"s,     // junk after a value
           "Content-Disposition: form-data; name=\r\n"s,           // empty token
           "Content-Disposition: form-data; name=\"\"\r\n"s,       // empty quoted name
           "Content-Disposition: form-data; name=x\r\nContent-Disposition: form-data; name=y\r\n"s,
           "Content-Disposition: form-data; name=x\r\nContent-Type: a/b\r\nContent-Type: c/d\r\n"s,
           "Content-Disposition: form-data; name=x\r\nNo colon here\r\n"s,
           "Content-Disposition: form-data; name=x\r\n: empty name\r\n"s,
           "Content-Disposition: form-data; name=x\r\nBad Name: v\r\n"s,
           "Content-Disposition: form-data; name=x\r\n folded: continuation\r\n"s,
           "Content-Disposition: form-data; name=\"x\x01\"\r\n"s,  // control character
           "Content-Disposition: form-data; name=x\r\nContent-Transfer-Encoding: base64\r\n"s,
       }) {
    auto parts = ParseMultipart(with_headers(headers), kBoundary);
    ASSERT_FALSE(parts) << headers;
    EXPECT_EQ(parts.error().subject, "body") << headers;
  }
  // Identity transfer encodings and unknown headers are fine.
  // The parts view into the body, so the body must outlive them.
  const std::string body =
      with_headers("Content-Disposition: form-data; name=x\r\nContent-Transfer-Encoding: Binary\r\n"
                   "X-Other: whatever\r\n");
  auto ok = ParseMultipart(body, kBoundary);
  ASSERT_TRUE(ok) << Describe(ok.error());
  EXPECT_EQ((*ok)[0].data, "1");
}

TEST(ParseMultipartTest, RefusesHeadersThatNeverEnd) {
  EXPECT_FALSE(ParseMultipart("--XyZ\r\nContent-Disposition: form-data; name=x", kBoundary));
  EXPECT_FALSE(ParseMultipart("--XyZ\r\nContent-Disposition: form-data; name=x\r\n", kBoundary));
  EXPECT_FALSE(ParseMultipart("--XyZ", kBoundary));
  EXPECT_FALSE(ParseMultipart("--XyZ\r\n", kBoundary));
}

TEST(ParseMultipartTest, ParsesEveryTruncationWithoutCrashing) {
  const std::string body =
      "pre\r\n--XyZ\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"a.png\"\r\n"
      "Content-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n\r\n--XyZ--\r\n";
  ASSERT_TRUE(ParseMultipart(body, kBoundary));
  // Every proper prefix that cuts the close delimiter short is refused.
  size_t close = body.rfind("--XyZ--") + 7;
  for (size_t n = 0; n < close; ++n) {
    EXPECT_FALSE(ParseMultipart(std::string_view(body).substr(0, n), kBoundary)) << n;
  }
}

}  // namespace
}  // namespace orgd::http
