// Lints one Dockerfile: parses it, runs every enabled rule, applies inline
// ignore pragmas and the configuration, and collects safe fixes.
#ifndef CINCH_LINT_LINTER_H_
#define CINCH_LINT_LINTER_H_

#include <string>
#include <string_view>
#include <vector>

#include "lint/config.h"
#include "lint/finding.h"

namespace cinch::lint {

// Replaces bytes [begin, end) of the text with `text`. Edits of one lint
// run never overlap.
struct Edit {
  uint32_t begin = 0;
  uint32_t end = 0;
  std::string text;
  std::string rule;
};

struct LintOptions {
  Config config;
  // The build context directory, to look for lockfiles, manifests and
  // .dockerignore; empty when unknown (stdin), which turns off the rules
  // and fixes that need it.
  std::string context_dir;
};

struct LintResult {
  std::vector<Finding> findings;  // sorted by line, column, rule
  std::vector<Edit> edits;        // sorted by offset, non-overlapping
};

// Lints `text`, naming it `path` in findings. A file that does not parse
// yields a single CL1000 finding at the parser's position. Thread-safe:
// shares no state between calls.
LintResult LintDockerfile(std::string_view path, std::string_view text,
                          const LintOptions& options);

}  // namespace cinch::lint

#endif  // CINCH_LINT_LINTER_H_
