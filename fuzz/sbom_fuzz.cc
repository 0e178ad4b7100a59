// Fuzzes the SBOM reader (CycloneDX and SPDX JSON) and the purl parser.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/purl.h"
#include "sbom/sbom.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)cinch::ParseSbom(text, "fuzz");
  if (auto purl = cinch::ParsePurl(text)) {
    cinch::Package p;
    cinch::Distro d;
    cinch::ApplyPurl(*purl, p, &d);
    (void)purl->ToString();
  }
  return 0;
}
