#include "walk/walker.h"

#include <algorithm>
#include <numeric>
#include <optional>
#include <thread>

#include "walk/entry_reader.h"

namespace cinch {
namespace {

constexpr size_t kDataChunk = 256 * 1024;

struct LayerJob {
  const Layer* layer = nullptr;
  std::vector<std::unique_ptr<LayerVisitor>> visitors;
  Result<LayerStats> result = LayerStats{};
};

Result<std::unique_ptr<EntryReader>> OpenLayerEntries(
    const ImageSource& source, const Layer& layer, const WalkOptions& options,
    DigestingReader** blob_out, DigestingReader** tar_out,
    Compression* compression) {
  const Image& image = source.image();
  if (image.rootfs_dir) return NewDirectoryEntryReader(*image.rootfs_dir);

  std::string name = DescribeLayer(layer);
  CINCH_ASSIGN(auto raw, source.OpenBlob(layer));
  auto blob = std::make_unique<DigestingReader>(
      std::move(raw), layer.descriptor.digest, layer.descriptor.size, name,
      options.progress);
  *blob_out = blob.get();
  CINCH_ASSIGN(auto plain,
               OpenDecompressed(std::move(blob), name, compression));
  auto tar = std::make_unique<DigestingReader>(std::move(plain), layer.diff_id,
                                               -1, name + " uncompressed");
  *tar_out = tar.get();
  return NewTarEntryReader(std::move(tar), name);
}

// Reads every entry of one layer and offers it to the layer's visitors.
Status WalkEntries(EntryReader& reader, LayerJob& job,
                   const std::atomic<bool>& stop, LayerStats& stats,
                   uint64_t& file_bytes) {
  std::vector<char> chunk(kDataChunk);
  std::vector<LayerVisitor*> wanting;
  Entry entry;
  while (true) {
    if (stop.load(std::memory_order_relaxed)) return {};
    CINCH_ASSIGN(bool more, reader.Next(entry));
    if (!more) break;
    ++stats.entries;
    if (entry.type == EntryType::kRegular) file_bytes += entry.size;

    wanting.clear();
    for (auto& v : job.visitors) {
      if (v->OnEntry(entry)) wanting.push_back(v.get());
    }
    if (wanting.empty() || entry.type != EntryType::kRegular) {
      for (LayerVisitor* v : wanting) v->OnEntryEnd();
      continue;
    }
    while (true) {
      auto n = reader.ReadData(chunk);
      if (!n) return Fail(n.error().In(entry.path));
      if (*n == 0) break;
      for (LayerVisitor* v : wanting) v->OnData({chunk.data(), *n});
    }
    for (LayerVisitor* v : wanting) v->OnEntryEnd();
  }
  return reader.Finish();
}

// When decompression or the tar reader fails, damage to the blob is the
// likelier cause: reads the rest of the blob and, if its digest or size is
// wrong, reports that first, with what failed as the symptom.
Error ExplainDamage(DigestingReader* blob, Error failure) {
  if (blob == nullptr) return failure;
  std::vector<char> buf(kDataChunk);
  while (true) {
    auto n = blob->Read(buf);
    if (!n) {
      return Error{fmt::format("{} (reading it failed first: {})",
                               n.error().message, failure.message)};
    }
    if (*n == 0) return failure;
  }
}

Status WalkOne(const ImageSource& source, LayerJob& job,
               const WalkOptions& options, const std::atomic<bool>& stop,
               LayerStats& stats) {
  DigestingReader* blob = nullptr;
  DigestingReader* tar = nullptr;
  CINCH_ASSIGN(auto reader, OpenLayerEntries(source, *job.layer, options, &blob,
                                             &tar, &stats.compression));
  uint64_t file_bytes = 0;
  if (auto ok = WalkEntries(*reader, job, stop, stats, file_bytes); !ok) {
    return Fail(ExplainDamage(blob, std::move(ok).error()));
  }
  if (blob != nullptr) stats.compressed_bytes = blob->bytes_read();
  if (tar != nullptr) stats.uncompressed_bytes = tar->bytes_read();
  // A directory has no stream; its unpacked size is its files' sizes.
  if (tar == nullptr) stats.uncompressed_bytes = file_bytes;
  return {};
}

}  // namespace

std::string DescribeLayer(const Layer& layer) {
  if (!layer.descriptor.digest.empty()) {
    return fmt::format("layer {} (blob {})", layer.index + 1,
                       layer.descriptor.digest);
  }
  if (!layer.diff_id.empty()) {
    return fmt::format("layer {} (diff ID {})", layer.index + 1, layer.diff_id);
  }
  return fmt::format("layer {}", layer.index + 1);
}

Result<std::vector<LayerStats>> WalkLayers(const ImageSource& source,
                                           std::span<Analyzer* const> analyzers,
                                           const WalkOptions& options) {
  const std::vector<Layer>& layers = source.image().layers;
  std::vector<LayerJob> jobs(layers.size());
  for (size_t i = 0; i < layers.size(); ++i) {
    jobs[i].layer = &layers[i];
    for (Analyzer* a : analyzers) {
      if (auto v = a->NewLayerVisitor(layers[i])) {
        jobs[i].visitors.push_back(std::move(v));
      }
    }
  }

  // Biggest layers first, so one huge layer does not start last.
  std::vector<size_t> order(layers.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return layers[a].descriptor.size > layers[b].descriptor.size;
  });

  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  auto work = [&] {
    while (!stop.load(std::memory_order_relaxed)) {
      size_t k = next.fetch_add(1);
      if (k >= order.size()) return;
      LayerJob& job = jobs[order[k]];
      LayerStats stats;
      if (auto ok = WalkOne(source, job, options, stop, stats); !ok) {
        job.result = std::unexpected(std::move(ok).error());
        stop.store(true);
      } else {
        job.result = stats;
      }
    }
  };

  unsigned threads = options.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = std::min<unsigned>(threads, std::max<size_t>(1, layers.size()));
  {
    std::vector<std::jthread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
  }

  std::vector<LayerStats> stats;
  for (LayerJob& job : jobs) {
    if (!job.result) return Fail(std::move(job.result).error());
    stats.push_back(*job.result);
  }
  return stats;
}

}  // namespace cinch
