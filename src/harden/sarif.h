// Writes `cinch inspect`'s hardening findings as SARIF 2.1.0 through the
// one SARIF writer every producer shares (lint/report.h).
//
// Each finding is a result whose locations are the Dockerfile instruction
// behind it (with --dockerfile; first, because code-scanning dashboards
// annotate the first location only) and the file in the image, as a URI
// relative to the image's root with the layer's diff ID. Config findings
// have no file: without a Dockerfile they carry no location, only the
// `path` property ("config:User"). Secrets appear redacted only.
#ifndef CINCH_HARDEN_SARIF_H_
#define CINCH_HARDEN_SARIF_H_

#include <string>
#include <string_view>
#include <vector>

#include "analyze/inspect.h"
#include "lint/report.h"

namespace cinch::harden {

// The SARIF rule of every check and secret rule, help text with its fix.
// The views point into storage that lives as long as the program.
const std::vector<lint::RuleInfo>& SarifRules();

// One finding as the shared writer's Finding (see the header comment).
Finding ToSarifFinding(const ImageFinding& f);

std::string FindingsToSarif(const std::vector<ImageFinding>& findings,
                            std::string_view tool_version);

}  // namespace cinch::harden

#endif  // CINCH_HARDEN_SARIF_H_
