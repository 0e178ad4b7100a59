#include "image/manifest.h"

#include <gtest/gtest.h>

namespace cinch {
namespace {

constexpr char kDigestA[] =
    "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4";
constexpr char kDigestB[] =
    "sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7";

std::string ManifestWith(std::string layers) {
  return fmt::format(R"({{"schemaVersion":2,
    "mediaType":"application/vnd.oci.image.manifest.v1+json",
    "config":{{"mediaType":"application/vnd.oci.image.config.v1+json",
              "digest":"{}","size":7023}},
    "layers":[{}]}})",
                     kDigestA, layers);
}

TEST(ManifestTest, ParsesOciManifest) {
  auto m = ParseManifest(ManifestWith(fmt::format(
      R"({{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip",
          "digest":"{}","size":32654,
          "annotations":{{"k":"v"}}}})",
      kDigestB)));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->config.digest, kDigestA);
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].size, 32654);
  EXPECT_EQ(m->layers[0].annotations.at("k"), "v");
}

TEST(ManifestTest, RefusesDamagedDescriptorsNamingTheField) {
  auto bad_digest = ParseManifest(
      ManifestWith(R"({"mediaType":"x","digest":"sha256:1234","size":1})"));
  ASSERT_FALSE(bad_digest);
  EXPECT_NE(bad_digest.error().message.find("layers[0]: malformed digest"),
            std::string::npos)
      << bad_digest.error().message;

  auto negative = ParseManifest(ManifestWith(
      fmt::format(R"({{"mediaType":"x","digest":"{}","size":-5}})", kDigestB)));
  ASSERT_FALSE(negative);
  EXPECT_NE(negative.error().message.find("negative"), std::string::npos);

  auto wrong_type = ParseManifest(ManifestWith(fmt::format(
      R"({{"mediaType":"x","digest":"{}","size":"12"}})", kDigestB)));
  ASSERT_FALSE(wrong_type);
  EXPECT_NE(wrong_type.error().message.find("'size' must be an integer"),
            std::string::npos);
}

TEST(ManifestTest, RefusesSchemaOneAndIndexes) {
  auto v1 = ParseManifest(R"({"schemaVersion":1,"name":"x"})");
  ASSERT_FALSE(v1);
  EXPECT_NE(v1.error().message.find("schema 1 is obsolete"), std::string::npos);
  auto index = ParseManifest(
      R"({"schemaVersion":2,
          "mediaType":"application/vnd.oci.image.index.v1+json",
          "manifests":[]})");
  ASSERT_FALSE(index);
  EXPECT_NE(index.error().message.find("found an index"), std::string::npos);
}

TEST(ManifestTest, SyntaxErrorsNameTheByte) {
  auto m = ParseManifest(R"({"schemaVersion": 2,,})");
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("invalid JSON at byte"), std::string::npos);
  EXPECT_FALSE(ParseManifest("[]"));
  EXPECT_FALSE(ParseManifest(""));
}

TEST(IndexTest, ParsesPlatforms) {
  auto i = ParseIndex(fmt::format(
      R"({{"schemaVersion":2,"manifests":[
        {{"mediaType":"application/vnd.oci.image.manifest.v1+json",
          "digest":"{}","size":7,
          "platform":{{"architecture":"arm64","os":"linux","variant":"v8"}}}}
      ]}})",
      kDigestA));
  ASSERT_TRUE(i) << i.error().message;
  ASSERT_TRUE(i->manifests[0].platform);
  EXPECT_EQ(i->manifests[0].platform->ToString(), "linux/arm64/v8");
  EXPECT_EQ(SniffDocument(R"({"schemaVersion":2,"manifests":[]})"),
            DocumentKind::kIndex);
}

TEST(ConfigTest, ParsesTheRunConfigAndHistory) {
  auto c = ParseImageConfig(fmt::format(
      R"({{"architecture":"amd64","os":"linux",
          "config":{{"User":"1000","Env":["A=1"],"Cmd":null,
                    "Entrypoint":["/app"],"ExposedPorts":{{"22/tcp":{{}}}},
                    "Labels":{{"a":"b"}},"Healthcheck":{{"Test":["NONE"]}}}},
          "rootfs":{{"type":"layers","diff_ids":["{}"]}},
          "history":[{{"created_by":"ADD x"}},
                     {{"created_by":"ENV A=1","empty_layer":true}}]}})",
      kDigestB));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->user, "1000");
  EXPECT_EQ(c->entrypoint, std::vector<std::string>{"/app"});
  EXPECT_TRUE(c->cmd.empty());
  EXPECT_EQ(c->exposed_ports, std::vector<std::string>{"22/tcp"});
  EXPECT_TRUE(c->has_healthcheck);
  ASSERT_EQ(c->history.size(), 2u);
  EXPECT_TRUE(c->history[1].empty_layer);
}

TEST(ConfigTest, RequiresLayeredRootfs) {
  EXPECT_FALSE(ParseImageConfig(R"({"os":"linux"})"));
  EXPECT_FALSE(
      ParseImageConfig(R"({"rootfs":{"type":"other","diff_ids":[]}})"));
  EXPECT_FALSE(ParseImageConfig(
      R"({"rootfs":{"type":"layers","diff_ids":["md5:00"]}})"));
}

TEST(PlatformTest, ParseAndMatch) {
  EXPECT_FALSE(ParsePlatform("linux"));
  EXPECT_FALSE(ParsePlatform("linux//"));
  EXPECT_FALSE(ParsePlatform("a/b/c/d"));
  Platform want = *ParsePlatform("linux/arm64/v8");
  Platform have{"linux", "arm64", "", ""};
  EXPECT_TRUE(PlatformMatches(want, have));
  EXPECT_FALSE(PlatformMatches(*ParsePlatform("linux/arm/v7"),
                               Platform{"linux", "arm", "v6", ""}));
  EXPECT_TRUE(PlatformMatches(*ParsePlatform("linux/amd64"),
                              Platform{"linux", "amd64", "", ""}));
}

}  // namespace
}  // namespace cinch
