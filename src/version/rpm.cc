// rpm version order: [epoch:]version[-release], the epoch as a number and
// version and release by rpmvercmp (rpm >= 4.15): alternating runs of
// digits and letters, separators ignored, numbers beat letters, '~' sorts
// before anything (even the end) and '^' after the end but before anything
// else.
#include <string_view>

#include "version/schemes.h"

namespace cinch::version_internal {
namespace {

struct Evr {
  std::string_view epoch;
  std::string_view version;
  std::string_view release;
};

Result<Evr> ParseEvr(std::string_view v) {
  if (v.empty()) return Fail("empty rpm version");
  Evr out;
  size_t colon = v.find(':');
  if (colon != std::string_view::npos) {
    out.epoch = v.substr(0, colon);
    for (char c : out.epoch) {
      if (!IsDigit(c)) return Fail("invalid epoch in rpm version '{}'", v);
    }
    v.remove_prefix(colon + 1);
  }
  size_t dash = v.rfind('-');
  if (dash != std::string_view::npos) {
    out.release = v.substr(dash + 1);
    v = v.substr(0, dash);
  }
  out.version = v;
  return out;
}

bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }

int RpmVerCmp(std::string_view a, std::string_view b) {
  if (a == b) return 0;
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() || j < b.size()) {
    while (i < a.size() && !IsAlnum(a[i]) && a[i] != '~' && a[i] != '^') ++i;
    while (j < b.size() && !IsAlnum(b[j]) && b[j] != '~' && b[j] != '^') ++j;
    bool ea = i >= a.size();
    bool eb = j >= b.size();

    // '~' (pre-release) sorts before everything, the end included.
    bool ta = !ea && a[i] == '~';
    bool tb = !eb && b[j] == '~';
    if (ta || tb) {
      if (!ta) return 1;
      if (!tb) return -1;
      ++i;
      ++j;
      continue;
    }
    // '^' (post-release snapshot) sorts after the end but before any
    // other component.
    bool ca = !ea && a[i] == '^';
    bool cb = !eb && b[j] == '^';
    if (ca || cb) {
      if (ea) return -1;
      if (eb) return 1;
      if (!ca) return 1;
      if (!cb) return -1;
      ++i;
      ++j;
      continue;
    }
    if (ea || eb) break;

    // One run of the kind that a starts with; b's run of the same kind.
    bool numeric = IsDigit(a[i]);
    size_t ei = i;
    size_t ej = j;
    auto same_kind = [numeric](char c) {
      return numeric ? IsDigit(c) : IsAlpha(c);
    };
    while (ei < a.size() && same_kind(a[ei])) ++ei;
    while (ej < b.size() && same_kind(b[ej])) ++ej;
    if (ej == j) return numeric ? 1 : -1;  // kinds differ: numbers win
    std::string_view ra = a.substr(i, ei - i);
    std::string_view rb = b.substr(j, ej - j);
    int c = numeric ? CompareDigits(ra, rb) : Sign(ra.compare(rb));
    if (c != 0) return c;
    i = ei;
    j = ej;
  }
  bool ea = i >= a.size();
  bool eb = j >= b.size();
  if (ea && eb) return 0;
  return ea ? -1 : 1;
}

}  // namespace

Result<int> CompareRpm(std::string_view a, std::string_view b) {
  CINCH_ASSIGN(Evr va, ParseEvr(a));
  CINCH_ASSIGN(Evr vb, ParseEvr(b));
  if (int c = CompareDigits(va.epoch, vb.epoch); c != 0) return c;
  if (int c = RpmVerCmp(va.version, vb.version); c != 0) return c;
  return RpmVerCmp(va.release, vb.release);
}

}  // namespace cinch::version_internal
