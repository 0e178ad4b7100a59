// `cinch policy export --kyverno|--vap POLICY`: the deploy-time rules of a
// policy as a cluster admission policy. `cinch policy rules` lists the
// built-in rules.
#include <cstdio>

#include "base/io.h"
#include "cli/cli.h"
#include "policy/export.h"
#include "policy/policy.h"

namespace cinch {
namespace {

struct PolicyArgs {
  std::string policy;
  bool kyverno = false;
  bool vap = false;
  bool audit = false;
  std::string name = "cinch-policy";
  std::string output;
};

int Emit(const std::string& output, const std::string& text) {
  if (output.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
  }
  if (auto ok = WriteFileAtomically(output, text); !ok) {
    PrintError(ok.error().message);
    return kExitInput;
  }
  return kExitOk;
}

int RunExport(const PolicyArgs& args) {
  if (args.kyverno == args.vap) {
    PrintError("give exactly one of --kyverno and --vap");
    return kExitUsage;
  }
  auto loaded = policy::LoadPolicy(args.policy);
  if (!loaded) {
    PrintError(loaded.error().message);
    return kExitUsage;
  }
  policy::ExportOptions options;
  options.name = args.name;
  options.enforce = !args.audit;
  auto text = args.kyverno
                  ? policy::ExportKyverno(*loaded, options)
                  : policy::ExportValidatingAdmissionPolicy(*loaded, options);
  if (!text) {
    PrintError(fmt::format("{}: {}", args.policy, text.error().message));
    return kExitUsage;
  }
  return Emit(args.output, *text);
}

int RunRules() {
  std::string out;
  for (const policy::RuleInfo& r : policy::BuiltinRules()) {
    out += fmt::format("{}  {:<24} {}\n", r.id, r.key, r.title);
  }
  return Emit("", out);
}

}  // namespace

CommandRunner RegisterPolicy(CLI::App& app, const GlobalOptions& g) {
  (void)g;
  auto args = std::make_shared<PolicyArgs>();
  CLI::App* cmd =
      app.add_subcommand("policy", "Work with policy files (export, rules)");
  cmd->require_subcommand(1);
  CLI::App* exp = cmd->add_subcommand(
      "export",
      "Deploy-time rules as a Kyverno ClusterPolicy or a Kubernetes "
      "ValidatingAdmissionPolicy");
  exp->add_option("policy", args->policy, "Policy file (YAML)")->required();
  exp->add_flag("--kyverno", args->kyverno, "Kyverno ClusterPolicy");
  exp->add_flag("--vap", args->vap,
                "ValidatingAdmissionPolicy and its binding (CEL)");
  exp->add_flag("--audit", args->audit,
                "Report violations instead of refusing (Audit / Warn)");
  exp->add_option("--name", args->name,
                  "metadata.name (default: "
                  "cinch-policy)");
  exp->add_option("-o,--output", args->output, "Write to FILE");
  CLI::App* rules = cmd->add_subcommand("rules", "List the built-in rules");
  return [args, exp, rules] {
    if (exp->parsed()) return RunExport(*args);
    if (rules->parsed()) return RunRules();
    return int(kExitUsage);
  };
}

}  // namespace cinch
