// Fuzzes the rpm header blob parser and the ndb database reader; the
// first byte picks which. The seeds were built by hand from the formats'
// layouts: a header blob (index entries over a data store, big-endian)
// and an ndb file with one slot page and that blob.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/rpm.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    (void)cinch::ParseRpmHeader(bytes);
  } else {
    (void)cinch::ParseRpmNdb(bytes);
  }
  return 0;
}
