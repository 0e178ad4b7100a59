// Streaming SHA-256 and the "sha256:<hex>" digest strings of the OCI image
// specification (image-spec descriptor.md, "Digests").
#ifndef CINCH_BASE_SHA256_H_
#define CINCH_BASE_SHA256_H_

#include <memory>
#include <string>
#include <string_view>

#include "base/error.h"

namespace cinch {

// Incremental SHA-256. Uses OpenSSL, which picks the CPU's SHA extensions
// when present. Not thread-safe; one instance per stream.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void Update(const void* data, size_t size);
  void Update(std::string_view data) { Update(data.data(), data.size()); }

  // Returns "sha256:<64 lowercase hex>" and resets the hasher.
  std::string FinishDigest();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "sha256:<hex>" of `data`.
std::string Sha256Digest(std::string_view data);

// Checks that `digest` is "sha256:" followed by 64 lowercase hex digits.
// Other algorithms are refused: cinch cannot verify them.
Status ValidateDigest(std::string_view digest);

// The hex part of a validated digest.
std::string_view DigestHex(std::string_view digest);

}  // namespace cinch

#endif  // CINCH_BASE_SHA256_H_
