// `cinch facts IMAGE`: the facts document (docs/schemas/facts-v1.schema.json)
// that policies read, for jq, Conftest or OPA. Also the gathering pass
// that `cinch check` shares.
#include <unistd.h>

#include <cstdio>

#include "base/io.h"
#include "cli/gather.h"
#include "cli/progress.h"
#include "harden/harden.h"
#include "lint/config.h"
#include "policy/policy.h"

namespace cinch {
namespace {

constexpr size_t kMaxDockerfileBytes = 16 << 20;

struct Settings {
  lint::Config lint;
  harden::Settings harden;
};

// --config, else .cinch.yaml (or .hadolint.yaml for the linter) here or
// above; both the lint and the inspect sections come from it.
Result<Settings> LoadSettings(const GatherArgs& args) {
  Settings out;
  std::optional<std::string> file =
      args.config.empty() ? lint::FindConfigFile(".") : args.config;
  if (!file) return out;
  CINCH_ASSIGN(out.lint, lint::LoadConfig(*file));
  if (!file->ends_with(".hadolint.yaml") && !file->ends_with(".hadolint.yml")) {
    CINCH_ASSIGN(out.harden, harden::LoadSettings(*file));
  }
  return out;
}

}  // namespace

void AddGatherOptions(CLI::App* cmd, GatherArgs& args) {
  cmd->add_option("image", args.image,
                  "Image: docker-archive:FILE, oci:DIR[:TAG], "
                  "oci-archive:FILE[:TAG], rootfs:DIR, "
                  "docker://[HOST/]REPO[:TAG|@DIGEST], or a path")
      ->required();
  cmd->add_option("--dockerfile", args.dockerfile,
                  "Dockerfile the image was built from: linted, and findings "
                  "name the instruction that made them");
  cmd->add_option("--db", args.db,
                  "Advisory database (cinch db): check vulnerabilities");
  cmd->add_option("--config", args.config,
                  "Configuration file (default: .cinch.yaml here or above)");
  cmd->add_option("--platform", args.platform,
                  "os/arch[/variant] to pick from a multi-platform image");
  cmd->add_option("--threads", args.threads,
                  "Layers read at once (default: one per core)");
  cmd->add_option("--creds", args.registry.registry_creds,
                  "USER:PASSWORD for a docker:// registry");
  cmd->add_option("--authfile", args.registry.registry_auth_file,
                  "Registry auth file");
}

Gathered GatherFromArgs(const GatherArgs& args, const GlobalOptions& g,
                        bool only_fixed) {
  Gathered out;
  auto fail = [&](int code, const Error& e) {
    PrintError(e.message);
    out.exit_code = code;
    return std::move(out);
  };
  OpenOptions open = args.registry;
  if (!args.platform.empty()) {
    auto platform = ParsePlatform(args.platform);
    if (!platform) return fail(kExitUsage, platform.error());
    open.platform = *platform;
  }
  auto settings = LoadSettings(args);
  if (!settings) return fail(kExitUsage, settings.error());
  auto now = policy::NowFromEnvironment();
  if (!now) return fail(kExitUsage, now.error());

  policy::GatherOptions options;
  options.lint_config = settings->lint;
  options.harden_settings = settings->harden;
  options.now = *now;
  options.only_fixed = only_fixed;
  options.walk.threads = args.threads;
  if (!args.dockerfile.empty()) {
    auto text = ReadFileLimited(args.dockerfile, kMaxDockerfileBytes);
    if (!text) return fail(kExitInput, text.error());
    options.dockerfile_path = args.dockerfile;
    options.dockerfile_text = std::move(*text);
  }
  if (!args.db.empty()) {
    auto store = AdvisoryStore::Open(args.db, false);
    if (!store) return fail(kExitInput, store.error());
    out.store = std::move(*store);
    AdvisoryStore* db = out.store.get();
    options.advisory_source.affected = [db](std::string_view eco,
                                            std::string_view name) {
      return db->FindAffected(eco, name);
    };
    options.advisory_source.record = [db](std::string_view id) {
      return db->Get(id);
    };
    options.advisory_db = args.db;
  }
  auto source = OpenImage(args.image, open);
  if (!source) return fail(kExitInput, source.error());
  out.source = std::move(*source);
  uint64_t total = 0;
  for (const Layer& l : out.source->image().layers) {
    total += uint64_t(l.descriptor.size);
  }
  Result<policy::Facts> facts;
  {
    Progress progress("reading layers", total,
                      !g.quiet && UseColor(GlobalOptions{}, STDERR_FILENO));
    options.walk.progress = progress.counter();
    facts = policy::GatherFacts(*out.source, options);
  }
  if (!facts) return fail(kExitInput, facts.error());
  out.facts = std::move(*facts);
  return out;
}

namespace {

struct FactsArgs {
  GatherArgs gather;
  std::string output;
};

int RunFacts(const FactsArgs& args, const GlobalOptions& g) {
  Gathered gathered = GatherFromArgs(args.gather, g, false);
  if (gathered.exit_code != kExitOk) return gathered.exit_code;
  std::string text =
      policy::FactsToJson(gathered.facts, CINCH_VERSION).dump(2) + "\n";
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

CommandRunner RegisterFacts(CLI::App& app, const GlobalOptions& g) {
  auto args = std::make_shared<FactsArgs>();
  CLI::App* cmd = app.add_subcommand(
      "facts",
      "Everything cinch knows about an image as one JSON document (input "
      "for policies: jq, Conftest, OPA)");
  AddGatherOptions(cmd, args->gather);
  cmd->add_option("-o,--output", args->output,
                  "Write the document to FILE (atomically) instead of stdout");
  return [args, &g] { return RunFacts(*args, g); };
}

}  // namespace cinch
