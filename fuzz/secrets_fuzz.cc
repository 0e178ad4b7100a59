// Runs the secret engine over arbitrary bytes, split into chunks at a
// point the input chooses. Any crash, hang or sanitizer report is a bug.
#include <algorithm>
#include <string_view>

#include "secrets/engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const cinch::secrets::Engine* engine =
      *cinch::secrets::Engine::Default();
  static cinch::secrets::Scanner scanner(*engine);
  if (size < 1) return 0;
  size_t chunk = size_t(data[0]) + 1;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  scanner.Begin();
  for (size_t i = 0; i < text.size(); i += chunk) {
    scanner.Feed(text.substr(i, chunk));
  }
  for (const auto& m : scanner.Finish()) {
    if (m.rule == nullptr || m.fingerprint.size() != 16) __builtin_trap();
  }
  return 0;
}
