// Policy file parsing, the built-in rule catalogue, sizes and the clock.
#include "policy/policy.h"

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "advisory/osv.h"
#include "base/io.h"

namespace cinch::policy {
namespace {

constexpr auto kRules = std::to_array<RuleInfo>({
    {kMaxCompressed, "max-size.compressed", Severity::kError,
     "compressed image size over the limit",
     "use a smaller base image (distroless, slim, alpine) and a multi-stage "
     "build; run `cinch slim`"},
    {kMaxUncompressed, "max-size.uncompressed", Severity::kError,
     "uncompressed image size over the limit",
     "copy only runtime artifacts into the final stage; `cinch inspect` "
     "shows the largest files"},
    {kMaxWaste, "max-waste.bytes", Severity::kError,
     "bytes shipped in layers but hidden by later layers",
     "delete files in the same RUN that created them, or squash the "
     "build with a multi-stage COPY"},
    {kMinEfficiency, "max-waste.min-efficiency", Severity::kError,
     "layer efficiency under the minimum",
     "delete files in the same RUN that created them; `cinch inspect` "
     "lists the wasted paths"},
    {kMaxLayers, "max-layers", Severity::kError, "too many layers",
     "combine RUN instructions and copy the result of a build stage"},
    {kNonRoot, "non-root", Severity::kError, "image runs as root",
     "add a user and set USER to its numeric UID (USER 10001)"},
    {kLatestTag, "no-latest", Severity::kError,
     "image referenced by the mutable tag latest",
     "tag images with a version or commit, or pin them by digest"},
    {kUntagged, "no-latest", Severity::kError,
     "image referenced without a tag or digest",
     "name the image with a version tag or pin it by digest"},
    {kBaseRegistry, "allowed-registries", Severity::kError,
     "base image from a registry the policy does not allow",
     "build FROM an image in an allowed registry (mirror it there)"},
    {kRequiredLabel, "required-labels", Severity::kError,
     "required label missing", "add LABEL NAME=VALUE to the Dockerfile"},
    {kVulnerability, "vulnerabilities", Severity::kError,
     "known vulnerability at or over the severity gate",
     "upgrade the package to the fixed version or rebuild on a patched base "
     "image"},
    {kSecret, "no-secrets", Severity::kError, "secret in the image",
     "remove the file or value, rotate the credential, and pass secrets at "
     "run time (RUN --mount=type=secret)"},
    {kDeniedPackage, "denied-packages", Severity::kError,
     "package the policy denies",
     "remove the package (apt-get purge, apk del) or do not install it"},
    {kDeniedLicense, "denied-licenses", Severity::kError,
     "package under a licence the policy denies",
     "replace the package with one under an allowed licence"},
    {kLint, "lint", Severity::kError,
     "Dockerfile finding at or over the lint threshold",
     "fix the Dockerfile (`cinch lint --fix` applies the safe fixes)"},
    {kHardening, "hardening", Severity::kError,
     "hardening finding at or over the threshold",
     "see the finding's fix in `cinch inspect` and docs/findings.md"},
    {kShell, "no-shell", Severity::kError, "shell in the image",
     "use a distroless or scratch final stage and an exec-form ENTRYPOINT"},
    {kPackageManager, "no-package-manager", Severity::kError,
     "package manager in the image",
     "install packages in a build stage and copy only the results"},
    {kCustomFailed, "custom", Severity::kError,
     "custom rule yielded a value of the wrong type",
     "make the jq program yield true/false, a string or an array"},
    {kExpiredException, "exceptions", Severity::kError, "exception has expired",
     "fix the finding, or renew the exception with a new expiry and reason"},
});

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(uint8_t(c)));
  return out;
}

// Parsing state: names the file and the key in every error.
struct Parser {
  std::string_view source;

