// The JSON documents of an image: descriptors, manifests, indexes and the
// image configuration, as the OCI image specification (v1.1) and Docker's
// Image Manifest V2, Schema 2 define them. Parsers accept both families
// and refuse anything they cannot interpret with a message naming the field.
#ifndef CINCH_IMAGE_MANIFEST_H_
#define CINCH_IMAGE_MANIFEST_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace cinch {

namespace media_type {
// OCI image-spec media-types.md.
inline constexpr std::string_view kOciIndex =
    "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciManifest =
    "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciConfig =
    "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kOciLayer =
    "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kOciLayerGzip =
    "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view kOciLayerZstd =
    "application/vnd.oci.image.layer.v1.tar+zstd";
// Docker Image Manifest V2, Schema 2.
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerConfig =
    "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kDockerLayerGzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view kDockerForeignLayerGzip =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
}  // namespace media_type

// Largest manifest, index or config cinch will read. Real ones are a few
// kilobytes; registries commonly cap manifests at 4 MiB.
inline constexpr size_t kMaxDocumentBytes = 8 << 20;

struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;
  std::string os_version;

  // "os/arch[/variant]".
  std::string ToString() const;
};

// Parses "os/arch[/variant]", e.g. "linux/arm64/v8".
Result<Platform> ParsePlatform(std::string_view text);

// The platform of the machine cinch runs on, as OCI names it.
Platform HostPlatform();

// True if an image built for `have` runs where `want` is asked for. Empty
// fields of `want` match anything; "arm64" without a variant matches "v8".
bool PlatformMatches(const Platform& want, const Platform& have);

struct Descriptor {
  std::string media_type;
  std::string digest;
  int64_t size = 0;
  std::optional<Platform> platform;
  std::map<std::string, std::string> annotations;
  std::vector<std::string> urls;
};

// An image index or Docker manifest list.
struct Index {
  std::string media_type;
  std::vector<Descriptor> manifests;
};

struct Manifest {
  std::string media_type;
  Descriptor config;
  std::vector<Descriptor> layers;
  std::map<std::string, std::string> annotations;
};

struct HistoryStep {
  std::string created;
  std::string created_by;
  std::string comment;
  bool empty_layer = false;
};

// The parts of the image configuration (config.md) cinch uses.
struct ImageConfig {
  Platform platform;
  std::string created;
  std::string user;
  std::vector<std::string> env;
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::string working_dir;
  std::vector<std::string> exposed_ports;
  std::map<std::string, std::string> labels;
  bool has_healthcheck = false;
  std::vector<std::string> diff_ids;
  std::vector<HistoryStep> history;
};

// What kind of top-level document a JSON blob is, judged by its mediaType
// field and, when that is absent (it is optional in OCI), by its shape.
enum class DocumentKind { kIndex, kManifest, kUnknown };
DocumentKind SniffDocument(std::string_view json);

Result<Index> ParseIndex(std::string_view json);
Result<Manifest> ParseManifest(std::string_view json);
Result<ImageConfig> ParseImageConfig(std::string_view json);

}  // namespace cinch

#endif  // CINCH_IMAGE_MANIFEST_H_
