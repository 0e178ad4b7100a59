#include <fmt/format.h>

#include "report/inspect_report.h"

namespace cinch {
namespace {

constexpr std::string_view kBold = "\033[1m";
constexpr std::string_view kDim = "\033[2m";
constexpr std::string_view kYellow = "\033[33m";
constexpr std::string_view kRed = "\033[31m";
constexpr std::string_view kReset = "\033[0m";

class Painter {
 public:
  explicit Painter(bool on) : on_(on) {}
  std::string operator()(std::string_view style, std::string_view text) const {
    if (!on_) return std::string(text);
    return fmt::format("{}{}{}", style, text, kReset);
  }

 private:
  bool on_;
};

// Shortens a history step to the instruction that made it.
std::string CleanCreatedBy(std::string_view s) {
  constexpr std::string_view kNop = "/bin/sh -c #(nop) ";
  constexpr std::string_view kShell = "/bin/sh -c ";
  constexpr std::string_view kBuildkit = " # buildkit";
  std::string out;
  if (s.starts_with(kNop)) {
    out = s.substr(kNop.size());
  } else if (s.starts_with(kShell)) {
    out = "RUN " + std::string(s.substr(kShell.size()));
  } else {
    out = s;
  }
  if (out.ends_with(kBuildkit)) out.resize(out.size() - kBuildkit.size());
  for (char& c : out) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  size_t start = out.find_first_not_of(' ');
  if (start == std::string::npos) return "";
  size_t end = out.find_last_not_of(' ');
  return out.substr(start, end - start + 1);
}

std::string Truncate(std::string s, size_t width) {
  if (s.size() <= width) return s;
  if (width < 4) return s.substr(0, width);
  return s.substr(0, width - 3) + "...";
}

std::string Percent(double share) {
  return fmt::format("{:.1f}%", share * 100.0);
}

std::string LayerList(const std::vector<int>& layers) {
  std::string out;
  for (int l : layers) {
    if (!out.empty()) out += ",";
    out += std::to_string(l + 1);
  }
  return out;
}

void AppendHeader(std::string& out, const InspectReport& r, const Painter& p) {
  std::string name = r.reference;
  if (!r.repo_tags.empty()) name += " (" + r.repo_tags.front() + ")";
  out += fmt::format("{} {}\n", p(kBold, "Image     "), name);
  out += fmt::format("{} {}", p(kBold, "Platform  "), r.platform);
  if (!r.created.empty()) out += fmt::format("   created {}", r.created);
  out += fmt::format("   user {}\n", r.user.empty() ? "(unset: root)" : r.user);
  if (!r.manifest_digest.empty()) {
    out += fmt::format("{} {}\n", p(kBold, "Manifest  "), r.manifest_digest);
  }
  if (!r.config_digest.empty()) {
    out += fmt::format("{} {}\n", p(kBold, "Config    "), r.config_digest);
  }
  out += fmt::format("{} {} stored, {} unpacked, {} layer{}\n",
                     p(kBold, "Size      "), HumanBytes(r.compressed_bytes),
                     HumanBytes(r.uncompressed_bytes), r.layer_count,
                     r.layer_count == 1 ? "" : "s");
  out += fmt::format("{} {} visible in {} files\n", p(kBold, "Files     "),
                     HumanBytes(r.visible_file_bytes), r.visible_files);
  std::string wasted =
      fmt::format("{} in hidden files, efficiency {}",
                  HumanBytes(r.wasted_bytes), Percent(r.efficiency));
  out += fmt::format("{} {}\n", p(kBold, "Wasted    "),
                     r.wasted_bytes > 0 ? p(kYellow, wasted) : wasted);
  out += fmt::format("{} {} in files production rarely needs\n",
                     p(kBold, "Removable "), HumanBytes(r.bloat_bytes));
}

void AppendLayers(std::string& out, const InspectReport& r, const Painter& p,
                  size_t width) {
  out += "\n" + p(kBold, "Layers") + "\n";
  std::string head = fmt::format(
      "  {:>3}  {:>10}  {:>10}  {:>7}  {:>7}  {:>7}  {:>9}  {}", "#", "STORED",
      "UNPACKED", "ADDED", "CHANGED", "REMOVED", "WASTED", "CREATED BY");
  out += p(kDim, head) + "\n";
  constexpr size_t kFixedColumns = 76;
  size_t created_width =
      width > kFixedColumns + 20 ? width - kFixedColumns : 20;
  for (const LayerRow& row : r.steps) {
    std::string created =
        Truncate(CleanCreatedBy(row.created_by), created_width);
    if (row.layer < 0) {
      out += p(kDim, fmt::format("  {:>3}  {:>10}  {:>10}  {:>7}  {:>7}  "
                                 "{:>7}  {:>9}  {}",
                                 "-", "", "", "", "", "", "", created)) +
             "\n";
      continue;
    }
    std::string wasted = row.wasted_bytes ? HumanBytes(row.wasted_bytes) : "";
    out += fmt::format(
        "  {:>3}  {:>10}  {:>10}  {:>7}  {:>7}  {:>7}  {:>9}  "
        "{}\n",
        row.layer + 1, HumanBytes(row.compressed_bytes),
        HumanBytes(row.uncompressed_bytes), row.added, row.changed, row.removed,
        wasted, created);
  }
}

void AppendBloat(std::string& out, const InspectReport& r, const Painter& p) {
  if (r.bloat.empty()) return;
  out += "\n" + p(kBold, "Removable files by kind") + "\n";
  out += p(kDim, fmt::format("  {:<28}  {:>10}  {:>7}  {:<8}  {}", "KIND",
                             "SIZE", "FILES", "LAYERS", "FIX")) +
         "\n";
  for (const BloatRow& b : r.bloat) {
    out +=
        fmt::format("  {:<28}  {:>10}  {:>7}  {:<8}  {}\n", b.label,
                    HumanBytes(b.bytes), b.files, LayerList(b.layers), b.fix);
  }
}

void AppendPaths(std::string& out, std::string_view title,
                 const std::vector<PathRow>& rows, const Painter& p,
                 bool with_layer, bool with_versions) {
  if (rows.empty()) return;
  out += "\n" + p(kBold, title) + "\n";
  for (const PathRow& row : rows) {
    out += fmt::format("  {:>10}  /{}", HumanBytes(row.bytes), row.path);
    if (with_layer) out += p(kDim, fmt::format("  (layer {})", row.layer + 1));
    if (with_versions) {
      out += p(kDim, fmt::format("  ({} hidden version{})", row.versions,
                                 row.versions == 1 ? "" : "s"));
    }
    out += "\n";
  }
}

std::string_view SeverityStyle(Severity s) {
  switch (s) {
    case Severity::kError:
      return kRed;
    case Severity::kWarning:
      return kYellow;
    default:
      return kDim;
  }
}

void AppendFindings(std::string& out, const InspectReport& r,
                    const Painter& p) {
  if (!r.findings_checked) return;
  out +=
      "\n" + p(kBold, fmt::format("Findings ({})", r.findings.size())) + "\n";
  if (r.findings.empty()) {
    out += "  none\n";
    return;
  }
  for (const ImageFinding& f : r.findings) {
    std::string where;
    if (f.layer >= 0) where = fmt::format("layer {}", f.layer + 1);
    if (f.finding.location.line > 0) {
      where += fmt::format("{}line {}", where.empty() ? "" : ", ",
                           f.finding.location.line);
    }
    out +=
        fmt::format("  {}  {}  {}{}\n",
                    p(SeverityStyle(f.finding.severity),
                      fmt::format("{:<7}", SeverityName(f.finding.severity))),
                    f.finding.rule, f.finding.message,
                    where.empty() ? "" : p(kDim, "  (" + where + ")"));
    if (!f.match.empty()) {
      out += p(kDim, fmt::format("                   {}", f.match)) + "\n";
    }
    if (f.source.line > 0) {
      out += p(kDim, fmt::format("                   {}:{}: {}", f.source.path,
                                 f.source.line, f.instruction)) +
             "\n";
    }
  }
}

}  // namespace

std::string HumanBytes(uint64_t bytes) {
  static constexpr std::string_view kUnits[] = {"kB", "MB", "GB", "TB", "PB"};
  if (bytes < 1000) return fmt::format("{} B", bytes);
  double value = double(bytes);
  size_t unit = 0;
  value /= 1000.0;
  while (value >= 999.95 && unit + 1 < std::size(kUnits)) {
    value /= 1000.0;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, kUnits[unit]);
}

std::string InspectToText(const InspectReport& r, const TextOptions& options) {
  Painter p(options.color);
  std::string out;
  AppendHeader(out, r, p);
  AppendLayers(out, r, p, options.width);
  AppendBloat(out, r, p);
  AppendPaths(out, "Largest files", r.largest_files, p, true, false);
  AppendPaths(out, "Largest directories", r.largest_dirs, p, false, false);
  AppendPaths(out, "Wasted: files hidden or replaced by a later layer",
              r.wasted_paths, p, false, true);
  AppendFindings(out, r, p);
  return out;
}

}  // namespace cinch
