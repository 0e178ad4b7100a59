// The build stages of a parsed Dockerfile, and the checks BuildKit makes
// when it turns the syntax tree into instructions (names, argument counts,
// allowed flags) that the syntax tree alone does not make.
#ifndef CINCH_DOCKERFILE_STAGES_H_
#define CINCH_DOCKERFILE_STAGES_H_

#include <optional>
#include <string>
#include <vector>

#include "dockerfile/ast.h"
#include "dockerfile/expand.h"

namespace cinch::dockerfile {

struct Stage {
  size_t index = 0;
  std::string name;  // lower case; "" when unnamed
  size_t from = 0;   // index of its FROM in Dockerfile::instructions
  size_t end = 0;    // one past its last instruction
  std::string base;  // the image reference as written
  // The reference with global ARG defaults applied; empty when it could
  // not be expanded.
  std::string base_expanded;
  // Index of the earlier stage this one builds on, if the base names one.
  std::optional<size_t> parent;
  std::string platform;  // --platform as written
};

// A problem BuildKit would refuse to build.
struct Problem {
  std::string message;
  Span span;
};

struct Build {
  std::vector<size_t> global_args;  // ARG instructions before the first FROM
  Variables global_vars;            // their defaults
  std::vector<Stage> stages;
  std::vector<Problem> problems;

  // The stage that contains instruction `i`, or nullptr before any FROM.
  const Stage* StageOf(size_t i) const;
  // The stage named or numbered `ref` that starts before instruction
  // `before`, or nullptr.
  const Stage* FindStage(std::string_view ref, size_t before) const;
};

// Splits `df` into stages and validates each instruction.
Build AnalyzeStages(const Dockerfile& df);

// Parses "name[:tag][@digest]" after the registry part.
struct ImageRef {
  std::string registry;    // "" for Docker Hub
  std::string repository;  // without registry, e.g. "library/node"
  std::string tag;
  std::string digest;
  // The last path component, e.g. "node" for "docker.io/library/node".
  std::string Short() const;
};
ImageRef ParseImageRef(std::string_view ref);

}  // namespace cinch::dockerfile

#endif  // CINCH_DOCKERFILE_STAGES_H_
