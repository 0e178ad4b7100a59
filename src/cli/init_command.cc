// `cinch init`: writes a commented starter policy and .cinch.yaml into a
// repository. Existing files are kept unless --force.
#include <filesystem>

#include "base/io.h"
#include "cli/cli.h"
#include "policy/starter.h"

namespace cinch {
namespace {

struct InitArgs {
  std::string dir = ".";
  std::string policy_name = "cinch-policy.yaml";
  bool force = false;
};

int RunInit(const InitArgs& args, const GlobalOptions& g) {
  namespace fs = std::filesystem;
  const std::pair<fs::path, std::string_view> files[] = {
      {fs::path(args.dir) / args.policy_name, policy::StarterPolicy()},
      {fs::path(args.dir) / ".cinch.yaml", policy::StarterConfig()},
  };
  std::error_code ec;
  if (!args.force) {
    for (const auto& [path, text] : files) {
      if (fs::exists(path, ec)) {
        PrintError(fmt::format("{} exists; use --force to overwrite it",
                               path.string()));
        return kExitUsage;
      }
    }
  }
  for (const auto& [path, text] : files) {
    if (auto ok = WriteFileAtomically(path.string(), text); !ok) {
      PrintError(ok.error().message);
      return kExitInput;
    }
    Log(g, 0, fmt::format("wrote {}", path.string()));
  }
  return kExitOk;
}

}  // namespace

CommandRunner RegisterInit(CLI::App& app, const GlobalOptions& g) {
  auto args = std::make_shared<InitArgs>();
  CLI::App* cmd = app.add_subcommand(
      "init", "Write a starter policy and .cinch.yaml, commented");
  cmd->add_option("dir", args->dir, "Repository directory (default: .)");
  cmd->add_option("--policy-file", args->policy_name,
                  "Name of the policy file (default: cinch-policy.yaml)");
  cmd->add_flag("--force", args->force, "Overwrite existing files");
  return [args, &g] { return RunInit(*args, g); };
}

}  // namespace cinch
