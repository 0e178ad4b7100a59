// `cinch scan IMAGE|SBOM`: known vulnerabilities in an image's packages,
// from the local advisory database, with exceptions and VEX applied.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>

#include "advisory/store.h"
#include "base/io.h"
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "cli/progress.h"
#include "match/policy.h"
#include "report/scan_report.h"
#include "sbom/sbom.h"

namespace cinch {
namespace {

// A point in time, for the phase timings that -vv prints.
struct Milliseconds {
  std::chrono::steady_clock::time_point at = std::chrono::steady_clock::now();
  int64_t Since(const Milliseconds& earlier) const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(at -
                                                                 earlier.at)
        .count();
  }
};

struct ScanArgs {
  std::string target;
  std::string db;
  std::string format = "table";
  std::string output;
  std::string fail_on;
  std::string exceptions;
  std::vector<std::string> vex;
  std::string platform;
  bool only_fixed = false;
  bool show_suppressed = false;
  int max_age_days = 7;
};

// An SBOM is a JSON file; anything else is an image reference.
bool LooksLikeSbom(const std::string& target) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(target, ec)) return false;
  auto file = File::Open(target);
  if (!file) return false;
  char head[64] = {};
  auto n = file->ReadSomeAt(0, head);
  if (!n) return false;
  for (size_t i = 0; i < *n; ++i) {
    if (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' ||
        head[i] == '\t') {
      continue;
    }
    return head[i] == '{';
  }
  return false;
}

// Packages and distro of the target: read from an SBOM, or catalogued
// from the image.
Result<std::pair<Distro, std::vector<Package>>> LoadPackages(
    const ScanArgs& args, const GlobalOptions& g) {
  if (LooksLikeSbom(args.target)) {
    CINCH_ASSIGN(Sbom sbom, ReadSbom(args.target));
    Log(g, 1,
        fmt::format("{}: SBOM by {} with {} packages", args.target,
                    sbom.tool.empty() ? "unknown tool" : sbom.tool,
                    sbom.packages.size()));
    return std::make_pair(sbom.distro, std::move(sbom.packages));
  }
  OpenOptions open;
  if (!args.platform.empty()) {
    CINCH_ASSIGN(open.platform, ParsePlatform(args.platform));
  }
  CINCH_ASSIGN(std::unique_ptr<ImageSource> source,
               OpenImage(args.target, open));
  uint64_t total = 0;
  for (const Layer& l : source->image().layers) {
    total += uint64_t(l.descriptor.size);
  }
  WalkOptions walk_options;
  Result<Catalog> catalog;
  {
    Progress progress("reading layers", total,
                      !g.quiet && UseColor(GlobalOptions{}, STDERR_FILENO));
    walk_options.progress = progress.counter();
    catalog = CatalogImage(*source, walk_options);
  }
  if (!catalog) return Fail(catalog.error());
  for (const CatalogProblem& p : catalog->problems) {
    Log(g, 1,
        fmt::format("skipped {} in layer {}: {}", p.path, p.layer + 1,
                    p.message));
  }
  return std::make_pair(catalog->distro, std::move(catalog->packages));
}

Status LoadPolicy(const ScanArgs& args, std::vector<RiskException>& exceptions,
                  std::vector<VexStatement>& vex) {
  if (!args.exceptions.empty()) {
    CINCH_ASSIGN(std::string text, ReadFileLimited(args.exceptions, 16 << 20));
    CINCH_ASSIGN(exceptions, ParseExceptions(text, args.exceptions));
  }
  for (const std::string& path : args.vex) {
    CINCH_ASSIGN(std::string text, ReadFileLimited(path, 64 << 20));
    CINCH_ASSIGN(std::vector<VexStatement> statements,
                 ParseOpenVex(text, path));
    vex.insert(vex.end(), statements.begin(), statements.end());
  }
  return {};
}

std::string Render(const ScanReport& report, const ScanArgs& args,
                   const GlobalOptions& g) {
  if (args.format == "json") return ScanToJson(report);
  if (args.format == "sarif") return ScanToSarif(report);
  if (args.format == "cyclonedx-json") return ScanToCycloneDx(report);
  ScanTableOptions options;
  options.color = args.output.empty() && UseColor(g, STDOUT_FILENO);
  options.show_suppressed = args.show_suppressed;
  return ScanToTable(report, options);
}

