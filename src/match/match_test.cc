#include "match/match.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>

#include "advisory/osv.h"

namespace cinch {
namespace {

std::string Fixture(const std::string& name) {
  const char* root = std::getenv("CINCH_TEST_DATA");
  std::string path =
      std::string(root ? root : "tests") + "/fixtures/osv/" + name;
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Advisory Load(const std::string& name) {
  auto a = ParseOsvText(Fixture(name), name);
  EXPECT_TRUE(a.has_value()) << (a ? "" : a.error().message);
  return a ? *a : Advisory{};
}

// A lookup over advisories held in memory, filtered the way the store
// filters (ecosystem and normalised name).
AdvisoryLookup InMemory(std::vector<Advisory> advisories) {
  return [all = std::move(advisories)](
             std::string_view eco,
             std::string_view name) -> Result<std::vector<Advisory>> {
    std::vector<Advisory> out;
    for (const Advisory& a : all) {
      for (const Affected& f : a.affected) {
        if (f.ecosystem == eco && NormalizePackageName(eco, f.name) ==
                                      NormalizePackageName(eco, name)) {
          out.push_back(a);
          break;
        }
      }
    }
    return out;
  };
}

Package Deb(std::string name, std::string version, std::string source = "") {
  Package p;
  p.type = PackageType::kDeb;
  p.name = std::move(name);
  p.version = std::move(version);
  p.source_name = std::move(source);
  p.purl = "pkg:deb/debian/" + p.name + "@" + p.version;
  return p;
}

Package Lang(PackageType type, std::string name, std::string version) {
  Package p;
  p.type = type;
  p.name = std::move(name);
  p.version = std::move(version);
  p.purl = "pkg:x/" + p.name + "@" + p.version;
  return p;
}

Distro Debian(std::string release) { return {"debian", release, "", ""}; }

Affected Range(std::vector<RangeEvent> events,
               RangeType type = RangeType::kEcosystem) {
  Affected a;
  a.ranges.push_back({type, std::move(events)});
  return a;
}

using K = RangeEvent::Kind;

TEST(EvaluateAffected, IntroducedFixedLastAffectedAndLimit) {
  auto s = VersionScheme::kSemver;
  Affected fixed = Range({{K::kIntroduced, "1.0.0"}, {K::kFixed, "1.2.0"}});
  EXPECT_FALSE(EvaluateAffected(fixed, "0.9.0", s).affected);
  EXPECT_TRUE(EvaluateAffected(fixed, "1.0.0", s).affected);
  EXPECT_EQ(EvaluateAffected(fixed, "1.1.9", s).fixed, "1.2.0");
  EXPECT_FALSE(EvaluateAffected(fixed, "1.2.0", s).affected);

  Affected last = Range({{K::kIntroduced, "0"}, {K::kLastAffected, "2.0.0"}});
  EXPECT_TRUE(EvaluateAffected(last, "2.0.0", s).affected);
  EXPECT_TRUE(EvaluateAffected(last, "2.0.0", s).fixed.empty());
  EXPECT_FALSE(EvaluateAffected(last, "2.0.1", s).affected);

  // Events out of order, two introduced/fixed pairs.
  Affected two = Range({{K::kFixed, "3.0.5"},
                        {K::kIntroduced, "3.0.0"},
                        {K::kFixed, "2.4.2"},
                        {K::kIntroduced, "0"}});
  EXPECT_TRUE(EvaluateAffected(two, "2.4.1", s).affected);
  EXPECT_EQ(EvaluateAffected(two, "2.4.1", s).fixed, "2.4.2");
  EXPECT_FALSE(EvaluateAffected(two, "2.9.0", s).affected);
  EXPECT_TRUE(EvaluateAffected(two, "3.0.1", s).affected);
  EXPECT_EQ(EvaluateAffected(two, "3.0.1", s).fixed, "3.0.5");

  Affected limited = Range({{K::kIntroduced, "0"}, {K::kLimit, "1.5.0"}});
  EXPECT_TRUE(EvaluateAffected(limited, "1.4.0", s).affected);
  EXPECT_FALSE(EvaluateAffected(limited, "1.5.0", s).affected);
}

TEST(EvaluateAffected, VersionListsAndUnorderedEcosystems) {
  Affected listed;
  listed.versions = {"1.0", "1.1"};
  EXPECT_TRUE(EvaluateAffected(listed, "1.1", std::nullopt).affected);
  EXPECT_FALSE(EvaluateAffected(listed, "1.2", std::nullopt).affected);
  // Ranges need an order; without one only the list counts.
  Affected ranged = Range({{K::kIntroduced, "0"}, {K::kFixed, "9"}});
  EXPECT_FALSE(EvaluateAffected(ranged, "1", std::nullopt).affected);
}

TEST(EvaluateAffected, UnparseableVersionIsReportedNotMatched) {
  Affected a = Range({{K::kIntroduced, "0"}, {K::kFixed, "not a version"}});
  AffectedVerdict v = EvaluateAffected(a, "1.0.0", VersionScheme::kSemver);
  EXPECT_FALSE(v.affected);
  EXPECT_EQ(v.problems.size(), 1u);
}

TEST(MatchPackages, DebianSourcePackageAgainstItsOwnReleaseOnly) {
  AdvisoryLookup lookup = InMemory({Load("DLA-3008-1.json")});
  // libssl1.1 is built from openssl: matched through its source.
  std::vector<Package> pkgs = {Deb("libssl1.1", "1.1.0l-1~deb9u5", "openssl"),
                               Deb("openssl", "1.1.0l-1~deb9u6")};
  auto r = MatchPackages(Debian("9"), pkgs, lookup);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->findings.size(), 1u);
  const VulnFinding& f = r->findings[0];
  EXPECT_EQ(f.package_index, 0u);
  EXPECT_EQ(f.id, "CVE-2022-1292");
  EXPECT_EQ(f.fixed_version, "1.1.0l-1~deb9u6");
  EXPECT_EQ(f.ecosystem, "Debian:9");
  EXPECT_EQ(f.matched_name, "openssl");

  // The same versions on Debian 10 or 12: that record does not apply.
  for (const char* release : {"10", "12"}) {
    auto other = MatchPackages(Debian(release), pkgs, lookup);
    ASSERT_TRUE(other.has_value());
    EXPECT_TRUE(other->findings.empty()) << release;
  }
}

TEST(MatchPackages, AlpineOriginAndBranch) {
  AdvisoryLookup lookup = InMemory({Load("ALPINE-CVE-2025-26519.json")});
  Package musl;
  musl.type = PackageType::kApk;
  musl.name = "musl-utils";
  musl.source_name = "musl";
  musl.version = "1.2.3-r5";
  Distro v317{"alpine", "3.17.3", "", ""};
  Distro v316{"alpine", "3.16.9", "", ""};
  auto r17 = MatchPackages(v317, {musl}, lookup);
  ASSERT_TRUE(r17.has_value());
  ASSERT_EQ(r17->findings.size(), 1u);  // fixed in 1.2.3-r6 on 3.17
  EXPECT_EQ(r17->findings[0].fixed_version, "1.2.3-r6");
  auto r16 = MatchPackages(v316, {musl}, lookup);
  ASSERT_TRUE(r16.has_value());
  EXPECT_TRUE(r16->findings.empty());  // fixed in 1.2.3-r4 on 3.16
}

TEST(MatchPackages, LanguagePackagesAndOwnedOnes) {
  AdvisoryLookup lookup =
      InMemory({Load("GHSA-29mw-wpgm-hmr9.json"), Load("PYSEC-2012-5.json"),
                Load("GO-2022-0274.json")});
  std::vector<Package> pkgs = {
      Lang(PackageType::kNpm, "lodash", "4.17.20"),
      Lang(PackageType::kNpm, "lodash", "4.17.21"),
      Lang(PackageType::kPypi, "Tornado", "2.2"),
      Lang(PackageType::kPypi, "tornado", "2.2.1"),
      Lang(PackageType::kGolang, "github.com/opencontainers/runc", "v1.0.2"),
      Lang(PackageType::kGolang, "github.com/opencontainers/runc", "v1.1.0"),
  };
  // A Debian python3-tornado module: left to the distro's advisories.
  Package owned = Lang(PackageType::kPypi, "tornado", "2.0");
  owned.owned_by = "pkg:deb/debian/python3-tornado@2.0-1";
  pkgs.push_back(owned);
  pkgs.push_back(Deb("python3-tornado", "2.0-1"));

  auto r = MatchPackages(Debian("12"), pkgs, lookup);
  ASSERT_TRUE(r.has_value());
  std::vector<std::pair<size_t, std::string>> got;
  for (const VulnFinding& f : r->findings)
    got.emplace_back(f.package_index, f.id);
  std::vector<std::pair<size_t, std::string>> want = {
      {0, "CVE-2020-28500"}, {2, "CVE-2012-2374"}, {4, "CVE-2021-43784"}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(r->findings[0].fixed_version, "4.17.21");
  EXPECT_EQ(r->findings[0].cvss_score, 5.3);
  EXPECT_EQ(r->findings[0].severity, VulnSeverity::kMedium);
  EXPECT_EQ(r->findings[1].fixed_version, "2.2.1");
}

TEST(MatchPackages, AliasesMergeIntoOneFinding) {
  Advisory ghsa;
  ghsa.id = "GHSA-aaaa-bbbb-cccc";
  ghsa.aliases = {"CVE-2024-0001"};
  ghsa.affected.push_back(Range({{K::kIntroduced, "0"}, {K::kFixed, "2.0"}}));
  ghsa.affected[0].ecosystem = "PyPI";
  ghsa.affected[0].name = "demo";
  Advisory pysec = ghsa;
  pysec.id = "PYSEC-2024-1";
  pysec.aliases = {"GHSA-aaaa-bbbb-cccc"};
  pysec.affected[0].ranges[0].events[1].version = "2.1";
  Advisory withdrawn = ghsa;
  withdrawn.id = "GHSA-dddd-eeee-ffff";
  withdrawn.aliases = {};
  withdrawn.withdrawn = "2024-02-01T00:00:00Z";

  auto r = MatchPackages({}, {Lang(PackageType::kPypi, "Demo", "1.0")},
                         InMemory({ghsa, pysec, withdrawn}));
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->findings.size(), 1u);
  const VulnFinding& f = r->findings[0];
  EXPECT_EQ(f.id, "CVE-2024-0001");
  EXPECT_EQ(f.aliases,
            (std::vector<std::string>{"GHSA-aaaa-bbbb-cccc", "PYSEC-2024-1"}));
  EXPECT_EQ(f.fixed_version, "2.1");  // the fix that satisfies both
}

TEST(MatchPackages, UnknownDistroIsNotedNotGuessed) {
  auto r = MatchPackages({}, {Deb("openssl", "1.1.0l-1~deb9u5")},
                         InMemory({Load("DLA-3008-1.json")}));
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->findings.empty());
  ASSERT_FALSE(r->notes.empty());
}

TEST(DistroEcosystems, ReleaseNames) {
  EXPECT_EQ(DistroEcosystems({"debian", "12", "bookworm", ""}),
            std::vector<std::string>{"Debian:12"});
  EXPECT_EQ(DistroEcosystems({"alpine", "3.19.1", "", ""}),
            std::vector<std::string>{"Alpine:v3.19"});
  EXPECT_EQ(DistroEcosystems({"ubuntu", "22.04", "jammy", ""}),
            (std::vector<std::string>{"Ubuntu:22.04", "Ubuntu:22.04:LTS"}));
  EXPECT_TRUE(DistroEcosystems({"debian", "", "trixie", ""}).empty());
}

// ---- Larger checks over the shared data set (skipped without it) --------

std::string SharedData() {
  const char* env = std::getenv("CINCH_SHARED_DATA");
  std::string path = env ? env : "";
  if (path.empty()) {
    const char* tests = std::getenv("CINCH_TEST_DATA");
    path = std::string(tests ? tests : "tests") + "/../../shared/data";
  }
  return std::filesystem::is_directory(path) ? path : "";
}

using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;

// Calls `each` with every JSON record of an OSV zip.
void ForEachRecord(const std::string& zip,
                   const std::function<void(const Advisory&)>& each) {
  ArchivePtr ar(archive_read_new(), archive_read_free);
  archive_read_support_format_zip(ar.get());
  ASSERT_EQ(archive_read_open_filename(ar.get(), zip.c_str(), 1 << 16),
            ARCHIVE_OK);
  struct archive_entry* entry;
  while (archive_read_next_header(ar.get(), &entry) == ARCHIVE_OK) {
    std::string text(size_t(archive_entry_size(entry)), '\0');
    archive_read_data(ar.get(), text.data(), text.size());
    auto a = ParseOsvText(text, archive_entry_pathname(entry));
    ASSERT_TRUE(a.has_value()) << a.error().message;
    each(*a);
  }
}

TEST(SharedData, Debian12RecordsFindVulnerableNotFixedNotOtherReleases) {
  std::string data = SharedData();
  if (data.empty()) GTEST_SKIP() << "shared data set not present";
  int checked = 0;
  ForEachRecord(data + "/osv/Debian12-derived.zip", [&](const Advisory& a) {
    for (const Affected& f : a.affected) {
      for (const AffectedRange& r : f.ranges) {
        for (const RangeEvent& e : r.events) {
          if (e.kind != K::kFixed) continue;
          AdvisoryLookup lookup = InMemory({a});
          // Just below the fix ('~' sorts before the end), at it, and the
          // vulnerable version on another release.
          Package below = Deb(f.name + "-bin", e.version + "~", f.name);
          Package at = Deb(f.name + "-bin", e.version, f.name);
          auto r12 = MatchPackages(Debian("12"), {below, at}, lookup);
          ASSERT_TRUE(r12.has_value());
          ASSERT_EQ(r12->findings.size(), 1u) << a.id;
          EXPECT_EQ(r12->findings[0].package_index, 0u) << a.id;
          EXPECT_EQ(r12->findings[0].fixed_version, e.version) << a.id;
          auto r11 = MatchPackages(Debian("11"), {below}, lookup);
          ASSERT_TRUE(r11.has_value());
          EXPECT_TRUE(r11->findings.empty()) << a.id;
          ++checked;
        }
      }
    }
  });
  EXPECT_GT(checked, 900);
}

// PyPI records list the affected versions that osv.dev enumerated from
// their ranges with PEP 440 order: evaluating the ranges alone must agree.
TEST(SharedData, PypiRangesAgreeWithListedVersions) {
  std::string data = SharedData();
  if (data.empty()) GTEST_SKIP() << "shared data set not present";
  int listed = 0;
  std::vector<std::string> disagreements;
  ForEachRecord(data + "/osv/PyPI.zip", [&](const Advisory& a) {
    for (const Affected& f : a.affected) {
      // Lists derived from GIT ranges follow commits, not version order.
      bool ecosystem = false;
      bool git = false;
      for (const AffectedRange& r : f.ranges) {
        ecosystem = ecosystem || r.type == RangeType::kEcosystem;
        git = git || r.type == RangeType::kGit;
      }
      if (!ecosystem || git) continue;
      Affected ranges_only = f;
      ranges_only.versions.clear();
      for (const std::string& v : f.versions) {
        // PyPI still serves pre-PEP 440 releases ("2.0.0-final"); no
        // order covers them, so only the list can match them.
        if (!CheckVersion(VersionScheme::kPep440, v)) continue;
        // osv.dev also lists the pre-releases of an introducing release
        // (3.2a1 for "introduced: 3.2"), which PEP 440 sorts before it.
        bool pre_of_introduced = false;
        for (const AffectedRange& r : f.ranges) {
          for (const RangeEvent& e : r.events) {
            auto c = CompareVersions(VersionScheme::kPep440, v, e.version);
            pre_of_introduced =
                pre_of_introduced || (e.kind == K::kIntroduced && c && *c < 0 &&
                                      v.starts_with(e.version));
          }
        }
        if (pre_of_introduced) continue;
        ++listed;
        if (!EvaluateAffected(ranges_only, v, VersionScheme::kPep440)
                 .affected) {
          disagreements.push_back(a.id + " " + f.name + " " + v);
        }
      }
    }
  });
  EXPECT_GT(listed, 10000);
  EXPECT_TRUE(disagreements.empty())
      << disagreements.size() << " listed versions outside the ranges, e.g. "
      << disagreements.front() << " ... " << disagreements.back();
}

}  // namespace
}  // namespace cinch
