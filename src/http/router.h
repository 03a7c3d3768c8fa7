#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.h"
#include "http/response.h"

namespace orgd::http {

using Handler = std::function<Response(Request&)>;

// Maps method + path pattern to handlers. Patterns are literal segments and `{name}` captures
// ("/api/organizations/{id}/users"); a literal segment wins over a capture at the same depth.
// Build the table first, then match from any number of threads.
class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // Registers `handler` for `method` on `pattern`. Registering the same pair twice is a bug.
  // Throws std::invalid_argument when `pattern` does not start with '/', has an empty capture
  // name, is deeper than kMaxSegments, or is already registered for `method`. Not thread-safe.
  void Add(Method method, std::string_view pattern, Handler handler);

  // The deepest pattern supported, in segments.
  static constexpr size_t kMaxSegments = 32;

  enum class MatchKind { kFound, kNotFound, kMethodNotAllowed };
  struct Match {
    MatchKind kind = MatchKind::kNotFound;
    const Handler* handler = nullptr;  // kFound
    std::string_view pattern;          // kFound: the registered pattern
    std::vector<Method> allowed;       // kMethodNotAllowed: the methods the path supports
  };

  // Matches `request.path` (decoded segments; splitting uses the raw path so that an encoded '/'
  // stays inside one segment) and fills request.path_params on success.
  // Segments are compared after percent-decoding ('+' stays '+'); a capture matches one
  // non-empty segment; a trailing slash is a segment of its own, so "/a/" does not match "/a".
  // When a literal branch fails deeper down, the capture branch at that depth is tried next.
  // kMethodNotAllowed lists, in enum order, every method that some pattern matching the path
  // accepts. Uses `request.raw_path`, or `request.path` when raw_path is empty (hand-built
  // requests in tests). Parameter names in path_params view storage owned by this Router.
  // Thread-safe for concurrent calls once no Add runs.
  Match Find(Request& request) const;

 private:
  struct Node;
  struct Route;
  std::unique_ptr<Node> root_;
  size_t max_depth_ = 0;  // of any registered pattern; deeper paths cannot match
};

}  // namespace orgd::http
