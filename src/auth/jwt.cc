#include "auth/jwt.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <array>
#include <cassert>
#include <cstdint>
#include <cmath>
#include <limits>
#include <mutex>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/testing_hooks.h"

namespace orgd::auth {
namespace {

using nlohmann::json;

constexpr size_t kMaxTokenBytes = 8192;
constexpr int kMinRsaBits = 2048;

constexpr std::string_view kUrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kStdAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

struct EvpPkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct EvpMdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

// Drains OpenSSL's per-thread error queue into one line, so that a failure's library text reaches
// the log and no stale entry is left behind for the next caller on this thread.
std::string OpenSslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

std::string Encode(std::string_view bytes, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t v = byte(i) << 16;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    if (pad) out += "==";
  } else if (rest == 2) {
    uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    if (pad) out.push_back('=');
  }
  return out;
}

// Strict decoding: only `alphabet`, '=' only as correct trailing padding, and the unused low bits
// of the last symbol must be zero, so that every byte string has exactly one accepted encoding.
std::optional<std::string> Decode(std::string_view text, std::string_view alphabet) {
  std::array<int8_t, 256> table;
  table.fill(-1);
  for (size_t k = 0; k < alphabet.size(); ++k) {
    table[static_cast<unsigned char>(alphabet[k])] = static_cast<int8_t>(k);
  }
  size_t padding = 0;
  while (padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  if (padding > 0) {
    if (padding > 2 || text.size() % 4 != 0) return std::nullopt;
    text.remove_suffix(padding);
    // "xx==" carries one byte, "xxx=" two.
    if (text.size() % 4 != 4 - padding) return std::nullopt;
  }
  if (text.size() % 4 == 1) return std::nullopt;

  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int8_t v = table[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::string BnToBase64Url(const BIGNUM* bn) {
  // BN_bn2bin writes the minimal big-endian form, without leading zero bytes, as RFC 7518
  // requires for "n" and "e".
  std::string bytes(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
  return Base64UrlEncode(bytes);
}

Error Invalid(std::string reason) {
  return Error::Unauthenticated("invalid token").WithDetail(std::move(reason));
}

// A JSON number as whole epoch seconds. nlohmann stores integers and doubles separately; a
// double (e.g. 1.7e9) is accepted when finite and in range, and truncated.
std::optional<int64_t> NumericDate(const json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (!std::isfinite(d) || d < -9.0e15 || d > 9.0e15) return std::nullopt;
    return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

// Reads an optional string claim into `out`. False when present but not a string.
bool StringClaim(const json& payload, const char* name, std::string& out) {
  auto it = payload.find(name);
  if (it == payload.end()) return true;
  if (!it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) { return Encode(bytes, kUrlAlphabet, false); }
std::optional<std::string> Base64UrlDecode(std::string_view text) {
  return Decode(text, kUrlAlphabet);
}
std::string Base64Encode(std::string_view bytes) { return Encode(bytes, kStdAlphabet, true); }
std::optional<std::string> Base64Decode(std::string_view text) {
  return Decode(text, kStdAlphabet);
}

SigningKey::SigningKey(std::string kid, void* pkey) : kid_(std::move(kid)), pkey_(pkey) {}

SigningKey::~SigningKey() { EVP_PKEY_free(static_cast<EVP_PKEY*>(pkey_)); }

namespace {
std::mutex preset_keys_mu;
std::vector<std::string> preset_keys;  // handed out from the back
}  // namespace

void UsePresetSigningKeysForTesting(std::vector<std::string> pems) {
  std::lock_guard lock(preset_keys_mu);
  preset_keys.assign(pems.rbegin(), pems.rend());
}

Result<std::unique_ptr<SigningKey>> SigningKey::Generate(std::string kid) {
  {
    std::unique_lock lock(preset_keys_mu);
    if (!preset_keys.empty()) {
      std::string pem = std::move(preset_keys.back());
      preset_keys.pop_back();
      lock.unlock();
      return FromPem(std::move(kid), pem);
    }
  }
  ERR_clear_error();
  EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(kMinRsaBits));
  if (pkey == nullptr) return Error::Internal("RSA key generation failed", OpenSslErrors());
  return std::unique_ptr<SigningKey>(new SigningKey(std::move(kid), pkey));
}

Result<std::unique_ptr<SigningKey>> SigningKey::FromPem(std::string kid, std::string_view pem) {
  if (pem.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Error::InvalidArgument("signing key PEM is too large");
  }
  ERR_clear_error();
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Error::Internal("BIO_new_mem_buf failed", OpenSslErrors());
  // The callback refuses to supply a passphrase: without it OpenSSL would prompt on the terminal
  // for an encrypted key.
  auto no_password = [](char*, int, int, void*) -> int { return 0; };
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr));
  if (!pkey) {
    return Error::InvalidArgument("signing key PEM does not parse").WithDetail(OpenSslErrors());
  }
  // "RSA" excludes RSA-PSS keys, which cannot make PKCS#1 v1.5 signatures.
  if (!EVP_PKEY_is_a(pkey.get(), "RSA")) {
    return Error::InvalidArgument("signing key is not an RSA key");
  }
  if (EVP_PKEY_get_bits(pkey.get()) < kMinRsaBits) {
    return Error::InvalidArgument("signing key is shorter than 2048 bits");
  }
  return std::unique_ptr<SigningKey>(new SigningKey(std::move(kid), pkey.release()));
}

std::string SigningKey::PrivatePem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  // PEM_write_bio_PrivateKey writes PKCS#8 ("BEGIN PRIVATE KEY").
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), static_cast<EVP_PKEY*>(pkey_), nullptr, nullptr,
                                       0, nullptr, nullptr) != 1) {
    ERR_clear_error();
    return {};
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string SigningKey::PublicJwk() const {
  auto* pkey = static_cast<EVP_PKEY*>(pkey_);
  BIGNUM* n_raw = nullptr;
  BIGNUM* e_raw = nullptr;
  EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n_raw);
  EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e_raw);
  BnPtr n(n_raw);
  BnPtr e(e_raw);
  // An RSA key always has both; a failure here is a broken invariant, not input.
  assert(n && e);
  if (!n || !e) {
    ERR_clear_error();
    return {};
  }
  nlohmann::ordered_json jwk = {{"kty", "RSA"},
                                {"kid", kid_},
                                {"use", "sig"},
                                {"alg", "RS256"},
                                {"n", BnToBase64Url(n.get())},
                                {"e", BnToBase64Url(e.get())}};
  return jwk.dump();
}

