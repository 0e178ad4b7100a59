// `cinch sbom IMAGE`: every package in the image as CycloneDX, SPDX or a
// table.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "base/io.h"
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "cli/progress.h"
#include "sbom/sbom.h"

namespace cinch {
namespace {

struct SbomArgs {
  std::string image;
  std::string format = "cyclonedx-json";
  std::string output;
  std::string platform;
  unsigned threads = 0;
};

// SOURCE_DATE_EPOCH (reproducible-builds.org) when set, else now.
Result<int64_t> CreationTime() {
  const char* env = std::getenv("SOURCE_DATE_EPOCH");
  if (env == nullptr || *env == '\0') return int64_t(std::time(nullptr));
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(env, &end, 10);
  if (errno != 0 || *end != '\0' || v < 0) {
    return Fail("SOURCE_DATE_EPOCH='{}' is not a number of seconds", env);
  }
  return int64_t(v);
}

std::string Render(const Sbom& sbom, const std::string& format,
                   const SbomWriteOptions& options) {
  if (format == "cyclonedx-json") {
    return WriteCycloneDx(sbom, SbomFormat::kCycloneDx16, options);
  }
  if (format == "cyclonedx-1.5-json") {
    return WriteCycloneDx(sbom, SbomFormat::kCycloneDx15, options);
  }
  if (format == "spdx-json") return WriteSpdx(sbom, options);
  return WriteSbomTable(sbom);
}

int RunSbom(const SbomArgs& args, const GlobalOptions& g) {
  auto created = CreationTime();
  if (!created) {
    PrintError(created.error().message);
    return kExitUsage;
  }
  int exit_code = kExitOk;
  auto source =
      OpenCommandImage(args.image, args.platform, OpenOptions{}, exit_code);
  if (!source) return exit_code;
  const Image& image = source->image();
  Log(g, 1,
      fmt::format("{}: {} layers, transport {}", args.image,
                  image.layers.size(), TransportName(image.transport)));

  uint64_t total = 0;
  for (const Layer& l : image.layers) total += uint64_t(l.descriptor.size);
  WalkOptions walk_options;
  walk_options.threads = args.threads;
  Result<Catalog> catalog;
  {
    Progress progress("reading layers", total,
                      !g.quiet && UseColor(GlobalOptions{}, STDERR_FILENO));
    walk_options.progress = progress.counter();
    catalog = CatalogImage(*source, walk_options);
  }
  if (!catalog) {
    PrintError(catalog.error().message);
    return kExitInput;
  }
  for (const CatalogProblem& p : catalog->problems) {
    Log(g, 1,
        fmt::format("skipped {} in layer {}: {}", p.path, p.layer + 1,
                    p.message));
  }
  Log(g, 1, fmt::format("{} packages", catalog->packages.size()));

  SbomWriteOptions options;
  options.created_unix = *created;
  options.tool_version = CINCH_VERSION;
  std::string text =
      Render(MakeSbom(image, std::move(*catalog)), args.format, options);
  if (args.output.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
  }
  if (auto ok = WriteFileAtomically(args.output, text); !ok) {
    PrintError(ok.error().message);
    return kExitInput;
  }
  return kExitOk;
}

}  // namespace

CommandRunner RegisterSbom(CLI::App& app, const GlobalOptions& g) {
  auto args = std::make_shared<SbomArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sbom", "List every package in an image as an SBOM (CycloneDX, SPDX)");
  cmd->add_option("image", args->image,
                  "Image: docker-archive:FILE, oci:DIR[:TAG], "
                  "oci-archive:FILE[:TAG], rootfs:DIR, or a path")
      ->required();
  cmd->add_option("-f,--format", args->format,
                  "cyclonedx-json (1.6), cyclonedx-1.5-json, spdx-json "
                  "(2.3) or table")
      ->check(CLI::IsMember(
          {"cyclonedx-json", "cyclonedx-1.5-json", "spdx-json", "table"}));
  cmd->add_option("-o,--output", args->output,
                  "Write the SBOM to FILE (atomically) instead of stdout");
  cmd->add_option("--platform", args->platform,
                  "os/arch[/variant] to pick from a multi-platform image "
                  "(default: this machine's)");
  cmd->add_option("--threads", args->threads,
                  "Layers read at once (default: one per core)");
  return [args, &g] { return RunSbom(*args, g); };
}

}  // namespace cinch
