#include <algorithm>
#include <array>

#include "report/scan_report.h"

namespace cinch {
namespace {

std::string_view SeverityColor(VulnSeverity s) {
  switch (s) {
    case VulnSeverity::kCritical:
      return "\x1b[1;31m";
    case VulnSeverity::kHigh:
      return "\x1b[31m";
    case VulnSeverity::kMedium:
      return "\x1b[33m";
    case VulnSeverity::kLow:
      return "\x1b[36m";
    default:
      return "";
  }
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'a' && c <= 'z') ? char(c - 32) : c;
  return out;
}

}  // namespace

std::string ScanToTable(const ScanReport& report,
                        const ScanTableOptions& options) {
  struct Row {
    std::array<std::string, 6> cells;
    VulnSeverity severity;
  };
  std::vector<Row> rows;
  std::array<int, 6> counts{};  // by VulnSeverity
  int suppressed = 0;
  for (const VulnFinding& f : report.findings) {
    if (!f.suppressed_by.empty()) {
      ++suppressed;
      if (!options.show_suppressed) continue;
    } else {
      ++counts[size_t(f.severity)];
    }
    const Package& p = report.packages[f.package_index];
    std::string severity = Upper(VulnSeverityName(f.severity));
    if (!f.suppressed_by.empty()) severity += " (" + f.suppressed_by + ")";
    rows.push_back({{f.id, p.name, p.version,
                     f.fixed_version.empty() ? "-" : f.fixed_version, severity,
                     p.layer < 0 ? "-" : std::to_string(p.layer + 1)},
                    f.severity});
  }

  std::array<std::string, 6> header = {"ID",       "PACKAGE",  "INSTALLED",
                                       "FIXED IN", "SEVERITY", "LAYER"};
  std::array<size_t, 6> width{};
  for (size_t c = 0; c < 6; ++c) width[c] = header[c].size();
  for (const Row& r : rows) {
    for (size_t c = 0; c < 6; ++c) {
      width[c] = std::max(width[c], std::min<size_t>(r.cells[c].size(), 48));
    }
  }
  auto line = [&](const std::array<std::string, 6>& cells, VulnSeverity s) {
    std::string out;
    for (size_t c = 0; c < 6; ++c) {
      std::string cell =
          cells[c].size() > 48 ? cells[c].substr(0, 47) + "~" : cells[c];
      bool colored = options.color && c == 4 && !SeverityColor(s).empty();
      if (colored) out += SeverityColor(s);
      out += cell;
      if (colored) out += "\x1b[0m";
      if (c + 1 < 6) out += std::string(width[c] - cell.size() + 2, ' ');
    }
    return out + "\n";
  };

  std::string out;
  if (!rows.empty()) {
    out += line(header, VulnSeverity::kUnknown);
    for (const Row& r : rows) out += line(r.cells, r.severity);
    out += "\n";
  }
  size_t active = report.findings.size() - size_t(suppressed);
  out += fmt::format(
      "{}: {} vulnerabilities in {} packages (critical {}, high {}, medium "
      "{}, low {}, unknown {})",
      report.target, active, report.packages.size(),
      counts[size_t(VulnSeverity::kCritical)],
      counts[size_t(VulnSeverity::kHigh)],
      counts[size_t(VulnSeverity::kMedium)], counts[size_t(VulnSeverity::kLow)],
      counts[size_t(VulnSeverity::kUnknown)] +
          counts[size_t(VulnSeverity::kNone)]);
  if (suppressed > 0) {
    out += fmt::format("; {} suppressed by exceptions or VEX", suppressed);
  }
  return out + "\n";
}

}  // namespace cinch
