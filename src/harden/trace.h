// Tracing an image back to its Dockerfile: which instruction made each
// history step (and so each layer), and which instruction set a config
// field (USER, ENV, EXPOSE...). Builders record the instruction in the
// history's `created_by` (BuildKit: "RUN /bin/sh -c ... # buildkit";
// the classic builder: "/bin/sh -c #(nop)  COPY ..."), so the steps are
// aligned with the final stage's instructions from the end backwards,
// by instruction kind. Steps before the first aligned one came with the
// base image and point at the FROM line.
#ifndef CINCH_HARDEN_TRACE_H_
#define CINCH_HARDEN_TRACE_H_

#include <string>
#include <string_view>
#include <vector>

#include "analyze/inspect.h"
#include "base/error.h"
#include "image/manifest.h"

namespace cinch::harden {

struct StepSource {
  uint32_t line = 0;  // 0: not traced
  uint32_t end_line = 0;
  std::string text;     // the instruction, one line
  uint32_t column = 0;  // where the instruction's keyword starts
};

// The instruction kind a history step records ("RUN", "COPY", ...), or ""
// when it cannot tell.
std::string StepKind(std::string_view created_by);

class DockerfileTrace {
 public:
  // Parses `text` and aligns it with `config`'s history.
  static Result<DockerfileTrace> Build(const ImageConfig& config,
                                       std::string_view text, std::string path);

  // One entry per history step.
  const std::vector<StepSource>& steps() const { return steps_; }

  // Fills source/instruction of each finding it can place.
  void Apply(const Image& image, std::vector<ImageFinding>& findings) const;

 private:
  struct Instr {
    std::string kind;  // upper case
    StepSource source;
    std::vector<std::string> keys;  // ENV/ARG/LABEL keys, EXPOSE ports
  };
  StepSource ForConfig(const ImageFinding& f) const;

  std::string path_;
  std::vector<Instr> chain_;  // the final stage's instructions, bases first
  StepSource from_;           // the FROM that brought the base image
  std::vector<StepSource> steps_;
};

}  // namespace cinch::harden

#endif  // CINCH_HARDEN_TRACE_H_
