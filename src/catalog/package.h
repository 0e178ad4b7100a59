// The package model shared by the catalogers (which find packages in an
// image), the SBOM writers and readers, and the vulnerability matcher.
#ifndef CINCH_CATALOG_PACKAGE_H_
#define CINCH_CATALOG_PACKAGE_H_

#include <string>
#include <string_view>
#include <vector>

namespace cinch {

// Kinds of package, named after their package-url (purl) types.
enum class PackageType {
  kDeb,       // dpkg: Debian, Ubuntu, distroless
  kApk,       // Alpine, Wolfi
  kRpm,       // RHEL family, Fedora, SUSE, ubi-micro
  kPypi,      // Python distributions
  kNpm,       // Node.js packages
  kGolang,    // Go modules in binaries
  kMaven,     // Java archives
  kCargo,     // Rust crates (cargo-auditable binaries)
  kGem,       // Ruby gems
  kComposer,  // PHP
  kNuget,     // .NET
  kGeneric,
};

std::string_view PackageTypeName(PackageType t);  // the purl type, e.g. "deb"
// The type whose purl type is `name` ("deb", "pypi"); kGeneric when unknown.
PackageType PackageTypeFromName(std::string_view name);
// True for packages of the operating system's package manager.
bool IsOsPackageType(PackageType t);

// The operating system of the image, from /etc/os-release and fallbacks.
struct Distro {
  std::string id;          // "debian", "ubuntu", "alpine", "rhel", "wolfi"
  std::string version_id;  // "12", "3.19.1", "9.3"
  std::string codename;    // "bookworm"
  std::string pretty_name;
};

struct Package {
  PackageType type = PackageType::kGeneric;
  std::string name;
  std::string version;
  std::string purl;
  // The source (dpkg Source:, apk origin, rpm source rpm) that OS
  // advisories are written against; empty when it is the package itself.
  std::string source_name;
  std::string source_version;
  std::string architecture;
  std::vector<std::string> licenses;   // SPDX expressions where known
  std::vector<std::string> locations;  // files that declared it, "/..."
  // Layer that introduced the package (index into the image's layers),
  // -1 when unknown (an SBOM read from a file).
  int layer = -1;
  // Packages this one depends on, where the source data says (dpkg
  // Depends, apk D:, npm lock files): purls of packages in the same
  // catalog once cataloging has finished, sorted; parsers fill names first.
  std::vector<std::string> depends_on;
  // Set when the package's files belong to an OS package (a Debian python3
  // module, say): the purl of that owner. Such packages are matched through
  // the distro's advisories.
  std::string owned_by;
  // The cataloger that found it ("dpkg", "python", "go-binary", ...).
  std::string found_by;
};

}  // namespace cinch

#endif  // CINCH_CATALOG_PACKAGE_H_
