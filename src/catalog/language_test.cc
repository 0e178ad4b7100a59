// Language and binary catalogers: apk, Python, npm, Go and Rust binaries,
// each parser on inputs built here, then whole images.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>

#include "catalog/apk.h"
#include "catalog/binary.h"
#include "catalog/catalog.h"
#include "catalog/composer.h"
#include "catalog/dotnet.h"
#include "catalog/npm.h"
#include "catalog/python.h"
#include "catalog/ruby.h"
#include "tests/fixtures/image_builder.h"

namespace cinch {
namespace {

namespace t = ::cinch::testing;

const Package* Find(const std::vector<Package>& ps, std::string_view name) {
  for (const Package& p : ps) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

Catalog CatalogOf(const t::ImageBuilder& b) {
  t::TempDir dir;
  b.WriteDockerArchive(dir / "img.tar", "test:latest");
  auto source = OpenImage(dir / "img.tar", {});
  EXPECT_TRUE(source) << source.error().message;
  auto catalog = CatalogImage(**source, {});
  EXPECT_TRUE(catalog) << catalog.error().message;
  return *catalog;
}

constexpr char kApkDb[] =
    "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\no:musl\n"
    "p:so:libc.musl-x86_64.so.1=1\nF:lib\nR:ld-musl-x86_64.so.1\n"
    "R:libc.musl-x86_64.so.1\n\n"
    "P:busybox\nV:1.36.1-r15\nA:x86_64\nL:GPL-2.0-only\no:busybox\n"
    "D:so:libc.musl-x86_64.so.1\nF:bin\nR:busybox\n\n"
    "P:ssl_client\nV:1.36.1-r15\nA:x86_64\nL:GPL-2.0-only\no:busybox\n"
    "F:usr/bin\nR:ssl_client\n";

TEST(ApkTest, ParsesRecordsOriginFilesAndCapabilities) {
  ApkDatabase db = ParseApkInstalled(kApkDb);
  EXPECT_TRUE(db.problems.empty());
  ASSERT_EQ(db.packages.size(), 3u);
  const InstalledPackage& musl = db.packages[0];
  EXPECT_EQ(musl.package.name, "musl");
  EXPECT_EQ(musl.files,
            (std::vector<std::string>{"lib/ld-musl-x86_64.so.1",
                                      "lib/libc.musl-x86_64.so.1"}));
  EXPECT_EQ(musl.provides,
            std::vector<std::string>{"so:libc.musl-x86_64.so.1"});
  EXPECT_EQ(db.packages[2].package.source_name, "busybox");
  EXPECT_EQ(db.packages[1].package.depends_on,
            std::vector<std::string>{"so:libc.musl-x86_64.so.1"});
  EXPECT_EQ(ParseApkInstalled("P:x\nbroken line\n").problems.size(), 2u);
}

TEST(ApkTest, AlpineImageHasDistroPurlsAndDependencyEdges) {
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder()
              .File("etc/os-release",
                    "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\n")
              .File("lib/apk/db/installed", kApkDb)
              .File("lib/ld-musl-x86_64.so.1", "ELF")
              .File("lib/libc.musl-x86_64.so.1", "ELF")
              .File("bin/busybox", "ELF", 0755)
              .File("usr/bin/ssl_client", "ELF", 0755))
      .Layer(t::LayerBuilder().Whiteout("usr/bin/ssl_client"));
  Catalog c = CatalogOf(b);
  EXPECT_EQ(c.distro.id, "alpine");
  const Package* musl = Find(c.packages, "musl");
  ASSERT_NE(musl, nullptr);
  EXPECT_EQ(musl->purl,
            "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1");
  EXPECT_EQ(musl->licenses, std::vector<std::string>{"MIT"});
  const Package* busybox = Find(c.packages, "busybox");
  ASSERT_NE(busybox, nullptr);
  EXPECT_EQ(busybox->depends_on, std::vector<std::string>{musl->purl});
  EXPECT_EQ(Find(c.packages, "ssl_client"), nullptr);
}

TEST(PythonTest, ReadsMetadataAndLicenceSources) {
  auto p = ParsePythonMetadata(
      "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n"
      "License: Apache 2.0\nClassifier: License :: OSI Approved :: MIT "
      "License\n\nLong description\nName: nope\n");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->name, "requests");
  EXPECT_EQ(p->version, "2.31.0");
  EXPECT_EQ(p->licenses, std::vector<std::string>{"Apache-2.0"});
  auto classified = ParsePythonMetadata(
      "Name: six\nVersion: 1.16.0\nLicense: UNKNOWN\n"
      "Classifier: License :: OSI Approved :: MIT License\n");
  ASSERT_TRUE(classified);
  EXPECT_EQ(classified->licenses, std::vector<std::string>{"MIT"});
  auto expr = ParsePythonMetadata(
      "Name: x\nVersion: 1\nLicense-Expression: MIT OR Apache-2.0\n");
  EXPECT_EQ(expr->licenses, std::vector<std::string>{"MIT OR Apache-2.0"});
  EXPECT_FALSE(ParsePythonMetadata("Version: 1\n"));
  EXPECT_FALSE(ParsePythonMetadata("Name: x\n"));
}

TEST(NpmTest, ParsesPackageJsonAndLockFiles) {
  auto pj = ParsePackageJson(
      R"({"name": "@babel/core", "version": "7.23.0", "license": "MIT"})");
  ASSERT_TRUE(pj);
  ASSERT_EQ(pj->size(), 1u);
  EXPECT_EQ((*pj)[0].licenses, std::vector<std::string>{"MIT"});
  EXPECT_TRUE(ParsePackageJson(R"({"type": "module"})")->empty());
  EXPECT_FALSE(ParsePackageJson("{"));
  EXPECT_FALSE(ParsePackageJson(R"({"name": 3, "version": "1"})"));

  auto v3 = ParsePackageLock(R"({"lockfileVersion": 3, "packages": {
      "": {"name": "app", "version": "1.0.0"},
      "node_modules/express": {"version": "4.18.2",
                               "dependencies": {"qs": "6.11.0"}},
      "node_modules/express/node_modules/qs": {"version": "6.11.0"},
      "node_modules/jest": {"version": "29.0.0", "dev": true},
      "packages/lib": {"link": true}}})");
  ASSERT_TRUE(v3);
  ASSERT_EQ(v3->size(), 2u);
  EXPECT_EQ(Find(*v3, "express")->depends_on, std::vector<std::string>{"qs"});
  EXPECT_EQ(Find(*v3, "qs")->version, "6.11.0");

  auto v1 = ParsePackageLock(R"({"lockfileVersion": 1, "dependencies": {
      "a": {"version": "1.0.0", "requires": {"b": "^2"},
            "dependencies": {"b": {"version": "2.0.0"}}},
      "c": {"version": "3.0.0", "dev": true}}})");
  ASSERT_TRUE(v1);
  EXPECT_EQ(v1->size(), 2u);
  EXPECT_EQ(Find(*v1, "b")->version, "2.0.0");

  auto yarn = ParseYarnLock(
      "# yarn lockfile v1\n\n"
      "\"@babel/code-frame@^7.0.0\", \"@babel/code-frame@^7.10.4\":\n"
      "  version \"7.12.13\"\n  resolved \"https://x\"\n  dependencies:\n"
      "    \"@babel/highlight\" \"^7.12.13\"\n\n"
      "lodash@^4.17.21:\n  version \"4.17.21\"\n");
  ASSERT_TRUE(yarn);
  ASSERT_EQ(yarn->size(), 2u);
  EXPECT_EQ((*yarn)[0].name, "@babel/code-frame");
  EXPECT_EQ((*yarn)[0].version, "7.12.13");
  EXPECT_EQ((*yarn)[0].depends_on,
            std::vector<std::string>{"@babel/highlight"});

  auto berry = ParseYarnLock(
      "__metadata:\n  version: 6\n\n"
      "\"app@workspace:.\":\n  version: 0.0.0-use.local\n"
      "  resolution: \"app@workspace:.\"\n\n"
      "\"lodash@npm:^4.17.21\":\n  version: 4.17.21\n"
      "  resolution: \"lodash@npm:4.17.21\"\n");
  ASSERT_TRUE(berry);
  ASSERT_EQ(berry->size(), 1u);
  EXPECT_EQ((*berry)[0].name, "lodash");

  auto pnpm6 = ParsePnpmLock(
      "lockfileVersion: '6.0'\n\npackages:\n\n"
      "  /@types/node@20.1.0:\n    resolution: {integrity: x}\n"
      "    dev: true\n\n"
      "  /express@4.18.2(supports-color@8.1.1):\n    dependencies:\n"
      "      qs: 6.11.0\n    dev: false\n");
  ASSERT_TRUE(pnpm6);
  ASSERT_EQ(pnpm6->size(), 1u);
  EXPECT_EQ((*pnpm6)[0].name, "express");
  EXPECT_EQ((*pnpm6)[0].version, "4.18.2");
  EXPECT_EQ((*pnpm6)[0].depends_on, std::vector<std::string>{"qs"});
  auto pnpm5 = ParsePnpmLock(
      "lockfileVersion: 5.4\npackages:\n  /@scope/pkg/1.2.3_react@18.0.0:\n"
      "    dev: false\n");
  ASSERT_EQ(pnpm5->size(), 1u);
  EXPECT_EQ((*pnpm5)[0].name, "@scope/pkg");
  EXPECT_EQ((*pnpm5)[0].version, "1.2.3");
  auto pnpm9 = ParsePnpmLock(
      "lockfileVersion: '9.0'\npackages:\n  '@scope/pkg@1.2.3':\n"
      "    resolution: {integrity: x}\n");
  ASSERT_EQ(pnpm9->size(), 1u);
  EXPECT_EQ((*pnpm9)[0].name, "@scope/pkg");
}

