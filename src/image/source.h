// Opening an image: a reference names a transport and a location; the
// source resolves it to one image (manifest, config, layers) and serves the
// layers' blobs. Blobs are read lazily and never verified here: the layer
// walk verifies digests as the bytes stream past.
#ifndef CINCH_IMAGE_SOURCE_H_
#define CINCH_IMAGE_SOURCE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/io.h"
#include "image/manifest.h"

namespace cinch {

// Transports, named as skopeo names them.
enum class Transport {
  kDockerArchive,  // docker-archive:FILE[:REF|@INDEX]
  kOciLayout,      // oci:DIR[:TAG]
  kOciArchive,     // oci-archive:FILE[:TAG]
  kRootfs,         // rootfs:DIR, an unpacked file system
  kRegistry,       // docker://HOST/REPO:TAG
};

std::string_view TransportName(Transport t);

struct ImageRef {
  Transport transport = Transport::kDockerArchive;
  std::string path;       // file or directory; the reference for kRegistry
  std::string selector;   // tag or docker reference inside an archive
  int source_index = -1;  // docker-archive "@N"
};

// Parses "transport:location" or a bare path. A bare path is recognised by
// what it holds: an OCI layout directory, any other directory (rootfs), a
// tar holding manifest.json (docker-archive) or index.json (oci-archive).
Result<ImageRef> ParseImageRef(std::string_view text);

struct Layer {
  size_t index = 0;
  // The blob as the manifest describes it. For the classic docker-archive
  // layout the digest is unknown (empty) and only the diff ID is checked.
  Descriptor descriptor;
  std::string blob_path;   // inside the source's file set
  std::string diff_id;     // from the config; empty for rootfs
  int history_index = -1;  // config.history step that made this layer
};

struct Image {
  std::string reference;  // as the user wrote it
  Transport transport = Transport::kDockerArchive;
  std::string manifest_digest;  // empty when the source has no manifest
  std::string manifest_media_type;
  std::string config_digest;
  ImageConfig config;
  std::vector<Layer> layers;
  std::vector<std::string> repo_tags;
  // The exact bytes of the manifest and the config as the source holds
  // them, so that a copy keeps their digests. manifest_bytes is empty when
  // the source has no manifest (docker-archive, rootfs), config_bytes for
  // rootfs.
  std::string manifest_bytes;
  std::string config_bytes;
  // Set for rootfs: the directory that is the image's only layer.
  std::optional<std::string> rootfs_dir;
};

struct OpenOptions {
  // Platform to pick from an index; nullopt means the host's.
  std::optional<Platform> platform;

  // Registry access (docker:// references; see image/registry.h).
  std::string registry_creds;      // "USER:PASS"; empty: from the auth file
  std::string registry_auth_file;  // empty: $REGISTRY_AUTH_FILE or Docker's
  std::string registry_ca_file;    // PEM CAs trusted instead of the system's
  bool registry_tls_verify = true;
};

// An opened image. Thread-safe: OpenBlob may be called from several threads.
class ImageSource {
 public:
  virtual ~ImageSource() = default;
  const Image& image() const { return image_; }

  // The stored bytes of a layer's blob, as stored (usually compressed).
  virtual Result<std::unique_ptr<ByteReader>> OpenBlob(
      const Layer& layer) const = 0;

 protected:
  Image image_;
};

Result<std::unique_ptr<ImageSource>> OpenImage(std::string_view reference,
                                               const OpenOptions& options);

}  // namespace cinch

#endif  // CINCH_IMAGE_SOURCE_H_
