#include "lint/config.h"

#include <filesystem>

#include <yaml-cpp/yaml.h>

#include "base/io.h"
#include "lint/rule.h"

namespace cinch::lint {

bool Config::Enabled(std::string_view rule_id) const {
  std::string id(rule_id);
  if (disabled.count(id) > 0) return false;
  if (enabled.count(id) > 0) return true;
  const RuleInfo* r = FindRule(rule_id);
  return r != nullptr && r->enabled_by_default;
}

namespace {

constexpr size_t kMaxConfigBytes = 1 << 20;

Result<std::string> CanonicalId(const std::string& id,
                                std::string_view source) {
  const RuleInfo* r = FindRule(id);
  if (r == nullptr) return Fail("{}: unknown rule \"{}\"", source, id);
  return std::string(r->id);
}

// A YAML sequence of scalars (a lone scalar counts as one).
Result<std::vector<std::string>> Strings(const YAML::Node& n,
                                         std::string_view key,
                                         std::string_view source) {
  std::vector<std::string> out;
  if (!n) return out;
  if (n.IsScalar()) {
    out.push_back(n.as<std::string>());
  } else if (n.IsSequence()) {
    for (const auto& e : n) {
      if (!e.IsScalar()) return Fail("{}: {} must list strings", source, key);
      out.push_back(e.as<std::string>());
    }
  } else {
    return Fail("{}: {} must be a list", source, key);
  }
  return out;
}

// Every rule listed under `key` (IDs or aliases), as canonical IDs.
Status AddIds(const YAML::Node& n, std::string_view key,
              std::string_view source, std::set<std::string>& out) {
  CINCH_ASSIGN(auto ids, Strings(n, key, source));
  for (const std::string& id : ids) {
    CINCH_ASSIGN(std::string c, CanonicalId(id, source));
    out.insert(c);
  }
  return {};
}

Status SetThreshold(const YAML::Node& n, std::string_view source, Config& c) {
  if (!n) return {};
  std::string v = n.as<std::string>();
  if (v == "none" || v == "never") {
    c.failure_threshold = std::nullopt;
    return {};
  }
  std::optional<Severity> s = ParseSeverity(v);
  if (!s) return Fail("{}: bad failure-threshold \"{}\"", source, v);
  c.failure_threshold = *s;
  return {};
}

Status LabelSchema(const YAML::Node& n, std::string_view source, Config& c) {
  if (!n) return {};
  if (!n.IsMap()) return Fail("{}: label-schema must be a mapping", source);
  static const std::set<std::string> kTypes = {
      "text", "url", "rfc3339", "spdx", "hash", "semver", "email"};
  for (const auto& kv : n) {
    std::string type = kv.second.as<std::string>();
    if (kTypes.count(type) == 0) {
      return Fail("{}: unknown label type \"{}\"", source, type);
    }
    c.label_schema[kv.first.as<std::string>()] = type;
  }
  return {};
}

Status ParseCinch(const YAML::Node& root, std::string_view source, Config& c) {
  CINCH_TRY(AddIds(root["disable"], "disable", source, c.disabled));
  CINCH_TRY(AddIds(root["enable"], "enable", source, c.enabled));
  if (const YAML::Node s = root["severity"]) {
    if (!s.IsMap()) return Fail("{}: severity must be a mapping", source);
    for (const auto& kv : s) {
      CINCH_ASSIGN(std::string id,
                   CanonicalId(kv.first.as<std::string>(), source));
      std::string level = kv.second.as<std::string>();
      if (level == "off" || level == "ignore") {
        c.disabled.insert(id);
        continue;
      }
      std::optional<Severity> sev = ParseSeverity(level);
      if (!sev) return Fail("{}: bad severity \"{}\"", source, level);
      c.severity[id] = *sev;
    }
  }
  CINCH_ASSIGN(c.trusted_registries, Strings(root["trusted-registries"],
                                             "trusted-registries", source));
  CINCH_ASSIGN(c.required_labels,
               Strings(root["required-labels"], "required-labels", source));
  CINCH_TRY(LabelSchema(root["label-schema"], source, c));
  if (root["strict-labels"]) c.strict_labels = root["strict-labels"].as<bool>();
  return SetThreshold(root["failure-threshold"], source, c);
}

Status ParseHadolint(const YAML::Node& root, std::string_view source,
                     Config& c) {
  CINCH_TRY(AddIds(root["ignored"], "ignored", source, c.disabled));
  if (const YAML::Node o = root["override"]) {
    for (const char* level : {"error", "warning", "info", "style"}) {
      std::set<std::string> ids;
      CINCH_TRY(AddIds(o[level], level, source, ids));
      for (const std::string& id : ids) c.severity[id] = *ParseSeverity(level);
    }
  }
  CINCH_ASSIGN(c.trusted_registries,
               Strings(root["trustedRegistries"], "trustedRegistries", source));
  CINCH_TRY(LabelSchema(root["label-schema"], source, c));
  // Hadolint requires every label its schema names.
  for (const auto& [name, type] : c.label_schema) {
    c.required_labels.push_back(name);
  }
  if (root["strict-labels"]) c.strict_labels = root["strict-labels"].as<bool>();
  if (root["no-fail"] && root["no-fail"].as<bool>()) {
    c.failure_threshold = std::nullopt;
    return {};
  }
  return SetThreshold(root["failure-threshold"], source, c);
}

}  // namespace

Result<Config> ParseConfig(std::string_view yaml, bool hadolint,
                           std::string_view source) {
  Config c;
  c.source = std::string(source);
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    if (root.IsNull()) return c;
    if (!root.IsMap()) return Fail("{}: expected a mapping", source);
    CINCH_TRY(hadolint ? ParseHadolint(root, source, c)
                       : ParseCinch(root, source, c));
  } catch (const YAML::Exception& e) {
    // yaml-cpp reports syntax and conversion errors by exception; they
    // stop here and travel on as values.
    return Fail("{}: {}", source, e.what());
  }
  return c;
}

Result<Config> LoadConfig(const std::string& path) {
  CINCH_ASSIGN(std::string text, ReadFileLimited(path, kMaxConfigBytes));
  std::string name = std::filesystem::path(path).filename().string();
  return ParseConfig(text, name.starts_with(".hadolint"), path);
}

std::optional<std::string> FindConfigFile(const std::string& dir) {
  std::error_code ec;
  std::filesystem::path d = std::filesystem::absolute(dir, ec);
  while (!ec) {
    for (const char* name :
         {".cinch.yaml", ".cinch.yml", ".hadolint.yaml", ".hadolint.yml"}) {
      std::filesystem::path p = d / name;
      if (std::filesystem::is_regular_file(p, ec)) return p.string();
    }
    if (!d.has_parent_path() || d.parent_path() == d) break;
    d = d.parent_path();
  }
  return std::nullopt;
}

}  // namespace cinch::lint
