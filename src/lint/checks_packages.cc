// CL3xxx: package managers, caches and image size.
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "lint/context.h"

namespace cinch::lint {
namespace {

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size() && i < 3; ++i) {
    out += (i ? ", " : "") + v[i];
  }
  if (v.size() > 3) out += fmt::format(" and {} more", v.size() - 3);
  return out;
}

// A package operand that is a file, URL or variable is not a name to pin.
bool IsPackageName(std::string_view p) {
  return IsLiteral(p) && p.find('/') == std::string_view::npos &&
         !p.ends_with(".deb") && !p.ends_with(".rpm") && !p.ends_with(".apk") &&
         !p.ends_with(".whl") && !p.ends_with(".tar.gz") &&
         !p.ends_with(".zip") && p != "." &&
         p.find("://") == std::string_view::npos;
}

// Inserts ` text` right after word `w` of command `c`.
void InsertAfter(Context& ctx, const Step& s, const Command& c,
                 const ShellWord& w, std::string_view rule,
                 std::string_view text) {
  if (w.end <= w.begin || s.ins->json) return;
  uint32_t at = ctx.ScriptOffset(s, c, w.end - 1) + 1;
  ctx.AddEdit(rule, at, at, fmt::format(" {}", text));
}

// Appends ` && text` after the last word of the RUN's last command in the
// instruction line, when that command is the one given.
void AppendToRun(Context& ctx, const Step& s, std::string_view rule,
                 std::string_view text) {
  if (s.ins->json || !s.ins->heredocs.empty() || s.commands.empty()) return;
  const Command& last = s.commands.back();
  if (last.heredoc != nullptr || last.shell->substitution ||
      last.shell->words.empty()) {
    return;
  }
  // Only when the last command ends the script: no trailing operators.
  uint32_t end = last.shell->end;
  if (!last.shell->redirects.empty()) {
    end = std::max(end, last.shell->redirects.back().end);
  }
  std::string_view rest = s.ins->rest;
  if (end < rest.size() &&
      rest.substr(end).find_first_not_of(" \t") != std::string_view::npos) {
    return;
  }
  uint32_t at = ctx.ScriptOffset(s, last, end - 1) + 1;
  ctx.AddEdit(rule, at, at, fmt::format(" && {}", text));
}

void CheckApt(Context& ctx, const Step& s) {
  bool lists_removed = false;
  for (const Command& c : s.commands) {
    if (c.name == "rm") {
      for (const ShellWord* w : c.args) {
        if (w->value.starts_with("/var/lib/apt/lists")) lists_removed = true;
      }
    }
  }
  bool cached =
      s.HasCacheMount("/var/lib/apt") || s.HasCacheMount("/var/cache/apt");
  bool installs = false;
  const Command* last_apt = nullptr;
  for (const Command& c : s.commands) {
    if (c.name == "apt") {
      std::string_view sub = c.Subcommand();
      if (sub == "install" || sub == "update" || sub == "upgrade" ||
          sub == "remove" || sub == "full-upgrade" || sub == "dist-upgrade") {
        ctx.Report("CL3005", ctx.WordSpan(s, c, c.shell->words.front()),
                   "Use apt-get or apt-cache instead of apt in scripts");
      }
    }
    if (c.name != "apt-get" && c.name != "apt") continue;
    std::string_view sub = c.Subcommand();
    if (sub == "upgrade" || sub == "dist-upgrade") {
      ctx.Report("CL3006", s, fmt::format("Avoid apt-get {}", sub));
    }
    if (sub == "update" || sub == "install") last_apt = &c;
    if (sub != "install") continue;
    installs = true;
    if (!c.HasOption('y', "--yes") && !c.HasOption(0, "--assume-yes") &&
        !c.Has("-qq") && !c.Has("-q=2")) {
      ctx.Report("CL3003", s, "apt-get install without -y waits for input");
    }
    const ShellWord* sub_word = nullptr;
    for (const ShellWord* w : c.args) {
      if (w->value == "install") {
        sub_word = w;
        break;
      }
    }
    if (!c.HasOption(0, "--no-install-recommends") &&
        !c.HasPrefix("-o=APT::Install-Recommends=") &&
        !c.Has("APT::Install-Recommends=false") && c.name == "apt-get") {
      ctx.Report("CL3004", s,
                 "apt-get install without --no-install-recommends");
      if (sub_word) {
        InsertAfter(ctx, s, c, *sub_word, "CL3004", "--no-install-recommends");
      }
    }
    std::vector<std::string> unpinned;
    for (const ShellWord* w :
         c.Operands({"-o", "-t", "-c", "--target-release"})) {
      if (IsPackageName(w->value) && w->value.find('=') == std::string::npos) {
        unpinned.push_back(w->value);
      }
    }
    if (!unpinned.empty()) {
      ctx.Report(
          "CL3001", s,
          fmt::format("Pin versions in apt-get install: {}", Join(unpinned)));
    }
  }
  if (installs && !lists_removed && !cached && ctx.Ships(s.stage)) {
    ctx.Report("CL3002", s,
               "apt lists stay in the layer: remove /var/lib/apt/lists/* in "
               "the same RUN");
    if (last_apt != nullptr)
      AppendToRun(ctx, s, "CL3002", "rm -rf /var/lib/apt/lists/*");
  }
}

