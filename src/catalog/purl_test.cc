#include "catalog/purl.h"

#include <gtest/gtest.h>

#include "catalog/license.h"

namespace cinch {
namespace {

Package Deb(std::string name, std::string version, std::string arch) {
  Package p;
  p.type = PackageType::kDeb;
  p.name = std::move(name);
  p.version = std::move(version);
  p.architecture = std::move(arch);
  return p;
}

TEST(PurlTest, DebianPackageCarriesArchDistroAndEncodedPlus) {
  Distro debian{"debian", "12", "bookworm", ""};
  Package bash = Deb("bash", "5.2.15-2+b2", "amd64");
  bash.source_name = "bash";
  bash.source_version = "5.2.15-2";
  EXPECT_EQ(MakePurl(bash, debian),
            "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12&"
            "upstream=bash%405.2.15-2");
  Package libc = Deb("libc6", "2.36-9", "amd64");
  libc.source_name = "glibc";
  libc.source_version = "2.36-9";
  EXPECT_EQ(MakePurl(libc, debian),
            "pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12&"
            "upstream=glibc");
}

TEST(PurlTest, EpochStaysInDebVersionButIsAQualifierForRpm) {
  Distro debian{"debian", "12", "", ""};
  EXPECT_EQ(MakePurl(Deb("bsdutils", "1:2.38.1-5", "amd64"), debian),
            "pkg:deb/debian/bsdutils@1:2.38.1-5?arch=amd64&distro=debian-12");
  Package rpm;
  rpm.type = PackageType::kRpm;
  rpm.name = "openssl-libs";
  rpm.version = "1:3.0.7-24.el9";
  rpm.architecture = "x86_64";
  EXPECT_EQ(MakePurl(rpm, Distro{"rhel", "9.3", "", ""}),
            "pkg:rpm/redhat/openssl-libs@3.0.7-24.el9?arch=x86_64&"
            "distro=rhel-9.3&epoch=1");
}

TEST(PurlTest, LanguageNamesFollowTypeRules) {
  Distro none;
  Package py;
  py.type = PackageType::kPypi;
  py.name = "Typing_Extensions";
  py.version = "4.8.0";
  EXPECT_EQ(MakePurl(py, none), "pkg:pypi/typing-extensions@4.8.0");
  Package npm;
  npm.type = PackageType::kNpm;
  npm.name = "@babel/core";
  npm.version = "7.0.0";
  EXPECT_EQ(MakePurl(npm, none), "pkg:npm/%40babel/core@7.0.0");
  Package go;
  go.type = PackageType::kGolang;
  go.name = "github.com/spf13/cobra";
  go.version = "v1.8.0";
  EXPECT_EQ(MakePurl(go, none), "pkg:golang/github.com/spf13/cobra@v1.8.0");
  Package mvn;
  mvn.type = PackageType::kMaven;
  mvn.name = "org.apache.logging.log4j:log4j-core";
  mvn.version = "2.14.1";
  EXPECT_EQ(MakePurl(mvn, none),
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
  Package nameless;
  nameless.type = PackageType::kNpm;
  EXPECT_EQ(MakePurl(nameless, none), "");
}

TEST(PurlTest, ParseRoundTripsAndDecodes) {
  auto p = ParsePurl(
      "pkg:deb/debian/bash@5.2.15-2%2Bb2?distro=debian-12&arch=amd64&"
      "upstream=bash%405.2.15-2");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->type, "deb");
  EXPECT_EQ(p->namespace_, "debian");
  EXPECT_EQ(p->name, "bash");
  EXPECT_EQ(p->version, "5.2.15-2+b2");
  EXPECT_EQ(p->qualifiers["upstream"], "bash@5.2.15-2");
  // Qualifiers come back sorted.
  EXPECT_EQ(p->ToString(),
            "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12&"
            "upstream=bash%405.2.15-2");

  Package pkg;
  Distro distro;
  ApplyPurl(*p, pkg, &distro);
  EXPECT_EQ(pkg.type, PackageType::kDeb);
  EXPECT_EQ(pkg.source_name, "bash");
  EXPECT_EQ(pkg.source_version, "5.2.15-2");
  EXPECT_EQ(distro.id, "debian");
  EXPECT_EQ(distro.version_id, "12");

  auto npm = ParsePurl("pkg:npm/%40babel/core@7.0.0");
  ASSERT_TRUE(npm);
  Package n;
  ApplyPurl(*npm, n, nullptr);
  EXPECT_EQ(n.name, "@babel/core");
  EXPECT_FALSE(ParsePurl("deb/debian/bash"));
  EXPECT_FALSE(ParsePurl("pkg:deb"));
}

TEST(LicenseTest, MapsDebianNamesAndValidatesExpressions) {
  EXPECT_EQ(NormalizeLicense("GPL-2+"), "GPL-2.0-or-later");
  EXPECT_EQ(NormalizeLicense("Expat"), "MIT");
  EXPECT_EQ(NormalizeLicense("GPL-2+ or Artistic"),
            "GPL-2.0-or-later OR Artistic-1.0-Perl");
  EXPECT_EQ(NormalizeLicense("mit"), "MIT");
  EXPECT_EQ(NormalizeLicense("MIT License"), "MIT");
  EXPECT_EQ(NormalizeLicense("public-domain"), "public-domain");
  EXPECT_TRUE(IsSpdxExpression("(MIT OR Apache-2.0) AND BSD-3-Clause"));
  EXPECT_TRUE(
      IsSpdxExpression("GPL-2.0-or-later WITH Classpath-exception-2.0"));
  EXPECT_TRUE(IsSpdxExpression("LicenseRef-foo"));
  EXPECT_FALSE(IsSpdxExpression("MIT OR"));
  EXPECT_FALSE(IsSpdxExpression("(MIT"));
  EXPECT_FALSE(IsSpdxExpression("Some License"));
  EXPECT_FALSE(IsSpdxExpression(""));
}

}  // namespace
}  // namespace cinch
