#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

#include "analyze/inspect.h"
#include "base/io.h"
#include "cli/cli.h"
#include "cli/progress.h"
#include "report/inspect_report.h"

namespace cinch {
namespace {

struct InspectArgs {
  std::string image;
  std::string format = "table";
  std::string output;
  std::string platform;
  size_t top = 10;
  unsigned threads = 0;
  bool list_files = false;
};

size_t TerminalWidth() {
  struct winsize ws;
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    return ws.ws_col;
  }
  return 120;
}

int RunInspect(const InspectArgs& args, const GlobalOptions& g) {
  OpenOptions open;
  if (!args.platform.empty()) {
    auto platform = ParsePlatform(args.platform);
    if (!platform) {
      PrintError(platform.error().message);
      return kExitUsage;
    }
    open.platform = *platform;
  }
  auto source = OpenImage(args.image, open);
  if (!source) {
    PrintError(source.error().message);
    return kExitInput;
  }
  const Image& image = (*source)->image();
  Log(g, 1,
      fmt::format("{}: {} layers, transport {}", args.image,
                  image.layers.size(), TransportName(image.transport)));

  uint64_t total = 0;
  for (const Layer& l : image.layers) total += uint64_t(l.descriptor.size);
  WalkOptions walk_options;
  walk_options.threads = args.threads;
  Result<ImageWalk> walk;
  {
    Progress progress("reading layers", total,
                      !g.quiet && UseColor(GlobalOptions{}, STDERR_FILENO));
    walk_options.progress = progress.counter();
    walk = WalkImage(**source, {}, walk_options);
  }
  if (!walk) {
    PrintError(walk.error().message);
    return kExitInput;
  }
  InspectOptions options;
  options.top = args.top;
  options.list_files = args.list_files;
  InspectReport report = Summarize(image, *walk, options);

  std::string text;
  if (args.format == "json") {
    text = InspectToJson(report);
  } else {
    TextOptions t;
    t.color = args.output.empty() && UseColor(g, STDOUT_FILENO);
    t.width = args.output.empty() ? TerminalWidth() : 120;
    text = InspectToText(report, t);
  }
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

CommandRunner RegisterInspect(CLI::App& app, const GlobalOptions& g) {
  auto args = std::make_shared<InspectArgs>();
  CLI::App* cmd = app.add_subcommand(
      "inspect", "Show layers, sizes, wasted bytes and removable files");
  cmd->add_option("image", args->image,
                  "Image: docker-archive:FILE, oci:DIR[:TAG], "
                  "oci-archive:FILE[:TAG], rootfs:DIR, or a path")
      ->required();
  cmd->add_option("-f,--format", args->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_option("-o,--output", args->output,
                  "Write the report to FILE (atomically) instead of stdout");
  cmd->add_option("--platform", args->platform,
                  "os/arch[/variant] to pick from a multi-platform image "
                  "(default: this machine's)");
  cmd->add_option("--top", args->top, "Rows in each 'largest' list")
      ->check(CLI::Range(1, 10000));
  cmd->add_flag("--files", args->list_files,
                "With --format json: list every visible path");
  cmd->add_option("--threads", args->threads,
                  "Layers read at once (default: one per core)");
  return [args, &g] { return RunInspect(*args, g); };
}

}  // namespace cinch
