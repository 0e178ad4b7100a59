// OSV records and Alpine secdb documents, the matcher over whatever they
// describe, and the store's compact ranges form (read directly, and
// written then read back: the copy must match as the original does).
#include <cstdint>
#include <string_view>

#include "advisory/osv.h"
#include "match/match.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)cinch::ParseAffectedRanges(text, "fuzz");
  auto doc = cinch::ParseJson(text, "fuzz");
  if (!doc) return 0;
  if (cinch::IsAlpineSecdb(*doc)) {
    (void)cinch::ParseAlpineSecdb(*doc, "fuzz");
    return 0;
  }
  auto advisory = cinch::ParseOsv(*doc, "fuzz");
  if (!advisory) return 0;
  for (const cinch::Affected& a : advisory->affected) {
    auto scheme = cinch::SchemeForEcosystem(a.ecosystem);
    (void)cinch::EvaluateAffected(a, "1.0.0", scheme);
    (void)cinch::EvaluateAffected(a, "0", scheme);
    auto copy =
        cinch::ParseAffectedRanges(cinch::AffectedRangesJson(a), "fuzz copy");
    if (!copy) __builtin_trap();
    auto want = cinch::EvaluateAffected(a, "1.0.0", scheme);
    auto got = cinch::EvaluateAffected(*copy, "1.0.0", scheme);
    if (want.affected != got.affected || want.fixed != got.fixed) {
      __builtin_trap();
    }
  }
  for (const cinch::SeverityScore& s : advisory->severity) {
    (void)cinch::ScoreCvss(s.score);
  }
  return 0;
}
