// OSV records and Alpine secdb documents, and the matcher over whatever
// they describe.
#include <cstdint>
#include <string_view>

#include "advisory/osv.h"
#include "match/match.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
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
  }
  for (const cinch::SeverityScore& s : advisory->severity) {
    (void)cinch::ScoreCvss(s.score);
  }
  return 0;
}
