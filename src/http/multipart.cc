#include "http/multipart.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "common/text.h"

namespace orgd::http {
namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr size_t kMaxBoundary = 70;  // RFC 2046 §5.1.1

Error BadBody(std::string message) { return Error::InvalidArgument(std::move(message), "body"); }

Error BadContentType(std::string message) {
  return Error::InvalidArgument(std::move(message), "content_type");
}

bool IsOws(char c) { return c == ' ' || c == '\t'; }

// RFC 9110 tchar: the characters of header names, media types and parameter names.
bool IsTchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Control characters other than HTAB never belong in a header line.
bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  });
}

// RFC 2046 bchars.
bool IsBoundaryChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

struct Parameter {
  std::string name;  // lower-cased
  std::string value;
};

// Splits `value` (a Content-Type or Content-Disposition header value) into its leading token and
// its `; name=value` parameters. Values are tokens or quoted strings (with backslash escapes); an
// unquoted value runs to the next `;` or whitespace and may not contain a quote. A trailing `;` is
// tolerated. nullopt on any other shape, or when a parameter name repeats.
std::optional<std::pair<std::string, std::vector<Parameter>>> SplitParameters(
    std::string_view value) {
  size_t i = value.find(';');
  std::string_view head = TrimOws(value.substr(0, i));
  if (head.empty()) return std::nullopt;
  std::vector<Parameter> params;
  while (i != std::string_view::npos && i < value.size()) {
    ++i;  // past ';'
    while (i < value.size() && IsOws(value[i])) ++i;
    if (i == value.size()) break;
    size_t name_start = i;
    while (i < value.size() && IsTchar(value[i])) ++i;
    if (i == name_start || i == value.size() || value[i] != '=') return std::nullopt;
    Parameter param{AsciiLower(value.substr(name_start, i - name_start)), {}};
    ++i;  // past '='
    if (i < value.size() && value[i] == '"') {
      ++i;
      bool closed = false;
      while (i < value.size()) {
        char c = value[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\') {
          if (i == value.size()) return std::nullopt;
          c = value[i++];
        }
        param.value.push_back(c);
      }
      if (!closed) return std::nullopt;
    } else {
      size_t start = i;
      while (i < value.size() && value[i] != ';' && !IsOws(value[i])) {
        if (value[i] == '"') return std::nullopt;
        ++i;
      }
      if (i == start) return std::nullopt;
      param.value.assign(value.substr(start, i - start));
    }
    while (i < value.size() && IsOws(value[i])) ++i;
    if (i < value.size() && value[i] != ';') return std::nullopt;
    for (const Parameter& seen : params) {
      if (seen.name == param.name) return std::nullopt;
    }
    params.push_back(std::move(param));
  }
  return std::make_pair(std::string(head), std::move(params));
}

const Parameter* FindParameter(const std::vector<Parameter>& params, std::string_view name) {
  for (const Parameter& p : params) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

// Reads the header section of one part, starting at `pos` (just after the delimiter line's CRLF),
// into `part`, and leaves `pos` at the first byte of the part's data.
Result<void> ReadPartHeaders(std::string_view body, size_t& pos, MultipartPart& part) {
  bool has_disposition = false, has_type = false;
  while (true) {
    size_t eol = body.find(kCrlf, pos);
    if (eol == std::string_view::npos) return BadBody("part headers do not end");
    std::string_view line = body.substr(pos, eol - pos);
    pos = eol + kCrlf.size();
    if (line.empty()) break;
    if (HasControl(line)) return BadBody("part header contains a control character");
    if (IsOws(line.front())) return BadBody("folded part header");
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return BadBody("malformed part header");
    std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), IsTchar)) return BadBody("malformed part header");
    std::string_view value = TrimOws(line.substr(colon + 1));

    if (EqualsIgnoreAsciiCase(name, "content-disposition")) {
      if (has_disposition) return BadBody("duplicate Content-Disposition");
      has_disposition = true;
      auto split = SplitParameters(value);
      if (!split) return BadBody("malformed Content-Disposition");
      if (!EqualsIgnoreAsciiCase(split->first, "form-data")) {
        return BadBody("Content-Disposition is not form-data");
      }
      const Parameter* field = FindParameter(split->second, "name");
      // A quoted empty name (name="") names nothing either, as the empty token `name=` does.
      if (field == nullptr || field->value.empty()) {
        return BadBody("Content-Disposition has no name");
      }
      part.name = field->value;
      if (const Parameter* file = FindParameter(split->second, "filename")) {
        part.filename = file->value;
      }
    } else if (EqualsIgnoreAsciiCase(name, "content-type")) {
      if (has_type) return BadBody("duplicate Content-Type");
      has_type = true;
      part.content_type.assign(value);
    } else if (EqualsIgnoreAsciiCase(name, "content-transfer-encoding")) {
      // Nothing is decoded, so only the identity encodings are accepted.
      std::string encoding = AsciiLower(value);
      if (encoding != "7bit" && encoding != "8bit" && encoding != "binary") {
        return BadBody("unsupported Content-Transfer-Encoding");
      }
    }
  }
  if (!has_disposition) return BadBody("part has no Content-Disposition");
  return {};
}

}  // namespace

