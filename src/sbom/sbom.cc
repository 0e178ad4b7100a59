#include "sbom/sbom.h"

#include <algorithm>

namespace cinch {
namespace {

constexpr size_t kCreatedByWidth = 60;

std::string Shorten(std::string_view text, size_t width) {
  std::string one_line;
  for (char c : text) one_line += (c == '\n' || c == '\t') ? ' ' : c;
  if (one_line.size() <= width) return one_line;
  return one_line.substr(0, width - 3) + "...";
}

}  // namespace

Sbom MakeSbom(const Image& image, Catalog catalog) {
  Sbom sbom;
  sbom.subject_name = image.reference;
  sbom.subject_digest = image.manifest_digest.empty() ? image.config_digest
                                                      : image.manifest_digest;
  sbom.subject_platform = image.config.platform.ToString();
  if (sbom.subject_platform == "/") sbom.subject_platform.clear();
  sbom.repo_tags = image.repo_tags;
  for (const Layer& l : image.layers) {
    SbomLayer layer;
    layer.digest = l.descriptor.digest;
    layer.diff_id = l.diff_id;
    const auto& history = image.config.history;
    if (l.history_index >= 0 && size_t(l.history_index) < history.size()) {
      layer.created_by = history[size_t(l.history_index)].created_by;
    }
    sbom.layers.push_back(std::move(layer));
  }
  sbom.distro = std::move(catalog.distro);
  sbom.packages = std::move(catalog.packages);
  sbom.tool = "cinch";
  return sbom;
}

std::string WriteSbomTable(const Sbom& sbom) {
  struct Row {
    std::string name, version, type, layer, created_by;
  };
  std::vector<Row> rows;
  rows.push_back({"NAME", "VERSION", "TYPE", "LAYER", "CREATED BY"});
  for (const Package& p : sbom.packages) {
    Row r{p.name, p.version, std::string(PackageTypeName(p.type)), "-", ""};
    if (p.layer >= 0) r.layer = std::to_string(p.layer + 1);
    if (p.layer >= 0 && size_t(p.layer) < sbom.layers.size()) {
      r.created_by =
          Shorten(sbom.layers[size_t(p.layer)].created_by, kCreatedByWidth);
    }
    rows.push_back(std::move(r));
  }
  size_t w_name = 0, w_version = 0, w_type = 0, w_layer = 0;
  for (const Row& r : rows) {
    w_name = std::max(w_name, r.name.size());
    w_version = std::max(w_version, r.version.size());
    w_type = std::max(w_type, r.type.size());
    w_layer = std::max(w_layer, r.layer.size());
  }
  std::string out;
  if (!sbom.distro.id.empty()) {
    out += fmt::format("OS: {} {}\n", sbom.distro.id, sbom.distro.version_id);
  }
  for (const Row& r : rows) {
    std::string line = fmt::format("{:<{}}  {:<{}}  {:<{}}  {:>{}}  {}", r.name,
                                   w_name, r.version, w_version, r.type, w_type,
                                   r.layer, w_layer, r.created_by);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  out += fmt::format("{} packages\n", sbom.packages.size());
  return out;
}

}  // namespace cinch
