#include "sbom/sbom.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

#include "base/json.h"
#include "catalog/catalog.h"
#include "tests/fixtures/image_builder.h"

namespace cinch {
namespace {

namespace t = ::cinch::testing;

std::string TestData(const std::string& rel) {
  const char* root = std::getenv("CINCH_TEST_DATA");
  return std::string(root != nullptr ? root : "tests") + "/" + rel;
}

// Runs the schema validator on `doc`; returns its exit status and output.
std::pair<int, std::string> Validate(const std::string& doc) {
  t::TempDir dir;
  t::WriteFile(dir / "doc.json", doc);
  std::string cmd = "python3 " + TestData("sbom/validate_sbom.py") + " " +
                    TestData("fixtures/schemas") + " " + (dir / "doc.json") +
                    " > " + (dir / "out.txt") + " 2>&1";
  int rc = std::system(cmd.c_str());
  int status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return {status, t::ReadFile(dir / "out.txt")};
}

#define EXPECT_VALID(doc)                                           \
  do {                                                              \
    auto [status, out] = Validate(doc);                             \
    if (status == 77) GTEST_SKIP() << "python3-jsonschema missing"; \
    EXPECT_EQ(status, 0) << out;                                    \
  } while (false)

// An image with OS, Python, npm, gem, Composer and NuGet packages, a
// dependency edge, an unknown licence, a compound expression and a
// package with no licence.
Sbom SampleSbom() {
  t::ImageBuilder b;
  b.Layer(t::LayerBuilder()
              .File("etc/os-release",
                    "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian 12\"\n")
              .File("var/lib/dpkg/status",
                    "Package: libc6\nStatus: install ok installed\n"
                    "Version: 2.36-9+deb12u4\nArchitecture: amd64\n"
                    "Source: glibc\n\n"
                    "Package: bash\nStatus: install ok installed\n"
                    "Version: 5.2.15-2+b2\nArchitecture: amd64\n"
                    "Depends: libc6 (>= 2.36)\n")
              .File("usr/share/doc/bash/copyright",
                    "Format: https://www.debian.org/doc/packaging-manuals/"
                    "copyright-format/1.0/\n\nFiles: *\nLicense: GPL-3+\n\n"
                    "Files: x\nLicense: public-domain\n"),
          t::Compression::kGzip, "ADD rootfs.tar /")
      .Layer(t::LayerBuilder()
                 .File("app/node_modules/a/package.json",
                       R"j({"name":"a","version":"1.0.0",
                            "license":"(MIT OR Apache-2.0)"})j")
                 .File("usr/lib/python3/site-packages/x-1.0.dist-info/METADATA",
                       "Name: x\nVersion: 1.0\nLicense: BSD\n")
                 .File("usr/local/bundle/specifications/rake-13.0.6.gemspec",
                       "s.name = \"rake\".freeze\ns.version = \"13.0.6\"\n"
                       "s.licenses = [\"MIT\".freeze]\n")
                 .File("srv/app/composer.lock",
                       R"j({"packages": [{"name": "psr/log",
                            "version": "3.0.0", "license": ["MIT"]}]})j")
                 .File("app/web.deps.json",
                       R"j({"libraries": {"Serilog/3.1.1":
                            {"type": "package"}}})j"),
             t::Compression::kGzip, "RUN npm install && pip install x");
  t::TempDir dir;
  b.WriteOciLayout(dir / "img");
  auto source = OpenImage(dir / "img", {});
  EXPECT_TRUE(source);
  auto catalog = CatalogImage(**source, {});
  EXPECT_TRUE(catalog);
  Sbom sbom = MakeSbom((*source)->image(), std::move(*catalog));
  sbom.subject_name = "example:latest";
  return sbom;
}

SbomWriteOptions Options() {
  SbomWriteOptions o;
  o.created_unix = 1700000000;
  o.tool_version = "0.1.0";
  return o;
}

