// The per-scheme comparators behind CompareVersions (version.h). Internal
// to src/version; each returns <0, 0 or >0, or an error for a version the
// scheme rejects.
#ifndef CINCH_VERSION_SCHEMES_H_
#define CINCH_VERSION_SCHEMES_H_

#include <string_view>
#include <vector>

#include "base/error.h"

namespace cinch::version_internal {

Result<int> CompareDpkg(std::string_view a, std::string_view b);
Result<int> CompareApk(std::string_view a, std::string_view b);
Result<int> CompareRpm(std::string_view a, std::string_view b);
Result<int> CompareSemver(std::string_view a, std::string_view b);
Result<int> ComparePep440(std::string_view a, std::string_view b);
Result<int> CompareGo(std::string_view a, std::string_view b);
Result<int> CompareMaven(std::string_view a, std::string_view b);
Result<int> CompareRubyGems(std::string_view a, std::string_view b);
Result<int> CompareNuGet(std::string_view a, std::string_view b);

// Compares two runs of ASCII digits as unbounded non-negative integers
// (leading zeros ignored), so that no input can overflow.
int CompareDigits(std::string_view a, std::string_view b);

// Compares SemVer pre-release identifier lists (SemVer 2.0.0, item 11):
// numeric identifiers as numbers and below alphanumeric ones, which compare
// in ASCII order (or ignoring case, as NuGet does); a longer list wins when
// one is a prefix of the other. An empty list (a release) is not handled
// here: callers rank it above every pre-release.
int ComparePrerelease(const std::vector<std::string_view>& a,
                      const std::vector<std::string_view>& b, bool ignore_case);

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline char Lower(char c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
inline int Sign(int x) { return (x > 0) - (x < 0); }

}  // namespace cinch::version_internal

#endif  // CINCH_VERSION_SCHEMES_H_
