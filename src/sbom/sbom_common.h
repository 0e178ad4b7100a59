// Helpers the SBOM writers share: times, content-derived identifiers and
// licence grouping. Internal to src/sbom.
#ifndef CINCH_SBOM_SBOM_COMMON_H_
#define CINCH_SBOM_SBOM_COMMON_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sbom/sbom.h"

namespace cinch::sbom_internal {

// "2024-01-31T12:00:00Z" (RFC 3339, UTC).
std::string FormatTime(int64_t unix_seconds);

// A UUID (RFC 9562 version 8, custom) made from the SHA-256 of `seed`:
// the same content always gets the same identifier.
std::string UuidFrom(std::string_view seed);

// The 12 hex digits of the SHA-256 of `text`, for element identifiers.
std::string ShortHash(std::string_view text);

// A package's licences as one SPDX expression when every one of them is a
// valid expression ("A AND (B OR C)"); empty otherwise.
std::string CombinedExpression(const std::vector<std::string>& licenses);

// Reads the tool version and layer facts of `sbom` for package `p`.
const SbomLayer* LayerOf(const Sbom& sbom, const Package& p);

}  // namespace cinch::sbom_internal

#endif  // CINCH_SBOM_SBOM_COMMON_H_
