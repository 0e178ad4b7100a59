// Writing an image: the mirror of image/source.h. A sink receives the
// blobs of one image (layers and config), then its manifest, then a
// commit that makes the image appear at the destination all at once.
// `cinch slim` writes through a sink; `cinch copy` pairs a source with one.
//
// Contract, for every sink:
//   - Blobs arrive with their digest and size known. The sink verifies
//     both as the bytes stream in and refuses a mismatch; it never trusts
//     the caller's descriptor alone.
//   - HasBlob lets a caller skip a blob the destination already holds
//     (a registry's existing layers, a layout being added to).
//   - PutManifest takes the exact bytes whose SHA-256 the descriptor
//     names; sinks that need other forms (docker-archive's manifest.json)
//     derive them from these bytes.
//   - Nothing is visible at the destination before Commit returns
//     successfully; a sink destroyed without Commit leaves no partial
//     image behind (local sinks write to a temporary sibling and rename;
//     a registry makes the tag point at the manifest last).
#ifndef CINCH_IMAGE_SINK_H_
#define CINCH_IMAGE_SINK_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/io.h"
#include "image/manifest.h"
#include "image/source.h"

namespace cinch {

class ImageSink {
 public:
  virtual ~ImageSink() = default;

  // True if the destination already holds a blob with this digest.
  virtual Result<bool> HasBlob(const Descriptor& blob) = 0;

  // Stores a layer or config blob, reading `content` to its end.
  virtual Status PutBlob(const Descriptor& blob, ByteReader& content) = 0;

  // Stores the image manifest; `manifest.digest` is the SHA-256 of `bytes`.
  // Called once, after every blob it references.
  virtual Status PutManifest(const Descriptor& manifest,
                             std::string_view bytes) = 0;

  // Makes the image visible at the destination, under `tags` (a tag, or a
  // docker reference for docker-archive's RepoTags; may be empty).
  virtual Status Commit(const std::vector<std::string>& tags) = 0;
};

struct SinkOptions {
  // Registry access, as for OpenOptions (docker:// destinations).
  std::string registry_creds;
  std::string registry_auth_file;
  std::string registry_ca_file;
  bool registry_tls_verify = true;
};

// Opens a destination named like a source ("oci:DIR[:TAG]",
// "oci-archive:FILE[:TAG]", "docker-archive:FILE[:REF]",
// "docker://HOST/REPO:TAG"). A destination needs its transport spelled
// out: there is nothing yet to sniff.
Result<std::unique_ptr<ImageSink>> OpenSink(std::string_view reference,
                                            const SinkOptions& options);

}  // namespace cinch

#endif  // CINCH_IMAGE_SINK_H_
