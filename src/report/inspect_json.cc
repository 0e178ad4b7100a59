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
  return j.dump(2) + "\n";
}

}  // namespace cinch
