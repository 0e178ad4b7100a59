#include "image/source.h"

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "base/json.h"
#include "base/sha256.h"
#include "image/file_set.h"
#include "image/registry.h"
#include "image/resolve.h"

namespace cinch {
namespace {

namespace fs = std::filesystem;

// OCI image-layout.md.
constexpr std::string_view kOciLayoutFile = "oci-layout";
constexpr std::string_view kOciIndexFile = "index.json";
constexpr std::string_view kRefNameAnnotation =
    "org.opencontainers.image.ref.name";
constexpr std::string_view kContainerdNameAnnotation =
    "io.containerd.image.name";
// docker save's manifest.json.
constexpr std::string_view kDockerArchiveManifest = "manifest.json";

class FileSetImageSource : public ImageSource {
 public:
  FileSetImageSource(std::unique_ptr<FileSet> files, Image image)
      : files_(std::move(files)) {
    image_ = std::move(image);
  }

  Result<std::unique_ptr<ByteReader>> OpenBlob(
      const Layer& layer) const override {
    auto reader = files_->Open(layer.blob_path);
    if (!reader) {
      return Fail("layer {} blob {} is missing: {}", layer.index + 1,
                  layer.descriptor.digest.empty() ? layer.blob_path
                                                  : layer.descriptor.digest,
                  reader.error().message);
    }
    return reader;
  }

 private:
  std::unique_ptr<FileSet> files_;
};

class RootfsSource : public ImageSource {
 public:
  explicit RootfsSource(Image image) { image_ = std::move(image); }

  Result<std::unique_ptr<ByteReader>> OpenBlob(const Layer&) const override {
    return Fail("a rootfs directory has no layer blobs");
  }
};

std::string BlobPath(std::string_view digest) {
  return fmt::format("blobs/sha256/{}", DigestHex(digest));
}

// Reads a small blob and checks it against its descriptor.
Result<std::string> ReadVerifiedBlob(const FileSet& files, const Descriptor& d,
                                     std::string_view what) {
  if (d.size > static_cast<int64_t>(kMaxDocumentBytes)) {
    return Fail("{} {} is {} bytes, more than the {} byte limit", what,
                d.digest, d.size, kMaxDocumentBytes);
  }
  auto bytes = files.ReadSmall(BlobPath(d.digest), kMaxDocumentBytes);
  if (!bytes)
    return Fail("{} {} is missing: {}", what, d.digest, bytes.error().message);
  std::string actual = Sha256Digest(*bytes);
  if (actual != d.digest) {
    return Fail("{} blob {} does not match its digest (content hashes to {})",
                what, d.digest, actual);
  }
  if (static_cast<int64_t>(bytes->size()) != d.size) {
    return Fail("{} blob {} is {} bytes but its descriptor says {}", what,
                d.digest, bytes->size(), d.size);
  }
  return bytes;
}

}  // namespace

bool IsIndexMediaType(std::string_view m) {
  return m == media_type::kOciIndex || m == media_type::kDockerManifestList;
}

bool IsAttestation(const Descriptor& d) {
  auto it = d.annotations.find("vnd.docker.reference.type");
  if (it != d.annotations.end() && it->second == "attestation-manifest") {
    return true;
  }
  return d.platform && d.platform->os == "unknown";
}

// Picks the manifest for `want` among an index's entries.
Result<Descriptor> SelectPlatform(const Index& index, const Platform& want,
                                  std::string_view where) {
  std::vector<std::string> seen;
  for (const Descriptor& d : index.manifests) {
    if (IsAttestation(d)) continue;
    if (!d.platform) continue;
    if (PlatformMatches(want, *d.platform)) return d;
    seen.push_back(d.platform->ToString());
  }
  // An index whose single image states no platform: take it.
  std::vector<const Descriptor*> unnamed;
  for (const Descriptor& d : index.manifests) {
    if (!d.platform && !IsAttestation(d)) unnamed.push_back(&d);
  }
  if (seen.empty() && unnamed.size() == 1) return *unnamed.front();
  if (seen.empty()) return Fail("{}: the index lists no image", where);
  std::sort(seen.begin(), seen.end());
  return Fail(
      "{}: no image for platform {} (available: {}); choose one with "
      "--platform",
      where, want.ToString(), fmt::join(seen, ", "));
}

namespace {

std::string RefName(const Descriptor& d) {
  if (auto it = d.annotations.find(std::string(kRefNameAnnotation));
      it != d.annotations.end()) {
    return it->second;
  }
  if (auto it = d.annotations.find(std::string(kContainerdNameAnnotation));
      it != d.annotations.end()) {
    return it->second;
  }
  return "";
}

bool RefNameMatches(std::string_view name, std::string_view tag) {
  if (name == tag) return true;
  // containerd names are full references: "docker.io/library/x:1" has tag 1.
  return name.size() > tag.size() && name.ends_with(tag) &&
         name[name.size() - tag.size() - 1] == ':';
}

// Chooses the entry of index.json that the reference's tag names.
Result<Descriptor> SelectTagged(const Index& top, std::string_view tag,
                                const OpenOptions& options,
                                std::string_view where) {
  if (!tag.empty()) {
    for (const Descriptor& d : top.manifests) {
      if (RefNameMatches(RefName(d), tag)) return d;
    }
    std::vector<std::string> names;
    for (const Descriptor& d : top.manifests) {
      if (!RefName(d).empty()) names.push_back(RefName(d));
    }
    return Fail(
        "{}: no image tagged '{}' (tags: {})", where, tag,
        names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", ")));
  }
  if (top.manifests.size() == 1) return top.manifests.front();
  // Several entries: a multi-platform layout written flat into index.json.
  bool all_platforms = std::all_of(
      top.manifests.begin(), top.manifests.end(),
      [](const Descriptor& d) { return d.platform || IsAttestation(d); });
  if (all_platforms) {
    return SelectPlatform(top, options.platform.value_or(HostPlatform()),
                          where);
  }
  std::vector<std::string> names;
  for (const Descriptor& d : top.manifests) names.push_back(RefName(d));
  return Fail("{}: holds {} images; name one with ':TAG' (tags: {})", where,
              top.manifests.size(), fmt::join(names, ", "));
}

}  // namespace

