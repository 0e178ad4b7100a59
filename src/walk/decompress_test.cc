#include "walk/decompress.h"

#include <gtest/gtest.h>

#include <cstring>

#include "tests/fixtures/image_builder.h"

namespace cinch {
namespace {

namespace t = ::cinch::testing;

class StringReader : public ByteReader {
 public:
  explicit StringReader(std::string data, size_t step = 1 << 20)
      : data_(std::move(data)), step_(step) {}
  Result<size_t> Read(std::span<char> out) override {
    size_t n = std::min({out.size(), data_.size() - pos_, step_});
    std::memcpy(out.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  size_t pos_ = 0;
  size_t step_;
};

std::string Sample(size_t n) {
  std::string s(n, '\0');
  uint32_t x = 12345;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245 + 12345;
    s[i] = "abcdefgh\n "[(x >> 16) % 10];
  }
  return s;
}

Result<std::string> Decompress(std::string blob, Compression* found = nullptr,
                               size_t step = 1 << 20) {
  auto reader =
      OpenDecompressed(std::make_unique<StringReader>(std::move(blob), step),
                       "test blob", found);
  if (!reader) return Fail(reader.error());
  return ReadAll(**reader, 1 << 30, "test");
}

TEST(DecompressTest, RecognisesEachFormat) {
  std::string data = Sample(300000);
  Compression found;
  EXPECT_EQ(*Decompress(t::GzipBytes(data), &found), data);
  EXPECT_EQ(found, Compression::kGzip);
  EXPECT_EQ(*Decompress(t::ZstdBytes(data), &found), data);
  EXPECT_EQ(found, Compression::kZstd);
  EXPECT_EQ(*Decompress(data, &found), data);
  EXPECT_EQ(found, Compression::kNone);
}

TEST(DecompressTest, SmallReadsFromBelowGiveTheSameBytes) {
  std::string data = Sample(100000);
  EXPECT_EQ(*Decompress(t::GzipBytes(data), nullptr, 7), data);
  EXPECT_EQ(*Decompress(t::ZstdBytes(data), nullptr, 7), data);
}

TEST(DecompressTest, ConcatenatedGzipMembersAndZstdFrames) {
  std::string a = Sample(5000), b = Sample(7000);
  EXPECT_EQ(*Decompress(t::GzipBytes(a) + t::GzipBytes(b)), a + b);
  EXPECT_EQ(*Decompress(t::ZstdBytes(a) + t::ZstdBytes(b)), a + b);
}

TEST(DecompressTest, EmptyAndTinyStreams) {
  EXPECT_EQ(*Decompress(""), "");
  EXPECT_EQ(*Decompress("ab"), "ab");
  EXPECT_EQ(*Decompress(t::GzipBytes("")), "");
}

TEST(DecompressTest, TruncatedGzipNamesTheOffset) {
  std::string blob = t::GzipBytes(Sample(200000));
  auto r = Decompress(blob.substr(0, blob.size() / 2));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("test blob: gzip stream truncated at "
                                   "compressed offset"),
            std::string::npos)
      << r.error().message;
}

TEST(DecompressTest, TruncatedZstdIsAnError) {
  std::string blob = t::ZstdBytes(Sample(200000));
  auto r = Decompress(blob.substr(0, blob.size() - 10));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("zstd stream truncated"), std::string::npos)
      << r.error().message;
}

TEST(DecompressTest, CorruptCrcIsAnError) {
  std::string blob = t::GzipBytes(Sample(1000));
  blob[blob.size() - 6] ^= 0x55;  // inside the CRC-32 trailer
  auto r = Decompress(blob);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("corrupt gzip data"), std::string::npos)
      << r.error().message;
}

TEST(DecompressTest, GarbageAfterGzipIsAnError) {
  auto r = Decompress(t::GzipBytes(Sample(1000)) + "trailing");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("unexpected data after the end"),
            std::string::npos)
      << r.error().message;
}

TEST(DigestingReaderTest, AcceptsMatchingDigestAndSize) {
  std::string data = Sample(1000);
  DigestingReader r(std::make_unique<StringReader>(data), t::Sha256Of(data),
                    int64_t(data.size()), "blob X");
  auto all = ReadAll(r, 1 << 20, "x");
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(*all, data);
  EXPECT_EQ(r.bytes_read(), data.size());
}

TEST(DigestingReaderTest, MismatchNamesTheBlob) {
  std::string data = Sample(1000);
  DigestingReader r(std::make_unique<StringReader>(data), t::Sha256Of("other"),
                    -1, "blob X");
  auto all = ReadAll(r, 1 << 20, "x");
  ASSERT_FALSE(all);
  EXPECT_NE(all.error().message.find("blob X: content does not match digest"),
            std::string::npos);
}

TEST(DigestingReaderTest, StopsAsSoonAsTheSizeIsExceeded) {
  DigestingReader r(std::make_unique<StringReader>(Sample(5000), 100), "", 150,
                    "blob Y");
  auto all = ReadAll(r, 1 << 20, "x");
  ASSERT_FALSE(all);
  EXPECT_NE(all.error().message.find("longer than the 150 bytes"),
            std::string::npos);
}

TEST(DigestingReaderTest, ShortStreamIsAnError) {
  DigestingReader r(std::make_unique<StringReader>("abc"), "", 10, "blob Z");
  auto all = ReadAll(r, 1 << 20, "x");
  ASSERT_FALSE(all);
  EXPECT_NE(all.error().message.find("3 bytes, but its descriptor states 10"),
            std::string::npos);
}

}  // namespace
}  // namespace cinch
