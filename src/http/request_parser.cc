#include "http/request_parser.h"

#include <algorithm>
#include <array>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/text.h"

namespace orgd::http {
namespace {

constexpr std::array<bool, 256> kTokenChars = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}();

bool IsToken(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!kTokenChars[static_cast<unsigned char>(c)]) return false;
  }
  return true;
}

// A byte a field value may not hold: a control character other than HTAB, or DEL.
bool IsForbiddenInValue(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; }

// True when `text` holds only what a field value may (VCHAR, obs-text, SP, HTAB). Values can be
// kilobytes (a Kinde access token is about 3 KB), so 64 bytes are tested at a time (SSE2, part of
// every x86-64): a block with no byte below 0x20 and none equal to 0x7f is clean, and only the
// rare block with one (a tab) is looked at byte by byte.
bool IsFieldValueText(std::string_view text) {
  const char* p = text.data();
  size_t n = text.size();
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i del = _mm_set1_epi8(0x7f);
  // All ones in the lanes of a 16-byte block holding a byte below 0x20 or equal to 0x7f:
  // max(byte, 0x20) == byte exactly when byte >= 0x20 (unsigned).
  auto suspect = [&](const char* at) {
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
    const __m128i at_least_space = _mm_cmpeq_epi8(_mm_max_epu8(block, space), block);
    const __m128i below_space = _mm_xor_si128(at_least_space, _mm_set1_epi8(-1));
    return _mm_or_si128(_mm_cmpeq_epi8(block, del), below_space);
  };
  auto check_bytes = [](const char* at, size_t count) {
    for (size_t i = 0; i < count; ++i) {
      if (IsForbiddenInValue(static_cast<unsigned char>(at[i]))) return false;
    }
    return true;
  };
  for (; n >= 64; p += 64, n -= 64) {
    const __m128i any = _mm_or_si128(_mm_or_si128(suspect(p), suspect(p + 16)),
                                     _mm_or_si128(suspect(p + 32), suspect(p + 48)));
    if (_mm_movemask_epi8(any) != 0 && !check_bytes(p, 64)) return false;
  }
  for (; n >= 16; p += 16, n -= 16) {
    if (_mm_movemask_epi8(suspect(p)) != 0 && !check_bytes(p, 16)) return false;
  }
#endif
  for (; n > 0; ++p, --n) {
    if (IsForbiddenInValue(static_cast<unsigned char>(*p))) return false;
  }
  return true;
}

bool IsSpaceOrTab(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimSpaceAndTab(std::string_view text) {
  while (!text.empty() && IsSpaceOrTab(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpaceOrTab(text.back())) text.remove_suffix(1);
  return text;
}

// Calls `visit` with each non-empty element of a comma-separated list (RFC 9110 section 5.6.1),
// trimmed; stops early when it returns false.
template <typename Visit>
void ForEachListElement(std::string_view list, Visit visit) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view element = TrimSpaceAndTab(list.substr(0, comma));
    if (!element.empty() && !visit(element)) return;
    if (comma == std::string_view::npos) return;
    list.remove_prefix(comma + 1);
  }
}

// The request line: method SP request-target SP HTTP-version.
HeadParse ParseRequestLine(std::string_view line, RequestHead& head) {
  size_t method_end = line.find(' ');
  if (method_end == std::string_view::npos || !IsToken(line.substr(0, method_end))) {
    return HeadParse::kBadRequest;
  }
  head.method = line.substr(0, method_end);
  line.remove_prefix(method_end + 1);
  size_t target_end = line.find(' ');
  if (target_end == 0 || target_end == std::string_view::npos) return HeadParse::kBadRequest;
  head.target = line.substr(0, target_end);
  for (char c : head.target) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return HeadParse::kBadRequest;
  }
  std::string_view version = line.substr(target_end + 1);
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || !is_digit(version[5]) ||
      version[6] != '.' || !is_digit(version[7])) {
    return HeadParse::kBadRequest;
  }
  if (version[5] != '1') return HeadParse::kVersionNotSupported;
  head.version = version[7] == '0' ? 10 : 11;
  return HeadParse::kComplete;
}

// What the head's framing and connection fields said, gathered while the fields are read.
struct FramingFields {
  bool has_content_length = false;
  bool has_transfer_encoding = false;
  bool chunked = false;
  bool last_coding_chunked = false;  // chunked is the final coding
  bool other_coding = false;         // a coding other than chunked (gzip, ...)
  bool close = false;
  bool keep_alive = false;
};

HeadParse NoteContentLength(std::string_view value, RequestHead& head, FramingFields& framing) {
  if (value.empty() || value.size() > 18) return HeadParse::kBadRequest;
  uint64_t length = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return HeadParse::kBadRequest;
    length = length * 10 + static_cast<uint64_t>(c - '0');
  }
  // Repeating the same length is harmless; two different lengths are a smuggling attempt.
  if (framing.has_content_length && length != head.content_length) return HeadParse::kBadRequest;
  framing.has_content_length = true;
  head.content_length = length;
  return HeadParse::kComplete;
}