Status AttachLayers(Image& image, std::vector<Layer> layers) {
  const ImageConfig& c = image.config;
  if (c.diff_ids.size() != layers.size()) {
    return Fail("the manifest lists {} layers but the config has {} diff IDs",
                layers.size(), c.diff_ids.size());
  }
  size_t step = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    layers[i].index = i;
    layers[i].diff_id = c.diff_ids[i];
    while (step < c.history.size() && c.history[step].empty_layer) ++step;
    if (step < c.history.size()) layers[i].history_index = int(step++);
  }
  image.layers = std::move(layers);
  return {};
}

namespace {

// Resolves an OCI layout held in `files` to one image.
Result<std::unique_ptr<ImageSource>> OpenOciLayout(
    std::unique_ptr<FileSet> files, const ImageRef& ref,
    const OpenOptions& options, std::string_view reference) {
  std::string where = files->name();
  CINCH_ASSIGN(std::string top_json,
               files->ReadSmall(kOciIndexFile, kMaxDocumentBytes));
  auto top = ParseIndex(top_json);
  if (!top) return Fail(top.error().In(where + ": index.json"));
  CINCH_ASSIGN(Descriptor chosen,
               SelectTagged(*top, ref.selector, options, where));

  Image image;
  image.reference = std::string(reference);
  image.transport = ref.transport;
  if (std::string name = RefName(chosen); !name.empty()) {
    image.repo_tags.push_back(name);
  }
  for (int depth = 0; IsIndexMediaType(chosen.media_type); ++depth) {
    if (depth == kMaxIndexDepth) {
      return Fail("{}: indexes nested more than {} deep", where,
                  kMaxIndexDepth);
    }
    CINCH_ASSIGN(std::string json,
                 ReadVerifiedBlob(*files, chosen, "image index"));
    auto index = ParseIndex(json);
    if (!index) return Fail(index.error().In(where + ": " + chosen.digest));
    CINCH_ASSIGN(chosen, SelectPlatform(
                             *index, options.platform.value_or(HostPlatform()),
                             where + ": " + chosen.digest));
  }

  CINCH_ASSIGN(std::string manifest_json,
               ReadVerifiedBlob(*files, chosen, "manifest"));
  auto manifest = ParseManifest(manifest_json);
  if (!manifest) {
    return Fail(manifest.error().In(where + ": manifest " + chosen.digest));
  }
  image.manifest_digest = chosen.digest;
  image.manifest_media_type =
      manifest->media_type.empty() ? chosen.media_type : manifest->media_type;
  CINCH_ASSIGN(std::string config_json,
               ReadVerifiedBlob(*files, manifest->config, "config"));
  auto config = ParseImageConfig(config_json);
  if (!config) {
    return Fail(
        config.error().In(where + ": config " + manifest->config.digest));
  }
  image.config_digest = manifest->config.digest;
  image.config = std::move(*config);
  image.manifest_bytes = std::move(manifest_json);
  image.config_bytes = std::move(config_json);

  std::vector<Layer> layers;
  for (const Descriptor& d : manifest->layers) {
    Layer layer;
    layer.descriptor = d;
    layer.blob_path = BlobPath(d.digest);
    layers.push_back(std::move(layer));
  }
  if (auto ok = AttachLayers(image, std::move(layers)); !ok) {
    return Fail(ok.error().In(where));
  }
  return std::make_unique<FileSetImageSource>(std::move(files),
                                              std::move(image));
}

// The digest a docker-archive path implies: "blobs/sha256/HEX" (Docker 25+)
// or "HEX.json" (classic configs). Empty when the path says nothing.
std::string DigestFromPath(std::string_view path) {
  std::string hex;
  if (path.starts_with("blobs/sha256/")) {
    hex = path.substr(13);
  } else if (path.ends_with(".json") && path.find('/') == std::string::npos) {
    hex = path.substr(0, path.size() - 5);
  }
  std::string digest = "sha256:" + hex;
  return ValidateDigest(digest) ? digest : "";
}

Result<std::unique_ptr<ImageSource>> OpenDockerArchive(
    std::unique_ptr<FileSet> files, const ImageRef& ref,
    std::string_view reference) {
  std::string where = files->name();
  CINCH_ASSIGN(std::string manifest_json,
               files->ReadSmall(kDockerArchiveManifest, kMaxDocumentBytes));
  auto doc = ParseJson(manifest_json, where + ": manifest.json");
  if (!doc) return Fail(doc.error());
  if (!doc->is_array() || doc->empty()) {
    return Fail("{}: manifest.json must be a non-empty array", where);
  }

  // Pick the entry: by "@N", by a RepoTags match, or the only one.
  const Json* entry = nullptr;
  if (ref.source_index >= 0) {
    if (size_t(ref.source_index) >= doc->size()) {
      return Fail("{}: no image @{} (the archive holds {})", where,
                  ref.source_index, doc->size());
    }
    entry = &(*doc)[size_t(ref.source_index)];
  } else if (!ref.selector.empty()) {
    for (const Json& e : *doc) {
      auto tags = GetStringArray(e, "RepoTags");
      if (tags &&
          std::find(tags->begin(), tags->end(), ref.selector) != tags->end()) {
        entry = &e;
      }
    }
    if (entry == nullptr) {
      return Fail("{}: no image tagged '{}'", where, ref.selector);
    }
  } else if (doc->size() == 1) {
    entry = &doc->front();
  } else {
    return Fail("{}: holds {} images; name one with ':REF' or '@INDEX'", where,
                doc->size());
  }
  if (!entry->is_object()) {
    return Fail("{}: manifest.json entries must be objects", where);
  }

  auto in_manifest = [&](const Error& e) {
    return e.In(where + ": manifest.json");
  };
  auto config_path = GetString(*entry, "Config");
  if (!config_path) return Fail(in_manifest(config_path.error()));
  if (config_path->empty()) {
    return Fail("{}: manifest.json entry has no Config", where);
  }
  auto layer_paths = GetStringArray(*entry, "Layers");
  if (!layer_paths) return Fail(in_manifest(layer_paths.error()));
  auto repo_tags = GetStringArray(*entry, "RepoTags");
  if (!repo_tags) return Fail(in_manifest(repo_tags.error()));

  Image image;
  image.reference = std::string(reference);
  image.transport = ref.transport;
  image.repo_tags = std::move(*repo_tags);
  CINCH_ASSIGN(std::string config_json,
               files->ReadSmall(*config_path, kMaxDocumentBytes));
  std::string config_digest = Sha256Digest(config_json);
  if (std::string named = DigestFromPath(*config_path);
      !named.empty() && named != config_digest) {
    return Fail(
        "{}: config '{}' does not match its digest (content hashes "
        "to {})",
        where, *config_path, config_digest);
  }
  auto config = ParseImageConfig(config_json);
  if (!config) return Fail(config.error().In(where + ": " + *config_path));
  image.config_digest = config_digest;
  image.config = std::move(*config);
  image.config_bytes = std::move(config_json);

  std::vector<Layer> layers;
  for (const std::string& path : *layer_paths) {
    auto size = files->SizeOf(path);
    if (!size) {
      return Fail("{}: layer '{}' listed in manifest.json is missing", where,
                  path);
    }
    Layer layer;
    layer.blob_path = path;
    layer.descriptor.digest = DigestFromPath(path);
    layer.descriptor.size = static_cast<int64_t>(*size);
    layer.descriptor.media_type = std::string(media_type::kOciLayer);
    layers.push_back(std::move(layer));
  }
  if (auto ok = AttachLayers(image, std::move(layers)); !ok) {
    return Fail(ok.error().In(where));
  }
  return std::make_unique<FileSetImageSource>(std::move(files),
                                              std::move(image));
}

Result<std::unique_ptr<ImageSource>> OpenRootfs(const ImageRef& ref,
                                                std::string_view reference) {
  std::error_code ec;
  if (!fs::is_directory(ref.path, ec)) {
    return Fail("{}: not a directory", ref.path);
  }
  Image image;
  image.reference = std::string(reference);
  image.transport = Transport::kRootfs;
  image.rootfs_dir = ref.path;
  image.config.platform = HostPlatform();
  Layer layer;
  layer.blob_path = ref.path;
  image.layers.push_back(std::move(layer));
  return std::make_unique<RootfsSource>(std::move(image));
}

bool Exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

// Splits "LOCATION[:SELECTOR]" where LOCATION must exist on disk.
void SplitLocation(std::string_view rest, ImageRef& ref) {
  ref.path = std::string(rest);
  if (Exists(ref.path)) return;
  for (size_t colon = rest.find(':'); colon != std::string_view::npos;
       colon = rest.find(':', colon + 1)) {
    std::string head(rest.substr(0, colon));
    if (!Exists(head)) continue;
    ref.path = head;
    std::string_view selector = rest.substr(colon + 1);
    if (ref.transport == Transport::kDockerArchive &&
        selector.starts_with('@')) {
      int n = 0;
      auto [p, err] = std::from_chars(selector.data() + 1,
                                      selector.data() + selector.size(), n);
      if (err == std::errc() && p == selector.data() + selector.size()) {
        ref.source_index = n;
        return;
      }
    }
    ref.selector = std::string(selector);
    return;
  }
}

// Decides what a bare path holds by looking inside it.
Result<Transport> SniffPath(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    if (fs::exists(fs::path(path) / kOciLayoutFile, ec)) {
      return Transport::kOciLayout;
    }
    if (fs::exists(fs::path(path) / kDockerArchiveManifest, ec)) {
      return Transport::kDockerArchive;
    }
    return Transport::kRootfs;
  }
  if (!fs::exists(path, ec)) {
    return Fail(
        "{}: no such file or directory (registry references need "
        "the docker:// transport)",
        path);
  }
  CINCH_ASSIGN(auto files, OpenTarFileSet(path));
  if (files->SizeOf(kDockerArchiveManifest)) return Transport::kDockerArchive;
  if (files->SizeOf(kOciIndexFile)) return Transport::kOciArchive;
  return Fail(
      "{}: a tar archive, but neither a docker-archive (no "
      "manifest.json) nor an OCI archive (no index.json)",
      path);
}

}  // namespace

