#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "analyze/inspect.h"
#include "base/io.h"
#include "cli/cli.h"
#include "cli/progress.h"
#include "harden/harden.h"
#include "harden/sarif.h"
#include "harden/trace.h"
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
  bool no_findings = false;
  std::string dockerfile;
  std::string config;
  std::string failure_threshold;
  OpenOptions registry;  // credentials and TLS for docker:// references
};

constexpr size_t kMaxDockerfileBytes = 4 << 20;

// The `inspect:` section of the configuration: --config, else .cinch.yaml
// or .cinch.yml in the working directory or a parent.
Result<harden::Settings> LoadInspectSettings(const InspectArgs& args) {
  if (!args.config.empty()) return harden::LoadSettings(args.config);
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::current_path(ec);
  while (!ec && !dir.empty()) {
    for (const char* name : {".cinch.yaml", ".cinch.yml"}) {
      std::filesystem::path p = dir / name;
      if (std::filesystem::is_regular_file(p, ec)) {
        return harden::LoadSettings(p.string());
      }
    }
    if (dir == dir.root_path()) break;
    dir = dir.parent_path();
  }
  return harden::Settings{};
}

int64_t NowSeconds() {
  // CINCH_NOW (seconds since the epoch) pins "now" for reproducible output.
  if (const char* fixed = std::getenv("CINCH_NOW")) return std::atoll(fixed);
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

size_t TerminalWidth() {
  struct winsize ws;
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    return ws.ws_col;
  }
  return 120;
}

int RunInspect(const InspectArgs& args, const GlobalOptions& g) {
  if (args.format == "sarif" && args.no_findings) {
    PrintError("--format sarif writes the findings; drop --no-findings");
    return kExitUsage;
  }
  int exit_code = kExitOk;
  auto source =
      OpenCommandImage(args.image, args.platform, args.registry, exit_code);
  if (!source) return exit_code;
  const Image& image = source->image();
  Log(g, 1,
      fmt::format("{}: {} layers, transport {}", args.image,
                  image.layers.size(), TransportName(image.transport)));

  std::unique_ptr<harden::Hardener> hardener;
  harden::Settings settings;
  if (!args.no_findings) {
    auto loaded = LoadInspectSettings(args);
    if (!loaded) {
      PrintError(loaded.error().message);
      return kExitUsage;
    }
    settings = *loaded;
    if (!args.failure_threshold.empty()) {
      settings.failure_threshold = args.failure_threshold == "none"
                                       ? std::nullopt
                                       : ParseSeverity(args.failure_threshold);
    }
    harden::Options options;
    options.settings = settings;
    options.now = NowSeconds();
    auto created = harden::Hardener::Create(image.layers.size(), options);
    if (!created) {
      PrintError(created.error().message);
      return kExitInput;
    }
    hardener = std::move(*created);
  }

  uint64_t total = 0;
  for (const Layer& l : image.layers) total += uint64_t(l.descriptor.size);
  WalkOptions walk_options;
  walk_options.threads = args.threads;
  Result<ImageWalk> walk;
  {
    Progress progress("reading layers", total,
                      !g.quiet && UseColor(GlobalOptions{}, STDERR_FILENO));
    walk_options.progress = progress.counter();
    std::vector<Analyzer*> extra;
    if (hardener) extra.push_back(hardener.get());
    walk = WalkImage(*source, extra, walk_options);
  }
  if (!walk) {
    PrintError(walk.error().message);
    return kExitInput;
  }
  InspectOptions options;
  options.top = args.top;
  options.list_files = args.list_files;
  InspectReport report = Summarize(image, *walk, options);
  if (hardener) {
    report.findings_checked = true;
    report.findings = hardener->Collect(image, walk->tree, &report.secret_scan);
  }
  if (hardener && !args.dockerfile.empty()) {
    auto text = ReadFileLimited(args.dockerfile, kMaxDockerfileBytes);
    auto trace =
        text ? harden::DockerfileTrace::Build(image.config, *text,
                                              args.dockerfile)
             : Result<harden::DockerfileTrace>(std::unexpected(text.error()));
    if (!trace) {
      PrintError(trace.error().message);
      return kExitInput;
    }
    trace->Apply(image, report.findings);
  }
  bool failed = false;
  if (settings.failure_threshold) {
    for (const ImageFinding& f : report.findings) {
      failed |= f.finding.severity >= *settings.failure_threshold;
    }
  }
  int ok = failed ? kExitPolicy : kExitOk;

  std::string text;
  if (args.format == "json") {
    text = InspectToJson(report);
  } else if (args.format == "sarif") {
    text = harden::FindingsToSarif(report.findings, CINCH_VERSION);
  } else {
    TextOptions t;
    t.color = args.output.empty() && UseColor(g, STDOUT_FILENO);
    t.width = args.output.empty() ? TerminalWidth() : 120;
    text = InspectToText(report, t);
  }
  if (args.output.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return ok;
  }
  if (auto written = WriteFileAtomically(args.output, text); !written) {
    PrintError(written.error().message);
    return kExitInput;
  }
  return ok;
}

}  // namespace

