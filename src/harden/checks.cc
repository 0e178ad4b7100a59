// The checks that read the merged tree and the config after the walk.
#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <regex>

#include <fmt/ranges.h>

#include "harden/catalog.h"
#include "harden/harden.h"
#include "report/inspect_report.h"
#include "secrets/check.h"
#include "secrets/names.h"

namespace cinch::harden {
namespace {

ImageFinding Make(std::string_view id, std::string message,
                  std::string path = "", int layer = -1) {
  const Check* c = FindCheck(id);
  ImageFinding f;
  f.finding.rule = std::string(id);
  f.finding.aliases = {std::string(c->slug)};
  f.finding.severity = c->severity;
  f.finding.message = std::move(message);
  f.finding.location.path = std::move(path);
  f.title = std::string(c->title);
  f.layer = layer;
  if (!f.finding.location.path.empty() &&
      f.finding.location.path.starts_with("/")) {
    f.state = "visible";
  }
  return f;
}

// ---- binaries ----

// A run-path entry an attacker could plant libraries in: relative to the
// working directory, empty (the same), or under a shared writable tree.
bool InsecureRunpathEntry(std::string_view dir) {
  if (dir.empty()) return true;
  if (dir.starts_with("$ORIGIN") || dir.starts_with("${ORIGIN}")) {
    return false;
  }
  if (!dir.starts_with("/")) return true;
  for (std::string_view bad : {"/tmp", "/var/tmp", "/dev/shm", "/home"}) {
    if (dir == bad || dir.starts_with(std::string(bad) + "/")) return true;
  }
  return false;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += ":";
    out += p;
  }
  return out;
}

// ---- attack surface ----

struct Tool {
  std::string_view check;
  std::string_view pattern;  // ECMAScript regex over the file name
};

constexpr auto kTools = std::to_array<Tool>({
    {kShell, "(sh|bash|dash|ash|zsh|ksh|mksh|csh|tcsh|fish|busybox)"},
    {kPackageManager,
     "(apt|apt-get|dpkg|apk|yum|dnf|microdnf|rpm|zypper|pip[0-9.]*|npm|"
     "yarn|pnpm|gem|conda)"},
    {kBuildTool,
     "((x86_64-linux-gnu-)?(gcc|g\\+\\+|cc|c\\+\\+|cpp)(-[0-9.]+)?|"
     "clang(\\+\\+)?(-[0-9.]+)?|make|cmake|ninja|go|rustc|cargo|javac|"
     "gdb|strace|ltrace)"},
    {kPrivilegeTool, "(sudo|doas)"},
    {kSshServer, "(sshd|dropbear)"},
    {kNetworkTool,
     "(curl|wget|nc|netcat|ncat|socat|telnet|ftp|tftp|nmap|tcpdump|ssh|scp)"},
});

constexpr std::array<std::string_view, 6> kBinDirs = {
    "bin/",      "sbin/",          "usr/bin/",
    "usr/sbin/", "usr/local/bin/", "usr/local/sbin/"};

// Follows symbolic and hard links within the tree to a regular file.
const FileNode* Resolve(const FileTree& tree, std::string path,
                        std::string* resolved) {
  for (int hop = 0; hop < 8; ++hop) {
    auto it = tree.nodes().find(path);
    if (it == tree.nodes().end() || !it->second.visible()) return nullptr;
    const FileNode& n = it->second;
    if (n.type == EntryType::kRegular) {
      *resolved = path;
      return &n;
    }
    if (n.type != EntryType::kSymlink && n.type != EntryType::kHardlink) {
      return nullptr;
    }
    std::string target = n.link_target;
    if (n.type == EntryType::kSymlink && !target.starts_with("/")) {
      size_t slash = path.rfind('/');
      target = (slash == std::string::npos ? "" : path.substr(0, slash + 1)) +
               target;
    }
    // Normalise "/", "." and ".." components.
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= target.size()) {
      size_t end = target.find('/', start);
      if (end == std::string::npos) end = target.size();
      std::string part = target.substr(start, end - start);
      if (part == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!part.empty() && part != ".") {
        parts.push_back(part);
      }
      start = end + 1;
    }
    path.clear();
    for (const std::string& p : parts) path += (path.empty() ? "" : "/") + p;
  }
  return nullptr;
}

