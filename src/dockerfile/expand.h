// Build-argument and environment expansion as the Dockerfile reference
// defines it for FROM, COPY, ENV, ARG, LABEL, WORKDIR, USER and the other
// non-RUN instructions: `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`,
// `${VAR:+word}`, `${VAR+word}`, `${VAR:?message}`, `${VAR#pattern}`,
// `${VAR%pattern}` (and `##`, `%%`), with quotes removed and the escape
// character honoured.
#ifndef CINCH_DOCKERFILE_EXPAND_H_
#define CINCH_DOCKERFILE_EXPAND_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "base/error.h"

namespace cinch::dockerfile {

// Known variables. A name mapped to std::nullopt is declared without a
// value (`ARG NAME`): it expands to "" but is not "undefined".
using Variables =
    std::map<std::string, std::optional<std::string>, std::less<>>;

struct Expansion {
  std::string value;
  std::set<std::string> used;       // every name referenced
  std::set<std::string> undefined;  // referenced, not in the variables
  // Referenced names that had no value and no `:-`/`-` default.
  std::set<std::string> empty;
};

// Expands one word. Errors: an unterminated `${`, a bad modifier, or a
// `${VAR:?message}` whose VAR is unset.
Result<Expansion> Expand(std::string_view word, const Variables& vars,
                         char escape = '\\');

}  // namespace cinch::dockerfile

#endif  // CINCH_DOCKERFILE_EXPAND_H_