void CheckApk(Context& ctx, const Step& s) {
  bool cached =
      s.HasCacheMount("/var/cache/apk") || s.HasCacheMount("/etc/apk/cache");
  for (const Command& c : s.commands) {
    if (c.name != "apk") continue;
    std::string_view sub = c.Subcommand();
    if (sub == "upgrade") ctx.Report("CL3009", s, "Avoid apk upgrade");
    if (sub != "add") continue;
    if (!c.HasOption(0, "--no-cache") && !cached) {
      ctx.Report("CL3007", s, "apk add without --no-cache keeps the index");
      for (const ShellWord* w : c.args) {
        if (w->value == "add") {
          InsertAfter(ctx, s, c, *w, "CL3007", "--no-cache");
          break;
        }
      }
    }
    std::vector<std::string> unpinned;
    for (const ShellWord* w :
         c.Operands({"-t", "--virtual", "-X", "--repository", "-p", "--root",
                     "--arch", "--repositories-file"})) {
      const std::string& p = w->value;
      if (IsPackageName(p) && p.find('=') == std::string::npos &&
          p.find('~') == std::string::npos &&
          p.find('>') == std::string::npos &&
          p.find('<') == std::string::npos && !p.starts_with(".")) {
        unpinned.push_back(p);
      }
    }
    if (!unpinned.empty()) {
      ctx.Report("CL3008", s,
                 fmt::format("Pin versions in apk add: {}", Join(unpinned)));
    }
  }
}

bool PipCacheOff(const Context& ctx, const Step& s) {
  if (s.HasCacheMount("/root/.cache")) return true;
  for (const Step* o : ctx.StageSteps(s.stage)) {
    if (o->index >= s.index) break;
    for (const dockerfile::KeyValue& kv : o->ins->pairs) {
      if (kv.key == "PIP_NO_CACHE_DIR") return true;
    }
  }
  return false;
}

