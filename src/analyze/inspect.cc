#include "analyze/inspect.h"

#include <algorithm>
#include <map>
#include <set>

#include "analyze/bloat.h"
#include "tree/file_tree.h"

namespace cinch {
namespace {

// Keeps the `n` largest rows, largest first; ties by path for stable output.
void KeepLargest(std::vector<PathRow>& rows, size_t n) {
  auto larger = [](const PathRow& a, const PathRow& b) {
    if (a.bytes != b.bytes) return a.bytes > b.bytes;
    return a.path < b.path;
  };
  if (rows.size() > n) {
    std::partial_sort(rows.begin(), rows.begin() + long(n), rows.end(), larger);
    rows.resize(n);
  } else {
    std::sort(rows.begin(), rows.end(), larger);
  }
}

LayerRow MakeLayerRow(const Layer& layer, const LayerStats& stats,
                      const LayerChanges& changes) {
  LayerRow row;
  row.layer = int(layer.index);
  row.digest = layer.descriptor.digest;
  row.diff_id = layer.diff_id;
  row.compression = std::string(CompressionName(stats.compression));
  row.compressed_bytes = stats.compressed_bytes;
  row.uncompressed_bytes = stats.uncompressed_bytes;
  row.file_bytes = changes.file_bytes;
  row.wasted_bytes = changes.wasted_bytes;
  row.added = changes.added;
  row.changed = changes.changed;
  row.removed = changes.removed;
  return row;
}

// Lines the layers up with the history, empty steps included. When the
// history does not fit the layers, the layers are listed alone.
std::vector<LayerRow> BuildSteps(const Image& image,
                                 std::vector<LayerRow> layer_rows) {
  const auto& history = image.config.history;
  size_t non_empty =
      std::count_if(history.begin(), history.end(),
                    [](const HistoryStep& s) { return !s.empty_layer; });
  if (history.empty() || non_empty != layer_rows.size()) return layer_rows;
  std::vector<LayerRow> steps;
  size_t next = 0;
  for (const HistoryStep& step : history) {
    LayerRow row;
    if (!step.empty_layer) row = std::move(layer_rows[next++]);
    row.created = step.created;
    row.created_by = step.created_by;
    steps.push_back(std::move(row));
  }
  return steps;
}

void SummariseTree(const FileTree& tree, size_t top, InspectReport& r) {
  std::vector<BloatRow> bloat(BloatKinds().size());
  std::vector<std::set<int>> bloat_layers(bloat.size());
  std::vector<PathRow> files;
  std::map<std::string, uint64_t, std::less<>> dirs;

  for (const auto& [path, node] : tree.nodes()) {
    if (!node.visible() || node.type != EntryType::kRegular) continue;
    ++r.visible_files;
    r.visible_file_bytes += node.size;
    files.push_back({path, node.size, node.modified_layer, 0});
    for (size_t slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
      dirs[path.substr(0, slash)] += node.size;
    }
    if (auto kind = ClassifyBloat(path)) {
      bloat[*kind].bytes += node.size;
      ++bloat[*kind].files;
      bloat_layers[*kind].insert(node.modified_layer);
    }
  }

  for (size_t k = 0; k < bloat.size(); ++k) {
    if (bloat[k].files == 0) continue;
    const BloatKind& kind = BloatKinds()[k];
    bloat[k].kind = kind.id;
    bloat[k].label = kind.label;
    bloat[k].fix = kind.fix;
    bloat[k].layers.assign(bloat_layers[k].begin(), bloat_layers[k].end());
    r.bloat_bytes += bloat[k].bytes;
    r.bloat.push_back(std::move(bloat[k]));
  }
  std::stable_sort(
      r.bloat.begin(), r.bloat.end(),
      [](const BloatRow& a, const BloatRow& b) { return a.bytes > b.bytes; });

  KeepLargest(files, top);
  r.largest_files = std::move(files);
  // A directory whose bytes all sit in one subdirectory says nothing its
  // subdirectory does not ("var" when only "var/lib/apt/lists" has files).
  std::vector<PathRow> dir_rows;
  for (auto it = dirs.begin(); it != dirs.end(); ++it) {
    auto child = std::next(it);
    std::string prefix = it->first + "/";
    bool one_child_holds_all = false;
    for (; child != dirs.end() && child->first.starts_with(prefix); ++child) {
      bool direct = child->first.find('/', prefix.size()) == std::string::npos;
      if (direct && child->second == it->second) one_child_holds_all = true;
    }
    if (!one_child_holds_all) dir_rows.push_back({it->first, it->second});
  }
  KeepLargest(dir_rows, top);
  r.largest_dirs = std::move(dir_rows);
  std::vector<PathRow> waste_rows;
  for (const auto& [path, w] : tree.waste()) {
    waste_rows.push_back({path, w.bytes, -1, w.versions});
  }
  KeepLargest(waste_rows, top);
  r.wasted_paths = std::move(waste_rows);
}

}  // namespace

Result<ImageWalk> WalkImage(const ImageSource& source,
                            std::span<Analyzer* const> extra,
                            const WalkOptions& options) {
  const Image& image = source.image();
  EntryCollector collector(image.layers.size());
  std::vector<Analyzer*> analyzers = {&collector};
  analyzers.insert(analyzers.end(), extra.begin(), extra.end());
  ImageWalk walk;
  CINCH_ASSIGN(walk.stats, WalkLayers(source, analyzers, options));
  walk.tree = collector.BuildTree();
  return walk;
}

InspectReport Summarize(const Image& image, const ImageWalk& walk,
                        const InspectOptions& options) {
  const FileTree& tree = walk.tree;
  InspectReport r;
  r.reference = image.reference;
  r.transport = std::string(TransportName(image.transport));
  r.manifest_digest = image.manifest_digest;
  r.config_digest = image.config_digest;
  r.platform = image.config.platform.ToString();
  r.repo_tags = image.repo_tags;
  r.created = image.config.created;
  r.user = image.config.user;
  r.layer_count = image.layers.size();

  std::vector<LayerRow> rows;
  for (const Layer& layer : image.layers) {
    const LayerStats& stats = walk.stats[layer.index];
    rows.push_back(MakeLayerRow(layer, stats, tree.layers()[layer.index]));
    r.compressed_bytes += stats.compressed_bytes;
    r.uncompressed_bytes += stats.uncompressed_bytes;
  }
  r.steps = BuildSteps(image, std::move(rows));
  r.shipped_file_bytes = tree.total_file_bytes();
  r.wasted_bytes = tree.wasted_bytes();
  r.efficiency = tree.efficiency();
  SummariseTree(tree, options.top, r);
  if (options.list_files) {
    for (const auto& [path, node] : tree.nodes()) {
      if (!node.visible()) continue;
      r.files.push_back(
          {path, node.type, node.size, node.mode, node.modified_layer});
    }
  }
  return r;
}

}  // namespace cinch
