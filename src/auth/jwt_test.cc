#include "auth/jwt.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace orgd::auth {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1'767'225'600;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Keys are slow to generate, so the suite makes three once: "k1", another "k1" (a different key
// pair under the same kid), and "k2".
class JwtTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    key_ = std::shared_ptr<const SigningKey>(SigningKey::Generate("k1").value().release());
    same_kid_ = std::shared_ptr<const SigningKey>(SigningKey::Generate("k1").value().release());
    other_ = std::shared_ptr<const SigningKey>(SigningKey::Generate("k2").value().release());
  }
  static void TearDownTestSuite() {
    key_.reset();
    same_kid_.reset();
    other_.reset();
  }

  static std::vector<std::shared_ptr<const SigningKey>> Keys() { return {key_, other_}; }

  static json Claims() {
    return {{"iss", "https://issuer"},
            {"sub", "client-1"},
            {"aud", "https://aud/api"},
            {"scope", "all"},
            {"iat", kNow},
            {"exp", kNow + 3600},
            {"jti", "abc"}};
  }

  // A token with an arbitrary header, signed RS256 by `key` through OpenSSL directly.
  static std::string SignRaw(const SigningKey& key, const json& header,
                             const std::string& payload) {
    std::string input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload);
    std::string pem = key.PrivatePem();
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
    PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    EXPECT_TRUE(pkey);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EXPECT_EQ(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey.get()), 1);
    size_t len = 0;
    EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                   input.size());
    std::string sig(len, '\0');
    EXPECT_EQ(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()),
              1);
    sig.resize(len);
    return input + "." + Base64UrlEncode(sig);
  }

  static std::string PublicPem(const SigningKey& key) {
    std::string pem = key.PrivatePem();
    std::unique_ptr<BIO, decltype(&BIO_free)> in(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
    PkeyPtr pkey(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr));
    std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_PUBKEY(out.get(), pkey.get());
    char* data = nullptr;
    long n = BIO_get_mem_data(out.get(), &data);
    return std::string(data, static_cast<size_t>(n));
  }

  static void ExpectInvalid(const Result<JwtClaims>& r, const std::string& detail,
                            const std::string& reason = "") {
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(r.error().message, "invalid token");
    EXPECT_EQ(r.error().reason, reason);
    EXPECT_EQ(r.error().detail, detail);
  }

  static std::shared_ptr<const SigningKey> key_;
  static std::shared_ptr<const SigningKey> same_kid_;
  static std::shared_ptr<const SigningKey> other_;
};

std::shared_ptr<const SigningKey> JwtTest::key_;
std::shared_ptr<const SigningKey> JwtTest::same_kid_;
std::shared_ptr<const SigningKey> JwtTest::other_;

std::vector<std::string> Split(const std::string& token) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t dot; (dot = token.find('.', start)) != std::string::npos; start = dot + 1) {
    parts.push_back(token.substr(start, dot - start));
  }
  parts.push_back(token.substr(start));
  return parts;
}

TEST(Base64Test, UrlKnownVectors) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
}

TEST(Base64Test, UrlRoundTripsEveryLengthAndByte) {
  for (size_t n = 0; n < 70; ++n) {
    std::string bytes;
    for (size_t i = 0; i < n; ++i) bytes.push_back(static_cast<char>((i * 37 + n * 11) & 0xff));
    std::string enc = Base64UrlEncode(bytes);
    EXPECT_EQ(enc.find_first_of("+/="), std::string::npos);
    auto dec = Base64UrlDecode(enc);
    ASSERT_TRUE(dec.has_value()) << enc;
    EXPECT_EQ(*dec, bytes);
  }
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(all)), all);
  EXPECT_EQ(Base64Decode(Base64Encode(all)), all);
}

TEST(Base64Test, UrlDecodeAcceptsCorrectPadding) {
  EXPECT_EQ(Base64UrlDecode("Zg=="), "f");
  EXPECT_EQ(Base64UrlDecode("Zm8="), "fo");
  EXPECT_EQ(Base64UrlDecode(""), "");
}

TEST(Base64Test, UrlDecodeRejectsAnythingElse) {
  for (const char* bad : {"Zm9v+", "Zm9/", "Zm 9v", "Zm9v\n", "Zm9v.", "Zg=", "Zg===", "Zm8==", "Z",
                          "Zh", "Zm9=", "=Zg=", "Zg==Zg==", "Zg\x80", "Zm9v%3D"}) {
    EXPECT_FALSE(Base64UrlDecode(bad).has_value()) << bad;
  }
  EXPECT_FALSE(Base64UrlDecode(std::string("Zm\0v", 4)).has_value());
}