// A Go 1.18+ build info block: header, then inline varint strings.
std::string GoBuildInfoBlob(const std::string& version,
                            const std::string& mod) {
  std::string b = "\xff Go buildinf:";
  b += char(8);  // pointer size
  b += char(2);  // inline strings
  b.resize(32, '\0');
  for (const std::string* s : {&version, &mod}) {
    size_t n = s->size();
    while (n >= 0x80) {
      b += char((n & 0x7f) | 0x80);
      n >>= 7;
    }
    b += char(n);
    b += *s;
  }
  return b;
}

std::string FakeGoBinary(size_t buildinfo_offset, const std::string& mod) {
  std::string elf =
      "\x7f"
      "ELF";
  elf.resize(buildinfo_offset, 'x');
  elf += GoBuildInfoBlob("go1.21.5", mod);
  elf.resize(elf.size() + 1000, '\0');
  return elf;
}

constexpr char kModInfo[] =
    "path\texample.com/app\nmod\texample.com/app\tv1.2.0\th1:x\n"
    "dep\tgithub.com/spf13/cobra\tv1.8.0\th1:y\n"
    "dep\tgolang.org/x/net\tv0.10.0\th1:z\n"
    "=>\tgolang.org/x/net\tv0.17.0\th1:w\n"
    "build\t-compiler=gc\n";

