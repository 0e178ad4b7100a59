// NuGet version order (NuGet.Versioning): one to four numbers (missing
// ones are 0, so 1.0 == 1.0.0.0), then SemVer 2 pre-release labels that
// compare ignoring case; a release ranks above its pre-releases and build
// metadata after '+' is ignored.
#include <string_view>
#include <vector>

#include "version/schemes.h"

namespace cinch::version_internal {
namespace {

struct NuGetVersion {
  std::vector<std::string_view> numbers;  // 1 to 4
  std::vector<std::string_view> labels;
};

bool ValidLabel(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c) && !IsAlpha(c) && c != '-') return false;
  }
  return true;
}

Result<NuGetVersion> ParseNuGet(std::string_view text) {
  auto bad = [&] { return Fail("invalid NuGet version '{}'", text); };
  std::string_view v = text;
  if (size_t plus = v.find('+'); plus != v.npos) {
    std::string_view meta = v.substr(plus + 1);
    if (meta.empty()) return bad();
    v = v.substr(0, plus);
  }
  NuGetVersion out;
  if (size_t dash = v.find('-'); dash != v.npos) {
    std::string_view labels = v.substr(dash + 1);
    while (true) {
      size_t dot = labels.find('.');
      out.labels.push_back(labels.substr(0, dot));
      if (!ValidLabel(out.labels.back())) return bad();
      if (dot == labels.npos) break;
      labels.remove_prefix(dot + 1);
    }
    v = v.substr(0, dash);
  }
  while (true) {
    size_t dot = v.find('.');
    std::string_view n = v.substr(0, dot);
    if (n.empty() || n.size() > 10) return bad();
    for (char c : n) {
      if (!IsDigit(c)) return bad();
    }
    // Each number is a 32-bit signed integer in NuGet.
    if (CompareDigits(n, "2147483647") > 0) return bad();
    out.numbers.push_back(n);
    if (dot == v.npos) break;
    v.remove_prefix(dot + 1);
  }
  if (out.numbers.size() > 4) return bad();
  return out;
}

}  // namespace

Result<int> CompareNuGet(std::string_view a, std::string_view b) {
  CINCH_ASSIGN(NuGetVersion va, ParseNuGet(a));
  CINCH_ASSIGN(NuGetVersion vb, ParseNuGet(b));
  for (size_t i = 0; i < 4; ++i) {
    std::string_view x = i < va.numbers.size() ? va.numbers[i] : "0";
    std::string_view y = i < vb.numbers.size() ? vb.numbers[i] : "0";
    if (int c = CompareDigits(x, y); c != 0) return c;
  }
  if (va.labels.empty() || vb.labels.empty()) {
    return int(va.labels.empty()) - int(vb.labels.empty());
  }
  return ComparePrerelease(va.labels, vb.labels, true);
}

}  // namespace cinch::version_internal
