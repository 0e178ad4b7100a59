// The one walk of `cinch slim`: every layer's entries are kept (metadata
// only) and the contents of its regular files are appended to a spool file
// per layer, so that the merged tree can be planned before any output is
// written, and read back in any order without a second decompression.
#ifndef CINCH_SLIM_SPOOL_H_
#define CINCH_SLIM_SPOOL_H_

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/io.h"
#include "image/tar_writer.h"
#include "walk/walker.h"

namespace cinch::slim {

// A visible path of the merged tree. For regular files and hard links,
// `content_layer` and `offset` locate the content (`entry.size` bytes) in
// that layer's spool; a hard link carries its target's content.
struct Node {
  Entry entry;
  int layer = -1;  // layer whose version of the path is visible
  int content_layer = -1;
  uint64_t offset = 0;
};

using Tree = std::map<std::string, Node, std::less<>>;

class Spool : public Analyzer {
 public:
  // Spool files are created in `dir`, which must exist and outlive this.
  Spool(std::string dir, size_t layer_count);

  std::unique_ptr<LayerVisitor> NewLayerVisitor(const Layer& layer) override;

  // After the walk: closes the spool files and reports any write error.
  Status Finish();

  // Applies layers [0, end) with OCI whiteout semantics (image-spec
  // layer.md, "Applying Changesets"). Hard links whose target is not in
  // the tree are dropped and named in `warnings`.
  Tree Merge(size_t end, std::vector<std::string>* warnings) const;

  // Regular-file bytes a layer shipped, visible or not.
  uint64_t FileBytes(size_t layer) const;

  // Streams a node's content to `sink` in chunks.
  Status Copy(const Node& node,
              const std::function<Status(std::span<const char>)>& sink) const;
  // A node's content, refusing more than `limit` bytes.
  Result<std::string> Read(const Node& node, size_t limit) const;

 private:
  struct LayerSpool {
    std::vector<Entry> entries;
    std::vector<uint64_t> offsets;  // per entry; content start in the spool
    std::string path;
    std::unique_ptr<FileWriter> writer;
    uint64_t written = 0;
    std::string error;
    std::shared_ptr<const File> file;
  };
  friend class SpoolVisitor;

  std::string dir_;
  std::vector<LayerSpool> layers_;
};

}  // namespace cinch::slim

#endif  // CINCH_SLIM_SPOOL_H_