TEST(GoBinaryTest, ParsesInlineBuildInfoAndReplacements) {
  auto info = ParseGoBuildInfo(GoBuildInfoBlob("go1.21.5", kModInfo));
  ASSERT_TRUE(info) << info.error().message;
  ASSERT_TRUE(*info);
  std::vector<Package> ps = GoPackages(**info);
  ASSERT_EQ(ps.size(), 4u);
  EXPECT_EQ(Find(ps, "stdlib")->version, "1.21.5");
  EXPECT_EQ(Find(ps, "example.com/app")->version, "v1.2.0");
  EXPECT_EQ(Find(ps, "golang.org/x/net")->version, "v0.17.0");
  // Truncated: a declared length runs past the end.
  std::string blob = GoBuildInfoBlob("go1.21.5", kModInfo);
  EXPECT_FALSE(ParseGoBuildInfo(blob.substr(0, blob.size() - 10)));
  auto not_go = ParseGoBuildInfo(std::string(40, 'x'));
  ASSERT_TRUE(not_go);
  EXPECT_FALSE(not_go->has_value());
}

TEST(GoBinaryTest, FindsBuildInfoAcrossChunksOnlyWhenAligned) {
  // 256 KiB chunks in the walk: put the header across a chunk boundary.
  size_t boundary = 256 * 1024;
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder()
              .File("usr/bin/app", FakeGoBinary(boundary - 16, kModInfo), 0755)
              .File("usr/bin/misaligned", FakeGoBinary(4100, kModInfo), 0755)
              .File("usr/share/notexec", FakeGoBinary(4096, kModInfo), 0644));
  Catalog c = CatalogOf(b);
  const Package* cobra = Find(c.packages, "github.com/spf13/cobra");
  ASSERT_NE(cobra, nullptr);
  EXPECT_EQ(cobra->purl, "pkg:golang/github.com/spf13/cobra@v1.8.0");
  EXPECT_EQ(cobra->locations, std::vector<std::string>{"/usr/bin/app"});
  EXPECT_EQ(cobra->found_by, "go-binary");
  EXPECT_EQ(c.packages.size(), 4u);
}

