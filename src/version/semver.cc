// SemVer 2.0.0 (https://semver.org/spec/v2.0.0.html), as npm's `semver`
// package applies it: an optional leading 'v', MAJOR.MINOR.PATCH without
// leading zeros, dot-separated pre-release identifiers, and build metadata
// that does not take part in the order.
#include <string_view>
#include <vector>

#include "version/schemes.h"

namespace cinch::version_internal {
namespace {

struct Semver {
  std::string_view major, minor, patch;
  std::vector<std::string_view> pre;
};

bool IsIdentChar(char c) { return IsDigit(c) || IsAlpha(c) || c == '-'; }

bool IsNumber(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// A numeric part: digits, no leading zero unless it is "0".
bool ValidNumber(std::string_view s) {
  return IsNumber(s) && (s.size() == 1 || s[0] != '0');
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    size_t at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + 1);
  }
  return out;
}

Result<Semver> ParseSemver(std::string_view text) {
  std::string_view v = text;
  if (!v.empty() && v[0] == 'v') v.remove_prefix(1);
  auto bad = [&] { return Fail("invalid SemVer version '{}'", text); };

  if (size_t plus = v.find('+'); plus != std::string_view::npos) {
    for (std::string_view id : Split(v.substr(plus + 1), '.')) {
      if (id.empty()) return bad();
      for (char c : id) {
        if (!IsIdentChar(c)) return bad();
      }
    }
    v = v.substr(0, plus);
  }
  Semver out;
  if (size_t dash = v.find('-'); dash != std::string_view::npos) {
    out.pre = Split(v.substr(dash + 1), '.');
    for (std::string_view id : out.pre) {
      if (id.empty()) return bad();
      for (char c : id) {
        if (!IsIdentChar(c)) return bad();
      }
      if (IsNumber(id) && !ValidNumber(id)) return bad();
    }
    v = v.substr(0, dash);
  }
  std::vector<std::string_view> core = Split(v, '.');
  if (core.size() != 3) return bad();
  for (std::string_view n : core) {
    if (!ValidNumber(n)) return bad();
  }
  out.major = core[0];
  out.minor = core[1];
  out.patch = core[2];
  return out;
}

int CompareCaseless(std::string_view a, std::string_view b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    char ca = Lower(a[i]);
    char cb = Lower(b[i]);
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

}  // namespace

int ComparePrerelease(const std::vector<std::string_view>& a,
                      const std::vector<std::string_view>& b,
                      bool ignore_case) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    bool na = IsNumber(a[i]);
    bool nb = IsNumber(b[i]);
    int c = 0;
    if (na && nb) {
      c = CompareDigits(a[i], b[i]);
    } else if (na != nb) {
      c = na ? -1 : 1;
    } else {
      c = ignore_case ? CompareCaseless(a[i], b[i]) : Sign(a[i].compare(b[i]));
    }
    if (c != 0) return c;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

Result<int> CompareSemver(std::string_view a, std::string_view b) {
  CINCH_ASSIGN(Semver va, ParseSemver(a));
  CINCH_ASSIGN(Semver vb, ParseSemver(b));
  if (int c = CompareDigits(va.major, vb.major); c != 0) return c;
  if (int c = CompareDigits(va.minor, vb.minor); c != 0) return c;
  if (int c = CompareDigits(va.patch, vb.patch); c != 0) return c;

  // A release ranks above all of its pre-releases.
  if (va.pre.empty() || vb.pre.empty()) {
    return int(va.pre.empty()) - int(vb.pre.empty());
  }
  return ComparePrerelease(va.pre, vb.pre, false);
}

}  // namespace cinch::version_internal
