// The Kinde dialect's organization logo routes (contracts/kinde.md §3.10), the public image
// routes they point to, and the logo URLs of the organization object (§2.1), end to end.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "tests/http/kinde_settings_support.h"

namespace orgd::testing {
namespace {

class KindeLogosTest : public KindeSettingsTest {
 protected:
  Json Logos(const std::string& org) {
    auto res = server_.Kinde("GET", "/api/v1/organizations/" + org + "/logos");
    EXPECT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["code"], "OK");
    EXPECT_EQ(res.json["message"], "Success");
    return res.json["logos"];
  }
  Json Organization(const std::string& org) {
    auto res = server_.Kinde("GET", "/api/v1/organization?code=" + org);
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json;
  }
  HttpResponse Image(const std::string& target,
                     const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return server_.Send("GET", target, "", headers);
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, KindeLogosTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);

// --- upload, list, serve -----------------------------------------------------------------------

TEST_P(KindeLogosTest, UploadThenListShowsTypeFileNameAndPath) {
  std::string org = CreateOrg();
  EXPECT_EQ(Logos(org), Json::array());
  ExpectSuccess(Upload(org, "dark", kGifBytes, "dark.gif"));
  ExpectSuccess(Upload(org, "light", kPngBytes, "light.png"));
  EXPECT_EQ(
      Logos(org),
      (Json::array(
          {{{"type", "light"}, {"file_name", "light.png"}, {"path", "/logo?p_org_code=" + org}},
           {{"type", "dark"},
            {"file_name", "dark.gif"},
            {"path", "/logo_dark?p_org_code=" + org}}})));
}

TEST_P(KindeLogosTest, ServedBytesAndContentTypeEqualTheUpload) {
  std::string org = CreateOrg();
  const std::vector<std::tuple<std::string, std::string>> images = {
      {kPngBytes, "image/png"},   {kJpegBytes, "image/jpeg"},  {kGifBytes, "image/gif"},
      {kWebpBytes, "image/webp"}, {kIcoBytes, "image/x-icon"}, {kSvgBytes, "image/svg+xml"},
  };
  for (const auto& [bytes, type] : images) {
    ExpectSuccess(Upload(org, "light", bytes));
    for (const std::string query : {"org_code=", "p_org_code="}) {
      auto res = Image("/logo?" + query + org);
      EXPECT_EQ(res.status, 200) << type;
      EXPECT_EQ(res.Header("content-type"), type);
      EXPECT_TRUE(res.body == bytes) << type;
      EXPECT_EQ(res.Header("x-content-type-options"), "nosniff");
      EXPECT_EQ(res.Header("content-security-policy"),
                "default-src 'none'; style-src 'unsafe-inline'; sandbox");
      EXPECT_EQ(res.Header("cache-control"), "public, no-cache");
      EXPECT_EQ(res.Header("etag").size(), 18u) << res.Header("etag");  // "<16 hex>"
    }
  }
  // The dark logo is served at its own path only.
  EXPECT_EQ(Image("/logo_dark?org_code=" + org).status, 404);
  ExpectSuccess(Upload(org, "dark", kJpegBytes));
  auto dark = Image("/logo_dark?p_org_code=" + org);
  EXPECT_EQ(dark.status, 200);
  EXPECT_TRUE(dark.body == kJpegBytes);
  EXPECT_EQ(dark.Header("content-type"), "image/jpeg");
}

TEST_P(KindeLogosTest, TheBytesDecideTheTypeNotTheDeclaredPartType) {
  std::string org = CreateOrg();
  // A PNG declared as SVG is stored and served as PNG.
  ExpectSuccess(Upload(org, "light", kPngBytes, "x.svg", "image/svg+xml"));
  auto res = Image("/logo?org_code=" + org);
  EXPECT_EQ(res.Header("content-type"), "image/png");
  // Text declared as PNG is refused, and the stored logo stays.
  ExpectError(Upload(org, "light", "<html><script>alert(1)</script></html>", "x.png", "image/png"),
              400, "INVALID_LOGO", "Invalid logo", "logo");
  res = Image("/logo?org_code=" + org);
  EXPECT_EQ(res.status, 200);
  EXPECT_TRUE(res.body == kPngBytes);
}

TEST_P(KindeLogosTest, APartWithoutContentTypeIsAccepted) {
  std::string org = CreateOrg();
  ExpectSuccess(UploadBody(org, "light", MultipartBody({{"logo", "a.gif", "", kGifBytes}})));
  EXPECT_EQ(Image("/logo?org_code=" + org).Header("content-type"), "image/gif");
}

TEST_P(KindeLogosTest, AQuotedBoundaryWorks) {
  std::string org = CreateOrg();
  const std::string boundary = "quoted boundary:=?";
  ExpectSuccess(UploadBody(org, "light",
                           MultipartBody({{"logo", "a.png", "image/png", kPngBytes}}, boundary),
                           "multipart/form-data; boundary=\"" + boundary + "\""));
  EXPECT_TRUE(Image("/logo?org_code=" + org).body == kPngBytes);
}

TEST_P(KindeLogosTest, OtherPartsAreIgnoredAndAPartWithoutFilenameHasANullFileName) {
  std::string org = CreateOrg();
  ExpectSuccess(UploadBody(
      org, "dark",
      MultipartBody({{"note", std::nullopt, "", "hello"}, {"logo", std::nullopt, "", kIcoBytes}})));
  EXPECT_EQ(
      Logos(org),
      (Json::array(
          {{{"type", "dark"}, {"file_name", nullptr}, {"path", "/logo_dark?p_org_code=" + org}}})));
}

TEST_P(KindeLogosTest, ReplacingKeepsOneLogoAndChangesItsHash) {
  std::string org = CreateOrg();
  ExpectSuccess(Upload(org, "light", kPngBytes, "one.png"));
  std::string first_etag = Image("/logo?org_code=" + org).Header("etag");
  std::string first_url = Organization(org)["logo"];
  ExpectSuccess(Upload(org, "light", kSvgBytes, "two.svg"));
  EXPECT_EQ(
      Logos(org),
      (Json::array(
          {{{"type", "light"}, {"file_name", "two.svg"}, {"path", "/logo?p_org_code=" + org}}})));
  auto res = Image("/logo?org_code=" + org);
  EXPECT_TRUE(res.body == kSvgBytes);
  EXPECT_EQ(res.Header("content-type"), "image/svg+xml");
  EXPECT_NE(res.Header("etag"), first_etag);
  EXPECT_NE(Organization(org)["logo"], first_url);
}

// --- the organization object -----------------------------------------------------------------

TEST_P(KindeLogosTest, OrganizationObjectShowsVersionedLogoUrls) {
  std::string org = CreateOrg();
  Json before = Organization(org);
  EXPECT_TRUE(before["logo"].is_null());
  EXPECT_TRUE(before["logo_dark"].is_null());

  ExpectSuccess(Upload(org, "light", kPngBytes));
  std::string etag = Image("/logo?org_code=" + org).Header("etag");
  std::string hash = etag.substr(1, etag.size() - 2);
  Json after = Organization(org);
  EXPECT_EQ(after["logo"], server_.public_url() + "/logo?org_code=" + org + "&cache=" + hash);
  EXPECT_TRUE(after["logo_dark"].is_null());

  ExpectSuccess(Upload(org, "dark", kGifBytes));
  std::string dark_url = Organization(org)["logo_dark"];
  ASSERT_EQ(dark_url.rfind(server_.public_url() + "/logo_dark?org_code=" + org + "&cache=", 0), 0u)
      << dark_url;
  // The URL serves the image, and as it names the content it may be cached for good.
  auto res = Image(dark_url.substr(server_.public_url().size()));
  EXPECT_EQ(res.status, 200);
  EXPECT_TRUE(res.body == kGifBytes);
  EXPECT_EQ(res.Header("cache-control"), "public, max-age=31536000, immutable");

  ASSERT_EQ(server_.Kinde("DELETE", "/api/v1/organizations/" + org + "/logos/light").status, 200);
  EXPECT_TRUE(Organization(org)["logo"].is_null());
}

TEST_P(KindeLogosTest, AnOrganizationCreatedByLogtoHasLogosToo) {
  auto created = server_.Logto("POST", "/api/organizations", R"({"name":"Via Logto"})");
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = created.json["id"];
  ExpectSuccess(Upload(id, "light", kWebpBytes));
  EXPECT_EQ(Image("/logo?org_code=" + id).Header("content-type"), "image/webp");
}

// --- public image routes ---------------------------------------------------------------------

TEST_P(KindeLogosTest, ImageRoutesNeedNoTokenAndAnswer404WhenThereIsNoLogo) {
  std::string org = CreateOrg();
  EXPECT_EQ(Image("/logo?org_code=" + org).status, 404);
  EXPECT_EQ(Image("/logo?org_code=org_unknown00").status, 404);
  EXPECT_EQ(Image("/logo").status, 400);
  EXPECT_EQ(Image("/logo_dark?org_code=").status, 400);
}

TEST_P(KindeLogosTest, AMatchingIfNoneMatchAnswers304) {
  std::string org = CreateOrg();
  ExpectSuccess(Upload(org, "light", kPngBytes));
  std::string etag = Image("/logo?org_code=" + org).Header("etag");
  auto res = Image("/logo?org_code=" + org, {{"If-None-Match", "\"other\", " + etag}});
  EXPECT_EQ(res.status, 304);
  EXPECT_EQ(res.body, "");
  EXPECT_EQ(res.Header("etag"), etag);
  EXPECT_EQ(Image("/logo?org_code=" + org, {{"If-None-Match", "\"other\""}}).status, 200);
}

TEST_P(KindeLogosTest, LogosAreScopedToTheirOrganization) {
  std::string a = CreateOrg("A");
  std::string b = CreateOrg("B");
  ExpectSuccess(Upload(a, "light", kPngBytes));
  EXPECT_EQ(Logos(b), Json::array());
  EXPECT_EQ(Image("/logo?org_code=" + b).status, 404);
  EXPECT_TRUE(Organization(b)["logo"].is_null());
}

// --- delete ------------------------------------------------------------------------------------

TEST_P(KindeLogosTest, DeleteAnswers200ThenA204WithoutBody) {
  std::string org = CreateOrg();
  ExpectSuccess(Upload(org, "dark", kPngBytes));
  ExpectSuccess(Upload(org, "light", kPngBytes));
  ExpectSuccess(server_.Kinde("DELETE", "/api/v1/organizations/" + org + "/logos/dark"));
  auto again = server_.Kinde("DELETE", "/api/v1/organizations/" + org + "/logos/dark");
  EXPECT_EQ(again.status, 204);
  EXPECT_EQ(again.body, "");
  EXPECT_FALSE(again.HasHeader("content-type"));
  EXPECT_EQ(Image("/logo_dark?org_code=" + org).status, 404);
  // The light logo stays.
  EXPECT_EQ(Logos(org).size(), 1u);
  EXPECT_EQ(Image("/logo?org_code=" + org).status, 200);
}

TEST_P(KindeLogosTest, DeletingTheOrganizationRemovesItsLogos) {
  std::string org = CreateOrg();
  ExpectSuccess(Upload(org, "light", kPngBytes));
  ExpectSuccess(Upload(org, "dark", kPngBytes));
  ExpectSuccess(server_.Kinde("DELETE", "/api/v1/organization/" + org));
  EXPECT_EQ(Image("/logo?org_code=" + org).status, 404);
  EXPECT_EQ(Image("/logo_dark?org_code=" + org).status, 404);
  ExpectOrgNotFound(server_.Kinde("GET", "/api/v1/organizations/" + org + "/logos"));
}

// --- errors ------------------------------------------------------------------------------------

TEST_P(KindeLogosTest, AnUnknownLogoTypeIsInvalid) {
  std::string org = CreateOrg();
  ExpectError(Upload(org, "medium", kPngBytes), 400, "INVALID_LOGO_TYPE", "Invalid logo type",
              "type");
  ExpectError(Upload(org, "Light", kPngBytes), 400, "INVALID_LOGO_TYPE", "Invalid logo type",
              "type");
  ExpectError(server_.Kinde("DELETE", "/api/v1/organizations/" + org + "/logos/medium"), 400,
              "INVALID_LOGO_TYPE", "Invalid logo type", "type");
  // Input is checked before the organization.
  ExpectError(Upload("org_unknown00", "medium", kPngBytes), 400, "INVALID_LOGO_TYPE",
              "Invalid logo type", "type");
  EXPECT_EQ(Logos(org), Json::array());
}

TEST_P(KindeLogosTest, AMissingLogoPartIsRequired) {
  std::string org = CreateOrg();
  ExpectSuccess(Upload(org, "light", kPngBytes));
  auto expect_required = [&](const HttpResponse& res) {
    ExpectError(res, 400, "LOGO_REQUIRED", "Logo is required", "logo");
  };
  // The wrong part name.
  expect_required(UploadBody(org, "light", MultipartBody({{"image", "a.gif", "", kGifBytes}})));
  // No parts at all.
  expect_required(UploadBody(org, "light", "--"s + kFormBoundary + "--\r\n"));
  // An empty file part (a browser form with no file chosen).
  expect_required(
      UploadBody(org, "light", MultipartBody({{"logo", "", "application/octet-stream", ""}})));
  // Not multipart at all.
  expect_required(UploadBody(org, "light", R"({"logo":"x"})", "application/json"));
  expect_required(UploadBody(org, "light", "", ""));
  // The stored logo is untouched.
  auto res = Image("/logo?org_code=" + org);
  EXPECT_EQ(res.status, 200);
  EXPECT_TRUE(res.body == kPngBytes);
}

TEST_P(KindeLogosTest, MalformedMultipartIsAnInvalidBody) {
  std::string org = CreateOrg();
  auto expect_invalid = [&](const HttpResponse& res) {
    ExpectError(res, 400, "INVALID_REQUEST_BODY", "Request body is not valid multipart/form-data");
  };
  std::string good = MultipartBody({{"logo", "a.png", "image/png", kPngBytes}});
  // Missing final boundary.
  expect_invalid(UploadBody(org, "light", good.substr(0, good.rfind("--"s + kFormBoundary))));
  expect_invalid(UploadBody(org, "light", good.substr(0, good.size() - 4)));
  // No boundary parameter, or an invalid one.
  expect_invalid(UploadBody(org, "light", good, "multipart/form-data"));
  expect_invalid(UploadBody(org, "light", good, "multipart/form-data; boundary="));
  // Another boundary than the one declared.
  expect_invalid(UploadBody(org, "light", good, "multipart/form-data; boundary=other"));
  // Bare LF line endings.
  std::string lf = good;
  for (size_t at = lf.find("\r\n"); at != std::string::npos; at = lf.find("\r\n", at)) {
    lf.erase(at, 1);
  }
  expect_invalid(UploadBody(org, "light", lf));
  // A part without Content-Disposition.
  expect_invalid(UploadBody(org, "light",
                            "--"s + kFormBoundary + "\r\nContent-Type: image/png\r\n\r\n" +
                                kPngBytes + "\r\n--" + kFormBoundary + "--\r\n"));
  EXPECT_EQ(Logos(org), Json::array());
}

TEST_P(KindeLogosTest, NotAnImageIsInvalid) {
  std::string org = CreateOrg();
  for (const std::string& bytes : {"plain text"s, "%PDF-1.7\n"s, "<html><svg/></html>"s, "\x89PNG"s,
                                   "GIF90a"s, "RIFF\0\0\0\0WAVE"s}) {
    ExpectError(Upload(org, "light", bytes), 400, "INVALID_LOGO", "Invalid logo", "logo");
  }
  EXPECT_EQ(Logos(org), Json::array());
}

TEST_P(KindeLogosTest, TwoLogoPartsAreInvalid) {
  std::string org = CreateOrg();
  ExpectError(UploadBody(org, "light",
                         MultipartBody(
                             {{"logo", "a.png", "", kPngBytes}, {"logo", "b.gif", "", kGifBytes}})),
              400, "INVALID_LOGO", "Invalid logo", "logo");
  EXPECT_EQ(Logos(org), Json::array());
}

TEST_P(KindeLogosTest, AFileOverOneMebibyteIsTooLargeNot413) {
  std::string org = CreateOrg();
  std::string exact = kPngBytes + std::string((1 << 20) - kPngBytes.size(), '\0');
  ExpectSuccess(Upload(org, "light", exact, "exact.png"));
  auto res = Upload(org, "dark", exact + "x", "big.png");
  ExpectError(res, 400, "FILE_TOO_LARGE", "Logo must be at most 1 MB", "logo");
  EXPECT_EQ(res.reason, "Bad Request");
  // The 1 MiB logo was stored whole; nothing was stored for the refused one.
  auto served = Image("/logo?org_code=" + org);
  EXPECT_EQ(served.body.size(), 1u << 20);
  EXPECT_EQ(Logos(org).size(), 1u);
}

TEST_P(KindeLogosTest, ABodyBeyondTheRouteLimitIsRefusedBeforeReading) {
  // The route's body limit leaves 64 KiB of room for multipart framing above 1 MiB; beyond it the
  // server answers 413 in the Kinde error shape without reading the upload.
  std::string org = CreateOrg();
  auto res = Upload(org, "light", kPngBytes + std::string(2 << 20, 'x'));
  EXPECT_EQ(res.status, 413);
  EXPECT_EQ(res.json["errors"][0]["code"], "REQUEST_TOO_LARGE");
}

TEST_P(KindeLogosTest, AnInvalidFileNameIsRefused) {
  std::string org = CreateOrg();
  ExpectError(Upload(org, "light", kPngBytes, "bad\xff.png"), 400, "INVALID_FILE_NAME",
              "Invalid file_name", "file_name");
  ExpectError(Upload(org, "light", kPngBytes, std::string(256, 'n')), 400, "INVALID_FILE_NAME",
              "Invalid file_name", "file_name");
  ExpectSuccess(Upload(org, "light", kPngBytes, "\xC3\xA9t\xC3\xA9.png"));
  EXPECT_EQ(Logos(org)[0]["file_name"], "\xC3\xA9t\xC3\xA9.png");
}

TEST_P(KindeLogosTest, AnUnknownOrganizationIsNotFoundAfterInputChecks) {
  ExpectOrgNotFound(Upload("org_unknown00", "light", kPngBytes));
  ExpectOrgNotFound(server_.Kinde("DELETE", "/api/v1/organizations/org_unknown00/logos/light"));
  ExpectOrgNotFound(server_.Kinde("GET", "/api/v1/organizations/org_unknown00/logos"));
  // Bad input wins over the unknown organization.
  ExpectError(Upload("org_unknown00", "light", "text"), 400, "INVALID_LOGO", "Invalid logo",
              "logo");
}

// --- access ------------------------------------------------------------------------------------

TEST_P(KindeLogosTest, LogoRoutesRequireTheirScopes) {
  std::string org = CreateOrg();
  std::string reader = TokenWith({"read:organizations"});
  std::string writer = TokenWith({"update:organizations"});
  std::string body = MultipartBody({{"logo", "a.png", "image/png", kPngBytes}});
  std::string type = "multipart/form-data; boundary="s + kFormBoundary;

  ExpectError(UploadBody(org, "light", body, type, reader), 403, "FORBIDDEN",
              "Missing required scope: update:organizations");
  ExpectError(SendAs("DELETE", "/api/v1/organizations/" + org + "/logos/light", "", "", reader),
              403, "FORBIDDEN", "Missing required scope: update:organizations");
  ExpectError(SendAs("GET", "/api/v1/organizations/" + org + "/logos", "", "", writer), 403,
              "FORBIDDEN", "Missing required scope: read:organizations");
  EXPECT_EQ(Logos(org), Json::array());

  ExpectSuccess(UploadBody(org, "light", body, type, writer));
  auto listed = SendAs("GET", "/api/v1/organizations/" + org + "/logos", "", "", reader);
  EXPECT_EQ(listed.status, 200) << listed.body;
  ExpectSuccess(SendAs("DELETE", "/api/v1/organizations/" + org + "/logos/light", "", "", writer));

  auto anonymous = server_.Send("POST", "/api/v1/organizations/" + org + "/logos/light", body,
                                {{"Content-Type", type}});
  ExpectError(anonymous, 401, "UNAUTHORIZED", "Invalid or missing access token");
}

}  // namespace
}  // namespace orgd::testing