// Notes the codings of a Transfer-Encoding field; fields repeat in order (RFC 9110 section 5.3).
// Whether they frame a body this server reads is decided once the head is read.
HeadParse NoteTransferEncoding(std::string_view value, FramingFields& framing) {
  framing.has_transfer_encoding = true;
  HeadParse result = HeadParse::kComplete;
  ForEachListElement(value, [&](std::string_view coding) {
    if (EqualsIgnoreAsciiCase(coding, "chunked")) {
      if (framing.chunked) {  // chunked applied twice
        result = HeadParse::kBadRequest;
        return false;
      }
      framing.chunked = true;
      framing.last_coding_chunked = true;
      return true;
    }
    if (!IsToken(coding.substr(0, coding.find(';')))) {
      result = HeadParse::kBadRequest;
      return false;
    }
    framing.other_coding = true;
    framing.last_coding_chunked = false;
    return true;
  });
  return result;
}

HeadParse ParseField(std::string_view line, RequestHead& head, FramingFields& framing) {
  // A field line starting with whitespace is obsolete line folding (or, first, a smuggled
  // continuation of the request line): refused, as RFC 9112 section 5.2 allows.
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) {
    return HeadParse::kBadRequest;
  }
  std::string_view name = line.substr(0, colon);
  std::string_view raw_value = line.substr(colon + 1);
  if (!IsFieldValueText(raw_value)) return HeadParse::kBadRequest;
  std::string_view value = TrimSpaceAndTab(raw_value);
  head.headers.emplace_back(name, value);

  HeadParse result = HeadParse::kComplete;
  switch (name.size()) {
    case 6:
      // RFC 9110 section 10.1.1: a 100-continue expectation in an HTTP/1.0 request is ignored.
      if (head.version == 11 && EqualsIgnoreAsciiCase(name, "expect") &&
          EqualsIgnoreAsciiCase(value, "100-continue")) {
        head.expect_continue = true;
      }
      break;
    case 10:
      if (EqualsIgnoreAsciiCase(name, "connection")) {
        ForEachListElement(value, [&](std::string_view option) {
          if (EqualsIgnoreAsciiCase(option, "close")) framing.close = true;
          if (EqualsIgnoreAsciiCase(option, "keep-alive")) framing.keep_alive = true;
          return true;
        });
      }
      break;
    case 14:
      if (EqualsIgnoreAsciiCase(name, "content-length")) {
        result = NoteContentLength(value, head, framing);
      }
      break;
    case 17:
      if (EqualsIgnoreAsciiCase(name, "transfer-encoding")) {
        result = NoteTransferEncoding(value, framing);
      }
      break;
    default:
      break;
  }
  return result;
}

}  // namespace

bool IsTokenChar(char c) { return kTokenChars[static_cast<unsigned char>(c)]; }

HeadParse ParseRequestHead(std::string_view input, size_t max_head_bytes, size_t& scanned,
                           RequestHead& head) {
  const std::string_view window = input.substr(0, max_head_bytes);
  const auto need_more_or_too_large = [&] {
    return input.size() >= max_head_bytes ? HeadParse::kHeaderTooLarge : HeadParse::kNeedMore;
  };

  // Empty lines before the request line are skipped (they are rare, so they are looked at again
  // on every call); then the empty line that ends the head is searched for one line at a time from
  // where the last call stopped. Every LF must follow a CR.
  size_t start = 0;
  while (start + 1 < window.size() && window[start] == '\r' && window[start + 1] == '\n') {
    start += 2;
  }
  size_t end = 0;  // just past the final CRLF
  for (size_t line = std::max(scanned, start);;) {
    const void* found = std::memchr(window.data() + line, '\n', window.size() - line);
    if (found == nullptr) {
      scanned = line;
      return need_more_or_too_large();
    }
    size_t lf = static_cast<size_t>(static_cast<const char*>(found) - window.data());
    if (lf == 0 || window[lf - 1] != '\r') return HeadParse::kBadRequest;
    if (lf == line + 1) {  // the empty line (the first line after `start` is never empty)
      end = lf + 1;
      break;
    }
    line = lf + 1;
  }
  scanned = 0;  // for the next request

  head.headers.clear();
  head.body = RequestHead::Body::kNone;
  head.content_length = 0;
  head.expect_continue = false;
  head.size = end;

  // The lines of the head without their last CRLF and the empty line.
  std::string_view rest = window.substr(start, end - 4 - start);
  size_t line_end = rest.find("\r\n");
  HeadParse result = ParseRequestLine(rest.substr(0, line_end), head);
  if (result != HeadParse::kComplete) return result;

  FramingFields framing;
  while (line_end != std::string_view::npos) {
    rest.remove_prefix(line_end + 2);
    line_end = rest.find("\r\n");
    result = ParseField(rest.substr(0, line_end), head, framing);
    if (result != HeadParse::kComplete) return result;
  }

  if (framing.has_transfer_encoding) {
    // RFC 9112 section 6.1: Transfer-Encoding in HTTP/1.0 means faulty framing, and beside a
    // Content-Length it is a classic smuggling vector; without chunked as the final coding the
    // body's length cannot be known (section 6.3). All 400. Chunked after a coding this server
    // does not decode (gzip, ...) is well framed but not served: 501.
    if (head.version == 10 || framing.has_content_length || !framing.last_coding_chunked) {
      return HeadParse::kBadRequest;
    }
    if (framing.other_coding) return HeadParse::kNotImplemented;
    head.body = RequestHead::Body::kChunked;
  } else if (framing.has_content_length && head.content_length > 0) {
    head.body = RequestHead::Body::kContentLength;
  }
  head.keep_alive = !framing.close && (head.version == 11 || framing.keep_alive);
  return HeadParse::kComplete;
}

