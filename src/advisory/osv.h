// The advisory model: OSV records (https://ossf.github.io/osv-schema/,
// schema 1.7) and the readers that produce them from OSV JSON and from
// Alpine's secdb format. Only the fields that matching and reporting use
// are kept; the record's original JSON stays in the store.
#ifndef CINCH_ADVISORY_OSV_H_
#define CINCH_ADVISORY_OSV_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/json.h"

namespace cinch {

// One event of an affected range. A range's events, sorted by version, mark
// where vulnerability starts (introduced) and ends (fixed: this version is
// safe; last_affected: this version is the last bad one); limit events cap
// the range from above.
struct RangeEvent {
  enum class Kind { kIntroduced, kFixed, kLastAffected, kLimit };
  Kind kind = Kind::kIntroduced;
  std::string version;  // "0" for introduced means "from the beginning"
};

enum class RangeType { kEcosystem, kSemver, kGit, kOther };

struct AffectedRange {
  RangeType type = RangeType::kEcosystem;
  std::vector<RangeEvent> events;
};

// A severity score as the record states it.
struct SeverityScore {
  std::string type;   // "CVSS_V2", "CVSS_V3", "CVSS_V4", "Ubuntu"
  std::string score;  // a CVSS vector, or a level for distro types
};

// One package that the advisory affects, in one ecosystem.
struct Affected {
  std::string ecosystem;  // "Debian:12", "PyPI", "npm"
  std::string name;       // as written in the record
  std::string purl;
  std::vector<AffectedRange> ranges;
  std::vector<std::string> versions;  // listed affected versions
  std::vector<SeverityScore> severity;
  // A severity that the distro or database states for this package
  // (ecosystem_specific / database_specific "severity" or "urgency").
  std::string distro_severity;
};

struct Advisory {
  std::string id;
  std::string modified;   // RFC 3339, as written
  std::string published;  // may be empty
  std::string withdrawn;  // non-empty: the record no longer applies
  std::string summary;
  std::string details;
  std::vector<std::string> aliases;   // the same vulnerability elsewhere
  std::vector<std::string> upstream;  // records this one derives from
  std::vector<SeverityScore> severity;
  std::vector<Affected> affected;
  std::vector<std::string> references;  // URLs
  // database_specific.severity (GitHub: "LOW".."CRITICAL"), if any.
  std::string database_severity;
};

// One affected entry of a stored advisory as matching reads it: the entry
// holds only `ranges` and `versions` (see AffectedRangesJson), and
// `entry_index` says where the whole entry sits in the record's `affected`.
struct AffectedCandidate {
  std::string advisory_id;
  size_t entry_index = 0;
  Affected entry;
};

// Reads one OSV record. Unknown fields are ignored; a missing id, a field
// of the wrong type, or an event with no version is an error naming `what`.
Result<Advisory> ParseOsv(const Json& record, std::string_view what);
Result<Advisory> ParseOsvText(std::string_view text, std::string_view what);

// The OSV spellings of an event kind ("introduced", "fixed",
// "last_affected", "limit") and of a range type ("ECOSYSTEM", "SEMVER",
// "GIT"; "UNKNOWN" for kOther).
const char* RangeEventKey(RangeEvent::Kind kind);
const char* RangeTypeName(RangeType type);

// The part of an affected entry that matching reads, its `ranges` and
// `versions`, as a small OSV-shaped JSON object; and back, into an entry
// with only those fields set. The store keeps this beside each (ecosystem,
// name) row so that a scan parses whole records only when they match.
std::string AffectedRangesJson(const Affected& entry);
Result<Affected> ParseAffectedRanges(std::string_view text,
                                     std::string_view what);

// Reads an Alpine secdb document (secdb.alpinelinux.org: {"distroversion":
// "v3.19", "packages": [{"pkg": {"name", "secfixes": {VERSION: [IDs]}}}]})
// into one advisory per (package, vulnerability): ecosystem
// "Alpine:v3.19", the package's origin name, affected from the beginning up
// to the fixed version. IDs are "ALPINE-SECDB-v3.19-NAME-CVE..." with the
// vulnerability as alias. Entries under version "0" (not affected on
// Alpine) are skipped.
Result<std::vector<Advisory>> ParseAlpineSecdb(const Json& doc,
                                               std::string_view what);
// True when `doc` looks like a secdb document rather than an OSV record.
bool IsAlpineSecdb(const Json& doc);

// The name under which a package is stored and looked up, so that records
// and catalogued packages meet: PyPI names normalised as PEP 503 says
// (lower case, runs of "-_." as one "-"); names in other ecosystems as
// written.
std::string NormalizePackageName(std::string_view ecosystem,
                                 std::string_view name);

// Seconds since the epoch for an RFC 3339 time ("2024-05-01T12:00:00Z",
// fractions and offsets allowed) or a plain date ("2024-05-01", midnight
// UTC); nullopt when `text` is neither.
std::optional<int64_t> ParseTimestamp(std::string_view text);

// The ecosystem without its release: "Debian:12" -> "Debian".
std::string_view EcosystemBase(std::string_view ecosystem);

}  // namespace cinch

#endif  // CINCH_ADVISORY_OSV_H_
