#include "catalog/java.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "tests/fixtures/image_builder.h"

namespace cinch {
namespace {

namespace t = ::cinch::testing;

// A zip archive of `files` built in memory.
std::string Zip(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string out(1 << 20, '\0');
  for (const auto& [name, data] : files) out.resize(out.size() + data.size());
  size_t used = 0;
  archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  archive_write_open_memory(a, out.data(), out.size(), &used);
  for (const auto& [name, data] : files) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_size(e, la_int64_t(data.size()));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_write_header(a, e);
    archive_write_data(a, data.data(), data.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  out.resize(used);
  return out;
}

const Package* Find(const std::vector<Package>& ps, std::string_view name) {
  for (const Package& p : ps) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

TEST(JavaTest, ReadsPomPropertiesManifestsAndNestedJars) {
  std::string log4j =
      Zip({{"META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n"},
           {"META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties",
            "#Generated\nversion=2.14.1\ngroupId=org.apache.logging.log4j\n"
            "artifactId=log4j-core\n"}});
  std::string bundle =
      Zip({{"META-INF/MANIFEST.MF",
            "Manifest-Version: 1.0\r\nBundle-SymbolicName: org.example.b;"
            "singleton:=true\r\nBundle-Version: 3.1.0\r\n\r\nName: x\r\n"}});
  std::string war = Zip({{"WEB-INF/lib/log4j-core-2.14.1.jar", log4j},
                         {"WEB-INF/lib/b.jar", bundle},
                         {"WEB-INF/lib/commons-io-2.11.0.jar", Zip({})},
                         {"WEB-INF/lib/broken.jar", "not a zip"},
                         {"index.html", "<html>"}});
  auto ps = ParseJavaArchive("srv/app.war", war);
  ASSERT_TRUE(ps) << ps.error().message;
  ASSERT_EQ(ps->size(), 3u);
  const Package* core = Find(*ps, "org.apache.logging.log4j:log4j-core");
  ASSERT_NE(core, nullptr);
  EXPECT_EQ(core->version, "2.14.1");
  EXPECT_EQ(core->locations,
            std::vector<std::string>{
                "/srv/app.war!/WEB-INF/lib/log4j-core-2.14.1.jar"});
  EXPECT_EQ(Find(*ps, "org.example.b")->version, "3.1.0");
  EXPECT_EQ(Find(*ps, "commons-io")->version, "2.11.0");
  EXPECT_FALSE(ParseJavaArchive("x.jar", "PK\x03\x04garbage"));
}

TEST(JavaTest, CatalogsJarsInImages) {
  std::string jar = Zip(
      {{"META-INF/maven/com.google.guava/guava/pom.properties",
        "groupId=com.google.guava\nartifactId=guava\nversion=32.1.2-jre\n"}});
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder().File("opt/app/lib/guava.jar", jar));
  t::TempDir dir;
  b.WriteOciLayout(dir / "img");
  auto source = OpenImage(dir / "img", {});
  ASSERT_TRUE(source);
  auto c = CatalogImage(**source, {});
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->packages.size(), 1u);
  EXPECT_EQ(c->packages[0].purl, "pkg:maven/com.google.guava/guava@32.1.2-jre");
  EXPECT_EQ(c->packages[0].locations,
            std::vector<std::string>{"/opt/app/lib/guava.jar"});
}

}  // namespace
}  // namespace cinch
