// Fuzzes the Composer readers; the first byte picks composer.lock or
// vendor/composer/installed.json.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/composer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    (void)cinch::ParseComposerLock(text);
  } else {
    (void)cinch::ParseComposerInstalled(text);
  }
  return 0;
}
