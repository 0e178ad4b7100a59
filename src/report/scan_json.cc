// JSON (docs/scan.md), SARIF 2.1.0 and CycloneDX 1.6 renderings of a scan.
#include <ctime>

#include "base/json.h"
#include "report/scan_report.h"

namespace cinch {
namespace {

Json FindingJson(const ScanReport& report, const VulnFinding& f) {
  const Package& p = report.packages[f.package_index];
  Json j = {
      {"id", f.id},
      {"aliases", f.aliases},
      {"advisories", f.advisory_ids},
      {"package",
       {{"name", p.name},
        {"version", p.version},
        {"type", std::string(PackageTypeName(p.type))},
        {"purl", p.purl},
        {"layer", p.layer < 0 ? Json(nullptr) : Json(p.layer + 1)}}},
      {"ecosystem", f.ecosystem},
      {"matched", {{"name", f.matched_name}, {"version", f.matched_version}}},
      {"fixed_version", f.fixed_version},
      {"severity", std::string(VulnSeverityName(f.severity))},
      {"severity_source", f.severity_source},
      {"summary", f.summary},
      {"references", f.references}};
  if (f.cvss_score >= 0) {
    j["cvss"] = {{"score", f.cvss_score}, {"vector", f.cvss_vector}};
  }
  if (!f.suppressed_by.empty()) {
    j["suppressed"] = {{"by", f.suppressed_by},
                       {"reason", f.suppression_reason}};
  }
  if (!f.expired_exception.empty()) {
    j["expired_exception"] = f.expired_exception;
  }
  return j;
}

std::string Rfc3339(int64_t unix_seconds) {
  std::time_t t = std::time_t(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// SARIF levels: error for high and critical, warning for medium, note
// otherwise.
std::string_view SarifLevel(VulnSeverity s) {
  if (s >= VulnSeverity::kHigh) return "error";
  if (s == VulnSeverity::kMedium) return "warning";
  return "note";
}

}  // namespace

std::string ScanToJson(const ScanReport& report) {
  Json doc = {
      {"schema_version", kScanSchemaVersion},
      {"target", report.target},
      {"distro",
       {{"id", report.distro.id}, {"version_id", report.distro.version_id}}},
      {"database",
       {{"path", report.database},
        {"newest_modified", report.database_newest}}},
      {"packages", report.packages.size()},
      {"notes", report.notes}};
  Json findings = Json::array();
  Json suppressed = Json::array();
  for (const VulnFinding& f : report.findings) {
    (f.suppressed_by.empty() ? findings : suppressed)
        .push_back(FindingJson(report, f));
  }
  doc["findings"] = std::move(findings);
  doc["suppressed"] = std::move(suppressed);
  return doc.dump(2) + "\n";
}

std::string ScanToSarif(const ScanReport& report) {
  Json rules = Json::array();
  std::map<std::string, size_t> rule_index;
  Json results = Json::array();
  for (const VulnFinding& f : report.findings) {
    const Package& p = report.packages[f.package_index];
    auto [it, added] = rule_index.emplace(f.id, rules.size());
    if (added) {
      Json rule = {{"id", f.id},
                   {"shortDescription",
                    {{"text", f.summary.empty() ? f.id : f.summary}}},
                   {"properties",
                    {{"tags", Json::array({"security", "vulnerability"})}}}};
      if (!f.references.empty()) rule["helpUri"] = f.references.front();
      if (f.cvss_score >= 0) {
        rule["properties"]["security-severity"] =
            fmt::format("{:.1f}", f.cvss_score);
      }
      rules.push_back(std::move(rule));
    }
    std::string where = p.locations.empty() ? report.target : p.locations[0];
    while (!where.empty() && where[0] == '/') where.erase(0, 1);
    Json result = {
        {"ruleId", f.id},
        {"ruleIndex", it->second},
        {"level", std::string(SarifLevel(f.severity))},
        {"message",
         {{"text", fmt::format("{} {} is affected by {} ({}){}", p.name,
                               p.version, f.id, VulnSeverityName(f.severity),
                               f.fixed_version.empty()
                                   ? "; no fix known"
                                   : "; fixed in " + f.fixed_version)}}},
        {"locations",
         Json::array(
             {{{"physicalLocation", {{"artifactLocation", {{"uri", where}}}}},
               {"logicalLocations",
                Json::array({{{"name", p.purl.empty() ? p.name : p.purl},
                              {"kind", "package"}}})}}})},
        {"properties",
         {{"package", p.name},
          {"installedVersion", p.version},
          {"fixedVersion", f.fixed_version},
          {"aliases", f.aliases}}}};
    if (!f.suppressed_by.empty()) {
      result["suppressions"] = Json::array(
          {{{"kind", "external"}, {"justification", f.suppression_reason}}});
    }
    results.push_back(std::move(result));
  }
  Json doc = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs",
       Json::array(
           {{{"tool",
              {{"driver",
                {{"name", "cinch"},
                 {"version", report.tool_version},
                 {"informationUri", "https://github.com/cinch-tool/cinch"},
                 {"rules", rules}}}}},
             {"results", results}}})}};
  return doc.dump(2) + "\n";
}

std::string ScanToCycloneDx(const ScanReport& report) {
  Json components = Json::array();
  std::vector<std::string> refs(report.packages.size());
  for (size_t i = 0; i < report.packages.size(); ++i) {
    const Package& p = report.packages[i];
    refs[i] = p.purl.empty() ? fmt::format("package-{}", i) : p.purl;
    Json c = {{"type", "library"},
              {"bom-ref", refs[i]},
              {"name", p.name},
              {"version", p.version}};
    if (!p.purl.empty()) c["purl"] = p.purl;
    components.push_back(std::move(c));
  }
  // One vulnerability per id, affecting every package it was found in.
  Json vulns = Json::array();
  std::map<std::string, size_t> index;
  for (const VulnFinding& f : report.findings) {
    auto [it, added] = index.emplace(f.id, vulns.size());
    if (added) {
      Json v = {{"bom-ref", "vuln-" + f.id},
                {"id", f.id},
                {"affects", Json::array()}};
      if (!f.summary.empty()) v["description"] = f.summary;
      Json rating = {{"severity", std::string(VulnSeverityName(f.severity))}};
      if (f.cvss_score >= 0) {
        rating["score"] = f.cvss_score;
        rating["vector"] = f.cvss_vector;
        rating["method"] = f.cvss_vector.starts_with("CVSS:4.0")   ? "CVSSv4"
                           : f.cvss_vector.starts_with("CVSS:3.0") ? "CVSSv3"
                                                                   : "CVSSv31";
      }
      v["ratings"] = Json::array({rating});
      if (!f.fixed_version.empty()) {
        v["recommendation"] = "Upgrade to " + f.fixed_version;
      }
      if (!f.suppressed_by.empty()) {
        v["analysis"] = {{"state", "not_affected"},
                         {"detail", f.suppression_reason}};
      }
      Json related = Json::array();
      for (const std::string& a : f.aliases) related.push_back({{"id", a}});
      if (!related.empty()) v["references"] = Json::array();
      for (const std::string& a : f.aliases) {
        v["references"].push_back({{"id", a}, {"source", {{"name", "OSV"}}}});
      }
      vulns.push_back(std::move(v));
    }
    vulns[it->second]["affects"].push_back({{"ref", refs[f.package_index]}});
  }
  Json doc = {
      {"bomFormat", "CycloneDX"},
      {"specVersion", "1.6"},
      {"version", 1},
      {"metadata",
       {{"timestamp", Rfc3339(report.created_unix)},
        {"tools",
         {{"components", Json::array({{{"type", "application"},
                                       {"name", "cinch"},
                                       {"version", report.tool_version}}})}}},
        {"component",
         {{"type", "container"},
          {"bom-ref", "target"},
          {"name", report.target}}}}},
      {"components", components},
      {"vulnerabilities", vulns}};
  return doc.dump(2) + "\n";
}

}  // namespace cinch
