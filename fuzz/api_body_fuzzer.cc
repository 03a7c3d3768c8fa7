// libFuzzer target: every JSON body parser of both dialects. The first byte picks one write route
// (POST, PUT, PATCH) of the real route table, its path parameters name entities that exist (or
// not, by the second byte), and the rest of the input is the body, sent with a valid token. A 500
// is a finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_app.h"

namespace {

using orgd::api::Dialect;
using orgd::http::Method;

struct Target {
  std::string method;
  std::string pattern;
};

const std::vector<Target>& WriteRoutes() {
  static const std::vector<Target> routes = [] {
    std::vector<Target> out;
    for (const auto& route : orgd::fuzz::FuzzApp::Get().app().routes()) {
      if (route.dialect == Dialect::kNone) continue;
      if (route.method != Method::kPost && route.method != Method::kPut && route.method != Method::kPatch) continue;
      out.push_back({std::string(orgd::http::MethodName(route.method)), route.pattern});
    }
    return out;
  }();
  return routes;
}

// The id a path parameter should carry: an existing entity of its kind, or garbage.
std::string ParamValue(std::string_view name, bool existing) {
  auto& app = orgd::fuzz::FuzzApp::Get();
  if (!existing) return "nothing";
  if (name == "org_code" || name == "organization_code") return app.id("kinde_org");
  if (name == "id") return app.id("org");
  if (name == "userId" || name == "user_id") return app.id("user");
  if (name == "organizationRoleId" || name == "role_id") return app.id("role");
  if (name == "permission_id" || name == "organizationScopeId") return app.id("permission");
  return "nothing";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  auto& app = orgd::fuzz::FuzzApp::Get();
  const auto& routes = WriteRoutes();
  if (routes.empty()) return 0;
  const Target& target = routes[data[0] % routes.size()];
  const bool existing = (data[1] & 1) != 0;
  std::string path;
  for (size_t i = 0; i < target.pattern.size(); ++i) {
    if (target.pattern[i] == '{') {
      size_t close = target.pattern.find('}', i);
      path += ParamValue(std::string_view(target.pattern).substr(i + 1, close - i - 1), existing);
      i = close;
    } else {
      path += target.pattern[i];
    }
  }
  std::string_view body(reinterpret_cast<const char*>(data + 2), size - 2);
  auto response = app.Send(target.method, path, body, {}, true);
  orgd::fuzz::CheckNoServerError(response, target.pattern);
  return 0;
}