TEST(GoBinaryTest, RealGoBinaryOnThisMachine) {
  const char* path = "/usr/bin/skopeo";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no " << path;
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder().File("usr/bin/skopeo", t::ReadFile(path), 0755));
  Catalog c = CatalogOf(b);
  const Package* stdlib = Find(c.packages, "stdlib");
  ASSERT_NE(stdlib, nullptr);
  EXPECT_TRUE(stdlib->version.starts_with("1.")) << stdlib->version;
  EXPECT_EQ(stdlib->purl, "pkg:golang/stdlib@" + stdlib->version);
}

TEST(GoModTest, ReadsRequiresAndVersionedReplacements) {
  auto ps = ParseGoMod(
      "module example.com/app\n\ngo 1.21\n\n"
      "require github.com/a/b v1.0.0\n"
      "require (\n\tgolang.org/x/net v0.10.0 // indirect\n"
      "\t\"golang.org/x/sys\" v0.1.0\n\texample.com/local v0.0.0\n)\n"
      "replace golang.org/x/net => golang.org/x/net v0.17.0\n"
      "replace (\n\texample.com/local => ../local\n)\n");
  ASSERT_TRUE(ps);
  ASSERT_EQ(ps->size(), 4u);
  EXPECT_EQ(Find(*ps, "github.com/a/b")->version, "v1.0.0");
  EXPECT_EQ(Find(*ps, "golang.org/x/net")->version, "v0.17.0");
  EXPECT_EQ(Find(*ps, "golang.org/x/sys")->version, "v0.1.0");
  EXPECT_EQ(Find(*ps, "example.com/local")->version, "v0.0.0");
  EXPECT_EQ(Find(*ps, "example.com/app"), nullptr);
}

// A minimal little-endian ELF64 with a section table naming .dep-v0.
std::string ElfWithSection(const std::string& name, const std::string& data) {
  std::string names = std::string("\0", 1) + name + '\0' + ".shstrtab" + '\0';
  std::string elf(64, '\0');
  elf.replace(0, 4,
              "\x7f"
              "ELF");
  elf[4] = 2;  // 64-bit
  elf[5] = 1;  // little-endian
  size_t data_off = elf.size();
  elf += data;
  size_t names_off = elf.size();
  elf += names;
  size_t shoff = elf.size();
  auto put = [&](size_t at, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) elf[at + i] = char((v >> (8 * i)) & 0xff);
  };
  elf.resize(shoff + 3 * 64, '\0');
  put(0x28, shoff, 8);
  put(0x3a, 64, 2);
  put(0x3c, 3, 2);
  put(0x3e, 2, 2);
  // Section 1: the data; section 2: the names.
  put(shoff + 64 + 0, 1, 4);
  put(shoff + 64 + 0x18, data_off, 8);
  put(shoff + 64 + 0x20, data.size(), 8);
  put(shoff + 128 + 0, 1 + name.size() + 1, 4);
  put(shoff + 128 + 0x18, names_off, 8);
  put(shoff + 128 + 0x20, names.size(), 8);
  return elf;
}

std::string Deflate(const std::string& in) {
  uLongf n = compressBound(uLong(in.size()));
  std::string out(n, '\0');
  compress(reinterpret_cast<Bytef*>(out.data()), &n,
           reinterpret_cast<const Bytef*>(in.data()), uLong(in.size()));
  out.resize(n);
  return out;
}

constexpr char kCargoJson[] =
    R"({"packages": [
        {"name": "app", "version": "0.1.0", "source": "local", "root": true,
         "dependencies": [1]},
        {"name": "serde", "version": "1.0.190", "source": "crates.io"},
        {"name": "cc", "version": "1.0.83", "source": "crates.io",
         "kind": "build"}]})";

TEST(RustBinaryTest, ReadsCargoAuditableSection) {
  auto ps = ParseCargoAuditable(ElfWithSection(".dep-v0", Deflate(kCargoJson)));
  ASSERT_TRUE(ps) << ps.error().message;
  ASSERT_EQ(ps->size(), 2u);  // the build dependency is left out
  EXPECT_EQ(Find(*ps, "app")->depends_on, std::vector<std::string>{"serde"});
  auto none = ParseCargoAuditable(ElfWithSection(".text", "code"));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  // A section that points past the end of the file is refused.
  std::string bad = ElfWithSection(".dep-v0", Deflate(kCargoJson));
  bad.resize(bad.size() - 100);  // cuts the section table
  EXPECT_FALSE(ParseCargoAuditable(bad));
  std::string broken = Deflate(kCargoJson);
  broken[broken.size() / 2] ^= 0x55;
  EXPECT_FALSE(ParseCargoAuditable(ElfWithSection(".dep-v0", broken)));

  t::ImageBuilder b;
  b.Layer(t::LayerBuilder().File("usr/local/bin/app",
                                 ElfWithSection(".dep-v0", Deflate(kCargoJson)),
                                 0755));
  Catalog c = CatalogOf(b);
  const Package* serde = Find(c.packages, "serde");
  ASSERT_NE(serde, nullptr);
  EXPECT_EQ(serde->purl, "pkg:cargo/serde@1.0.190");
  EXPECT_EQ(Find(c.packages, "app")->depends_on,
            std::vector<std::string>{serde->purl});
}