  Error Bad(std::string_view key, std::string_view what) const {
    return Error{fmt::format("{}: {}: {}", source, key, what)};
  }
  Result<bool> Bool(const YAML::Node& n, std::string_view key) const {
    if (!n.IsScalar()) return std::unexpected(Bad(key, "expected true/false"));
    std::string v = Lower(n.Scalar());
    if (v == "true" || v == "yes" || v == "on") return true;
    if (v == "false" || v == "no" || v == "off") return false;
    return std::unexpected(Bad(key, "expected true/false"));
  }
  Result<uint64_t> Bytes(const YAML::Node& n, std::string_view key) const {
    auto v = n.IsScalar() ? ParseByteSize(n.Scalar()) : std::nullopt;
    if (!v) return std::unexpected(Bad(key, "expected a size like 200MB"));
    return *v;
  }
  Result<double> Fraction(const YAML::Node& n, std::string_view key) const {
    if (n.IsScalar()) {
      char* end = nullptr;
      double v = std::strtod(n.Scalar().c_str(), &end);
      if (end != n.Scalar().c_str() && *end == '\0' && v >= 0 && v <= 1) {
        return v;
      }
    }
    return std::unexpected(Bad(key, "expected a number from 0 to 1"));
  }
  Result<size_t> Count(const YAML::Node& n, std::string_view key) const {
    if (n.IsScalar()) {
      char* end = nullptr;
      long long v = std::strtoll(n.Scalar().c_str(), &end, 10);
      if (end != n.Scalar().c_str() && *end == '\0' && v >= 0) {
        return size_t(v);
      }
    }
    return std::unexpected(Bad(key, "expected a whole number"));
  }
  Result<std::string> Text(const YAML::Node& n, std::string_view key) const {
    if (!n.IsScalar()) return std::unexpected(Bad(key, "expected text"));
    return n.Scalar();
  }
  Result<std::vector<std::string>> List(const YAML::Node& n,
                                        std::string_view key) const {
    if (!n.IsSequence()) return std::unexpected(Bad(key, "expected a list"));
    std::vector<std::string> out;
    for (const YAML::Node& item : n) {
      CINCH_ASSIGN(std::string s, Text(item, key));
      out.push_back(std::move(s));
    }
    return out;
  }
  Result<Severity> Level(const YAML::Node& n, std::string_view key) const {
    auto s = n.IsScalar() ? ParseSeverity(Lower(n.Scalar())) : std::nullopt;
    if (!s) {
      return std::unexpected(
          Bad(key, "expected style, info, warning or error"));
    }
    return *s;
  }
  // Every key of `map` must be in `known`.
  Status Keys(const YAML::Node& map, std::string_view where,
              std::initializer_list<std::string_view> known) const {
    if (!map.IsMap()) return std::unexpected(Bad(where, "expected a mapping"));
    for (const auto& kv : map) {
      std::string key = kv.first.as<std::string>();
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        return std::unexpected(
            Bad(where, fmt::format("unknown key \"{}\"", key)));
      }
    }
    return {};
  }
};

Status ParseSize(const Parser& p, const YAML::Node& n, Policy& out) {
  CINCH_TRY(p.Keys(n, "rules.max-size", {"compressed", "uncompressed"}));
  if (n["compressed"]) {
    CINCH_ASSIGN(out.max_compressed,
                 p.Bytes(n["compressed"], "rules.max-size.compressed"));
  }
  if (n["uncompressed"]) {
    CINCH_ASSIGN(out.max_uncompressed,
                 p.Bytes(n["uncompressed"], "rules.max-size.uncompressed"));
  }
  return {};
}

Status ParseWaste(const Parser& p, const YAML::Node& n, Policy& out) {
  CINCH_TRY(p.Keys(n, "rules.max-waste", {"bytes", "min-efficiency"}));
  if (n["bytes"]) {
    CINCH_ASSIGN(out.max_waste, p.Bytes(n["bytes"], "rules.max-waste.bytes"));
  }
  if (n["min-efficiency"]) {
    CINCH_ASSIGN(
        out.min_efficiency,
        p.Fraction(n["min-efficiency"], "rules.max-waste.min-efficiency"));
  }
  return {};
}

Status ParseVulns(const Parser& p, const YAML::Node& n, Policy& out) {
  CINCH_TRY(p.Keys(n, "rules.vulnerabilities", {"severity", "only-fixed"}));
  CINCH_ASSIGN(std::string level,
               p.Text(n["severity"], "rules.vulnerabilities.severity"));
  out.vuln_severity = ParseVulnSeverity(level);
  if (!out.vuln_severity) {
    return std::unexpected(p.Bad("rules.vulnerabilities.severity",
                                 "expected low, medium, high or critical"));
  }
  if (n["only-fixed"]) {
    CINCH_ASSIGN(out.vuln_only_fixed,
                 p.Bool(n["only-fixed"], "rules.vulnerabilities.only-fixed"));
  }
  return {};
}

Result<std::optional<Severity>> Threshold(const Parser& p, const YAML::Node& n,
                                          std::string_view key) {
  CINCH_TRY(p.Keys(n, key, {"failure-threshold"}));
  std::string k = fmt::format("{}.failure-threshold", key);
  if (n["failure-threshold"].IsScalar() &&
      Lower(n["failure-threshold"].Scalar()) == "none") {
    return std::optional<Severity>();
  }
  CINCH_ASSIGN(Severity s, p.Level(n["failure-threshold"], k));
  return std::optional<Severity>(s);
}

