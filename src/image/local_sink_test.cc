#include "image/local_sink.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "image/tar_writer.h"
#include "slim/slim_test_util.h"
#include "walk/entry_reader.h"
#include "walk/walker.h"

namespace cinch {
namespace {

namespace fs = std::filesystem;
using cinch::slim::testing::LayerContents;
using cinch::slim::testing::StringReader;
using cinch::slim::testing::WriteImage;
using cinch::testing::ImageBuilder;
using cinch::testing::LayerBuilder;
using cinch::testing::TempDir;

ImageBuilder TwoLayers() {
  ImageBuilder b;
  b.Layer(LayerBuilder().Dir("etc").File("etc/hostname", "box\n"));
  b.Layer(LayerBuilder().File("app.txt", "hello"),
          cinch::testing::Compression::kZstd);
  return b;
}

// Reads the image back through cinch's own source and walk.
std::map<std::string, std::string> ReadBack(const std::string& ref) {
  std::map<std::string, std::string> files;
  auto source = OpenImage(ref, OpenOptions{});
  EXPECT_TRUE(source) << (source ? "" : source.error().message);
  if (!source) return files;
  LayerContents contents((*source)->image().layers.size());
  Analyzer* a[] = {&contents};
  auto walked = WalkLayers(**source, a, WalkOptions{});
  EXPECT_TRUE(walked) << (walked ? "" : walked.error().message);
  for (const auto& layer : contents.layers()) {
    for (const auto& [path, f] : layer) files[path] = f.content;
  }
  return files;
}

TEST(LocalSinkTest, EveryTransportRoundTripsThroughCinchsOwnReader) {
  TempDir dir;
  for (std::string ref :
       {"oci:" + (dir / "layout") + ":v1",
        "oci-archive:" + (dir / "image.tar") + ":v1",
        "docker-archive:" + (dir / "docker.tar") + ":example/app:v1"}) {
    std::string error;
    std::string digest = WriteImage(TwoLayers(), nullptr, ref, &error);
    ASSERT_FALSE(digest.empty()) << ref << ": " << error;
    auto files = ReadBack(ref);
    EXPECT_EQ(files["etc/hostname"], "box\n") << ref;
    EXPECT_EQ(files["app.txt"], "hello") << ref;
  }
  // Nothing but the destinations is left beside them.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names,
            (std::vector<std::string>{"docker.tar", "image.tar", "layout"}));
}

TEST(LocalSinkTest, ArchivesAreByteIdenticalForTheSameImage) {
  TempDir dir;
  ASSERT_FALSE(
      WriteImage(TwoLayers(), nullptr, "oci-archive:" + (dir / "a")).empty());
  ASSERT_FALSE(
      WriteImage(TwoLayers(), nullptr, "oci-archive:" + (dir / "b")).empty());
  EXPECT_EQ(cinch::testing::ReadFile(dir / "a"),
            cinch::testing::ReadFile(dir / "b"));
}

TEST(LocalSinkTest, RefusesABlobWhoseBytesDoNotMatchItsDigest) {
  TempDir dir;
  auto sink = OpenSink("oci:" + (dir / "out"), SinkOptions{});
  ASSERT_TRUE(sink);
  std::string bytes = "layer bytes";
  Descriptor d;
  d.media_type = std::string(media_type::kOciLayer);
  d.digest = cinch::testing::Sha256Of(bytes);
  d.size = int64_t(bytes.size());
  StringReader good(bytes);
  EXPECT_TRUE((*sink)->PutBlob(d, good));
  StringReader bad("layer bytez");
  auto refused = (*sink)->PutBlob(d, bad);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("arrived as"), std::string::npos);
  StringReader longer("layer bytes and more");
  EXPECT_FALSE((*sink)->PutBlob(d, longer));
}

