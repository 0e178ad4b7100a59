// A policy: the rules a team applies to its images, the exceptions it has
// granted, and the verdict of applying both to an image's facts.
//
// The file (YAML; schema docs/schemas/policy-v1.schema.json, reference
// docs/policy.md):
//
//   version: 1
//   failure-threshold: error         # violations at this level fail
//   rules:
//     max-size: {compressed: 100MB, uncompressed: 300MB}
//     max-waste: {bytes: 10MB, min-efficiency: 0.95}
//     max-layers: 20
//     non-root: true
//     no-latest: true                # also blocks untagged references
//     allowed-registries: [docker.io/library, gcr.io/distroless]
//     required-labels: [org.opencontainers.image.source]
//     vulnerabilities: {severity: high, only-fixed: true}
//     no-secrets: true
//     denied-packages: [telnet, "openssh-*"]
//     denied-licenses: [AGPL-3.0-only]
//     lint: {failure-threshold: warning}
//     hardening: {failure-threshold: warning}
//     no-shell: true
//     no-package-manager: true
//   severity: {CP1005: warning}      # per-rule overrides
//   custom:                          # jq expressions over the facts
//     - id: team-healthcheck
//       severity: warning
//       message: images must declare a HEALTHCHECK
//       fix: add HEALTHCHECK to the Dockerfile
//       jq: '.config.healthcheck | not'
//   exceptions:
//     - id: CVE-2023-1234            # a rule, finding ID or alias
//       package: openssl             # optional "where" filters (globs)
//       path: app/testdata/*
//       layer: 2                     # index, or a diff ID
//       reason: not reachable
//       owner: alice@example.com
//       expires: 2026-06-30          # date (UTC midnight) or RFC 3339
//   deploy:                          # used by `cinch policy export`
//     read-only-root-filesystem: true
//     drop-all-capabilities: true
//     no-privilege-escalation: true
#ifndef CINCH_POLICY_POLICY_H_
#define CINCH_POLICY_POLICY_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "lint/finding.h"
#include "match/severity.h"
#include "policy/facts.h"

namespace cinch::policy {

// Stable IDs of the built-in rules; never reused.
inline constexpr std::string_view kMaxCompressed = "CP1001";
inline constexpr std::string_view kMaxUncompressed = "CP1002";
inline constexpr std::string_view kMaxWaste = "CP1003";
inline constexpr std::string_view kMinEfficiency = "CP1004";
inline constexpr std::string_view kMaxLayers = "CP1005";
inline constexpr std::string_view kNonRoot = "CP2001";
inline constexpr std::string_view kLatestTag = "CP2002";
inline constexpr std::string_view kUntagged = "CP2003";
inline constexpr std::string_view kBaseRegistry = "CP2004";
inline constexpr std::string_view kRequiredLabel = "CP2005";
inline constexpr std::string_view kVulnerability = "CP3001";
inline constexpr std::string_view kSecret = "CP3002";
inline constexpr std::string_view kDeniedPackage = "CP3003";
inline constexpr std::string_view kDeniedLicense = "CP3004";
inline constexpr std::string_view kLint = "CP4001";
inline constexpr std::string_view kHardening = "CP4002";
inline constexpr std::string_view kShell = "CP5001";
inline constexpr std::string_view kPackageManager = "CP5002";
inline constexpr std::string_view kCustomFailed = "CP9001";
inline constexpr std::string_view kExpiredException = "CP9002";

struct RuleInfo {
  std::string_view id;
  std::string_view key;  // the policy file's key
  Severity severity;     // default
  std::string_view title;
  std::string_view fix;
};
std::span<const RuleInfo> BuiltinRules();
const RuleInfo* FindBuiltinRule(std::string_view id);

// A custom rule: a jq program over the facts document. It is violated
// when it yields true, a non-empty string (the message), or a non-empty
// array (one violation per item); false, null and [] keep it.
struct CustomRule {
  std::string id;
  Severity severity = Severity::kError;
  std::string message;
  std::string fix;
  std::string jq;
};

// One accepted risk, for any kind of finding: a policy rule (CP...), a
// lint rule (CL... or its Hadolint alias), a hardening or secret finding
// (CH...), a vulnerability (CVE, GHSA... or any alias) or a custom rule.
struct Exception {
  std::string id;
  std::string path;     // glob over the image path or Dockerfile; "" any
  std::string package;  // glob over the package name; "" any
  std::string layer;    // layer index or diff ID; "" any
  std::string reason;
  std::string owner;
  std::string expires;     // as written
  int64_t expires_at = 0;  // seconds since the epoch
};

struct Policy {
  int version = 1;
  Severity failure_threshold = Severity::kError;

