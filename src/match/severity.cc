#include "match/severity.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <vector>

namespace cinch {
namespace {

using Metrics = std::map<std::string, std::string, std::less<>>;

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// Splits "CVSS:3.1/AV:N/..." into its version and metrics, refusing
// duplicates and malformed parts.
Result<std::pair<std::string, Metrics>> SplitVector(std::string_view vector) {
  auto bad = [&](std::string_view why) {
    return Fail("invalid CVSS vector '{}': {}", vector, why);
  };
  if (!vector.starts_with("CVSS:")) return bad("no CVSS: prefix");
  std::string_view rest = vector.substr(5);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return bad("no metrics");
  std::string version(rest.substr(0, slash));
  rest.remove_prefix(slash + 1);
  Metrics metrics;
  while (!rest.empty()) {
    size_t end = rest.find('/');
    std::string_view part = rest.substr(0, end);
    size_t colon = part.find(':');
    if (colon == std::string_view::npos || colon == 0 ||
        colon + 1 == part.size()) {
      return bad("malformed metric");
    }
    auto [it, added] = metrics.emplace(std::string(part.substr(0, colon)),
                                       std::string(part.substr(colon + 1)));
    if (!added) return bad("metric " + it->first + " given twice");
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return std::make_pair(std::move(version), std::move(metrics));
}

// Checks that every metric in `metrics` is one the version knows, and that
// the base metrics in `base` are present with one of their values.
Status CheckMetrics(
    std::string_view vector, const Metrics& metrics,
    const std::vector<std::pair<std::string_view, std::string_view>>& base,
    const std::vector<std::string_view>& optional) {
  for (const auto& [name, values] : base) {
    auto it = metrics.find(name);
    if (it == metrics.end()) {
      return Fail("invalid CVSS vector '{}': base metric {} missing", vector,
                  name);
    }
    if (it->second.size() != 1 ||
        values.find(it->second[0]) == std::string_view::npos) {
      return Fail("invalid CVSS vector '{}': {}:{} is not a valid value",
                  vector, name, it->second);
    }
  }
  for (const auto& [name, value] : metrics) {
    bool known =
        std::any_of(base.begin(), base.end(),
                    [&](const auto& b) { return b.first == name; }) ||
        std::find(optional.begin(), optional.end(), name) != optional.end();
    if (!known) {
      return Fail("invalid CVSS vector '{}': unknown metric {}", vector, name);
    }
  }
  return {};
}

// CVSS v3.1 Roundup (Appendix A): the smallest one-decimal number not
// below x, computed on integers so that 4.000000001 stays 4.0... but
// 4.02 becomes 4.1.
double RoundUp31(double x) {
  int64_t scaled = std::llround(x * 100000.0);
  if (scaled % 10000 == 0) return double(scaled) / 100000.0;
  return double(scaled / 10000 + 1) / 10.0;
}

double RoundUp30(double x) { return std::ceil(x * 10.0) / 10.0; }

Result<CvssScore> ScoreV3(std::string_view vector, const std::string& version,
                          const Metrics& m) {
  CINCH_TRY(CheckMetrics(vector, m,
                         {{"AV", "NALP"},
                          {"AC", "LH"},
                          {"PR", "NLH"},
                          {"UI", "NR"},
                          {"S", "UC"},
                          {"C", "HLN"},
                          {"I", "HLN"},
                          {"A", "HLN"}},
                         {"E", "RL", "RC", "CR", "IR", "AR", "MAV", "MAC",
                          "MPR", "MUI", "MS", "MC", "MI", "MA"}));
  auto v = [&](const char* k) { return m.find(k)->second[0]; };
  bool changed = v("S") == 'C';
  auto cia = [](char c) { return c == 'H' ? 0.56 : c == 'L' ? 0.22 : 0.0; };
  double av =
      std::array{0.85, 0.62, 0.55, 0.2}[std::string_view("NALP").find(v("AV"))];
  double ac = v("AC") == 'L' ? 0.77 : 0.44;
  double pr = v("PR") == 'N'   ? 0.85
              : v("PR") == 'L' ? (changed ? 0.68 : 0.62)
                               : (changed ? 0.5 : 0.27);
  double ui = v("UI") == 'N' ? 0.85 : 0.62;

  double iss = 1 - (1 - cia(v("C"))) * (1 - cia(v("I"))) * (1 - cia(v("A")));
  double impact = changed
                      ? 7.52 * (iss - 0.029) - 3.25 * std::pow(iss - 0.02, 15)
                      : 6.42 * iss;
  double exploitability = 8.22 * av * ac * pr * ui;
  auto round_up = version == "3.0" ? RoundUp30 : RoundUp31;
  double base = 0.0;
  if (impact > 0) {
    double sum =
        changed ? 1.08 * (impact + exploitability) : impact + exploitability;
    base = round_up(std::min(sum, 10.0));
  }
  return CvssScore{3, base, std::string(vector)};
}

// --- CVSS v4.0 ------------------------------------------------------------

constexpr std::pair<std::string_view, double> kMacroScores[] = {
#include "match/cvss4_macro_scores.inc"
};

std::optional<double> MacroScore(const std::string& macro) {
  for (const auto& [key, score] : kMacroScores) {
    if (key == macro) return score;
  }
  return std::nullopt;
}

// VulnSeverity levels of each metric value (specification section 8.2): the
// distance from the most severe value, in steps of 0.1.
double Level(std::string_view metric, char value) {
  static const std::map<std::string_view, std::string_view> kOrders = {
      {"AV", "NALP"}, {"PR", "NLH"}, {"UI", "NPA"}, {"AC", "LH"},
      {"AT", "NP"},   {"VC", "HLN"}, {"VI", "HLN"}, {"VA", "HLN"},
      {"CR", "HML"},  {"IR", "HML"}, {"AR", "HML"},
  };
  // Subsequent-system levels start at 0.1: 'S' (safety) is 0.0 for SI/SA.
  if (metric == "SC")
    return 0.1 * double(1 + std::string_view("HLN").find(value));
  if (metric == "SI" || metric == "SA") {
    return 0.1 * double(std::string_view("SHLN").find(value));
  }
  return 0.1 * double(kOrders.at(metric).find(value));
}

// The most severe vectors of each equivalence class level (FIRST's
// calculator, max_composed), one list per EQ level.
const std::vector<std::string_view>& EqMaxes(int eq, int level, int eq6) {
  static const std::vector<std::string_view> kEq1[] = {
      {"AV:N/PR:N/UI:N"},
      {"AV:A/PR:N/UI:N", "AV:N/PR:L/UI:N", "AV:N/PR:N/UI:P"},
      {"AV:P/PR:N/UI:N", "AV:A/PR:L/UI:P"}};
  static const std::vector<std::string_view> kEq2[] = {
      {"AC:L/AT:N"}, {"AC:H/AT:N", "AC:L/AT:P"}};
  static const std::vector<std::string_view> kEq3Eq6[3][2] = {
      {{"VC:H/VI:H/VA:H/CR:H/IR:H/AR:H"},
       {"VC:H/VI:H/VA:L/CR:M/IR:M/AR:H", "VC:H/VI:H/VA:H/CR:M/IR:M/AR:M"}},
      {{"VC:L/VI:H/VA:H/CR:H/IR:H/AR:H", "VC:H/VI:L/VA:H/CR:H/IR:H/AR:H"},
       {"VC:L/VI:H/VA:L/CR:H/IR:M/AR:H", "VC:L/VI:H/VA:H/CR:H/IR:M/AR:M",
        "VC:H/VI:L/VA:H/CR:M/IR:H/AR:M", "VC:H/VI:L/VA:L/CR:M/IR:H/AR:H",
        "VC:L/VI:L/VA:H/CR:H/IR:H/AR:M"}},
      {{}, {"VC:L/VI:L/VA:L/CR:H/IR:H/AR:H"}}};
  static const std::vector<std::string_view> kEq4[] = {
      {"SC:H/SI:S/SA:S"}, {"SC:H/SI:H/SA:H"}, {"SC:L/SI:L/SA:L"}};
  switch (eq) {
    case 1:
      return kEq1[level];
    case 2:
      return kEq2[level];
    case 3:
      return kEq3Eq6[level][eq6];
    default:
      return kEq4[level];
  }
}

// The depth of each macro vector level, in steps (max_severity).
double EqDepth(int eq, int level, int eq6) {
  static const int kEq1[] = {1, 4, 5};
  static const int kEq2[] = {1, 2};
  static const int kEq3Eq6[3][2] = {{7, 6}, {8, 8}, {0, 10}};
  static const int kEq4[] = {6, 5, 4};
  int steps = eq == 1   ? kEq1[level]
              : eq == 2 ? kEq2[level]
              : eq == 3 ? kEq3Eq6[level][eq6]
                        : kEq4[level];
  return steps * 0.1;
}

void AddMetrics(std::string_view text, Metrics& out) {
  while (!text.empty()) {
    size_t end = text.find('/');
    std::string_view part = text.substr(0, end);
    out[std::string(part.substr(0, 2))] = std::string(part.substr(3));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

Result<CvssScore> ScoreV4(std::string_view vector, const Metrics& given) {
  CINCH_TRY(CheckMetrics(vector, given,
                         {{"AV", "NALP"},
                          {"AC", "LH"},
                          {"AT", "NP"},
                          {"PR", "NLH"},
                          {"UI", "NPA"},
                          {"VC", "HLN"},
                          {"VI", "HLN"},
                          {"VA", "HLN"},
                          {"SC", "HLN"},
                          {"SI", "HLN"},
                          {"SA", "HLN"}},
                         {"E",   "CR",  "IR",  "AR",  "MAV", "MAC", "MAT",
                          "MPR", "MUI", "MVC", "MVI", "MVA", "MSC", "MSI",
                          "MSA", "S",   "AU",  "R",   "V",   "RE",  "U"}));
  // The base score: threat and environmental metrics at their defaults
  // (E:A, CR/IR/AR:H, no modified metrics).
  auto v = [&](std::string_view k) -> char {
    if (k == "CR" || k == "IR" || k == "AR") return 'H';
    return given.find(k)->second[0];
  };
  bool no_impact = true;
  for (const char* k : {"VC", "VI", "VA", "SC", "SI", "SA"}) {
    no_impact = no_impact && v(k) == 'N';
  }
  if (no_impact) return CvssScore{4, 0.0, std::string(vector)};

  // Macro vector (section 8.1).
  int eq1 =
      (v("AV") == 'N' && v("PR") == 'N' && v("UI") == 'N') ? 0
      : ((v("AV") == 'N' || v("PR") == 'N' || v("UI") == 'N') && v("AV") != 'P')
          ? 1
          : 2;
  int eq2 = (v("AC") == 'L' && v("AT") == 'N') ? 0 : 1;
  int eq3 = (v("VC") == 'H' && v("VI") == 'H')                     ? 0
            : (v("VC") == 'H' || v("VI") == 'H' || v("VA") == 'H') ? 1
                                                                   : 2;
  int eq4 = (v("SC") == 'H' || v("SI") == 'H' || v("SA") == 'H') ? 1 : 2;
  int eq5 = 0;
  int eq6 = (v("VC") == 'H' || v("VI") == 'H' || v("VA") == 'H') ? 0 : 1;
  auto macro = [](int a, int b, int c, int d, int e, int f) {
    return fmt::format("{}{}{}{}{}{}", a, b, c, d, e, f);
  };
  std::optional<double> value = MacroScore(macro(eq1, eq2, eq3, eq4, eq5, eq6));
  if (!value) return Fail("CVSS vector '{}': no macro vector score", vector);

  // Scores of the next lower macro vectors, where they exist.
  auto lower = [&](int a, int b, int c, int d, int e, int f) {
    return MacroScore(macro(a, b, c, d, e, f));
  };
  std::optional<double> next_eq1 = lower(eq1 + 1, eq2, eq3, eq4, eq5, eq6);
  std::optional<double> next_eq2 = lower(eq1, eq2 + 1, eq3, eq4, eq5, eq6);
  std::optional<double> next_eq3eq6;
  if (eq3 == 0 && eq6 == 0) {
    auto left = lower(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
    auto right = lower(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
    next_eq3eq6 =
        (left && right) ? std::max(*left, *right) : (left ? left : right);
  } else if (eq6 == 1 && eq3 <= 1) {
    next_eq3eq6 = lower(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
  } else if (eq3 == 1 && eq6 == 0) {
    next_eq3eq6 = lower(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
  } else {
    next_eq3eq6 = lower(eq1, eq2, eq3 + 1, eq4, eq5, eq6 + 1);
  }
  std::optional<double> next_eq4 = lower(eq1, eq2, eq3, eq4 + 1, eq5, eq6);
  std::optional<double> next_eq5 = lower(eq1, eq2, eq3, eq4, eq5 + 1, eq6);

  // VulnSeverity distance from the first most severe vector of the macro vector
  // that is at least as severe as this one in every metric.
  static constexpr std::array<std::string_view, 14> kNames = {
      "AV", "PR", "UI", "AC", "AT", "VC", "VI",
      "VA", "SC", "SI", "SA", "CR", "IR", "AR"};
  std::map<std::string_view, double> distance;
  bool found = false;
  for (std::string_view m1 : EqMaxes(1, eq1, 0)) {
    for (std::string_view m2 : EqMaxes(2, eq2, 0)) {
      for (std::string_view m3 : EqMaxes(3, eq3, eq6)) {
        for (std::string_view m4 : EqMaxes(4, eq4, 0)) {
          if (found) continue;
          Metrics max;
          for (std::string_view part : {m1, m2, m3, m4}) AddMetrics(part, max);
          bool all_positive = true;
          for (std::string_view k : kNames) {
            distance[k] = Level(k, v(k)) - Level(k, max.at(std::string(k))[0]);
            all_positive = all_positive && distance[k] >= 0;
          }
          found = all_positive;
        }
      }
    }
  }
  double d_eq1 = distance["AV"] + distance["PR"] + distance["UI"];
  double d_eq2 = distance["AC"] + distance["AT"];
  double d_eq3eq6 = distance["VC"] + distance["VI"] + distance["VA"] +
                    distance["CR"] + distance["IR"] + distance["AR"];
  double d_eq4 = distance["SC"] + distance["SI"] + distance["SA"];

  // Move the macro vector's score towards the next lower one by the mean
  // of the proportional distances.
  int existing = 0;
  double sum = 0;
  auto add = [&](std::optional<double> next, double dist, double depth) {
    if (!next) return;
    ++existing;
    sum += (*value - *next) * (dist / depth);
  };
  add(next_eq1, d_eq1, EqDepth(1, eq1, 0));
  add(next_eq2, d_eq2, EqDepth(2, eq2, 0));
  add(next_eq3eq6, d_eq3eq6, EqDepth(3, eq3, eq6));
  add(next_eq4, d_eq4, EqDepth(4, eq4, 0));
  if (next_eq5) ++existing;  // E is at its default: no distance
  double score = *value - (existing == 0 ? 0.0 : sum / existing);
  score = std::clamp(score, 0.0, 10.0);
  return CvssScore{4, std::floor(score * 10.0 + 0.5) / 10.0,
                   std::string(vector)};
}

}  // namespace

std::string_view VulnSeverityName(VulnSeverity s) {
  switch (s) {
    case VulnSeverity::kUnknown:
      return "unknown";
    case VulnSeverity::kNone:
      return "none";
    case VulnSeverity::kLow:
      return "low";
    case VulnSeverity::kMedium:
      return "medium";
    case VulnSeverity::kHigh:
      return "high";
    case VulnSeverity::kCritical:
      return "critical";
  }
  return "unknown";
}

std::optional<VulnSeverity> ParseVulnSeverity(std::string_view text) {
  static constexpr std::pair<std::string_view, VulnSeverity> kNames[] = {
      {"unknown", VulnSeverity::kUnknown},
      {"none", VulnSeverity::kNone},
      {"negligible", VulnSeverity::kLow},
      {"unimportant", VulnSeverity::kLow},
      {"low", VulnSeverity::kLow},
      {"medium", VulnSeverity::kMedium},
      {"moderate", VulnSeverity::kMedium},
      {"high", VulnSeverity::kHigh},
      {"important", VulnSeverity::kHigh},
      {"critical", VulnSeverity::kCritical},
  };
  for (const auto& [name, s] : kNames) {
    if (EqualsIgnoreCase(text, name)) return s;
  }
  return std::nullopt;
}

VulnSeverity VulnSeverityFromScore(double score) {
  if (score <= 0.0) return VulnSeverity::kNone;
  if (score < 4.0) return VulnSeverity::kLow;
  if (score < 7.0) return VulnSeverity::kMedium;
  if (score < 9.0) return VulnSeverity::kHigh;
  return VulnSeverity::kCritical;
}

Result<CvssScore> ScoreCvss(std::string_view vector) {
  CINCH_ASSIGN(auto split, SplitVector(vector));
  auto& [version, metrics] = split;
  if (version == "3.0" || version == "3.1") {
    return ScoreV3(vector, version, metrics);
  }
  if (version == "4.0") return ScoreV4(vector, metrics);
  return Fail("unsupported CVSS version in '{}'", vector);
}

}  // namespace cinch
