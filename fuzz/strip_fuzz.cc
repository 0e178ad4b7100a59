// Feeds arbitrary bytes to the in-process ELF stripper. A stripped result
// must be smaller than its input and strip again without trouble. Any
// crash, hang or sanitizer report is a bug.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "slim/strip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto out = cinch::slim::StripElf(in);
  if (!out) return 0;
  if (out->size() >= size) std::abort();
  (void)cinch::slim::StripElf(*out);
  return 0;
}
