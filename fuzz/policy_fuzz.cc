// Feeds arbitrary bytes to the policy parser (YAML, rules, custom rules,
// exceptions with their dates, sizes) and, when a policy parses, to both
// exporters: none may crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/export.h"
#include "policy/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)cinch::policy::ParseByteSize(text.substr(0, 64));
  auto policy = cinch::policy::ParsePolicy(text, "fuzz");
  if (!policy) return 0;
  (void)cinch::policy::ExportKyverno(*policy, {});
  (void)cinch::policy::ExportValidatingAdmissionPolicy(*policy, {});
  return 0;
}
