// A finding: one rule's verdict about one place.
//
// This model is deliberately generic. The Dockerfile linter fills it today;
// image findings (a file in a layer) and policy verdicts are meant to reuse
// it, so it names a location by path plus optional layer and line range
// rather than by Dockerfile instruction. Keep Dockerfile-only details out.
#ifndef CINCH_LINT_FINDING_H_
#define CINCH_LINT_FINDING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace cinch {

// Ordered from least to most serious, so thresholds compare with `>=`.
enum class Severity { kStyle, kInfo, kWarning, kError };

std::string_view SeverityName(Severity s);
// Accepts style, info, warning, error (and hadolint's "ignore" as nullopt
// through the caller); anything else is nullopt.
std::optional<Severity> ParseSeverity(std::string_view name);

// Where a finding points. Lines and columns start at 1; 0 means unknown
// (a finding about a whole file or image).
struct Location {
  std::string path;   // file as the user named it, or a path in an image
  std::string layer;  // image findings: the layer's diff ID; else empty
  uint32_t line = 0;
  uint32_t column = 0;
  uint32_t end_line = 0;
  uint32_t end_column = 0;
};

struct Finding {
  std::string rule;                  // stable ID, e.g. "CL3007"
  std::vector<std::string> aliases;  // other tools' IDs, e.g. "DL3019"
  Severity severity = Severity::kWarning;
  std::string message;  // one line, specific to this place
  // Where to look first. An empty path means the finding has no place a
  // file viewer could show (an image's config field); see `properties`.
  Location location;
  // Further places of the same finding, e.g. the image file whose
  // Dockerfile instruction is `location`.
  std::vector<Location> more_locations;
  // Facts for machine readers (SARIF result properties), in order.
  using Property = std::pair<std::string, std::variant<std::string, int64_t>>;
  std::vector<Property> properties;
  bool fixable = false;  // a safe automatic fix exists
};

}  // namespace cinch

#endif  // CINCH_LINT_FINDING_H_
