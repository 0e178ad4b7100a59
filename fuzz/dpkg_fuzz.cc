// Fuzzes the dpkg status, file-list and copyright parsers.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/dpkg.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  cinch::ParseDpkgStatus(text);
  cinch::ParseDpkgFileList(text);
  cinch::ParseDpkgMd5sums(text);
  cinch::ParseDebianCopyright(text);
  return 0;
}