ChunkedDecoder::Status ChunkedDecoder::Feed(std::string_view input, std::string& body,
                                            size_t& used) {
  used = 0;
  const auto finish = [&](Status status) {
    wire_bytes_ += used;
    return status;
  };
  // The next CRLF-terminated line of `input` from `used`, without the CRLF; false when it is not
  // all there yet. A bare LF is malformed: `bad` is set.
  const auto next_line = [&](std::string_view& line, bool& bad) {
    std::string_view rest = input.substr(used);
    size_t lf = rest.find('\n');
    if (lf == std::string_view::npos) return false;
    if (lf == 0 || rest[lf - 1] != '\r') {
      bad = true;
      return false;
    }
    line = rest.substr(0, lf - 1);
    return true;
  };

  for (;;) {
    switch (state_) {
      case State::kSize: {
        std::string_view line;
        bool bad = false;
        if (!next_line(line, bad)) {
          if (bad || input.size() - used > line_limit_) return finish(Status::kBadRequest);
          return finish(Status::kNeedMore);
        }
        if (line.size() + 2 > line_limit_) return finish(Status::kBadRequest);
        // chunk-size [ chunk-ext ]: hex digits, then optional ";name[=value]" parts.
        uint64_t size = 0;
        size_t i = 0;
        for (; i < line.size(); ++i) {
          char c = line[i];
          int digit = c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                             : -1;
          if (digit < 0) break;
          if (size > (UINT64_MAX >> 4)) return finish(Status::kTooLarge);
          size = (size << 4) | static_cast<uint64_t>(digit);
        }
        if (i == 0) return finish(Status::kBadRequest);
        std::string_view extensions = TrimSpaceAndTab(line.substr(i));
        if (!extensions.empty() && (extensions.front() != ';' || !IsFieldValueText(extensions))) {
          return finish(Status::kBadRequest);
        }
        used += line.size() + 2;
        if (size == 0) {
          state_ = State::kTrailer;
        } else {
          if (size > body_limit_ - std::min(body_limit_, body.size())) {
            return finish(Status::kTooLarge);
          }
          chunk_left_ = size;
          state_ = State::kData;
        }
        break;
      }
      case State::kData: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(chunk_left_, input.size() - used));
        body.append(input.data() + used, take);
        used += take;
        chunk_left_ -= take;
        if (chunk_left_ > 0) return finish(Status::kNeedMore);
        state_ = State::kDataEnd;
        break;
      }
      case State::kDataEnd: {
        std::string_view rest = input.substr(used);
        if (!rest.empty() && rest[0] != '\r') return finish(Status::kBadRequest);
        if (rest.size() < 2) return finish(Status::kNeedMore);
        if (rest[1] != '\n') return finish(Status::kBadRequest);
        used += 2;
        state_ = State::kSize;
        break;
      }
      case State::kTrailer: {
        std::string_view line;
        bool bad = false;
        if (!next_line(line, bad)) {
          if (bad || trailer_bytes_ + (input.size() - used) > line_limit_) {
            return finish(Status::kBadRequest);
          }
          return finish(Status::kNeedMore);
        }
        trailer_bytes_ += line.size() + 2;
        if (trailer_bytes_ > line_limit_) return finish(Status::kBadRequest);
        used += line.size() + 2;
        if (line.empty()) {
          state_ = State::kDone;
          return finish(Status::kDone);
        }
        size_t colon = line.find(':');
        if (colon == std::string_view::npos || !IsToken(line.substr(0, colon)) ||
            !IsFieldValueText(line.substr(colon + 1))) {
          return finish(Status::kBadRequest);
        }
        break;
      }
      case State::kDone:
        return finish(Status::kDone);
    }
  }
}

}  // namespace orgd::http
