// libFuzzer target: the form parser of the token endpoints (application/x-www-form-urlencoded
// bodies and HTTP Basic credentials), query-string parsing and percent-decoding, and both token
// endpoints of the real server (a 500 is a finding).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/token_endpoints.h"
#include "fuzz/fuzz_app.h"
#include "http/request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  orgd::http::QueryParams::Parse(input);
  orgd::http::PercentDecode(input, (mode & 1) != 0);

  orgd::http::Request request;
  std::string authorization = "Basic " + std::string(input.substr(0, input.find('\n')));
  request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  if (mode & 2) request.headers.emplace_back("Authorization", authorization);
  request.body.assign(input);
  auto token_request = orgd::api::ReadTokenRequest(request);
  (void)token_request;

  auto response = orgd::fuzz::FuzzApp::Get().Send(
      "POST", (mode & 4) ? "/oauth2/token" : "/oidc/token", input,
      {{"Content-Type", "application/x-www-form-urlencoded"}}, false);
  orgd::fuzz::CheckNoServerError(response, "token endpoint");
  return 0;
}
