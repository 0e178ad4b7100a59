#include "catalog/catalog.h"

#include <algorithm>
#include <map>
#include <set>

#include "catalog/apk.h"
#include "catalog/binary.h"
#include "catalog/composer.h"
#include "catalog/dotnet.h"
#include "catalog/dpkg.h"
#include "catalog/java.h"
#include "catalog/npm.h"
#include "catalog/os_release.h"
#include "catalog/python.h"
#include "catalog/rpm.h"
#include "catalog/ruby.h"

namespace cinch {

// Records every layer's whiteouts for Deletions.
class WhiteoutCollector : public Analyzer {
 public:
  explicit WhiteoutCollector(size_t layer_count) : deletions_(layer_count) {}

  std::unique_ptr<LayerVisitor> NewLayerVisitor(const Layer& layer) override {
    return std::make_unique<Visitor>(deletions_, layer.index);
  }
  const Deletions& deletions() const { return deletions_; }

 private:
  class Visitor : public LayerVisitor {
   public:
    Visitor(Deletions& d, size_t layer) : deletions_(d), layer_(layer) {}
    bool OnEntry(const Entry& entry) override {
      if (entry.whiteout != Whiteout::kNone) {
        deletions_.Add(layer_, entry.whiteout_target,
                       entry.whiteout == Whiteout::kOpaque);
      }
      return false;
    }

   private:
    Deletions& deletions_;
    size_t layer_;
  };

  Deletions deletions_;
};

namespace {

template <typename T>
T* Own(std::vector<std::unique_ptr<Analyzer>>& owned, size_t layers) {
  auto a = std::make_unique<T>(layers);
  T* raw = a.get();
  owned.push_back(std::move(a));
  return raw;
}

void AppendUnique(std::vector<std::string>& to,
                  const std::vector<std::string>& from) {
  for (const std::string& s : from) {
    if (std::find(to.begin(), to.end(), s) == to.end()) to.push_back(s);
  }
}

std::string MergeKey(const Package& p) {
  if (!p.purl.empty()) return p.purl;
  return fmt::format("{}\n{}\n{}", PackageTypeName(p.type), p.name, p.version);
}

}  // namespace

ImageCataloger::ImageCataloger(const Image& image) : image_(image) {
  size_t n = image.layers.size();
  whiteouts_ = Own<WhiteoutCollector>(owned_, n);
  distro_ = Own<DistroCataloger>(owned_, n);
  catalogers_.push_back(distro_);
  // OS packages first: they record the files they own, which the
  // language catalogers then mark as owned_by.
  catalogers_.push_back(Own<DpkgCataloger>(owned_, n));
  catalogers_.push_back(Own<ApkCataloger>(owned_, n));
  catalogers_.push_back(Own<RpmCataloger>(owned_, n));
  catalogers_.push_back(Own<PythonCataloger>(owned_, n));
  catalogers_.push_back(Own<NpmCataloger>(owned_, n));
  catalogers_.push_back(Own<BinaryCataloger>(owned_, n));
  catalogers_.push_back(Own<GoModCataloger>(owned_, n));
  catalogers_.push_back(Own<JavaCataloger>(owned_, n));
  catalogers_.push_back(Own<GemCataloger>(owned_, n));
  catalogers_.push_back(Own<ComposerCataloger>(owned_, n));
  catalogers_.push_back(Own<DotnetCataloger>(owned_, n));
  for (auto& a : owned_) analyzers_.push_back(a.get());
}

ImageCataloger::~ImageCataloger() = default;

Catalog ImageCataloger::Finish(const FileTree& tree) {
  CatalogContext ctx;
  ctx.image = &image_;
  ctx.tree = &tree;
  ctx.deletions = &whiteouts_->deletions();
  CatalogOutput out;
  for (Cataloger* c : catalogers_) c->Resolve(ctx, out);

  Catalog catalog;
  catalog.distro = ctx.distro;
  catalog.packages = std::move(out.packages);
  catalog.problems = std::move(out.problems);
  MergeAndSort(catalog.packages);
  return catalog;
}

Result<Catalog> CatalogImage(const ImageSource& source,
                             const WalkOptions& options, ImageWalk* walk_out) {
  ImageCataloger cataloger(source.image());
  CINCH_ASSIGN(ImageWalk walk,
               WalkImage(source, cataloger.analyzers(), options));
  Catalog catalog = cataloger.Finish(walk.tree);
  if (walk_out != nullptr) *walk_out = std::move(walk);
  return catalog;
}

void MergeAndSort(std::vector<Package>& packages) {
  std::map<std::string, size_t> index;
  std::vector<Package> merged;
  for (Package& p : packages) {
    auto [it, inserted] = index.try_emplace(MergeKey(p), merged.size());
    if (inserted) {
      merged.push_back(std::move(p));
      continue;
    }
    Package& into = merged[it->second];
    if (p.layer >= 0 && (into.layer < 0 || p.layer < into.layer)) {
      into.layer = p.layer;
    }
    AppendUnique(into.locations, p.locations);
    AppendUnique(into.licenses, p.licenses);
    AppendUnique(into.depends_on, p.depends_on);
    if (into.owned_by.empty()) into.owned_by = p.owned_by;
  }

  // Parsers leave dependency names; the catalog knows the purls.
  std::map<std::pair<PackageType, std::string>, std::string> by_name;
  for (const Package& p : merged) {
    if (!p.purl.empty()) by_name.try_emplace({p.type, p.name}, p.purl);
  }
  for (Package& p : merged) {
    std::set<std::string> deps;
    for (const std::string& d : p.depends_on) {
      if (d.starts_with("pkg:")) {
        deps.insert(d);
        continue;
      }
      auto it = by_name.find({p.type, d});
      if (it != by_name.end() && it->second != p.purl) deps.insert(it->second);
    }
    p.depends_on.assign(deps.begin(), deps.end());
    std::sort(p.locations.begin(), p.locations.end());
  }

  std::sort(merged.begin(), merged.end(),
            [](const Package& a, const Package& b) {
              return std::tie(a.purl, a.name, a.version) <
                     std::tie(b.purl, b.name, b.version);
            });
  packages = std::move(merged);
}

}  // namespace cinch
