#include "http/router.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>
#include <utility>

namespace orgd::http {
namespace {

constexpr size_t kMethodCount = static_cast<size_t>(Method::kOther) + 1;

constexpr std::array<Method, kMethodCount> kAllMethods = {
    Method::kGet,   Method::kHead,   Method::kPost,    Method::kPut,
    Method::kPatch, Method::kDelete, Method::kOptions, Method::kOther};

// Splits a path that starts with '/' into at most `max` segments: "/a/b/" gives "a", "b", "".
// Returns false when there are more than `max` segments.
bool SplitPath(std::string_view path, std::string_view* segments, size_t max, size_t& count) {
  count = 0;
  path.remove_prefix(1);
  for (;;) {
    if (count == max) return false;
    size_t slash = path.find('/');
    segments[count++] = path.substr(0, slash);
    if (slash == std::string_view::npos) return true;
    path.remove_prefix(slash + 1);
  }
}

bool IsCapture(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

struct Router::Route {
  Handler handler;
  std::string pattern;
  std::vector<std::string> param_names;  // in capture order; path_params view these
};

struct Router::Node {
  // Sorted by segment so that Find can binary-search wide levels such as "/api/*".
  std::vector<std::pair<std::string, std::unique_ptr<Node>>> literals;
  std::unique_ptr<Node> capture;
  std::array<std::unique_ptr<Route>, kMethodCount> routes;
  uint32_t method_mask = 0;  // bit i set when routes[i] is

  // The depth-first search state of one Find call; lives on the stack.
  struct Search {
    const std::string_view* segments;
    size_t count;
    size_t method_index;
    std::array<uint8_t, kMaxSegments> captures;  // segment index of each capture so far
    size_t capture_count = 0;
    uint32_t allowed = 0;  // methods of the nodes that match the path but lack the method
    const Route* found = nullptr;
  };

  const Node* FindLiteral(std::string_view segment) const {
    auto it =
        std::lower_bound(literals.begin(), literals.end(), segment,
                         [](const auto& entry, std::string_view s) { return entry.first < s; });
    return it != literals.end() && it->first == segment ? it->second.get() : nullptr;
  }

  // Literal children are tried before the capture; a failure deeper in the literal branch falls
  // back to the capture, so "/orgs/search/x" still reaches "/orgs/{id}/x". A node that matches
  // the path but not the method does not end the search either: another branch may have it.
  bool Match(size_t depth, Search& search) const {
    if (depth == search.count) {
      if (const Route* route = routes[search.method_index].get()) {
        search.found = route;
        return true;
      }
      search.allowed |= method_mask;
      return false;
    }
    std::string_view segment = search.segments[depth];
    if (const Node* child = FindLiteral(segment)) {
      if (child->Match(depth + 1, search)) return true;
    }
    if (capture && !segment.empty()) {
      search.captures[search.capture_count++] = static_cast<uint8_t>(depth);
      if (capture->Match(depth + 1, search)) return true;
      --search.capture_count;
    }
    return false;
  }
};

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

void Router::Add(Method method, std::string_view pattern, Handler handler) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + std::string(pattern));
  }
  std::array<std::string_view, kMaxSegments> segments;
  size_t count = 0;
  if (!SplitPath(pattern, segments.data(), kMaxSegments, count)) {
    throw std::invalid_argument("route pattern too deep: " + std::string(pattern));
  }
  auto route = std::make_unique<Route>();
  route->handler = std::move(handler);
  route->pattern = std::string(pattern);

  Node* node = root_.get();
  for (size_t i = 0; i < count; ++i) {
    std::string_view segment = segments[i];
    if (IsCapture(segment)) {
      if (segment.size() == 2) {
        throw std::invalid_argument("empty capture name in route: " + std::string(pattern));
      }
      route->param_names.emplace_back(segment.substr(1, segment.size() - 2));
      if (!node->capture) node->capture = std::make_unique<Node>();
      node = node->capture.get();
      continue;
    }
    auto it =
        std::lower_bound(node->literals.begin(), node->literals.end(), segment,
                         [](const auto& entry, std::string_view s) { return entry.first < s; });
    if (it == node->literals.end() || it->first != segment) {
      it = node->literals.emplace(it, std::string(segment), std::make_unique<Node>());
    }
    node = it->second.get();
  }

  size_t index = static_cast<size_t>(method);
  if (node->routes[index]) {
    throw std::invalid_argument("route registered twice: " + std::string(MethodName(method)) + " " +
                                std::string(pattern));
  }
  node->routes[index] = std::move(route);
  node->method_mask |= 1u << index;
  max_depth_ = std::max(max_depth_, count);
}

Router::Match Router::Find(Request& request) const {
  Match match;
  std::string_view raw = request.raw_path.empty() ? request.path : request.raw_path;
  if (raw.empty() || raw.front() != '/') return match;

  std::array<std::string_view, kMaxSegments> segments;
  size_t count = 0;
  if (!SplitPath(raw, segments.data(), std::min(max_depth_, kMaxSegments), count)) return match;

  // Decoding happens per segment, after splitting, so that "%2F" stays inside its segment. The
  // buffer is reserved up front: decoded text is never longer than the raw path, so the views
  // into it stay valid.
  std::string decoded;
  if (raw.find('%') != std::string_view::npos) {
    decoded.reserve(raw.size());
    for (size_t i = 0; i < count; ++i) {
      if (segments[i].find('%') == std::string_view::npos) continue;
      size_t start = decoded.size();
      AppendPercentDecoded(decoded, segments[i], /*plus_is_space=*/false);
      segments[i] = std::string_view(decoded).substr(start);
    }
  }

  Node::Search search{.segments = segments.data(),
                      .count = count,
                      .method_index = static_cast<size_t>(request.method)};
  if (root_->Match(0, search)) {
    const Route* route = search.found;
    request.path_params.clear();
    for (size_t i = 0; i < search.capture_count; ++i) {
      request.path_params.emplace_back(route->param_names[i],
                                       std::string(segments[search.captures[i]]));
    }
    match.kind = MatchKind::kFound;
    match.handler = &route->handler;
    match.pattern = route->pattern;
    return match;
  }
  if (search.allowed != 0) {
    match.kind = MatchKind::kMethodNotAllowed;
    for (size_t i = 0; i < kMethodCount; ++i) {
      if (search.allowed & (1u << i)) match.allowed.push_back(kAllMethods[i]);
    }
  }
  return match;
}

}  // namespace orgd::http
