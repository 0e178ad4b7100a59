// Software bills of materials: the packages of an image written as
// CycloneDX 1.6 / 1.5 JSON or SPDX 2.3 JSON, and read back from documents
// that cinch, Syft or Trivy wrote (so `cinch scan` can take an SBOM in
// place of an image).
#ifndef CINCH_SBOM_SBOM_H_
#define CINCH_SBOM_SBOM_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "catalog/catalog.h"
#include "catalog/package.h"
#include "image/source.h"

namespace cinch {

enum class SbomFormat {
  kCycloneDx16,  // CycloneDX 1.6 JSON
  kCycloneDx15,  // CycloneDX 1.5 JSON
  kSpdx23,       // SPDX 2.3 JSON
};

// One layer of the described image, for attributing packages.
struct SbomLayer {
  std::string digest;   // blob digest; may be empty
  std::string diff_id;  // "sha256:..."; may be empty
  std::string created_by;
};

// What an SBOM describes and holds. Writers take it; ReadSbom returns it.
struct Sbom {
  // The image: the reference the user gave, the manifest digest, and the
  // platform. Readers fill what the document says; any may be empty.
  std::string subject_name;
  std::string subject_digest;
  std::string subject_platform;
  std::vector<std::string> repo_tags;
  std::vector<SbomLayer> layers;  // by layer index (Package::layer)

  Distro distro;  // empty id when unknown
  // Sorted by purl when written by cinch; in document order when read.
  std::vector<Package> packages;

  // Who wrote the document ("cinch", "syft", "trivy", or the first tool
  // named), and its format as read. Informational.
  std::string tool;
  std::string tool_version;
  SbomFormat format = SbomFormat::kCycloneDx16;
};

// The SBOM of a cataloged image: its reference, digest, platform, tags and
// layers (with the history step that made each), the distro and packages.
Sbom MakeSbom(const Image& image, Catalog catalog);

// Options for the writers.
struct SbomWriteOptions {
  // Document creation time in seconds since the epoch. Callers pass
  // SOURCE_DATE_EPOCH when set so that two runs produce identical bytes.
  int64_t created_unix = 0;
  std::string tool_version;
};

// Writes `sbom` in `format`. The output is deterministic: packages and
// relationships are sorted, identifiers derive from content, and the only
// time in it is options.created_unix. Packages without a purl are written
// without one; duplicate purls must have been merged by the caller.
std::string WriteCycloneDx(const Sbom& sbom, SbomFormat format,
                           const SbomWriteOptions& options);
std::string WriteSpdx(const Sbom& sbom, const SbomWriteOptions& options);

// A plain-text table of the packages (name, version, type, layer).
std::string WriteSbomTable(const Sbom& sbom);

// Reads a CycloneDX (1.2 to 1.6) or SPDX 2.2/2.3 JSON document written by
// cinch, Syft or Trivy. Packages come from components (nested ones too) or
// SPDX packages with a purl; the image itself and the operating system
// become subject_* and distro rather than packages. Source package names,
// layer diff IDs and licences are read from each tool's own properties
// where present. Documents over 512 MiB are refused.
Result<Sbom> ReadSbom(const std::string& path);
// The same from text in memory; `what` names it in errors.
Result<Sbom> ParseSbom(std::string_view text, std::string_view what);

}  // namespace cinch

#endif  // CINCH_SBOM_SBOM_H_
