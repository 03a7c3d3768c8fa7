#include "auth/kek.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cerrno>
#include <cstdlib>
#include <optional>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "auth/jwt.h"
#include "common/id_generator.h"
#include "common/log.h"

namespace orgd::auth {
namespace {

constexpr std::string_view kPrefix = "kek1:";
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\r' ||
                        s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

std::optional<std::string> HexDecode(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = nibble(text[i]);
    int lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

// Overwrites a string holding key bytes before it is freed.
void Wipe(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

}  // namespace

Result<Kek> Kek::Parse(std::string_view text) {
  text = Trim(text);
  std::optional<std::string> bytes;
  if (text.size() == 2 * kBytes) {
    bytes = HexDecode(text);
  } else {
    bytes = Base64Decode(text);
  }
  if (!bytes || bytes->size() != kBytes) {
    if (bytes) Wipe(*bytes);
    return Error::InvalidArgument(
        "the KEK must be 32 bytes as base64 (44 characters) or as 64 hex digits; make one with "
        "`orgd kek generate` or `head -c32 /dev/urandom | base64`");
  }
  Kek kek;
  std::memcpy(kek.bytes_.data(), bytes->data(), kBytes);
  Wipe(*bytes);
  return kek;
}

Kek Kek::Generate() {
  Kek kek;
  if (RAND_bytes(kek.bytes_.data(), static_cast<int>(kBytes)) != 1) {
    // The CSPRNG failing means the process cannot make any secret; there is nothing safe to do.
    std::abort();
  }
  return kek;
}

std::string Kek::ToText() const {
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(bytes_.data()), kBytes));
}

bool Kek::IsSealed(std::string_view text) { return text.starts_with(kPrefix); }

Result<std::string> Kek::Seal(std::string_view plaintext, std::string_view aad) const {
  unsigned char nonce[kNonceBytes];
  if (RAND_bytes(nonce, sizeof(nonce)) != 1) return Error::Internal("RAND_bytes failed");
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Error::Internal("EVP_CIPHER_CTX_new failed");
  std::string out(plaintext.size() + kTagBytes, '\0');
  auto* out_bytes = reinterpret_cast<unsigned char*>(out.data());
  int len = 0;
  int total = 0;
  bool ok =
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, bytes_.data(), nonce) == 1 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) == 1 &&
      EVP_EncryptUpdate(ctx.get(), out_bytes, &len,
                        reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) == 1;
  total = len;
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), out_bytes + total, &len) == 1;
  total += len;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, out_bytes + total) == 1;
  if (!ok) return Error::Internal("AES-256-GCM encryption failed");
  out.resize(static_cast<size_t>(total) + kTagBytes);
  return std::string(kPrefix) +
         Base64Encode(std::string_view(reinterpret_cast<const char*>(nonce), kNonceBytes)) + ":" +
         Base64Encode(out);
}

Result<std::string> Kek::Open(std::string_view envelope, std::string_view aad) const {
  auto not_envelope = [] {
    return Error::InvalidArgument("not a kek1 envelope").WithReason("envelope");
  };
  if (!envelope.starts_with(kPrefix)) return not_envelope();
  envelope.remove_prefix(kPrefix.size());
  const size_t colon = envelope.find(':');
  if (colon == std::string_view::npos) return not_envelope();
  auto nonce = Base64Decode(envelope.substr(0, colon));
  auto sealed = Base64Decode(envelope.substr(colon + 1));
  if (!nonce || nonce->size() != kNonceBytes || !sealed || sealed->size() < kTagBytes) {
    return not_envelope();
  }
  const size_t cipher_len = sealed->size() - kTagBytes;
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Error::Internal("EVP_CIPHER_CTX_new failed");
  std::string plain(cipher_len, '\0');
  auto* plain_bytes = reinterpret_cast<unsigned char*>(plain.data());
  auto* sealed_bytes = reinterpret_cast<unsigned char*>(sealed->data());
  int len = 0;
  bool ok =
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, bytes_.data(),
                         reinterpret_cast<const unsigned char*>(nonce->data())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), plain_bytes, &len, sealed_bytes,
                        static_cast<int>(cipher_len)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes,
                          sealed_bytes + cipher_len) == 1;
  int final_len = 0;
  // The tag is checked here: a wrong KEK or altered bytes fail.
  ok = ok && EVP_DecryptFinal_ex(ctx.get(), plain_bytes + len, &final_len) == 1;
  if (!ok) {
    Wipe(plain);
    return Error::PermissionDenied("the key does not decrypt with this KEK").WithReason("wrong_kek");
  }
  plain.resize(static_cast<size_t>(len + final_len));
  return plain;
}

Result<Kek> ReadKekFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    log::Warn("the KEK file can be read by other users; chmod 600 it", {{"path", path}});
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error::InvalidArgument("cannot read the KEK file " + path + ": " +
                                  std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string content = text.str();
  auto kek = Kek::Parse(content);
  Wipe(content);
  if (!kek) return Error::InvalidArgument("KEK file " + path + ": " + kek.error().message);
  return kek;
}

Result<Kek> LoadOrCreateKekFile(const std::string& path, bool& created) {
  created = false;
  if (::access(path.c_str(), F_OK) == 0) return ReadKekFile(path);
  // Written whole to a private temporary name, then linked into place: link(2) fails when the
  // name exists, so a racing process never sees a half-written file and only one KEK wins.
  const Kek kek = Kek::Generate();
  const std::string tmp = path + ".tmp-" + RandomHex(12);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error::InvalidArgument("cannot create the KEK file " + tmp + ": " +
                                  std::strerror(errno));
  }
  std::string text = kek.ToText() + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  Wipe(text);
  ::close(fd);
  if (!ok) {
    ::unlink(tmp.c_str());
    return Error::InvalidArgument("cannot write the KEK file " + tmp);
  }
  const int linked = ::link(tmp.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (linked != 0) {
    if (link_errno == EEXIST) return ReadKekFile(path);
    return Error::InvalidArgument("cannot create the KEK file " + path + ": " +
                                  std::strerror(link_errno));
  }
  created = true;
  return kek;
}

}  // namespace orgd::auth
