#include "image/copy.h"

#include <gtest/gtest.h>

#include <map>

#include "base/sha256.h"
#include "tests/fixtures/image_builder.h"

namespace cinch {
namespace {

namespace t = ::cinch::testing;

// A destination in memory that checks what it is given as the ImageSink
// contract asks, and records the order of the calls.
class MemorySink : public ImageSink {
 public:
  std::map<std::string, std::string> blobs;
  std::string manifest;
  std::vector<std::string> calls;  // "has D", "put D", "manifest D", "commit"
  std::string fail_put;            // a digest whose PutBlob fails

  Result<bool> HasBlob(const Descriptor& blob) override {
    calls.push_back("has " + blob.digest);
    return blobs.contains(blob.digest);
  }

  Status PutBlob(const Descriptor& blob, ByteReader& content) override {
    calls.push_back("put " + blob.digest);
    if (blob.digest == fail_put) return Fail("refused {}", blob.digest);
    CINCH_ASSIGN(std::string bytes, ReadAll(content, 64 << 20, blob.digest));
    if (Sha256Digest(bytes) != blob.digest ||
        int64_t(bytes.size()) != blob.size) {
      return Fail("blob {} does not match its descriptor", blob.digest);
    }
    blobs[blob.digest] = bytes;
    return {};
  }

  Status PutManifest(const Descriptor& d, std::string_view bytes) override {
    calls.push_back("manifest " + d.digest);
    if (Sha256Digest(bytes) != d.digest) return Fail("manifest digest");
    manifest = std::string(bytes);
    return {};
  }