// Written by rubygems 3.3 (Debian 12's ruby3.1) for the typeprof gem and
// by gem2deb for Debian's ruby-net-telnet; the long fields are shortened.
constexpr char kTypeprofGemspec[] =
    R"(# -*- encoding: utf-8 -*-
# stub: typeprof 0.21.2 ruby lib

Gem::Specification.new do |s|
  s.name = "typeprof".freeze
  s.version = "0.21.2"

  s.required_rubygems_version = Gem::Requirement.new(">= 0".freeze) if s.respond_to? :required_rubygems_version=
  s.metadata = { "homepage_uri" => "https://github.com/ruby/typeprof" } if s.respond_to? :metadata=
  s.require_paths = ["lib".freeze]
  s.authors = ["Yusuke Endoh".freeze]
  s.description = "TypeProf performs a type analysis.\n".freeze
  s.licenses = ["MIT".freeze]
  s.rubygems_version = "3.3.7".freeze

  s.installed_by_version = "3.3.7" if s.respond_to? :installed_by_version

  if s.respond_to? :specification_version then
    s.specification_version = 4
  end

  if s.respond_to? :add_runtime_dependency then
    s.add_runtime_dependency(%q<rbs>.freeze, [">= 1.8.1"])
  else
    s.add_dependency(%q<rbs>.freeze, [">= 1.8.1"])
  end
end
)";

constexpr char kNetTelnetGemspec[] =
    R"(Gem::Specification.new do |s|
  s.name = "net-telnet".freeze
  s.version = "0.2.0"
  s.licenses = ["ruby".freeze]

  if s.respond_to? :add_runtime_dependency then
    s.add_development_dependency(%q<bundler>.freeze, [">= 0"])
  else
    s.add_dependency(%q<bundler>.freeze, [">= 0"])
  end
end
)";

TEST(GemTest, ReadsNameVersionLicencesAndRuntimeDependencies) {
  auto typeprof = ParseGemspec(kTypeprofGemspec);
  ASSERT_TRUE(typeprof) << typeprof.error().message;
  EXPECT_EQ(typeprof->name, "typeprof");
  EXPECT_EQ(typeprof->version, "0.21.2");
  EXPECT_EQ(typeprof->licenses, std::vector<std::string>{"MIT"});
  EXPECT_EQ(typeprof->depends_on, std::vector<std::string>{"rbs"});

  // Development dependencies, also in the else branch, are left out.
  auto telnet = ParseGemspec(kNetTelnetGemspec);
  ASSERT_TRUE(telnet) << telnet.error().message;
  EXPECT_EQ(telnet->licenses, std::vector<std::string>{"Ruby"});
  EXPECT_TRUE(telnet->depends_on.empty());

  // Hand-written forms: single quotes, `license =`, a call without
  // parentheses, an escaped quote.
  auto hand = ParseGemspec(
      "Gem::Specification.new do |spec|\n  spec.name    = 'my\\'gem'\n"
      "  spec.version = '1.0.0.pre'\n  spec.license = 'Apache-2.0'\n"
      "  spec.add_dependency 'rack', '>= 2'\nend\n");
  ASSERT_TRUE(hand) << hand.error().message;
  EXPECT_EQ(hand->name, "my'gem");
  EXPECT_EQ(hand->version, "1.0.0.pre");
  EXPECT_EQ(hand->licenses, std::vector<std::string>{"Apache-2.0"});
  EXPECT_EQ(hand->depends_on, std::vector<std::string>{"rack"});

  EXPECT_FALSE(ParseGemspec("s.version = \"1.0\"\n"));
  EXPECT_FALSE(ParseGemspec("s.name = \"x\"\n"));
  EXPECT_FALSE(ParseGemspec("s.name = \"unterminated\ns.version = \"1\"\n"));
}

