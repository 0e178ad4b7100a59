// Kinds of files that production images rarely need: documentation,
// manuals, locales, package-manager caches and indexes, temporary files
// and logs. Each kind is a list of path patterns; the first that matches a
// path decides its kind.
#ifndef CINCH_ANALYZE_BLOAT_H_
#define CINCH_ANALYZE_BLOAT_H_

#include <optional>
#include <span>
#include <string_view>

namespace cinch {

struct BloatKind {
  std::string_view id;     // stable, used in JSON and policies
  std::string_view label;  // for people
  std::string_view fix;    // the usual way to avoid it
};

// Every kind, in the order reports list them.
std::span<const BloatKind> BloatKinds();

// The kind `path` belongs to (an index into BloatKinds()), if any. `path`
// is relative to the image root, as in Entry::path.
std::optional<size_t> ClassifyBloat(std::string_view path);

// Matches '/'-separated globs: "*" matches within one component, "**" as a
// whole component matches any number of components (zero included).
bool GlobMatch(std::string_view pattern, std::string_view path);

}  // namespace cinch

#endif  // CINCH_ANALYZE_BLOAT_H_
