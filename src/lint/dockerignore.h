// .dockerignore: which paths of the build context the builder leaves out.
// Semantics as BuildKit applies them: one pattern a line, '#' comments,
// '!' re-includes, the last matching pattern decides, a pattern also
// matches everything below a directory it matches, '*' and '?' stay within
// one path component, '**' spans any number of them, '[...]' is a class
// and '\' escapes.
#ifndef CINCH_LINT_DOCKERIGNORE_H_
#define CINCH_LINT_DOCKERIGNORE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cinch::lint {

class DockerIgnore {
 public:
  // Parses the text of a .dockerignore file.
  static DockerIgnore Parse(std::string_view text);

  // Returns the pattern (as written) that excludes `path`, a path relative
  // to the context root, or nullopt when the path stays in the context.
  std::optional<std::string> Excludes(std::string_view path) const;

  bool empty() const { return patterns_.empty(); }

 private:
  struct Pattern {
    std::string text;                     // as written, for messages
    std::vector<std::string> components;  // cleaned, split on '/'
    bool exception = false;               // "!pattern"
  };
  std::vector<Pattern> patterns_;
};

// Cleans a context path as Go's filepath.Clean would, without a leading
// "/" or "./": "./a//b/../c/" -> "a/c". "." for the root.
std::string CleanContextPath(std::string_view path);

// Matches one path component against a glob component ('*', '?', '[..]',
// '\'), as Go's path.Match does. Malformed classes never match.
bool MatchComponent(std::string_view pattern, std::string_view name);

}  // namespace cinch::lint

#endif  // CINCH_LINT_DOCKERIGNORE_H_