  std::optional<uint64_t> max_compressed;
  std::optional<uint64_t> max_uncompressed;
  std::optional<uint64_t> max_waste;
  std::optional<double> min_efficiency;
  std::optional<size_t> max_layers;
  bool non_root = false;
  bool no_latest = false;
  std::vector<std::string> allowed_registries;  // prefixes of image names
  std::vector<std::string> required_labels;
  std::optional<VulnSeverity> vuln_severity;
  bool vuln_only_fixed = false;
  bool no_secrets = false;
  std::vector<std::string> denied_packages;  // globs
  std::vector<std::string> denied_licenses;  // SPDX IDs (exact, any case)
  std::optional<Severity> lint_threshold;
  std::optional<Severity> hardening_threshold;
  bool no_shell = false;
  bool no_package_manager = false;

  std::map<std::string, Severity> severity;  // rule ID -> override
  std::vector<CustomRule> custom;
  std::vector<Exception> exceptions;

  // Deploy-time settings (`cinch policy export`).
  bool read_only_root_filesystem = false;
  bool drop_all_capabilities = false;
  bool no_privilege_escalation = false;

  std::string source;  // the file it came from
};

// Parses a policy file's text. Unknown keys and rule IDs are errors so
// typos show; errors name `source` and the key.
Result<Policy> ParsePolicy(std::string_view yaml, std::string_view source);
Result<Policy> LoadPolicy(const std::string& path);

// "100MB", "1.5GiB", "2048" (bytes) -> bytes.
std::optional<uint64_t> ParseByteSize(std::string_view text);

// "Now" for exception expiry: CINCH_NOW when set (seconds since the epoch,
// or an RFC 3339 time), else the system clock.
Result<int64_t> NowFromEnvironment();

// One broken rule at one place.
struct Violation {
  std::string rule;     // CP id or custom rule id
  std::string finding;  // the underlying finding's ID (CVE, CH, CL) or ""
  std::vector<std::string> aliases;
  Severity severity = Severity::kError;
  std::string message;
  std::string fix;
  std::string path;     // in the image ("/etc/x") or the Dockerfile path
  std::string package;  // package name for package rules
  int layer = -1;
  std::string diff_id;
  // Where in a file: the Dockerfile for lint findings, or the traced
  // instruction of an image finding; path empty when none.
  Location source;
  // Set when an unexpired exception covers it (it does not count).
  std::string excepted_by;  // "owner: reason"
  // Set when an exception covered it but has expired (it counts).
  std::string expired_exception;
};

struct Verdict {
  bool pass = true;
  std::vector<Violation> violations;  // counting ones first, most severe
  size_t counting = 0;                // violations that are not excepted
  size_t failing = 0;  // counting ones at or above the failure threshold
};

// Runs the custom rules: for each, the values the jq program yields.
// Implemented in jq.cc; a program that does not compile is an error.
Result<std::vector<nlohmann::json>> RunJq(std::string_view program,
                                          const nlohmann::json& input);

// Applies `policy` to `facts` at time `now`. Errors: a custom rule that
// does not compile or fails at run time.
Result<Verdict> Evaluate(const Policy& policy, const Facts& facts,
                         const nlohmann::json& facts_json, int64_t now);

}  // namespace cinch::policy

#endif  // CINCH_POLICY_POLICY_H_
