// Fuzzes the executable readers: Go build info (from the magic on) and
// the ELF section table with cargo-auditable data.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "catalog/binary.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string go = "\xff Go buildinf:" + std::string(bytes);
  (void)cinch::ParseGoBuildInfo(go);
  (void)cinch::ParseCargoAuditable(bytes);
  (void)cinch::ParseCargoAuditableJson(bytes);
  return 0;
}
