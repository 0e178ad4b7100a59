// Linter configuration: `.cinch.yaml`, or Hadolint's `.hadolint.yaml` when
// no cinch file exists, so teams keep their settings.
//
// .cinch.yaml:
//   disable: [CL2003, DL3008]      # IDs or aliases
//   enable: [CL5010]               # rules that are off by default
//   severity: {CL3001: error}      # overrides; "off" disables
//   trusted-registries: [docker.io, registry.example.com]
//   required-labels: [org.opencontainers.image.source]
//   label-schema: {org.opencontainers.image.created: rfc3339}
//   strict-labels: false
//   failure-threshold: warning     # style, info, warning, error, none
#ifndef CINCH_LINT_CONFIG_H_
#define CINCH_LINT_CONFIG_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/error.h"
#include "lint/finding.h"

namespace cinch::lint {

struct Config {
  std::set<std::string> disabled;  // canonical rule IDs
  std::set<std::string> enabled;   // canonical rule IDs off by default
  std::map<std::string, Severity> severity;  // canonical rule ID -> level
  std::vector<std::string> trusted_registries;
  std::vector<std::string> required_labels;
  // Label name -> text|url|rfc3339|spdx|hash|semver|email.
  std::map<std::string, std::string> label_schema;
  bool strict_labels = false;
  // Findings at or above this level fail the run; nullopt never fails.
  std::optional<Severity> failure_threshold = Severity::kWarning;
  std::string source;  // the file it came from, "" for defaults

  bool Enabled(std::string_view rule_id) const;
};

// Parses a configuration file's text. `hadolint` selects Hadolint's keys
// (ignored, override, trustedRegistries, label-schema, strict-labels,
// failure-threshold, no-fail). Unknown rule IDs are errors so typos show.
Result<Config> ParseConfig(std::string_view yaml, bool hadolint,
                           std::string_view source);

// Reads `path`, choosing the format by its name (.hadolint.y[a]ml).
Result<Config> LoadConfig(const std::string& path);

// The configuration file that applies in `dir`: .cinch.yaml, .cinch.yml,
// then .hadolint.yaml, .hadolint.yml; searched in `dir` and its parents.
std::optional<std::string> FindConfigFile(const std::string& dir);

}  // namespace cinch::lint

#endif  // CINCH_LINT_CONFIG_H_
