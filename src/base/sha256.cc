#include "base/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace cinch {
namespace {

constexpr std::string_view kSha256Prefix = "sha256:";
constexpr size_t kSha256HexLength = 64;

}  // namespace

struct Sha256::Impl {
  EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_MD_CTX_new();
  // Allocation failure of a few hundred bytes is not recoverable here.
  if (impl_->ctx == nullptr ||
      EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) != 1) {
    std::abort();
  }
}

Sha256::~Sha256() {
  if (impl_) EVP_MD_CTX_free(impl_->ctx);
}

Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::Update(const void* data, size_t size) {
  EVP_DigestUpdate(impl_->ctx, data, size);
}

std::string Sha256::FinishDigest() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(impl_->ctx, md, &length);
  EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr);

  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(kSha256Prefix);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

std::string Sha256Digest(std::string_view data) {
  Sha256 h;
  h.Update(data);
  return h.FinishDigest();
}

Status ValidateDigest(std::string_view digest) {
  if (!digest.starts_with(kSha256Prefix)) {
    auto colon = digest.find(':');
    if (colon == std::string_view::npos) {
      return Fail("malformed digest '{}': expected 'sha256:<hex>'", digest);
    }
    return Fail("unsupported digest algorithm '{}' in '{}'",
                digest.substr(0, colon), digest);
  }
  std::string_view hex = digest.substr(kSha256Prefix.size());
  if (hex.size() != kSha256HexLength) {
    return Fail("malformed digest '{}': expected 64 hex digits", digest);
  }
  for (char c : hex) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!ok) return Fail("malformed digest '{}': not lowercase hex", digest);
  }
  return {};
}

std::string_view DigestHex(std::string_view digest) {
  return digest.substr(kSha256Prefix.size());
}

}  // namespace cinch
