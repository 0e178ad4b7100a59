// Applying a policy to an image's facts: the built-in rules, the custom jq
// rules, then the exceptions.
#include <fnmatch.h>

#include <algorithm>

#include <fmt/format.h>

#include "policy/policy.h"
#include "report/inspect_report.h"

namespace cinch::policy {
namespace {

// Violations of one evaluation, with the rule's severity and fix filled.
class Collector {
 public:
  explicit Collector(const Policy& policy) : policy_(policy) {}

  Violation& Add(std::string_view rule, std::string message) {
    const RuleInfo* info = FindBuiltinRule(rule);
    Violation v;
    v.rule = std::string(rule);
    v.severity = info != nullptr ? info->severity : Severity::kError;
    if (auto it = policy_.severity.find(v.rule); it != policy_.severity.end()) {
      v.severity = it->second;
    }
    if (info != nullptr) v.fix = std::string(info->fix);
    v.message = std::move(message);
    out_.push_back(std::move(v));
    return out_.back();
  }
  std::vector<Violation> Take() { return std::move(out_); }

 private:
  const Policy& policy_;
  std::vector<Violation> out_;
};

void CheckSizes(const Policy& p, const Facts& f, Collector& c) {
  const InspectReport& r = f.inspect;
  if (p.max_compressed && r.compressed_bytes > *p.max_compressed) {
    c.Add(kMaxCompressed,
          fmt::format("compressed size {} is over the limit of {}",
                      HumanBytes(r.compressed_bytes),
                      HumanBytes(*p.max_compressed)));
  }
  if (p.max_uncompressed && r.uncompressed_bytes > *p.max_uncompressed) {
    c.Add(kMaxUncompressed,
          fmt::format("uncompressed size {} is over the limit of {}",
                      HumanBytes(r.uncompressed_bytes),
                      HumanBytes(*p.max_uncompressed)));
  }
  if (p.max_waste && r.wasted_bytes > *p.max_waste) {
    c.Add(kMaxWaste,
          fmt::format("{} wasted in layers (hidden by later layers), over the "
                      "limit of {}",
                      HumanBytes(r.wasted_bytes), HumanBytes(*p.max_waste)));
  }
  if (p.min_efficiency && r.efficiency < *p.min_efficiency) {
    c.Add(kMinEfficiency,
          fmt::format("efficiency {:.1f}% is under the minimum of {:.1f}%",
                      r.efficiency * 100, *p.min_efficiency * 100));
  }
  if (p.max_layers && r.layer_count > *p.max_layers) {
    c.Add(kMaxLayers, fmt::format("{} layers, over the limit of {}",
                                  r.layer_count, *p.max_layers));
  }
}

// Root when USER is empty, "root", "0" or "0:..." / "root:...".
bool RunsAsRoot(std::string_view user) {
  std::string_view who = user.substr(0, user.find(':'));
  return who.empty() || who == "root" || who == "0";
}

bool RegistryAllowed(const std::string& name,
                     const std::vector<std::string>& allowed) {
  for (const std::string& a : allowed) {
    if (name == a || (name.starts_with(a) && name[a.size()] == '/')) {
      return true;
    }
  }
  return false;
}

void CheckConfig(const Policy& p, const Facts& f, Collector& c) {
  const ImageConfig& config = f.image.config;
  if (p.non_root && RunsAsRoot(config.user)) {
    c.Add(kNonRoot, config.user.empty()
                        ? std::string("no USER is set, so the image runs as "
                                      "root")
                        : fmt::format("USER {} is root", config.user));
  }
  if (p.no_latest) {
    if (f.name.tag == "latest" && f.name.digest.empty()) {
      c.Add(kLatestTag,
            fmt::format("{} uses the tag latest", f.image.reference));
    } else if (f.name.tag.empty() && f.name.digest.empty()) {
      c.Add(kUntagged,
            fmt::format("{} has no tag or digest", f.image.reference));
    }
  }
  if (!p.allowed_registries.empty()) {
    if (!f.base) {
      c.Add(kBaseRegistry,
            "the base image is unknown (give --dockerfile, or set the "
            "org.opencontainers.image.base.name label)");
    } else if (!RegistryAllowed(f.base->name.name, p.allowed_registries)) {
      c.Add(kBaseRegistry,
            fmt::format("base image {} ({}) is not in an allowed registry",
                        f.base->reference, f.base->name.name));
    }
  }
  for (const std::string& label : p.required_labels) {
    auto it = config.labels.find(label);
    if (it == config.labels.end() || it->second.empty()) {
      c.Add(kRequiredLabel, fmt::format("label {} is missing", label)).fix =
          fmt::format("add LABEL {}=... to the Dockerfile", label);
    }
  }
}

void CheckVulns(const Policy& p, const Facts& f, Collector& c) {
  if (!p.vuln_severity) return;
  if (!f.vulnerabilities_checked) {
    c.Add(kVulnerability,
          "vulnerabilities were not checked (give --db with an advisory "
          "database)")
        .fix =
        "import advisories (cinch db import PATH|URL) and pass --db, or "
        "remove rules.vulnerabilities from the policy";
    return;
  }
  for (const VulnFinding& v : f.vulnerabilities) {
    if (v.severity < *p.vuln_severity) continue;
    if (p.vuln_only_fixed && v.fixed_version.empty()) continue;
    const Package& pkg = f.catalog.packages[v.package_index];
    Violation& out =
        c.Add(kVulnerability,
              fmt::format("{} ({}) in {} {}{}", v.id,
                          VulnSeverityName(v.severity), pkg.name, pkg.version,
                          v.fixed_version.empty()
                              ? ", no fix yet"
                              : fmt::format(", fixed in {}", v.fixed_version)));
    out.finding = v.id;
    out.aliases = v.aliases;
    out.package = pkg.name;
    out.layer = pkg.layer;
    if (!v.fixed_version.empty()) {
      out.fix =
          fmt::format("upgrade {} to {} or later", pkg.name, v.fixed_version);
    }
  }
}

void FromImageFinding(const ImageFinding& i, const Facts& f, Violation& v) {
  v.finding = i.finding.rule;
  v.aliases = i.finding.aliases;
  v.path = i.finding.location.path;
  v.layer = i.layer;
  v.diff_id = i.finding.location.layer;
  if (i.source.line > 0) {
    v.source = i.source;
    v.source.path = f.dockerfile;
  }
}

void CheckFindings(const Policy& p, const Facts& f, Collector& c) {
  for (const ImageFinding& i : f.inspect.findings) {
    bool secret = IsSecretFinding(i);
    if (secret && p.no_secrets) {
      std::string where = i.state.empty() || i.state == "visible"
                              ? ""
                              : fmt::format(
                                    " ({} in a later layer, still "
                                    "in layer {})",
                                    i.state, i.layer + 1);
      FromImageFinding(
          i, f,
          c.Add(kSecret, fmt::format("{}: {} in {}{}", i.finding.rule, i.title,
                                     i.finding.location.path, where)));
    } else if (!secret && p.hardening_threshold &&
               i.finding.severity >= *p.hardening_threshold) {
      FromImageFinding(i, f,
                       c.Add(kHardening, fmt::format("{}: {}", i.finding.rule,
                                                     i.finding.message)));
    }
  }
  if (p.lint_threshold && f.lint_checked) {
    for (const Finding& l : f.lint_findings) {
      if (l.severity < *p.lint_threshold) continue;
      Violation& v = c.Add(kLint, fmt::format("{} line {}: {}", l.rule,
                                              l.location.line, l.message));
      v.finding = l.rule;
      v.aliases = l.aliases;
      v.path = l.location.path;
      v.source = l.location;
    }
  }
}

bool Glob(const std::string& pattern, const std::string& text) {
  return ::fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

std::string Lower(std::string s) {
  for (char& ch : s) ch = char(std::tolower(uint8_t(ch)));
  return s;
}

void CheckPackages(const Policy& p, const Facts& f, Collector& c) {
  for (const Package& pkg : f.catalog.packages) {
    for (const std::string& denied : p.denied_packages) {
      if (!Glob(denied, pkg.name)) continue;
      Violation& v = c.Add(kDeniedPackage,
                           fmt::format("package {} {} ({}) is denied", pkg.name,
                                       pkg.version, PackageTypeName(pkg.type)));
      v.package = pkg.name;
      v.layer = pkg.layer;
      break;
    }
    for (const std::string& denied : p.denied_licenses) {
      bool hit = std::any_of(
          pkg.licenses.begin(), pkg.licenses.end(), [&](const std::string& l) {
            // An expression names the licence as a whole word.
            std::string expr = " " + Lower(l) + " ";
            for (char& ch : expr) {
              if (ch == '(' || ch == ')') ch = ' ';
            }
            return expr.find(" " + Lower(denied) + " ") != std::string::npos;
          });
      if (!hit) continue;
      Violation& v =
          c.Add(kDeniedLicense, fmt::format("package {} {} is licensed {}",
                                            pkg.name, pkg.version, denied));
      v.package = pkg.name;
      v.layer = pkg.layer;
      break;
    }
  }
  if (p.no_shell && !f.shells.empty()) {
    c.Add(kShell, fmt::format("shell found: {}", f.shells.front())).path =
        f.shells.front();
  }
  if (p.no_package_manager && !f.package_managers.empty()) {
    c.Add(kPackageManager,
          fmt::format("package manager found: {}", f.package_managers.front()))
        .path = f.package_managers.front();
  }
}

std::string Describe(const nlohmann::json& item) {
  if (item.is_string()) return item.get<std::string>();
  return item.dump();
}

Status CheckCustom(const Policy& p, const nlohmann::json& facts, Collector& c) {
  for (const CustomRule& rule : p.custom) {
    auto outputs = RunJq(rule.jq, facts);
    if (!outputs) {
      return Fail("custom rule {}: {}", rule.id, outputs.error().message);
    }
    auto add = [&](std::string message) {
      Violation& v = c.Add(rule.id, std::move(message));
      v.severity = rule.severity;
      v.fix = rule.fix;
    };
    for (const nlohmann::json& out : *outputs) {
      if (out.is_null() || out == false) continue;
      if (out == true) {
        add(rule.message);
      } else if (out.is_string()) {
        if (!out.get<std::string>().empty()) {
          add(fmt::format("{}: {}", rule.message, out.get<std::string>()));
        }
      } else if (out.is_array()) {
        for (const nlohmann::json& item : out) {
          add(fmt::format("{}: {}", rule.message, Describe(item)));
        }
      } else {
        c.Add(kCustomFailed, fmt::format("custom rule {} yielded {}", rule.id,
                                         out.dump().substr(0, 80)));
      }
    }
  }
  return {};
}

bool Matches(const Exception& e, const Violation& v) {
  bool id =
      e.id == v.rule || e.id == v.finding ||
      std::find(v.aliases.begin(), v.aliases.end(), e.id) != v.aliases.end();
  if (!id) return false;
  if (!e.path.empty()) {
    std::string path = v.path;
    // Patterns may be written with or without the leading '/'.
    if (!Glob(e.path, path) &&
        !(path.starts_with("/") && Glob(e.path, path.substr(1))) &&
        !Glob(e.path, v.source.path)) {
      return false;
    }
  }
  if (!e.package.empty() && !Glob(e.package, v.package)) return false;
  if (!e.layer.empty() && e.layer != std::to_string(v.layer) &&
      e.layer != v.diff_id) {
    return false;
  }
  return true;
}

std::string DateOf(const Exception& e) {
  return e.expires.substr(0, e.expires.find('T'));
}

void ApplyExceptions(const Policy& p, int64_t now,
                     std::vector<Violation>& violations, Collector& c) {
  for (const Exception& e : p.exceptions) {
    if (e.expires_at <= now) {
      Violation& v =
          c.Add(kExpiredException,
                fmt::format("the exception for {} (owner {}) expired on {}: {}",
                            e.id, e.owner, DateOf(e), e.reason));
      v.finding = e.id;
      v.path = e.path;
      v.package = e.package;
    }
  }
  for (Violation& v : violations) {
    for (const Exception& e : p.exceptions) {
      if (!Matches(e, v)) continue;
      if (e.expires_at > now) {
        v.excepted_by =
            fmt::format("{} until {}: {}", e.owner, DateOf(e), e.reason);
        v.expired_exception.clear();
        break;
      }
      v.expired_exception =
          fmt::format("exception by {} expired on {}", e.owner, DateOf(e));
    }
  }
}

}  // namespace

Result<Verdict> Evaluate(const Policy& policy, const Facts& facts,
                         const nlohmann::json& facts_json, int64_t now) {
  Collector c(policy);
  CheckSizes(policy, facts, c);
  CheckConfig(policy, facts, c);
  CheckVulns(policy, facts, c);
  CheckFindings(policy, facts, c);
  CheckPackages(policy, facts, c);
  CINCH_TRY(CheckCustom(policy, facts_json, c));
  Verdict verdict;
  verdict.violations = c.Take();
  Collector expired(policy);
  ApplyExceptions(policy, now, verdict.violations, expired);
  for (Violation& v : expired.Take()) verdict.violations.push_back(v);

  std::stable_sort(verdict.violations.begin(), verdict.violations.end(),
                   [](const Violation& a, const Violation& b) {
                     bool ca = a.excepted_by.empty(),
                          cb = b.excepted_by.empty();
                     if (ca != cb) return ca;
                     return a.severity > b.severity;
                   });
  for (const Violation& v : verdict.violations) {
    if (!v.excepted_by.empty()) continue;
    ++verdict.counting;
    if (v.severity >= policy.failure_threshold) ++verdict.failing;
  }
  verdict.pass = verdict.failing == 0;
  return verdict;
}

}  // namespace cinch::policy
