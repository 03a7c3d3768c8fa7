// Forged and broken bearer tokens against the real server, in both dialects and on every backend
// (issue #8 item 5): each must be refused with the dialect's exact 401 body (403 for a missing
// scope, contracts/logto.md §1.3 and contracts/kinde.md §1.3). src/auth/jwt_test.cc covers the
// same at unit level; this suite proves the HTTP path wires the checks in.
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "auth/jwt.h"
#include "common/clock.h"
#include "tests/support/test_server.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;

enum class Dialect { kLogto, kKinde };

// The dialect's whole answer to a refused token.
const Json kLogto401 = {{"code", "auth.unauthorized"},
                        {"message", "Unauthorized. Please check credentials and its scope."}};
const Json kKinde401 = {
    {"errors", {{{"code", "UNAUTHORIZED"}, {"message", "Invalid or missing access token"}}}}};
const Json kLogto403 = {{"code", "auth.forbidden"},
                        {"message", "Forbidden. Please check your user roles and permissions."}};
const Json kKinde403 = {
    {"errors",
     {{{"code", "FORBIDDEN"}, {"message", "Missing required scope: read:organizations"}}}}};

std::string B64(std::string_view bytes) { return auth::Base64UrlEncode(bytes); }

Json Segment(const std::string& jwt, int index) {
  size_t start = 0;
  for (int i = 0; i < index; ++i) start = jwt.find('.', start) + 1;
  size_t end = jwt.find('.', start);
  auto text = auth::Base64UrlDecode(jwt.substr(start, end - start));
  return Json::parse(text.value_or("null"));
}

std::string SignatureOf(const std::string& jwt) { return jwt.substr(jwt.rfind('.') + 1); }

std::string Hs256(const std::string& signing_input, const std::string& key) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
       &len);
  return B64(std::string(reinterpret_cast<const char*>(mac), len));
}

// The public key of a JWKS entry as SubjectPublicKeyInfo, PEM and DER: the bytes an attacker
// who confuses RS256 with HS256 uses as the HMAC secret.
struct PublicKeyBytes {
  std::string pem;
  std::string der;
};

PublicKeyBytes PublicKeyOf(const Json& jwk) {
  auto n = auth::Base64UrlDecode(jwk["n"].get<std::string>()).value();
  auto e = auth::Base64UrlDecode(jwk["e"].get<std::string>()).value();
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn_n(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()),
                nullptr),
      BN_free);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn_e(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()),
                nullptr),
      BN_free);
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(OSSL_PARAM_BLD_new(),
                                                                      OSSL_PARAM_BLD_free);
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get());
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get());
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(bld.get()),
                                                                 OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* raw = nullptr;
  EVP_PKEY_fromdata_init(ctx.get());
  EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get());
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(raw, EVP_PKEY_free);
  PublicKeyBytes out;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), pkey.get());
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  out.pem.assign(data, static_cast<size_t>(len));
  unsigned char* der = nullptr;
  int der_len = i2d_PUBKEY(pkey.get(), &der);
  out.der.assign(reinterpret_cast<const char*>(der), static_cast<size_t>(der_len));
  OPENSSL_free(der);
  return out;
}

class TokenAttacksTest : public ::testing::TestWithParam<std::string> {
 protected:
  TestServer server_{GetParam()};

  // A genuine token of the dialect for the admin client (every scope).
  std::string Genuine(Dialect d) { return d == Dialect::kLogto ? server_.LogtoToken() : server_.KindeToken(); }

  HttpResponse Call(Dialect d, const std::string& token) {
    const std::string path = d == Dialect::kLogto ? "/api/organizations" : "/api/v1/organizations";
    return server_.Send("GET", path, "", {{"Authorization", "Bearer " + token}});
  }

  void ExpectRefused(Dialect d, const std::string& token, const std::string& what) {
    HttpResponse res = Call(d, token);
    const char* name = d == Dialect::kLogto ? "logto" : "kinde";
    EXPECT_EQ(res.status, 401) << name << ": " << what << "\n" << res.body;
    EXPECT_EQ(res.json, d == Dialect::kLogto ? kLogto401 : kKinde401)
        << name << ": " << what << "\n" << res.body;
  }

