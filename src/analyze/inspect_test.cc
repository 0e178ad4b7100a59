#include "analyze/inspect.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/fixtures/image_builder.h"

namespace cinch {
namespace {

namespace t = ::cinch::testing;
namespace fs = std::filesystem;

// Three layers: a base with docs and an apt list, a layer replacing a
// binary and deleting a file, and a layer hiding a directory.
t::ImageBuilder Sample() {
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder()
              .Dir("usr")
              .Dir("usr/bin")
              .File("usr/bin/app", std::string(1000, 'a'), 0755)
              .File("usr/share/doc/app/README", std::string(300, 'd'))
              .File("var/lib/apt/lists/x_Packages", std::string(500, 'p'))
              .File("tmp/build.o", std::string(200, 'o')),
          t::Compression::kGzip, "ADD rootfs /")
      .EmptyStep("ENV A=1")
      .Layer(t::LayerBuilder()
                 .File("usr/bin/app", std::string(400, 'b'), 0755)
                 .Whiteout("tmp/build.o"),
             t::Compression::kZstd, "RUN make")
      .Layer(t::LayerBuilder().Whiteout("var/lib/apt"), t::Compression::kNone,
             "RUN rm -rf /var/lib/apt");
  return b;
}

Result<InspectReport> InspectRef(const std::string& ref, unsigned threads = 0,
                                 bool files = false) {
  CINCH_ASSIGN(auto source, OpenImage(ref, {}));
  WalkOptions walk;
  walk.threads = threads;
  CINCH_ASSIGN(ImageWalk w, WalkImage(*source, {}, walk));
  InspectOptions options;
  options.list_files = files;
  return Summarize(source->image(), w, options);
}

TEST(InspectTest, AccountsLayersWasteAndBloat) {
  t::TempDir dir;
  auto written = Sample().WriteOciLayout(dir / "l");
  auto r = InspectRef(dir / "l");
  ASSERT_TRUE(r) << r.error().message;

  ASSERT_EQ(r->steps.size(), 4u);  // the ENV step lines up as empty
  EXPECT_EQ(r->steps[1].layer, -1);
  EXPECT_EQ(r->steps[1].created_by, "ENV A=1");
  EXPECT_EQ(r->steps[2].layer, 1);
  EXPECT_EQ(r->steps[2].compression, "zstd");
  EXPECT_EQ(r->steps[3].compression, "none");
  EXPECT_EQ(r->steps[0].digest, written.layer_digests[0]);

  EXPECT_EQ(r->shipped_file_bytes, 1000u + 300 + 500 + 200 + 400);
  EXPECT_EQ(r->wasted_bytes, 1000u + 200 + 500);
  EXPECT_EQ(r->steps[0].wasted_bytes, 1700u);
  EXPECT_EQ(r->steps[2].changed, 1u);
  EXPECT_EQ(r->steps[2].removed, 1u);
  EXPECT_EQ(r->visible_file_bytes, 700u);
  EXPECT_EQ(r->visible_files, 2u);
  EXPECT_NEAR(r->efficiency, 700.0 / 2400.0, 1e-9);

  ASSERT_EQ(r->bloat.size(), 1u);  // the apt list and tmp file are gone
  EXPECT_EQ(r->bloat[0].kind, "docs");
  EXPECT_EQ(r->bloat[0].bytes, 300u);
  EXPECT_EQ(r->bloat[0].layers, std::vector<int>{0});

  ASSERT_FALSE(r->largest_files.empty());
  EXPECT_EQ(r->largest_files[0].path, "usr/bin/app");
  EXPECT_EQ(r->largest_files[0].layer, 1);
  EXPECT_EQ(r->wasted_paths[0].path, "usr/bin/app");
}

TEST(InspectTest, StreamSizesMatchTheBlobs) {
  t::TempDir dir;
  auto blobs = Sample().Build();
  Sample().WriteOciLayout(dir / "l");
  auto r = InspectRef(dir / "l");
  ASSERT_TRUE(r) << r.error().message;
  for (size_t i = 0; i < 3; ++i) {
    const LayerRow& row = r->steps[i == 0 ? 0 : i + 1];
    EXPECT_EQ(row.compressed_bytes,
              blobs.blobs.at(blobs.image.layer_digests[i]).size());
    EXPECT_GT(row.uncompressed_bytes, 0u);
    EXPECT_EQ(row.uncompressed_bytes % 512, 0u);
  }
}

TEST(InspectTest, EveryFormatGivesTheSameTree) {
  t::TempDir dir;
  Sample().WriteOciLayout(dir / "l");
  Sample().WriteOciArchive(dir / "o.tar");
  Sample().WriteDockerArchive(dir / "d.tar", "x:1");
  Sample().WriteDockerArchive(dir / "d25.tar", "x:1", true);
  auto base = InspectRef(dir / "l", 0, true);
  ASSERT_TRUE(base);
  for (std::string ref : {dir / "o.tar", dir / "d.tar", dir / "d25.tar"}) {
    auto other = InspectRef(ref, 1, true);
    ASSERT_TRUE(other) << ref << ": " << other.error().message;
    ASSERT_EQ(other->files.size(), base->files.size());
    for (size_t i = 0; i < base->files.size(); ++i) {
      EXPECT_EQ(other->files[i].path, base->files[i].path);
      EXPECT_EQ(other->files[i].bytes, base->files[i].bytes);
      EXPECT_EQ(other->files[i].layer, base->files[i].layer);
    }
    EXPECT_EQ(other->wasted_bytes, base->wasted_bytes);
  }
}

TEST(InspectTest, CorruptBlobNamesTheLayerAndDigest) {
  t::TempDir dir;
  auto written = Sample().WriteOciLayout(dir / "l");
  std::string path =
      dir / ("l/blobs/sha256/" + written.layer_digests[1].substr(7));
  std::string blob = t::ReadFile(path);
  blob[blob.size() / 2] ^= 1;
  t::WriteFile(path, blob);
  auto r = InspectRef(dir / "l");
  ASSERT_FALSE(r);
  // Whatever broke first, the damaged blob is named in full and its
  // digest mismatch is given as the cause.
  EXPECT_NE(
      r.error().message.find("layer 2 (blob " + written.layer_digests[1] + ")"),
      std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("does not match digest"), std::string::npos)
      << r.error().message;
}

TEST(InspectTest, ChangedUncompressedLayerFailsTheDiffId) {
  t::TempDir dir;
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder().File("a", "hello"), t::Compression::kNone);
  auto written = b.WriteOciLayout(dir / "l");
  // Re-address the blob under its new digest so only the diff ID can tell.
  std::string old_path =
      dir / ("l/blobs/sha256/" + written.layer_digests[0].substr(7));
  std::string blob = t::ReadFile(old_path);
  blob[600] = 'j';  // first content byte of "a"
  auto r = InspectRef(dir / "l");
  t::WriteFile(old_path, blob);
  r = InspectRef(dir / "l");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("does not match digest"), std::string::npos)
      << r.error().message;
}

