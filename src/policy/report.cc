#include "policy/report.h"

#include <ctime>
#include <map>

#include <fmt/format.h>

#include "report/inspect_report.h"

namespace cinch::policy {
namespace {

std::string Where(const Violation& v) {
  std::vector<std::string> parts;
  if (v.source.line > 0 && !v.source.path.empty()) {
    parts.push_back(fmt::format("{}:{}", v.source.path, v.source.line));
  }
  if (!v.path.empty() && v.path != v.source.path) parts.push_back(v.path);
  if (v.layer >= 0) parts.push_back(fmt::format("layer {}", v.layer + 1));
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

size_t Excepted(const Verdict& verdict) {
  return verdict.violations.size() - verdict.counting;
}

std::string Headline(const Verdict& v, const Facts& facts) {
  std::string excepted =
      Excepted(v) > 0 ? fmt::format(", {} excepted", Excepted(v)) : "";
  if (v.pass) {
    return fmt::format(
        "PASS {}: {} violation{} under the failure "
        "threshold{}",
        facts.image.reference, v.counting, v.counting == 1 ? "" : "s",
        excepted);
  }
  return fmt::format("FAIL {}: {} violation{} fail the policy{}",
                     facts.image.reference, v.failing,
                     v.failing == 1 ? "" : "s", excepted);
}

}  // namespace

std::string VerdictToText(const Verdict& verdict, const Facts& facts,
                          const Policy& policy, bool color) {
  auto paint = [&](std::string_view code, std::string_view s) {
    return color ? fmt::format("\x1b[{}m{}\x1b[0m", code, s) : std::string(s);
  };
  std::string out =
      paint(verdict.pass ? "1;32" : "1;31", Headline(verdict, facts)) + "\n";
  for (const Violation& v : verdict.violations) {
    if (!v.excepted_by.empty()) continue;
    bool fails = v.severity >= policy.failure_threshold;
    out += fmt::format("\n{} {} {}\n",
                       paint(fails ? "31" : "33", SeverityName(v.severity)),
                       paint("1", v.rule), v.message);
    if (std::string w = Where(v); !w.empty()) out += "  at:  " + w + "\n";
    if (!v.expired_exception.empty()) {
      out += "  note: " + v.expired_exception + "\n";
    }
    if (!v.fix.empty()) out += "  fix: " + v.fix + "\n";
  }
  if (Excepted(verdict) > 0) out += "\nExcepted:\n";
  for (const Violation& v : verdict.violations) {
    if (v.excepted_by.empty()) continue;
    out += fmt::format("  {} {} ({})\n", v.rule, v.message, v.excepted_by);
  }
  return out;
}

namespace {

std::string MdCell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string VerdictToMarkdown(const Verdict& verdict, const Facts& facts,
                              const Policy& policy) {
  std::string out = fmt::format("### {} cinch check: {}\n\n{}\n\n",
                                verdict.pass ? ":white_check_mark:" : ":x:",
                                verdict.pass ? "passed" : "failed",
                                MdCell(Headline(verdict, facts)));
  if (verdict.counting > 0) {
    out +=
        "| Severity | Rule | Violation | Where | Fix |\n"
        "|---|---|---|---|---|\n";
    for (const Violation& v : verdict.violations) {
      if (!v.excepted_by.empty()) continue;
      std::string sev(SeverityName(v.severity));
      if (v.severity >= policy.failure_threshold) sev = "**" + sev + "**";
      out += fmt::format("| {} | `{}` | {}{} | {} | {} |\n", sev, v.rule,
                         MdCell(v.message),
                         v.expired_exception.empty()
                             ? ""
                             : " (" + MdCell(v.expired_exception) + ")",
                         MdCell(Where(v)), MdCell(v.fix));
    }
  }
  if (Excepted(verdict) > 0) {
    out += "\n<details><summary>Excepted violations</summary>\n\n";
    for (const Violation& v : verdict.violations) {
      if (v.excepted_by.empty()) continue;
      out += fmt::format("- `{}` {} ({})\n", v.rule, MdCell(v.message),
                         MdCell(v.excepted_by));
    }
    out += "\n</details>\n";
  }
  const InspectReport& r = facts.inspect;
  out += fmt::format(
      "\n{} layers, {} compressed, {} uncompressed, {:.1f}% efficient, "
      "{} packages",
      r.layer_count, HumanBytes(r.compressed_bytes),
      HumanBytes(r.uncompressed_bytes), r.efficiency * 100,
      facts.catalog.packages.size());
  if (facts.vulnerabilities_checked) {
    out += fmt::format(", {} vulnerabilities", facts.vulnerabilities.size());
  }
  return out + ".\n";
}

std::string VerdictToJson(const Verdict& verdict, const Policy& policy,
                          const nlohmann::json& facts_json) {
  nlohmann::json violations = nlohmann::json::array();
  nlohmann::json excepted = nlohmann::json::array();
  for (const Violation& v : verdict.violations) {
    nlohmann::json j = {{"rule", v.rule},
                        {"finding", v.finding},
                        {"aliases", v.aliases},
                        {"severity", SeverityName(v.severity)},
                        {"fails", v.severity >= policy.failure_threshold},
                        {"message", v.message},
                        {"fix", v.fix},
                        {"path", v.path},
                        {"package", v.package},
                        {"layer", v.layer < 0 ? nlohmann::json(nullptr)
                                              : nlohmann::json(v.layer + 1)}};
    if (v.source.line > 0) {
      j["source"] = {{"path", v.source.path},
                     {"line", v.source.line},
                     {"end_line", v.source.end_line}};
    }
    if (!v.expired_exception.empty()) {
      j["expired_exception"] = v.expired_exception;
    }
    if (v.excepted_by.empty()) {
      violations.push_back(std::move(j));
    } else {
      j["excepted_by"] = v.excepted_by;
      excepted.push_back(std::move(j));
    }
  }
  nlohmann::json doc = {
      {"verdict", verdict.pass ? "pass" : "fail"},
      {"policy", policy.source},
      {"failure_threshold", SeverityName(policy.failure_threshold)},
      {"image", facts_json.value("image", nlohmann::json::object())},
      {"violations", violations},
      {"excepted", excepted},
      {"facts", facts_json}};
  return doc.dump(2) + "\n";
}

std::vector<lint::FileReport> VerdictToFindings(const Verdict& verdict,
                                                const Facts& facts) {
  std::map<std::string, std::vector<Finding>> by_file;
  std::string image = facts.image.reference;
  by_file[image];
  for (const Violation& v : verdict.violations) {
    if (!v.excepted_by.empty()) continue;
    Finding f;
    f.rule = v.rule;
    if (!v.finding.empty()) f.aliases.push_back(v.finding);
    f.aliases.insert(f.aliases.end(), v.aliases.begin(), v.aliases.end());
    f.severity = v.severity;
    f.message = v.fix.empty() ? v.message
                              : fmt::format("{} (fix: {})", v.message, v.fix);
    if (v.source.line > 0 && !v.source.path.empty()) {
      f.location = v.source;
    } else {
      // A path inside the image, relative so SARIF takes it as a URI
      // reference; image-wide violations point at the image.
      f.location.path = v.path.empty()            ? image
                        : v.path.starts_with("/") ? v.path.substr(1)
                                                  : v.path;
      f.location.layer = v.diff_id;
    }
    by_file[f.location.path].push_back(std::move(f));
  }
  std::vector<lint::FileReport> out;
  for (auto& [path, findings] : by_file) {
    out.push_back(lint::FileReport{path, std::move(findings)});
  }
  return out;
}

std::string VerdictToLintFormat(const Verdict& verdict, const Facts& facts,
                                lint::Format format,
                                std::string_view tool_version, int64_t now) {
  lint::ReportOptions options;
  options.tool_version = std::string(tool_version);
  options.suite_name = "cinch check";
  std::time_t t = std::time_t(now);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  options.junit_timestamp = stamp;
  for (const RuleInfo& r : BuiltinRules()) {
    options.extra_rules.push_back(
        lint::RuleInfo{r.id, "", "", r.severity, true, false, r.title, r.fix});
  }
  return lint::FormatReport(VerdictToFindings(verdict, facts), format, options);
}

}  // namespace cinch::policy
