#include "image/source.h"

#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "image/file_set.h"
#include "tests/fixtures/image_builder.h"

namespace cinch {
namespace {

namespace t = ::cinch::testing;
namespace fs = std::filesystem;

t::ImageBuilder TwoLayers() {
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder().Dir("etc").File("etc/a", "one"),
          t::Compression::kGzip, "ADD a")
      .EmptyStep("ENV X=1")
      .Layer(t::LayerBuilder().File("etc/b", "two"), t::Compression::kZstd,
             "RUN b");
  return b;
}

std::string ErrorOf(std::string_view ref, OpenOptions options = {}) {
  auto s = OpenImage(ref, options);
  return s ? "" : s.error().message;
}

void ExpectTwoLayers(const Image& image) {
  ASSERT_EQ(image.layers.size(), 2u);
  EXPECT_EQ(image.config.history.size(), 3u);
  EXPECT_EQ(image.layers[0].history_index, 0);
  EXPECT_EQ(image.layers[1].history_index, 2);  // the ENV step is skipped
  EXPECT_EQ(image.layers[1].diff_id.substr(0, 7), "sha256:");
}

TEST(OpenImageTest, OciLayoutByTagAndBarePath) {
  t::TempDir dir;
  auto written = TwoLayers().WriteOciLayout(dir / "layout", "v1");
  for (std::string ref : {"oci:" + (dir / "layout") + ":v1",
                          "oci:" + (dir / "layout"), dir / "layout"}) {
    auto source = OpenImage(ref, {});
    ASSERT_TRUE(source) << ref << ": " << source.error().message;
    const Image& image = (*source)->image();
    EXPECT_EQ(image.transport, Transport::kOciLayout);
    EXPECT_EQ(image.manifest_digest, written.manifest_digest);
    EXPECT_EQ(image.config_digest, written.config_digest);
    EXPECT_EQ(image.layers[1].descriptor.digest, written.layer_digests[1]);
    ExpectTwoLayers(image);
  }
}

TEST(OpenImageTest, UnknownTagListsTheTags) {
  t::TempDir dir;
  TwoLayers().WriteOciLayout(dir / "layout", "v1");
  EXPECT_NE(ErrorOf("oci:" + (dir / "layout") + ":v2")
                .find("no image tagged 'v2' (tags: v1)"),
            std::string::npos);
}

TEST(OpenImageTest, OciArchive) {
  t::TempDir dir;
  auto written = TwoLayers().WriteOciArchive(dir / "img.tar", "v1");
  for (std::string ref :
       {"oci-archive:" + (dir / "img.tar"),
        "oci-archive:" + (dir / "img.tar") + ":v1", dir / "img.tar"}) {
    auto source = OpenImage(ref, {});
    ASSERT_TRUE(source) << ref << ": " << source.error().message;
    EXPECT_EQ((*source)->image().transport, Transport::kOciArchive);
    EXPECT_EQ((*source)->image().manifest_digest, written.manifest_digest);
    ExpectTwoLayers((*source)->image());
  }
}

TEST(OpenImageTest, DockerArchiveClassicAndOciBlobs) {
  t::TempDir dir;
  for (bool oci_blobs : {false, true}) {
    std::string file = dir / (oci_blobs ? "new.tar" : "classic.tar");
    auto written = TwoLayers().WriteDockerArchive(file, "app:1", oci_blobs);
    for (std::string ref :
         {"docker-archive:" + file, "docker-archive:" + file + ":app:1",
          "docker-archive:" + file + ":@0", file}) {
      auto source = OpenImage(ref, {});
      ASSERT_TRUE(source) << ref << ": " << source.error().message;
      const Image& image = (*source)->image();
      EXPECT_EQ(image.transport, Transport::kDockerArchive);
      EXPECT_EQ(image.config_digest, written.config_digest);
      EXPECT_EQ(image.repo_tags, std::vector<std::string>{"app:1"});
      ExpectTwoLayers(image);
      // Both layouts name the uncompressed blob by its digest.
      EXPECT_EQ(image.layers[0].descriptor.digest.empty(), !oci_blobs);
    }
    EXPECT_NE(ErrorOf("docker-archive:" + file + ":other:2")
                  .find("no image tagged 'other:2'"),
              std::string::npos);
    EXPECT_NE(ErrorOf("docker-archive:" + file + ":@3").find("no image @3"),
              std::string::npos);
  }
}

TEST(OpenImageTest, TarFileSetServesMembersAtTheirOffsets) {
  t::TempDir dir;
  std::string big(70000, 'q');
  t::WriteTarFile(
      dir / "a.tar",
      {{"x/one", "first"}, {"y/" + std::string(200, 'n'), big}, {"z", ""}});
  auto files = OpenTarFileSet(dir / "a.tar");
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ(*(*files)->ReadSmall("x/one", 100), "first");
  EXPECT_EQ(*(*files)->ReadSmall("./y/" + std::string(200, 'n'), 1 << 20), big);
  EXPECT_EQ(*(*files)->ReadSmall("z", 100), "");
  EXPECT_FALSE((*files)->SizeOf("nope"));
  EXPECT_FALSE((*files)->ReadSmall("x/one", 2));  // over the limit
}

TEST(OpenImageTest, PicksThePlatformFromAnIndex) {
  t::TempDir dir;
  auto amd = TwoLayers().Platform("linux", "amd64").Build();
  auto arm = t::ImageBuilder()
                 .Layer(t::LayerBuilder().File("arm", "1"))
                 .Platform("linux", "arm64", "v8")
                 .Build();
  nlohmann::json index;
  index["schemaVersion"] = 2;
  index["mediaType"] = "application/vnd.oci.image.index.v1+json";
  auto entry = [](const t::WrittenImage& w, std::string arch,
                  std::string variant) {
    nlohmann::json d;
    d["mediaType"] = "application/vnd.oci.image.manifest.v1+json";
    d["digest"] = w.manifest_digest;
    d["size"] = w.manifest_json.size();
    d["platform"] = {{"os", "linux"}, {"architecture", arch}};
    if (!variant.empty()) d["platform"]["variant"] = variant;
    return d;
  };
  index["manifests"] = {entry(amd.image, "amd64", ""),
                        entry(arm.image, "arm64", "v8")};
  std::string index_json = index.dump();
  std::string layout = dir / "multi";
  for (auto* b : {&amd, &arm}) {
    for (const auto& [digest, bytes] : b->blobs) {
      t::WriteFile(layout + "/blobs/sha256/" + digest.substr(7), bytes);
    }
  }
  t::WriteFile(layout + "/blobs/sha256/" + t::Sha256Of(index_json).substr(7),
               index_json);
  nlohmann::json top;
  top["schemaVersion"] = 2;
  top["manifests"] = {
      {{"mediaType", "application/vnd.oci.image.index.v1+json"},
       {"digest", t::Sha256Of(index_json)},
       {"size", index_json.size()},
       {"annotations", {{"org.opencontainers.image.ref.name", "multi"}}}}};
  t::WriteFile(layout + "/index.json", top.dump());
  t::WriteFile(layout + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})");