void CheckSurface(const FileTree& tree, std::vector<ImageFinding>& out) {
  static const std::vector<std::regex> kRegexes = [] {
    std::vector<std::regex> r;
    for (const Tool& t : kTools) r.emplace_back(std::string(t.pattern));
    return r;
  }();
  // One finding per real file: "sh" and "dash" are one program.
  std::map<std::pair<std::string_view, std::string>, std::vector<std::string>>
      by_file;
  std::map<std::string, const FileNode*> nodes;
  for (const auto& [path, node] : tree.nodes()) {
    if (!node.visible() || node.type == EntryType::kDirectory) continue;
    size_t slash = path.rfind('/');
    std::string_view dir(path.data(),
                         slash == std::string::npos ? 0 : slash + 1);
    if (std::find(kBinDirs.begin(), kBinDirs.end(), dir) == kBinDirs.end()) {
      continue;
    }
    std::string name = path.substr(slash + 1);
    for (size_t t = 0; t < kTools.size(); ++t) {
      if (!std::regex_match(name, kRegexes[t])) continue;
      std::string resolved;
      const FileNode* real = Resolve(tree, path, &resolved);
      if (real == nullptr) break;
      by_file[{kTools[t].check, resolved}].push_back("/" + path);
      nodes[resolved] = real;
      break;
    }
  }
  for (const auto& [key, names] : by_file) {
    const auto& [check, resolved] = key;
    const FileNode* n = nodes[resolved];
    std::string also;
    for (const std::string& name : names) {
      if (name != "/" + resolved) also += (also.empty() ? "" : ", ") + name;
    }
    ImageFinding f = Make(check,
                          fmt::format("{} /{} ({}{})", FindCheck(check)->title,
                                      resolved, HumanBytes(n->size),
                                      also.empty() ? "" : ", also as " + also),
                          "/" + resolved, n->modified_layer);
    f.bytes = n->size;
    out.push_back(std::move(f));
  }
}

void CheckPermissions(const FileTree& tree, std::vector<ImageFinding>& out) {
  uint64_t debug_bytes = 0, debug_files = 0;
  int debug_layer = -1;
  for (const auto& [path, n] : tree.nodes()) {
    if (!n.visible()) continue;
    std::string p = "/" + path;
    int layer = n.modified_layer;
    bool regular = n.type == EntryType::kRegular;
    if (regular && (n.mode & 04000) != 0) {
      out.push_back(Make(kSetuid,
                         fmt::format("{} is setuid (owner uid {}, mode {:04o})",
                                     p, n.uid, n.mode & 07777),
                         p, layer));
    }
    if (regular && (n.mode & 02000) != 0) {
      out.push_back(Make(kSetgid,
                         fmt::format("{} is setgid (group gid {}, mode {:04o})",
                                     p, n.gid, n.mode & 07777),
                         p, layer));
    }
    if (regular && (n.mode & 0002) != 0) {
      out.push_back(Make(
          kWorldWritableFile,
          fmt::format("{} is world-writable (mode {:04o})", p, n.mode & 07777),
          p, layer));
    }
    if (n.type == EntryType::kDirectory && (n.mode & 0002) != 0 &&
        (n.mode & 01000) == 0) {
      out.push_back(Make(kWorldWritableDir,
                         fmt::format("{} is world-writable without the sticky "
                                     "bit (mode {:04o})",
                                     p, n.mode & 07777),
                         p, layer));
    }
    if (n.type == EntryType::kCharDevice || n.type == EntryType::kBlockDevice) {
      out.push_back(
          Make(kDeviceFile,
               fmt::format("{} is a {} device", p, EntryTypeName(n.type)), p,
               layer));
    }
    if (n.has_capability) {
      out.push_back(Make(kFileCapability,
                         fmt::format("{} carries file capabilities "
                                     "(security.capability)",
                                     p),
                         p, layer));
    }
    if (regular && path.starts_with("usr/lib/debug/")) {
      debug_bytes += n.size;
      ++debug_files;
      debug_layer = std::max(debug_layer, layer);
    }
  }
  if (debug_files > 0) {
    ImageFinding f = Make(kDebugFiles,
                          fmt::format("{} debug files under /usr/lib/debug "
                                      "({})",
                                      debug_files, HumanBytes(debug_bytes)),
                          "/usr/lib/debug", debug_layer);
    f.bytes = debug_bytes;
    out.push_back(std::move(f));
  }
}

