// Fuzzes the Python core-metadata parser and the licence normaliser.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/license.h"
#include "catalog/python.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)cinch::ParsePythonMetadata(text);
  if (size < 4096) {
    (void)cinch::NormalizeLicense(text);
    (void)cinch::IsSpdxExpression(text);
  }
  return 0;
}