Result<std::string> SigningKey::Sign(std::string_view payload_json) const {
  nlohmann::ordered_json header = {{"alg", "RS256"}, {"typ", "JWT"}, {"kid", kid_}};
  std::string signing_input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload_json);

  ERR_clear_error();
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return Error::Internal("EVP_MD_CTX_new failed", OpenSslErrors());
  // RSA keys default to PKCS#1 v1.5 padding, which is what RS256 means.
  if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr,
                         static_cast<EVP_PKEY*>(pkey_)) != 1) {
    return Error::Internal("EVP_DigestSignInit failed", OpenSslErrors());
  }
  const auto* in = reinterpret_cast<const unsigned char*>(signing_input.data());
  size_t sig_len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &sig_len, in, signing_input.size()) != 1) {
    return Error::Internal("EVP_DigestSign failed", OpenSslErrors());
  }
  std::string sig(sig_len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len, in,
                     signing_input.size()) != 1) {
    return Error::Internal("EVP_DigestSign failed", OpenSslErrors());
  }
  sig.resize(sig_len);
  return signing_input + "." + Base64UrlEncode(sig);
}

bool SigningKey::Verify(std::string_view signing_input, std::string_view signature) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok = ctx &&
            EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr,
                                 static_cast<EVP_PKEY*>(pkey_)) == 1 &&
            EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(),
                             reinterpret_cast<const unsigned char*>(signing_input.data()),
                             signing_input.size()) == 1;
  // A bad signature leaves entries in the thread's error queue; they are expected, not news.
  if (!ok) ERR_clear_error();
  return ok;
}