std::string_view TransportName(Transport t) {
  switch (t) {
    case Transport::kDockerArchive:
      return "docker-archive";
    case Transport::kOciLayout:
      return "oci";
    case Transport::kOciArchive:
      return "oci-archive";
    case Transport::kRootfs:
      return "rootfs";
    case Transport::kRegistry:
      return "docker";
  }
  return "unknown";
}

Result<ImageRef> ParseImageRef(std::string_view text) {
  if (text.empty()) return Fail("empty image reference");
  ImageRef ref;
  struct Prefix {
    std::string_view name;
    Transport transport;
  };
  static constexpr Prefix kPrefixes[] = {
      {"docker-archive:", Transport::kDockerArchive},
      {"oci-archive:", Transport::kOciArchive},
      {"oci:", Transport::kOciLayout},
      {"rootfs:", Transport::kRootfs},
      {"docker://", Transport::kRegistry},
  };
  for (const Prefix& p : kPrefixes) {
    if (!text.starts_with(p.name)) continue;
    ref.transport = p.transport;
    std::string_view rest = text.substr(p.name.size());
    if (rest.empty()) return Fail("'{}' names no location", text);
    if (p.transport == Transport::kRegistry) {
      ref.path = std::string(rest);
    } else if (p.transport == Transport::kRootfs) {
      ref.path = std::string(rest);
    } else {
      SplitLocation(rest, ref);
    }
    return ref;
  }
  ref.path = std::string(text);
  CINCH_ASSIGN(ref.transport, SniffPath(ref.path));
  return ref;
}

