// The JSON documents of an image: the same bytes are offered to every
// parser, as a hostile registry or archive could.
#include <string_view>

#include "image/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)cinch::SniffDocument(text);
  (void)cinch::ParseIndex(text);
  (void)cinch::ParseManifest(text);
  (void)cinch::ParseImageConfig(text);
  (void)cinch::ParsePlatform(text);
  return 0;
}
