// Feeds arbitrary bytes to the layer tar reader: every entry is read to the
// end, as the walk does. Any crash, hang or sanitizer report is a bug.
#include <cstring>

#include "walk/entry_reader.h"

namespace {

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
  auto reader = cinch::NewTarEntryReader(
      std::make_unique<BytesReader>(data, size), "fuzz");
  cinch::Entry entry;
  char buf[4096];
  while (true) {
    auto more = reader->Next(entry);
    if (!more || !*more) break;
    while (true) {
      auto n = reader->ReadData(buf);
      if (!n || *n == 0) break;
    }
  }
  (void)reader->Finish();
  return 0;
}