TEST(GemTest, ImageGemsHaveLayersOwnersAndSkipSourceTrees) {
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder()
              .File("etc/os-release", "ID=debian\nVERSION_ID=12\n")
              .File("var/lib/dpkg/status",
                    "Package: ruby-net-telnet\nStatus: install ok installed\n"
                    "Version: 0.2.0-1\nArchitecture: all\n")
              .File("var/lib/dpkg/info/ruby-net-telnet.list",
                    "/usr/share/rubygems-integration/all/specifications/"
                    "net-telnet-0.2.0.gemspec\n")
              .File("usr/share/rubygems-integration/all/specifications/"
                    "net-telnet-0.2.0.gemspec",
                    kNetTelnetGemspec))
      .Layer(
          t::LayerBuilder()
              .File("usr/local/bundle/specifications/typeprof-0.21.2.gemspec",
                    kTypeprofGemspec)
              .File("usr/local/bundle/specifications/rbs-2.1.0.gemspec",
                    "s.name = \"rbs\"\ns.version = \"2.1.0\"\n")
              .File("usr/local/bundle/specifications/gone-1.0.gemspec",
                    "s.name = \"gone\"\ns.version = \"1.0\"\n")
              .File("app/source.gemspec",
                    "s.name = \"source\"\ns.version = \"9\"\n"),
          t::Compression::kGzip, "RUN gem install typeprof")
      .Layer(t::LayerBuilder().Whiteout(
          "usr/local/bundle/specifications/gone-1.0.gemspec"));
  Catalog c = CatalogOf(b);
  const Package* telnet = Find(c.packages, "net-telnet");
  ASSERT_NE(telnet, nullptr);
  EXPECT_EQ(telnet->purl, "pkg:gem/net-telnet@0.2.0");
  EXPECT_EQ(telnet->layer, 0);
  EXPECT_EQ(telnet->found_by, "gem");
  EXPECT_EQ(telnet->owned_by,
            "pkg:deb/debian/ruby-net-telnet@0.2.0-1?arch=all&distro=debian-12");
  const Package* typeprof = Find(c.packages, "typeprof");
  ASSERT_NE(typeprof, nullptr);
  EXPECT_EQ(typeprof->layer, 1);
  EXPECT_TRUE(typeprof->owned_by.empty());
  EXPECT_EQ(typeprof->locations,
            std::vector<std::string>{
                "/usr/local/bundle/specifications/typeprof-0.21.2.gemspec"});
  EXPECT_EQ(typeprof->depends_on,
            std::vector<std::string>{"pkg:gem/rbs@2.1.0"});
  EXPECT_EQ(Find(c.packages, "gone"), nullptr);
  EXPECT_EQ(Find(c.packages, "source"), nullptr);
}

// A composer.lock as Composer 2 writes it (fields the cataloger does not
// read shortened away).
constexpr char kComposerLock[] = R"({
  "_readme": ["This file locks the dependencies of your project"],
  "content-hash": "0e7c6f5a4a0d7c1b",
  "packages": [
    {"name": "monolog/monolog", "version": "3.5.0",
     "require": {"php": ">=8.1", "psr/log": "^2.0 || ^3.0"},
     "type": "library", "license": ["MIT"]},
    {"name": "psr/log", "version": "3.0.0", "require": {"php": ">=8.0.0"},
     "license": ["MIT"]},
    {"name": "Symfony/Polyfill-Mbstring", "version": "v1.28.0",
     "license": ["MIT", "BSD-3-Clause"]}
  ],
  "packages-dev": [
    {"name": "phpunit/phpunit", "version": "10.5.2",
     "license": ["BSD-3-Clause"]}
  ],
  "platform": {"php": ">=8.1"},
  "plugin-api-version": "2.6.0"
})";

