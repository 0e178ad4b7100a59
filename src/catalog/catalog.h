// Cataloging an image: every cataloger runs as a visitor of the single
// layer walk, then their findings are combined with the merged tree in a
// fixed order (operating system, OS packages, language packages) into one
// sorted, de-duplicated package list.
//
// Use ImageCataloger when other analyses share the walk (pass analyzers()
// to WalkImage, then call Finish with the walk's tree); CatalogImage does
// both for callers that only want packages.
#ifndef CINCH_CATALOG_CATALOG_H_
#define CINCH_CATALOG_CATALOG_H_

#include <memory>
#include <vector>

#include "analyze/inspect.h"
#include "catalog/cataloger.h"
#include "catalog/package.h"
#include "image/source.h"

namespace cinch {

struct Catalog {
  Distro distro;
  // Sorted by purl, then name and version; one entry per purl (locations
  // of duplicates merged, the earliest layer kept).
  std::vector<Package> packages;
  // Files the catalogers skipped (too large, malformed), for -v output.
  std::vector<CatalogProblem> problems;
};

// Holds the catalogers of one walk. Not thread-safe itself; its visitors
// follow the walker's rules.
class ImageCataloger {
 public:
  explicit ImageCataloger(const Image& image);
  ~ImageCataloger();

  // The analyzers to pass to the walk.
  std::span<Analyzer* const> analyzers() const { return analyzers_; }

  // Combines the per-layer findings with the finished walk's tree.
  // Call once, after the walk.
  Catalog Finish(const FileTree& tree);

 private:
  const Image& image_;
  std::vector<std::unique_ptr<Analyzer>> owned_;
  std::vector<Analyzer*> analyzers_;
  class WhiteoutCollector* whiteouts_ = nullptr;
  class DistroCataloger* distro_ = nullptr;
  std::vector<Cataloger*> catalogers_;  // in resolution order
};

// Walks `source` once and catalogs it. `walk_out`, when not null,
// receives the walk (stats and tree) for further reporting.
Result<Catalog> CatalogImage(const ImageSource& source,
                             const WalkOptions& options,
                             ImageWalk* walk_out = nullptr);

// Merges packages with the same purl (keeping the earliest layer and every
// location) and sorts by purl, name, version. Resolves depends_on names
// left by parsers to purls of packages of the same type.
void MergeAndSort(std::vector<Package>& packages);

}  // namespace cinch

#endif  // CINCH_CATALOG_CATALOG_H_
