// Fuzzes the npm parsers; the first byte picks package.json,
// package-lock.json, yarn.lock or pnpm-lock.yaml.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/npm.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      (void)cinch::ParsePackageJson(text);
      break;
    case 1:
      (void)cinch::ParsePackageLock(text);
      break;
    case 2:
      (void)cinch::ParseYarnLock(text);
      break;
    default:
      (void)cinch::ParsePnpmLock(text);
      break;
  }
  return 0;
}