void CheckPip(Context& ctx, const Step& s) {
  for (const Command& c : s.commands) {
    if (c.name != "pip" || c.Subcommand() != "install") continue;
    bool env_off = false;
    for (const ShellWord& a : c.shell->assignments) {
      if (a.value.starts_with("PIP_NO_CACHE_DIR=")) env_off = true;
    }
    if (!c.HasOption(0, "--no-cache-dir") && !env_off && !PipCacheOff(ctx, s)) {
      ctx.Report("CL3010", s, "pip install without --no-cache-dir");
      for (const ShellWord* w : c.args) {
        if (w->value == "install") {
          InsertAfter(ctx, s, c, *w, "CL3010", "--no-cache-dir");
          break;
        }
      }
    }
    if (c.HasOption('r', "--requirement") || c.HasOption('c', "--constraint")) {
      continue;
    }
    bool upgrade_self = c.HasOption('U', "--upgrade");
    std::vector<std::string> unpinned;
    for (const ShellWord* w :
         c.Operands({"-i", "--index-url", "--extra-index-url", "-f",
                     "--find-links", "-t", "--target", "--prefix", "--root",
                     "--trusted-host", "-e", "--editable", "--platform",
                     "--python-version", "--implementation", "--abi"})) {
      std::string p = w->value;
      if (!IsPackageName(p) || p.starts_with("git+")) continue;
      if (upgrade_self && (p == "pip" || p == "setuptools" || p == "wheel")) {
        continue;
      }
      if (p.find_first_of("=<>~!@") == std::string::npos) {
        unpinned.push_back(p);
      }
    }
    if (!unpinned.empty()) {
      ctx.Report(
          "CL3011", s,
          fmt::format("Pin versions in pip install: {}", Join(unpinned)));
    }
  }
}

// Whether the build has a lockfile for npm: named in a COPY, or present in
// the build context.
bool HasNpmLock(const Context& ctx) {
  for (const Step& s : ctx.steps) {
    if (s.ins->kind != Kind::kCopy && s.ins->kind != Kind::kAdd) continue;
    for (const dockerfile::Word& w : s.ins->args) {
      if (w.text.find("package-lock.json") != std::string::npos ||
          w.text.find("npm-shrinkwrap.json") != std::string::npos ||
          w.text == "package*.json") {
        return true;
      }
    }
  }
  return ctx.ContextHas("package-lock.json") ||
         ctx.ContextHas("npm-shrinkwrap.json");
}

bool NodeEnvProduction(const Context& ctx, const Step& s, const Command& c) {
  for (const ShellWord& a : c.shell->assignments) {
    if (a.value == "NODE_ENV=production") return true;
  }
  for (const Step* o : ctx.StageSteps(s.stage)) {
    if (o->index >= s.index) break;
    for (const dockerfile::KeyValue& kv : o->ins->pairs) {
      if (kv.key == "NODE_ENV" &&
          kv.value.find("production") != std::string::npos) {
        return true;
      }
    }
  }
  return false;
}

void CheckNode(Context& ctx, const Step& s, bool lock) {
  bool yarn_clean = false;
  for (const Command& c : s.commands) {
    if (c.name == "yarn" && c.Subcommand() == "cache" && c.Has("clean")) {
      yarn_clean = true;
    }
  }
  for (const Command& c : s.commands) {
    std::string_view sub = c.Subcommand();
    if (c.name == "npm" && (sub == "install" || sub == "i" || sub == "add")) {
      std::vector<const ShellWord*> ops =
          c.Operands({"--prefix", "-w", "--workspace"});
      std::vector<std::string> unpinned;
      for (const ShellWord* w : ops) {
        std::string p = w->value;
        if (!IsLiteral(p) || p.starts_with(".") ||
            p.find("://") != std::string::npos || p.starts_with("git") ||
            p.ends_with(".tgz") || p.starts_with("/")) {
          continue;
        }
        size_t at = p.find('@', p.starts_with("@") ? 1 : 0);
        if (at == std::string::npos) unpinned.push_back(p);
      }
      if (!unpinned.empty()) {
        ctx.Report(
            "CL3012", s,
            fmt::format("Pin versions in npm install: {}", Join(unpinned)));
      }
      if (ops.empty() && lock) {
        ctx.Report("CL3013", s,
                   "npm install with a lockfile present: use npm ci");
        for (const ShellWord* w : c.args) {
          if (w->value == sub && w->end > w->begin && !s.ins->json) {
            ctx.AddEdit("CL3013", ctx.ScriptOffset(s, c, w->begin),
                        ctx.ScriptOffset(s, c, w->end - 1) + 1, "ci");
            break;
          }
        }
      }
    }
    bool whole_install =
        (c.name == "npm" && (sub == "ci" || ((sub == "install" || sub == "i") &&
                                             c.Operands({}).empty()))) ||
        (c.name == "yarn" && (sub.empty() || sub == "install")) ||
        (c.name == "pnpm" && sub == "install");
    if (whole_install && int(s.stage) == ctx.final_stage() &&
        !c.HasPrefix("--omit=dev") && !c.HasPrefix("--only=prod") &&
        !c.HasPrefix("--production") && !c.Has("--prod") && !c.Has("-P") &&
        !NodeEnvProduction(ctx, s, c)) {
      ctx.Report("CL3014", s,
                 fmt::format("{} {} in the final stage installs development "
                             "dependencies; add --omit=dev",
                             c.name, sub.empty() ? "install" : sub));
    }
    if (c.name == "yarn" && (sub.empty() || sub == "install") && !yarn_clean &&
        !s.HasCacheMount("/usr/local/share/.cache/yarn") &&
        !s.HasCacheMount("/root/.cache/yarn") && ctx.Ships(s.stage)) {
      ctx.Report("CL3015", s, "yarn install without yarn cache clean");
    }
  }
}

