// cinch copy SRC DEST: copies one image, keeping its digests.
#include <fmt/format.h>

#include "cli/cli.h"
#include "image/copy.h"
#include "image/registry.h"
#include "image/sink.h"

namespace cinch {
namespace {

constexpr std::string_view kRegistryPrefix = "docker://";

struct CopyArgs {
  std::string source;
  std::string destination;
  std::string platform;
  OpenOptions from;  // credentials and TLS for a docker:// source
  SinkOptions to;    // ... and destination
  int64_t chunk_bytes = 0;
};

std::string Describe(const CopyEvent& e, std::string_view mount_from) {
  using Kind = CopyEvent::Kind;
  switch (e.kind) {
    case Kind::kBlobExists:
      return fmt::format("{} {}: already there", e.what, e.descriptor.digest);
    case Kind::kBlobCopied:
      return fmt::format("{} {}: copied ({} bytes)", e.what,
                         e.descriptor.digest, e.descriptor.size);
    case Kind::kBlobMounted:
      return fmt::format("{} {}: mounted from {}", e.what, e.descriptor.digest,
                         mount_from);
    case Kind::kManifest:
      return fmt::format("manifest {}: stored ({})", e.descriptor.digest,
                         e.descriptor.media_type);
    case Kind::kCommitted:
      return "";
  }
  return "";
}

bool NamesTransport(std::string_view destination) {
  for (std::string_view t :
       {"docker://", "oci:", "oci-archive:", "docker-archive:"}) {
    if (destination.starts_with(t)) return true;
  }
  return false;
}

int RunCopy(const CopyArgs& args, const GlobalOptions& g) {
  if (!NamesTransport(args.destination)) {
    PrintError(fmt::format(
        "'{}': name the destination's transport: docker://HOST/REPO[:TAG], "
        "oci:DIR[:TAG], oci-archive:FILE[:TAG] or docker-archive:FILE[:REF]",
        args.destination));
    return kExitUsage;
  }
  int exit_code = kExitOk;
  auto source =
      OpenCommandImage(args.source, args.platform, args.from, exit_code);
  if (!source) return exit_code;

  // A registry source on the destination's registry lends its blobs by
  // cross-repository mount.
  PushOptions push;
  if (args.chunk_bytes > 0) {
    push.monolithic_max_bytes = args.chunk_bytes;
    push.chunk_bytes = args.chunk_bytes;
  }
  if (args.source.starts_with(kRegistryPrefix)) {
    auto ref = ParseRegistryRef(args.source.substr(kRegistryPrefix.size()));
    if (ref) push.mount_from = ref->registry + "/" + ref->repository;
  }
  // Registries take push options; local destinations go through OpenSink.
  std::string_view dest = args.destination;
  auto sink =
      dest.starts_with(kRegistryPrefix)
          ? OpenRegistrySink(dest.substr(kRegistryPrefix.size()), args.to, push)
          : OpenSink(dest, args.to);
  if (!sink) {
    PrintError(sink.error().message);
    return kExitInput;
  }

  Log(g, 1,
      fmt::format("{}: {} layers", args.source, source->image().layers.size()));
  auto copied = CopyImage(*source, **sink, {}, [&](const CopyEvent& e) {
    if (std::string line = Describe(e, push.mount_from); !line.empty()) {
      fmt::print("{}\n", line);
    }
  });
  if (!copied) {
    PrintError(fmt::format("{}: {}", args.destination, copied.error().message));
    return kExitInput;
  }
  fmt::print("copied {} to {}\n", args.source, args.destination);
  return kExitOk;
}

}  // namespace

CommandRunner RegisterCopy(CLI::App& app, const GlobalOptions& g) {
  auto args = std::make_shared<CopyArgs>();
  CLI::App* cmd = app.add_subcommand(
      "copy",
      "Copy an image between registries and local layouts, keeping "
      "its digests");
  cmd->add_option("source", args->source,
                  "Image: docker://[HOST/]REPO[:TAG|@DIGEST], oci:DIR[:TAG], "
                  "oci-archive:FILE[:TAG], docker-archive:FILE, or a path")
      ->required();
  cmd->add_option("destination", args->destination,
                  "docker://HOST/REPO[:TAG|@DIGEST], oci:DIR[:TAG], "
                  "oci-archive:FILE[:TAG] or docker-archive:FILE[:REF]")
      ->required();
  cmd->add_option("--platform", args->platform,
                  "os/arch[/variant] to pick from a multi-platform source "
                  "(default: this machine's)");
  cmd->add_option("--authfile", args->from.registry_auth_file,
                  "Registry auth file for both sides (default: "
                  "$REGISTRY_AUTH_FILE, else ~/.docker/config.json)");
  cmd->add_option("--src-creds", args->from.registry_creds,
                  "USER:PASSWORD for a docker:// source");
  cmd->add_option("--dest-creds", args->to.registry_creds,
                  "USER:PASSWORD for the destination registry");
  cmd->add_option("--src-ca-file", args->from.registry_ca_file,
                  "PEM CA certificates to trust for the source registry");
  cmd->add_option("--dest-ca-file", args->to.registry_ca_file,
                  "PEM CA certificates to trust for the destination");
  cmd->add_option("--src-tls-verify", args->from.registry_tls_verify,
                  "false: accept any certificate from the source registry");
  cmd->add_option("--dest-tls-verify", args->to.registry_tls_verify,
                  "false: accept any certificate from the destination");
  cmd->add_option("--chunk-size", args->chunk_bytes,
                  "Upload blobs larger than BYTES in chunks of BYTES "
                  "(default: 16 MiB)")
      ->check(CLI::Range(int64_t(1) << 10, int64_t(1) << 30));
  return [args, &g] {
    CopyArgs resolved = *args;
    resolved.to.registry_auth_file = args->from.registry_auth_file;
    return RunCopy(resolved, g);
  };
}

}  // namespace cinch
