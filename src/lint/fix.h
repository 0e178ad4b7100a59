// Applying lint fixes to Dockerfile text and showing them as a diff.
#ifndef CINCH_LINT_FIX_H_
#define CINCH_LINT_FIX_H_

#include <string>
#include <string_view>
#include <vector>

#include "lint/linter.h"

namespace cinch::lint {

// Applies non-overlapping `edits` (sorted or not) to `text`. Every byte
// outside the edited ranges is copied unchanged.
std::string ApplyEdits(std::string_view text, std::vector<Edit> edits);

// Lints and fixes until no fix applies (at most a few rounds, since one
// fix can make room for another). Returns the fixed text, which always
// parses when `text` did; a round whose output would not parse is dropped.
std::string FixDockerfile(std::string_view path, std::string_view text,
                          const LintOptions& options);

// A unified diff (`--- a/path`, `+++ b/path`, 3 lines of context) between
// two texts; empty when they are equal.
std::string UnifiedDiff(std::string_view before, std::string_view after,
                        std::string_view path);

}  // namespace cinch::lint

#endif  // CINCH_LINT_FIX_H_
