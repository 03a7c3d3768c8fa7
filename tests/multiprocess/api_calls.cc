#include "tests/multiprocess/api_calls.h"

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/multiprocess/orgd_process.h"
#include "tests/support/form_encode.h"

namespace orgd::testing {
namespace {

std::string TokenFrom(HttpClient& client, const std::string& path,
                      const std::vector<std::pair<std::string, std::string>>& fields) {
  HttpResponse res = client.Send("POST", path, FormEncode(fields),
                                 {{"Content-Type", "application/x-www-form-urlencoded"}});
  if (res.status != 200 || !res.json.is_object() || !res.json.contains("access_token") ||
      !res.json["access_token"].is_string()) {
    return "";
  }
  return res.json["access_token"].get<std::string>();
}

int Base64UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

std::string Base64UrlDecode(std::string_view text) {
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    const int v = Base64UrlValue(c);
    if (v < 0) return "";
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  return out;
}

}  // namespace

std::string FetchLogtoToken(HttpClient& client) {
  return TokenFrom(client, "/oidc/token",
                   {{"grant_type", "client_credentials"},
                    {"client_id", kProcessAdminId},
                    {"client_secret", kProcessAdminSecret},
                    {"resource", "https://default.logto.app/api"},
                    {"scope", "all"}});
}

std::string FetchKindeToken(HttpClient& client, const std::string& public_url) {
  return TokenFrom(client, "/oauth2/token",
                   {{"grant_type", "client_credentials"},
                    {"client_id", kProcessAdminId},
                    {"client_secret", kProcessAdminSecret},
                    {"audience", public_url + "/api"}});
}

HttpResponse SendBearer(HttpClient& client, const std::string& token, const std::string& method,
                        const std::string& target, const std::string& body) {
  return client.Send(method, target, body, {{"Authorization", "Bearer " + token}});
}

std::string JwtKid(const std::string& jwt) {
  const size_t dot = jwt.find('.');
  if (dot == std::string::npos) return "";
  const nlohmann::json header = nlohmann::json::parse(Base64UrlDecode(jwt.substr(0, dot)), nullptr,
                                                      /*allow_exceptions=*/false);
  if (!header.is_object() || !header.contains("kid") || !header["kid"].is_string()) return "";
  return header["kid"].get<std::string>();
}

}  // namespace orgd::testing
