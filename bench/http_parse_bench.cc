// Time per request head of the server's HTTP/1.1 parser (src/http/request_parser.h) against
// Boost.Beast's request_parser, which the server used before, on the heads of the bench's hot
// reads; and time per rendering of a Kinde organization with the JSON writer. No sockets: the
// CPU the server spends on these steps alone.
//
// Usage: http_parse_bench [ITERATIONS]   (default 300000)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "api/json_writer.h"
#include "http/request_parser.h"

namespace {

namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;

// A token of `size` base64url-like characters (the shape of a JWT's, for the parsers).
std::string Token(size_t size) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string token;
  token.reserve(size);
  for (size_t i = 0; i < size; ++i) token.push_back(kAlphabet[(i * 7 + i / 64) % 64]);
  token[size / 3] = '.';
  token[2 * size / 3] = '.';
  return token;
}

// Nanoseconds per call of `fn` over `iterations` calls; `sink` keeps the work observable.
template <typename Fn>
double NanosPerCall(int iterations, size_t& sink, Fn fn) {
  const auto start = Clock::now();
  for (int i = 0; i < iterations; ++i) sink += fn();
  return std::chrono::duration<double, std::nano>(Clock::now() - start).count() / iterations;
}

size_t OwnParse(std::string_view wire) {
  static thread_local orgd::http::RequestHead head;
  size_t scanned = 0;
  const auto result = orgd::http::ParseRequestHead(wire, 16 * 1024, scanned, head);
  if (result != orgd::http::HeadParse::kComplete) std::abort();
  return head.size + head.headers.size();
}

size_t BeastParse(std::string_view wire) {
  // As the server did: a parser per request, header limit set, body limit left open.
  std::optional<bhttp::request_parser<bhttp::string_body>> parser;
  parser.emplace();
  parser->header_limit(16 * 1024);
  parser->body_limit(boost::none);
  boost::beast::error_code ec;
  const size_t used = parser->put(boost::asio::buffer(wire.data(), wire.size()), ec);
  if (ec || !parser->is_header_done()) std::abort();
  return used + parser->get().target().size();
}

size_t RenderKindeOrganization() {
  orgd::api::JsonWriter w(1024);
  w.BeginObject()
      .Field("code", "org_0123456789ab")
      .Field("name", "Hidden Lantern Labs 0")
      .Key("handle")
      .Null()
      .Field("is_default", false)
      .Key("external_id")
      .Null()
      .Field("is_auto_membership_enabled", false)
      .Key("logo")
      .Null()
      .Key("logo_dark")
      .Null()
      .Key("favicon_svg")
      .Null()
      .Key("favicon_fallback")
      .Null()
      .Key("allowed_domains")
      .BeginArray()
      .EndArray();
  w.Key("background_color").Null().Key("button_color").Null().Key("button_text_color").Null();
  w.Key("link_color").Null().Key("background_color_dark").Null().Key("button_color_dark").Null();
  w.Key("button_text_color_dark").Null().Key("link_color_dark").Null();
  w.Key("button_border_radius").Null().Key("card_border_radius").Null();
  w.Key("input_border_radius").Null();
  w.Field("theme_code", "light")
      .Field("color_scheme", "light")
      .Field("created_on", "2026-12-05T21:23:21.785000+00:00")
      .Field("is_allow_registrations", false)
      .Key("sender_name")
      .Null()
      .Key("sender_email")
      .Null()
      .Field("is_suspended", false)
      .Key("suspended_on")
      .Null()
      .EndObject();
  return w.str().size();
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 300'000;
  if (iterations <= 0) {
    std::fprintf(stderr, "usage: http_parse_bench [ITERATIONS]\n");
    return 2;
  }
  const std::string kinde =
      "GET /api/v1/organization?code=org_0123456789ab HTTP/1.1\r\nHost: 127.0.0.1:3001\r\n"
      "Authorization: Bearer " + Token(3053) + "\r\n\r\n";
  const std::string logto =
      "GET /api/organizations/0123456789abcdefghijk/users/abcdefghijk0123456789/scopes "
      "HTTP/1.1\r\nHost: 127.0.0.1:3001\r\nAuthorization: Bearer " + Token(654) + "\r\n\r\n";
  const std::string post =
      "POST /api/organizations HTTP/1.1\r\nHost: 127.0.0.1:3001\r\nAuthorization: Bearer " +
      Token(654) +
      "\r\nContent-Type: application/json\r\nAccept: application/json\r\nUser-Agent: "
      "node-fetch\r\nContent-Length: 24\r\n\r\n";

  size_t sink = 0;
  std::printf("%-44s %12s %12s\n", "request head", "orgd ns", "Beast ns");
  struct Case {
    const char* name;
    const std::string* wire;
  };
  for (const Case& c : {Case{"GET ?code= (Kinde token, 3 KB)", &kinde},
                        Case{"GET scopes (Logto token, 654 B)", &logto},
                        Case{"POST with six fields", &post}}) {
    const std::string& wire = *c.wire;
    // A warm-up round each, then the measured one.
    NanosPerCall(iterations / 10, sink, [&] { return OwnParse(wire); });
    const double own = NanosPerCall(iterations, sink, [&] { return OwnParse(wire); });
    NanosPerCall(iterations / 10, sink, [&] { return BeastParse(wire); });
    const double beast = NanosPerCall(iterations, sink, [&] { return BeastParse(wire); });
    std::printf("%-44s %12.0f %12.0f\n", c.name, own, beast);
  }
  NanosPerCall(iterations / 10, sink, RenderKindeOrganization);
  const double render = NanosPerCall(iterations, sink, RenderKindeOrganization);
  std::printf("%-44s %12.0f\n", "render a Kinde organization (36 keys)", render);
  return sink == 0 ? 1 : 0;
}
