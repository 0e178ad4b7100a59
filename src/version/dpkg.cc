// dpkg version order, as Debian Policy 5.6.12 defines it and as dpkg and
// apt implement it: [epoch:]upstream[-revision], compared part by part;
// within a part, runs of non-digits compare by a modified ASCII order in
// which '~' sorts before everything (even the end), letters before other
// characters, and runs of digits compare as numbers.
#include <string_view>

#include "version/schemes.h"

namespace cinch::version_internal {
namespace {

struct DpkgVersion {
  std::string_view epoch;  // digits; empty means 0
  std::string_view upstream;
  std::string_view revision;
};

// Like apt, an epoch is only taken when everything before the first ':' is
// digits; otherwise the colon belongs to the upstream version.
Result<DpkgVersion> ParseDpkg(std::string_view v) {
  if (v.empty()) return Fail("empty dpkg version");
  DpkgVersion out;
  size_t colon = v.find(':');
  if (colon != std::string_view::npos && colon > 0) {
    std::string_view epoch = v.substr(0, colon);
    bool digits = true;
    for (char c : epoch) digits = digits && IsDigit(c);
    if (digits) {
      out.epoch = epoch;
      v.remove_prefix(colon + 1);
    }
  }
  // No revision at all counts as "0"; an empty one after a '-' does not
  // (apt orders 1.0- before 1.0).
  out.revision = "0";
  size_t dash = v.rfind('-');
  if (dash != std::string_view::npos) {
    out.revision = v.substr(dash + 1);
    v = v.substr(0, dash);
  }
  out.upstream = v;
  return out;
}

// The weight of one character in a non-digit run; past the end stands for
// the end of the string, which sorts after '~' and before everything else.
int Weight(std::string_view s, size_t i) {
  if (i >= s.size()) return 0;
  char c = s[i];
  if (c == '~') return -1;
  if (IsDigit(c)) return 0;
  if (IsAlpha(c)) return static_cast<unsigned char>(c);
  return static_cast<unsigned char>(c) + 256;
}

int CompareFragment(std::string_view a, std::string_view b) {
  // An empty part sorts before any other except one that starts with '~'
  // (apt's rule; dpkg refuses empty parts).
  if (a.empty() != b.empty()) {
    if (a.empty()) return b[0] == '~' ? 1 : -1;
    return a[0] == '~' ? -1 : 1;
  }
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() || j < b.size()) {
    // Non-digit prefix, character by character.
    while ((i < a.size() && !IsDigit(a[i])) ||
           (j < b.size() && !IsDigit(b[j]))) {
      int wa = Weight(a, i);
      int wb = Weight(b, j);
      if (wa != wb) return wa < wb ? -1 : 1;
      ++i;
      ++j;
    }
    // Digit run, as an unbounded number.
    size_t ei = i;
    size_t ej = j;
    while (ei < a.size() && IsDigit(a[ei])) ++ei;
    while (ej < b.size() && IsDigit(b[ej])) ++ej;
    // A non-digit run ends only where both strings reach a digit or
    // their end (a lone end weighs differently from any non-digit), so i
    // and j never pass the ends here.
    int c = CompareDigits(a.substr(i, ei - i), b.substr(j, ej - j));
    if (c != 0) return c;
    i = ei;
    j = ej;
  }
  return 0;
}

}  // namespace

Result<int> CompareDpkg(std::string_view a, std::string_view b) {
  CINCH_ASSIGN(DpkgVersion va, ParseDpkg(a));
  CINCH_ASSIGN(DpkgVersion vb, ParseDpkg(b));
  if (int c = CompareDigits(va.epoch, vb.epoch); c != 0) return c;
  if (int c = CompareFragment(va.upstream, vb.upstream); c != 0) return c;
  return CompareFragment(va.revision, vb.revision);
}

}  // namespace cinch::version_internal