  // Runs `attack` once per dialect with that dialect's genuine token.
  template <typename Fn>
  void ForBothDialects(Fn attack) {
    for (Dialect d : {Dialect::kLogto, Dialect::kKinde}) {
      const std::string genuine = Genuine(d);
      // The genuine token works, so any refusal below is the attack's doing.
      ASSERT_EQ(Call(d, genuine).status, 200) << Call(d, genuine).body;
      attack(d, genuine);
    }
  }
};

TEST_P(TokenAttacksTest, AlgNoneIsRefused) {
  ForBothDialects([&](Dialect d, const std::string& genuine) {
    Json header = Segment(genuine, 0);
    const std::string payload = B64(Segment(genuine, 1).dump());
    for (const char* alg : {"none", "None", "NONE", "nOnE"}) {
      header["alg"] = alg;
      const std::string unsigned_token = B64(header.dump()) + "." + payload + ".";
      ExpectRefused(d, unsigned_token, std::string("alg ") + alg + ", empty signature");
      ExpectRefused(d, unsigned_token + SignatureOf(genuine),
                    std::string("alg ") + alg + ", genuine signature");
    }
    header.erase("alg");
    ExpectRefused(d, B64(header.dump()) + "." + payload + "." + SignatureOf(genuine), "no alg");
  });
}

TEST_P(TokenAttacksTest, Hs256KeyedWithThePublicKeyIsRefused) {
  HttpResponse jwks = server_.Send("GET", "/oidc/jwks");
  ASSERT_EQ(jwks.status, 200) << jwks.body;
  const Json jwk = jwks.json["keys"][0];
  const PublicKeyBytes key = PublicKeyOf(jwk);
  ASSERT_TRUE(key.pem.starts_with("-----BEGIN PUBLIC KEY-----"));
  ForBothDialects([&](Dialect d, const std::string& genuine) {
    Json header = Segment(genuine, 0);
    ASSERT_EQ(header["kid"], jwk["kid"]);
    header["alg"] = "HS256";
    const std::string input = B64(header.dump()) + "." + B64(Segment(genuine, 1).dump());
    ExpectRefused(d, input + "." + Hs256(input, key.pem), "HS256 keyed with the PEM");
    ExpectRefused(d, input + "." + Hs256(input, key.der), "HS256 keyed with the DER");
    ExpectRefused(d, input + "." + Hs256(input, jwk.dump()), "HS256 keyed with the JWK text");
    ExpectRefused(d, input + "." + Hs256(input, auth::Base64UrlDecode(jwk["n"].get<std::string>()).value()),
                  "HS256 keyed with the modulus");
  });
}

TEST_P(TokenAttacksTest, AnotherKeyUnderTheSameKidIsRefused) {
  ForBothDialects([&](Dialect d, const std::string& genuine) {
    const std::string kid = Segment(genuine, 0)["kid"];
    auto impostor = auth::SigningKey::Generate(kid);
    ASSERT_TRUE(impostor.has_value());
    const Json jwks = server_.Send("GET", "/oidc/jwks").json;
    ASSERT_NE(Json::parse((*impostor)->PublicJwk())["n"], jwks["keys"][0]["n"]);
    auto forged = (*impostor)->Sign(Segment(genuine, 1).dump());
    ASSERT_TRUE(forged.has_value());
    ExpectRefused(d, *forged, "signed by another RSA key named " + kid);
    // And under a kid the server does not know at all.
    auto stranger = auth::SigningKey::Generate("k999");
    ExpectRefused(d, (*stranger)->Sign(Segment(genuine, 1).dump()).value(), "unknown kid");
  });
}

TEST_P(TokenAttacksTest, TamperedPayloadIsRefused) {
  ForBothDialects([&](Dialect d, const std::string& genuine) {
    const std::string header = genuine.substr(0, genuine.find('.'));
    const std::string sig = SignatureOf(genuine);
    Json claims = Segment(genuine, 1);
    Json more_scope = claims;
    more_scope["scope"] = claims["scope"].get<std::string>() + " all read:organizations";
    ExpectRefused(d, header + "." + B64(more_scope.dump()) + "." + sig, "scope widened");
    Json longer = claims;
    longer["exp"] = claims["exp"].get<int64_t>() + 365 * 86400;
    ExpectRefused(d, header + "." + B64(longer.dump()) + "." + sig, "exp extended");
    Json other_sub = claims;
    other_sub["sub"] = "someone-else";
    ExpectRefused(d, header + "." + B64(other_sub.dump()) + "." + sig, "sub changed");
    // The same claims re-serialized (spacing) are other bytes: the signature no longer matches.
    ExpectRefused(d, header + "." + B64(claims.dump(1)) + "." + sig, "payload re-encoded");
    // A flipped bit in the signature.
    std::string bad_sig = sig;
    bad_sig[5] = bad_sig[5] == 'A' ? 'B' : 'A';
    ExpectRefused(d, genuine.substr(0, genuine.rfind('.') + 1) + bad_sig, "signature altered");
  });
}