const Package* Find(const Sbom& s, std::string_view name) {
  for (const Package& p : s.packages) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

TEST(SbomWriterTest, EveryFormatValidatesAgainstItsSchema) {
  Sbom sbom = SampleSbom();
  ASSERT_EQ(sbom.packages.size(), 7u);
  EXPECT_VALID(WriteCycloneDx(sbom, SbomFormat::kCycloneDx16, Options()));
  EXPECT_VALID(WriteCycloneDx(sbom, SbomFormat::kCycloneDx15, Options()));
  EXPECT_VALID(WriteSpdx(sbom, Options()));
}

TEST(SbomWriterTest, ValidatorRejectsBrokenDocuments) {
  Sbom sbom = SampleSbom();
  std::string cdx = WriteCycloneDx(sbom, SbomFormat::kCycloneDx16, Options());
  auto doc = ParseJson(cdx, "cdx");
  ASSERT_TRUE(doc);
  (*doc)["components"][1]["type"] = "not-a-type";
  auto [status, out] = Validate(doc->dump());
  if (status == 77) GTEST_SKIP();
  EXPECT_EQ(status, 1) << out;

  // A duplicate purl is refused even where the schema allows it.
  Sbom dup = sbom;
  dup.packages.push_back(dup.packages[0]);
  dup.packages.back().name += "-copy";
  EXPECT_EQ(Validate(WriteSpdx(dup, Options())).first, 1);

  auto spdx = ParseJson(WriteSpdx(sbom, Options()), "spdx");
  (*spdx)["packages"][2].erase("SPDXID");
  EXPECT_EQ(Validate(spdx->dump()).first, 1);
}

TEST(SbomWriterTest, OutputIsDeterministicAndTimed) {
  Sbom a = SampleSbom();
  Sbom b = SampleSbom();
  EXPECT_EQ(WriteCycloneDx(a, SbomFormat::kCycloneDx16, Options()),
            WriteCycloneDx(b, SbomFormat::kCycloneDx16, Options()));
  EXPECT_EQ(WriteSpdx(a, Options()), WriteSpdx(b, Options()));
  std::string cdx = WriteCycloneDx(a, SbomFormat::kCycloneDx16, Options());
  EXPECT_NE(cdx.find("\"timestamp\": \"2023-11-14T22:13:20Z\""),
            std::string::npos);
  // Different content, different serial number.
  b.packages.pop_back();
  auto serial = [](const std::string& d) {
    return (*ParseJson(d, "x"))["serialNumber"].get<std::string>();
  };
  EXPECT_NE(serial(cdx),
            serial(WriteCycloneDx(b, SbomFormat::kCycloneDx16, Options())));
}

TEST(SbomWriterTest, LicencesUseIdsExpressionsOrNames) {
  Sbom sbom = SampleSbom();
  auto doc = *ParseJson(
      WriteCycloneDx(sbom, SbomFormat::kCycloneDx16, Options()), "cdx");
  std::map<std::string, Json> by_name;
  for (const Json& c : doc["components"]) by_name[c["name"]] = c;
  EXPECT_EQ(by_name["a"]["licenses"][0]["expression"], "(MIT OR Apache-2.0)");
  EXPECT_EQ(by_name["bash"]["licenses"][0]["license"]["id"],
            "GPL-3.0-or-later");
  EXPECT_EQ(by_name["bash"]["licenses"][1]["license"]["name"], "public-domain");
  EXPECT_EQ(by_name["debian"]["type"], "operating-system");

  auto spdx = *ParseJson(WriteSpdx(sbom, Options()), "spdx");
  std::map<std::string, Json> pkgs;
  for (const Json& p : spdx["packages"]) pkgs[p["name"]] = p;
  EXPECT_EQ(pkgs["bash"]["licenseDeclared"],
            "GPL-3.0-or-later AND LicenseRef-public-domain");
  EXPECT_EQ(pkgs["libc6"]["licenseDeclared"], "NOASSERTION");
  EXPECT_EQ(spdx["hasExtractedLicensingInfos"][0]["licenseId"],
            "LicenseRef-BSD");
}

TEST(SbomReaderTest, CinchDocumentsRoundTrip) {
  Sbom sbom = SampleSbom();
  for (SbomFormat f : {SbomFormat::kCycloneDx16, SbomFormat::kCycloneDx15,
                       SbomFormat::kSpdx23}) {
    std::string text = f == SbomFormat::kSpdx23
                           ? WriteSpdx(sbom, Options())
                           : WriteCycloneDx(sbom, f, Options());
    auto back = ParseSbom(text, "doc");
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->tool, "cinch");
    EXPECT_EQ(back->format, f);
    EXPECT_EQ(back->distro.id, "debian");
    EXPECT_EQ(back->distro.version_id, "12");
    EXPECT_EQ(back->subject_digest, sbom.subject_digest);
    ASSERT_EQ(back->packages.size(), sbom.packages.size());
    for (const Package& p : sbom.packages) {
      const Package* q = Find(*back, p.name);
      ASSERT_NE(q, nullptr) << p.name;
      EXPECT_EQ(q->purl, p.purl);
      EXPECT_EQ(q->version, p.version);
      EXPECT_EQ(q->type, p.type);
      EXPECT_EQ(q->layer, p.layer) << p.name;
      EXPECT_EQ(q->source_name, p.source_name) << p.name;
      EXPECT_EQ(q->depends_on, p.depends_on) << p.name;
    }
    EXPECT_EQ(back->layers[1].diff_id, sbom.layers[1].diff_id);
  }
}

