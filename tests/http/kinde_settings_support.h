#pragma once

// Shared fixture of the organization-settings HTTP suites (kinde_logos_test.cc,
// kinde_org_settings_test.cc): an organization, tokens with chosen scopes, multipart bodies and
// exact Kinde error assertions.

#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/http/kinde_calls.h"
#include "tests/support/test_server.h"

namespace orgd::testing {

using namespace std::string_literals;  // NOLINT: test file
using Json = nlohmann::json;

// Small but real file headers of each accepted image format, with bytes a multipart reader
// must not trip over (NUL, CR LF, "--").
inline const std::string kPngBytes = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\r\n--\0\xff"s;
inline const std::string kJpegBytes = "\xFF\xD8\xFF\xE0\0\x10JFIF\0\r\n\r\n"s;
inline const std::string kGifBytes = "GIF89a\1\0\1\0\x80\0\0\xff\xff\xff"s;
inline const std::string kWebpBytes = "RIFF\x1a\0\0\0WEBPVP8L\r\0\0\0/\0\0\0"s;
inline const std::string kIcoBytes = "\0\0\1\0\1\0\x10\x10\0\0\1\0 \0"s;
inline const std::string kSvgBytes =
    "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\"/>\n"s;

struct FormPart {
  std::string name;
  std::optional<std::string> filename;
  std::string content_type;  // omitted when empty
  std::string data;
};

inline constexpr const char* kFormBoundary = "----orgdFormBoundary7MA4YWxkTrZu0gW";

inline std::string MultipartBody(const std::vector<FormPart>& parts,
                                 const std::string& boundary = kFormBoundary) {
  std::string body;
  for (const FormPart& p : parts) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + p.name + "\"";
    if (p.filename) body += "; filename=\"" + *p.filename + "\"";
    body += "\r\n";
    if (!p.content_type.empty()) body += "Content-Type: " + p.content_type + "\r\n";
    body += "\r\n" + p.data + "\r\n";
  }
  return body + "--" + boundary + "--\r\n";
}

class KindeSettingsTest : public ::testing::TestWithParam<std::string> {
 protected:
  TestServer server_{GetParam()};

  std::string CreateOrg(const std::string& name = "Acme") {
    auto res = server_.Kinde("POST", "/api/v1/organization", Json{{"name", name}}.dump());
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json["organization"]["code"];
  }

  // A Kinde token of a new client holding exactly `scopes`.
  std::string TokenWith(const std::vector<std::string>& scopes) {
    return KindeTokenWith(server_, scopes);
  }
  const std::string& AdminToken() {
    if (admin_token_.empty()) admin_token_ = server_.KindeToken();
    return admin_token_;
  }

  // Sends `body` with `content_type` and the admin's (or `token`'s) bearer token.
  HttpResponse SendAs(const std::string& method, const std::string& target, const std::string& body,
                      const std::string& content_type, const std::string& token = "") {
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Authorization", "Bearer " + (token.empty() ? AdminToken() : token)}};
    if (!content_type.empty()) headers.emplace_back("Content-Type", content_type);
    return server_.Send(method, target, body, headers);
  }
  HttpResponse UploadBody(const std::string& org, const std::string& type, const std::string& body,
                          const std::string& content_type = "multipart/form-data; boundary="s +
                                                            kFormBoundary,
                          const std::string& token = "") {
    return SendAs("POST", "/api/v1/organizations/" + org + "/logos/" + type, body, content_type,
                  token);
  }
  // Uploads `bytes` as the `logo` part, as the SDK does for a Blob.
  HttpResponse Upload(const std::string& org, const std::string& type, const std::string& bytes,
                      const std::string& filename = "blob",
                      const std::string& part_type = "application/octet-stream") {
    return UploadBody(org, type, MultipartBody({{"logo", filename, part_type, bytes}}));
  }

  static void ExpectSuccess(const HttpResponse& res) {
    EXPECT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.Header("content-type"), "application/json; charset=utf-8");
    EXPECT_EQ(res.json, (Json{{"code", "OK"}, {"message", "Success"}})) << res.body;
  }
  // An error_response with exactly this one error (`field` omitted when empty).
  static void ExpectError(const HttpResponse& res, int status, const std::string& code,
                          const std::string& message, const std::string& field = "") {
    EXPECT_EQ(res.status, status) << res.body;
    Json error = {{"code", code}, {"message", message}};
    if (!field.empty()) error["field"] = field;
    EXPECT_EQ(res.json, (Json{{"errors", Json::array({error})}})) << res.body;
  }
  static void ExpectOrgNotFound(const HttpResponse& res) {
    ExpectError(res, 400, "ORGANIZATION_NOT_FOUND", "Organization not found");
  }

 private:
  std::string admin_token_;
};

}  // namespace orgd::testing
