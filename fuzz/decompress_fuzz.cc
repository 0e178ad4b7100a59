// Arbitrary bytes through gzip/zstd sniffing and decompression, with a cap
// on output so a decompression bomb ends the run instead of the machine.
#include <cstring>

#include "walk/decompress.h"

namespace {

constexpr size_t kMaxOutput = 64 << 20;

class BytesReader : public cinch::ByteReader {
 public:
  BytesReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  cinch::Result<size_t> Read(std::span<char> out) override {
    size_t n = std::min(out.size(), size_ - pos_);
    std::memcpy(out.data(), data_ + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader = cinch::OpenDecompressed(
      std::make_unique<BytesReader>(data, size), "fuzz");
  if (!reader) return 0;
  static char buf[1 << 16];
  size_t total = 0;
  while (total < kMaxOutput) {
    auto n = (*reader)->Read(buf);
    if (!n || *n == 0) break;
    total += *n;
  }
  return 0;
}
