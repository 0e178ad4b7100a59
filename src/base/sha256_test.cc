#include "base/sha256.h"

#include <gtest/gtest.h>

namespace cinch {
namespace {

TEST(Sha256Test, MatchesKnownVectors) {
  EXPECT_EQ(Sha256Digest(""),
            "sha256:"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Digest("abc"),
            "sha256:"
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Test, IncrementalEqualsOneShot) {
  std::string data(100000, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = char(i * 7);
  Sha256 h;
  for (size_t i = 0; i < data.size(); i += 997) {
    h.Update(std::string_view(data).substr(i, 997));
  }
  EXPECT_EQ(h.FinishDigest(), Sha256Digest(data));
}

TEST(Sha256Test, ValidateDigestAcceptsOnlyLowercaseSha256) {
  std::string good = Sha256Digest("x");
  EXPECT_TRUE(ValidateDigest(good));
  std::string upper = good;
  upper[10] = 'A';
  EXPECT_FALSE(ValidateDigest(upper));
  EXPECT_FALSE(ValidateDigest(good.substr(0, good.size() - 1)));
  EXPECT_FALSE(ValidateDigest("sha512:abcd"));
  EXPECT_FALSE(ValidateDigest("nocolon"));
  auto e = ValidateDigest("md5:00");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("unsupported digest algorithm 'md5'"),
            std::string::npos);
}

}  // namespace
}  // namespace cinch
