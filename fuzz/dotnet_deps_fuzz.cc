// Fuzzes the .NET deps.json reader.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/dotnet.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)cinch::ParseDepsJson(text);
  return 0;
}