// yum, dnf, microdnf, zypper: -y, update, clean, pins.
void CheckRpm(Context& ctx, const Step& s) {
  struct Tool {
    const char* name;
    const char* yes_rule;
    const char* update_rule;
    const char* clean_rule;
    const char* pin_rule;
  };
  static constexpr Tool kTools[] = {
      {"yum", "CL3017", "CL3018", "CL3019", "CL3020"},
      {"dnf", "CL3025", "CL3026", "CL3027", "CL3028"},
      {"microdnf", "CL3025", "CL3026", "CL3027", "CL3028"},
      {"zypper", "CL3021", "CL3022", "CL3023", "CL3024"},
  };
  for (const Tool& t : kTools) {
    bool used = false, cleaned = false;
    for (const Command& c : s.commands) {
      if (c.name == t.name && c.Subcommand() == "clean") cleaned = true;
      if (c.name == "rm") {
        for (const ShellWord* w : c.args) {
          if (w->value.starts_with("/var/cache/")) cleaned = true;
        }
      }
    }
    bool cache_mount = s.HasCacheMount("/var/cache");
    for (const Command& c : s.commands) {
      if (c.name != t.name) continue;
      std::string_view sub = c.Subcommand();
      bool zypper = c.name == std::string_view("zypper");
      bool install = sub == "install" || (zypper && sub == "in");
      if (sub == "update" || sub == "upgrade" || sub == "dist-upgrade" ||
          (zypper && (sub == "up" || sub == "dup"))) {
        ctx.Report(t.update_rule, s, fmt::format("Avoid {} {}", c.name, sub));
      }
      if (!install) continue;
      used = true;
      bool yes = zypper ? (c.HasOption('n', "--non-interactive") ||
                           c.HasOption('y', "--no-confirm"))
                        : (c.HasOption('y', "--assumeyes") ||
                           c.name == std::string_view("microdnf"));
      if (!yes) {
        ctx.Report(
            t.yes_rule, s,
            fmt::format("{} install without {}", c.name, zypper ? "-n" : "-y"));
      }
      std::vector<std::string> unpinned;
      for (const ShellWord* w :
           c.Operands({"--setopt", "--enablerepo", "--disablerepo", "--repo",
                       "--installroot", "--releasever", "-r"})) {
        const std::string& p = w->value;
        if (!IsPackageName(p) || p.starts_with("@")) continue;
        bool pinned;
        if (zypper) {
          pinned = p.find_first_of("=<>") != std::string::npos;
        } else {
          size_t dash = p.rfind('-');
          pinned = dash != std::string::npos && dash + 1 < p.size() &&
                   std::isdigit(uint8_t(p[dash + 1]));
        }
        if (!pinned) unpinned.push_back(p);
      }
      if (!unpinned.empty()) {
        ctx.Report(t.pin_rule, s,
                   fmt::format("Pin versions in {} install: {}", c.name,
                               Join(unpinned)));
      }
    }
    if (used && !cleaned && !cache_mount && ctx.Ships(s.stage)) {
      ctx.Report(
          t.clean_rule, s,
          fmt::format("{} install without {} clean{}", t.name, t.name,
                      std::string_view(t.name) == "zypper" ? "" : " all"));
    }
  }
}

