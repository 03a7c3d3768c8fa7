// Per-client rate limits on the Management API (--rate-limit; issue #8 item 3): off by default,
// and when on, a client over its limit gets 429 in its dialect's shape with RateLimit-Reset and
// Retry-After, while other clients and public routes are unaffected.
#include <gtest/gtest.h>

#include <string>

#include "common/clock.h"
#include "tests/support/test_server.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;

TEST(RateLimitTest, OffByDefault) {
  TestServer server("sqlite_memory");
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(server.Kinde("GET", "/api/v1/organizations").status, 200) << i;
  }
}

TEST(RateLimitTest, ClientOverItsLimitGets429InEachDialectUntilTheBucketRefills) {
  FakeClock clock(SystemClock().NowMillis());
  TestServer server("sqlite_memory", {.clock = &clock, .rate_limit_requests = 3, .rate_limit_window_ms = 60'000});
  // Tokens come from the public token endpoints, which are not limited.
  const std::string kinde_token = server.KindeToken();
  const std::string logto_token = server.LogtoToken();
  auto kinde = [&] {
    return server.client().Send("GET", "/api/v1/organizations", "", {{"Authorization", "Bearer " + kinde_token}});
  };
  auto logto = [&] {
    return server.client().Send("GET", "/api/organizations", "", {{"Authorization", "Bearer " + logto_token}});
  };
  // One bucket per client, whichever dialect it speaks: 3 requests, then refusals.
  EXPECT_EQ(kinde().status, 200);
  EXPECT_EQ(logto().status, 200);
  EXPECT_EQ(kinde().status, 200);

  auto refused = kinde();
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.json, Json::parse(R"({"errors":[{"code":"TOO_MANY_REQUESTS","message":"Request was throttled."}]})"));
  EXPECT_EQ(refused.Header("ratelimit-reset"), "20");  // one request refills every 60/3 s
  EXPECT_EQ(refused.Header("retry-after"), "20");
  auto refused_logto = logto();
  EXPECT_EQ(refused_logto.status, 429);
  EXPECT_EQ(refused_logto.json,
            Json::parse(R"({"code":"request.rate_limited","message":"Too many requests. Please try again later."})"));
  EXPECT_EQ(refused_logto.Header("ratelimit-reset"), "20");

  // Another client has its own bucket; probes and token endpoints are never limited.
  auto [other_id, other_secret] = server.CreateClient({"read:organizations"});
  auto token = server.Send("POST", "/oauth2/token",
                           "grant_type=client_credentials&client_id=" + other_id + "&client_secret=" + other_secret +
                               "&audience=" + server.public_url() + "/api",
                           {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(token.status, 200) << token.body;
  auto other = server.client().Send("GET", "/api/v1/organizations", "",
                                    {{"Authorization", "Bearer " + token.json["access_token"].get<std::string>()}});
  EXPECT_EQ(other.status, 200) << other.body;
  EXPECT_EQ(server.Send("GET", "/healthz").status, 200);

  // After 10 s the bucket is still short of a whole request; after 20 s one more is allowed.
  clock.Advance(10'000);
  auto still = kinde();
  EXPECT_EQ(still.status, 429);
  EXPECT_EQ(still.Header("ratelimit-reset"), "10");
  clock.Advance(10'000);
  EXPECT_EQ(kinde().status, 200);
  EXPECT_EQ(kinde().status, 429);
  // A full window refills the whole burst, never more.
  clock.Advance(600'000);
  EXPECT_EQ(kinde().status, 200);
  EXPECT_EQ(kinde().status, 200);
  EXPECT_EQ(kinde().status, 200);
  EXPECT_EQ(kinde().status, 429);
}

}  // namespace
}  // namespace orgd::testing
