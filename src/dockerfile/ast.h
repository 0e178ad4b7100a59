// The syntax tree of a Dockerfile, as BuildKit's parser reads it.
//
// Every node keeps where it came from: a Span of byte offsets into the
// original text plus 1-based line and column numbers, so findings and fixes
// can point at (and rewrite) exactly the bytes they mean. Values are copies;
// a Dockerfile owns all of its strings and does not refer back to the text.
#ifndef CINCH_DOCKERFILE_AST_H_
#define CINCH_DOCKERFILE_AST_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cinch::dockerfile {

// A place in the text. Lines and columns start at 1; columns count Unicode
// code points, offsets count bytes from the start of the text.
struct Position {
  uint32_t line = 0;
  uint32_t column = 0;
  uint32_t offset = 0;
};

// A half-open range [begin, end) of the text.
struct Span {
  Position begin;
  Position end;
};

enum class Kind {
  kUnknown,
  kFrom,
  kRun,
  kCmd,
  kEntrypoint,
  kCopy,
  kAdd,
  kEnv,
  kArg,
  kLabel,
  kExpose,
  kUser,
  kWorkdir,
  kVolume,
  kShell,
  kStopsignal,
  kHealthcheck,
  kOnbuild,
  kMaintainer,
};

// Maps a lower-case instruction name to its Kind (kUnknown when unknown).
Kind KindFromName(std::string_view lower_name);

// An argument as BuildKit's parser leaves it: shell-form words keep their
// quotes and escapes; exec-form (JSON) strings are decoded.
struct Word {
  std::string text;
  Span span;
};

// `--name=value` or `--name` before the arguments of an instruction.
struct Flag {
  std::string name;   // without the leading dashes
  std::string value;  // quotes removed
  bool has_value = false;
  Span span;
};

// `KEY=value` (or the legacy `KEY value`) in ENV, LABEL and ARG. The value
// is kept as written (quotes and escapes in place); see Expand() to read it.
struct KeyValue {
  std::string key;
  std::string value;
  bool has_value = false;  // ARG NAME has none
  bool legacy = false;     // `ENV KEY value` form
  Span span;
};

// A here-document read after the instruction line (`<<EOF`, `<<-EOF`).
struct Heredoc {
  std::string name;     // the delimiter, quotes removed
  std::string content;  // the body, each line ending in '\n'
  bool chomp = false;   // `<<-`: leading tabs stripped from the body
  bool expand = true;   // false when the delimiter was quoted
  uint32_t fd = 0;      // `3<<EOF`
  Span span;            // the body lines and the terminator line
};

struct Instruction {
  Kind kind = Kind::kUnknown;
  std::string keyword;  // as written, e.g. "Run"
  std::string name;     // lower case, e.g. "run"
  Span span;            // the whole instruction: continuations, heredocs
  Span keyword_span;
  Span args_span;  // from the first argument to the end of the logical line

  // The logical line: continuations joined, comment lines inside them
  // dropped, as BuildKit's `Original`.
  std::string line;
  // Arguments after the flags, trimmed: what the shell runs for RUN.
  std::string rest;
  uint32_t rest_offset = 0;  // where `rest` starts in `line`

  std::vector<Flag> flags;
  std::vector<Word> args;  // BuildKit's Next chain, without ONBUILD's child
  std::vector<KeyValue> pairs;  // ENV, LABEL, ARG
  bool json = false;            // exec form
  bool empty_continuation = false;
  std::vector<Heredoc> heredocs;
  std::vector<std::string> comments;     // the comment block right above
  std::unique_ptr<Instruction> trigger;  // ONBUILD's instruction

  // Byte offset in the text of every byte of `line` (one more entry for
  // the end), so a range of `line` maps back to the text.
  std::vector<uint32_t> line_offsets;

  const Flag* FindFlag(std::string_view flag_name) const;
};

// A parser directive at the top of the file (`# syntax=...`).
struct Directive {
  std::string name;  // lower case
  std::string value;
  Span span;
};

struct Warning {
  std::string message;
  Span span;
};

struct Dockerfile {
  std::vector<Directive> directives;
  char escape = '\\';
  std::vector<Instruction> instructions;
  std::vector<Warning> warnings;
  // Comment lines anywhere in the file, for inline ignore pragmas.
  std::vector<Word> comment_lines;

  const Directive* FindDirective(std::string_view name) const;
};

}  // namespace cinch::dockerfile

#endif  // CINCH_DOCKERFILE_AST_H_
