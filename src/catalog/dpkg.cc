#include "catalog/dpkg.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "catalog/license.h"
#include "catalog/purl.h"

namespace cinch {
namespace {

constexpr std::string_view kStatusPath = "var/lib/dpkg/status";
constexpr std::string_view kStatusDir = "var/lib/dpkg/status.d/";
constexpr std::string_view kInfoDir = "var/lib/dpkg/info/";
constexpr std::string_view kDocDir = "usr/share/doc/";
constexpr std::string_view kCommonLicenses = "/usr/share/common-licenses/";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

bool HasNoSlash(std::string_view s) {
  return !s.empty() && s.find('/') == std::string_view::npos;
}

// One stanza of a deb-control file: field name -> value, continuation
// lines joined with '\n'.
using Stanza = std::map<std::string, std::string, std::less<>>;

// Splits control text into stanzas. Calls `on_stanza(stanza, first_line)`
// for each; malformed lines are reported through `problems`.
template <typename F>
void ForEachStanza(std::string_view text, std::vector<std::string>& problems,
                   F on_stanza) {
  Stanza stanza;
  std::string last_key;
  size_t line_no = 0;
  size_t first_line = 1;
  auto flush = [&] {
    if (!stanza.empty()) on_stanza(stanza, first_line);
    stanza.clear();
    last_key.clear();
  };
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? "" : text.substr(nl + 1);
    ++line_no;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (Trim(line).empty()) {
      flush();
      first_line = line_no + 1;
      continue;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (last_key.empty()) {
        problems.push_back(
            fmt::format("line {}: continuation without a field", line_no));
        continue;
      }
      stanza[last_key] += '\n';
      stanza[last_key] += Trim(line);
      continue;
    }
    if (line.front() == '#') continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      problems.push_back(fmt::format("line {}: not a field", line_no));
      continue;
    }
    last_key = std::string(line.substr(0, colon));
    stanza[last_key] = std::string(Trim(line.substr(colon + 1)));
  }
  flush();
}

std::string Field(const Stanza& s, std::string_view key) {
  auto it = s.find(key);
  return it == s.end() ? "" : it->second;
}

// Names in a relationship field: "a (>= 1), b | c:any" gives a, b, c.
std::vector<std::string> RelationNames(std::string_view field) {
  std::vector<std::string> names;
  size_t start = 0;
  while (start < field.size()) {
    size_t end = field.find_first_of(",|", start);
    if (end == std::string_view::npos) end = field.size();
    std::string_view part = Trim(field.substr(start, end - start));
    size_t stop = part.find_first_of(" (:[<\n\t");
    std::string_view name = part.substr(0, stop);
    if (!name.empty()) names.emplace_back(name);
    start = end + 1;
  }
  return names;
}

bool IsInstalled(const Stanza& s) {
  auto it = s.find("Status");
  if (it == s.end()) return true;
  // "want flag state"; the state is the last word.
  std::string_view status = Trim(it->second);
  std::string_view state = status.substr(status.rfind(' ') + 1);
  return state == "installed" || state == "triggers-pending" ||
         state == "triggers-awaited";
}

Package ToPackage(const Stanza& s) {
  Package p;
  p.type = PackageType::kDeb;
  p.name = Field(s, "Package");
  p.version = Field(s, "Version");
  p.architecture = Field(s, "Architecture");
  std::string source = Field(s, "Source");
  if (!source.empty()) {
    // "glibc (2.36-9+deb12u4)": the source version differs from the
    // binary's (binNMUs, version-bumped binaries).
    size_t paren = source.find('(');
    p.source_name =
        std::string(Trim(std::string_view(source).substr(0, paren)));
    if (paren != std::string::npos) {
      size_t close = source.find(')', paren);
      p.source_version = std::string(
          Trim(std::string_view(source).substr(paren + 1, close - paren - 1)));
    }
    if (p.source_version.empty()) p.source_version = p.version;
  }
  for (const char* key : {"Pre-Depends", "Depends"}) {
    for (std::string& name : RelationNames(Field(s, key))) {
      p.depends_on.push_back(std::move(name));
    }
  }
  return p;
}

}  // namespace

DpkgStatus ParseDpkgStatus(std::string_view text) {
  DpkgStatus status;
  ForEachStanza(text, status.problems, [&](const Stanza& s, size_t line) {
    std::string name = Field(s, "Package");
    if (name.empty()) {
      status.problems.push_back(
          fmt::format("line {}: stanza without Package", line));
      return;
    }
    if (!IsInstalled(s)) return;
    DpkgEntry e;
    e.package = ToPackage(s);
    if (e.package.version.empty()) {
      status.problems.push_back(
          fmt::format("line {}: package {} has no Version", line, name));
      return;
    }
    e.provides = RelationNames(Field(s, "Provides"));
    status.entries.push_back(std::move(e));
  });
  return status;
}

std::vector<std::string> ParseDpkgFileList(std::string_view text) {
  std::vector<std::string> files;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = Trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? "" : text.substr(nl + 1);
    std::string path = TreePath(line);
    if (!path.empty()) files.push_back(std::move(path));
  }
  return files;
}

std::vector<std::string> ParseDpkgMd5sums(std::string_view text) {
  std::vector<std::string> files;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? "" : text.substr(nl + 1);
    size_t space = line.find(' ');
    if (space == std::string_view::npos) continue;
    std::string path = TreePath(Trim(line.substr(space)));
    if (!path.empty()) files.push_back(std::move(path));
  }
  return files;
}

