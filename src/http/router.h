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
  void Add(Method method, std::string_view pattern, Handler handler);

  enum class MatchKind { kFound, kNotFound, kMethodNotAllowed };
  struct Match {
    MatchKind kind = MatchKind::kNotFound;
    const Handler* handler = nullptr;      // kFound
    std::string_view pattern;              // kFound: the registered pattern
    std::vector<Method> allowed;           // kMethodNotAllowed: the methods the path supports
  };

  // Matches `request.path` (decoded segments; splitting uses the raw path so that an encoded '/'
  // stays inside one segment) and fills request.path_params on success.
  Match Find(Request& request) const;

 private:
  struct Node;
  std::unique_ptr<Node> root_;
  std::vector<std::string> names_;  // owns parameter names that path_params views point into
};

}  // namespace orgd::http