TEST(ComposerTest, ReadsLockAndBothInstalledForms) {
  auto lock = ParseComposerLock(kComposerLock);
  ASSERT_TRUE(lock) << lock.error().message;
  ASSERT_EQ(lock->size(), 4u);
  const Package* monolog = Find(*lock, "monolog/monolog");
  ASSERT_NE(monolog, nullptr);
  EXPECT_EQ(monolog->version, "3.5.0");
  EXPECT_EQ(monolog->licenses, std::vector<std::string>{"MIT"});
  EXPECT_EQ(monolog->depends_on, (std::vector<std::string>{"php", "psr/log"}));
  const Package* mbstring = Find(*lock, "symfony/polyfill-mbstring");
  ASSERT_NE(mbstring, nullptr);
  EXPECT_EQ(mbstring->version, "v1.28.0");
  EXPECT_EQ(mbstring->licenses,
            (std::vector<std::string>{"MIT", "BSD-3-Clause"}));
  EXPECT_NE(Find(*lock, "phpunit/phpunit"), nullptr);

  // Composer 1: a bare array; Composer 2: {"packages": [...]}.
  auto v1 = ParseComposerInstalled(
      R"([{"name": "psr/log", "version": "1.1.4", "license": "MIT"},
          {"name": "no/version"}, 7])");
  ASSERT_TRUE(v1) << v1.error().message;
  ASSERT_EQ(v1->size(), 1u);
  EXPECT_EQ((*v1)[0].licenses, std::vector<std::string>{"MIT"});
  auto v2 = ParseComposerInstalled(
      R"({"packages": [{"name": "psr/log", "version": "3.0.0"}],
          "dev": true, "dev-package-names": []})");
  ASSERT_TRUE(v2) << v2.error().message;
  ASSERT_EQ(v2->size(), 1u);
  EXPECT_EQ((*v2)[0].version, "3.0.0");

  EXPECT_FALSE(ParseComposerLock("{\"packages\": {}}"));
  EXPECT_FALSE(ParseComposerLock("[1, 2"));
  EXPECT_FALSE(ParseComposerInstalled("\"text\""));
}

TEST(ComposerTest, ImagePackagesHavePurlsEdgesAndLayers) {
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder()
              .File("srv/app/composer.lock", kComposerLock)
              .File("srv/app/vendor/psr/log/composer.lock",
                    R"({"packages": [{"name": "dev/tool", "version": "1"}]})"))
      .Layer(t::LayerBuilder().File(
                 "srv/app/vendor/composer/installed.json",
                 R"({"packages": [{"name": "psr/log", "version": "3.0.0"}]})"),
             t::Compression::kGzip, "RUN composer install");
  Catalog c = CatalogOf(b);
  const Package* monolog = Find(c.packages, "monolog/monolog");
  ASSERT_NE(monolog, nullptr);
  EXPECT_EQ(monolog->purl, "pkg:composer/monolog/monolog@3.5.0");
  EXPECT_EQ(monolog->found_by, "composer");
  EXPECT_EQ(monolog->layer, 0);
  EXPECT_EQ(monolog->depends_on,
            std::vector<std::string>{"pkg:composer/psr/log@3.0.0"});
  const Package* log = Find(c.packages, "psr/log");
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->locations, (std::vector<std::string>{
                                "/srv/app/composer.lock",
                                "/srv/app/vendor/composer/installed.json"}));
  EXPECT_EQ(Find(c.packages, "dev/tool"), nullptr);
  const Package* mbstring = Find(c.packages, "symfony/polyfill-mbstring");
  ASSERT_NE(mbstring, nullptr);
  EXPECT_EQ(mbstring->purl, "pkg:composer/symfony/polyfill-mbstring@v1.28.0");
}

// The shape the .NET SDK writes for `dotnet publish` of an application
// with one NuGet reference (hashes shortened).
constexpr char kDepsJson[] = R"({
  "runtimeTarget": {"name": ".NETCoreApp,Version=v8.0", "signature": ""},
  "compilationOptions": {},
  "targets": {
    ".NETCoreApp,Version=v8.0": {
      "webapp/1.0.0": {
        "dependencies": {"Serilog.Sinks.Console": "5.0.1", "Lib": "1.0.0"},
        "runtime": {"webapp.dll": {}}
      },
      "Serilog/3.1.1": {"runtime": {"lib/net7.0/Serilog.dll": {}}},
      "Serilog.Sinks.Console/5.0.1": {
        "dependencies": {"Serilog": "3.1.1"},
        "runtime": {"lib/net7.0/Serilog.Sinks.Console.dll": {}}
      },
      "Lib/1.0.0": {"runtime": {"Lib.dll": {}}}
    }
  },
  "libraries": {
    "webapp/1.0.0": {"type": "project", "serviceable": false, "sha512": ""},
    "Serilog/3.1.1": {"type": "package", "serviceable": true,
                      "sha512": "sha512-P6G4", "path": "serilog/3.1.1"},
    "Serilog.Sinks.Console/5.0.1": {"type": "package", "serviceable": true,
                                    "sha512": "sha512-vJ9",
                                    "path": "serilog.sinks.console/5.0.1"},
    "Lib/1.0.0": {"type": "project", "serviceable": false, "sha512": ""}
  }
})";