int RunScan(const ScanArgs& args, const GlobalOptions& g) {
  std::vector<RiskException> exceptions;
  std::vector<VexStatement> vex;
  if (auto ok = LoadPolicy(args, exceptions, vex); !ok) {
    PrintError(ok.error().message);
    return kExitInput;
  }
  std::string db_path = args.db.empty() ? DefaultStorePath() : args.db;
  Milliseconds since_start;
  auto store = AdvisoryStore::Open(db_path, false);
  if (!store) {
    PrintError(store.error().message);
    return kExitInput;
  }
  auto newest_modified = (*store)->NewestModified();
  if (!newest_modified) {
    PrintError(newest_modified.error().message);
    return kExitInput;
  }
  std::time_t now = std::time(nullptr);
  auto newest = ParseTimestamp(*newest_modified);
  if (!newest || (now - *newest) / 86400 > args.max_age_days) {
    Log(g, 0,
        fmt::format("warning: advisory database {} is stale (newest record "
                    "{}); findings may be missing",
                    db_path, *newest_modified));
  }

  auto loaded = LoadPackages(args, g);
  Milliseconds since_load;
  if (!loaded) {
    PrintError(loaded.error().message);
    return kExitInput;
  }
  ScanReport report;
  report.target = args.target;
  report.distro = loaded->first;
  report.packages = std::move(loaded->second);
  report.database = db_path;
  report.database_newest = *newest_modified;
  report.tool_version = CINCH_VERSION;
  report.created_unix = now;
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) {
    report.created_unix = std::strtoll(epoch, nullptr, 10);
  }

  // Several packages often share a name (one Go module in many binaries,
  // the toolchain in each); their affected entries are read once, and so
  // is each record that matches.
  AdvisoryStore& db = **store;
  std::map<std::string, std::vector<AffectedCandidate>, std::less<>> entries;
  std::map<std::string, Advisory, std::less<>> records;
  AdvisorySource source;
  source.affected = [&db, &entries](std::string_view eco, std::string_view name)
      -> Result<std::vector<AffectedCandidate>> {
    std::string key = fmt::format("{}\n{}", eco, name);
    if (auto it = entries.find(key); it != entries.end()) return it->second;
    CINCH_ASSIGN(std::vector<AffectedCandidate> found,
                 db.FindAffected(eco, name));
    return entries.emplace(key, std::move(found)).first->second;
  };
  source.record = [&db, &records](std::string_view id) -> Result<Advisory> {
    if (auto it = records.find(id); it != records.end()) return it->second;
    CINCH_ASSIGN(Advisory found, db.Get(id));
    return records.emplace(id, std::move(found)).first->second;
  };
  auto matched = MatchPackages(report.distro, report.packages, source);
  Milliseconds since_match;
  if (!matched) {
    PrintError(matched.error().message);
    return kExitInput;
  }
  report.notes = std::move(matched->notes);
  for (VulnFinding& f : matched->findings) {
    if (args.only_fixed && f.fixed_version.empty()) continue;
    report.findings.push_back(std::move(f));
  }
  ApplyPolicy(report.packages, exceptions, vex, now, report.findings);
  for (const std::string& note : report.notes) Log(g, 1, note);
  for (const VulnFinding& f : report.findings) {
    if (!f.expired_exception.empty()) {
      Log(g, 0,
          fmt::format("warning: {} in {}: {}", f.id,
                      report.packages[f.package_index].name,
                      f.expired_exception));
    }
  }

  std::string text = Render(report, args, g);
  Log(g, 2,
      fmt::format(
          "scan: database opened and {} packages read in {} ms, matched in {} "
          "ms ({} findings), report written in {} ms",
          report.packages.size(), since_load.Since(since_start),
          since_match.Since(since_load), report.findings.size(),
          Milliseconds().Since(since_match)));
  if (args.output.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
  } else if (auto ok = WriteFileAtomically(args.output, text); !ok) {
    PrintError(ok.error().message);
    return kExitInput;
  }

  if (!args.fail_on.empty()) {
    VulnSeverity threshold =
        ParseVulnSeverity(args.fail_on).value_or(VulnSeverity::kLow);
    for (const VulnFinding& f : report.findings) {
      if (f.suppressed_by.empty() && f.severity >= threshold) {
        return kExitPolicy;
      }
    }
  }
  return kExitOk;
}

}  // namespace

CommandRunner RegisterScan(CLI::App& app, const GlobalOptions& g) {
  auto args = std::make_shared<ScanArgs>();
  CLI::App* cmd = app.add_subcommand(
      "scan",
      "Known vulnerabilities of an image or SBOM, from the local "
      "advisory database");
  cmd->add_option("target", args->target,
                  "Image (docker-archive:FILE, oci:DIR[:TAG], "
                  "oci-archive:FILE, rootfs:DIR, path) or a CycloneDX/SPDX "
                  "JSON SBOM")
      ->required();
  cmd->add_option("--db", args->db,
                  "Advisory database (default: $XDG_CACHE_HOME/cinch/"
                  "advisories.db)");
  cmd->add_option("-f,--format", args->format,
                  "table, json, sarif or cyclonedx-json")
      ->check(CLI::IsMember({"table", "json", "sarif", "cyclonedx-json"}));
  cmd->add_option("-o,--output", args->output,
                  "Write the report to FILE (atomically) instead of stdout");
  cmd->add_option("--fail-on", args->fail_on,
                  "Exit 1 when a finding of this severity or worse remains: "
                  "unknown, low, medium, high or critical")
      ->check(CLI::IsMember({"unknown", "low", "medium", "high", "critical"}));
  cmd->add_flag("--only-fixed", args->only_fixed,
                "Report only vulnerabilities with a known fix");
  cmd->add_option("--exceptions", args->exceptions,
                  "YAML file of accepted risks with expiry dates");
  cmd->add_option("--vex", args->vex,
                  "OpenVEX document (repeatable); not_affected and fixed "
                  "statements suppress findings");
  cmd->add_flag("--show-suppressed", args->show_suppressed,
                "List suppressed findings in the table too");
  cmd->add_option("--platform", args->platform,
                  "os/arch[/variant] of a multi-platform image");
  cmd->add_option("--max-age", args->max_age_days,
                  "Warn when the newest advisory is older (days)");
  return [args, &g] { return RunScan(*args, g); };
}

}  // namespace cinch