  OpenOptions arm64;
  arm64.platform = *ParsePlatform("linux/arm64");
  auto source = OpenImage("oci:" + layout, arm64);
  ASSERT_TRUE(source) << source.error().message;
  EXPECT_EQ((*source)->image().manifest_digest, arm.image.manifest_digest);
  EXPECT_EQ((*source)->image().config.platform.variant, "v8");

  OpenOptions amd64;
  amd64.platform = *ParsePlatform("linux/amd64");
  source = OpenImage("oci:" + layout, amd64);
  ASSERT_TRUE(source) << source.error().message;
  EXPECT_EQ((*source)->image().manifest_digest, amd.image.manifest_digest);

  OpenOptions s390x;
  s390x.platform = *ParsePlatform("linux/s390x");
  EXPECT_NE(ErrorOf("oci:" + layout, s390x)
                .find("no image for platform linux/s390x (available: "
                      "linux/amd64, linux/arm64/v8)"),
            std::string::npos);
}

TEST(OpenImageTest, RequestedPlatformMustMatchASingleImage) {
  t::TempDir dir;
  TwoLayers().Platform("linux", "arm64").WriteOciLayout(dir / "l");
  OpenOptions amd64;
  amd64.platform = *ParsePlatform("linux/amd64");
  EXPECT_NE(ErrorOf(dir / "l", amd64)
                .find("the image is for linux/arm64, not the requested "
                      "linux/amd64"),
            std::string::npos)
      << ErrorOf(dir / "l", amd64);
  // Without a request, a foreign image is read as it is.
  EXPECT_EQ(ErrorOf(dir / "l"), "");
}

TEST(OpenImageTest, TamperedManifestIsRefused) {
  t::TempDir dir;
  auto written = TwoLayers().WriteOciLayout(dir / "l", "v1");
  std::string path =
      dir / ("l/blobs/sha256/" + written.manifest_digest.substr(7));
  std::string manifest = t::ReadFile(path);
  manifest.back() = ' ';
  t::WriteFile(path, manifest);
  EXPECT_NE(ErrorOf(dir / "l").find("manifest blob " + written.manifest_digest +
                                    " does not match its digest"),
            std::string::npos)
      << ErrorOf(dir / "l");
}

