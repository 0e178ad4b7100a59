// Copying one image from a source to a sink (`cinch copy`): the blobs the
// destination lacks, then the manifest, then the commit that makes the
// image appear under its tags. The manifest and config are copied byte for
// byte, so the image keeps its digests.
#ifndef CINCH_IMAGE_COPY_H_
#define CINCH_IMAGE_COPY_H_

#include <functional>
#include <string>
#include <vector>

#include "base/error.h"
#include "image/manifest.h"
#include "image/sink.h"
#include "image/source.h"

namespace cinch {

// What a copy did, step by step, for the caller to report.
struct CopyEvent {
  enum class Kind {
    kBlobExists,   // the destination held it already; not sent
    kBlobCopied,   // its bytes were read from the source and sent
    kBlobMounted,  // the destination took it without reading it (a
                   // registry's cross-repository mount)
    kManifest,     // the manifest was stored
    kCommitted,    // the image is visible at the destination
  };
  Kind kind;
  Descriptor descriptor;  // the blob or the manifest
  std::string what;       // "config", "layer 2", "manifest"
};
using CopyObserver = std::function<void(const CopyEvent&)>;

// The manifest a copy stores: the source's own bytes when it has a
// manifest; for docker-archive (which has none) an OCI manifest built from
// the config and the layers, whose digests are their diff IDs when the
// archive does not name them. Refused for rootfs sources.
Result<std::pair<Descriptor, std::string>> ManifestForCopy(const Image& image);

// Copies the image `source` resolved to into `sink`, then commits it under
// `tags`. Blobs are streamed from the source into the sink one at a time;
// a blob the sink already has is not read. Errors name the blob.
Status CopyImage(const ImageSource& source, ImageSink& sink,
                 const std::vector<std::string>& tags,
                 const CopyObserver& observer);

}  // namespace cinch

#endif  // CINCH_IMAGE_COPY_H_
