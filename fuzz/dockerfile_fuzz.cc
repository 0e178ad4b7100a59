// Feeds arbitrary bytes to the Dockerfile parser, the stage analysis, the
// shell splitter and the whole linter (with its fixes): none may crash,
// hang or read out of bounds, and a fix must keep a parsable file parsable.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "dockerfile/parser.h"
#include "dockerfile/shell.h"
#include "dockerfile/stages.h"
#include "lint/fix.h"
#include "lint/linter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)cinch::dockerfile::SplitCommands(text);
  auto df = cinch::dockerfile::Parse(text);
  if (!df) return 0;
  (void)cinch::dockerfile::AnalyzeStages(*df);
  (void)cinch::dockerfile::Dump(*df);
  cinch::lint::LintOptions options;
  (void)cinch::lint::LintDockerfile("Dockerfile", text, options);
  std::string fixed = cinch::lint::FixDockerfile("Dockerfile", text, options);
  if (!cinch::dockerfile::Parse(fixed)) std::abort();
  return 0;
}
