// Writes lint findings as a terminal listing, JSON, SARIF 2.1.0, JUnit XML
// or checkstyle XML. Pure functions: text in, text out.
#ifndef CINCH_LINT_REPORT_H_
#define CINCH_LINT_REPORT_H_

#include <string>
#include <string_view>
#include <vector>

#include "lint/finding.h"
#include "lint/rule.h"

namespace cinch::lint {

struct FileReport {
  std::string path;
  std::vector<Finding> findings;
};

enum class Format { kTty, kJson, kSarif, kJunit, kCheckstyle };

std::optional<Format> ParseFormat(std::string_view name);

struct ReportOptions {
  bool color = false;        // ANSI colours (tty only)
  std::string tool_version;  // for SARIF's driver
  // Rules of other producers (policy rules, image findings) listed in
  // SARIF too; with `lint_rules` false, only these are listed.
  std::vector<RuleInfo> extra_rules;
  bool lint_rules = true;
  std::string suite_name = "cinch lint";  // JUnit's <testsuites name>
  // JUnit: "YYYY-MM-DDTHH:MM:SS" (UTC) selects the Apache Ant schema form.
  std::string junit_timestamp;
};

std::string FormatReport(const std::vector<FileReport>& files, Format format,
                         const ReportOptions& options);

// `cinch lint --explain ID`: the rule's metadata and explanation.
std::string ExplainRule(std::string_view id);
// `cinch lint --list-rules`: one line per rule.
std::string ListRules();

}  // namespace cinch::lint

#endif  // CINCH_LINT_REPORT_H_