void CheckOtherInstallers(Context& ctx, const Step& s) {
  for (const Command& c : s.commands) {
    std::string_view sub = c.Subcommand();
    if (c.name == "gem" && (sub == "install" || sub == "i")) {
      if (c.HasOption('v', "--version")) continue;
      std::vector<std::string> unpinned;
      for (const ShellWord* w :
           c.Operands({"-i", "--install-dir", "-n", "--bindir", "--source"})) {
        if (IsPackageName(w->value) &&
            w->value.find(':') == std::string::npos) {
          unpinned.push_back(w->value);
        }
      }
      if (!unpinned.empty()) {
        ctx.Report(
            "CL3016", s,
            fmt::format("Pin versions in gem install: {}", Join(unpinned)));
      }
    }
    if (c.name == "go" && sub == "install") {
      for (const ShellWord* w : c.Operands({"-ldflags", "-tags", "-o"})) {
        if (IsLiteral(w->value) && w->value.find('@') == std::string::npos &&
            !w->value.starts_with(".")) {
          ctx.Report("CL3029", s,
                     fmt::format("Pin the version: go install {}@<version>",
                                 w->value));
          break;
        }
      }
    }
  }
}

// Docs and man pages from apt/dnf/yum in the final stage.
void CheckDocs(Context& ctx) {
  int final = ctx.final_stage();
  if (final < 0) return;
  bool excluded = false;
  const Step* installer = nullptr;
  for (const Step& s : ctx.steps) {
    if (!ctx.Ships(s.stage)) continue;
    for (const Command& c : s.commands) {
      if (c.name == "rm" || c.name == "echo" || c.name == "printf" ||
          c.name == "tee") {
        for (const ShellWord* w : c.args) {
          if (w->value.find("/usr/share/doc") != std::string::npos ||
              w->value.find("/usr/share/man") != std::string::npos) {
            excluded = true;
          }
        }
      }
      for (const ShellWord& r : c.shell->redirects) {
        if (r.value.find("dpkg.cfg.d") != std::string::npos) excluded = true;
      }
      if (c.HasOption(0, "--nodocs") ||
          c.HasPrefix("--setopt=tsflags=nodocs") || c.Has("tsflags=nodocs")) {
        excluded = true;
      }
      bool installs =
          ((c.name == "apt-get" || c.name == "apt") &&
           c.Subcommand() == "install") ||
          ((c.name == "dnf" || c.name == "yum" || c.name == "microdnf") &&
           c.Subcommand() == "install");
      if (installs && installer == nullptr) installer = &s;
    }
    for (const dockerfile::Heredoc& h : s.ins->heredocs) {
      if (h.content.find("path-exclude") != std::string::npos) excluded = true;
    }
    if (s.ins->kind == Kind::kCopy || s.ins->kind == Kind::kAdd) {
      for (const dockerfile::Word& w : s.ins->args) {
        if (w.text.find("dpkg.cfg.d") != std::string::npos) excluded = true;
      }
    }
  }
  if (installer != nullptr && !excluded) {
    ctx.Report("CL3030", *installer,
               "Packages installed in the final image keep their docs and "
               "man pages");
  }
}

}  // namespace

void CheckPackages(Context& ctx) {
  bool lock = HasNpmLock(ctx);
  for (const Step& s : ctx.steps) {
    if (s.commands.empty()) continue;
    CheckApt(ctx, s);
    CheckApk(ctx, s);
    CheckPip(ctx, s);
    CheckNode(ctx, s, lock);
    CheckRpm(ctx, s);
    CheckOtherInstallers(ctx, s);
  }
  CheckDocs(ctx);
}

}  // namespace cinch::lint
