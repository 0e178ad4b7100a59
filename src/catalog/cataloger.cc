#include "catalog/cataloger.h"

#include <set>

#include "catalog/purl.h"

namespace cinch {
namespace {

// At most this many symbolic links are followed for one path, as a loop
// guard (Linux allows 40).
constexpr int kMaxLinkHops = 40;

bool IsBelow(std::string_view path, std::string_view dir) {
  if (dir.empty()) return true;
  return path.size() > dir.size() && path.starts_with(dir) &&
         path[dir.size()] == '/';
}

// Joins `base` (a directory) and a relative link target, folding "." and
// "..". Returns the tree form of the result.
std::string JoinLink(std::string_view base, std::string_view target) {
  std::vector<std::string_view> parts;
  auto push = [&](std::string_view text) {
    size_t start = 0;
    while (start <= text.size()) {
      size_t slash = text.find('/', start);
      if (slash == std::string_view::npos) slash = text.size();
      std::string_view part = text.substr(start, slash - start);
      if (part == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!part.empty() && part != ".") {
        parts.push_back(part);
      }
      start = slash + 1;
    }
  };
  if (!target.starts_with('/')) push(base);
  push(target);
  std::string out;
  for (std::string_view p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

class BufferingVisitor : public LayerVisitor {
 public:
  BufferingVisitor(FileCataloger& owner, size_t layer)
      : owner_(owner), layer_(layer) {}

  bool OnEntry(const Entry& entry) override {
    if (entry.type != EntryType::kRegular ||
        entry.whiteout != Whiteout::kNone || !owner_.Wants(entry)) {
      return false;
    }
    if (entry.size > owner_.MaxBytes()) {
      owner_.AddProblem(
          layer_, {"/" + entry.path, int(layer_),
                   fmt::format("skipped: {} bytes is over the {} byte limit",
                               entry.size, owner_.MaxBytes())});
      return false;
    }
    path_ = entry.path;
    content_.clear();
    content_.reserve(entry.size);
    return true;
  }

  void OnData(std::span<const char> chunk) override {
    content_.append(chunk.data(), chunk.size());
  }

  void OnEntryEnd() override {
    if (auto ok = owner_.Parse(layer_, path_, content_); !ok) {
      owner_.AddProblem(layer_, {"/" + path_, int(layer_), ok.error().message});
    }
    content_.clear();
    content_.shrink_to_fit();
  }

 private:
  FileCataloger& owner_;
  size_t layer_;
  std::string path_;
  std::string content_;
};

}  // namespace

void Deletions::Add(size_t layer, std::string target, bool opaque) {
  layers_[layer].push_back({std::move(target), opaque});
}

bool Deletions::DeletedBetween(std::string_view path, int after,
                               int upto) const {
  for (int k = after + 1; k <= upto && k < int(layers_.size()); ++k) {
    if (k < 0) continue;
    for (const Whiteout& w : layers_[size_t(k)]) {
      if (IsBelow(path, w.target)) return true;
      if (!w.opaque && path == w.target) return true;
    }
  }
  return false;
}

namespace {

std::optional<std::string> ResolveWithin(const FileTree& tree,
                                         std::string_view path, int& hops) {
  std::string pending = TreePath(path);
  std::string done;  // resolved prefix, no links in it
  while (!pending.empty()) {
    size_t slash = pending.find('/');
    std::string part = pending.substr(0, slash);
    pending = slash == std::string::npos ? "" : pending.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      size_t up = done.rfind('/');
      done = up == std::string::npos ? "" : done.substr(0, up);
      continue;
    }
    std::string candidate = done.empty() ? part : done + "/" + part;
    auto it = tree.nodes().find(candidate);
    bool visible = it != tree.nodes().end() && it->second.visible();
    // Layers often omit parent directories; a deleted parent took its
    // children with it, so only the last component must be visible.
    if (!visible && pending.empty()) return std::nullopt;
    if (!visible || it->second.type != EntryType::kSymlink) {
      done = std::move(candidate);
      continue;
    }
    const FileNode& node = it->second;
    if (++hops > kMaxLinkHops) return std::nullopt;
    std::string target = JoinLink(done, node.link_target);
    // A link in last place whose target is missing still counts: the
    // package shipped the link.
    if (pending.empty()) {
      std::optional<std::string> resolved = ResolveWithin(tree, target, hops);
      return resolved ? resolved : candidate;
    }
    pending = target + "/" + pending;
    done.clear();
  }
  if (done.empty()) return std::nullopt;
  return done;
}

}  // namespace

std::optional<std::string> ResolveVisible(const FileTree& tree,
                                          std::string_view path) {
  int hops = 0;
  return ResolveWithin(tree, path, hops);
}

const FileNode* FindVisible(const FileTree& tree, std::string_view path) {
  std::optional<std::string> resolved = ResolveVisible(tree, path);
  if (!resolved) return nullptr;
  return &tree.nodes().find(*resolved)->second;
}

bool PathVisible(const FileTree& tree, std::string_view path) {
  return FindVisible(tree, path) != nullptr;
}

std::string TreePath(std::string_view path) {
  while (path.starts_with("./") || path.starts_with('/')) {
    path.remove_prefix(path.starts_with('/') ? 1 : 2);
  }
  while (path.ends_with('/')) path.remove_suffix(1);
  if (path == ".") return "";
  return std::string(path);
}

int IntroducingLayer(const Deletions& deletions, std::string_view path,
                     int final_layer,
                     const std::function<std::optional<bool>(int)>& state) {
  int layer = final_layer;
  for (int j = final_layer - 1; j >= 0; --j) {
    std::optional<bool> present = state(j);
    if (!present) continue;
    if (!*present || deletions.DeletedBetween(path, j, layer)) break;
    layer = j;
  }
  return layer;
}

std::unique_ptr<LayerVisitor> FileCataloger::NewLayerVisitor(
    const Layer& layer) {
  return std::make_unique<BufferingVisitor>(*this, layer.index);
}

void FileCataloger::TakeProblems(CatalogOutput& out) {
  for (auto& layer : problems_) {
    for (auto& p : layer) out.problems.push_back(std::move(p));
    layer.clear();
  }
}

Status ManifestCataloger::Parse(size_t layer, const std::string& path,
                                std::string_view content) {
  CINCH_ASSIGN(auto packages, ParseManifest(path, content));
  declared_.Add(layer, path, std::move(packages));
  return {};
}

void ManifestCataloger::Resolve(CatalogContext& ctx, CatalogOutput& out) {
  TakeProblems(out);
  declared_.Resolve(ctx, name(), out);
}

void DeclaredPackages::Resolve(CatalogContext& ctx, std::string_view found_by,
                               CatalogOutput& out) const {
  std::map<std::string, int> final_layers;
  for (const auto& layer : found_) {
    for (const auto& [path, packages] : layer) {
      auto it = ctx.tree->nodes().find(path);
      if (it == ctx.tree->nodes().end() || !it->second.visible()) continue;
      final_layers[path] = it->second.modified_layer;
    }
  }
  for (const auto& [path, final_layer] : final_layers) {
    if (final_layer < 0 || size_t(final_layer) >= found_.size()) continue;
    auto it = found_[size_t(final_layer)].find(path);
    if (it == found_[size_t(final_layer)].end()) continue;
    for (Package p : it->second) {
      auto state = [&](int j) -> std::optional<bool> {
        auto v = found_[size_t(j)].find(path);
        if (v == found_[size_t(j)].end()) return std::nullopt;
        for (const Package& q : v->second) {
          if (q.name == p.name && q.version == p.version) return true;
        }
        return false;
      };
      int layer = IntroducingLayer(*ctx.deletions, path, final_layer, state);
      FinishPackage(ctx, found_by, path, layer, p);
      out.packages.push_back(std::move(p));
    }
  }
}

void FinishPackage(const CatalogContext& ctx, std::string_view found_by,
                   std::string_view path, int layer, Package& p) {
  p.layer = layer;
  if (p.found_by.empty()) p.found_by = std::string(found_by);
  p.locations.push_back("/" + std::string(path));
  if (p.purl.empty()) p.purl = MakePurl(p, ctx.distro);
  if (p.owned_by.empty()) {
    auto owner = ctx.owned_files.find(std::string(path));
    if (owner != ctx.owned_files.end()) p.owned_by = owner->second;
  }
}

namespace {

// Whether a package with these installed files is still present: true
// unless at least one of them is gone and none that is not a directory
// is still visible.
bool StillPresent(const FileTree& tree, const std::vector<std::string>& files) {
  bool something_missing = false;
  for (const std::string& f : files) {
    const FileNode* node = FindVisible(tree, f);
    if (node == nullptr) {
      something_missing = true;
    } else if (node->type != EntryType::kDirectory) {
      return true;
    }
  }
  return !something_missing;
}

}  // namespace

void FinishInstalled(CatalogContext& ctx, std::string_view found_by,
                     std::vector<InstalledPackage> found, CatalogOutput& out) {
  std::map<std::string, std::vector<std::string>> purls_by_name;
  std::vector<Package> packages;
  for (InstalledPackage& f : found) {
    if (!StillPresent(*ctx.tree, f.files)) continue;
    Package& p = f.package;
    FinishPackage(ctx, found_by, f.db_path, f.layer, p);
    for (const std::string& file : f.files) ctx.owned_files[file] = p.purl;
    purls_by_name[p.name].push_back(p.purl);
    for (const std::string& virt : f.provides) {
      purls_by_name[virt].push_back(p.purl);
    }
    packages.push_back(std::move(p));
  }

  // Uninstalled alternatives and unknown capabilities drop out.
  for (Package& p : packages) {
    std::set<std::string> deps;
    for (const std::string& dep : p.depends_on) {
      auto it = purls_by_name.find(dep);
      if (it == purls_by_name.end()) continue;
      for (const std::string& purl : it->second) {
        if (purl != p.purl) deps.insert(purl);
      }
    }
    p.depends_on.assign(deps.begin(), deps.end());
    out.packages.push_back(std::move(p));
  }
}

}  // namespace cinch
