#include "lint/report.h"

#include <map>
#include <variant>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lint/rule.h"

namespace cinch::lint {

std::optional<Format> ParseFormat(std::string_view n) {
  if (n == "tty" || n == "text") return Format::kTty;
  if (n == "json") return Format::kJson;
  if (n == "sarif") return Format::kSarif;
  if (n == "junit") return Format::kJunit;
  if (n == "checkstyle") return Format::kCheckstyle;
  return std::nullopt;
}

namespace {

std::string AliasText(const Finding& f) {
  std::string out;
  for (const std::string& a : f.aliases) out += (out.empty() ? "" : ",") + a;
  return out;
}

std::string Tty(const std::vector<FileReport>& files, bool color) {
  auto paint = [&](std::string_view code, std::string_view s) {
    return color ? fmt::format("\x1b[{}m{}\x1b[0m", code, s) : std::string(s);
  };
  std::string out;
  size_t total = 0;
  std::map<Severity, size_t> counts;
  for (const FileReport& file : files) {
    for (const Finding& f : file.findings) {
      std::string_view code = f.severity == Severity::kError     ? "1;31"
                              : f.severity == Severity::kWarning ? "33"
                              : f.severity == Severity::kInfo    ? "36"
                                                                 : "2";
      std::string alias = AliasText(f);
      out += fmt::format(
          "{}:{}:{} {} {}{} {}{}\n", f.location.path, f.location.line,
          f.location.column, paint(code, SeverityName(f.severity)),
          paint("1", f.rule), alias.empty() ? "" : " (" + alias + ")",
          f.message, f.fixable ? paint("2", " [fixable]") : "");
      ++total;
      ++counts[f.severity];
    }
  }
  if (total > 0) {
    out += fmt::format(
        "{} finding{} in {} file{}: {} error, {} warning, {} "
        "info, {} style\n",
        total, total == 1 ? "" : "s", files.size(),
        files.size() == 1 ? "" : "s", counts[Severity::kError],
        counts[Severity::kWarning], counts[Severity::kInfo],
        counts[Severity::kStyle]);
  }
  return out;
}

nlohmann::json FindingJson(const Finding& f) {
  return {{"file", f.location.path},
          {"line", f.location.line},
          {"column", f.location.column},
          {"end_line", f.location.end_line},
          {"end_column", f.location.end_column},
          {"rule", f.rule},
          {"aliases", f.aliases},
          {"severity", SeverityName(f.severity)},
          {"message", f.message},
          {"fixable", f.fixable}};
}

std::string Json(const std::vector<FileReport>& files) {
  nlohmann::json findings = nlohmann::json::array();
  for (const FileReport& file : files) {
    for (const Finding& f : file.findings) findings.push_back(FindingJson(f));
  }
  nlohmann::json doc = {{"files", files.size()}, {"findings", findings}};
  return doc.dump(2) + "\n";
}

std::string_view SarifLevel(Severity s) {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    default:
      return "note";
  }
}

// A path as a SARIF artifact URI (RFC 3986): relative paths stay
// relative references, absolute ones become file: URIs, and characters a
// URI cannot hold are percent-encoded.
std::string SarifUri(std::string_view path) {
  static constexpr std::string_view kKept = "-._~/!$&'()*+,;=:@";
  std::string out = path.starts_with('/') ? "file://" : "";
  for (char c : path) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9');
    if (alnum || kKept.find(c) != std::string_view::npos) {
      out += c;
    } else {
      out += fmt::format("%{:02X}", uint8_t(c));
    }
  }
  // A first segment with ':' would read as a scheme.
  size_t colon = out.find(':');
  if (!path.starts_with('/') && colon != std::string::npos &&
      colon < out.find('/')) {
    out = "./" + out;
  }
  return out;
}

nlohmann::json SarifLocation(const Location& l) {
  nlohmann::json physical = {{"artifactLocation", {{"uri", SarifUri(l.path)}}}};
  if (l.line > 0) {
    nlohmann::json region = {{"startLine", l.line},
                             {"startColumn", std::max(1u, l.column)}};
    if (l.end_line >= l.line) {
      region["endLine"] = l.end_line;
      if (l.end_column > 0 &&
          (l.end_line > l.line || l.end_column >= l.column)) {
        region["endColumn"] = l.end_column;
      }
    }
    physical["region"] = std::move(region);
  }
  nlohmann::json location = {{"physicalLocation", std::move(physical)}};
  if (!l.layer.empty()) location["properties"] = {{"diffId", l.layer}};
  return location;
}