Status ParseRules(const Parser& p, const YAML::Node& n, Policy& out) {
  CINCH_TRY(
      p.Keys(n, "rules",
             {"max-size", "max-waste", "max-layers", "non-root", "no-latest",
              "allowed-registries", "required-labels", "vulnerabilities",
              "no-secrets", "denied-packages", "denied-licenses", "lint",
              "hardening", "no-shell", "no-package-manager"}));
  if (n["max-size"]) CINCH_TRY(ParseSize(p, n["max-size"], out));
  if (n["max-waste"]) CINCH_TRY(ParseWaste(p, n["max-waste"], out));
  if (n["max-layers"]) {
    CINCH_ASSIGN(out.max_layers, p.Count(n["max-layers"], "rules.max-layers"));
  }
  struct Flag {
    const char* key;
    bool* value;
  };
  for (Flag f :
       {Flag{"non-root", &out.non_root}, Flag{"no-latest", &out.no_latest},
        Flag{"no-secrets", &out.no_secrets}, Flag{"no-shell", &out.no_shell},
        Flag{"no-package-manager", &out.no_package_manager}}) {
    if (n[f.key]) {
      CINCH_ASSIGN(*f.value, p.Bool(n[f.key], fmt::format("rules.{}", f.key)));
    }
  }
  struct Names {
    const char* key;
    std::vector<std::string>* value;
  };
  for (Names l : {Names{"allowed-registries", &out.allowed_registries},
                  Names{"required-labels", &out.required_labels},
                  Names{"denied-packages", &out.denied_packages},
                  Names{"denied-licenses", &out.denied_licenses}}) {
    if (n[l.key]) {
      CINCH_ASSIGN(*l.value, p.List(n[l.key], fmt::format("rules.{}", l.key)));
    }
  }
  if (n["vulnerabilities"]) CINCH_TRY(ParseVulns(p, n["vulnerabilities"], out));
  if (n["lint"]) {
    CINCH_ASSIGN(out.lint_threshold, Threshold(p, n["lint"], "rules.lint"));
  }
  if (n["hardening"]) {
    CINCH_ASSIGN(out.hardening_threshold,
                 Threshold(p, n["hardening"], "rules.hardening"));
  }
  return {};
}

Result<CustomRule> ParseCustom(const Parser& p, const YAML::Node& n, size_t i) {
  std::string where = fmt::format("custom[{}]", i);
  CINCH_TRY(p.Keys(n, where, {"id", "severity", "message", "fix", "jq"}));
  CustomRule r;
  CINCH_ASSIGN(r.id, p.Text(n["id"], where + ".id"));
  if (FindBuiltinRule(r.id) != nullptr) {
    return std::unexpected(p.Bad(where + ".id", "is a built-in rule's ID"));
  }
  if (n["severity"]) {
    CINCH_ASSIGN(r.severity, p.Level(n["severity"], where + ".severity"));
  }
  CINCH_ASSIGN(r.message, p.Text(n["message"], where + ".message"));
  if (n["fix"]) {
    CINCH_ASSIGN(r.fix, p.Text(n["fix"], where + ".fix"));
  }
  CINCH_ASSIGN(r.jq, p.Text(n["jq"], where + ".jq"));
  return r;
}

Result<Exception> ParseException(const Parser& p, const YAML::Node& n,
                                 size_t i) {
  std::string where = fmt::format("exceptions[{}]", i);
  CINCH_TRY(
      p.Keys(n, where,
             {"id", "path", "package", "layer", "reason", "owner", "expires"}));
  Exception e;
  CINCH_ASSIGN(e.id, p.Text(n["id"], where + ".id"));
  for (auto [key, value] :
       {std::pair{"path", &e.path}, std::pair{"package", &e.package},
        std::pair{"layer", &e.layer}}) {
    if (n[key]) {
      CINCH_ASSIGN(*value, p.Text(n[key], where + "." + key));
    }
  }
  CINCH_ASSIGN(e.reason, p.Text(n["reason"], where + ".reason"));
  CINCH_ASSIGN(e.owner, p.Text(n["owner"], where + ".owner"));
  CINCH_ASSIGN(e.expires, p.Text(n["expires"], where + ".expires"));
  auto at = ParseTimestamp(e.expires);
  if (!at) {
    return std::unexpected(p.Bad(
        where + ".expires", "expected a date (2026-06-30) or RFC 3339 time"));
  }
  e.expires_at = *at;
  if (e.reason.empty() || e.owner.empty()) {
    return std::unexpected(p.Bad(where, "reason and owner must not be empty"));
  }
  return e;
}

Status ParseDeploy(const Parser& p, const YAML::Node& n, Policy& out) {
  CINCH_TRY(p.Keys(n, "deploy",
                   {"read-only-root-filesystem", "drop-all-capabilities",
                    "no-privilege-escalation"}));
  for (auto [key, value] :
       {std::pair{"read-only-root-filesystem", &out.read_only_root_filesystem},
        std::pair{"drop-all-capabilities", &out.drop_all_capabilities},
        std::pair{"no-privilege-escalation", &out.no_privilege_escalation}}) {
    if (n[key]) {
      CINCH_ASSIGN(*value, p.Bool(n[key], fmt::format("deploy.{}", key)));
    }
  }
  return {};
}

