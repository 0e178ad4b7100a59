// Writes a policy verdict: a summary for a CI log (verdict first, then
// each violation with its fix), JSON, Markdown for a pull-request comment
// or a CI step summary, and SARIF / JUnit through the lint reporters.
#ifndef CINCH_POLICY_REPORT_H_
#define CINCH_POLICY_REPORT_H_

#include <string>

#include <nlohmann/json.hpp>

#include "lint/report.h"
#include "policy/policy.h"

namespace cinch::policy {

std::string VerdictToText(const Verdict& verdict, const Facts& facts,
                          const Policy& policy, bool color);
std::string VerdictToMarkdown(const Verdict& verdict, const Facts& facts,
                              const Policy& policy);
// {"verdict", "policy", "image", "violations", "excepted", "facts"}.
std::string VerdictToJson(const Verdict& verdict, const Policy& policy,
                          const nlohmann::json& facts_json);
// The counting violations as findings, one report per file: the
// Dockerfile (with source regions) and the image (paths inside it).
std::vector<lint::FileReport> VerdictToFindings(const Verdict& verdict,
                                                const Facts& facts);
// SARIF 2.1.0 or JUnit XML (the Apache Ant schema's form, stamped with
// `now`, seconds since the epoch) of the verdict.
std::string VerdictToLintFormat(const Verdict& verdict, const Facts& facts,
                                lint::Format format,
                                std::string_view tool_version, int64_t now);

}  // namespace cinch::policy

#endif  // CINCH_POLICY_REPORT_H_