// Documents shaped as Syft and Trivy write them (field names from their
// published output; values made up).
TEST(SbomReaderTest, ReadsSyftAndTrivyConventions) {
  auto trivy = ParseSbom(R"({
    "bomFormat": "CycloneDX", "specVersion": "1.5",
    "metadata": {"tools": {"components": [{"name": "trivy", "version": "0.50.0"}]},
      "component": {"type": "container", "name": "debian:12", "properties": [
        {"name": "aquasecurity:trivy:DiffID", "value": "sha256:aaa"},
        {"name": "aquasecurity:trivy:DiffID", "value": "sha256:bbb"},
        {"name": "aquasecurity:trivy:RepoDigest", "value": "debian@sha256:ddd"}]}},
    "components": [
      {"bom-ref": "os", "type": "operating-system", "name": "debian", "version": "12.5"},
      {"bom-ref": "p1", "type": "library", "name": "bsdutils", "version": "1:2.38.1-5",
       "purl": "pkg:deb/debian/bsdutils@2.38.1-5?arch=amd64&epoch=1&distro=debian-12.5",
       "properties": [
         {"name": "aquasecurity:trivy:LayerDiffID", "value": "sha256:bbb"},
         {"name": "aquasecurity:trivy:SrcName", "value": "util-linux"},
         {"name": "aquasecurity:trivy:SrcVersion", "value": "2.38.1"},
         {"name": "aquasecurity:trivy:SrcRelease", "value": "5"},
         {"name": "aquasecurity:trivy:SrcEpoch", "value": "1"}]},
      {"bom-ref": "app", "type": "application", "name": "/app/package-lock.json"}],
    "dependencies": [{"ref": "os", "dependsOn": ["p1"]}]})",
                         "trivy");
  ASSERT_TRUE(trivy) << trivy.error().message;
  EXPECT_EQ(trivy->tool, "trivy");
  EXPECT_EQ(trivy->distro.version_id, "12.5");
  EXPECT_EQ(trivy->subject_digest, "sha256:ddd");
  ASSERT_EQ(trivy->packages.size(), 1u);
  const Package& bsd = trivy->packages[0];
  EXPECT_EQ(bsd.version, "1:2.38.1-5");
  EXPECT_EQ(bsd.source_name, "util-linux");
  EXPECT_EQ(bsd.source_version, "1:2.38.1-5");
  EXPECT_EQ(bsd.layer, 1);

  auto syft = ParseSbom(R"({
    "spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT",
    "creationInfo": {"creators": ["Organization: Anchore, Inc",
                                  "Tool: syft-1.0.1"]},
    "packages": [
      {"SPDXID": "SPDXRef-img", "name": "alpine", "versionInfo": "sha256:eee",
       "primaryPackagePurpose": "CONTAINER"},
      {"SPDXID": "SPDXRef-a", "name": "musl", "versionInfo": "1.2.4-r2",
       "licenseDeclared": "MIT", "externalRefs": [{"referenceCategory":
       "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator":
       "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&upstream=musl&distro=alpine-3.19.1"}]},
      {"SPDXID": "SPDXRef-b", "name": "busybox", "versionInfo": "1.36.1-r15",
       "licenseDeclared": "LicenseRef-x", "externalRefs": [{"referenceCategory":
       "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator":
       "pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1"}]}],
    "hasExtractedLicensingInfos": [{"licenseId": "LicenseRef-x",
                                    "extractedText": "GPL-2.0-only"}],
    "relationships": [{"spdxElementId": "SPDXRef-b",
      "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-a"}]})",
                        "syft");
  ASSERT_TRUE(syft) << syft.error().message;
  EXPECT_EQ(syft->tool, "syft");
  EXPECT_EQ(syft->tool_version, "1.0.1");
  EXPECT_EQ(syft->distro.id, "alpine");
  EXPECT_EQ(syft->distro.version_id, "3.19.1");
  ASSERT_EQ(syft->packages.size(), 2u);
  EXPECT_EQ(syft->packages[0].source_name, "musl");
  EXPECT_EQ(syft->packages[1].licenses,
            std::vector<std::string>{"GPL-2.0-only"});
  EXPECT_EQ(syft->packages[1].depends_on,
            std::vector<std::string>{syft->packages[0].purl});

  EXPECT_FALSE(ParseSbom("{\"hello\": 1}", "x"));
  EXPECT_FALSE(ParseSbom("[", "x"));
  EXPECT_FALSE(ReadSbom("/nonexistent/sbom.json"));
}

TEST(SbomTableTest, ListsPackagesWithLayers) {
  std::string table = WriteSbomTable(SampleSbom());
  EXPECT_NE(table.find("OS: debian 12"), std::string::npos);
  EXPECT_NE(table.find("RUN npm install"), std::string::npos);
  EXPECT_NE(table.find("7 packages"), std::string::npos) << table;
}

}  // namespace
}  // namespace cinch
