#include "version/version.h"

#include <array>
#include <utility>

#include "version/schemes.h"

namespace cinch {
namespace {

using namespace version_internal;

constexpr std::array<std::pair<std::string_view, VersionScheme>, 9> kNames = {{
    {"dpkg", VersionScheme::kDpkg},
    {"apk", VersionScheme::kApk},
    {"rpm", VersionScheme::kRpm},
    {"semver", VersionScheme::kSemver},
    {"pep440", VersionScheme::kPep440},
    {"go", VersionScheme::kGo},
    {"maven", VersionScheme::kMaven},
    {"rubygems", VersionScheme::kRubyGems},
    {"nuget", VersionScheme::kNuGet},
}};

// OSV ecosystem names (https://ossf.github.io/osv-schema/#affectedpackage
// -field) without their ":release" suffix.
constexpr std::array<std::pair<std::string_view, VersionScheme>, 22>
    kEcosystems = {{
        {"Debian", VersionScheme::kDpkg},
        {"Ubuntu", VersionScheme::kDpkg},
        {"Alpine", VersionScheme::kApk},
        {"Wolfi", VersionScheme::kApk},
        {"Chainguard", VersionScheme::kApk},
        {"Red Hat", VersionScheme::kRpm},
        {"Rocky Linux", VersionScheme::kRpm},
        {"AlmaLinux", VersionScheme::kRpm},
        {"SUSE", VersionScheme::kRpm},
        {"openSUSE", VersionScheme::kRpm},
        {"Mageia", VersionScheme::kRpm},
        {"openEuler", VersionScheme::kRpm},
        {"npm", VersionScheme::kSemver},
        {"crates.io", VersionScheme::kSemver},
        {"Hex", VersionScheme::kSemver},
        {"PyPI", VersionScheme::kPep440},
        {"Go", VersionScheme::kGo},
        {"Maven", VersionScheme::kMaven},
        {"RubyGems", VersionScheme::kRubyGems},
        {"NuGet", VersionScheme::kNuGet},
        {"Photon OS", VersionScheme::kRpm},
        {"Azure Linux", VersionScheme::kRpm},
    }};

}  // namespace

std::string_view VersionSchemeName(VersionScheme scheme) {
  for (const auto& [name, s] : kNames) {
    if (s == scheme) return name;
  }
  return "unknown";
}

std::optional<VersionScheme> VersionSchemeByName(std::string_view name) {
  for (const auto& [n, s] : kNames) {
    if (n == name) return s;
  }
  return std::nullopt;
}

std::optional<VersionScheme> SchemeForEcosystem(std::string_view ecosystem) {
  std::string_view base = ecosystem.substr(0, ecosystem.find(':'));
  for (const auto& [name, s] : kEcosystems) {
    if (name == base) return s;
  }
  return std::nullopt;
}

Result<int> CompareVersions(VersionScheme scheme, std::string_view a,
                            std::string_view b) {
  switch (scheme) {
    case VersionScheme::kDpkg:
      return CompareDpkg(a, b);
    case VersionScheme::kApk:
      return CompareApk(a, b);
    case VersionScheme::kRpm:
      return CompareRpm(a, b);
    case VersionScheme::kSemver:
      return CompareSemver(a, b);
    case VersionScheme::kPep440:
      return ComparePep440(a, b);
    case VersionScheme::kGo:
      return CompareGo(a, b);
    case VersionScheme::kMaven:
      return CompareMaven(a, b);
    case VersionScheme::kRubyGems:
      return CompareRubyGems(a, b);
    case VersionScheme::kNuGet:
      return CompareNuGet(a, b);
  }
  return Fail("unknown version scheme");
}

Status CheckVersion(VersionScheme scheme, std::string_view v) {
  CINCH_ASSIGN(int unused, CompareVersions(scheme, v, v));
  (void)unused;
  return {};
}

namespace version_internal {

int CompareDigits(std::string_view a, std::string_view b) {
  while (!a.empty() && a.front() == '0') a.remove_prefix(1);
  while (!b.empty() && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return Sign(a.compare(b));
}

}  // namespace version_internal
}  // namespace cinch
