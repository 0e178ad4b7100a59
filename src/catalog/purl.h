// Package URLs (purl), as the package-url specification defines them:
// pkg:type/namespace/name@version?qualifiers#subpath, with each component
// percent-encoded and qualifiers sorted by key. The per-type rules used
// here (lower-case names for pypi and npm, the `distro` and `arch`
// qualifiers of OS packages, rpm's `epoch`) come from the spec's
// PURL-TYPES list.
#ifndef CINCH_CATALOG_PURL_H_
#define CINCH_CATALOG_PURL_H_

#include <map>
#include <string>
#include <string_view>

#include "base/error.h"
#include "catalog/package.h"

namespace cinch {

struct Purl {
  std::string type;
  std::string namespace_;  // segments joined by '/', unencoded
  std::string name;
  std::string version;
  std::map<std::string, std::string> qualifiers;  // empty values are dropped
  std::string subpath;

  // The canonical string. Requires non-empty type and name.
  std::string ToString() const;
};

// Parses a purl string; components are decoded.
Result<Purl> ParsePurl(std::string_view text);

// Percent-encodes everything but ASCII letters, digits, ".-_~" and, when
// `keep` names them, the characters in `keep`.
std::string PercentEncode(std::string_view text, std::string_view keep = "");
std::string PercentDecode(std::string_view text);

// The `distro` qualifier value for OS packages: "debian-12", "alpine-3.19.1".
// Empty when the distro is unknown.
std::string DistroQualifier(const Distro& distro);

// Builds the purl of a package found by a cataloger from its type, name,
// version, architecture and source. `distro` is used for OS packages.
// Namespaces: Debian-family and RPM vendors come from the distro id, npm
// scopes and Maven groups from the name ("@scope/name", "group:artifact"),
// Go and Composer namespaces from the path before the last '/'.
std::string MakePurl(const Package& package, const Distro& distro);

// Fills type, name, version, architecture, source and distro from a purl
// read from an SBOM. The distro is returned through `distro` when the purl
// has a distro qualifier.
void ApplyPurl(const Purl& purl, Package& package, Distro* distro);

}  // namespace cinch

#endif  // CINCH_CATALOG_PURL_H_