std::vector<std::string> ParseDebianCopyright(std::string_view text) {
  std::set<std::string> licenses;
  std::string_view first = Trim(text.substr(0, text.find('\n')));
  bool machine_readable =
      first.starts_with("Format:") &&
      (first.find("copyright-format") != std::string_view::npos ||
       first.find("dep5") != std::string_view::npos ||
       first.find("DEP-5") != std::string_view::npos);
  if (machine_readable) {
    std::vector<std::string> ignored;
    ForEachStanza(text, ignored, [&](const Stanza& s, size_t) {
      std::string value = Field(s, "License");
      // The first line is the short name; the rest is the licence text.
      std::string_view name =
          Trim(std::string_view(value).substr(0, value.find('\n')));
      if (!name.empty()) licenses.insert(NormalizeLicense(name));
    });
  } else {
    for (size_t at = text.find(kCommonLicenses); at != std::string_view::npos;
         at = text.find(kCommonLicenses, at + 1)) {
      std::string_view rest = text.substr(at + kCommonLicenses.size());
      size_t end = 0;
      while (end < rest.size() &&
             (std::isalnum(static_cast<unsigned char>(rest[end])) ||
              rest[end] == '-' || rest[end] == '.' || rest[end] == '+')) {
        ++end;
      }
      std::string_view name = rest.substr(0, end);
      while (name.ends_with('.')) name.remove_suffix(1);
      if (!name.empty()) licenses.insert(NormalizeLicense(name));
    }
  }
  return {licenses.begin(), licenses.end()};
}

DpkgCataloger::DpkgCataloger(size_t layer_count)
    : FileCataloger(layer_count), layers_(layer_count) {}

bool DpkgCataloger::Wants(const Entry& entry) const {
  std::string_view p = entry.path;
  if (p == kStatusPath) return true;
  if (p.starts_with(kStatusDir)) return HasNoSlash(p.substr(kStatusDir.size()));
  if (p.starts_with(kInfoDir)) {
    return p.ends_with(".list") && HasNoSlash(p.substr(kInfoDir.size()));
  }
  if (p.starts_with(kDocDir) && p.ends_with("/copyright")) {
    return HasNoSlash(p.substr(kDocDir.size(), p.size() - kDocDir.size() - 10));
  }
  return false;
}

Status DpkgCataloger::Parse(size_t layer, const std::string& path,
                            std::string_view content) {
  LayerState& state = layers_[layer];
  if (path.starts_with(kDocDir)) {
    state.licenses[path] = ParseDebianCopyright(content);
  } else if (path.starts_with(kInfoDir)) {
    state.file_lists[path] = ParseDpkgFileList(content);
  } else if (path.ends_with(".md5sums")) {
    state.file_lists[path] = ParseDpkgMd5sums(content);
  } else {
    DpkgStatus status = ParseDpkgStatus(content);
    for (const std::string& problem : status.problems) {
      AddProblem(layer, {"/" + path, int(layer), problem});
    }
    state.databases[path] = std::move(status.entries);
  }
  return {};
}

void DpkgCataloger::Resolve(CatalogContext& ctx, CatalogOutput& out) {
  TakeProblems(out);
  const FileTree& tree = *ctx.tree;

  // The packages of each visible database, traced to their layers.
  std::set<std::string> db_paths;
  for (const LayerState& l : layers_) {
    for (const auto& [path, entries] : l.databases) db_paths.insert(path);
  }
  std::vector<InstalledPackage> found;
  for (const std::string& path : db_paths) {
    const std::vector<DpkgEntry>* entries =
        VisibleVersion(tree, path, layers_, &LayerState::databases);
    if (entries == nullptr) continue;
    int final_layer = tree.nodes().find(path)->second.modified_layer;
    for (const DpkgEntry& e : *entries) {
      auto state = [&](int j) -> std::optional<bool> {
        auto it = layers_[size_t(j)].databases.find(path);
        if (it == layers_[size_t(j)].databases.end()) return std::nullopt;
        for (const DpkgEntry& old : it->second) {
          if (old.package.name == e.package.name &&
              old.package.architecture == e.package.architecture &&
              old.package.version == e.package.version) {
            return true;
          }
        }
        return false;
      };
      InstalledPackage f;
      f.package = e.package;
      f.provides = e.provides;
      f.db_path = path;
      f.layer = IntroducingLayer(*ctx.deletions, path, final_layer, state);
      found.push_back(std::move(f));
    }
  }

  // Installed files and licences.
  for (InstalledPackage& f : found) {
    const Package& p = f.package;
    std::vector<std::string> lists;
    if (f.db_path == kStatusPath) {
      lists = {std::string(kInfoDir) + p.name + ":" + p.architecture + ".list",
               std::string(kInfoDir) + p.name + ".list"};
    } else {
      lists = {f.db_path + ".md5sums"};
    }
    for (const std::string& list : lists) {
      if (auto* files =
              VisibleVersion(tree, list, layers_, &LayerState::file_lists)) {
        f.files = *files;
        break;
      }
    }
    std::string copyright = std::string(kDocDir) + p.name + "/copyright";
    if (auto* licenses =
            VisibleVersion(tree, copyright, layers_, &LayerState::licenses)) {
      f.package.licenses = *licenses;
    }
  }
  FinishInstalled(ctx, name(), std::move(found), out);
}

}  // namespace cinch