  Status Commit(const std::vector<std::string>&) override {
    calls.push_back("commit");
    return {};
  }
};

t::ImageBuilder TwoLayers() {
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder().Dir("etc").File("etc/a", "one"))
      .Layer(t::LayerBuilder().File("etc/b", std::string(100000, 'b')),
             t::Compression::kZstd);
  return b;
}

std::unique_ptr<ImageSource> MustOpen(const std::string& ref) {
  auto source = OpenImage(ref, {});
  EXPECT_TRUE(source) << ref << ": " << source.error().message;
  return source ? std::move(*source) : nullptr;
}

TEST(CopyImageTest, KeepsManifestAndConfigBytesAndSendsBlobsFirst) {
  t::TempDir dir;
  auto written = TwoLayers().WriteOciLayout(dir / "l", "v1");
  auto source = MustOpen("oci:" + (dir / "l") + ":v1");
  ASSERT_TRUE(source);
  MemorySink sink;
  std::vector<CopyEvent::Kind> kinds;
  auto ok = CopyImage(*source, sink, {},
                      [&](const CopyEvent& e) { kinds.push_back(e.kind); });
  ASSERT_TRUE(ok) << ok.error().message;

  EXPECT_EQ(sink.manifest, written.manifest_json);
  EXPECT_EQ(Sha256Digest(sink.manifest), written.manifest_digest);
  EXPECT_EQ(sink.blobs[written.config_digest], written.config_json);
  for (const std::string& d : written.layer_digests) {
    EXPECT_TRUE(sink.blobs.contains(d)) << d;
  }
  ASSERT_GE(sink.calls.size(), 2u);
  EXPECT_EQ(sink.calls[sink.calls.size() - 2],
            "manifest " + written.manifest_digest);
  EXPECT_EQ(sink.calls.back(), "commit");
  using K = CopyEvent::Kind;
  EXPECT_EQ(kinds,
            (std::vector<K>{K::kBlobCopied, K::kBlobCopied, K::kBlobCopied,
                            K::kManifest, K::kCommitted}));
}

TEST(CopyImageTest, BlobsTheDestinationHasAreNotRead) {
  t::TempDir dir;
  auto written = TwoLayers().WriteOciLayout(dir / "l", "v1");
  auto source = MustOpen("oci:" + (dir / "l") + ":v1");
  ASSERT_TRUE(source);
  MemorySink sink;
  sink.blobs[written.layer_digests[0]] = "already there";
  sink.blobs[written.config_digest] = written.config_json;
  int exists = 0;
  auto ok = CopyImage(*source, sink, {}, [&](const CopyEvent& e) {
    if (e.kind == CopyEvent::Kind::kBlobExists) ++exists;
  });
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(exists, 2);
  for (const std::string& call : sink.calls) {
    EXPECT_NE(call, "put " + written.layer_digests[0]);
    EXPECT_NE(call, "put " + written.config_digest);
  }
  EXPECT_EQ(sink.blobs[written.layer_digests[0]], "already there");
}

TEST(CopyImageTest, AFailedBlobStopsBeforeTheManifestAndTheCommit) {
  t::TempDir dir;
  auto written = TwoLayers().WriteOciLayout(dir / "l", "v1");
  auto source = MustOpen("oci:" + (dir / "l") + ":v1");
  ASSERT_TRUE(source);
  MemorySink sink;
  sink.fail_put = written.layer_digests[1];
  auto ok = CopyImage(*source, sink, {}, [](const CopyEvent&) {});
  ASSERT_FALSE(ok);
  EXPECT_NE(ok.error().message.find("layer 2"), std::string::npos)
      << ok.error().message;
  EXPECT_TRUE(sink.manifest.empty());
  EXPECT_EQ(std::count(sink.calls.begin(), sink.calls.end(), "commit"), 0);
}

TEST(CopyImageTest, CorruptLayerInTheSourceIsRefusedByTheSink) {
  t::TempDir dir;
  auto written = TwoLayers().WriteOciLayout(dir / "l", "v1");
  std::string blob =
      dir / ("l/blobs/sha256/" + written.layer_digests[1].substr(7));
  auto bytes = ReadFileLimited(blob, 1 << 20);
  ASSERT_TRUE(bytes);
  (*bytes)[bytes->size() / 2] ^= 0x20;
  t::WriteFile(blob, *bytes);
  auto source = MustOpen("oci:" + (dir / "l") + ":v1");
  ASSERT_TRUE(source);
  MemorySink sink;
  auto ok = CopyImage(*source, sink, {}, [](const CopyEvent&) {});
  ASSERT_FALSE(ok);
  EXPECT_TRUE(sink.manifest.empty());
}

TEST(CopyImageTest, DockerArchiveGetsAnOciManifestOfItsBlobs) {
  t::TempDir dir;
  for (bool oci_blobs : {false, true}) {
    std::string file = dir / (oci_blobs ? "new.tar" : "classic.tar");
    auto written = TwoLayers().WriteDockerArchive(file, "app:1", oci_blobs);
    auto source = MustOpen("docker-archive:" + file);
    ASSERT_TRUE(source);
    MemorySink sink;
    auto ok = CopyImage(*source, sink, {}, [](const CopyEvent&) {});
    ASSERT_TRUE(ok) << ok.error().message;
    auto manifest = ParseManifest(sink.manifest);
    ASSERT_TRUE(manifest) << manifest.error().message;
    EXPECT_EQ(manifest->media_type, media_type::kOciManifest);
    EXPECT_EQ(manifest->config.digest, written.config_digest);
    EXPECT_EQ(sink.blobs[written.config_digest], written.config_json);
    ASSERT_EQ(manifest->layers.size(), 2u);
    // The archive holds uncompressed layers: their digests are diff IDs.
    for (size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(manifest->layers[i].digest, written.diff_ids[i]);
      EXPECT_TRUE(sink.blobs.contains(written.diff_ids[i]));
    }
  }
}

TEST(CopyImageTest, RootfsHasNothingToCopy) {
  t::TempDir dir;
  t::WriteFile(dir / "root/etc/a", "x");
  auto source = MustOpen("rootfs:" + (dir / "root"));
  ASSERT_TRUE(source);
  MemorySink sink;
  auto ok = CopyImage(*source, sink, {}, [](const CopyEvent&) {});
  ASSERT_FALSE(ok);
  EXPECT_NE(ok.error().message.find("no manifest"), std::string::npos)
      << ok.error().message;
  EXPECT_TRUE(sink.calls.empty());
}

}  // namespace
}  // namespace cinch
