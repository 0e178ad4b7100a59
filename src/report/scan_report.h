// Renders the result of `cinch scan`: a table for people, JSON for
// machines (docs/scan.md), SARIF 2.1.0 for code-scanning systems, and a
// CycloneDX 1.6 BOM with its vulnerabilities.
#ifndef CINCH_REPORT_SCAN_REPORT_H_
#define CINCH_REPORT_SCAN_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "catalog/package.h"
#include "match/match.h"

namespace cinch {

inline constexpr int kScanSchemaVersion = 1;

struct ScanReport {
  std::string target;  // what the user named: image or SBOM path
  Distro distro;
  std::vector<Package> packages;
  // Every finding, suppressed ones included (see VulnFinding::suppressed_by);
  // VulnFinding::package_index indexes `packages`.
  std::vector<VulnFinding> findings;
  std::string database;         // path of the advisory database
  std::string database_newest;  // newest record's `modified`
  std::vector<std::string> notes;
  std::string tool_version;
  int64_t created_unix = 0;  // for the CycloneDX timestamp
};

struct ScanTableOptions {
  bool color = false;
  bool show_suppressed = false;
};
std::string ScanToTable(const ScanReport& report,
                        const ScanTableOptions& options);
std::string ScanToJson(const ScanReport& report);
std::string ScanToSarif(const ScanReport& report);
std::string ScanToCycloneDx(const ScanReport& report);

}  // namespace cinch

#endif  // CINCH_REPORT_SCAN_REPORT_H_
