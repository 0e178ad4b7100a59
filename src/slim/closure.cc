#include "slim/closure.h"

#include <algorithm>
#include <regex>

#include "analyze/bloat.h"

namespace cinch::slim {
namespace {

constexpr int kMaxSymlinks = 40;  // as Linux's path walk
// How much of an ELF file a second scan keeps whole to read its names.
constexpr uint64_t kMaxElfHeadBytes = 64 << 20;
constexpr int kMaxDepth = 64;
constexpr uint16_t kEmX8664 = 62, kEmAarch64 = 183;
constexpr std::string_view kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) parts.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

std::string Dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

std::string Basename(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool IsFile(const Node& n) {
  return n.entry.type == EntryType::kRegular ||
         n.entry.type == EntryType::kHardlink;
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace

std::optional<std::string> ClosureFinder::Resolve(
    std::string_view path, std::set<std::string>* crossed) const {
  std::vector<std::string> todo = Split(path, '/');
  std::reverse(todo.begin(), todo.end());
  std::vector<std::string> cur;
  int hops = 0;
  while (!todo.empty()) {
    std::string comp = std::move(todo.back());
    todo.pop_back();
    if (comp == ".") continue;
    if (comp == "..") {
      if (!cur.empty()) cur.pop_back();
      continue;
    }
    cur.push_back(comp);
    std::string joined = Join(cur);
    auto it = tree_.find(joined);
    if (it == tree_.end()) {
      // A directory a layer never stated, implied by paths below it.
      auto below = tree_.lower_bound(joined + "/");
      if (below == tree_.end() || !below->first.starts_with(joined + "/")) {
        return std::nullopt;
      }
      continue;
    }
    const Entry& e = it->second.entry;
    if (e.type == EntryType::kSymlink) {
      if (++hops > kMaxSymlinks) return std::nullopt;
      if (crossed != nullptr) crossed->insert(joined);
      cur.pop_back();
      if (e.link_target.starts_with('/')) cur.clear();
      std::vector<std::string> target = Split(e.link_target, '/');
      todo.insert(todo.end(), target.rbegin(), target.rend());
    } else if (!todo.empty() && e.type != EntryType::kDirectory) {
      return std::nullopt;
    }
  }
  return Join(cur);
}

std::vector<std::string> ClosureFinder::EnvPath(std::string_view name) const {
  for (const std::string& kv : config_.env) {
    if (kv.size() > name.size() && kv.starts_with(name) &&
        kv[name.size()] == '=') {
      return Split(std::string_view(kv).substr(name.size() + 1), ':');
    }
  }
  if (name == "PATH") return Split(kDefaultPath, ':');
  return {};
}

std::optional<std::string> ClosureFinder::FindProgram(
    const std::string& name, std::set<std::string>* crossed) const {
  std::vector<std::string> candidates;
  if (name.find('/') != std::string::npos) {
    candidates.push_back(
        name.starts_with('/') ? name : config_.working_dir + "/" + name);
  } else {
    for (const std::string& dir : EnvPath("PATH")) {
      candidates.push_back(dir + "/" + name);
    }
  }
  for (const std::string& c : candidates) {
    std::set<std::string> links;
    auto r = Resolve(c, &links);
    if (!r) continue;
    auto it = tree_.find(*r);
    if (it != tree_.end() && IsFile(it->second) &&
        (it->second.entry.mode & 0111) != 0) {
      if (crossed != nullptr) crossed->insert(links.begin(), links.end());
      return r;
    }
  }
  return std::nullopt;
}

std::string ClosureFinder::Head(const std::string& path, size_t bytes) const {
  auto it = tree_.find(path);
  if (it == tree_.end()) return "";
  std::string out;
  (void)spool_.Copy(it->second, [&](std::span<const char> b) -> Status {
    out.append(b.data(), std::min(b.size(), bytes - out.size()));
    if (out.size() >= bytes) return Fail("enough");
    return {};
  });
  return out;
}

std::optional<harden::ElfInfo> ClosureFinder::Elf(const std::string& path) {
  if (auto c = elf_cache_.find(path); c != elf_cache_.end()) return c->second;
  std::optional<harden::ElfInfo> result;
  auto it = tree_.find(path);
  if (it != tree_.end() && IsFile(it->second) && it->second.entry.size >= 64) {
    auto scan = [&](size_t head) -> std::optional<harden::ElfInfo> {
      harden::ElfScanner scanner(it->second.entry.size, head);
      (void)spool_.Copy(it->second, [&](std::span<const char> b) -> Status {
        scanner.Feed(b);
        if (scanner.rejected()) return Fail("not ELF");
        return {};
      });
      if (!scanner.is_elf()) return std::nullopt;
      return scanner.Finish();
    };
    result = scan(harden::ElfScanner::kHeadBytes);
    // The names of a large library's dynamic string table (libcrypto's)
    // may lie past the usual head: the spool can be read again, whole.
    if (result && !result->is_static && !result->dynamic_known &&
        it->second.entry.size > harden::ElfScanner::kHeadBytes) {
      result = scan(
          size_t(std::min<uint64_t>(it->second.entry.size, kMaxElfHeadBytes)));
    }
  }
  elf_cache_[path] = result;
  return result;
}

void ClosureFinder::Missing(std::string what) {
  (lenient_ > 0 ? warnings_ : missing_).push_back(std::move(what));
}

void ClosureFinder::FindEntrypoint(bool with_runtime) {
  with_runtime_ = with_runtime;
  std::vector<std::string> command = config_.entrypoint;
  command.insert(command.end(), config_.cmd.begin(), config_.cmd.end());
  if (command.empty()) return;

  std::set<std::string> crossed;
  auto program = FindProgram(command[0], &crossed);
  if (!program) {
    Missing(fmt::format("{} (the entrypoint, not found in PATH)", command[0]));
    return;
  }
  program_ = *program;
  closure_.insert(crossed.begin(), crossed.end());
  AddFile(program_, 0);
  if (with_runtime_) AddRuntime(program_);

  // Arguments that name files are the application: keep them.
  for (size_t i = 1; i < command.size(); ++i) {
    const std::string& arg = command[i];
    if (arg.empty() || arg.starts_with('-')) continue;
    std::string path =
        arg.starts_with('/') ? arg : config_.working_dir + "/" + arg;
    if (Resolve(path, nullptr)) AddPath(path);
  }
  if (with_runtime_ && !config_.working_dir.empty() &&
      Trim(config_.working_dir) != "/") {
    AddIfPresent(config_.working_dir);
  }
}

void ClosureFinder::AddIfPresent(const std::string& path) {
  if (Resolve(path, nullptr)) AddPath(path);
}

void ClosureFinder::AddPath(const std::string& path) {
  std::set<std::string> crossed;
  auto r = Resolve(path, &crossed);
  closure_.insert(crossed.begin(), crossed.end());
  if (!r) {
    Missing(fmt::format("{} (not in the image)", path));
    return;
  }
  auto it = tree_.find(*r);
  if (it == tree_.end() || it->second.entry.type == EntryType::kDirectory) {
    if (r->empty()) return;  // the root: keep nothing wholesale
    AddTree(*r);
  } else {
    AddFile(*r, 0);
  }
}

void ClosureFinder::AddTree(const std::string& dir) {
  if (!visited_.insert(dir + "/").second) return;
  closure_.insert(dir);
  std::string prefix = dir + "/";
  std::vector<std::string> files, links;
  for (auto it = tree_.lower_bound(prefix);
       it != tree_.end() && it->first.starts_with(prefix); ++it) {
    closure_.insert(it->first);
    if (IsFile(it->second)) files.push_back(it->first);
    if (it->second.entry.type == EntryType::kSymlink) {
      links.push_back(it->first);
    }
  }
  // Files in a kept tree are kept whatever they need: a stdlib script
  // naming an absent interpreter is a doubt, not a failure.
  ++lenient_;
  for (const std::string& f : files) AddFile(f, 1);
  --lenient_;
  // A symlink out of a kept tree (a JDK's conf/ into etc/) keeps its target.
  for (const std::string& l : links) {
    if (Resolve(l, nullptr)) AddPath(l);
  }
}

void ClosureFinder::AddFile(const std::string& path, int depth) {
  if (depth > kMaxDepth || !visited_.insert(path).second) return;
  closure_.insert(path);
  auto it = tree_.find(path);
  if (it == tree_.end() || !IsFile(it->second)) return;
  if (auto elf = Elf(path)) {
    AddElf(path, *elf, depth);
    return;
  }
  std::string head = Head(path, 256);
  if (!head.starts_with("#!")) return;

  // "#!INTERPRETER [ARG]"; "/usr/bin/env NAME" looks NAME up in PATH.
  std::string line = Trim(head.substr(2, head.find('\n') - 2));
  std::vector<std::string> words = Split(line, ' ');
  if (words.empty()) return;
  std::set<std::string> crossed;
  auto interpreter = Resolve(words[0], &crossed);
  closure_.insert(crossed.begin(), crossed.end());
  if (!interpreter) {
    Missing(fmt::format("{} (the #! interpreter of {})", words[0], path));
    return;
  }
  AddFile(*interpreter, depth + 1);
  if (Basename(*interpreter) == "env" && words.size() > 1) {
    std::set<std::string> via;
    auto program = FindProgram(words[1], &via);
    if (!program) {
      Missing(fmt::format("{} (run by {})", words[1], path));
      return;
    }
    closure_.insert(via.begin(), via.end());
    interpreter = program;
    AddFile(*interpreter, depth + 1);
  }
  if (with_runtime_) AddRuntime(*interpreter);
}

void ClosureFinder::AddElf(const std::string& path, const harden::ElfInfo& info,
                           int depth) {
  if (!info.interpreter.empty()) {
    std::set<std::string> crossed;
    auto r = Resolve(info.interpreter, &crossed);
    closure_.insert(crossed.begin(), crossed.end());
    if (!r) {
      Missing(fmt::format("{} (the ELF interpreter of {})", info.interpreter,
                          path));
    } else {
      AddFile(*r, depth + 1);
    }
  }
  if (!info.is_static && !info.dynamic_known) {
    warnings_.push_back(fmt::format(
        "{}: the dynamic section could not be read; its libraries are "
        "not checked",
        path));
  }
  for (const std::string& name : info.needed) {
    auto lib = FindLibrary(name, path, info);
    if (!lib) {
      Missing(fmt::format("{} (needed by {})", name, path));
      continue;
    }
    AddFile(*lib, depth + 1);
  }
}

std::optional<std::string> ClosureFinder::FindLibrary(
    const std::string& name, const std::string& loader,
    const harden::ElfInfo& info) {
  std::vector<std::string> dirs;
  if (name.find('/') != std::string::npos) {
    dirs.push_back("");
  } else {
    if (info.runpath.empty()) dirs = info.rpath;
    for (const std::string& d : EnvPath("LD_LIBRARY_PATH")) dirs.push_back(d);
    dirs.insert(dirs.end(), info.runpath.begin(), info.runpath.end());
    const auto& conf = LdSoConfDirs();
    dirs.insert(dirs.end(), conf.begin(), conf.end());
    std::string triplet = info.machine == kEmX8664     ? "x86_64-linux-gnu"
                          : info.machine == kEmAarch64 ? "aarch64-linux-gnu"
                                                       : "";
    if (!triplet.empty()) {
      dirs.push_back("/lib/" + triplet);
      dirs.push_back("/usr/lib/" + triplet);
    }
    if (info.is_64) {
      dirs.push_back("/lib64");
      dirs.push_back("/usr/lib64");
    }
    dirs.push_back("/lib");
    dirs.push_back("/usr/lib");
  }
  std::string origin = "/" + Dirname(loader);
  for (std::string dir : dirs) {
    for (std::string_view token : {"${ORIGIN}", "$ORIGIN"}) {
      for (size_t at; (at = dir.find(token)) != std::string::npos;) {
        dir.replace(at, token.size(), origin);
      }
    }
    std::string candidate = dir.empty() ? name : dir + "/" + name;
    std::set<std::string> crossed;
    auto r = Resolve(candidate, &crossed);
    if (!r) continue;
    auto elf = Elf(*r);
    if (!elf || elf->is_64 != info.is_64 || elf->machine != info.machine) {
      continue;
    }
    closure_.insert(crossed.begin(), crossed.end());
    return r;
  }
  return std::nullopt;
}

const std::vector<std::string>& ClosureFinder::LdSoConfDirs() {
  if (ld_so_conf_) return *ld_so_conf_;
  ld_so_conf_.emplace();
  std::vector<std::pair<std::string, int>> files = {{"etc/ld.so.conf", 0}};
  std::set<std::string> seen;
  while (!files.empty()) {
    auto [file, depth] = files.back();
    files.pop_back();
    auto r = Resolve(file, nullptr);
    if (!r || !seen.insert(*r).second || depth > 8) continue;
    auto it = tree_.find(*r);
    if (it == tree_.end() || !IsFile(it->second)) continue;
    closure_.insert(*r);
    auto text = spool_.Read(it->second, 1 << 20);
    if (!text) continue;
    std::vector<std::string> includes;
    for (const std::string& raw : Split(*text, '\n')) {
      std::string line = Trim(raw.substr(0, raw.find('#')));
      if (line.empty()) continue;
      if (line.starts_with("include ")) {
        std::string pattern = Trim(line.substr(8));
        if (pattern.starts_with('/'))
          pattern.erase(0, 1);
        else
          pattern = "etc/" + pattern;
        for (const auto& [p, n] : tree_) {
          if (GlobMatch(pattern, p)) includes.push_back(p);
        }
        continue;
      }
      ld_so_conf_->push_back(line);
    }
    // Included files are read in name order, as ldconfig does; the stack
    // wants them reversed.
    std::sort(includes.rbegin(), includes.rend());
    for (const std::string& inc : includes) files.push_back({inc, depth + 1});
  }
  return *ld_so_conf_;
}

void ClosureFinder::AddRuntime(const std::string& program) {
  std::string base = Basename(program);
  static const std::regex kPython("python(3(\\.[0-9]+)?)?");
  if (std::regex_match(base, kPython)) {
    std::string version = base.size() > 7 ? base.substr(6) : "";
    std::set<std::string> dirs;
    for (std::string_view root : {"usr/lib/", "usr/local/lib/"}) {
      for (auto it = tree_.lower_bound(root);
           it != tree_.end() && it->first.starts_with(root); ++it) {
        std::string rest = it->first.substr(root.size());
        std::string name = rest.substr(0, rest.find('/'));
        bool match = version.empty()
                         ? name.starts_with("python3")
                         : (name == "python" + version || name == "python3");
        if (match) dirs.insert(std::string(root) + name);
      }
    }
    for (const std::string& d : dirs) AddTree(d);
    return;
  }
  if (base == "node" || base == "nodejs") {
    for (const char* dir :
         {"usr/lib/nodejs", "usr/share/nodejs", "usr/local/lib/node_modules"}) {
      if (Resolve(dir, nullptr)) AddTree(dir);
    }
    return;
  }
  if (base == "java" && program.find("/bin/java") != std::string::npos) {
    std::string home = Dirname(Dirname(program));
    if (!home.empty()) AddTree(home);
  }
}

}  // namespace cinch::slim