Status ParseDocument(const Parser& p, const YAML::Node& doc, Policy& out) {
  CINCH_TRY(p.Keys(doc, "(top level)",
                   {"version", "failure-threshold", "rules", "severity",
                    "custom", "exceptions", "deploy"}));
  if (!doc["version"] || !doc["version"].IsScalar() ||
      doc["version"].Scalar() != "1") {
    return std::unexpected(p.Bad("version", "must be 1"));
  }
  if (doc["failure-threshold"]) {
    CINCH_ASSIGN(out.failure_threshold,
                 p.Level(doc["failure-threshold"], "failure-threshold"));
  }
  if (doc["rules"]) CINCH_TRY(ParseRules(p, doc["rules"], out));
  if (const YAML::Node& sev = doc["severity"]; sev) {
    if (!sev.IsMap()) return std::unexpected(p.Bad("severity", "not a map"));
    for (const auto& kv : sev) {
      std::string id = kv.first.as<std::string>();
      if (FindBuiltinRule(id) == nullptr) {
        return std::unexpected(
            p.Bad("severity", fmt::format("unknown rule \"{}\"", id)));
      }
      CINCH_ASSIGN(out.severity[id], p.Level(kv.second, "severity." + id));
    }
  }
  if (const YAML::Node& custom = doc["custom"]; custom) {
    if (!custom.IsSequence()) {
      return std::unexpected(p.Bad("custom", "expected a list"));
    }
    for (size_t i = 0; i < custom.size(); ++i) {
      CINCH_ASSIGN(CustomRule r, ParseCustom(p, custom[i], i));
      out.custom.push_back(std::move(r));
    }
  }
  if (const YAML::Node& list = doc["exceptions"]; list) {
    if (!list.IsSequence()) {
      return std::unexpected(p.Bad("exceptions", "expected a list"));
    }
    for (size_t i = 0; i < list.size(); ++i) {
      CINCH_ASSIGN(Exception e, ParseException(p, list[i], i));
      out.exceptions.push_back(std::move(e));
    }
  }
  if (doc["deploy"]) CINCH_TRY(ParseDeploy(p, doc["deploy"], out));
  return {};
}

}  // namespace

std::span<const RuleInfo> BuiltinRules() { return kRules; }

const RuleInfo* FindBuiltinRule(std::string_view id) {
  for (const RuleInfo& r : kRules) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

std::optional<uint64_t> ParseByteSize(std::string_view text) {
  std::string s(text);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || errno != 0 || !(v >= 0)) return std::nullopt;
  std::string unit = Lower(std::string_view(end));
  while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  static const std::map<std::string, double> kUnits = {
      {"", 1},
      {"b", 1},
      {"kb", 1e3},
      {"mb", 1e6},
      {"gb", 1e9},
      {"tb", 1e12},
      {"k", 1e3},
      {"m", 1e6},
      {"g", 1e9},
      {"kib", 1024.0},
      {"mib", 1048576.0},
      {"gib", 1073741824.0},
      {"tib", 1099511627776.0}};
  auto it = kUnits.find(unit);
  if (it == kUnits.end()) return std::nullopt;
  double bytes = v * it->second;
  if (bytes > 1.8e19) return std::nullopt;
  return uint64_t(std::llround(bytes));
}

Result<Policy> ParsePolicy(std::string_view yaml, std::string_view source) {
  Parser p{source};
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Fail("{}: not valid YAML: {}", source, e.what());
  }
  Policy out;
  out.source = std::string(source);
  try {
    CINCH_TRY(ParseDocument(p, doc, out));
  } catch (const YAML::Exception& e) {
    return Fail("{}: {}", source, e.what());
  }
  return out;
}

Result<Policy> LoadPolicy(const std::string& path) {
  CINCH_ASSIGN(std::string text, ReadFileLimited(path, 4 << 20));
  return ParsePolicy(text, path);
}

Result<int64_t> NowFromEnvironment() {
  const char* fixed = std::getenv("CINCH_NOW");
  if (fixed == nullptr || *fixed == '\0') {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::string_view v(fixed);
  if (v.find_first_not_of("0123456789") == std::string_view::npos) {
    return std::atoll(fixed);
  }
  if (auto at = ParseTimestamp(v)) return *at;
  return Fail(
      "CINCH_NOW='{}' is neither seconds since the epoch nor an "
      "RFC 3339 time",
      v);
}

}  // namespace cinch::policy
