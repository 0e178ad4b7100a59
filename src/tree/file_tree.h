// The merged file system of an image: layers applied in order with OCI
// whiteout semantics (image-spec layer.md, "Applying Changesets"). Every
// path ever seen is kept, so the tree can say which layer added, last
// replaced or deleted it, and how many bytes later layers made useless.
#ifndef CINCH_TREE_FILE_TREE_H_
#define CINCH_TREE_FILE_TREE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "walk/entry.h"
#include "walk/walker.h"

namespace cinch {

struct FileNode {
  EntryType type = EntryType::kRegular;
  uint64_t size = 0;
  uint32_t mode = 0;
  uint64_t uid = 0;
  uint64_t gid = 0;
  std::string link_target;
  bool has_capability = false;  // security.capability xattr present
  int added_layer = -1;         // layer that created the current version's path
  int modified_layer = -1;      // layer whose bytes are the current version
  int deleted_layer = -1;       // layer that deleted it; -1 while visible

  bool visible() const { return deleted_layer < 0; }
};

// What one layer did to the tree.
struct LayerChanges {
  uint64_t added = 0;         // paths that were not visible before
  uint64_t changed = 0;       // visible paths replaced (directories re-stated
                              // with the same type are not counted)
  uint64_t removed = 0;       // visible paths deleted by whiteouts or by a
                              // directory replaced with a non-directory
  uint64_t file_bytes = 0;    // regular-file content shipped in the layer
  uint64_t wasted_bytes = 0;  // of those, bytes a later layer replaced or
                              // deleted: shipped but never visible
};

// Bytes of one path wasted across layers.
struct PathWaste {
  uint64_t bytes = 0;
  int versions = 0;  // how many shipped versions of it are hidden
};

class FileTree {
 public:
  explicit FileTree(size_t layer_count);

  // Applies one layer's entries; layers must be applied in order.
  void ApplyLayer(int layer, std::span<const Entry> entries);

  const std::map<std::string, FileNode, std::less<>>& nodes() const {
    return nodes_;
  }
  const std::vector<LayerChanges>& layers() const { return layers_; }
  const std::map<std::string, PathWaste, std::less<>>& waste() const {
    return waste_;
  }

  // Totals over all layers.
  uint64_t total_file_bytes() const;
  uint64_t wasted_bytes() const;
  // Share of shipped file bytes that are visible in the final image, in
  // [0, 1]; 1 when nothing was wasted (Dive calls this efficiency).
  double efficiency() const;

 private:
  // Marks `node` at `path` deleted by `layer`, accounting its bytes.
  void Delete(const std::string& path, FileNode& node, int layer);
  // Deletes the visible nodes strictly below `dir` that predate `layer`.
  void DeleteBelow(const std::string& dir, int layer);
  void Waste(const std::string& path, const FileNode& node);

  std::map<std::string, FileNode, std::less<>> nodes_;
  std::vector<LayerChanges> layers_;
  std::map<std::string, PathWaste, std::less<>> waste_;
};

// Collects each layer's entries during the walk, for FileTree.
class EntryCollector : public Analyzer {
 public:
  explicit EntryCollector(size_t layer_count) : entries_(layer_count) {}

  std::unique_ptr<LayerVisitor> NewLayerVisitor(const Layer& layer) override;

  // Builds the tree; consumes the collected entries.
  FileTree BuildTree();

 private:
  std::vector<std::vector<Entry>> entries_;
};

}  // namespace cinch

#endif  // CINCH_TREE_FILE_TREE_H_