// ---- config ----

bool IsRootUser(std::string_view user) {
  std::string_view name = user.substr(0, user.find(':'));
  return name.empty() || name == "root" || name == "0";
}

bool IsNumeric(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

// Remote-administration and unauthenticated-by-default services.
std::string_view SensitivePortName(int port) {
  switch (port) {
    case 21:
      return "FTP";
    case 22:
      return "SSH";
    case 23:
      return "Telnet";
    case 69:
      return "TFTP";
    case 111:
      return "RPC portmapper";
    case 135:
      return "MS RPC";
    case 139:
      return "NetBIOS";
    case 445:
      return "SMB";
    case 2375:
      return "Docker API (plain)";
    case 2376:
      return "Docker API";
    case 3389:
      return "RDP";
    case 5800:
      return "VNC (web)";
    case 5900:
      return "VNC";
    case 5985:
      return "WinRM";
    case 5986:
      return "WinRM (TLS)";
    default:
      return "";
  }
}

// Seconds since the epoch of an RFC 3339 time; nullopt when unreadable.
// The zone offset is ignored: ages are reported in days.
std::optional<int64_t> ParseTime(std::string_view s) {
  std::tm tm{};
  std::string text(s.substr(0, 19));
  if (text.size() < 19 ||
      ::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) {
    return std::nullopt;
  }
  return int64_t(::timegm(&tm));
}

void ScanConfigText(const secrets::Engine& engine, secrets::Scanner& scanner,
                    std::string_view text, const std::string& where, int layer,
                    std::vector<ImageFinding>& out, bool* found = nullptr) {
  for (secrets::Match& m : scanner.Scan(text)) {
    const secrets::Rule& rule = *m.rule;
    ImageFinding f;
    f.finding.rule = std::string(rule.id);
    f.finding.aliases = {std::string(rule.slug)};
    f.finding.severity = rule.severity;
    f.finding.message = fmt::format("{} in {}", rule.title, where);
    f.finding.location.path = where;
    f.title = std::string(rule.title);
    f.layer = layer;
    f.match = m.redacted;
    f.fingerprint = m.fingerprint;
    out.push_back(std::move(f));
    if (found != nullptr) *found = true;
  }
  (void)engine;
}

}  // namespace

std::vector<ImageFinding> CheckElf(const std::vector<Hardener::ElfFile>& files,
                                   int layer, const FileTree& tree) {
  std::vector<ImageFinding> out;
  for (const Hardener::ElfFile& e : files) {
    auto it = tree.nodes().find(e.path);
    // Only the version in the final file system costs anything now.
    if (it == tree.nodes().end() || !it->second.visible() ||
        it->second.modified_layer != layer) {
      continue;
    }
    std::string p = "/" + e.path;
    const ElfInfo& i = e.info;
    if ((i.has_symtab || i.has_debug) && i.strippable_bytes > 0 &&
        !e.path.starts_with("usr/lib/debug/")) {
      std::string what = i.has_debug && i.has_symtab ? "symbols and debug info"
                         : i.has_debug               ? "debug info"
                                                     : "symbols";
      ImageFinding f =
          Make(kUnstripped,
               fmt::format("{} is not stripped: {} of {} ({}{})", p,
                           HumanBytes(i.strippable_bytes), what,
                           i.is_static ? "static" : "dynamic",
                           i.interpreter.empty() ? "" : ", " + i.interpreter),
               p, layer);
      f.bytes = i.strippable_bytes;
      out.push_back(std::move(f));
    }
    for (const auto* list : {&i.rpath, &i.runpath}) {
      if (std::any_of(list->begin(), list->end(), InsecureRunpathEntry)) {
        out.push_back(Make(
            kInsecureRunpath,
            fmt::format("{} has {} \"{}\"", p,
                        list == &i.rpath ? "RPATH" : "RUNPATH", Join(*list)),
            p, layer));
      }
    }
  }
  return out;
}

