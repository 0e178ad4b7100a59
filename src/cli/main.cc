#include <unistd.h>

#include <cstdio>
#include <map>

#include <fmt/format.h>

#include "cli/cli.h"

namespace cinch {

void PrintError(std::string_view message) {
  fmt::print(stderr, "cinch: error: {}\n", message);
}

std::unique_ptr<ImageSource> OpenCommandImage(const std::string& reference,
                                              const std::string& platform,
                                              OpenOptions options,
                                              int& exit_code) {
  if (!platform.empty()) {
    auto parsed = ParsePlatform(platform);
    if (!parsed) {
      PrintError(parsed.error().message);
      exit_code = kExitUsage;
      return nullptr;
    }
    options.platform = *parsed;
  }
  auto source = OpenImage(reference, options);
  if (!source) {
    PrintError(source.error().message);
    exit_code = kExitInput;
    return nullptr;
  }
  return std::move(*source);
}

void Log(const GlobalOptions& g, int level, std::string_view message) {
  if (g.verbosity >= level) fmt::print(stderr, "cinch: {}\n", message);
}

bool UseColor(const GlobalOptions& g, int fd) {
  if (g.color == "always") return true;
  if (g.color == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::string_view(term) == "dumb") return false;
  return ::isatty(fd) == 1;
}

namespace {

int Run(int argc, char** argv) {
  CLI::App app{"cinch: small, hard container images, kept that way in CI",
               "cinch"};
  app.set_version_flag("--version", std::string(CINCH_VERSION));
  app.require_subcommand(1);
  // Global flags may also follow the subcommand: "cinch inspect -q X".
  app.fallthrough();
  GlobalOptions g;
  app.add_flag("-v,--verbose", g.verbosity,
               "More detail on stderr (repeat for more)");
  app.add_option("--color", g.color, "Colour output: auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_flag("-q,--quiet", g.quiet, "No progress bar");

  std::map<const CLI::App*, CommandRunner> runners;
  CommandRunner inspect = RegisterInspect(app, g);
  runners[app.get_subcommand("inspect")] = inspect;
  runners[app.get_subcommand("sbom")] = RegisterSbom(app, g);
  runners[app.get_subcommand("db")] = RegisterDb(app, g);
  runners[app.get_subcommand("scan")] = RegisterScan(app, g);
  runners[app.get_subcommand("lint")] = RegisterLint(app, g);
  runners[app.get_subcommand("slim")] = RegisterSlim(app, g);
  runners[app.get_subcommand("copy")] = RegisterCopy(app, g);
  runners[app.get_subcommand("facts")] = RegisterFacts(app, g);
  runners[app.get_subcommand("check")] = RegisterCheck(app, g);
  runners[app.get_subcommand("init")] = RegisterInit(app, g);
  runners[app.get_subcommand("policy")] = RegisterPolicy(app, g);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    PrintError(e.what());
    fmt::print(stderr, "Run 'cinch --help' for usage.\n");
    return kExitUsage;
  }
  for (const CLI::App* sub : app.get_subcommands()) {
    auto it = runners.find(sub);
    if (it != runners.end()) return it->second();
  }
  return kExitUsage;
}

}  // namespace
}  // namespace cinch

int main(int argc, char** argv) { return cinch::Run(argc, argv); }
