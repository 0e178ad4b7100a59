// What a team has decided about findings: exceptions (a YAML file of
// accepted risks that expire) and OpenVEX statements (not_affected,
// fixed). Both take findings out of the count; an expired exception stops
// applying and says so.
#ifndef CINCH_MATCH_POLICY_H_
#define CINCH_MATCH_POLICY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "catalog/package.h"
#include "match/match.h"

namespace cinch {

// One entry of an exceptions file:
//
//   exceptions:
//     - id: CVE-2023-1234          # or any alias of the finding
//       package: openssl           # optional: name or source name
//       version: 3.0.11-1~deb12u2  # optional: installed version
//       reason: not reachable, no TLS server in the image
//       owner: alice@example.com
//       expires: 2025-06-30        # date (UTC midnight) or RFC 3339
struct RiskException {
  std::string id;
  std::string package;
  std::string version;
  std::string reason;
  std::string owner;
  std::string expires;
  int64_t expires_at = 0;  // seconds since the epoch
};

// Parses an exceptions file; every entry needs id, reason, owner and a
// valid expiry. Errors name `what` and the entry.
Result<std::vector<RiskException>> ParseExceptions(std::string_view yaml,
                                                   std::string_view what);

// One OpenVEX statement (https://github.com/openvex/spec, v0.2.0) reduced
// to what matching needs.
struct VexStatement {
  std::vector<std::string> vulnerabilities;  // name and aliases
  std::vector<std::string> products;  // purls: products and subcomponents
  std::string status;  // not_affected, affected, fixed, under_investigation
  std::string justification;
};

Result<std::vector<VexStatement>> ParseOpenVex(std::string_view json,
                                               std::string_view what);

// Marks findings that an exception (unexpired at `now`) or a VEX statement
// with status not_affected or fixed covers; records expired exceptions on
// the findings they would have covered. A VEX product matches a package
// when type, namespace and name agree and, if the product names a version,
// the version too; a product without a matching package covers every
// package (a statement about the image itself).
void ApplyPolicy(const std::vector<Package>& packages,
                 const std::vector<RiskException>& exceptions,
                 const std::vector<VexStatement>& vex, int64_t now,
                 std::vector<VulnFinding>& findings);

}  // namespace cinch

#endif  // CINCH_MATCH_POLICY_H_
