// Fuzzes the apk installed-database parser.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/apk.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  cinch::ParseApkInstalled(
      std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
