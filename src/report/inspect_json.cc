#include <nlohmann/json.hpp>

#include "report/inspect_report.h"

namespace cinch {
namespace {

using Json = nlohmann::ordered_json;

Json LayerJson(const LayerRow& row) {
  Json j;
  j["layer"] = row.layer < 0 ? Json(nullptr) : Json(row.layer + 1);
  j["empty"] = row.layer < 0;
  j["created"] = row.created;
  j["created_by"] = row.created_by;
  if (row.layer >= 0) {
    j["digest"] = row.digest;
    j["diff_id"] = row.diff_id;
    j["compression"] = row.compression;
    j["compressed_bytes"] = row.compressed_bytes;
    j["uncompressed_bytes"] = row.uncompressed_bytes;
    j["file_bytes"] = row.file_bytes;
    j["wasted_bytes"] = row.wasted_bytes;
    j["files_added"] = row.added;
    j["files_changed"] = row.changed;
    j["files_removed"] = row.removed;
  }
  return j;
}

Json PathsJson(const std::vector<PathRow>& rows, bool with_layer,
               bool with_versions) {
  Json out = Json::array();
  for (const PathRow& p : rows) {
    Json j;
    j["path"] = "/" + p.path;
    j["bytes"] = p.bytes;
    if (with_layer) j["layer"] = p.layer + 1;
    if (with_versions) j["hidden_versions"] = p.versions;
    out.push_back(std::move(j));
  }
  return out;
}

Json FindingJson(const ImageFinding& f) {
  Json j;
  j["id"] = f.finding.rule;
  j["name"] = f.finding.aliases.empty() ? "" : f.finding.aliases.front();
  j["severity"] = SeverityName(f.finding.severity);
  j["title"] = f.title;
  j["message"] = f.finding.message;
  j["path"] = f.finding.location.path;
  if (f.finding.location.line > 0) j["line"] = f.finding.location.line;
  if (f.finding.location.column > 0) j["column"] = f.finding.location.column;
  j["layer"] = f.layer < 0 ? Json(nullptr) : Json(f.layer + 1);
  if (!f.finding.location.layer.empty()) {
    j["diff_id"] = f.finding.location.layer;
  }
  if (!f.state.empty()) j["state"] = f.state;
  if (!f.match.empty()) j["match"] = f.match;
  if (!f.fingerprint.empty()) j["fingerprint"] = f.fingerprint;
  if (f.bytes > 0) j["bytes"] = f.bytes;
  if (f.source.line > 0) {
    Json d;
    d["path"] = f.source.path;
    d["line"] = f.source.line;
    d["end_line"] = f.source.end_line;
    d["instruction"] = f.instruction;
    j["dockerfile"] = std::move(d);
  }
  return j;
}

void AddFindings(const InspectReport& r, Json& j) {
  Json summary;
  for (Severity s : {Severity::kError, Severity::kWarning, Severity::kInfo,
                     Severity::kStyle}) {
    summary[std::string(SeverityName(s))] = 0;
  }
  Json findings = Json::array();
  for (const ImageFinding& f : r.findings) {
    auto& count = summary[std::string(SeverityName(f.finding.severity))];
    count = count.get<int>() + 1;
    findings.push_back(FindingJson(f));
  }
  j["findings_summary"] = std::move(summary);
  j["findings"] = std::move(findings);
  Json scan;
  scan["files_scanned"] = r.secret_scan.files_scanned;
  scan["bytes_scanned"] = r.secret_scan.bytes_scanned;
  scan["files_binary"] = r.secret_scan.files_binary;
  scan["files_truncated"] = r.secret_scan.files_truncated;
  scan["files_allowlisted"] = r.secret_scan.files_allowlisted;
  j["secret_scan"] = std::move(scan);
}

}  // namespace

std::string InspectToJson(const InspectReport& r) {
  Json j;
  j["schema_version"] = kInspectSchemaVersion;
  j["kind"] = "cinch.inspect";
  Json image;
  image["reference"] = r.reference;
  image["transport"] = r.transport;
  image["manifest_digest"] = r.manifest_digest;
  image["config_digest"] = r.config_digest;
  image["platform"] = r.platform;
  image["repo_tags"] = r.repo_tags;
  image["created"] = r.created;
  image["user"] = r.user;
  j["image"] = std::move(image);

  Json totals;
  totals["layers"] = r.layer_count;
  totals["compressed_bytes"] = r.compressed_bytes;
  totals["uncompressed_bytes"] = r.uncompressed_bytes;
  totals["shipped_file_bytes"] = r.shipped_file_bytes;
  totals["visible_file_bytes"] = r.visible_file_bytes;
  totals["visible_files"] = r.visible_files;
  totals["wasted_bytes"] = r.wasted_bytes;
  totals["efficiency"] = r.efficiency;
  totals["bloat_bytes"] = r.bloat_bytes;
  j["totals"] = std::move(totals);

  Json steps = Json::array();
  for (const LayerRow& row : r.steps) steps.push_back(LayerJson(row));
  j["layers"] = std::move(steps);

  Json bloat = Json::array();
  for (const BloatRow& b : r.bloat) {
    Json item;
    item["kind"] = b.kind;
    item["label"] = b.label;
    item["bytes"] = b.bytes;
    item["files"] = b.files;
    Json layers = Json::array();
    for (int l : b.layers) layers.push_back(l + 1);
    item["layers"] = std::move(layers);
    item["fix"] = b.fix;
    bloat.push_back(std::move(item));
  }
  j["bloat"] = std::move(bloat);
  j["largest_files"] = PathsJson(r.largest_files, true, false);
  j["largest_directories"] = PathsJson(r.largest_dirs, false, false);
  j["wasted_paths"] = PathsJson(r.wasted_paths, false, true);
  if (!r.files.empty()) {
    Json files = Json::array();
    for (const FileRow& f : r.files) {
      Json item;
      item["path"] = "/" + f.path;
      item["type"] = EntryTypeName(f.type);
      item["bytes"] = f.bytes;
      item["mode"] = f.mode;
      item["layer"] = f.layer + 1;
      files.push_back(std::move(item));
    }
    j["files"] = std::move(files);
  }
  if (r.findings_checked) AddFindings(r, j);
  return j.dump(2) + "\n";
}

}  // namespace cinch