TEST(Base64Test, StdDecodeRejectsUrlAlphabet) {
  EXPECT_EQ(Base64Decode("+/8="), "\xfb\xff");
  EXPECT_FALSE(Base64Decode("-_8=").has_value());
  EXPECT_FALSE(Base64Decode("Zm9v YmFy").has_value());
  EXPECT_EQ(Base64Decode("YWxpY2U6c2VjcmV0"), "alice:secret");
}

TEST_F(JwtTest, PrivatePemIsPkcs8AndReloads) {
  std::string pem = key_->PrivatePem();
  EXPECT_TRUE(pem.starts_with("-----BEGIN PRIVATE KEY-----\n")) << pem.substr(0, 40);
  auto reloaded = SigningKey::FromPem("k1", pem);
  ASSERT_TRUE(reloaded.has_value());
  EXPECT_EQ((*reloaded)->kid(), "k1");
  EXPECT_EQ((*reloaded)->PublicJwk(), key_->PublicJwk());
  auto token = (*reloaded)->Sign(Claims().dump());
  ASSERT_TRUE(token.has_value());
  EXPECT_TRUE(VerifyJwt(*token, Keys()).has_value());
}

TEST_F(JwtTest, FromPemRejectsGarbage) {
  auto r =
      SigningKey::FromPem("x", "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  auto empty = SigningKey::FromPem("x", "");
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(JwtTest, FromPemRejectsNonRsaKey) {
  PkeyPtr ec(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  ASSERT_TRUE(ec);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio.get(), ec.get(), nullptr, nullptr, 0, nullptr, nullptr),
            1);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  auto r = SigningKey::FromPem("ec", std::string(data, static_cast<size_t>(n)));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message, "signing key is not an RSA key");
}

TEST_F(JwtTest, SignWritesRs256HeaderWithKid) {
  auto token = key_->Sign(Claims().dump());
  ASSERT_TRUE(token.has_value());
  auto parts = Split(*token);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(Base64UrlDecode(parts[0]), R"({"alg":"RS256","typ":"JWT","kid":"k1"})");
  EXPECT_EQ(Base64UrlDecode(parts[1]), Claims().dump());
  EXPECT_EQ(Base64UrlDecode(parts[2])->size(), 256u);
}

TEST_F(JwtTest, SignVerifyRoundTripExtractsClaims) {
  json c = Claims();
  c["client_id"] = "client-1";
  c["nbf"] = kNow - 5;
  auto token = key_->Sign(c.dump());
  ASSERT_TRUE(token.has_value());
  auto claims = VerifyJwt(*token, Keys());
  ASSERT_TRUE(claims.has_value()) << claims.error().detail;
  EXPECT_EQ(claims->iss, "https://issuer");
  EXPECT_EQ(claims->aud, std::vector<std::string>{"https://aud/api"});
  EXPECT_EQ(claims->sub, "client-1");
  EXPECT_EQ(claims->client_id, "client-1");
  EXPECT_EQ(claims->scope, "all");
  EXPECT_EQ(claims->iat, kNow);
  EXPECT_EQ(claims->exp, kNow + 3600);
  EXPECT_EQ(claims->nbf, kNow - 5);
  EXPECT_EQ(claims->jti, "abc");
}

TEST_F(JwtTest, VerifyReadsAudArrayAndAzp) {
  json c = Claims();
  c["aud"] = {"a", "https://a"};
  c["azp"] = "client-9";
  auto claims = VerifyJwt(key_->Sign(c.dump()).value(), Keys());
  ASSERT_TRUE(claims.has_value());
  EXPECT_EQ(claims->aud, (std::vector<std::string>{"a", "https://a"}));
  EXPECT_EQ(claims->client_id, "client-9");
  EXPECT_FALSE(claims->nbf.has_value());
}

TEST_F(JwtTest, VerifyPicksTheKeyNamedByKid) {
  auto claims = VerifyJwt(other_->Sign(Claims().dump()).value(), Keys());
  EXPECT_TRUE(claims.has_value());
}

TEST_F(JwtTest, JwkCarriesModulusAndExponentThatVerify) {
  json jwk = json::parse(key_->PublicJwk());
  EXPECT_EQ(jwk["kty"], "RSA");
  EXPECT_EQ(jwk["kid"], "k1");
  EXPECT_EQ(jwk["use"], "sig");
  EXPECT_EQ(jwk["alg"], "RS256");
  EXPECT_EQ(jwk["e"], "AQAB");
  auto n = Base64UrlDecode(jwk["n"].get<std::string>());
  auto e = Base64UrlDecode(jwk["e"].get<std::string>());
  ASSERT_TRUE(n.has_value());
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(n->size(), 256u);
  EXPECT_NE(static_cast<unsigned char>((*n)[0]), 0);

  // Rebuild a public key from n and e alone and check a token's signature with it.
  BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()),
                           static_cast<int>(n->size()), nullptr);
  BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()),
                           static_cast<int>(e->size()), nullptr);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n);
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e);
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* fctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  EVP_PKEY* raw = nullptr;
  ASSERT_EQ(EVP_PKEY_fromdata_init(fctx), 1);
  ASSERT_EQ(EVP_PKEY_fromdata(fctx, &raw, EVP_PKEY_PUBLIC_KEY, params), 1);
  PkeyPtr pub(raw);
  EVP_PKEY_CTX_free(fctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(bn_n);
  BN_free(bn_e);

  std::string token = key_->Sign(Claims().dump()).value();
  auto parts = Split(token);
  std::string input = parts[0] + "." + parts[1];
  std::string sig = *Base64UrlDecode(parts[2]);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  ASSERT_EQ(EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pub.get()), 1);
  EXPECT_EQ(
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()),
      1);
}