Result<JwtClaims> VerifyJwt(std::string_view token,
                            const std::vector<std::shared_ptr<const SigningKey>>& keys) {
  if (token.size() > kMaxTokenBytes) return Invalid("token larger than 8192 bytes");

  size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return Invalid("token does not have three segments");
  size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Invalid("token does not have three segments");
  }
  std::string_view header_b64 = token.substr(0, dot1);
  std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string_view sig_b64 = token.substr(dot2 + 1);
  if (header_b64.empty() || payload_b64.empty() || sig_b64.empty()) {
    return Invalid("token has an empty segment");
  }
  // JWS compact serialization is unpadded (RFC 7515 §2).
  for (std::string_view seg : {header_b64, payload_b64, sig_b64}) {
    if (seg.find('=') != std::string_view::npos) return Invalid("segment is padded");
  }
  auto header_text = Base64UrlDecode(header_b64);
  auto payload_text = Base64UrlDecode(payload_b64);
  auto signature = Base64UrlDecode(sig_b64);
  if (!header_text || !payload_text || !signature) return Invalid("segment is not base64url");

  json header = json::parse(*header_text, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object()) return Invalid("header is not a JSON object");
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string() || alg->get<std::string>() != "RS256") {
    return Invalid("alg is not RS256");
  }
  // RFC 7515 §4.1.11: a recipient must reject critical extensions it does not understand, and
  // orgd understands none.
  if (header.contains("crit")) return Invalid("crit header not supported");
  auto kid = header.find("kid");
  if (kid == header.end() || !kid->is_string()) return Invalid("kid missing");
  const std::string kid_value = kid->get<std::string>();
  const SigningKey* key = nullptr;
  for (const auto& k : keys) {
    if (k && k->kid() == kid_value) {
      key = k.get();
      break;
    }
  }
  // No fallback to trying other keys: a kid names exactly one key.
  if (key == nullptr) return Invalid("unknown kid").WithReason("unknown_kid");
  if (!key->Verify(token.substr(0, dot2), *signature)) return Invalid("bad signature");

  json payload = json::parse(*payload_text, nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded() || !payload.is_object()) {
    return Invalid("payload is not a JSON object");
  }

  JwtClaims claims;
  if (!StringClaim(payload, "iss", claims.iss)) return Invalid("iss is not a string");
  if (!StringClaim(payload, "sub", claims.sub)) return Invalid("sub is not a string");
  if (!StringClaim(payload, "scope", claims.scope)) return Invalid("scope is not a string");
  if (!StringClaim(payload, "jti", claims.jti)) return Invalid("jti is not a string");
  if (!StringClaim(payload, "client_id", claims.client_id)) {
    return Invalid("client_id is not a string");
  }
  if (!payload.contains("client_id") && !StringClaim(payload, "azp", claims.client_id)) {
    return Invalid("azp is not a string");
  }
  if (auto aud = payload.find("aud"); aud != payload.end()) {
    if (aud->is_string()) {
      claims.aud.push_back(aud->get<std::string>());
    } else if (aud->is_array()) {
      for (const auto& a : *aud) {
        if (!a.is_string()) return Invalid("aud holds a non-string");
        claims.aud.push_back(a.get<std::string>());
      }
    } else {
      return Invalid("aud is neither a string nor an array");
    }
  }
  auto exp = payload.find("exp");
  if (exp == payload.end()) return Invalid("exp missing");
  auto exp_value = NumericDate(*exp);
  if (!exp_value) return Invalid("exp is not a number");
  claims.exp = *exp_value;
  if (auto iat = payload.find("iat"); iat != payload.end()) {
    auto v = NumericDate(*iat);
    if (!v) return Invalid("iat is not a number");
    claims.iat = *v;
  }
  if (auto nbf = payload.find("nbf"); nbf != payload.end()) {
    auto v = NumericDate(*nbf);
    if (!v) return Invalid("nbf is not a number");
    claims.nbf = *v;
  }
  if (auto cv = payload.find("cv"); cv != payload.end()) {
    if (!cv->is_number_integer() && !cv->is_number_unsigned()) return Invalid("cv is not an integer");
    if (cv->is_number_unsigned() &&
        cv->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Invalid("cv is out of range");
    }
    claims.cv = cv->get<int64_t>();
  }
  return claims;
}

}  // namespace orgd::auth
