#include "lint/rule.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <string>

namespace cinch {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kStyle:
      return "style";
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "warning";
}

std::optional<Severity> ParseSeverity(std::string_view name) {
  std::string n(name);
  for (char& c : n) c = char(std::tolower(uint8_t(c)));
  if (n == "style") return Severity::kStyle;
  if (n == "info" || n == "note") return Severity::kInfo;
  if (n == "warning" || n == "warn") return Severity::kWarning;
  if (n == "error") return Severity::kError;
  return std::nullopt;
}

}  // namespace cinch

namespace cinch::lint {
namespace {

using S = Severity;

// clang-format off
constexpr RuleInfo kRules[] = {
// ---- CL1xxx: syntax and structure ----
{"CL1000", "", "", S::kError, true, false,
 "Dockerfile does not parse",
 "The parser stopped at the position shown: a malformed parser directive, "
 "an exec form that is JSON but not an array of strings, an unterminated "
 "here-document, or a file without instructions. BuildKit refuses the "
 "file too."},
{"CL1001", "", "", S::kError, true, false,
 "Instruction that BuildKit refuses",
 "The instruction is unknown, takes a flag it does not accept, or has the "
 "wrong number of arguments, so `docker build` stops here. Check the "
 "spelling against the Dockerfile reference and remove unsupported flags."},
{"CL1002", "DL3061", "", S::kError, true, false,
 "Instruction before the first FROM",
 "Only ARG (and comments or parser directives) may come before the first "
 "FROM. Move the instruction into a stage."},
{"CL1003", "", "ConsistentInstructionCasing", S::kStyle, true, false,
 "Instruction keywords mix upper and lower case",
 "Write every instruction keyword in the same case, normally upper case "
 "(`RUN`, not `Run`), so instructions stand apart from their arguments."},
{"CL1004", "", "FromAsCasing", S::kStyle, true, false,
 "FROM and AS keywords differ in case",
 "Write `FROM image AS name` or `from image as name`, not a mix."},
{"CL1005", "", "NoEmptyContinuation", S::kWarning, true, false,
 "Empty line inside a continued instruction",
 "A blank line after a line ending in the escape character is deprecated "
 "and will become an error. Delete the blank line or end the instruction "
 "before it; comment lines are fine."},
{"CL1006", "DL4000", "MaintainerDeprecated", S::kWarning, true, false,
 "MAINTAINER is deprecated",
 "Replace `MAINTAINER name` with "
 "`LABEL org.opencontainers.image.authors=\"name\"`."},
{"CL1007", "", "LegacyKeyValueFormat", S::kWarning, true, false,
 "Legacy `KEY value` form in ENV, LABEL or ARG",
 "The space-separated form sets only one variable and swallows the rest "
 "of the line into its value. Write `ENV KEY=value` (quote values with "
 "spaces)."},
{"CL1008", "DL3025", "JSONArgsRecommended", S::kWarning, true, true,
 "CMD or ENTRYPOINT in shell form",
 "In shell form the program runs as a child of `/bin/sh -c`, which does "
 "not forward SIGTERM, so containers stop only when killed. Use the exec "
 "form: `CMD [\"app\", \"--flag\"]`. `cinch lint --fix` rewrites simple "
 "commands (no shell syntax) to exec form."},
{"CL1009", "DL4003", "MultipleInstructionsDisallowed", S::kWarning, true,
 false, "More than one CMD in a stage",
 "Only the last CMD of a stage takes effect. Delete the others."},
{"CL1010", "DL4004", "MultipleInstructionsDisallowed", S::kError, true,
 false, "More than one ENTRYPOINT in a stage",
 "Only the last ENTRYPOINT of a stage takes effect. Delete the others."},
{"CL1011", "DL3012", "MultipleInstructionsDisallowed", S::kError, true,
 false, "More than one HEALTHCHECK in a stage",
 "Only the last HEALTHCHECK of a stage takes effect. Delete the others."},
{"CL1012", "DL3024", "DuplicateStageName", S::kError, true, false,
 "Stage name used twice",
 "Stage names must be unique; references to a duplicated name are "
 "ambiguous. Rename one of the stages."},
{"CL1013", "", "ReservedStageName", S::kError, true, false,
 "Reserved stage name",
 "`scratch` and `context` have special meanings and cannot name a stage. "
 "Pick another name."},
{"CL1014", "", "StageNameCasing", S::kStyle, true, false,
 "Stage name is not lower case",
 "Stage names are matched without regard to case; write them in lower "
 "case so they do not look like instruction keywords."},
{"CL1015", "DL3022", "", S::kWarning, true, false,
 "COPY --from names no earlier stage",
 "`--from` names neither an earlier stage nor an image reference, so "
 "BuildKit will try to pull an image of that name. Fix the stage name or "
 "define the stage before this COPY."},
{"CL1016", "DL3023", "", S::kError, true, false,
 "COPY --from refers to its own stage",
 "A stage cannot copy from itself. Copy from an earlier stage."},
{"CL1017", "DL3021", "", S::kError, true, false,
 "COPY of several sources to a destination without a trailing slash",
 "When COPY or ADD has more than one source, the destination must be a "
 "directory and must end with `/`."},
{"CL1018", "DL3000", "WorkdirRelativePath", S::kWarning, true, false,
 "Relative WORKDIR",
 "A relative WORKDIR depends on the working directory of the base image, "
 "which can change under you. Use an absolute path."},
{"CL1019", "DL3011", "", S::kError, true, false,
 "EXPOSE port out of range",
 "Ports are numbers from 0 to 65535."},
{"CL1020", "", "ExposeInvalidFormat", S::kWarning, true, false,
 "EXPOSE with an address or host mapping",
 "EXPOSE documents container ports only; `80:80` or `127.0.0.1:80` belong "
 "to `docker run -p`. Write `EXPOSE 80` or `EXPOSE 80/udp`."},
{"CL1021", "", "ExposeProtoCasing", S::kStyle, true, false,
 "EXPOSE protocol not in lower case",
 "Write `80/tcp` or `53/udp` in lower case."},
{"CL1022", "DL3044", "", S::kError, true, false,
 "ENV refers to a variable set in the same ENV",
 "Variables set by an ENV instruction are visible only from the next "
 "instruction on; `ENV A=1 B=$A` leaves B with the old A. Split it into two "
 "ENV instructions."},
{"CL1023", "DL3043", "", S::kError, true, false,
 "ONBUILD with ONBUILD, FROM or MAINTAINER",
 "These instructions are not allowed as ONBUILD triggers."},
{"CL1024", "", "UndefinedArgInFrom", S::kWarning, true, false,
 "FROM uses an undeclared build argument",
 "Declare the argument with `ARG NAME[=default]` before the first FROM; "
 "undeclared arguments expand to nothing."},
{"CL1025", "", "InvalidDefaultArgInFrom", S::kWarning, true, false,
 "FROM is invalid with the default build arguments",
 "With no `--build-arg`, the image reference expands to something invalid "
 "(for example `busybox:`). Give the ARG a default or use "
 "`${NAME:-default}`."},
{"CL1026", "", "UndefinedVar", S::kWarning, true, false,
 "Use of an undefined variable",
 "The variable is neither declared with ARG or ENV in this stage nor set "
 "by the base image, so it expands to nothing. Declare it (remember that "
 "global ARGs must be declared again inside a stage) or fix its name."},
{"CL1027", "", "InvalidDefinitionDescription", S::kStyle, false, false,
 "Comment above a stage or ARG is not a description",
 "Tools that print build targets take the comment right above `FROM ... AS "
 "name` or `ARG NAME` as its description when it starts with the name. "
 "Start it with the name, or separate it with a blank line."},
{"CL1028", "", "RedundantTargetPlatform", S::kInfo, true, false,
 "FROM --platform=$TARGETPLATFORM is redundant",
 "Stages are built for the target platform by default; drop the flag."},
{"CL1029", "DL3029", "FromPlatformFlagConstDisallowed", S::kWarning, true,
 false, "FROM --platform with a constant value",
 "A fixed platform stops multi-platform builds and forces emulation on "
 "other machines. Drop the flag and pass `--platform` to the build, or use "
 "`$BUILDPLATFORM` for build-time stages."},
{"CL1030", "DL3045", "", S::kWarning, true, false,
 "COPY to a relative path without a WORKDIR",
 "With no WORKDIR set in the stage, a relative destination depends on the "
 "base image's working directory. Set WORKDIR or use an absolute path."},
{"CL1031", "", "CopyIgnoredFile", S::kWarning, true, false,
 "COPY or ADD of a file excluded by .dockerignore",
 "The source is excluded from the build context by .dockerignore, so the "
 "build fails or copies nothing. Remove the pattern or the instruction."},
{"CL1032", "", "", S::kInfo, true, false,
 "BuildKit features without a `# syntax=` directive",
 "Here-documents, `RUN --mount`, `COPY --link`, `--parents` and `--exclude` "
 "need a recent Dockerfile frontend. Pin it on the first line with "
 "`# syntax=docker/dockerfile:1` so older builders fail clearly."},
// ---- CL2xxx: base images and stages ----
{"CL2001", "DL3006", "", S::kWarning, true, false,
 "Base image without a tag",
 "An untagged image means `latest`, which moves. Name a tag such as "
 "`alpine:3.20`."},
{"CL2002", "DL3007", "", S::kWarning, true, false,
 "Base image tagged latest",
 "`latest` changes without notice, so builds are not repeatable. Pin a "
 "version tag."},
{"CL2003", "", "", S::kInfo, true, false,
 "Base image not pinned by digest",
 "Tags can be moved to other images. Add the digest "
 "(`image:tag@sha256:...`) for builds that are repeatable and cannot be "
 "swapped under you; let a bot update it."},
{"CL2004", "DL3026", "", S::kError, true, false,
 "Base image from a registry that is not trusted",
 "The configuration lists trusted registries and this image comes from "
 "another one. Use a mirror in a trusted registry."},
{"CL2005", "", "", S::kWarning, true, false,
 "Toolchain image as the final stage",
 "Compilers, SDKs and full language images (golang, rust, maven, gradle, "
 "gcc, JDKs, full node or python) weigh hundreds of megabytes and bring "
 "tools an attacker can use. Build in a stage and copy the result into a "
 "runtime image: distroless, a `-slim` or `-alpine` variant, or scratch."},
{"CL2006", "", "", S::kWarning, true, false,
 "Compile step in a single-stage build",
 "Compiling in the only stage ships the compiler, sources and caches in "
 "the image. Add a build stage (`FROM golang:1.22 AS build`) and copy only "
 "the output into a small final stage."},
{"CL2007", "", "", S::kInfo, true, false,
 "Final stage could use a smaller base",
 "A slimmer variant of the same base (distroless, `-slim`, `-alpine`) "
 "usually runs the same program in a fraction of the size and with fewer "
 "vulnerable packages. The message names a candidate."},
{"CL2008", "", "", S::kInfo, true, false,
 "go build without -ldflags \"-s -w\"",
 "Stripping the symbol table and DWARF data shrinks Go binaries by a "
 "quarter or more. Add `-ldflags=\"-s -w\"` (and `-trimpath`)."},
{"CL2009", "", "", S::kWarning, true, false,
 "go build without CGO_ENABLED=0 for a static final stage",
 "The final stage is scratch or distroless/static, which has no C "
 "library, and a cgo-enabled binary will fail to start there. Build with "
 "`CGO_ENABLED=0`."},
{"CL2010", "", "", S::kWarning, true, true,
 "Whole build context copied before installing dependencies",
 "`COPY . .` before `npm ci`, `pip install -r`, `go mod download` and the "
 "like makes every source change re-run the install. Copy the manifests "
 "first (`COPY package.json package-lock.json ./`), install, then copy the "
 "rest. `--fix` does this when the install directly follows the copy and "
 "the manifests exist in the context."},
// ---- CL3xxx: package managers and size ----
{"CL3001", "DL3008", "", S::kWarning, true, false,
 "apt-get install without pinned versions",
 "Unpinned packages change between builds. Pin them (`curl=7.88.1-10`) or "
 "accept the drift knowingly and disable this rule."},
{"CL3002", "DL3009", "", S::kInfo, true, true,
 "apt lists left in the image",
 "`apt-get update` leaves tens of megabytes in /var/lib/apt/lists. End the "
 "same RUN with `rm -rf /var/lib/apt/lists/*`, or use a cache mount "
 "(`--mount=type=cache,target=/var/lib/apt`)."},
{"CL3003", "DL3014", "", S::kWarning, true, false,
 "apt-get install without -y",
 "Without `-y` apt-get waits for an answer no one gives. Add `-y`."},
{"CL3004", "DL3015", "", S::kInfo, true, true,
 "apt-get install without --no-install-recommends",
 "Recommended packages are often large and unneeded. Add "
 "`--no-install-recommends` and list what you need."},
{"CL3005", "DL3027", "", S::kWarning, true, false,
 "apt used in a script",
 "`apt` is meant for people and its interface is not stable for scripts. "
 "Use `apt-get` or `apt-cache`."},
{"CL3006", "DL3005", "", S::kInfo, true, false,
 "apt-get upgrade or dist-upgrade",
 "Upgrading everything makes builds unrepeatable and large. Use a newer "
 "base image, or upgrade the specific packages you need."},
{"CL3007", "DL3019", "", S::kInfo, true, true,
 "apk add without --no-cache",
 "Without `--no-cache` apk keeps its index in /var/cache/apk. Use "
 "`apk add --no-cache` (no separate `apk update` needed)."},
{"CL3008", "DL3018", "", S::kWarning, true, false,
 "apk add without pinned versions",
 "Pin packages (`curl=8.5.0-r0` or `curl~8.5`) for repeatable builds."},
{"CL3009", "DL3017", "", S::kInfo, true, false,
 "apk upgrade",
 "Upgrading everything makes builds unrepeatable; use a newer base image."},
{"CL3010", "DL3042", "", S::kWarning, true, true,
 "pip install without --no-cache-dir",
 "pip's wheel cache stays in the layer. Add `--no-cache-dir`, set "
 "`PIP_NO_CACHE_DIR=1`, or use a cache mount for /root/.cache/pip."},
{"CL3011", "DL3013", "", S::kWarning, true, false,
 "pip install without pinned versions",
 "Pin packages (`flask==3.0.2`) or install from a locked requirements "
 "file (`-r requirements.txt`)."},
{"CL3012", "DL3016", "", S::kWarning, true, false,
 "npm install of unpinned packages",
 "Pin each package (`npm install left-pad@1.3.0`), or install from the "
 "lockfile with `npm ci`."},
{"CL3013", "", "", S::kWarning, true, true,
 "npm install where npm ci fits",
 "With a lockfile present, `npm ci` installs exactly what it records, "
 "fails when package.json disagrees, and is faster. Use `npm ci`."},
{"CL3014", "", "", S::kInfo, true, false,
 "npm install of development dependencies in the final stage",
 "Test and build tools end up in the runtime image. Use `npm ci "
 "--omit=dev` (or set NODE_ENV=production) in the final stage."},
{"CL3015", "DL3060", "", S::kInfo, true, false,
 "yarn install without yarn cache clean",
 "Yarn's cache stays in the layer. Run `yarn cache clean` in the same RUN "
 "or use a cache mount."},
{"CL3016", "DL3028", "", S::kWarning, true, false,
 "gem install without pinned versions",
 "Pin gems (`gem install rake:13.1.0` or `-v 13.1.0`)."},
{"CL3017", "DL3030", "", S::kWarning, true, false,
 "yum install without -y",
 "Without `-y` yum waits for an answer. Add `-y`."},
{"CL3018", "DL3031", "", S::kWarning, true, false,
 "yum update",
 "Updating everything makes builds unrepeatable; use a newer base image."},
{"CL3019", "DL3032", "", S::kWarning, true, false,
 "yum without yum clean all",
 "yum's metadata and package cache stay in the layer. End the RUN with "
 "`yum clean all`."},
{"CL3020", "DL3033", "", S::kWarning, true, false,
 "yum install without pinned versions",
 "Pin packages (`httpd-2.4.57`)."},
{"CL3021", "DL3034", "", S::kWarning, true, false,
 "zypper without a non-interactive switch",
 "Add `-n` (`--non-interactive`) or `-y`."},
{"CL3022", "DL3035", "", S::kWarning, true, false,
 "zypper update or dist-upgrade",
 "Updating everything makes builds unrepeatable; use a newer base image."},
{"CL3023", "DL3036", "", S::kWarning, true, false,
 "zypper without zypper clean",
 "End the RUN with `zypper clean` so the cache does not stay in the layer."},
{"CL3024", "DL3037", "", S::kWarning, true, false,
 "zypper install without pinned versions",
 "Pin packages (`curl=8.0.1` or `curl>=8.0`)."},
{"CL3025", "DL3038", "", S::kWarning, true, false,
 "dnf install without -y",
 "Without `-y` dnf waits for an answer. Add `-y`."},
{"CL3026", "DL3039", "", S::kWarning, true, false,
 "dnf update or upgrade",
 "Updating everything makes builds unrepeatable; use a newer base image."},
{"CL3027", "DL3040", "", S::kWarning, true, false,
 "dnf without dnf clean all",
 "End the RUN with `dnf clean all` so the cache does not stay in the "
 "layer."},
{"CL3028", "DL3041", "", S::kWarning, true, false,
 "dnf install without pinned versions",
 "Pin packages (`httpd-2.4.57`)."},
{"CL3029", "DL3062", "", S::kWarning, true, false,
 "go install without a version",
 "`go install pkg` outside a module resolves whatever is newest. Write "
 "`go install pkg@v1.2.3`."},
{"CL3030", "", "", S::kInfo, true, false,
 "Documentation and man pages kept in the final stage",
 "Packages installed with apt, dnf or yum bring docs and man pages that "
 "nobody reads in a container. Exclude them (dpkg `path-exclude` for "
 "/usr/share/doc and /usr/share/man, dnf `--nodocs`) or delete them in the "
 "same RUN."},
{"CL3031", "DL3046", "", S::kWarning, true, false,
 "useradd with a high UID and without -l",
 "Without `-l`, useradd records the UID in the sparse lastlog file, which "
 "can grow to gigabytes in the layer. Add `-l` (`--no-log-init`)."},
{"CL3032", "DL3047", "", S::kInfo, true, false,
 "wget without --progress",
 "wget's default progress output floods build logs. Add "
 "`--progress=dot:giga` or `-q`."},
{"CL3033", "DL4001", "", S::kWarning, true, false,
 "Both wget and curl used",
 "Two download tools mean two packages to ship and patch. Use one."},
{"CL3034", "DL3020", "", S::kError, true, false,
 "ADD where COPY fits",
 "ADD also fetches URLs and unpacks archives, which surprises readers. "
 "Use COPY for files and directories."},
{"CL3035", "DL3010", "", S::kInfo, true, false,
 "Archive copied and unpacked in two steps",
 "COPY of an archive followed by `tar -x` keeps the archive in a layer. "
 "ADD unpacks local archives in one step."},
// ---- CL4xxx: secrets and privileges ----
{"CL4001", "", "SecretsUsedInArgOrEnv", S::kWarning, true, false,
 "Secret-looking name in ARG or ENV",
 "ARG and ENV values are stored in the image history and config, where "
 "anyone who pulls the image can read them. Pass secrets with "
 "`RUN --mount=type=secret,id=name` instead."},
{"CL4002", "", "", S::kError, true, false,
 "Secret value in ARG, ENV or LABEL",
 "The value looks like a real credential (a cloud key, an access token, "
 "a private key). It is stored in the image for anyone to read. Revoke it "
 "and pass it with `RUN --mount=type=secret`."},
{"CL4003", "", "", S::kError, true, false,
 "Credential on a RUN command line",
 "Command lines are stored in the image history. Read the credential from "
 "a secret mount (`--mount=type=secret,id=token`) instead of writing it or "
 "a literal password in the command."},
{"CL4004", "", "", S::kError, true, false,
 "Credential file copied into the image",
 "Files like .npmrc, .pypirc, .netrc, .env, SSH keys and cloud credentials "
 "stay in the layer even if deleted later. Mount them for the one RUN that "
 "needs them: `RUN --mount=type=secret,id=npmrc,target=/root/.npmrc`."},
{"CL4005", "", "", S::kWarning, true, false,
 "Final stage runs as root",
 "No USER instruction sets a non-root user, so the container runs as "
 "root. Create a user (or use the image's, e.g. `USER 65532`) and switch "
 "to it at the end."},
{"CL4006", "DL3002", "", S::kWarning, true, false,
 "Last USER is root",
 "The container will run as root. Switch to an unprivileged user after the "
 "steps that need root."},
{"CL4007", "DL3004", "", S::kError, true, false,
 "sudo in RUN",
 "Builds already run as the current USER; sudo adds a setuid binary and "
 "unpredictable behaviour. Switch USER around the privileged steps."},
{"CL4008", "", "", S::kWarning, true, false,
 "Download piped into a shell",
 "`curl ... | sh` runs whatever the server sends, unchecked, and the pipe "
 "hides download failures. Download to a file, verify its checksum or "
 "signature, then run it."},
{"CL4009", "", "", S::kWarning, true, false,
 "SSH port exposed",
 "Containers should not run an SSH server; use `docker exec` or your "
 "orchestrator's exec for access."},
{"CL4010", "DL3001", "", S::kInfo, true, false,
 "Interactive or host-level command in RUN",
 "Commands like ssh, vim, service, shutdown, top, ps, kill, free, mount "
 "and ifconfig make no sense while building an image."},
{"CL4011", "", "", S::kWarning, true, false,
 "World-writable permissions",
 "`chmod 777` (or `o+w`) lets any process in the container change the "
 "files. Grant the owner what it needs instead."},
{"CL4012", "", "", S::kInfo, true, false,
 "ADD from a URL without --checksum",
 "The download is not verified. Add `--checksum=sha256:...`."},
// ---- CL5xxx: labels and metadata ----
{"CL5001", "DL3048", "", S::kStyle, true, false,
 "Invalid label key",
 "Label keys should be lower-case reverse-DNS names of letters, digits, "
 "dots and dashes, and must not use the reserved com.docker., io.docker. "
 "or org.dockerproject. prefixes."},
{"CL5002", "DL3049", "", S::kInfo, true, false,
 "Required label missing",
 "The configuration requires this label on the final stage."},
{"CL5003", "DL3050", "", S::kInfo, true, false,
 "Label not in the configured schema",
 "Strict labels are configured and this label is not in the schema."},
{"CL5004", "DL3051", "", S::kWarning, true, false,
 "Empty label value",
 "A label the schema describes has an empty value."},
{"CL5005", "DL3052", "", S::kWarning, true, false,
 "Label is not a URL",
 "The schema says this label holds a URL."},
{"CL5006", "DL3053", "", S::kWarning, true, false,
 "Label is not an RFC 3339 time",
 "The schema says this label holds a time like 2024-05-01T12:00:00Z."},
{"CL5007", "DL3054", "", S::kWarning, true, false,
 "Label is not an SPDX licence expression",
 "The schema says this label holds an SPDX licence identifier."},
{"CL5008", "DL3055", "", S::kWarning, true, false,
 "Label is not a git commit hash",
 "The schema says this label holds a 40-character git hash."},
{"CL5009", "DL3056", "", S::kWarning, true, false,
 "Label is not a semantic version",
 "The schema says this label holds a semantic version."},
{"CL5010", "DL3057", "", S::kInfo, false, false,
 "No HEALTHCHECK",
 "Orchestrators that honour it can restart a hung container. Add a "
 "HEALTHCHECK to the final stage (off by default: Kubernetes ignores it)."},
{"CL5011", "DL3058", "", S::kWarning, true, false,
 "Label is not an email address",
 "The schema says this label holds an email address."},
// ---- CL6xxx: shell hygiene ----
{"CL6001", "DL3003", "", S::kWarning, true, false,
 "cd in RUN instead of WORKDIR",
 "A `cd` lasts only for its RUN and hides where later steps run. Use "
 "WORKDIR for the directory the following steps need."},
{"CL6002", "DL4006", "", S::kWarning, true, false,
 "Pipe without pipefail",
 "A failing command before `|` is ignored by /bin/sh, so the build goes "
 "on with bad output. Set `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", "
 "\"-c\"]` or start the RUN with `set -o pipefail &&`."},
{"CL6003", "DL3059", "", S::kInfo, true, false,
 "Consecutive RUN instructions",
 "Each RUN makes a layer; files deleted in a later RUN still weigh in the "
 "earlier one. Join related steps with `&&`."},
{"CL6004", "DL4005", "", S::kWarning, true, false,
 "/bin/sh replaced instead of using SHELL",
 "Linking another shell over /bin/sh changes the image for every program. "
 "Use the SHELL instruction to choose the shell for RUN."},
};
// clang-format on

}  // namespace

std::span<const RuleInfo> AllRules() { return kRules; }

const RuleInfo* FindRule(std::string_view id) {
  // Built once, on first use (thread-safe static initialisation): IDs
  // first, so an alias never shadows an ID.
  static const auto* const kIndex = [] {
    auto* index = new std::map<std::string, const RuleInfo*, std::less<>>();
    auto lower = [](std::string_view s) {
      std::string out(s);
      for (char& c : out) c = char(std::tolower(uint8_t(c)));
      return out;
    };
    for (const RuleInfo& r : kRules) index->emplace(lower(r.id), &r);
    for (const RuleInfo& r : kRules) {
      if (!r.hadolint.empty()) index->emplace(lower(r.hadolint), &r);
      if (!r.buildkit.empty()) index->emplace(lower(r.buildkit), &r);
    }
    return index;
  }();
  std::string key(id);
  for (char& c : key) c = char(std::tolower(uint8_t(c)));
  auto it = kIndex->find(key);
  return it == kIndex->end() ? nullptr : it->second;
}

}  // namespace cinch::lint
