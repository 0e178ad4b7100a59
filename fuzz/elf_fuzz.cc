// Feeds arbitrary bytes to the streaming ELF header reader, split into
// chunks at a point the input chooses. Any crash, hang or sanitizer
// report is a bug.
#include <algorithm>
#include <span>

#include "harden/elf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  size_t chunk = size_t(data[0]) * 16 + 1;
  const char* bytes = reinterpret_cast<const char*>(data + 1);
  size_t n = size - 1;
  cinch::harden::ElfScanner scanner(n);
  for (size_t i = 0; i < n && !scanner.rejected(); i += chunk) {
    scanner.Feed(std::span(bytes + i, std::min(chunk, n - i)));
  }
  (void)scanner.Finish();
  return 0;
}