TEST_F(JwtTest, RejectsAlgNoneWithEmptySignature) {
  std::string token = Base64UrlEncode(R"({"alg":"none","kid":"k1"})") + "." +
                      Base64UrlEncode(Claims().dump()) + ".";
  ExpectInvalid(VerifyJwt(token, Keys()), "token has an empty segment");
}

TEST_F(JwtTest, RejectsAlgNoneEvenWithAValidRsaSignature) {
  std::string token = SignRaw(*key_, {{"alg", "none"}, {"kid", "k1"}}, Claims().dump());
  ExpectInvalid(VerifyJwt(token, Keys()), "alg is not RS256");
}

TEST_F(JwtTest, RejectsHs256SignedWithThePublicKeyPem) {
  std::string secret = PublicPem(*key_);
  ASSERT_TRUE(secret.starts_with("-----BEGIN PUBLIC KEY-----"));
  std::string input = Base64UrlEncode(R"({"alg":"HS256","typ":"JWT","kid":"k1"})") + "." +
                      Base64UrlEncode(Claims().dump());
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  ASSERT_NE(HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
                 reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &mac_len),
            nullptr);
  std::string token =
      input + "." + Base64UrlEncode(std::string(reinterpret_cast<char*>(mac), mac_len));
  ExpectInvalid(VerifyJwt(token, Keys()), "alg is not RS256");
}

TEST_F(JwtTest, RejectsOtherAlgorithmsAndMissingAlg) {
  for (const json& header :
       {json{{"alg", "ES256"}, {"kid", "k1"}}, json{{"alg", "RS512"}, {"kid", "k1"}},
        json{{"alg", "PS256"}, {"kid", "k1"}}, json{{"alg", "rs256"}, {"kid", "k1"}},
        json{{"alg", 256}, {"kid", "k1"}}, json{{"kid", "k1"}}}) {
    ExpectInvalid(VerifyJwt(SignRaw(*key_, header, Claims().dump()), Keys()), "alg is not RS256");
  }
}

TEST_F(JwtTest, RejectsTokenSignedByAnotherKeyWithTheSameKid) {
  std::string token = same_kid_->Sign(Claims().dump()).value();
  ExpectInvalid(VerifyJwt(token, Keys()), "bad signature");
}

TEST_F(JwtTest, RejectsMissingOrUnknownKid) {
  ExpectInvalid(VerifyJwt(SignRaw(*key_, {{"alg", "RS256"}}, Claims().dump()), Keys()),
                "kid missing");
  ExpectInvalid(VerifyJwt(SignRaw(*key_, {{"alg", "RS256"}, {"kid", 1}}, Claims().dump()), Keys()),
                "kid missing");
  // Signed by k1 but naming an unknown kid: no fallback to trying the known keys.
  ExpectInvalid(
      VerifyJwt(SignRaw(*key_, {{"alg", "RS256"}, {"kid", "k9"}}, Claims().dump()), Keys()),
      "unknown kid", "unknown_kid");
}

TEST_F(JwtTest, RejectsCritHeader) {
  std::string token =
      SignRaw(*key_, {{"alg", "RS256"}, {"kid", "k1"}, {"crit", {"exp"}}}, Claims().dump());
  ExpectInvalid(VerifyJwt(token, Keys()), "crit header not supported");
}

TEST_F(JwtTest, RejectsTamperedPayload) {
  auto parts = Split(key_->Sign(Claims().dump()).value());
  json c = Claims();
  c["scope"] = "all more";
  std::string token = parts[0] + "." + Base64UrlEncode(c.dump()) + "." + parts[2];
  ExpectInvalid(VerifyJwt(token, Keys()), "bad signature");
}

TEST_F(JwtTest, RejectsTamperedSignature) {
  auto parts = Split(key_->Sign(Claims().dump()).value());
  std::string sig = *Base64UrlDecode(parts[2]);
  sig[10] = static_cast<char>(sig[10] ^ 1);
  ExpectInvalid(VerifyJwt(parts[0] + "." + parts[1] + "." + Base64UrlEncode(sig), Keys()),
                "bad signature");
}

