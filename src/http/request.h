#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orgd::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

// "GET", "HEAD", ...; "OTHER" for kOther.
std::string_view MethodName(Method m);
// The Method of a method token, case-sensitive as RFC 9110 says ("GET"); kOther when unknown.
Method ParseMethod(std::string_view name);

// Query parameters in order of appearance, percent-decoded ('+' means space). Repeated keys are
// kept as separate entries.
class QueryParams {
 public:
  QueryParams() = default;
  // Parses the part of a target after '?'. Malformed escapes are kept literally.
  static QueryParams Parse(std::string_view query);
  // As Parse, into this object, reusing its storage (the server does this per request).
  void Reparse(std::string_view query);

  // The first value of `key`, if present.
  std::optional<std::string_view> Get(std::string_view key) const;
  // How many times `key` appears.
  size_t Count(std::string_view key) const;
  // Every value of `key`, in order.
  std::vector<std::string_view> GetAll(std::string_view key) const;
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

// Percent-decodes `in`. With `plus_is_space`, '+' decodes to ' ' (query strings and forms).
// Malformed escapes are kept literally.
std::string PercentDecode(std::string_view in, bool plus_is_space);
// As PercentDecode, appending to `out`; lets callers reuse a buffer.
void AppendPercentDecoded(std::string& out, std::string_view in, bool plus_is_space);
// Percent-encodes everything outside RFC 3986 unreserved characters.
std::string PercentEncode(std::string_view in);

// The path part of a request target, still encoded. Absolute-form targets
// ("http://host/path?q", RFC 9112 section 3.2.2) are reduced to their path.
std::string_view TargetPath(std::string_view target);
// The part of a request target after '?', or empty.
std::string_view TargetQuery(std::string_view target);

class Request;
// Sets `request`'s target and what derives from it: raw_path, the percent-decoded path and the
// parsed query. The one place that turns a target into these, for the server and for tools that
// build requests without a socket (fuzzers, in-process calls).
void SetTarget(Request& request, std::string_view target);

// An HTTP request as handlers see it. Asio types never leave src/http; header views point into
// the server's buffers and are valid while the handler runs.
class Request {
 public:
  Method method = Method::kOther;
  std::string_view method_text;  // as sent, e.g. "PATCH"
  std::string target;            // raw request target: path and query, still encoded
  std::string path;              // percent-decoded path, without the query
  std::string raw_path;          // the path as sent (encoded)
  QueryParams query;
  std::string body;
  std::string request_id;
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  // Path parameters captured by the router, percent-decoded.
  std::vector<std::pair<std::string_view, std::string>> path_params;
  // What ServerHooks::admit noted for the handler (false unless it set it).
  bool admitted = false;

  // The first header named `name` (case-insensitive), if any.
  std::optional<std::string_view> Header(std::string_view name) const;
  // The path parameter `name`; empty when the route has none of that name.
  const std::string& PathParam(std::string_view name) const;
  // "http://host:port" as seen by the client (from the Host header), without a trailing slash.
  std::string Origin() const;
  // The media type of Content-Type without parameters, lower-cased ("application/json").
  std::string MediaType() const;
};

}  // namespace orgd::http