TEST_P(TokenAttacksTest, ExpiredAndNotYetValidAreRefused) {
  ForBothDialects([&](Dialect d, const std::string& genuine) {
    const int64_t now = SystemClock().NowSeconds();
    Json claims = Segment(genuine, 1);
    Json expired = claims;
    expired["iat"] = now - 7200;
    expired["exp"] = now - 60;
    ExpectRefused(d, server_.Sign(expired), "expired a minute ago");
    Json future = claims;
    future["nbf"] = now + 3600;
    ExpectRefused(d, server_.Sign(future), "nbf an hour ahead");
    Json no_exp = claims;
    no_exp.erase("exp");
    ExpectRefused(d, server_.Sign(no_exp), "no exp");
    Json text_exp = claims;
    text_exp["exp"] = std::to_string(now + 3600);
    ExpectRefused(d, server_.Sign(text_exp), "exp as a string");
    // Signed by the server's key with the genuine claims: accepted (the control).
    EXPECT_EQ(Call(d, server_.Sign(claims)).status, 200);
  });
}

TEST_P(TokenAttacksTest, WrongIssuerIsRefused) {
  ForBothDialects([&](Dialect d, const std::string& genuine) {
    Json claims = Segment(genuine, 1);
    // Each dialect's issuer differs (Logto: <url>/oidc, Kinde: <url>): the other dialect's
    // token is refused.
    claims["iss"] = d == Dialect::kLogto ? server_.public_url() : server_.public_url() + "/oidc";
    ExpectRefused(d, server_.Sign(claims), "the other dialect's issuer");
    claims["iss"] = "https://evil.example";
    ExpectRefused(d, server_.Sign(claims), "a foreign issuer");
    claims.erase("iss");
    ExpectRefused(d, server_.Sign(claims), "no issuer");
  });
}

TEST_P(TokenAttacksTest, WrongAudienceIsRefusedByLogto) {
  // contracts/kinde.md §1.3 checks signature, issuer and expiry only; the audience check is
  // Logto's (logto.md §1.3: aud must be the Management API indicator).
  const std::string genuine = Genuine(Dialect::kLogto);
  Json claims = Segment(genuine, 1);
  claims["aud"] = "https://other.example/api";
  ExpectRefused(Dialect::kLogto, server_.Sign(claims), "foreign audience");
  claims["aud"] = Json::array({"https://other.example/api", "https://another.example/api"});
  ExpectRefused(Dialect::kLogto, server_.Sign(claims), "foreign audiences");
  claims.erase("aud");
  ExpectRefused(Dialect::kLogto, server_.Sign(claims), "no audience");
}

