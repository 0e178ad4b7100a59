// The hardening findings that are not secrets: stable IDs, severities and
// explanations (docs/findings.md lists them all, with the secret rules).
//
// ID ranges: CH1xxx secrets (src/secrets/rules.cc), CH2xxx binaries,
// CH3xxx permissions, CH4xxx attack surface, CH5xxx image configuration.
#ifndef CINCH_HARDEN_CATALOG_H_
#define CINCH_HARDEN_CATALOG_H_

#include <span>
#include <string_view>

#include "lint/finding.h"

namespace cinch::harden {

struct Check {
  std::string_view id;
  std::string_view slug;
  std::string_view title;
  Severity severity;
  std::string_view fix;  // one line: what to change
};

inline constexpr std::string_view kUnstripped = "CH2001";
inline constexpr std::string_view kDebugFiles = "CH2002";
inline constexpr std::string_view kInsecureRunpath = "CH2003";
inline constexpr std::string_view kSetuid = "CH3001";
inline constexpr std::string_view kSetgid = "CH3002";
inline constexpr std::string_view kWorldWritableFile = "CH3003";
inline constexpr std::string_view kWorldWritableDir = "CH3004";
inline constexpr std::string_view kDeviceFile = "CH3005";
inline constexpr std::string_view kFileCapability = "CH3006";
inline constexpr std::string_view kShell = "CH4001";
inline constexpr std::string_view kPackageManager = "CH4002";
inline constexpr std::string_view kBuildTool = "CH4003";
inline constexpr std::string_view kPrivilegeTool = "CH4004";
inline constexpr std::string_view kSshServer = "CH4005";
inline constexpr std::string_view kNetworkTool = "CH4006";
inline constexpr std::string_view kRootUser = "CH5001";
inline constexpr std::string_view kNamedUser = "CH5002";
inline constexpr std::string_view kSecretEnv = "CH5003";
inline constexpr std::string_view kSensitivePort = "CH5004";
inline constexpr std::string_view kNoHealthcheck = "CH5005";
inline constexpr std::string_view kNoSourceLabels = "CH5006";
inline constexpr std::string_view kOldImage = "CH5007";

// The fix of every secret finding (CH1xxx).
inline constexpr std::string_view kSecretFix =
    "revoke the credential first (it has been published with the image), "
    "then remove it from the build: use RUN --mount=type=secret for "
    "build-time secrets and inject run-time secrets from the orchestrator; "
    "deleting the file in a later layer does not remove it from the image";

std::span<const Check> Checks();
// By ID or slug; null when unknown.
const Check* FindCheck(std::string_view id_or_slug);

}  // namespace cinch::harden

#endif  // CINCH_HARDEN_CATALOG_H_