TEST(DotnetTest, ReadsPackageLibrariesWithDependencies) {
  auto deps = ParseDepsJson(kDepsJson);
  ASSERT_TRUE(deps) << deps.error().message;
  ASSERT_EQ(deps->size(), 2u);
  const Package* console = Find(*deps, "Serilog.Sinks.Console");
  ASSERT_NE(console, nullptr);
  EXPECT_EQ(console->version, "5.0.1");
  EXPECT_EQ(console->depends_on, std::vector<std::string>{"Serilog"});
  EXPECT_EQ(Find(*deps, "webapp"), nullptr);
  EXPECT_EQ(Find(*deps, "Lib"), nullptr);

  auto empty = ParseDepsJson(R"({"runtimeTarget": {}})");
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_TRUE(empty->empty());
  EXPECT_FALSE(ParseDepsJson(R"({"libraries": []})"));
  EXPECT_FALSE(ParseDepsJson("[]"));
  auto odd = ParseDepsJson(
      R"({"libraries": {"NoVersion": {"type": "package"},
                        "A/": {"type": "package"}, "B/1": 3,
                        "C/2": {"type": 1}}})");
  ASSERT_TRUE(odd) << odd.error().message;
  EXPECT_TRUE(odd->empty());
}

TEST(DotnetTest, ImagePackagesHaveNugetPurlsAndEdges) {
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder().File("etc/os-release", "ID=debian\n"))
      .Layer(t::LayerBuilder().File("app/webapp.deps.json", kDepsJson),
             t::Compression::kGzip, "COPY /app /app");
  Catalog c = CatalogOf(b);
  const Package* serilog = Find(c.packages, "Serilog");
  ASSERT_NE(serilog, nullptr);
  EXPECT_EQ(serilog->purl, "pkg:nuget/Serilog@3.1.1");
  EXPECT_EQ(serilog->layer, 1);
  EXPECT_EQ(serilog->found_by, "dotnet-deps");
  EXPECT_EQ(serilog->locations,
            std::vector<std::string>{"/app/webapp.deps.json"});
  const Package* console = Find(c.packages, "Serilog.Sinks.Console");
  ASSERT_NE(console, nullptr);
  EXPECT_EQ(console->depends_on, std::vector<std::string>{serilog->purl});
}

TEST(LanguageCatalogTest, MarksOwnedPackagesAndDropsDeletedManifests) {
  std::string yaml_meta = "Name: PyYAML\nVersion: 6.0\nLicense: MIT\n";
  std::string meta = "Name: requests\nVersion: 2.31.0\n";
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder()
              .File("etc/os-release", "ID=debian\nVERSION_ID=12\n")
              .File("var/lib/dpkg/status",
                    "Package: python3-yaml\nStatus: install ok installed\n"
                    "Version: 6.0-3\nArchitecture: amd64\n")
              .File("var/lib/dpkg/info/python3-yaml.list",
                    "/usr/lib/python3/dist-packages/PyYAML-6.0.egg-info\n")
              .File("usr/lib/python3/dist-packages/PyYAML-6.0.egg-info",
                    yaml_meta))
      .Layer(t::LayerBuilder()
                 .File("usr/local/lib/python3.11/site-packages/"
                       "requests-2.31.0.dist-info/METADATA",
                       meta)
                 .File("app/node_modules/left-pad/package.json",
                       R"({"name":"left-pad","version":"1.3.0"})")
                 .File("app/node_modules/gone/package.json",
                       R"({"name":"gone","version":"1.0.0"})"),
             t::Compression::kZstd, "RUN pip install requests")
      .Layer(t::LayerBuilder().Whiteout("app/node_modules/gone"));
  Catalog c = CatalogOf(b);
  const Package* yaml = Find(c.packages, "PyYAML");
  ASSERT_NE(yaml, nullptr);
  EXPECT_EQ(yaml->purl, "pkg:pypi/pyyaml@6.0");
  EXPECT_EQ(yaml->owned_by,
            "pkg:deb/debian/python3-yaml@6.0-3?arch=amd64&distro=debian-12");
  const Package* requests = Find(c.packages, "requests");
  ASSERT_NE(requests, nullptr);
  EXPECT_EQ(requests->layer, 1);
  EXPECT_TRUE(requests->owned_by.empty());
  ASSERT_NE(Find(c.packages, "left-pad"), nullptr);
  EXPECT_EQ(Find(c.packages, "gone"), nullptr);
}

}  // namespace
}  // namespace cinch
