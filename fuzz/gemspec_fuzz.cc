// Fuzzes the Ruby gem specification reader.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/ruby.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)cinch::ParseGemspec(text);
  return 0;
}
