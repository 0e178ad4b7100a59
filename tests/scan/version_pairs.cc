// Reads "SCHEME<TAB>A<TAB>B" lines on stdin and prints, for each, the sign
// of CompareVersions(SCHEME, A, B) (-1, 0 or 1) or "E" when either version
// is rejected. The oracle cross-check (version_oracle.py) drives it.
#include <cstdio>
#include <iostream>
#include <string>

#include "version/version.h"

int main() {
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    size_t t1 = line.find('\t');
    size_t t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
    if (t2 == std::string::npos) {
      std::cout << "E\n";
      continue;
    }
    auto scheme = cinch::VersionSchemeByName(line.substr(0, t1));
    if (!scheme) {
      std::cout << "E\n";
      continue;
    }
    auto c = cinch::CompareVersions(*scheme, line.substr(t1 + 1, t2 - t1 - 1),
                                    line.substr(t2 + 1));
    if (!c) {
      std::cout << "E\n";
    } else {
      std::cout << ((*c > 0) - (*c < 0)) << "\n";
    }
  }
  return 0;
}