nlohmann::json SarifRule(const RuleInfo& r) {
  nlohmann::json props = {{"tags", nlohmann::json::array()}};
  if (!r.hadolint.empty()) {
    props["hadolint"] = r.hadolint;
    props["tags"].push_back(r.hadolint);
  }
  if (!r.buildkit.empty()) {
    props["buildkit"] = r.buildkit;
    props["tags"].push_back(r.buildkit);
  }
  nlohmann::json rule = {
      {"id", r.id},
      {"shortDescription", {{"text", r.title}}},
      {"fullDescription", {{"text", r.explanation}}},
      {"help", {{"text", r.explanation}}},
      {"defaultConfiguration",
       {{"level", SarifLevel(r.severity)}, {"enabled", r.enabled_by_default}}},
      {"properties", props}};
  if (!r.name.empty()) rule["name"] = r.name;
  return rule;
}

nlohmann::json SarifResult(const Finding& f) {
  nlohmann::json locations = nlohmann::json::array();
  if (!f.location.path.empty()) locations.push_back(SarifLocation(f.location));
  for (const Location& l : f.more_locations) {
    if (!l.path.empty()) locations.push_back(SarifLocation(l));
  }
  nlohmann::json props = {{"aliases", f.aliases}, {"fixable", f.fixable}};
  for (const auto& [name, value] : f.properties) {
    std::visit([&, &name = name](const auto& v) { props[name] = v; }, value);
  }
  nlohmann::json result = {{"ruleId", f.rule},
                           {"level", SarifLevel(f.severity)},
                           {"message", {{"text", f.message}}},
                           {"properties", std::move(props)}};
  if (!locations.empty()) result["locations"] = std::move(locations);
  return result;
}

// SARIF 2.1.0 (OASIS): https://docs.oasis-open.org/sarif/sarif/v2.1.0/
std::string Sarif(const std::vector<FileReport>& files,
                  const ReportOptions& options) {
  nlohmann::json rules = nlohmann::json::array();
  std::map<std::string, size_t> rule_index;
  std::vector<RuleInfo> all;
  if (options.lint_rules) all.assign(AllRules().begin(), AllRules().end());
  all.insert(all.end(), options.extra_rules.begin(), options.extra_rules.end());
  for (const RuleInfo& r : all) {
    rule_index[std::string(r.id)] = rules.size();
    rules.push_back(SarifRule(r));
  }
  nlohmann::json results = nlohmann::json::array();
  for (const FileReport& file : files) {
    for (const Finding& f : file.findings) {
      nlohmann::json result = SarifResult(f);
      auto it = rule_index.find(f.rule);
      if (it != rule_index.end()) result["ruleIndex"] = it->second;
      results.push_back(std::move(result));
    }
  }
  nlohmann::json doc = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs",
       {{{"tool",
          {{"driver",
            {{"name", "cinch"},
             {"informationUri", "https://github.com/cinch/cinch"},
             {"version",
              options.tool_version.empty() ? "0" : options.tool_version},
             {"rules", rules}}}}},
         {"results", results}}}}};
  return doc.dump(2) + "\n";
}

