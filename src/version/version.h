// Version orders of the package ecosystems that advisories are written
// against. Each scheme follows its package manager's own rules exactly
// (dpkg, apk-tools, rpm, SemVer 2.0.0, PEP 440, Go modules, Maven's
// ComparableVersion, RubyGems, NuGet), because a naive compare raises false
// alarms or hides real ones.
//
// All functions are pure and thread-safe.
#ifndef CINCH_VERSION_VERSION_H_
#define CINCH_VERSION_VERSION_H_

#include <optional>
#include <string_view>

#include "base/error.h"

namespace cinch {

enum class VersionScheme {
  kDpkg,      // Debian, Ubuntu: epoch:upstream-revision, '~' sorts first
  kApk,       // Alpine, Wolfi: 1.2.3a_rc1-r0
  kRpm,       // RHEL family, SUSE: epoch:version-release (rpmvercmp)
  kSemver,    // SemVer 2.0.0 (npm, crates.io, Hex); a leading 'v' allowed
  kPep440,    // Python
  kGo,        // Go modules: vX.Y.Z, pseudo-versions, +incompatible
  kMaven,     // Maven ComparableVersion
  kRubyGems,  // Gem::Version
  kNuGet,     // NuGetVersion: up to four numbers, SemVer 2 labels
};

// The scheme's short name: "dpkg", "apk", "rpm", "semver", "pep440", "go",
// "maven", "rubygems", "nuget".
std::string_view VersionSchemeName(VersionScheme scheme);
std::optional<VersionScheme> VersionSchemeByName(std::string_view name);

// The scheme an OSV ecosystem's ECOSYSTEM ranges use. Ecosystems may carry
// a release suffix ("Debian:12", "Alpine:v3.19", "Ubuntu:22.04:LTS").
// Nullopt for ecosystems whose order is not implemented (Packagist, Pub,
// GIT...): their advisories still match through explicit version lists.
std::optional<VersionScheme> SchemeForEcosystem(std::string_view ecosystem);

// Compares two versions: negative when a sorts before b, zero when they are
// equal in the scheme's order (which need not mean equal text), positive
// otherwise. An error names the version that the scheme rejects.
Result<int> CompareVersions(VersionScheme scheme, std::string_view a,
                            std::string_view b);

// Checks that `v` is a valid version in the scheme.
Status CheckVersion(VersionScheme scheme, std::string_view v);

}  // namespace cinch

#endif  // CINCH_VERSION_VERSION_H_