Result<std::string> MultipartBoundary(std::string_view content_type) {
  auto split = SplitParameters(content_type);
  if (!split) return BadContentType("malformed Content-Type");
  if (!EqualsIgnoreAsciiCase(split->first, "multipart/form-data")) {
    return BadContentType("Content-Type is not multipart/form-data");
  }
  const Parameter* boundary = FindParameter(split->second, "boundary");
  if (boundary == nullptr) return BadContentType("multipart boundary is missing");
  const std::string& b = boundary->value;
  if (b.empty() || b.size() > kMaxBoundary || b.back() == ' ' ||
      !std::all_of(b.begin(), b.end(), IsBoundaryChar)) {
    return BadContentType("multipart boundary is invalid");
  }
  return b;
}

Result<std::vector<MultipartPart>> ParseMultipart(std::string_view body,
                                                  std::string_view boundary) {
  // Every delimiter after the first is CRLF "--" boundary; the first may open the body instead.
  const std::string delimiter = std::string(kCrlf) + "--" + std::string(boundary);
  const std::string_view dash_boundary = std::string_view(delimiter).substr(kCrlf.size());
  const std::boyer_moore_horspool_searcher searcher(delimiter.begin(), delimiter.end());
  auto find_delimiter = [&](size_t from) -> size_t {
    auto it = std::search(body.begin() + static_cast<std::ptrdiff_t>(from), body.end(), searcher);
    return it == body.end() ? std::string_view::npos : static_cast<size_t>(it - body.begin());
  };

  size_t pos = 0;
  if (!body.starts_with(dash_boundary)) {
    size_t first = find_delimiter(0);
    if (first == std::string_view::npos) return BadBody("multipart body has no opening boundary");
    pos = first + kCrlf.size();  // the preamble and its CRLF are skipped
  }
  pos += dash_boundary.size();

  std::vector<MultipartPart> parts;
  while (true) {
    // `pos` is just past a delimiter's boundary.
    if (body.substr(pos).starts_with("--")) {
      pos += 2;
      while (pos < body.size() && IsOws(body[pos])) ++pos;
      if (pos == body.size() || body.substr(pos).starts_with(kCrlf)) return parts;
      return BadBody("malformed closing boundary");
    }
    while (pos < body.size() && IsOws(body[pos])) ++pos;
    if (!body.substr(pos).starts_with(kCrlf)) return BadBody("malformed boundary line");
    pos += kCrlf.size();

    MultipartPart part;
    ORGD_TRY(ReadPartHeaders(body, pos, part));
    size_t end = find_delimiter(pos);
    if (end == std::string_view::npos) return BadBody("multipart body has no closing boundary");
    part.data = body.substr(pos, end - pos);
    parts.push_back(std::move(part));
    pos = end + delimiter.size();
  }
}

}  // namespace orgd::http