CommandRunner RegisterInspect(CLI::App& app, const GlobalOptions& g) {
  auto args = std::make_shared<InspectArgs>();
  CLI::App* cmd = app.add_subcommand(
      "inspect", "Show layers, sizes, wasted bytes and removable files");
  cmd->add_option("image", args->image,
                  "Image: docker-archive:FILE, oci:DIR[:TAG], "
                  "oci-archive:FILE[:TAG], rootfs:DIR, "
                  "docker://[HOST/]REPO[:TAG|@DIGEST], or a path")
      ->required();
  cmd->add_option("-f,--format", args->format,
                  "table, json, or sarif (the findings as SARIF 2.1.0)")
      ->check(CLI::IsMember({"table", "json", "sarif"}));
  cmd->add_option("-o,--output", args->output,
                  "Write the report to FILE (atomically) instead of stdout");
  cmd->add_option("--platform", args->platform,
                  "os/arch[/variant] to pick from a multi-platform image "
                  "(default: this machine's)");
  cmd->add_option("--creds", args->registry.registry_creds,
                  "USER:PASSWORD for a docker:// registry (default: the "
                  "auth file's entry, else anonymous)");
  cmd->add_option("--authfile", args->registry.registry_auth_file,
                  "Registry auth file (default: $REGISTRY_AUTH_FILE, else "
                  "~/.docker/config.json)");
  cmd->add_option("--ca-file", args->registry.registry_ca_file,
                  "PEM file of CA certificates to trust for the registry");
  cmd->add_option("--tls-verify", args->registry.registry_tls_verify,
                  "false: accept any registry certificate, and plain HTTP "
                  "from registries that do not speak TLS");
  cmd->add_option("--top", args->top, "Rows in each 'largest' list")
      ->check(CLI::Range(1, 10000));
  cmd->add_flag("--files", args->list_files,
                "With --format json: list every visible path");
  cmd->add_option("--threads", args->threads,
                  "Layers read at once (default: one per core)");
  cmd->add_option("--dockerfile", args->dockerfile,
                  "Dockerfile the image was built from: findings name the "
                  "instruction that made their layer");
  cmd->add_option("--config", args->config,
                  "Configuration file (default: .cinch.yaml here or above)");
  cmd->add_option("--failure-threshold", args->failure_threshold,
                  "Exit 1 when a finding is at least this severe "
                  "(default: none, or the config's inspect.failure-threshold)")
      ->check(CLI::IsMember({"style", "info", "warning", "error", "none"}));
  cmd->add_flag("--no-findings", args->no_findings,
                "Skip the hardening checks (secrets, binaries, permissions, "
                "configuration)");
  return [args, &g] { return RunInspect(*args, g); };
}

}  // namespace cinch