TEST(OpenImageTest, MissingConfigAndDanglingIndexAreErrors) {
  t::TempDir dir;
  auto written = TwoLayers().WriteOciLayout(dir / "l", "v1");
  fs::remove(dir / ("l/blobs/sha256/" + written.config_digest.substr(7)));
  EXPECT_NE(ErrorOf(dir / "l").find("config " + written.config_digest +
                                    " is missing"),
            std::string::npos)
      << ErrorOf(dir / "l");
  fs::remove(dir / ("l/blobs/sha256/" + written.manifest_digest.substr(7)));
  EXPECT_NE(ErrorOf(dir / "l").find("manifest " + written.manifest_digest +
                                    " is missing"),
            std::string::npos);
}

TEST(OpenImageTest, BadInputsGetClearErrors) {
  t::TempDir dir;
  EXPECT_NE(ErrorOf(dir / "nothing-here").find("no such file or directory"),
            std::string::npos);
  t::WriteFile(dir / "junk.tar", std::string(3000, 'j'));
  EXPECT_NE(ErrorOf(dir / "junk.tar").find("junk.tar"), std::string::npos);
  t::WriteTarFile(dir / "other.tar", {{"hello.txt", "hi"}});
  EXPECT_NE(ErrorOf(dir / "other.tar").find("neither a docker-archive"),
            std::string::npos);
  t::WriteTarFile(dir / "badjson.tar", {{"manifest.json", "[{"}});
  EXPECT_NE(ErrorOf(dir / "badjson.tar").find("invalid JSON at byte"),
            std::string::npos);
  // Checked before any connection is made.
  EXPECT_NE(ErrorOf("docker://Example/X").find("lowercase"), std::string::npos);
}

TEST(OpenImageTest, LayerCountMustMatchDiffIds) {
  t::TempDir dir;
  auto blobs = TwoLayers().Build();
  // Drop one diff ID from the config and re-address it.
  auto config = nlohmann::json::parse(blobs.image.config_json);
  config["rootfs"]["diff_ids"].erase(0);
  std::string config_json = config.dump();
  auto manifest = nlohmann::json::parse(blobs.image.manifest_json);
  manifest["config"]["digest"] = t::Sha256Of(config_json);
  manifest["config"]["size"] = config_json.size();
  std::string manifest_json = manifest.dump();
  blobs.blobs[t::Sha256Of(config_json)] = config_json;
  blobs.blobs[t::Sha256Of(manifest_json)] = manifest_json;
  for (const auto& [digest, bytes] : blobs.blobs) {
    t::WriteFile(dir / ("l/blobs/sha256/" + digest.substr(7)), bytes);
  }
  nlohmann::json top;
  top["schemaVersion"] = 2;
  top["manifests"] = {
      {{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
       {"digest", t::Sha256Of(manifest_json)},
       {"size", manifest_json.size()}}};
  t::WriteFile(dir / "l/index.json", top.dump());
  t::WriteFile(dir / "l/oci-layout", "{}");
  EXPECT_NE(ErrorOf(dir / "l").find("lists 2 layers but the config has 1"),
            std::string::npos)
      << ErrorOf(dir / "l");
}

TEST(ParseImageRefTest, TransportsAndSelectors) {
  t::TempDir dir;
  t::WriteFile(dir / "a.tar", "x");
  auto ref = ParseImageRef("docker-archive:" + (dir / "a.tar") + ":repo:tag");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->path, dir / "a.tar");
  EXPECT_EQ(ref->selector, "repo:tag");
  ref = ParseImageRef("docker-archive:" + (dir / "a.tar") + ":@2");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->source_index, 2);
  ref = ParseImageRef("rootfs:" + dir.path());
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->transport, Transport::kRootfs);
  EXPECT_FALSE(ParseImageRef(""));
  EXPECT_FALSE(ParseImageRef("oci:"));
}

TEST(NormalizeRelativePathTest, CleansAndRefuses) {
  EXPECT_EQ(*NormalizeRelativePath("./a//b/./c/"), "a/b/c");
  EXPECT_EQ(*NormalizeRelativePath("."), "");
  EXPECT_FALSE(NormalizeRelativePath("/etc"));
  EXPECT_FALSE(NormalizeRelativePath("a/../b"));
}

}  // namespace
}  // namespace cinch