TEST(InspectTest, MissingLayerBlobIsNamed) {
  t::TempDir dir;
  auto written = Sample().WriteOciLayout(dir / "l");
  fs::remove(dir / ("l/blobs/sha256/" + written.layer_digests[2].substr(7)));
  auto r = InspectRef(dir / "l");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("layer 3 blob " + written.layer_digests[2] +
                                   " is missing"),
            std::string::npos)
      << r.error().message;
}

TEST(InspectTest, TruncatedLayerInDockerArchiveIsAnError) {
  t::TempDir dir;
  auto blobs = Sample().Build();
  // A docker-archive whose manifest points at a truncated layer.tar.
  std::string tar = t::LayerBuilder().File("f", std::string(4000, 'x')).Tar();
  std::string config = blobs.image.config_json;
  t::WriteTarFile(
      dir / "d.tar",
      {{"manifest.json", R"([{"Config":"c.json","Layers":["l/layer.tar"]}])"},
       {"c.json", R"({"rootfs":{"type":"layers","diff_ids":[")" +
                      t::Sha256Of(tar) + R"("]}})"},
       {"l/layer.tar", tar.substr(0, 1500)}});
  auto r = InspectRef(dir / "d.tar");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("layer 1"), std::string::npos)
      << r.error().message;
}

// A visitor that records the content of the files it asks for.
class ContentRecorder : public Analyzer {
 public:
  explicit ContentRecorder(size_t layers) : seen_(layers) {}
  std::unique_ptr<LayerVisitor> NewLayerVisitor(const Layer& l) override {
    class V : public LayerVisitor {
     public:
      explicit V(std::map<std::string, std::string>& out) : out_(out) {}
      bool OnEntry(const Entry& e) override {
        if (!e.path.starts_with("usr/bin/")) return false;
        current_ = &out_[e.path];
        return true;
      }
      void OnData(std::span<const char> c) override {
        current_->append(c.data(), c.size());
      }

     private:
      std::map<std::string, std::string>& out_;
      std::string* current_ = nullptr;
    };
    return std::make_unique<V>(seen_[l.index]);
  }
  std::vector<std::map<std::string, std::string>> seen_;
};

TEST(WalkTest, VisitorsGetExactlyTheContentTheyAskFor) {
  t::TempDir dir;
  Sample().WriteOciLayout(dir / "l");
  auto source = OpenImage(dir / "l", {});
  ASSERT_TRUE(source);
  ContentRecorder recorder(3);
  Analyzer* extra[] = {&recorder};
  for (unsigned threads : {1u, 3u}) {
    recorder.seen_.assign(3, {});
    WalkOptions options;
    options.threads = threads;
    auto w = WalkImage(**source, extra, options);
    ASSERT_TRUE(w) << w.error().message;
    EXPECT_EQ(recorder.seen_[0].at("usr/bin/app"), std::string(1000, 'a'));
    EXPECT_EQ(recorder.seen_[1].at("usr/bin/app"), std::string(400, 'b'));
    EXPECT_TRUE(recorder.seen_[2].empty());
  }
}

TEST(WalkTest, ProgressCountsEveryStoredByte) {
  t::TempDir dir;
  auto blobs = Sample().Build();
  Sample().WriteOciLayout(dir / "l");
  auto source = OpenImage(dir / "l", {});
  ASSERT_TRUE(source);
  std::atomic<uint64_t> progress{0};
  WalkOptions options;
  options.progress = &progress;
  ASSERT_TRUE(WalkImage(**source, {}, options));
  uint64_t total = 0;
  for (const std::string& d : blobs.image.layer_digests) {
    total += blobs.blobs.at(d).size();
  }
  EXPECT_EQ(progress.load(), total);
}

TEST(WalkTest, RootfsDirectoryIsOneLayer) {
  t::TempDir dir;
  t::WriteFile(dir / "root/usr/share/man/man1/x.1", "manual");
  t::WriteFile(dir / "root/bin/tool", "tool");
  auto r = InspectRef("rootfs:" + (dir / "root"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->layer_count, 1u);
  EXPECT_EQ(r->visible_files, 2u);
  ASSERT_EQ(r->bloat.size(), 1u);
  EXPECT_EQ(r->bloat[0].kind, "man");
}

}  // namespace
}  // namespace cinch
