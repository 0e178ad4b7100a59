#include "version/version.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cinch {
namespace {

struct Pair {
  const char* a;
  const char* b;
  int order;  // -1: a < b, 0: equal, 1: a > b
};

// Checks each pair both ways round, so that an asymmetric comparator fails.
void ExpectOrder(VersionScheme scheme, const std::vector<Pair>& pairs) {
  for (const Pair& p : pairs) {
    auto ab = CompareVersions(scheme, p.a, p.b);
    auto ba = CompareVersions(scheme, p.b, p.a);
    ASSERT_TRUE(ab.has_value())
        << p.a << " vs " << p.b << ": " << ab.error().message;
    ASSERT_TRUE(ba.has_value()) << p.b << " vs " << p.a;
    auto sign = [](int x) { return (x > 0) - (x < 0); };
    EXPECT_EQ(sign(*ab), p.order)
        << VersionSchemeName(scheme) << ": " << p.a << " vs " << p.b;
    EXPECT_EQ(sign(*ba), -p.order)
        << VersionSchemeName(scheme) << ": " << p.b << " vs " << p.a;
  }
}

void ExpectInvalid(VersionScheme scheme, const std::vector<std::string>& vs) {
  for (const std::string& v : vs) {
    EXPECT_FALSE(CheckVersion(scheme, v).has_value())
        << VersionSchemeName(scheme) << " accepted '" << v << "'";
  }
}

TEST(DpkgOrder, TildeSortsBeforeEverythingEvenTheEnd) {
  ExpectOrder(VersionScheme::kDpkg,
              {
                  {"1.0~rc1", "1.0", -1},
                  {"1.0~~", "1.0~", -1},
                  {"1.0~~a", "1.0~", -1},
                  {"1.0~", "1.0", -1},
                  {"1.0", "1.0a", -1},
                  {"1.0a", "1.0+", -1},
                  {"1.0~rc1-1", "1.0-1", -1},
                  {"1.2.3-1~deb12u1", "1.2.3-1", -1},
                  {"1.2.3-1+deb12u1", "1.2.3-1", 1},
                  {"2.36-9+deb12u4", "2.36-9+deb12u10", -1},
              });
}

TEST(DpkgOrder, EpochOutranksUpstreamAndRevision) {
  ExpectOrder(VersionScheme::kDpkg, {
                                        {"1:0.1", "9.9", 1},
                                        {"0:1.0", "1.0", 0},
                                        {"00:1.0", "1.0", 0},
                                        {"2:1.0", "10:0.1", -1},
                                        {"1:1.0-1", "1:1.0-2", -1},
                                    });
}

TEST(DpkgOrder, NumbersCompareAsNumbersAndMissingRevisionIsZero) {
  ExpectOrder(VersionScheme::kDpkg, {
                                        {"1.10", "1.9", 1},
                                        {"1.010", "1.10", 0},
                                        {"1.0", "1.0-0", 0},
                                        {"1.0-", "1.0", -1},
                                        {"1.0", "1.0-~", 1},
                                        {"1.0-0", "1.0-1", -1},
                                        {"1.0-1.1", "1.0-1", 1},
                                        {"1.2-3-4", "1.2-3-5", -1},
                                        {"1.0.0", "1.0", 1},
                                        {"1.0a", "1.0.1", -1},
                                        {"99999999999999999999", "1", 1},
                                        {"3.0.11-1~deb12u2", "3.0.9-1", 1},
                                    });
  ExpectInvalid(VersionScheme::kDpkg, {""});
}

TEST(ApkOrder, SuffixesAndRevisions) {
  ExpectOrder(VersionScheme::kApk, {
                                       {"1.0_alpha1", "1.0_beta1", -1},
                                       {"1.0_beta", "1.0_pre", -1},
                                       {"1.0_pre1", "1.0_rc1", -1},
                                       {"1.0_rc1", "1.0", -1},
                                       {"1.0", "1.0_p1", -1},
                                       {"1.0_cvs", "1.0_svn", -1},
                                       {"1.0_git", "1.0_hg", -1},
                                       {"1.0_hg", "1.0_p", -1},
                                       {"1.0", "1.0-r0", -1},
                                       {"1.0-r1", "1.0-r0", 1},
                                       {"1.0-r9", "1.0-r10", -1},
                                       {"1.2.3-r4", "1.2.3-r6", -1},
                                       {"1.0a", "1.0", 1},
                                       {"1.0a", "1.0b", -1},
                                       {"1.0a", "1.0.1", -1},
                                       {"1.1", "1.01", 1},
                                       {"1.01", "1.001", 1},
                                       {"1.0", "1.00", 1},
                                       {"1.05", "1.5", -1},
                                       {"1.1.1d-r0", "1.1.1c-r1", 1},
                                       {"1.2.3", "1.2.3", 0},
                                       {"2.0", "10.0", -1},
                                   });
  ExpectInvalid(VersionScheme::kApk,
                {"", "1.0-x", "1.0_foo", "1.0-1", "1.0A", "a1", "1.0-r1_p1"});
}

TEST(RpmOrder, EpochTildeCaretAndSegments) {
  ExpectOrder(VersionScheme::kRpm,
              {
                  {"1.0", "1.0", 0},          {"1.0", "2.0", -1},
                  {"1.0.1", "1.0", 1},        {"2.0.1a", "2.0.1", 1},
                  {"5.5p1", "5.5p2", -1},     {"5.5p10", "5.5p1", 1},
                  {"10xyz", "10.1xyz", -1},   {"xyz10", "xyz10.1", -1},
                  {"1.0~rc1", "1.0", -1},     {"1.0~rc1", "1.0~rc2", -1},
                  {"1.0^", "1.0", 1},         {"1.0^git1", "1.0.1", -1},
                  {"1.0^git1", "1.0~rc1", 1}, {"1.0a", "1.0.a", 0},
                  {"1_0", "1.0", 0},          {"1:1.0-1", "2.0-1", 1},
                  {"0:1.0-1", "1.0-1", 0},    {"1.0-1.el9", "1.0-1.el9_2", -1},
                  {"2.9", "2.10", -1},        {"1.a", "1.1", -1},
              });
  ExpectInvalid(VersionScheme::kRpm, {"", "x:1.0"});
}

TEST(SemverOrder, PrecedenceFromTheSpecification) {
  // The chain from SemVer 2.0.0, item 11.
  ExpectOrder(VersionScheme::kSemver,
              {
                  {"1.0.0-alpha", "1.0.0-alpha.1", -1},
                  {"1.0.0-alpha.1", "1.0.0-alpha.beta", -1},
                  {"1.0.0-alpha.beta", "1.0.0-beta", -1},
                  {"1.0.0-beta", "1.0.0-beta.2", -1},
                  {"1.0.0-beta.2", "1.0.0-beta.11", -1},
                  {"1.0.0-beta.11", "1.0.0-rc.1", -1},
                  {"1.0.0-rc.1", "1.0.0", -1},
                  {"1.0.0", "1.0.0+build.5", 0},
                  {"v1.2.3", "1.2.3", 0},
                  {"1.9.0", "1.10.0", -1},
                  {"1.0.0-A", "1.0.0-a", -1},
                  {"1.0.0-1", "1.0.0-a", -1},
                  {"4.17.20", "4.17.21", -1},
              });
  ExpectInvalid(VersionScheme::kSemver,
                {"1.0", "01.0.0", "1.0.0-01", "1.0.0-", "1.0.0+", "1.0.0-a..b",
                 "1.0.0.0", "x1.0.0", ""});
}

TEST(GoOrder, PseudoVersionsAndIncompatible) {
  ExpectOrder(VersionScheme::kGo,
              {
                  {"v0.0.0-20190101000000-abcdefabcdef",
                   "v0.0.0-20200101000000-abcdefabcdef", -1},
                  {"v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4", -1},
                  {"v1.2.3", "v1.2.4-0.20191109021931-daa7c04131f5", -1},
                  {"v1.2.4-pre.0.20191109021931-daa7c04131f5", "v1.2.4-pre", 1},
                  {"v2.0.0+incompatible", "v2.0.0", 0},
                  {"v2.1.0+incompatible", "v2.0.0", 1},
                  {"1.4.3", "v1.4.3", 0},
                  {"v1.2", "v1.2.0", 0},
                  {"v1", "v1.0.0", 0},
                  {"1.19.10", "1.19.9", 1},
              });
  ExpectInvalid(VersionScheme::kGo,
                {"v1.2-pre", "v01.0.0", "v1.0.0-01", "go1.20", ""});
}

TEST(Pep440Order, NormalisedFormsAndSortKey) {
  ExpectOrder(VersionScheme::kPep440,
              {
                  {"1.0.dev456", "1.0a1", -1},
                  {"1.0a1", "1.0a2.dev456", -1},
                  {"1.0a2.dev456", "1.0a12.dev456", -1},
                  {"1.0a12", "1.0b1.dev456", -1},
                  {"1.0b2.post345.dev456", "1.0b2.post345", -1},
                  {"1.0rc1", "1.0", -1},
                  {"1.0", "1.0+abc.5", -1},
                  {"1.0+abc.5", "1.0+abc.7", -1},
                  {"1.0+abc.7", "1.0+5", -1},
                  {"1.0+5", "1.0.post456.dev34", -1},
                  {"1.0.post456.dev34", "1.0.post456", -1},
                  {"1.0.post456", "1.1.dev1", -1},
                  {"1.0", "1.0.0", 0},
                  {"1.0ALPHA1", "1.0a1", 0},
                  {"1.0c1", "1.0rc1", 0},
                  {"1.0-1", "1.0.post1", 0},
                  {"1.0-r", "1.0.post0", 0},
                  {"v1.0", "1.0", 0},
                  {"1!0.1", "2.0", 1},
                  {" 1.0 ", "1.0", 0},
                  {"1.0.dev1", "1.0.post1.dev1", -1},
                  {"2.2.1", "2.10", -1},
              });
  ExpectInvalid(VersionScheme::kPep440,
                {"", "1.0+", "1.0-", "a1.0", "1.0.x", "1.0++1", "1..0"});
}

TEST(MavenOrder, QualifiersAndPadding) {
  ExpectOrder(VersionScheme::kMaven, {
                                         {"1", "1.0", 0},
                                         {"1", "1.0.0", 0},
                                         {"1-ga", "1", 0},
                                         {"1-final", "1", 0},
                                         {"1-release", "1", 0},
                                         {"1.0-alpha1", "1.0-a1", 0},
                                         {"1.0-alpha1", "1.0-beta1", -1},
                                         {"1.0-beta1", "1.0-milestone1", -1},
                                         {"1.0-m1", "1.0-rc1", -1},
                                         {"1.0-rc1", "1.0-cr1", 0},
                                         {"1.0-rc1", "1.0-SNAPSHOT", -1},
                                         {"1.0-SNAPSHOT", "1.0", -1},
                                         {"1.0", "1.0-sp1", -1},
                                         {"1.0-sp1", "1.0-foo", -1},
                                         {"1.0-foo", "1.0-goo", -1},
                                         {"1.0", "1.0-1", -1},
                                         {"1.0-1", "1.0.1", -1},
                                         {"2.17.0", "2.17.1", -1},
                                         {"2.9", "2.10", -1},
                                         {"1.0.RELEASE", "1.0", 0},
                                         {"2.12.6.1", "2.12.6", 1},
                                     });
}

TEST(RubyGemsOrder, PrereleasesBeforeReleases) {
  ExpectOrder(VersionScheme::kRubyGems, {
                                            {"1.0", "1.0.0", 0},
                                            {"1.0.a", "1.0", -1},
                                            {"1.0.a", "1.0.b", -1},
                                            {"1.0.rc1", "1.0.rc2", -1},
                                            {"1.0-rc1", "1.0.pre.rc1", 0},
                                            {"1.0.0.1", "1.0", 1},
                                            {"1.9", "1.10", -1},
                                            {"5.2.4.3", "5.2.4.4", -1},
                                            {"1.a", "1.0.a", 0},
                                        });
  ExpectInvalid(VersionScheme::kRubyGems, {"1..0", "a", "1.0-", "1 0"});
}

TEST(NuGetOrder, FourPartsAndCaseInsensitiveLabels) {
  ExpectOrder(VersionScheme::kNuGet, {
                                         {"1.0", "1.0.0.0", 0},
                                         {"1.0.0.1", "1.0.0", 1},
                                         {"1.0.0-beta", "1.0.0", -1},
                                         {"1.0.0-BETA", "1.0.0-beta", 0},
                                         {"1.0.0-beta.2", "1.0.0-beta.10", -1},
                                         {"1.0.0+abc", "1.0.0", 0},
                                         {"13.0.1", "13.0.3", -1},
                                     });
  ExpectInvalid(VersionScheme::kNuGet, {"", "1.0.0.0.0", "1.x", "1.0-"});
}

TEST(Ecosystems, NamesPickTheirScheme) {
  EXPECT_EQ(SchemeForEcosystem("Debian:12"), VersionScheme::kDpkg);
  EXPECT_EQ(SchemeForEcosystem("Ubuntu:22.04:LTS"), VersionScheme::kDpkg);
  EXPECT_EQ(SchemeForEcosystem("Alpine:v3.19"), VersionScheme::kApk);
  EXPECT_EQ(SchemeForEcosystem("PyPI"), VersionScheme::kPep440);
  EXPECT_EQ(SchemeForEcosystem("crates.io"), VersionScheme::kSemver);
  EXPECT_EQ(SchemeForEcosystem("Go"), VersionScheme::kGo);
  EXPECT_EQ(SchemeForEcosystem("Rocky Linux:9"), VersionScheme::kRpm);
  EXPECT_EQ(SchemeForEcosystem("Packagist"), std::nullopt);
  EXPECT_EQ(SchemeForEcosystem("Debianish"), std::nullopt);
  EXPECT_EQ(VersionSchemeByName("pep440"), VersionScheme::kPep440);
  EXPECT_EQ(VersionSchemeName(VersionScheme::kApk), "apk");
}

}  // namespace
}  // namespace cinch
