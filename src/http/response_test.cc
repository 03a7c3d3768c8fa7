#include "http/response.h"

#include <gtest/gtest.h>

namespace orgd::http {
namespace {

TEST(ReasonPhraseTest, UsesTheRegistryNames) {
  EXPECT_EQ(ReasonPhrase(200), "OK");
  EXPECT_EQ(ReasonPhrase(304), "Not Modified");
  EXPECT_EQ(ReasonPhrase(405), "Method Not Allowed");
  EXPECT_EQ(ReasonPhrase(413), "Payload Too Large");
  EXPECT_EQ(ReasonPhrase(422), "Unprocessable Entity");
  EXPECT_EQ(ReasonPhrase(429), "Too Many Requests");
  EXPECT_EQ(ReasonPhrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(ReasonPhrase(501), "Not Implemented");
  EXPECT_EQ(ReasonPhrase(503), "Service Unavailable");
}

TEST(ReasonPhraseTest, UnknownStatusHasNoPhrase) {
  EXPECT_EQ(ReasonPhrase(299), "");
  EXPECT_EQ(ReasonPhrase(0), "");
}

TEST(ResponseTest, FactoriesSetContentType) {
  Response json = Response::Json(201, R"({"a":1})");
  EXPECT_EQ(json.status, 201);
  EXPECT_EQ(json.content_type, "application/json; charset=utf-8");
  EXPECT_EQ(json.body, R"({"a":1})");

  Response text = Response::Text(400, "bad");
  EXPECT_EQ(text.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(text.body, "bad");

  Response empty = Response::Empty(204);
  EXPECT_EQ(empty.status, 204);
  EXPECT_EQ(empty.content_type, "");
  EXPECT_EQ(empty.body, "");
}

TEST(ResponseTest, WithHeaderKeepsOrderAndDuplicates) {
  Response r = Response::Empty(200);
  r.WithHeader("Link", "<a>").WithHeader("Link", "<b>");
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[0].second, "<a>");
  EXPECT_EQ(r.headers[1].second, "<b>");
}

}  // namespace
}  // namespace orgd::http
