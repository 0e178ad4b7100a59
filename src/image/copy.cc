#include "image/copy.h"

#include <algorithm>

#include "base/json.h"
#include "base/sha256.h"

namespace cinch {
namespace {

// Serves a string the caller keeps alive, noting whether it was read.
class StringReader : public ByteReader {
 public:
  explicit StringReader(std::string_view bytes) : bytes_(bytes) {}

  bool opened() const { return opened_; }

  Result<size_t> Read(std::span<char> out) override {
    opened_ = true;
    size_t n = std::min(out.size(), bytes_.size());
    std::copy_n(bytes_.data(), n, out.data());
    bytes_.remove_prefix(n);
    return n;
  }

 private:
  std::string_view bytes_;
  bool opened_ = false;
};

// Opens a layer's blob at the first Read, so that a sink that takes the
// blob without reading it (a mount) costs no transfer from the source.
class LazyBlobReader : public ByteReader {
 public:
  LazyBlobReader(const ImageSource& source, const Layer& layer)
      : source_(source), layer_(layer) {}

  bool opened() const { return reader_ != nullptr; }

  Result<size_t> Read(std::span<char> out) override {
    if (!reader_) {
      CINCH_ASSIGN(reader_, source_.OpenBlob(layer_));
    }
    return reader_->Read(out);
  }

 private:
  const ImageSource& source_;
  const Layer& layer_;
  std::unique_ptr<ByteReader> reader_;
};

Json DescriptorJson(const Descriptor& d) {
  return Json{
      {"mediaType", d.media_type}, {"digest", d.digest}, {"size", d.size}};
}

// An OCI manifest (image-spec manifest.md) for an image that came without
// one.
Result<std::pair<Descriptor, std::string>> BuildManifest(const Image& image) {
  Descriptor config{std::string(media_type::kOciConfig), image.config_digest,
                    int64_t(image.config_bytes.size())};
  Json layers = Json::array();
  for (const Layer& l : image.layers) {
    Descriptor d = l.descriptor;
    // An archive's layer is stored uncompressed: its digest is its diff ID.
    if (d.digest.empty()) d.digest = l.diff_id;
    if (d.media_type.empty()) d.media_type = media_type::kOciLayer;
    if (auto ok = ValidateDigest(d.digest); !ok) {
      return Fail("layer {}: {}", l.index + 1, ok.error().message);
    }
    layers.push_back(DescriptorJson(d));
  }
  Json doc = {{"schemaVersion", 2},
              {"mediaType", media_type::kOciManifest},
              {"config", DescriptorJson(config)},
              {"layers", layers}};
  std::string bytes = doc.dump();
  Descriptor manifest{std::string(media_type::kOciManifest),
                      Sha256Digest(bytes), int64_t(bytes.size())};
  return std::make_pair(std::move(manifest), std::move(bytes));
}

}  // namespace

Result<std::pair<Descriptor, std::string>> ManifestForCopy(const Image& image) {
  if (image.rootfs_dir || image.config_bytes.empty()) {
    return Fail("{}: a {} image has no manifest or config to copy",
                image.reference, TransportName(image.transport));
  }
  if (image.manifest_bytes.empty()) return BuildManifest(image);
  Descriptor d{image.manifest_media_type, image.manifest_digest,
               int64_t(image.manifest_bytes.size())};
  // mediaType is optional in an OCI manifest; registries need one.
  if (d.media_type.empty()) d.media_type = media_type::kOciManifest;
  return std::make_pair(std::move(d), image.manifest_bytes);
}

Status CopyImage(const ImageSource& source, ImageSink& sink,
                 const std::vector<std::string>& tags,
                 const CopyObserver& observer) {
  const Image& image = source.image();
  CINCH_ASSIGN(auto manifest, ManifestForCopy(image));
  const auto& [manifest_descriptor, manifest_bytes] = manifest;
  CINCH_ASSIGN(Manifest parsed, ParseManifest(manifest_bytes));
  if (parsed.layers.size() != image.layers.size()) {
    return Fail("{}: the manifest lists {} layers, the image {}",
                image.reference, parsed.layers.size(), image.layers.size());
  }

  // The config, from the bytes the source read.
  const Descriptor& config = parsed.config;
  CINCH_ASSIGN(bool config_exists, sink.HasBlob(config));
  if (!config_exists) {
    StringReader reader(image.config_bytes);
    if (auto ok = sink.PutBlob(config, reader); !ok) {
      return Fail(ok.error().In("config"));
    }
    observer({reader.opened() ? CopyEvent::Kind::kBlobCopied
                              : CopyEvent::Kind::kBlobMounted,
              config, "config"});
  } else {
    observer({CopyEvent::Kind::kBlobExists, config, "config"});
  }

  // The layers, streamed one at a time.
  for (size_t i = 0; i < parsed.layers.size(); ++i) {
    const Descriptor& d = parsed.layers[i];
    std::string what = fmt::format("layer {}", i + 1);
    CINCH_ASSIGN(bool exists, sink.HasBlob(d));
    if (exists) {
      observer({CopyEvent::Kind::kBlobExists, d, what});
      continue;
    }
    LazyBlobReader reader(source, image.layers[i]);
    if (auto ok = sink.PutBlob(d, reader); !ok) {
      return Fail(ok.error().In(what));
    }
    observer({reader.opened() ? CopyEvent::Kind::kBlobCopied
                              : CopyEvent::Kind::kBlobMounted,
              d, what});
  }

  CINCH_TRY(sink.PutManifest(manifest_descriptor, manifest_bytes));
  observer({CopyEvent::Kind::kManifest, manifest_descriptor, "manifest"});
  CINCH_TRY(sink.Commit(tags));
  observer({CopyEvent::Kind::kCommitted, manifest_descriptor, "manifest"});
  return {};
}

}  // namespace cinch
