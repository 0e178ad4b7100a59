// The framework the catalogers share. A cataloger is an Analyzer of the
// single layer walk: its visitors ask only for the paths they need, parse
// them on the layer's thread and keep the results per layer. After the
// walk, Resolve combines the per-layer results with the merged tree: a
// package is reported from the version of its file that is visible in the
// final image, is attributed to the earliest layer from which it stayed
// present without a break, and is dropped when every file it declared or
// installed was deleted by a later layer.
#ifndef CINCH_CATALOG_CATALOGER_H_
#define CINCH_CATALOG_CATALOGER_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "catalog/package.h"
#include "image/source.h"
#include "tree/file_tree.h"
#include "walk/walker.h"

namespace cinch {

// Something a cataloger skipped: which file, in which layer, and why.
struct CatalogProblem {
  std::string path;  // "/var/lib/dpkg/status"
  int layer = -1;
  std::string message;
};

// The whiteouts of every layer, to tell whether a path was deleted between
// two layers (which breaks the chain of versions a package is traced along).
class Deletions {
 public:
  explicit Deletions(size_t layer_count) : layers_(layer_count) {}

  void Add(size_t layer, std::string target, bool opaque);
  // True if a layer in (after, upto] deleted `path` or a directory above it.
  bool DeletedBetween(std::string_view path, int after, int upto) const;

 private:
  struct Whiteout {
    std::string target;
    bool opaque = false;
  };
  std::vector<std::vector<Whiteout>> layers_;
};

// True if `path` (tree form: no leading '/') names a visible node of the
// final tree, following symbolic links in its directories (usrmerge's
// /lib -> usr/lib) and in the last component.
bool PathVisible(const FileTree& tree, std::string_view path);
// The visible node for `path`, following links as PathVisible; null if none.
const FileNode* FindVisible(const FileTree& tree, std::string_view path);
// The tree path FindVisible arrives at: `path` with links resolved (or the
// last link itself when its target is missing); nullopt if not visible.
std::optional<std::string> ResolveVisible(const FileTree& tree,
                                          std::string_view path);

// Tree form of a path from a package database: "/usr/bin/x" or
// "./usr/bin/x" become "usr/bin/x".
std::string TreePath(std::string_view path);

// What catalogers resolved so far, passed along in order: the OS
// catalogers fill `owned_files` before the language catalogers run.
struct CatalogContext {
  const Image* image = nullptr;
  const FileTree* tree = nullptr;
  const Deletions* deletions = nullptr;
  Distro distro;
  // Tree-form path -> purl of the OS package that installed the file.
  std::unordered_map<std::string, std::string> owned_files;
};

struct CatalogOutput {
  std::vector<Package> packages;
  std::vector<CatalogProblem> problems;
};

class Cataloger : public Analyzer {
 public:
  // Short name, recorded as Package::found_by.
  virtual std::string_view name() const = 0;
  // Combines the per-layer results; called once, after the walk.
  virtual void Resolve(CatalogContext& ctx, CatalogOutput& out) = 0;
};

// The earliest layer from which a package stayed present up to
// `final_layer`. `state(j)` says, for layer j < final_layer, whether that
// layer's version of the declaring file lists the package (nullopt when the
// layer has no version of the file). The walk back stops at a version that
// lacks it or at a deletion of `path` in between.
int IntroducingLayer(const Deletions& deletions, std::string_view path,
                     int final_layer,
                     const std::function<std::optional<bool>(int)>& state);

// A cataloger that reads whole files: the visitor buffers each file that
// Wants() accepts, up to MaxBytes(), and hands it to Parse on the layer's
// thread. Larger files are skipped with a problem recorded.
class FileCataloger : public Cataloger {
 public:
  explicit FileCataloger(size_t layer_count) : problems_(layer_count) {}

  std::unique_ptr<LayerVisitor> NewLayerVisitor(const Layer& layer) override;

