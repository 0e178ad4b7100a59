#include "catalog/apk.h"

#include <cctype>

#include "catalog/license.h"

namespace cinch {
namespace {

constexpr std::string_view kInstalledPath = "lib/apk/db/installed";

// "so:libc.musl-x86_64.so.1=1" -> "so:libc.musl-x86_64.so.1";
// "musl>=1.2" -> "musl"; "!conflict" -> "".
std::string CapabilityName(std::string_view token) {
  if (token.starts_with('!')) return "";
  size_t stop = token.find_first_of("=<>~");
  return std::string(token.substr(0, stop));
}

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) words.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

// apk licences are space-separated SPDX-ish names ("MIT BSD-2-Clause") or
// an expression ("MIT AND BSD-2-Clause").
std::vector<std::string> ApkLicenses(std::string_view text) {
  std::string normalized = NormalizeLicense(text);
  if (IsSpdxExpression(normalized)) return {normalized};
  std::vector<std::string> out;
  for (const std::string& w : Words(text)) out.push_back(NormalizeLicense(w));
  return out;
}

}  // namespace

ApkDatabase ParseApkInstalled(std::string_view text) {
  ApkDatabase db;
  InstalledPackage current;
  std::string dir;
  size_t line_no = 0;
  size_t record_line = 1;
  auto flush = [&] {
    Package& p = current.package;
    if (!p.name.empty() && !p.version.empty()) {
      p.type = PackageType::kApk;
      db.packages.push_back(std::move(current));
    } else if (!p.name.empty() || !current.files.empty()) {
      db.problems.push_back(
          fmt::format("line {}: record without name or version", record_line));
    }
    current = InstalledPackage{};
    dir.clear();
  };
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? "" : text.substr(nl + 1);
    ++line_no;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty()) {
      flush();
      record_line = line_no + 1;
      continue;
    }
    if (line.size() < 2 || line[1] != ':') {
      db.problems.push_back(fmt::format("line {}: not a field", line_no));
      continue;
    }
    std::string_view value = line.substr(2);
    Package& p = current.package;
    switch (line[0]) {
      case 'P':
        p.name = std::string(value);
        break;
      case 'V':
        p.version = std::string(value);
        break;
      case 'A':
        p.architecture = std::string(value);
        break;
      case 'L':
        p.licenses = ApkLicenses(value);
        break;
      case 'o':
        p.source_name = std::string(value);
        break;
      case 'D':
        for (const std::string& w : Words(value)) {
          std::string name = CapabilityName(w);
          if (!name.empty()) p.depends_on.push_back(std::move(name));
        }
        break;
      case 'p':
        for (const std::string& w : Words(value)) {
          std::string name = CapabilityName(w);
          if (!name.empty()) current.provides.push_back(std::move(name));
        }
        break;
      case 'F':
        dir = TreePath(value);
        break;
      case 'R':
        current.files.push_back(dir.empty() ? std::string(value)
                                            : dir + "/" + std::string(value));
        break;
      default:
        break;
    }
  }
  flush();
  for (InstalledPackage& ip : db.packages) {
    // The origin names the source package; its version is the package's.
    if (!ip.package.source_name.empty()) {
      ip.package.source_version = ip.package.version;
    }
  }
  return db;
}

bool ApkCataloger::Wants(const Entry& entry) const {
  return entry.path == kInstalledPath;
}

Status ApkCataloger::Parse(size_t layer, const std::string& path,
                           std::string_view content) {
  ApkDatabase db = ParseApkInstalled(content);
  for (const std::string& problem : db.problems) {
    AddProblem(layer, {"/" + path, int(layer), problem});
  }
  layers_[layer].databases[path] = std::move(db.packages);
  return {};
}

void ApkCataloger::Resolve(CatalogContext& ctx, CatalogOutput& out) {
  TakeProblems(out);
  std::string path(kInstalledPath);
  const auto* entries =
      VisibleVersion(*ctx.tree, path, layers_, &LayerState::databases);
  if (entries == nullptr) return;
  int final_layer = ctx.tree->nodes().find(path)->second.modified_layer;
  std::vector<InstalledPackage> found;
  for (const InstalledPackage& e : *entries) {
    auto state = [&](int j) -> std::optional<bool> {
      auto it = layers_[size_t(j)].databases.find(path);
      if (it == layers_[size_t(j)].databases.end()) return std::nullopt;
      for (const InstalledPackage& old : it->second) {
        if (old.package.name == e.package.name &&
            old.package.version == e.package.version) {
          return true;
        }
      }
      return false;
    };
    InstalledPackage f = e;
    f.db_path = path;
    f.layer = IntroducingLayer(*ctx.deletions, path, final_layer, state);
    found.push_back(std::move(f));
  }
  FinishInstalled(ctx, name(), std::move(found), out);
}

}  // namespace cinch