std::string Xml(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // Control characters are not allowed in XML 1.0.
        if (uint8_t(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

// With `ant_timestamp` set the output also follows the Apache Ant JUnit
// XML schema (package, id, timestamp, hostname and times required; no
// attributes on <testsuites>); without it, the short form CI tools read.
std::string Junit(const std::vector<FileReport>& files,
                  const ReportOptions& options) {
  bool ant = !options.junit_timestamp.empty();
  std::string_view time = ant ? " time=\"0\"" : "";
  size_t tests = 0, failures = 0;
  std::string suites;
  for (size_t i = 0; i < files.size(); ++i) {
    const FileReport& file = files[i];
    size_t n = std::max<size_t>(1, file.findings.size());
    tests += n;
    failures += file.findings.size();
    std::string ant_attrs =
        ant ? fmt::format(
                  " package=\"{}\" id=\"{}\" timestamp=\"{}\" "
                  "hostname=\"localhost\" time=\"0\"",
                  Xml(options.suite_name), i, Xml(options.junit_timestamp))
            : "";
    suites += fmt::format(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" "
        "errors=\"0\"{}>\n",
        Xml(file.path), n, file.findings.size(), ant_attrs);
    if (ant) suites += "    <properties/>\n";
    if (file.findings.empty()) {
      suites += fmt::format("    <testcase name=\"{}\" classname=\"{}\"{}/>\n",
                            ant ? "check" : "lint", Xml(file.path), time);
    }
    for (const Finding& f : file.findings) {
      std::string alias = AliasText(f);
      suites += fmt::format(
          "    <testcase name=\"{}:{} {}\" classname=\"{}\"{}>\n"
          "      <failure message=\"{}\" type=\"{}\">{}:{}:{} {} {}{}: {}"
          "</failure>\n    </testcase>\n",
          f.location.line, f.location.column, f.rule, Xml(file.path), time,
          Xml(f.message), SeverityName(f.severity), Xml(f.location.path),
          f.location.line, f.location.column, SeverityName(f.severity), f.rule,
          alias.empty() ? "" : " (" + Xml(alias) + ")", Xml(f.message));
    }
    if (ant) suites += "    <system-out/>\n    <system-err/>\n";
    suites += "  </testsuite>\n";
  }
  std::string root = ant ? std::string("<testsuites>")
                         : fmt::format(
                               "<testsuites name=\"{}\" tests=\"{}\" "
                               "failures=\"{}\">",
                               Xml(options.suite_name), tests, failures);
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}\n{}</testsuites>\n", root,
      suites);
}

std::string Checkstyle(const std::vector<FileReport>& files) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<checkstyle version=\"4.3\">\n";
  for (const FileReport& file : files) {
    out += fmt::format("  <file name=\"{}\">\n", Xml(file.path));
    for (const Finding& f : file.findings) {
      std::string alias = AliasText(f);
      std::string_view sev = f.severity == Severity::kError     ? "error"
                             : f.severity == Severity::kWarning ? "warning"
                                                                : "info";
      out += fmt::format(
          "    <error line=\"{}\" column=\"{}\" severity=\"{}\" "
          "message=\"{}{}\" source=\"cinch.{}\"/>\n",
          f.location.line, f.location.column, sev, Xml(f.message),
          alias.empty() ? "" : " (" + Xml(alias) + ")", f.rule);
    }
    out += "  </file>\n";
  }
  return out + "</checkstyle>\n";
}

}  // namespace

std::string FormatReport(const std::vector<FileReport>& files, Format format,
                         const ReportOptions& options) {
  switch (format) {
    case Format::kTty:
      return Tty(files, options.color);
    case Format::kJson:
      return Json(files);
    case Format::kSarif:
      return Sarif(files, options);
    case Format::kJunit:
      return Junit(files, options);
    case Format::kCheckstyle:
      return Checkstyle(files);
  }
  return "";
}

std::string ExplainRule(std::string_view id) {
  const RuleInfo* r = FindRule(id);
  if (r == nullptr) return "";
  std::string aliases;
  if (!r->hadolint.empty())
    aliases += fmt::format("Hadolint: {}\n", r->hadolint);
  if (!r->buildkit.empty())
    aliases += fmt::format("BuildKit: {}\n", r->buildkit);
  return fmt::format(
      "{}: {}\nSeverity: {}{}{}\n{}\n\n{}\n", r->id, r->title,
      SeverityName(r->severity),
      r->enabled_by_default ? "" : " (off by default)",
      r->fixable ? ", fixable with --fix" : "",
      aliases.empty() ? "" : aliases.substr(0, aliases.size() - 1),
      r->explanation);
}

std::string ListRules() {
  std::string out;
  for (const RuleInfo& r : AllRules()) {
    std::string alias(r.hadolint);
    if (!r.buildkit.empty())
      alias += (alias.empty() ? "" : ",") + std::string(r.buildkit);
    out +=
        fmt::format("{}  {:<7} {:<30} {}{}\n", r.id, SeverityName(r.severity),
                    alias.empty() ? "-" : alias, r.title,
                    r.enabled_by_default ? "" : " (off by default)");
  }
  return out;
}

}  // namespace cinch::lint
