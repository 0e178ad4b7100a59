#include "image/sink.h"

#include "image/local_sink.h"
#include "image/registry.h"

namespace cinch {

Result<std::unique_ptr<ImageSink>> OpenSink(std::string_view reference,
                                            const SinkOptions& options) {
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
    return OpenRegistrySink(after("docker://"), options);
  }
  return Fail(
      "'{}': name the destination's transport: oci:DIR[:TAG], "
      "oci-archive:FILE[:TAG], docker-archive:FILE[:REF] or "
      "docker://HOST/REPO[:TAG]",
      reference);
}

}  // namespace cinch
