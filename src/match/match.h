// Matching packages against advisories: which of an image's packages a
// known vulnerability affects, and where it is fixed.
//
// OS packages (deb, apk, rpm) are matched by their source package (dpkg
// Source:, apk origin) against the advisories of the image's own distro
// release only ("Debian:12" for bookworm). Language packages are matched in
// their ecosystem (PyPI, npm, Go, ...), except those an OS package owns
// (Package::owned_by), which the distro's advisories cover: their fixes are
// backported, so the upstream ranges would raise false alarms. Records that
// name the same vulnerability (aliases, or a single upstream) become one
// finding per package.
#ifndef CINCH_MATCH_MATCH_H_
#define CINCH_MATCH_MATCH_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "advisory/osv.h"
#include "base/error.h"
#include "catalog/package.h"
#include "match/severity.h"
#include "version/version.h"

namespace cinch {

// Whether one affected entry covers one version.
struct AffectedVerdict {
  bool affected = false;
  // The lowest fixed version above the installed one in the ranges that
  // matched; empty when no fix is known.
  std::string fixed;
  // Ranges that could not be evaluated (unparseable versions), in words.
  std::vector<std::string> problems;
};

// Evaluates `entry` for `version` following the OSV schema's algorithm:
// the version is affected when it is listed in `versions`, or when some
// ECOSYSTEM or SEMVER range (events sorted by version) has it at or after
// an `introduced` event and before the next `fixed` or after no
// `last_affected` it passed, and below any `limit`. GIT ranges are not
// evaluated. `scheme` orders ECOSYSTEM ranges; nullopt leaves only the
// versions list.
AffectedVerdict EvaluateAffected(const Affected& entry,
                                 std::string_view version,
                                 std::optional<VersionScheme> scheme);

// One vulnerability in one package.
struct VulnFinding {
  std::string id;                         // a CVE where one is known
  std::vector<std::string> aliases;       // the other names, sorted
  std::vector<std::string> advisory_ids;  // the records that matched
  size_t package_index = 0;               // into the matched packages
  std::string ecosystem;                  // where it matched: "Debian:12"
  std::string matched_name;               // source package for OS packages
  std::string matched_version;            // the version compared
  std::string fixed_version;              // empty: no fix known
  VulnSeverity severity = VulnSeverity::kUnknown;
  std::string severity_source;  // "CVSS:3.1", "CVSS:4.0", "distro", ...
  double cvss_score = -1;       // -1 when no vector could be scored
  std::string cvss_vector;
  std::string summary;
  std::vector<std::string> references;

  // Set by ApplyPolicy (policy.h): why the finding no longer counts
  // ("exception" or "vex"; empty while it counts), and in words.
  std::string suppressed_by;
  std::string suppression_reason;
  // An exception named this finding but has expired; it counts again.
  std::string expired_exception;
};

// Where advisories come from: all advisories with an affected entry for
// `name` in `ecosystem` (exact ecosystem string; names as stored, see
// NormalizePackageName). AdvisoryStore::Find fits.
using AdvisoryLookup = std::function<Result<std::vector<Advisory>>(
    std::string_view ecosystem, std::string_view name)>;

// Where advisories come from, in two steps, so that only the records that
// match are read whole. `affected` gives the affected entries for `name` in
// `ecosystem` of every record that is not withdrawn, ordered by advisory id
// and then entry; the entries need only their ranges and versions.
// AdvisoryStore::FindAffected fits. `record` gives a whole record by id
// (AdvisoryStore::Get), asked only for the records that affect a package.
struct AdvisorySource {
  std::function<Result<std::vector<AffectedCandidate>>(
      std::string_view ecosystem, std::string_view name)>
      affected;
  std::function<Result<Advisory>(std::string_view id)> record;
};

struct MatchResult {
  std::vector<VulnFinding> findings;  // sorted by package, then severity, id
  // What could not be matched and why (no advisories for the distro
  // release, an owner package missing, unparseable versions).
  std::vector<std::string> notes;
  size_t packages_matched = 0;  // packages that were looked up
};

// The OSV ecosystems whose advisories apply to OS packages of `distro`
// ("Debian:12", "Alpine:v3.19", "Ubuntu:22.04" and "Ubuntu:22.04:LTS");
// empty when the distro or its release is unknown or not supported.
std::vector<std::string> DistroEcosystems(const Distro& distro);

// Matches every package against the advisories `source` gives. Errors
// from `source` end the match.
Result<MatchResult> MatchPackages(const Distro& distro,
                                  const std::vector<Package>& packages,
                                  const AdvisorySource& source);
// The same with whole records from `lookup`; withdrawn advisories are
// ignored. Finds the same findings as the two-step form over the same
// records, at the cost of reading every record whole.
Result<MatchResult> MatchPackages(const Distro& distro,
                                  const std::vector<Package>& packages,
                                  const AdvisoryLookup& lookup);

}  // namespace cinch

#endif  // CINCH_MATCH_MATCH_H_
