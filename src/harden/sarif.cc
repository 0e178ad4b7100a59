#include "harden/sarif.h"

#include <cctype>

#include <fmt/format.h>

#include "harden/catalog.h"
#include "secrets/rules.h"

namespace cinch::harden {
namespace {

std::string Sentence(std::string_view title, std::string_view fix) {
  std::string out = fmt::format("{}. Fix: {}.", title, fix);
  out[0] = char(std::toupper(uint8_t(out[0])));
  return out;
}

struct RuleTexts {
  std::vector<std::string> help;  // stable: reserved before the views
  std::vector<lint::RuleInfo> rules;
};

RuleTexts BuildRules() {
  RuleTexts t;
  t.help.reserve(secrets::Rules().size() + Checks().size());
  auto add = [&](std::string_view id, std::string_view name,
                 std::string_view title, Severity severity,
                 std::string_view fix) {
    t.help.push_back(Sentence(title, fix));
    t.rules.push_back(lint::RuleInfo{id, "", "", severity, true, false, title,
                                     t.help.back(), name});
  };
  for (const secrets::Rule& r : secrets::Rules()) {
    add(r.id, r.slug, r.title, r.severity, kSecretFix);
  }
  for (const Check& c : Checks()) add(c.id, c.slug, c.title, c.severity, c.fix);
  return t;
}

bool IsFilePath(std::string_view path) { return path.starts_with('/'); }

}  // namespace

const std::vector<lint::RuleInfo>& SarifRules() {
  static const RuleTexts texts = BuildRules();
  return texts.rules;
}

Finding ToSarifFinding(const ImageFinding& f) {
  Finding out;
  out.rule = f.finding.rule;
  out.aliases = f.finding.aliases;
  out.severity = f.finding.severity;
  out.message = f.match.empty()
                    ? f.finding.message
                    : fmt::format("{}: {}", f.finding.message, f.match);

  // Paths in the image are relative to its root, so no viewer mistakes
  // them for files of the machine reading the report.
  Location file;
  if (IsFilePath(f.finding.location.path)) {
    file = f.finding.location;
    file.path = file.path.substr(1);
  }
  if (f.source.line > 0) {
    out.location = f.source;
    out.more_locations.push_back(std::move(file));
  } else {
    out.location = std::move(file);
  }

  out.properties.emplace_back("path", f.finding.location.path);
  if (!f.title.empty()) out.properties.emplace_back("title", f.title);
  if (f.layer >= 0) out.properties.emplace_back("layer", int64_t(f.layer) + 1);
  if (!f.finding.location.layer.empty()) {
    out.properties.emplace_back("diffId", f.finding.location.layer);
  }
  if (!f.state.empty()) out.properties.emplace_back("state", f.state);
  if (!f.match.empty()) out.properties.emplace_back("match", f.match);
  if (!f.fingerprint.empty()) {
    out.properties.emplace_back("fingerprint", f.fingerprint);
  }
  if (f.bytes > 0) out.properties.emplace_back("bytes", int64_t(f.bytes));
  if (!f.instruction.empty()) {
    out.properties.emplace_back("instruction", f.instruction);
  }
  return out;
}

std::string FindingsToSarif(const std::vector<ImageFinding>& findings,
                            std::string_view tool_version) {
  lint::FileReport all;
  for (const ImageFinding& f : findings) {
    all.findings.push_back(ToSarifFinding(f));
  }
  lint::ReportOptions options;
  options.tool_version = std::string(tool_version);
  options.lint_rules = false;
  options.extra_rules = SarifRules();
  return lint::FormatReport({all}, lint::Format::kSarif, options);
}

}  // namespace cinch::harden
