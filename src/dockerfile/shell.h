// Splits a shell script (a RUN body, a here-document, an `sh -c` string)
// into the simple commands it runs, so that rules reason about commands and
// their arguments instead of substrings.
//
// This is a POSIX-shell reader, not an interpreter: it understands quoting,
// escapes, `&&`, `||`, `;`, `|`, `&`, newlines, subshells `( )`, groups
// `{ }`, `$( )` and backquote substitutions (whose commands are returned
// too), redirections, comments, and the reserved words of compound
// commands (if/then/else/fi, for/while/until/do/done, case/esac). Variable
// references are kept as written; nothing is expanded.
#ifndef CINCH_DOCKERFILE_SHELL_H_
#define CINCH_DOCKERFILE_SHELL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cinch::dockerfile {

struct ShellWord {
  std::string value;   // quotes and escapes removed, `$X` kept as written
  uint32_t begin = 0;  // byte range of the word in the script
  uint32_t end = 0;
  bool quoted = false;  // some part was quoted
};

// How a command is joined to the one before it.
enum class Joiner { kNone, kAnd, kOr, kSequence, kPipe, kBackground };

struct ShellCommand {
  std::vector<ShellWord> assignments;  // leading NAME=value words
  std::vector<ShellWord> words;        // the command name and arguments
  std::vector<ShellWord> redirects;    // targets of >, >>, <, 2> ...
  Joiner joiner = Joiner::kNone;       // to the previous command
  bool piped_out = false;              // output goes into a pipe
  bool substitution = false;           // runs inside $( ) or ` `
  uint32_t begin = 0;                  // byte range in the script
  uint32_t end = 0;

  // The command name ("" when there is none), e.g. "apt-get".
  std::string_view Name() const {
    return words.empty() ? std::string_view() : words[0].value;
  }
  bool Has(std::string_view arg) const;
};

// Splits `script` into simple commands in the order they appear. Strings
// handed to `sh -c`, `bash -c` and similar are split too, their commands
// following the one that runs them (offsets then point at the string).
// Never fails: unbalanced quotes run to the end of the script.
std::vector<ShellCommand> SplitCommands(std::string_view script);

}  // namespace cinch::dockerfile

#endif  // CINCH_DOCKERFILE_SHELL_H_
