#include "slim/spool.h"

#include <algorithm>

namespace cinch::slim {

constexpr size_t kChunk = 1 << 20;

class SpoolVisitor : public LayerVisitor {
 public:
  explicit SpoolVisitor(Spool::LayerSpool& spool) : spool_(spool) {}

  bool OnEntry(const Entry& entry) override {
    spool_.entries.push_back(entry);
    spool_.offsets.push_back(spool_.written);
    return entry.type == EntryType::kRegular && entry.size > 0 &&
           entry.whiteout == Whiteout::kNone;
  }
  void OnData(std::span<const char> chunk) override {
    if (!spool_.error.empty()) return;
    if (auto ok = spool_.writer->Write(chunk); !ok) {
      spool_.error = ok.error().message;
    }
    spool_.written += chunk.size();
  }

 private:
  Spool::LayerSpool& spool_;
};

Spool::Spool(std::string dir, size_t layer_count)
    : dir_(std::move(dir)), layers_(layer_count) {}

std::unique_ptr<LayerVisitor> Spool::NewLayerVisitor(const Layer& layer) {
  if (layer.index >= layers_.size()) return nullptr;
  LayerSpool& s = layers_[layer.index];
  s.path = fmt::format("{}/layer-{}.spool", dir_, layer.index);
  auto writer = FileWriter::Create(s.path);
  if (!writer) {
    s.error = writer.error().message;
    return nullptr;
  }
  s.writer = std::move(*writer);
  return std::make_unique<SpoolVisitor>(s);
}

Status Spool::Finish() {
  for (LayerSpool& s : layers_) {
    if (!s.error.empty()) return Fail("spooling a layer: {}", s.error);
    if (s.writer == nullptr) continue;
    CINCH_TRY(s.writer->Close());
    CINCH_ASSIGN(File f, File::Open(s.path));
    s.file = std::make_shared<const File>(std::move(f));
  }
  return {};
}

uint64_t Spool::FileBytes(size_t layer) const {
  uint64_t total = 0;
  for (const Entry& e : layers_[layer].entries) {
    if (e.type == EntryType::kRegular && e.whiteout == Whiteout::kNone) {
      total += e.size;
    }
  }
  return total;
}

namespace {

// Removes the nodes strictly below `dir` that came from layers before
// `layer`.
void EraseBelow(Tree& tree, const std::string& dir, int layer) {
  std::string prefix = dir + "/";
  for (auto it = tree.lower_bound(prefix);
       it != tree.end() && it->first.starts_with(prefix);) {
    it = it->second.layer < layer ? tree.erase(it) : std::next(it);
  }
}

}  // namespace

Tree Spool::Merge(size_t end, std::vector<std::string>* warnings) const {
  Tree tree;
  for (size_t l = 0; l < end && l < layers_.size(); ++l) {
    const LayerSpool& s = layers_[l];
    int layer = int(l);
    for (size_t i = 0; i < s.entries.size(); ++i) {
      const Entry& e = s.entries[i];
      if (e.whiteout == Whiteout::kRemove) {
        auto it = tree.find(e.whiteout_target);
        if (it != tree.end() && it->second.layer < layer) tree.erase(it);
        EraseBelow(tree, e.whiteout_target, layer);
        continue;
      }
      if (e.whiteout == Whiteout::kOpaque) {
        EraseBelow(tree, e.whiteout_target, layer);
        continue;
      }
      Node node{e, layer, -1, 0};
      if (e.type == EntryType::kRegular) {
        node.content_layer = layer;
        node.offset = s.offsets[i];
      } else if (e.type == EntryType::kHardlink) {
        auto target = tree.find(e.link_target);
        if (target == tree.end() ||
            (target->second.entry.type != EntryType::kRegular &&
             target->second.entry.type != EntryType::kHardlink)) {
          if (warnings != nullptr) {
            warnings->push_back(fmt::format(
                "layer {}: hard link {} names {}, which is not a regular "
                "file; dropped",
                l, e.path, e.link_target));
          }
          continue;
        }
        node.content_layer = target->second.content_layer;
        node.offset = target->second.offset;
        node.entry.size = target->second.entry.size;
      }
      auto it = tree.find(e.path);
      if (it != tree.end() && it->second.entry.type == EntryType::kDirectory &&
          e.type != EntryType::kDirectory) {
        EraseBelow(tree, e.path, layer + 1);
      }
      tree[e.path] = std::move(node);
    }
  }
  return tree;
}

Status Spool::Copy(
    const Node& node,
    const std::function<Status(std::span<const char>)>& sink) const {
  if (node.entry.size == 0) return {};
  if (node.content_layer < 0 || size_t(node.content_layer) >= layers_.size() ||
      layers_[node.content_layer].file == nullptr) {
    return Fail("{}: content was not spooled", node.entry.path);
  }
  const File& file = *layers_[node.content_layer].file;
  std::string buffer(std::min<uint64_t>(kChunk, node.entry.size), '\0');
  for (uint64_t done = 0; done < node.entry.size;) {
    size_t n =
        size_t(std::min<uint64_t>(buffer.size(), node.entry.size - done));
    CINCH_TRY(file.ReadAt(node.offset + done, std::span(buffer.data(), n)));
    CINCH_TRY(sink(std::span<const char>(buffer.data(), n)));
    done += n;
  }
  return {};
}

Result<std::string> Spool::Read(const Node& node, size_t limit) const {
  if (node.entry.size > limit) {
    return Fail("{} is {} bytes, more than the {} byte limit", node.entry.path,
                node.entry.size, limit);
  }
  std::string out;
  CINCH_TRY(Copy(node, [&](std::span<const char> b) -> Status {
    out.append(b.data(), b.size());
    return {};
  }));
  return out;
}

}  // namespace cinch::slim
