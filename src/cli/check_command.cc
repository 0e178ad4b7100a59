// `cinch check --policy P IMAGE`: one pass over the layers gathering every
// fact (inspect, hardening, SBOM, scan, lint), then the policy. Prints the
// verdict first, then each violation with its fix; writes any number of
// reports with --output FORMAT=FILE.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "base/io.h"
#include "cli/gather.h"
#include "policy/policy.h"
#include "policy/report.h"
#include "sbom/sbom.h"

namespace cinch {
namespace {

struct CheckArgs {
  GatherArgs gather;
  std::string policy;
  std::vector<std::string> outputs;  // FORMAT=FILE
};

struct OutputSpec {
  std::string format;
  std::string path;
};

constexpr std::string_view kFormats[] = {
    "text",  "json",  "markdown",       "sarif",
    "junit", "facts", "cyclonedx-json", "spdx-json"};

Result<std::vector<OutputSpec>> ParseOutputs(
    const std::vector<std::string>& specs) {
  std::vector<OutputSpec> out;
  for (const std::string& s : specs) {
    size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == s.size()) {
      return Fail("--output {}: expected FORMAT=FILE", s);
    }
    OutputSpec o{s.substr(0, eq), s.substr(eq + 1)};
    if (std::find(std::begin(kFormats), std::end(kFormats), o.format) ==
        std::end(kFormats)) {
      return Fail(
          "--output {}: unknown format \"{}\" (text, json, markdown, "
          "sarif, junit, facts, cyclonedx-json, spdx-json)",
          s, o.format);
    }
    out.push_back(std::move(o));
  }
  return out;
}

int64_t CreationTime() {
  const char* env = std::getenv("SOURCE_DATE_EPOCH");
  if (env != nullptr && *env != '\0') return std::strtoll(env, nullptr, 10);
  return int64_t(std::time(nullptr));
}

std::string Render(const OutputSpec& o, const policy::Verdict& verdict,
                   const policy::Facts& facts, const policy::Policy& p,
                   const nlohmann::json& facts_json, int64_t now) {
  if (o.format == "text") return VerdictToText(verdict, facts, p, false);
  if (o.format == "json") return VerdictToJson(verdict, p, facts_json);
  if (o.format == "markdown") return VerdictToMarkdown(verdict, facts, p);
  if (o.format == "facts") return facts_json.dump(2) + "\n";
  if (o.format == "sarif" || o.format == "junit") {
    return VerdictToLintFormat(
        verdict, facts,
        o.format == "sarif" ? lint::Format::kSarif : lint::Format::kJunit,
        CINCH_VERSION, now);
  }
  SbomWriteOptions options;
  options.created_unix = CreationTime();
  options.tool_version = CINCH_VERSION;
  Sbom sbom = MakeSbom(facts.image, facts.catalog);
  if (o.format == "spdx-json") return WriteSpdx(sbom, options);
  return WriteCycloneDx(sbom, SbomFormat::kCycloneDx16, options);
}

int RunCheck(const CheckArgs& args, const GlobalOptions& g) {
  auto outputs = ParseOutputs(args.outputs);
  if (!outputs) {
    PrintError(outputs.error().message);
    return kExitUsage;
  }
  auto loaded = policy::LoadPolicy(args.policy);
  if (!loaded) {
    PrintError(loaded.error().message);
    return kExitUsage;
  }
  const policy::Policy& p = *loaded;
  Gathered gathered = GatherFromArgs(args.gather, g, p.vuln_only_fixed);
  if (gathered.exit_code != kExitOk) return gathered.exit_code;
  auto now = policy::NowFromEnvironment();
  if (!now) {
    PrintError(now.error().message);
    return kExitUsage;
  }
  nlohmann::json facts_json =
      policy::FactsToJson(gathered.facts, CINCH_VERSION);
  auto verdict = policy::Evaluate(p, gathered.facts, facts_json, *now);
  if (!verdict) {
    PrintError(verdict.error().message);
    return kExitUsage;
  }
  std::string summary = policy::VerdictToText(*verdict, gathered.facts, p,
                                              UseColor(g, STDOUT_FILENO));
  std::fwrite(summary.data(), 1, summary.size(), stdout);
  for (const OutputSpec& o : *outputs) {
    std::string text = Render(o, *verdict, gathered.facts, p, facts_json, *now);
    if (auto ok = WriteFileAtomically(o.path, text); !ok) {
      PrintError(ok.error().message);
      return kExitInput;
    }
    Log(g, 1, fmt::format("wrote {} to {}", o.format, o.path));
  }
  return verdict->pass ? kExitOk : kExitPolicy;
}

}  // namespace

CommandRunner RegisterCheck(CLI::App& app, const GlobalOptions& g) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Apply a policy to an image (and its Dockerfile): one gate for CI");
  cmd->add_option("-p,--policy", args->policy, "Policy file (YAML)")
      ->required();
  AddGatherOptions(cmd, args->gather);
  cmd->add_option("-o,--output", args->outputs,
                  "FORMAT=FILE, repeatable: text, json, markdown, sarif, "
                  "junit, facts, cyclonedx-json, spdx-json");
  return [args, &g] { return RunCheck(*args, g); };
}

}  // namespace cinch