TEST(LocalSinkTest, LeavesNothingBehindWithoutCommit) {
  TempDir dir;
  {
    auto sink = OpenSink("oci-archive:" + (dir / "out.tar"), SinkOptions{});
    ASSERT_TRUE(sink);
    std::string bytes = "x";
    StringReader r(bytes);
    Descriptor d;
    d.digest = cinch::testing::Sha256Of(bytes);
    d.size = 1;
    ASSERT_TRUE((*sink)->PutBlob(d, r));
  }
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(LocalSinkTest, AddsToAnExistingLayoutAndReplacesTheSameTag) {
  TempDir dir;
  std::string layout = dir / "layout";
  ImageBuilder other;
  other.Layer(LayerBuilder().File("other.txt", "other"));
  ASSERT_FALSE(
      WriteImage(TwoLayers(), nullptr, "oci:" + layout + ":a").empty());
  ASSERT_FALSE(WriteImage(other, nullptr, "oci:" + layout + ":b").empty());
  ASSERT_FALSE(WriteImage(other, nullptr, "oci:" + layout + ":a").empty());
  EXPECT_EQ(ReadBack("oci:" + layout + ":b")["other.txt"], "other");
  EXPECT_EQ(ReadBack("oci:" + layout + ":a")["other.txt"], "other");
  auto index = Json::parse(cinch::testing::ReadFile(layout + "/index.json"));
  EXPECT_EQ(index["manifests"].size(), 2u);
}

TEST(LocalSinkTest, RefusesANonLayoutDirectoryAndUnknownTransports) {
  TempDir dir;
  cinch::testing::WriteFile(dir / "full/file", "x");
  std::string error;
  EXPECT_TRUE(WriteImage(TwoLayers(), nullptr, "oci:" + (dir / "full"), &error)
                  .empty());
  EXPECT_NE(error.find("not an OCI image layout"), std::string::npos) << error;
  EXPECT_FALSE(OpenSink(dir / "plain", SinkOptions{}));
  auto unknown = OpenSink("ftp://localhost/x:1", SinkOptions{});
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("name the destination's transport"),
            std::string::npos);
}

class StringWriter : public ByteWriter {
 public:
  explicit StringWriter(std::string& s) : s_(s) {}
  Status Write(std::span<const char> b) override {
    s_.append(b.data(), b.size());
    return {};
  }

 private:
  std::string& s_;
};

TEST(TarWriterTest, LongNamesLinksAndXattrsSurviveAReadBack) {
  std::string long_name = std::string(150, 'd') + "/" + std::string(120, 'f');
  std::string long_link = "/" + std::string(130, 't');
  std::string tar;
  StringWriter out(tar);
  TarWriter w(&out);
  TarMember file;
  file.path = long_name;
  file.mode = 04755;
  file.uid = 1u << 30;  // too big for the ustar field
  file.xattrs["security.capability"] = std::string("\x01\x02\0x", 4);
  ASSERT_TRUE(w.WriteFile(file, "content"));
  TarMember link;
  link.path = "l";
  link.type = TarMember::Type::kSymlink;
  link.link_target = long_link;
  ASSERT_TRUE(w.WriteHeader(link));
  ASSERT_TRUE(w.Finish());
  ASSERT_EQ(tar.size() % 512, 0u);

  auto reader = NewTarEntryReader(std::make_unique<StringReader>(tar), "t");
  Entry e;
  ASSERT_TRUE(reader->Next(e).value_or(false));
  EXPECT_EQ(e.path, long_name);
  EXPECT_EQ(e.mode, 04755u);
  EXPECT_EQ(e.uid, 1u << 30);
  EXPECT_EQ(e.size, 7u);
  ASSERT_EQ(e.xattrs.size(), 1u);
  EXPECT_EQ(e.xattrs[0].value, std::string("\x01\x02\0x", 4));
  std::string data(16, '\0');
  EXPECT_EQ(reader->ReadData(data).value_or(0), 7u);
  ASSERT_TRUE(reader->Next(e).value_or(false));
  EXPECT_EQ(e.type, EntryType::kSymlink);
  EXPECT_EQ(e.link_target, long_link);
  EXPECT_FALSE(reader->Next(e).value_or(true));
}

TEST(TarWriterTest, RefusesToEndWithContentOwed) {
  std::string tar;
  StringWriter out(tar);
  TarWriter w(&out);
  TarMember m;
  m.path = "short";
  m.size = 10;
  ASSERT_TRUE(w.WriteHeader(m));
  ASSERT_TRUE(w.WriteData(std::span<const char>("12345", 5)));
  EXPECT_FALSE(w.Finish());
  EXPECT_FALSE(w.WriteData(std::span<const char>("123456", 6)));
}

}  // namespace
}  // namespace cinch
