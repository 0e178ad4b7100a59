// The catalogue of Dockerfile rules: stable IDs, default severities, short
// titles, long explanations, and the IDs other linters use for the same
// check. IDs never change meaning and are never reused.
//
// Families: CL1xxx syntax and structure, CL2xxx base images and stages,
// CL3xxx package managers and image size, CL4xxx secrets and privileges,
// CL5xxx labels and metadata, CL6xxx shell hygiene in RUN.
#ifndef CINCH_LINT_RULE_H_
#define CINCH_LINT_RULE_H_

#include <span>
#include <string_view>

#include "lint/finding.h"

namespace cinch::lint {

struct RuleInfo {
  std::string_view id;        // "CL3007"
  std::string_view hadolint;  // "DL3019" or ""
  std::string_view buildkit;  // BuildKit check name or ""
  Severity severity;
  bool enabled_by_default;
  bool fixable;
  std::string_view title;        // one line
  std::string_view explanation;  // why it matters and how to fix it
  // A readable name other producers' rules have ("aws-access-key-id");
  // empty for Dockerfile rules.
  std::string_view name = {};
};

// Every rule, ordered by ID.
std::span<const RuleInfo> AllRules();
// The rule with this ID, Hadolint code or BuildKit name (case-insensitive);
// nullptr when none.
const RuleInfo* FindRule(std::string_view id_or_alias);

}  // namespace cinch::lint

#endif  // CINCH_LINT_RULE_H_