  // Called from walk threads: must only read immutable state.
  virtual bool Wants(const Entry& entry) const = 0;
  virtual size_t MaxBytes() const { return 64 << 20; }
  // Parses one file of layer `layer`. Called on that layer's thread only;
  // may write only that layer's slots. An error is recorded as a problem.
  virtual Status Parse(size_t layer, const std::string& path,
                       std::string_view content) = 0;

  // Records a skipped file of layer `layer`; same threading rule as Parse.
  void AddProblem(size_t layer, CatalogProblem problem) {
    problems_[layer].push_back(std::move(problem));
  }

 protected:
  // Moves the problems recorded during the walk into `out`.
  void TakeProblems(CatalogOutput& out);

 private:
  std::vector<std::vector<CatalogProblem>> problems_;
};

// Packages declared by files, per layer and path: the store behind
// ManifestCataloger and the binary catalogers. Resolve reports the
// packages of the visible version of each file, each traced back to the
// layer that introduced it (same name and version in every earlier
// version of the file without a deletion between).
class DeclaredPackages {
 public:
  explicit DeclaredPackages(size_t layer_count) : found_(layer_count) {}

  // Same threading rule as FileCataloger::Parse.
  void Add(size_t layer, const std::string& path,
           std::vector<Package> packages) {
    found_[layer][path] = std::move(packages);
  }
  void Resolve(CatalogContext& ctx, std::string_view found_by,
               CatalogOutput& out) const;

 private:
  std::vector<std::map<std::string, std::vector<Package>>> found_;
};

// A FileCataloger whose files each declare a list of packages (language
// manifests, lock files).
class ManifestCataloger : public FileCataloger {
 public:
  explicit ManifestCataloger(size_t layer_count)
      : FileCataloger(layer_count), declared_(layer_count) {}

  Status Parse(size_t layer, const std::string& path,
               std::string_view content) final;
  void Resolve(CatalogContext& ctx, CatalogOutput& out) override;

 protected:
  // The packages `content` declares: type, name, version, licences,
  // depends_on (names) and source. Purls and layers are set by Resolve.
  virtual Result<std::vector<Package>> ParseManifest(
      const std::string& path, std::string_view content) const = 0;

 private:
  DeclaredPackages declared_;
};

// Sets purl, layer, location, found_by and owned_by of a package found in
// `path` (tree form).
void FinishPackage(const CatalogContext& ctx, std::string_view found_by,
                   std::string_view path, int layer, Package& p);

// A package an OS package database lists, traced to its layer.
struct InstalledPackage {
  Package package;  // depends_on holds names (or provided capabilities)
  std::vector<std::string> provides;
  std::vector<std::string> files;  // tree form; empty when unknown
  std::string db_path;             // tree form
  int layer = -1;
};

// Finishes the packages of an OS database: drops those whose installed
// files are all gone (at least one listed path missing and no listed
// non-directory visible), sets purls and the rest (FinishPackage), records
// their files in ctx.owned_files, and turns depends_on names into purls
// through names and `provides`.
void FinishInstalled(CatalogContext& ctx, std::string_view found_by,
                     std::vector<InstalledPackage> found, CatalogOutput& out);

// The version of `path` visible in the final tree, looked up in per-layer
// maps `layers[i].*member` keyed by path; null if none.
template <typename Layers, typename Map>
auto VisibleVersion(const FileTree& tree, const std::string& path,
                    const Layers& layers, Map member) -> const
    typename std::remove_reference_t<decltype(layers[0].*
                                              member)>::mapped_type* {
  auto it = tree.nodes().find(path);
  if (it == tree.nodes().end() || !it->second.visible()) return nullptr;
  int layer = it->second.modified_layer;
  if (layer < 0 || size_t(layer) >= layers.size()) return nullptr;
  const auto& map = layers[size_t(layer)].*member;
  auto found = map.find(path);
  return found == map.end() ? nullptr : &found->second;
}

}  // namespace cinch

#endif  // CINCH_CATALOG_CATALOGER_H_