TEST_P(TokenAttacksTest, MissingScopeIsForbidden) {
  // Logto: a token without the "all" scope.
  auto logto = server_.Send(
      "POST", "/oidc/token",
      std::string("grant_type=client_credentials&client_id=") + kAdminId + "&client_secret=" +
          kAdminSecret + "&resource=https%3A%2F%2Fdefault.logto.app%2Fapi",
      {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(logto.status, 200) << logto.body;
  auto res = Call(Dialect::kLogto, logto.json["access_token"]);
  EXPECT_EQ(res.status, 403);
  EXPECT_EQ(res.json, kLogto403);
  // Kinde: a token with another scope only.
  res = Call(Dialect::kKinde, server_.KindeToken("read:users"));
  EXPECT_EQ(res.status, 403);
  EXPECT_EQ(res.json, kKinde403);
  // Widening the scope by forging the claim is a tampered payload (above), and signing it anew
  // needs the server's key.
}

TEST_P(TokenAttacksTest, DeletedClientsTokenIsRefused) {
  auto [id, secret] = server_.CreateClient({});  // every scope
  auto logto = server_.Send("POST", "/oidc/token",
                            "grant_type=client_credentials&client_id=" + id + "&client_secret=" +
                                secret + "&resource=https%3A%2F%2Fdefault.logto.app%2Fapi&scope=all",
                            {{"Content-Type", "application/x-www-form-urlencoded"}});
  auto kinde = server_.Send("POST", "/oauth2/token",
                            "grant_type=client_credentials&client_id=" + id + "&client_secret=" +
                                secret + "&audience=x.example%2Fapi",
                            {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(logto.status, 200) << logto.body;
  ASSERT_EQ(kinde.status, 200) << kinde.body;
  const std::string logto_token = logto.json["access_token"];
  const std::string kinde_token = kinde.json["access_token"];
  ASSERT_EQ(Call(Dialect::kLogto, logto_token).status, 200);
  ASSERT_EQ(Call(Dialect::kKinde, kinde_token).status, 200);
  server_.DeleteClient(id);
  ExpectRefused(Dialect::kLogto, logto_token, "deleted client (cached token)");
  ExpectRefused(Dialect::kKinde, kinde_token, "deleted client (cached token)");
  // A token forged with the server's own key for the deleted client, with its last version.
  ExpectRefused(Dialect::kKinde, server_.Sign(Segment(kinde_token, 1)), "deleted client (re-signed)");
}

TEST_P(TokenAttacksTest, TokenWithoutClientVersionIsRefused) {
  ForBothDialects([&](Dialect d, const std::string& genuine) {
    Json claims = Segment(genuine, 1);
    claims.erase("cv");
    ExpectRefused(d, server_.Sign(claims), "no cv claim");
    claims["cv"] = "1";
    ExpectRefused(d, server_.Sign(claims), "cv as a string");
    claims["cv"] = Segment(genuine, 1)["cv"].get<int64_t>() - 1;
    ExpectRefused(d, server_.Sign(claims), "an older cv");
  });
}

TEST_P(TokenAttacksTest, OversizedTokensAreRefused) {
  ForBothDialects([&](Dialect d, const std::string& genuine) {
    // Over the server's header limit: refused before any handler runs.
    // (Sent raw: the test client refuses to write such a header itself.)
    const std::string huge_header = B64(std::string(100 * 1024, 'x'));
    const std::string path = d == Dialect::kLogto ? "/api/organizations" : "/api/v1/organizations";
    const std::string raw = server_.client().SendRaw(
        "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + huge_header +
        "." + genuine.substr(genuine.find('.') + 1) + "\r\nConnection: close\r\n\r\n");
    EXPECT_TRUE(raw.starts_with("HTTP/1.1 431 ")) << raw.substr(0, 200);
    // Under the header limit but over the 8 KiB token limit: refused unparsed.
    Json claims = Segment(genuine, 1);
    claims["pad"] = std::string(9000, 'p');
    ExpectRefused(d, server_.Sign(claims), "9 KB token signed by the server's key");
  });
}

TEST_P(TokenAttacksTest, MalformedTokensAreRefused) {
  ForBothDialects([&](Dialect d, const std::string& genuine) {
    const size_t dot1 = genuine.find('.');
    const size_t dot2 = genuine.find('.', dot1 + 1);
    const std::string h = genuine.substr(0, dot1);
    const std::string p = genuine.substr(dot1 + 1, dot2 - dot1 - 1);
    const std::string s = genuine.substr(dot2 + 1);
    ExpectRefused(d, h + "!." + p + "." + s, "non-base64 header");
    ExpectRefused(d, h + "." + p + "*." + s, "non-base64 payload");
    ExpectRefused(d, h + "." + p + "." + s + "%", "non-base64 signature");
    ExpectRefused(d, h + "=." + p + "." + s, "padded header");
    ExpectRefused(d, h + "." + p, "two segments");
    ExpectRefused(d, h, "one segment");
    ExpectRefused(d, genuine + "." + s, "four segments");
    ExpectRefused(d, genuine + ".", "four segments, the last empty");
    ExpectRefused(d, ".." , "empty segments");
    ExpectRefused(d, B64("not json") + "." + p + "." + s, "header not JSON");
    ExpectRefused(d, "undefined", "the SDK's 'Bearer undefined'");
  });
}

INSTANTIATE_TEST_SUITE_P(Backends, TokenAttacksTest, ::testing::ValuesIn(AvailableBackends()),
                         BackendName);

}  // namespace
}  // namespace orgd::testing
