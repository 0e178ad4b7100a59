// Licences as SPDX expressions. Package metadata names licences in many
// dialects (Debian's "GPL-2+", Python's "MIT License" classifier, npm's
// "(MIT OR Apache-2.0)"); these helpers map the common ones onto SPDX
// License List identifiers and tell whether a string is a valid SPDX
// expression, so writers know when to emit an id, an expression or a name.
#ifndef CINCH_CATALOG_LICENSE_H_
#define CINCH_CATALOG_LICENSE_H_

#include <string>
#include <string_view>

namespace cinch {

// True if `id` is on the SPDX License List (licences and exceptions),
// compared case-sensitively as the CycloneDX schema does.
bool IsSpdxLicenseId(std::string_view id);

// The list identifier matching `id` case-insensitively, or "".
std::string_view CanonicalSpdxId(std::string_view id);

// True if `text` is an SPDX license expression (SPDX 2.3 Annex D) made of
// listed identifiers or LicenseRef-/DocumentRef- references, with AND, OR,
// WITH, "+" and parentheses.
bool IsSpdxExpression(std::string_view text);

// Maps a licence as a package declares it to an SPDX expression when the
// mapping is known (Debian short names, common free-text names and
// Python classifiers, case-insensitive identifiers); otherwise returns the
// text trimmed. Never returns an empty string for non-blank input.
std::string NormalizeLicense(std::string_view text);

}  // namespace cinch

#endif  // CINCH_CATALOG_LICENSE_H_
