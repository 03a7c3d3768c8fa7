#pragma once

// The server's HTTP/1.1 request parser (RFC 9112): the request head in one pass over bytes already
// buffered, and chunked bodies incrementally. It allocates nothing but the header list's storage
// (reused across requests) and copies nothing: a parsed head is a set of views into the input.
//
// It is strict where leniency would let two parsers disagree about where a message ends (request
// smuggling): bare LF line ends, whitespace before a field's colon, obsolete line folding, a
// Content-Length that is not one plain number, Content-Length together with Transfer-Encoding,
// and codings other than "chunked" are all refused.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orgd::http {

// The request line and header fields of one request, with what the server needs from them.
// Every view points into the bytes given to ParseRequestHead.
struct RequestHead {
  enum class Body { kNone, kContentLength, kChunked };

  std::string_view method;  // as sent, e.g. "PATCH"
  std::string_view target;  // as sent: path and query, still encoded
  int version = 11;         // 10 for HTTP/1.0, 11 for HTTP/1.1 (and later 1.x)
  std::vector<std::pair<std::string_view, std::string_view>> headers;  // in order, values trimmed
  Body body = Body::kNone;
  uint64_t content_length = 0;  // with Body::kContentLength
  bool keep_alive = true;       // HTTP/1.1 unless "Connection: close"; HTTP/1.0 only if asked
  bool expect_continue = false;  // "Expect: 100-continue" in HTTP/1.1 (ignored in 1.0)
  size_t size = 0;               // bytes of the head, from the first byte to the final CRLF
};

enum class HeadParse {
  kComplete,          // `head` is filled
  kNeedMore,          // no complete head yet, and still within the limit
  kBadRequest,        // malformed: answer 400
  kHeaderTooLarge,    // no complete head within the limit: answer 431
  kNotImplemented,    // a transfer coding other than chunked: answer 501
  kVersionNotSupported,  // not HTTP/1.x: answer 505
};

// Parses the request head at the start of `input`, at most `max_head_bytes` of it. `scanned` is
// the caller's memory between calls on the same growing input (start it at 0): how far the input
// is known to hold no complete head, so that a head arriving in many pieces is scanned once.
// Empty lines before the request line are skipped (RFC 9112 section 2.2) and count in `size`.
HeadParse ParseRequestHead(std::string_view input, size_t max_head_bytes, size_t& scanned,
                           RequestHead& head);

// Decodes a chunked body (RFC 9112 section 7.1) from input that arrives in pieces: chunk data is
// appended to a string, chunk extensions and trailer fields are checked and dropped.
class ChunkedDecoder {
 public:
  enum class Status { kDone, kNeedMore, kBadRequest, kTooLarge };

  // `body_limit` bounds the decoded body; `line_limit` bounds a chunk-size line and the trailer
  // section, the parts that are not data.
  ChunkedDecoder(size_t body_limit, size_t line_limit)
      : body_limit_(body_limit), line_limit_(line_limit) {}

  // Decodes what it can from `input`, appending data to `body`; sets `used` to the bytes it took
  // (the caller drops them). Incomplete lines are left in `input` for the next call. After kDone
  // the input from `used` on belongs to the next request.
  Status Feed(std::string_view input, std::string& body, size_t& used);

  // Bytes taken from the wire so far, framing included.
  size_t wire_bytes() const { return wire_bytes_; }

 private:
  enum class State { kSize, kData, kDataEnd, kTrailer, kDone };

  State state_ = State::kSize;
  uint64_t chunk_left_ = 0;
  size_t trailer_bytes_ = 0;
  size_t wire_bytes_ = 0;
  const size_t body_limit_;
  const size_t line_limit_;
};

// RFC 9110 token characters (method names, field names, coding names).
bool IsTokenChar(char c);

}  // namespace orgd::http