std::vector<ImageFinding> CheckTree(const FileTree& tree) {
  std::vector<ImageFinding> out;
  CheckPermissions(tree, out);
  CheckSurface(tree, out);
  return out;
}

std::vector<ImageFinding> CheckConfig(const Image& image,
                                      const secrets::Engine& engine,
                                      int64_t now) {
  const ImageConfig& c = image.config;
  std::vector<ImageFinding> out;
  if (IsRootUser(c.user)) {
    out.push_back(Make(kRootUser,
                       c.user.empty()
                           ? std::string("User is not set: the image runs as "
                                         "root")
                           : fmt::format("User is \"{}\": the image runs as "
                                         "root",
                                         c.user),
                       "config:User"));
  } else if (!IsNumeric(c.user.substr(0, c.user.find(':')))) {
    out.push_back(
        Make(kNamedUser,
             fmt::format("User \"{}\" is a name, not a numeric UID", c.user),
             "config:User"));
  }

  secrets::Scanner scanner(engine);
  for (const std::string& env : c.env) {
    size_t eq = env.find('=');
    std::string name = env.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : env.substr(eq + 1);
    bool found = false;
    ScanConfigText(engine, scanner, env, "config:Env " + name, -1, out, &found);
    if (!found && secrets::IsSecretName(name) && value.size() >= 4 &&
        !secrets::IsPlaceholder(value) && !value.starts_with("/")) {
      ImageFinding f = Make(
          kSecretEnv,
          fmt::format("Env {} looks like a secret baked into the image", name),
          "config:Env " + name);
      f.fingerprint = secrets::Fingerprint(kSecretEnv, value);
      f.match = name + "=********";
      out.push_back(std::move(f));
    }
  }
  for (const auto& [key, value] : c.labels) {
    ScanConfigText(engine, scanner, key + "=" + value, "config:Labels " + key,
                   -1, out);
  }
  int layer = 0;
  for (size_t i = 0; i < c.history.size(); ++i) {
    const HistoryStep& step = c.history[i];
    int step_layer = step.empty_layer ? -1 : layer;
    ScanConfigText(engine, scanner, step.created_by,
                   fmt::format("history:{}", i + 1), step_layer, out);
    if (!step.empty_layer) ++layer;
  }

  for (const std::string& port : c.exposed_ports) {
    int number = std::atoi(port.c_str());
    std::string_view name = SensitivePortName(number);
    if (name.empty()) continue;
    out.push_back(Make(kSensitivePort,
                       fmt::format("port {} ({}) is exposed", port, name),
                       "config:ExposedPorts " + port));
  }
  if (!c.has_healthcheck) {
    out.push_back(Make(kNoHealthcheck, "the image has no HEALTHCHECK",
                       "config:Healthcheck"));
  }
  std::vector<std::string> missing;
  for (const char* label : {"org.opencontainers.image.source",
                            "org.opencontainers.image.revision"}) {
    if (c.labels.count(label) == 0) missing.push_back(label);
  }
  if (!missing.empty()) {
    out.push_back(
        Make(kNoSourceLabels,
             fmt::format("missing label{} {}", missing.size() == 1 ? "" : "s",
                         fmt::join(missing, ", ")),
             "config:Labels"));
  }
  constexpr int64_t kDay = 24 * 3600;
  constexpr int64_t kOldDays = 90;
  if (auto created = ParseTime(c.created); created && now > 0) {
    int64_t days = (now - *created) / kDay;
    if (days > kOldDays) {
      out.push_back(Make(kOldImage,
                         fmt::format("the image was built {} days ago ({})",
                                     days, c.created.substr(0, 10)),
                         "config:Created"));
    }
  }
  return out;
}

}  // namespace cinch::harden