namespace {

// An explicitly requested platform must be the image's, even when the
// source holds a single image and nothing had to be chosen.
Result<std::unique_ptr<ImageSource>> CheckPlatform(
    std::unique_ptr<ImageSource> source, const OpenOptions& options) {
  const Platform& have = source->image().config.platform;
  if (options.platform && !have.architecture.empty() &&
      !PlatformMatches(*options.platform, have)) {
    return Fail("{}: the image is for {}, not the requested {}",
                source->image().reference, have.ToString(),
                options.platform->ToString());
  }
  return source;
}

Result<std::unique_ptr<ImageSource>> OpenImageUnchecked(
    std::string_view reference, const OpenOptions& options) {
  CINCH_ASSIGN(ImageRef ref, ParseImageRef(reference));
  switch (ref.transport) {
    case Transport::kRootfs:
      return OpenRootfs(ref, reference);
    case Transport::kRegistry:
      return OpenRegistryImage(ref, options, reference);
    case Transport::kOciLayout: {
      CINCH_ASSIGN(auto files, OpenDirectoryFileSet(ref.path));
      return OpenOciLayout(std::move(files), ref, options, reference);
    }
    case Transport::kOciArchive: {
      CINCH_ASSIGN(auto files, OpenTarFileSet(ref.path));
      return OpenOciLayout(std::move(files), ref, options, reference);
    }
    case Transport::kDockerArchive: {
      std::error_code ec;
      std::unique_ptr<FileSet> files;
      if (fs::is_directory(ref.path, ec)) {
        CINCH_ASSIGN(files, OpenDirectoryFileSet(ref.path));
      } else {
        CINCH_ASSIGN(files, OpenTarFileSet(ref.path));
      }
      return OpenDockerArchive(std::move(files), ref, reference);
    }
  }
  return Fail("unknown transport");
}

}  // namespace

Result<std::unique_ptr<ImageSource>> OpenImage(std::string_view reference,
                                               const OpenOptions& options) {
  CINCH_ASSIGN(auto source, OpenImageUnchecked(reference, options));
  if (source->image().rootfs_dir) return source;
  return CheckPlatform(std::move(source), options);
}

}  // namespace cinch
