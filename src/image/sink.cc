#include "image/sink.h"

#include "image/local_sink.h"

namespace cinch {

Result<std::unique_ptr<ImageSink>> OpenSink(std::string_view reference,
                                            const SinkOptions& options) {
  (void)options;  // only registry destinations use it
  auto after = [&](std::string_view prefix) {
    return reference.substr(prefix.size());
  };
  if (reference.starts_with("oci:")) {
    return OpenLocalSink(LocalSinkKind::kOciLayout, after("oci:"));
  }
  if (reference.starts_with("oci-archive:")) {
    return OpenLocalSink(LocalSinkKind::kOciArchive, after("oci-archive:"));
  }
  if (reference.starts_with("docker-archive:")) {
    return OpenLocalSink(LocalSinkKind::kDockerArchive,
                         after("docker-archive:"));
  }
  if (reference.starts_with("docker://")) {
    // Registry push (image/registry_sink.cc) plugs in here.
    return Fail("'{}': writing to a registry (docker://) is not supported yet",
                reference);
  }
  return Fail(
      "'{}': name the destination's transport: oci:DIR[:TAG], "
      "oci-archive:FILE[:TAG] or docker-archive:FILE[:REF]",
      reference);
}

}  // namespace cinch
