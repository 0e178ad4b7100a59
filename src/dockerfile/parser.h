// Reads Dockerfile text into a syntax tree, following the Dockerfile
// reference as BuildKit implements it: parser directives, continuations
// with either escape character, comments and blank lines inside
// continuations, here-documents, exec and shell forms, and flags.
#ifndef CINCH_DOCKERFILE_PARSER_H_
#define CINCH_DOCKERFILE_PARSER_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "dockerfile/ast.h"

namespace cinch::dockerfile {

// Maps byte offsets of one text to line and column. Holds a view of the
// text: the text must outlive the index.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);

  Position At(uint32_t offset) const;
  size_t line_count() const { return starts_.size(); }
  // Offset of the first byte of 1-based `line`.
  uint32_t LineStart(uint32_t line) const;

 private:
  std::string_view text_;
  std::vector<uint32_t> starts_;
};

// Parses `text`. Errors (a malformed directive, an exec form that is JSON
// but not an array of strings, an unterminated here-document, a file
// without instructions) are returned as "line L:C: message". Never throws
// and never reads outside `text`, whatever its content.
Result<Dockerfile> Parse(std::string_view text);

// The parse in BuildKit's test dump notation, one "(instruction ...)" per
// line; used to check the parser against BuildKit's own test files.
std::string Dump(const Dockerfile& dockerfile);

// Go's strconv.Quote, as used by that notation.
std::string GoQuote(std::string_view s);

}  // namespace cinch::dockerfile

#endif  // CINCH_DOCKERFILE_PARSER_H_
