// What the rules see: the parsed Dockerfile, its stages, the shell commands
// of every RUN, and a sink for findings and fixes. Internal to src/lint.
#ifndef CINCH_LINT_CONTEXT_H_
#define CINCH_LINT_CONTEXT_H_

#include <string>
#include <string_view>
#include <vector>

#include "dockerfile/ast.h"
#include "dockerfile/parser.h"
#include "dockerfile/shell.h"
#include "dockerfile/stages.h"
#include "lint/linter.h"

namespace cinch::lint {

using dockerfile::Instruction;
using dockerfile::Kind;
using dockerfile::ShellCommand;
using dockerfile::ShellWord;
using dockerfile::Span;

// A simple command of a RUN with wrappers (sudo, env, nohup, xargs ...)
// looked through: `name` is the program really run, `args` its arguments.
struct Command {
  const ShellCommand* shell = nullptr;
  const dockerfile::Heredoc* heredoc = nullptr;  // script source, or null
  std::string name;                    // basename, e.g. "apt-get"; "pip" for -m
  std::vector<const ShellWord*> args;  // after the name
  std::string wrapper;                 // "sudo" when run through sudo, else ""

  bool Has(std::string_view arg) const;
  // Any argument that starts with `prefix`.
  bool HasPrefix(std::string_view prefix) const;
  // A short option letter in any cluster (`-y`, `-qy`) or a long option.
  bool HasOption(char short_opt, std::string_view long_opt) const;
  // The first argument that is not an option: the subcommand.
  std::string_view Subcommand() const;
  // Arguments after the subcommand that are not options, skipping the
  // values of the options listed in `with_value`.
  std::vector<const ShellWord*> Operands(
      std::initializer_list<std::string_view> with_value) const;
};

struct Step {
  const Instruction* ins = nullptr;
  size_t index = 0;
  int stage = -1;                   // -1 before the first FROM
  std::vector<ShellCommand> shell;  // storage for `commands`
  std::vector<ShellCommand> heredoc_shell;
  std::vector<Command> commands;
  // Any command of this RUN is named `name`.
  const Command* Find(std::string_view name) const;
  bool RunsShell() const { return ins->kind == Kind::kRun; }
  // A --mount=type=cache flag whose target starts with `prefix`.
  bool HasCacheMount(std::string_view prefix) const;
};

class Context {
 public:
  Context(std::string_view path, std::string_view text,
          const dockerfile::Dockerfile& df, const dockerfile::Build& build,
          const LintOptions& options);

  const dockerfile::Dockerfile& df;
  const dockerfile::Build& build;
  const Config& config;
  const std::string& context_dir;
  std::string_view text;
  std::vector<Step> steps;

  bool On(std::string_view rule) const { return config.Enabled(rule); }
  void Report(std::string_view rule, const Span& span, std::string message);
  void Report(std::string_view rule, const Step& step, std::string message) {
    Report(rule, step.ins->span, std::move(message));
  }
  // The span of a word of a RUN command in the text.
  Span WordSpan(const Step& step, const Command& c, const ShellWord& w) const;
  uint32_t ScriptOffset(const Step& step, const Command& c,
                        uint32_t offset) const;
  void AddEdit(std::string_view rule, uint32_t begin, uint32_t end,
               std::string replacement);

  int final_stage() const { return int(build.stages.size()) - 1; }
  // The final stage and every stage it builds on through FROM.
  bool Ships(int stage) const;
  // Steps of one stage.
  std::vector<const Step*> StageSteps(int stage) const;
  // A file in the build context exists (false when the context is unknown).
  bool ContextHas(std::string_view relative) const;
  // The Dockerfile as the user named it.
  std::string_view path() const { return path_; }

  std::vector<Finding> findings;
  std::vector<Edit> edits;

 private:
  std::string_view path_;
  dockerfile::LineIndex index_;
  std::vector<bool> ships_;
};

// The rule families; each adds findings and edits to the context.
void CheckStructure(Context& ctx);
void CheckBaseImages(Context& ctx);
void CheckPackages(Context& ctx);
void CheckSecurity(Context& ctx);
void CheckLabels(Context& ctx);
void CheckShell(Context& ctx);

// Shared helpers.
std::string Lower(std::string_view s);
std::string_view Basename(std::string_view path);
// A non-empty literal that is not a variable reference.
bool IsLiteral(std::string_view s);

}  // namespace cinch::lint

#endif  // CINCH_LINT_CONTEXT_H_
