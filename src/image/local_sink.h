// Sinks for destinations on the local file system: an OCI image layout
// directory, an OCI layout in a tar file, and a `docker save` archive
// (manifest.json naming blobs under blobs/sha256/, as Docker 25 writes).
// All stage their files in a hidden temporary sibling of the destination
// and appear with one rename at Commit; archives are written with fixed
// member order and timestamps, so the same image gives the same bytes.
#ifndef CINCH_IMAGE_LOCAL_SINK_H_
#define CINCH_IMAGE_LOCAL_SINK_H_

#include <memory>
#include <string_view>

#include "image/sink.h"

namespace cinch {

enum class LocalSinkKind { kOciLayout, kOciArchive, kDockerArchive };

// `location` is "PATH[:TAG]" (":REF" for docker-archive, e.g.
// "app.tar:example/app:1"). An existing OCI layout directory is added to:
// its blobs are kept and index.json gains the new manifest, replacing any
// entry with the same tag. Archives are replaced whole.
Result<std::unique_ptr<ImageSink>> OpenLocalSink(LocalSinkKind kind,
                                                 std::string_view location);

}  // namespace cinch

#endif  // CINCH_IMAGE_LOCAL_SINK_H_
