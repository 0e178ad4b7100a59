#include "catalog/dpkg.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "catalog/catalog.h"
#include "tests/fixtures/image_builder.h"

namespace cinch {
namespace {

namespace t = ::cinch::testing;

std::string TestData(const std::string& rel) {
  const char* root = std::getenv("CINCH_TEST_DATA");
  return std::string(root != nullptr ? root : "tests") + "/" + rel;
}

// CINCH_SHARED_DATA, else ../shared/data next to the source root.
std::string SharedData(const std::string& rel) {
  if (const char* d = std::getenv("CINCH_SHARED_DATA")) {
    return std::string(d) + "/" + rel;
  }
  return TestData("../../shared/data/" + rel);
}

const DpkgEntry* FindEntry(const DpkgStatus& s, std::string_view name) {
  for (const DpkgEntry& e : s.entries) {
    if (e.package.name == name) return &e;
  }
  return nullptr;
}

TEST(DpkgTest, ParsesSourceVersionArchAndDepends) {
  DpkgStatus s = ParseDpkgStatus(
      t::ReadFile(TestData("fixtures/dpkg/status.bookworm-sample")));
  EXPECT_TRUE(s.problems.empty());
  ASSERT_EQ(s.entries.size(), 9u);
  const DpkgEntry* bash = FindEntry(s, "bash");
  ASSERT_NE(bash, nullptr);
  EXPECT_EQ(bash->package.version, "5.2.15-2+b8");
  EXPECT_EQ(bash->package.source_name, "bash");
  EXPECT_EQ(bash->package.source_version, "5.2.15-2");
  EXPECT_EQ(bash->package.architecture, "amd64");
  const DpkgEntry* libc = FindEntry(s, "libc6");
  ASSERT_NE(libc, nullptr);
  EXPECT_EQ(libc->package.source_name, "glibc");
  // No version in Source: the binary's own.
  EXPECT_EQ(libc->package.source_version, libc->package.version);
  const DpkgEntry* bsd = FindEntry(s, "bsdutils");
  ASSERT_NE(bsd, nullptr);
  EXPECT_EQ(bsd->package.version, "1:2.38.1-5+deb12u3");
  EXPECT_NE(std::find(libc->package.depends_on.begin(),
                      libc->package.depends_on.end(), "libgcc-s1"),
            libc->package.depends_on.end());
}

TEST(DpkgTest, SkipsNotInstalledAndReportsBrokenStanzas) {
  DpkgStatus s = ParseDpkgStatus(
      "Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n\n"
      "Package: kept\nStatus: hold ok installed\nVersion: 2\n"
      "Depends: a (>= 1) | b, c:any\nProvides: virt\n\n"
      "Version: 3\n\n"
      " stray continuation\n"
      "Package: noversion\nStatus: install ok installed\n");
  ASSERT_EQ(s.entries.size(), 1u);
  EXPECT_EQ(s.entries[0].package.name, "kept");
  EXPECT_EQ(s.entries[0].package.depends_on,
            (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(s.entries[0].provides, std::vector<std::string>{"virt"});
  EXPECT_EQ(s.problems.size(), 3u);
}

TEST(DpkgTest, ReadsFileListsAndCopyrightLicences) {
  EXPECT_EQ(ParseDpkgFileList("/.\n/usr\n/usr/bin/bash\n\n"),
            (std::vector<std::string>{"usr", "usr/bin/bash"}));
  EXPECT_EQ(ParseDpkgMd5sums("d41d8cd98f00b204e9800998ecf8427e  usr/bin/x\n"),
            std::vector<std::string>{"usr/bin/x"});
  EXPECT_EQ(ParseDebianCopyright(
                "Format: https://www.debian.org/doc/packaging-manuals/"
                "copyright-format/1.0/\n\nFiles: *\nCopyright: 2000 X\n"
                "License: GPL-3+\n\nFiles: lib/*\nLicense: BSD-3-clause\n"
                " The text...\n\nLicense: GPL-3+\n Full text\n"),
            (std::vector<std::string>{"BSD-3-Clause", "GPL-3.0-or-later"}));
  EXPECT_EQ(ParseDebianCopyright("This is free software; see "
                                 "/usr/share/common-licenses/GPL-2.\n"),
            std::vector<std::string>{"GPL-2.0-only"});
}

TEST(DpkgTest, RealBookwormDatabase) {
  std::string path = SharedData("debian12/dpkg-status.bookworm-build-host");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no " << path;
  DpkgStatus s = ParseDpkgStatus(t::ReadFile(path));
  EXPECT_TRUE(s.problems.empty()) << s.problems.front();
  EXPECT_EQ(s.entries.size(), 822u);
  for (const DpkgEntry& e : s.entries) {
    EXPECT_FALSE(e.package.version.empty()) << e.package.name;
    EXPECT_FALSE(e.package.architecture.empty()) << e.package.name;
  }
}

// Catalogs an image written as an OCI layout.
Catalog CatalogOf(const t::ImageBuilder& b) {
  t::TempDir dir;
  b.WriteOciLayout(dir / "img");
  auto source = OpenImage(dir / "img", {});
  EXPECT_TRUE(source) << source.error().message;
  auto catalog = CatalogImage(**source, {});
  EXPECT_TRUE(catalog) << catalog.error().message;
  return *catalog;
}

const Package* Find(const Catalog& c, std::string_view name) {
  for (const Package& p : c.packages) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

constexpr char kOsRelease[] =
    "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian "
    "GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n";

std::string Stanza(std::string name, std::string version,
                   std::string extra = "") {
  return "Package: " + name + "\nStatus: install ok installed\n" +
         "Architecture: amd64\nVersion: " + version + "\n" + extra + "\n";
}

TEST(DpkgCatalogTest, AttributesLayersAndDropsDeletedPackages) {
  std::string base = Stanza("libc6", "2.36-9", "Source: glibc\n");
  std::string with_tools =
      base + Stanza("bash", "5.2-1", "Depends: libc6 (>= 2.36)\n") +
      Stanza("curl", "7.88-1");
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder()
              .Symlink("etc/os-release", "../usr/lib/os-release")
              .File("usr/lib/os-release", kOsRelease)
              .Symlink("lib", "usr/lib")
              .File("usr/lib/x86_64-linux-gnu/libc.so.6", "ELF")
              .File("var/lib/dpkg/status", base)
              .File("var/lib/dpkg/info/libc6:amd64.list",
                    "/.\n/lib\n/lib/x86_64-linux-gnu/libc.so.6\n")
              .File("usr/share/doc/libc6/copyright",
                    "Format: https://www.debian.org/doc/packaging-manuals/"
                    "copyright-format/1.0/\n\nFiles: *\nLicense: LGPL-2.1+\n"),
          t::Compression::kGzip, "ADD rootfs.tar /")
      .Layer(t::LayerBuilder()
                 .File("var/lib/dpkg/status", with_tools)
                 .File("usr/bin/bash", "ELF")
                 .File("usr/bin/curl", "ELF")
                 .File("var/lib/dpkg/info/bash.list", "/usr\n/usr/bin/bash\n")
                 .File("var/lib/dpkg/info/curl.list", "/usr\n/usr/bin/curl\n"),
             t::Compression::kGzip, "RUN apt-get install bash curl")
      .Layer(t::LayerBuilder().Whiteout("usr/bin/curl"), t::Compression::kGzip,
             "RUN rm /usr/bin/curl");
  Catalog c = CatalogOf(b);
  EXPECT_EQ(c.distro.id, "debian");
  EXPECT_EQ(c.distro.version_id, "12");
  EXPECT_EQ(c.distro.codename, "bookworm");

  const Package* libc = Find(c, "libc6");
  ASSERT_NE(libc, nullptr);
  EXPECT_EQ(libc->layer, 0);
  EXPECT_EQ(libc->purl,
            "pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12&"
            "upstream=glibc");
  EXPECT_EQ(libc->licenses, std::vector<std::string>{"LGPL-2.1-or-later"});
  EXPECT_EQ(libc->locations, std::vector<std::string>{"/var/lib/dpkg/status"});
  const Package* bash = Find(c, "bash");
  ASSERT_NE(bash, nullptr);
  EXPECT_EQ(bash->layer, 1);
  EXPECT_EQ(bash->depends_on, std::vector<std::string>{libc->purl});
  // Every file of curl was deleted by the last layer.
  EXPECT_EQ(Find(c, "curl"), nullptr);
  EXPECT_EQ(c.packages.size(), 2u);
}

TEST(DpkgCatalogTest, UpgradeAndRecreatedDatabaseStartNewAttribution) {
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder().File(
              "var/lib/dpkg/status",
              Stanza("zlib1g", "1.2") + Stanza("tzdata", "2024a")))
      .Layer(t::LayerBuilder().File(
          "var/lib/dpkg/status",
          Stanza("zlib1g", "1.3") + Stanza("tzdata", "2024a")))
      .Layer(t::LayerBuilder().Whiteout("var/lib/dpkg"))
      .Layer(t::LayerBuilder().File(
          "var/lib/dpkg/status",
          Stanza("zlib1g", "1.3") + Stanza("tzdata", "2024a")));
  Catalog c = CatalogOf(b);
  ASSERT_EQ(c.packages.size(), 2u);
  // The database was deleted in layer 2, so layer 3 brought both in again.
  EXPECT_EQ(Find(c, "zlib1g")->layer, 3);
  EXPECT_EQ(Find(c, "tzdata")->layer, 3);

  t::ImageBuilder no_delete;
  no_delete
      .Layer(t::LayerBuilder().File(
          "var/lib/dpkg/status",
          Stanza("zlib1g", "1.2") + Stanza("tzdata", "2024a")))
      .Layer(t::LayerBuilder().File(
          "var/lib/dpkg/status",
          Stanza("zlib1g", "1.3") + Stanza("tzdata", "2024a")));
  Catalog d = CatalogOf(no_delete);
  EXPECT_EQ(Find(d, "zlib1g")->layer, 1);
  EXPECT_EQ(Find(d, "zlib1g")->version, "1.3");
  EXPECT_EQ(Find(d, "tzdata")->layer, 0);
}

TEST(DpkgCatalogTest, ReadsDistrolessStatusDirectory) {
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder()
              .File("etc/os-release", kOsRelease)
              .File("var/lib/dpkg/status.d/base-files",
                    "Package: base-files\nVersion: 12.4\nArchitecture: amd64\n")
              .File("var/lib/dpkg/status.d/libssl3",
                    "Package: libssl3\nSource: openssl\nVersion: 3.0.11-1\n"
                    "Architecture: amd64\n")
              .File("var/lib/dpkg/status.d/libssl3.md5sums",
                    "abc  usr/lib/libssl.so.3\n")
              .File("usr/lib/libssl.so.3", "ELF"))
      .Layer(t::LayerBuilder().Whiteout("usr/lib/libssl.so.3"));
  Catalog c = CatalogOf(b);
  ASSERT_NE(Find(c, "base-files"), nullptr);
  EXPECT_EQ(Find(c, "base-files")->locations,
            std::vector<std::string>{"/var/lib/dpkg/status.d/base-files"});
  EXPECT_EQ(Find(c, "libssl3"), nullptr);
}

}  // namespace
}  // namespace cinch
