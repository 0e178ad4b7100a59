#include "tree/file_tree.h"

namespace cinch {
namespace {

constexpr std::string_view kCapabilityXattr = "security.capability";

class CollectingVisitor : public LayerVisitor {
 public:
  explicit CollectingVisitor(std::vector<Entry>& out) : out_(out) {}

  bool OnEntry(const Entry& entry) override {
    Entry copy = entry;
    // Only the capability xattr matters after the walk; drop the rest.
    std::erase_if(copy.xattrs,
                  [](const Xattr& x) { return x.name != kCapabilityXattr; });
    out_.push_back(std::move(copy));
    return false;
  }

 private:
  std::vector<Entry>& out_;
};

}  // namespace

FileTree::FileTree(size_t layer_count) : layers_(layer_count) {}

void FileTree::Waste(const std::string& path, const FileNode& node) {
  if (node.type != EntryType::kRegular || node.modified_layer < 0) return;
  layers_[size_t(node.modified_layer)].wasted_bytes += node.size;
  PathWaste& w = waste_[path];
  w.bytes += node.size;
  ++w.versions;
}

void FileTree::Delete(const std::string& path, FileNode& node, int layer) {
  Waste(path, node);
  node.deleted_layer = layer;
  ++layers_[size_t(layer)].removed;
}

void FileTree::DeleteBelow(const std::string& dir, int layer) {
  std::string prefix = dir.empty() ? "" : dir + "/";
  for (auto it = nodes_.lower_bound(prefix);
       it != nodes_.end() && it->first.starts_with(prefix); ++it) {
    FileNode& node = it->second;
    if (node.visible() && node.modified_layer < layer) {
      Delete(it->first, node, layer);
    }
  }
}

void FileTree::ApplyLayer(int layer, std::span<const Entry> entries) {
  LayerChanges& changes = layers_[size_t(layer)];
  for (const Entry& e : entries) {
    if (e.path.empty()) continue;
    if (e.whiteout == Whiteout::kOpaque) {
      DeleteBelow(e.whiteout_target, layer);
      continue;
    }
    if (e.whiteout == Whiteout::kRemove) {
      auto it = nodes_.find(e.whiteout_target);
      if (it != nodes_.end() && it->second.visible() &&
          it->second.modified_layer < layer) {
        Delete(it->first, it->second, layer);
      }
      DeleteBelow(e.whiteout_target, layer);
      continue;
    }

    if (e.type == EntryType::kRegular) changes.file_bytes += e.size;
    auto [it, inserted] = nodes_.try_emplace(e.path);
    FileNode& node = it->second;
    bool was_visible = !inserted && node.visible();
    if (was_visible) {
      bool both_dirs =
          node.type == EntryType::kDirectory && e.type == EntryType::kDirectory;
      if (!both_dirs) ++changes.changed;
      Waste(e.path, node);
      if (node.type == EntryType::kDirectory &&
          e.type != EntryType::kDirectory) {
        DeleteBelow(e.path, layer);
      }
    } else {
      ++changes.added;
      node.added_layer = layer;
    }
    node.type = e.type;
    node.size = e.type == EntryType::kRegular ? e.size : 0;
    node.mode = e.mode;
    node.uid = e.uid;
    node.gid = e.gid;
    node.link_target = e.link_target;
    node.has_capability = e.HasXattr(kCapabilityXattr);
    node.modified_layer = layer;
    node.deleted_layer = -1;
  }
}

uint64_t FileTree::total_file_bytes() const {
  uint64_t total = 0;
  for (const LayerChanges& l : layers_) total += l.file_bytes;
  return total;
}

uint64_t FileTree::wasted_bytes() const {
  uint64_t total = 0;
  for (const LayerChanges& l : layers_) total += l.wasted_bytes;
  return total;
}

double FileTree::efficiency() const {
  uint64_t total = total_file_bytes();
  if (total == 0) return 1.0;
  return 1.0 - double(wasted_bytes()) / double(total);
}

std::unique_ptr<LayerVisitor> EntryCollector::NewLayerVisitor(
    const Layer& layer) {
  return std::make_unique<CollectingVisitor>(entries_[layer.index]);
}

FileTree EntryCollector::BuildTree() {
  FileTree tree(entries_.size());
  for (size_t i = 0; i < entries_.size(); ++i) {
    tree.ApplyLayer(int(i), entries_[i]);
    std::vector<Entry>().swap(entries_[i]);
  }
  return tree;
}

}  // namespace cinch
