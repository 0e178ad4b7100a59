// The byte pipeline under a layer: digest checks and decompression, each a
// ByteReader wrapping the one below, so a layer streams through in bounded
// memory with every byte hashed once on each side of the decompressor.
#ifndef CINCH_WALK_DECOMPRESS_H_
#define CINCH_WALK_DECOMPRESS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "base/io.h"
#include "base/sha256.h"

namespace cinch {

enum class Compression { kNone, kGzip, kZstd };
std::string_view CompressionName(Compression c);

// Hashes everything read through it. At the end of the stream the digest
// and size are compared with what was expected (an empty digest or a
// negative size is not checked); a mismatch is an error that names `what`.
// Reading more than `expected_size` bytes fails at once, so a lying
// descriptor cannot make cinch read without end.
class DigestingReader : public ByteReader {
 public:
  DigestingReader(std::unique_ptr<ByteReader> inner, std::string expected,
                  int64_t expected_size, std::string what,
                  std::atomic<uint64_t>* progress = nullptr);

  Result<size_t> Read(std::span<char> out) override;
  uint64_t bytes_read() const { return bytes_; }

 private:
  std::unique_ptr<ByteReader> inner_;
  std::string expected_;
  int64_t expected_size_;
  std::string what_;
  std::atomic<uint64_t>* progress_;
  Sha256 hash_;
  uint64_t bytes_ = 0;
  bool done_ = false;
};

// Looks at the first bytes of `compressed` and returns a reader of the
// decompressed stream: gzip (possibly several members), zstd (possibly
// several frames) or, for anything else, the bytes unchanged. `what` names
// the stream in errors, which also carry the compressed offset.
// `compression`, if not null, receives what was found.
Result<std::unique_ptr<ByteReader>> OpenDecompressed(
    std::unique_ptr<ByteReader> compressed, std::string what,
    Compression* compression = nullptr);

}  // namespace cinch

#endif  // CINCH_WALK_DECOMPRESS_H_
