#include "harden/catalog.h"

#include <array>

namespace cinch::harden {
namespace {

constexpr auto kChecks = std::to_array<Check>({
    {kUnstripped, "unstripped-binary", "ELF file with symbols or debug info",
     Severity::kInfo,
     "strip it in the build stage (strip --strip-unneeded) or build with -s"},
    {kDebugFiles, "debug-files", "separate debug files shipped",
     Severity::kInfo, "do not install -dbg/-dbgsym packages in the image"},
    {kInsecureRunpath, "insecure-runpath",
     "RPATH/RUNPATH searches a relative or writable directory",
     Severity::kWarning,
     "link with an absolute or $ORIGIN-relative run path, or none"},
    {kSetuid, "setuid-file", "setuid file", Severity::kWarning,
     "chmod u-s it, or remove the program if the image does not need it"},
    {kSetgid, "setgid-file", "setgid file", Severity::kInfo,
     "chmod g-s it, or remove the program if the image does not need it"},
    {kWorldWritableFile, "world-writable-file", "world-writable file",
     Severity::kWarning, "chmod o-w it"},
    {kWorldWritableDir, "world-writable-directory",
     "world-writable directory without the sticky bit", Severity::kWarning,
     "chmod o-w it, or chmod +t it if it is a shared scratch directory"},
    {kDeviceFile, "device-file", "device file in the image", Severity::kWarning,
     "remove it; the runtime provides the devices"},
    {kFileCapability, "file-capability", "file with capabilities",
     Severity::kWarning,
     "setcap -r it unless the program needs the capability"},
    {kShell, "shell", "shell", Severity::kInfo,
     "use a distroless or scratch final stage if nothing runs a shell"},
    {kPackageManager, "package-manager", "package manager", Severity::kInfo,
     "install packages in a build stage and copy only the results"},
    {kBuildTool, "build-tool", "compiler or build tool", Severity::kWarning,
     "build in an earlier stage of a multi-stage build"},
    {kPrivilegeTool, "privilege-tool", "privilege escalation tool",
     Severity::kWarning, "remove sudo/doas; run as the user you need"},
    {kSshServer, "ssh-server", "SSH server", Severity::kWarning,
     "remove it; use `docker exec`/`kubectl exec` to get into a container"},
    {kNetworkTool, "network-tool", "network tool", Severity::kInfo,
     "remove download and socket tools the application does not use"},
    {kRootUser, "root-user", "runs as root", Severity::kWarning,
     "add a user and set USER to its numeric UID"},
    {kNamedUser, "non-numeric-user", "user given by name", Severity::kInfo,
     "set USER to a numeric UID[:GID] so runAsNonRoot can verify it"},
    {kSecretEnv, "secret-env", "secret-looking environment variable",
     Severity::kWarning,
     "pass secrets at run time (secret mounts, orchestrator secrets)"},
    {kSensitivePort, "sensitive-port", "remote-administration port exposed",
     Severity::kWarning, "do not EXPOSE it; do not run that service"},
    {kNoHealthcheck, "no-healthcheck", "no HEALTHCHECK", Severity::kInfo,
     "add HEALTHCHECK, or rely on the orchestrator's probes"},
    {kNoSourceLabels, "missing-source-labels",
     "no org.opencontainers.image.source/revision", Severity::kInfo,
     "LABEL org.opencontainers.image.source=... revision=..."},
    {kOldImage, "old-image", "image built long ago", Severity::kInfo,
     "rebuild regularly to pick up security updates"},
});

}  // namespace

std::span<const Check> Checks() { return kChecks; }

const Check* FindCheck(std::string_view id_or_slug) {
  for (const Check& c : kChecks) {
    if (c.id == id_or_slug || c.slug == id_or_slug) return &c;
  }
  return nullptr;
}

}  // namespace cinch::harden
