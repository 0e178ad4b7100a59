// Version strings: every scheme compares two halves of the input, and the
// order must be antisymmetric.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "version/version.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t cut = in.find('\n');
  std::string_view a = in.substr(0, cut);
  std::string_view b = cut == in.npos ? in : in.substr(cut + 1);
  for (const char* name : {"dpkg", "apk", "rpm", "semver", "pep440", "go",
                           "maven", "rubygems", "nuget"}) {
    auto scheme = *cinch::VersionSchemeByName(name);
    auto ab = cinch::CompareVersions(scheme, a, b);
    auto ba = cinch::CompareVersions(scheme, b, a);
    if (ab.has_value() != ba.has_value()) std::abort();
    if (ab && ((*ab > 0) != (*ba < 0) || (*ab == 0) != (*ba == 0))) {
      std::abort();
    }
  }
  return 0;
}
