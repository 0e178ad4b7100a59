#include "analyze/bloat.h"

#include <array>

namespace cinch {
namespace {

constexpr BloatKind kKinds[] = {
    {"docs", "documentation",
     "delete /usr/share/doc in the same RUN, or "
     "use dpkg path-exclude rules"},
    {"man", "man and info pages",
     "delete /usr/share/man and /usr/share/info, "
     "or use dpkg path-exclude rules"},
    {"locales", "locales", "keep only the locales the application uses"},
    {"apt", "apt lists and archives",
     "rm -rf /var/lib/apt/lists/* in the same RUN, or use a cache mount"},
    {"dpkg-backup", "dpkg backups",
     "delete /var/lib/dpkg/*-old and "
     "/var/cache/debconf/*-old"},
    {"apk", "apk cache", "use apk add --no-cache"},
    {"dnf", "dnf/yum cache", "run dnf clean all in the same RUN"},
    {"pip", "pip cache", "use pip install --no-cache-dir"},
    {"npm", "npm cache",
     "use npm ci and npm cache clean --force, or a cache "
     "mount"},
    {"yarn", "yarn cache", "use yarn cache clean, or a cache mount"},
    {"pnpm", "pnpm store", "use a cache mount for the pnpm store"},
    {"go", "Go build and module caches",
     "build in an earlier stage; copy only "
     "the binary"},
    {"maven", "Maven repository",
     "build in an earlier stage; copy only the "
     "artifact"},
    {"gradle", "Gradle caches",
     "build in an earlier stage; copy only the "
     "artifact"},
    {"cargo", "cargo registry",
     "build in an earlier stage; copy only the "
     "binary"},
    {"tmp", "temporary files", "delete /tmp and /var/tmp in the same RUN"},
    {"logs", "logs", "do not ship build logs; clean /var/log"},
};

struct Rule {
  std::string_view pattern;
  size_t kind;
};

// Indexes into kKinds, named for the table below.
enum : size_t {
  kDocs,
  kMan,
  kLocales,
  kApt,
  kDpkgBackup,
  kApk,
  kDnf,
  kPip,
  kNpm,
  kYarn,
  kPnpm,
  kGo,
  kMaven,
  kGradle,
  kCargo,
  kTmp,
  kLogs
};

// "~" stands for a home directory: root/ and home/*/ are both tried.
constexpr Rule kRules[] = {
    {"usr/share/doc/**", kDocs},
    {"usr/local/share/doc/**", kDocs},
    {"usr/share/gtk-doc/**", kDocs},
    {"usr/share/man/**", kMan},
    {"usr/local/share/man/**", kMan},
    {"usr/share/info/**", kMan},
    {"usr/share/locale/**", kLocales},
    {"usr/local/share/locale/**", kLocales},
    {"usr/lib/locale/**", kLocales},
    {"usr/share/i18n/locales/**", kLocales},
    {"var/lib/apt/lists/**", kApt},
    {"var/cache/apt/**", kApt},
    {"var/lib/dpkg/*-old", kDpkgBackup},
    {"var/cache/debconf/*-old", kDpkgBackup},
    {"var/backups/**", kDpkgBackup},
    {"var/cache/apk/**", kApk},
    {"etc/apk/cache/**", kApk},
    {"var/cache/dnf/**", kDnf},
    {"var/cache/yum/**", kDnf},
    {"~/.cache/pip/**", kPip},
    {"~/.npm/**", kNpm},
    {"usr/local/share/.cache/yarn/**", kYarn},
    {"~/.cache/yarn/**", kYarn},
    {"~/.yarn/berry/cache/**", kYarn},
    {"~/.local/share/pnpm/store/**", kPnpm},
    {"~/.pnpm-store/**", kPnpm},
    {"~/.cache/go-build/**", kGo},
    {"go/pkg/mod/**", kGo},
    {"~/go/pkg/mod/**", kGo},
    {"~/.m2/repository/**", kMaven},
    {"~/.gradle/caches/**", kGradle},
    {"~/.gradle/wrapper/dists/**", kGradle},
    {"~/.cargo/registry/**", kCargo},
    {"~/.cargo/git/**", kCargo},
    {"usr/local/cargo/registry/**", kCargo},
    {"tmp/**", kTmp},
    {"var/tmp/**", kTmp},
    {"var/log/**", kLogs},
};

bool MatchComponents(std::string_view pattern, std::string_view path);

std::string_view Head(std::string_view s) { return s.substr(0, s.find('/')); }
std::string_view Tail(std::string_view s) {
  size_t slash = s.find('/');
  return slash == std::string_view::npos ? std::string_view()
                                         : s.substr(slash + 1);
}
bool HasTail(std::string_view s) {
  return s.find('/') != std::string_view::npos;
}

// Matches one component against a pattern with '*' wildcards.
bool MatchComponent(std::string_view pattern, std::string_view name) {
  size_t star = pattern.find('*');
  if (star == std::string_view::npos) return pattern == name;
  std::string_view prefix = pattern.substr(0, star);
  std::string_view rest = pattern.substr(star + 1);
  if (!name.starts_with(prefix)) return false;
  name.remove_prefix(prefix.size());
  for (size_t i = 0; i <= name.size(); ++i) {
    if (MatchComponent(rest, name.substr(i))) return true;
  }
  return false;
}

bool MatchComponents(std::string_view pattern, std::string_view path) {
  std::string_view head = Head(pattern);
  if (head == "**") {
    if (!HasTail(pattern)) return true;
    std::string_view rest = Tail(pattern);
    while (true) {
      if (MatchComponents(rest, path)) return true;
      if (!HasTail(path)) return false;
      path = Tail(path);
    }
  }
  if (!MatchComponent(head, Head(path))) return false;
  if (!HasTail(pattern)) return !HasTail(path);
  if (!HasTail(path)) return Tail(pattern) == "**";
  return MatchComponents(Tail(pattern), Tail(path));
}

}  // namespace

std::span<const BloatKind> BloatKinds() { return kKinds; }

bool GlobMatch(std::string_view pattern, std::string_view path) {
  return MatchComponents(pattern, path);
}

std::optional<size_t> ClassifyBloat(std::string_view path) {
  for (const Rule& r : kRules) {
    if (r.pattern.starts_with("~/")) {
      std::string_view rest = r.pattern.substr(2);
      bool root = path.starts_with("root/") && GlobMatch(rest, path.substr(5));
      bool home = path.starts_with("home/") && HasTail(path.substr(5)) &&
                  GlobMatch(rest, Tail(path.substr(5)));
      if (root || home) return r.kind;
    } else if (GlobMatch(r.pattern, path)) {
      return r.kind;
    }
  }
  return std::nullopt;
}

}  // namespace cinch
