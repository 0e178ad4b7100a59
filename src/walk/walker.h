// The layer walk: every layer of an image is decompressed and read exactly
// once, layers in parallel, and each entry is offered to the visitors that
// analyses registered. This is the single pass that inspect, the
// catalogers and the security analyzers share.
//
// Threading: an Analyzer creates one LayerVisitor per layer before the walk
// starts, on the caller's thread. A visitor is then called only from the
// thread reading its layer, so it needs no locking for its own state;
// visitors of different layers run concurrently and must not share mutable
// state. Results are combined after WalkLayers returns, in layer order.
#ifndef CINCH_WALK_WALKER_H_
#define CINCH_WALK_WALKER_H_

#include <atomic>
#include <memory>
#include <span>
#include <vector>

#include "base/error.h"
#include "image/source.h"
#include "walk/decompress.h"
#include "walk/entry.h"

namespace cinch {

class LayerVisitor {
 public:
  virtual ~LayerVisitor() = default;

  // Offered every entry of the layer in archive order, whiteouts included.
  // Return true to receive the entry's content through OnData.
  virtual bool OnEntry(const Entry& entry) = 0;
  // The content of the entry last accepted, in order, in chunks.
  virtual void OnData(std::span<const char> chunk) { (void)chunk; }
  // Called after the last OnData of an accepted entry (also when empty).
  virtual void OnEntryEnd() {}
};

class Analyzer {
 public:
  virtual ~Analyzer() = default;
  // Returns the visitor for `layer`, or null to skip the layer.
  virtual std::unique_ptr<LayerVisitor> NewLayerVisitor(const Layer& layer) = 0;
};

struct LayerStats {
  Compression compression = Compression::kNone;
  uint64_t compressed_bytes = 0;
  uint64_t uncompressed_bytes = 0;
  uint64_t entries = 0;
};

struct WalkOptions {
  // Layers read at once; 0 means one per core.
  unsigned threads = 0;
  // If set, advanced by every stored (compressed) byte read.
  std::atomic<uint64_t>* progress = nullptr;
};

// Walks every layer of `source`. On damage the first error in layer order
// is returned, naming the layer, the blob and the offset; remaining layers
// are abandoned.
Result<std::vector<LayerStats>> WalkLayers(const ImageSource& source,
                                           std::span<Analyzer* const> analyzers,
                                           const WalkOptions& options);

// Names a layer in messages: "layer 3 (blob sha256:<hex>)", or by diff
// ID when the blob digest is unknown.
std::string DescribeLayer(const Layer& layer);

}  // namespace cinch

#endif  // CINCH_WALK_WALKER_H_
