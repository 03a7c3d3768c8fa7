// libFuzzer target: raw bytes off the wire through the server's HTTP/1.1 request parser
// (http::ParseRequestHead with the server's 16 KiB head limit, then a Content-Length body of at
// most 1 MiB or a chunked body through http::ChunkedDecoder with the server's limits), into a
// Request (target, percent-decoding, query parsing, headers) and through the router and every
// handler of the real API. A 500 is a finding. The first byte chooses whether the request carries
// a valid token of its dialect.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz/fuzz_app.h"
#include "http/request_parser.h"

namespace {

constexpr size_t kMaxHeadBytes = 16 * 1024;
constexpr size_t kMaxBodyBytes = 1 << 20;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  auto& app = orgd::fuzz::FuzzApp::Get();
  const bool authorize = (data[0] & 1) != 0;
  std::string_view wire(reinterpret_cast<const char*>(data + 1), size - 1);

  orgd::http::RequestHead head;
  size_t scanned = 0;
  if (orgd::http::ParseRequestHead(wire, kMaxHeadBytes, scanned, head) !=
      orgd::http::HeadParse::kComplete) {
    return 0;  // incomplete (the connection ends without a request) or answered 4xx/5xx
  }
  const std::string_view after_head = wire.substr(head.size);
  std::string body;
  switch (head.body) {
    case orgd::http::RequestHead::Body::kNone:
      break;
    case orgd::http::RequestHead::Body::kContentLength:
      // Over the limit the server answers 413; fewer bytes than announced is a connection that
      // ends mid-body.
      if (head.content_length > kMaxBodyBytes || after_head.size() < head.content_length) return 0;
      body.assign(after_head.substr(0, static_cast<size_t>(head.content_length)));
      break;
    case orgd::http::RequestHead::Body::kChunked: {
      orgd::http::ChunkedDecoder decoder(kMaxBodyBytes, kMaxHeadBytes);
      size_t used = 0;
      if (decoder.Feed(after_head, body, used) != orgd::http::ChunkedDecoder::Status::kDone) {
        return 0;
      }
      break;
    }
  }

  std::vector<std::pair<std::string, std::string>> headers;
  headers.reserve(head.headers.size());
  for (const auto& [name, value] : head.headers) headers.emplace_back(name, value);
  auto response = app.Send(head.method, head.target, body, std::move(headers), authorize);
  orgd::fuzz::CheckNoServerError(response, head.target);
  return 0;
}
