// libFuzzer target: raw bytes off the wire through the HTTP/1.1 parser (Beast, with the server's
// header and body limits; chunked bodies included), into a Request (target, percent-decoding,
// query parsing, headers) and through the router and every handler of the real API. A 500 is a
// finding. The first byte chooses whether the request carries a valid token of its dialect.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "fuzz/fuzz_app.h"

namespace bhttp = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  auto& app = orgd::fuzz::FuzzApp::Get();
  const bool authorize = (data[0] & 1) != 0;
  std::string_view wire(reinterpret_cast<const char*>(data + 1), size - 1);

  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(1 << 20);
  parser.eager(true);
  boost::beast::error_code ec;
  size_t offset = 0;
  while (offset < wire.size() && !parser.is_done()) {
    size_t used = parser.put(boost::asio::buffer(wire.data() + offset, wire.size() - offset), ec);
    if (ec == bhttp::error::need_more) break;
    if (ec) return 0;  // the server answers 400 and closes
    if (used == 0) break;
    offset += used;
  }
  if (!parser.is_done()) {
    // End of stream before any byte is a connection closed without a request (put_eof requires
    // that some input came first).
    if (!parser.got_some()) return 0;
    parser.put_eof(ec);
    if (ec || !parser.is_done()) return 0;
  }
  const auto& message = parser.get();
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& field : message) headers.emplace_back(field.name_string(), field.value());
  auto response = app.Send(message.method_string(), message.target(), message.body(),
                           std::move(headers), authorize);
  orgd::fuzz::CheckNoServerError(response, message.target());
  return 0;
}
