#include <glob.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <iterator>

#include "base/io.h"
#include "cli/cli.h"
#include "lint/config.h"
#include "lint/fix.h"
#include "lint/linter.h"
#include "lint/report.h"
#include "lint/rule.h"

namespace cinch {
namespace {

constexpr size_t kMaxDockerfileBytes = 16 << 20;

struct LintArgs {
  std::vector<std::string> files;
  std::string format = "tty";
  std::string output;
  std::string config;
  std::string explain;
  std::string threshold;
  std::vector<std::string> ignore;
  std::vector<std::string> trusted;
  bool fix = false;
  bool diff = false;
  bool list_rules = false;
};

// Expands globs; a pattern that matches nothing is kept so the error
// names it.
std::vector<std::string> ExpandFiles(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const std::string& p : in) {
    if (p == "-" || p.find_first_of("*?[") == std::string::npos) {
      out.push_back(p);
      continue;
    }
    glob_t g{};
    if (::glob(p.c_str(), 0, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
    } else {
      out.push_back(p);
    }
    ::globfree(&g);
  }
  return out;
}

Result<std::string> ReadInput(const std::string& path) {
  if (path != "-") return ReadFileLimited(path, kMaxDockerfileBytes);
  std::string text((std::istreambuf_iterator<char>(std::cin)),
                   std::istreambuf_iterator<char>());
  if (text.size() > kMaxDockerfileBytes) return Fail("stdin: too large");
  return text;
}

Result<lint::Config> ResolveConfig(const LintArgs& args,
                                   const GlobalOptions& g) {
  lint::Config config;
  std::optional<std::string> file =
      args.config.empty() ? lint::FindConfigFile(".") : args.config;
  if (file) {
    CINCH_ASSIGN(config, lint::LoadConfig(*file));
    Log(g, 1, fmt::format("lint: configuration from {}", *file));
  }
  for (const std::string& id : args.ignore) {
    const lint::RuleInfo* r = lint::FindRule(id);
    if (r == nullptr) return Fail("--ignore: unknown rule \"{}\"", id);
    config.disabled.insert(std::string(r->id));
  }
  for (const std::string& t : args.trusted) {
    config.trusted_registries.push_back(t);
  }
  if (!args.threshold.empty()) {
    if (args.threshold == "none") {
      config.failure_threshold = std::nullopt;
    } else if (auto s = ParseSeverity(args.threshold)) {
      config.failure_threshold = *s;
    } else {
      return Fail("--failure-threshold: bad level \"{}\"", args.threshold);
    }
  }
  return config;
}

int Emit(const LintArgs& args, const std::string& text) {
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

int RunLint(const LintArgs& args, const GlobalOptions& g) {
  if (args.list_rules) return Emit(args, lint::ListRules());
  if (!args.explain.empty()) {
    std::string text = lint::ExplainRule(args.explain);
    if (text.empty()) {
      PrintError(fmt::format("unknown rule \"{}\"", args.explain));
      return kExitUsage;
    }
    return Emit(args, text);
  }
  std::optional<lint::Format> format = lint::ParseFormat(args.format);
  if (!format) {
    PrintError(fmt::format("unknown format \"{}\"", args.format));
    return kExitUsage;
  }
  auto config = ResolveConfig(args, g);
  if (!config) {
    PrintError(config.error().message);
    return kExitUsage;
  }

  std::vector<std::string> files = ExpandFiles(
      args.files.empty() ? std::vector<std::string>{"Dockerfile"} : args.files);
  std::vector<lint::FileReport> reports;
  std::string diffs;
  int status = kExitOk;
  for (const std::string& path : files) {
    auto text = ReadInput(path);
    if (!text) {
      PrintError(text.error().message);
      status = kExitInput;
      continue;
    }
    lint::LintOptions options{*config, ""};
    if (path != "-") {
      std::filesystem::path dir = std::filesystem::path(path).parent_path();
      options.context_dir = dir.empty() ? "." : dir.string();
    }
    std::string current = *text;
    if (args.fix || args.diff) {
      std::string fixed = lint::FixDockerfile(path, current, options);
      if (args.diff) {
        diffs += lint::UnifiedDiff(current, fixed,
                                   path == "-" ? "Dockerfile" : path);
        continue;
      }
      if (path == "-") {
        std::fwrite(fixed.data(), 1, fixed.size(), stdout);
        continue;
      }
      if (fixed != current) {
        if (auto ok = WriteFileAtomically(path, fixed); !ok) {
          PrintError(ok.error().message);
          status = kExitInput;
          continue;
        }
        Log(g, 0, fmt::format("fixed {}", path));
      }
      current = std::move(fixed);
    }
    lint::LintResult r = lint::LintDockerfile(path, current, options);
    reports.push_back(lint::FileReport{path, std::move(r.findings)});
  }
  if (args.diff) {
    std::fwrite(diffs.data(), 1, diffs.size(), stdout);
    return status;
  }
  if (args.fix && files.size() == 1 && files[0] == "-") return status;

  lint::ReportOptions ro;
  ro.color = args.output.empty() && UseColor(g, STDOUT_FILENO);
  ro.tool_version = CINCH_VERSION;
  if (int e = Emit(args, lint::FormatReport(reports, *format, ro)); e != 0) {
    return e;
  }
  if (status != kExitOk) return status;
  if (config->failure_threshold) {
    for (const lint::FileReport& f : reports) {
      for (const Finding& finding : f.findings) {
        if (finding.severity >= *config->failure_threshold) return kExitPolicy;
      }
    }
  }
  return kExitOk;
}

}  // namespace

CommandRunner RegisterLint(CLI::App& app, const GlobalOptions& g) {
  auto args = std::make_shared<LintArgs>();
  CLI::App* cmd = app.add_subcommand(
      "lint", "Check Dockerfiles against the shrink-and-harden playbook");
  cmd->add_option("files", args->files,
                  "Dockerfiles or globs; '-' reads stdin (default: "
                  "Dockerfile)");
  cmd->add_option("-f,--format", args->format,
                  "tty, json, sarif, junit or checkstyle");
  cmd->add_option("-o,--output", args->output,
                  "Write the report to FILE (atomically) instead of stdout");
  cmd->add_option("-c,--config", args->config,
                  "Configuration file (default: .cinch.yaml, else "
                  ".hadolint.yaml, searched upwards)");
  cmd->add_flag("--fix", args->fix,
                "Apply safe fixes in place (stdin: print the fixed file)");
  cmd->add_flag("--diff", args->diff,
                "With or without --fix: print the fixes as a unified diff, "
                "change nothing");
  cmd->add_option("--explain", args->explain, "Explain a rule (ID or alias)");
  cmd->add_flag("--list-rules", args->list_rules, "List every rule");
  cmd->add_option("--ignore", args->ignore, "Disable a rule (repeatable)");
  cmd->add_option("--trusted-registry", args->trusted,
                  "Allow base images only from these registries");
  cmd->add_option("--failure-threshold", args->threshold,
                  "Exit 1 when a finding reaches this level: style, info, "
                  "warning (default), error, none");
  return [args, &g] { return RunLint(*args, g); };
}

}  // namespace cinch
