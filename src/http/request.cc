#include "http/request.h"

#include <algorithm>

#include "common/text.h"

namespace orgd::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Host header characters that may appear in a URL authority without escaping. Anything else
// (spaces, quotes, slashes) would let a client inject text into the links we build from it.
bool IsHostChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == ':' || c == '[' || c == ']';
}

}  // namespace

std::string_view MethodName(Method m) {
  switch (m) {
    case Method::kGet:
      return "GET";
    case Method::kHead:
      return "HEAD";
    case Method::kPost:
      return "POST";
    case Method::kPut:
      return "PUT";
    case Method::kPatch:
      return "PATCH";
    case Method::kDelete:
      return "DELETE";
    case Method::kOptions:
      return "OPTIONS";
    case Method::kOther:
      break;
  }
  return "OTHER";
}

Method ParseMethod(std::string_view name) {
  for (Method m : {Method::kGet, Method::kHead, Method::kPost, Method::kPut, Method::kPatch,
                   Method::kDelete, Method::kOptions}) {
    if (MethodName(m) == name) return m;
  }
  return Method::kOther;
}

void AppendPercentDecoded(std::string& out, std::string_view in, bool plus_is_space) {
  out.reserve(out.size() + in.size());
  // Runs without '%' (and '+') are appended whole: most paths and values have no escape at all.
  size_t run = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%' && i + 2 < in.size()) {
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.append(in.data() + run, i - run);
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        run = i + 1;
      }
    } else if (c == '+' && plus_is_space) {
      out.append(in.data() + run, i - run);
      out.push_back(' ');
      run = i + 1;
    }
  }
  out.append(in.data() + run, in.size() - run);
}

std::string PercentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  AppendPercentDecoded(out, in, plus_is_space);
  return out;
}

std::string PercentEncode(std::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size());
  for (unsigned char c : in) {
    if (IsUnreserved(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

QueryParams QueryParams::Parse(std::string_view query) {
  QueryParams params;
  params.Reparse(query);
  return params;
}

void QueryParams::Reparse(std::string_view query) {
  entries_.clear();
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    // "a&&b" and a trailing '&' carry no parameter.
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    auto& [decoded_key, decoded_value] = entries_.emplace_back();
    AppendPercentDecoded(decoded_key, key, /*plus_is_space=*/true);
    AppendPercentDecoded(decoded_value, value, /*plus_is_space=*/true);
  }
}

std::optional<std::string_view> QueryParams::Get(std::string_view key) const {
  for (const auto& [k, v] : entries_) {
    if (k == key) return std::string_view(v);
  }
  return std::nullopt;
}

size_t QueryParams::Count(std::string_view key) const {
  return static_cast<size_t>(std::count_if(entries_.begin(), entries_.end(),
                                           [key](const auto& e) { return e.first == key; }));
}

std::vector<std::string_view> QueryParams::GetAll(std::string_view key) const {
  std::vector<std::string_view> values;
  for (const auto& [k, v] : entries_) {
    if (k == key) values.emplace_back(v);
  }
  return values;
}

std::optional<std::string_view> Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreAsciiCase(k, name)) return v;
  }
  return std::nullopt;
}

const std::string& Request::PathParam(std::string_view name) const {
  static const std::string kEmpty;
  for (const auto& [k, v] : path_params) {
    if (k == name) return v;
  }
  return kEmpty;
}

std::string Request::Origin() const {
  std::optional<std::string_view> host = Header("Host");
  if (!host || host->empty() || !std::all_of(host->begin(), host->end(), IsHostChar)) {
    return "http://localhost";
  }
  std::string origin = "http://";
  origin.append(*host);
  return origin;
}

std::string Request::MediaType() const {
  std::optional<std::string_view> content_type = Header("Content-Type");
  if (!content_type) return {};
  std::string_view type = content_type->substr(0, content_type->find(';'));
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  return AsciiLower(type);
}

std::string_view TargetPath(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  if (!path.empty() && path.front() != '/') {
    size_t scheme_end = path.find("://");
    if (scheme_end != std::string_view::npos) {
      size_t slash = path.find('/', scheme_end + 3);
      path = slash == std::string_view::npos ? std::string_view("/") : path.substr(slash);
    }
  }
  return path;
}

std::string_view TargetQuery(std::string_view target) {
  size_t question = target.find('?');
  return question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
}

void SetTarget(Request& request, std::string_view target) {
  if (request.target.data() != target.data()) request.target.assign(target);
  std::string_view raw_path = TargetPath(request.target);
  request.raw_path.assign(raw_path);
  request.path.clear();
  AppendPercentDecoded(request.path, raw_path, /*plus_is_space=*/false);
  std::string_view query = TargetQuery(request.target);
  request.query.Reparse(query);
}

}  // namespace orgd::http
