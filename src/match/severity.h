// VulnSeverity levels and CVSS base scores.
//
// CVSS v3.0/v3.1 (https://www.first.org/cvss/v3.1/specification-document,
// section 7) and v4.0 (https://www.first.org/cvss/v4.0/specification-
// document, section 8, with FIRST's macro-vector table) base scores are
// computed from the vector string; the score maps to the specifications'
// qualitative levels. All functions are pure and thread-safe.
#ifndef CINCH_MATCH_SEVERITY_H_
#define CINCH_MATCH_SEVERITY_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace cinch {

// Ordered: a comparison of levels is a comparison of badness.
enum class VulnSeverity { kUnknown, kNone, kLow, kMedium, kHigh, kCritical };

std::string_view VulnSeverityName(VulnSeverity s);  // "unknown", "low", ...
// Parses a level as advisories and users write it, in any case: the CVSS
// names, GitHub's "moderate", Debian's "unimportant", Ubuntu's
// "negligible", Red Hat's "important".
std::optional<VulnSeverity> ParseVulnSeverity(std::string_view text);
// The CVSS qualitative rating of a base score (0.0 none, 0.1-3.9 low,
// 4.0-6.9 medium, 7.0-8.9 high, 9.0-10.0 critical).
VulnSeverity VulnSeverityFromScore(double score);

struct CvssScore {
  int major = 3;      // 3 or 4
  double base = 0.0;  // 0.0 to 10.0, one decimal
  std::string vector;
};

// Scores a "CVSS:3.0/...", "CVSS:3.1/..." or "CVSS:4.0/..." vector. Every
// base metric must be present exactly once with a valid value; other
// (temporal, threat, environmental, supplemental) metrics are checked for
// form and ignored, so the result is the base score.
Result<CvssScore> ScoreCvss(std::string_view vector);

}  // namespace cinch

#endif  // CINCH_MATCH_SEVERITY_H_