TEST_F(JwtTest, RejectsOversizedToken) {
  json c = Claims();
  c["pad"] = std::string(9000, 'x');
  std::string token = key_->Sign(c.dump()).value();
  ASSERT_GT(token.size(), 8192u);
  ExpectInvalid(VerifyJwt(token, Keys()), "token larger than 8192 bytes");
  ExpectInvalid(VerifyJwt(std::string(8193, 'a'), Keys()), "token larger than 8192 bytes");
}

TEST_F(JwtTest, RejectsWrongSegmentCounts) {
  auto parts = Split(key_->Sign(Claims().dump()).value());
  ExpectInvalid(VerifyJwt(parts[0] + "." + parts[1], Keys()), "token does not have three segments");
  ExpectInvalid(VerifyJwt(parts[0] + "." + parts[1] + "." + parts[2] + "." + parts[2], Keys()),
                "token does not have three segments");
  ExpectInvalid(VerifyJwt("", Keys()), "token does not have three segments");
  ExpectInvalid(VerifyJwt("..", Keys()), "token has an empty segment");
  ExpectInvalid(VerifyJwt("." + parts[1] + "." + parts[2], Keys()), "token has an empty segment");
}

TEST_F(JwtTest, RejectsNonBase64UrlSegments) {
  auto parts = Split(key_->Sign(Claims().dump()).value());
  ExpectInvalid(VerifyJwt(parts[0] + "*." + parts[1] + "." + parts[2], Keys()),
                "segment is not base64url");
  ExpectInvalid(VerifyJwt(parts[0] + "." + parts[1] + "." + Base64Encode("abc+/") + "+", Keys()),
                "segment is padded");
  ExpectInvalid(VerifyJwt(parts[0] + "." + parts[1] + "/." + parts[2], Keys()),
                "segment is not base64url");
  ExpectInvalid(VerifyJwt(parts[0] + "." + parts[1] + "." + parts[2] + " ", Keys()),
                "segment is not base64url");
}

TEST_F(JwtTest, RejectsHeaderThatIsNotAnObject) {
  auto parts = Split(key_->Sign(Claims().dump()).value());
  ExpectInvalid(VerifyJwt(Base64UrlEncode("[]") + "." + parts[1] + "." + parts[2], Keys()),
                "header is not a JSON object");
  ExpectInvalid(VerifyJwt(Base64UrlEncode("{nope") + "." + parts[1] + "." + parts[2], Keys()),
                "header is not a JSON object");
}

TEST_F(JwtTest, RejectsPayloadThatIsNotAnObject) {
  ExpectInvalid(VerifyJwt(key_->Sign("[1,2]").value(), Keys()), "payload is not a JSON object");
  ExpectInvalid(VerifyJwt(key_->Sign("{\"exp\":").value(), Keys()), "payload is not a JSON object");
}

TEST_F(JwtTest, RejectsClaimsOfTheWrongType) {
  struct Case {
    const char* claim;
    json value;
    const char* detail;
  };
  for (const Case& c :
       {Case{"aud", 5, "aud is neither a string nor an array"},
        Case{"aud", json::object(), "aud is neither a string nor an array"},
        Case{"aud", json::array({"a", 1}), "aud holds a non-string"},
        Case{"iss", 1, "iss is not a string"}, Case{"sub", nullptr, "sub is not a string"},
        Case{"scope", json::array({"all"}), "scope is not a string"},
        Case{"client_id", 7, "client_id is not a string"}, Case{"azp", true, "azp is not a string"},
        Case{"jti", 3, "jti is not a string"}, Case{"exp", "soon", "exp is not a number"},
        Case{"iat", "then", "iat is not a number"},
        Case{"nbf", json::array(), "nbf is not a number"}}) {
    json claims = Claims();
    claims[c.claim] = c.value;
    ExpectInvalid(VerifyJwt(key_->Sign(claims.dump()).value(), Keys()), c.detail);
  }
}

TEST_F(JwtTest, RejectsMissingExp) {
  json c = Claims();
  c.erase("exp");
  ExpectInvalid(VerifyJwt(key_->Sign(c.dump()).value(), Keys()), "exp missing");
}

TEST_F(JwtTest, AcceptsFloatingPointTimes) {
  json c = Claims();
  c["exp"] = static_cast<double>(kNow) + 10.5;
  auto claims = VerifyJwt(key_->Sign(c.dump()).value(), Keys());
  ASSERT_TRUE(claims.has_value());
  EXPECT_EQ(claims->exp, kNow + 10);
}

}  // namespace
}  // namespace orgd::auth
