// Go module versions (https://go.dev/ref/mod#versions): semantic versions
// with a 'v' (OSV records omit it, so it is optional here), the shorthands
// v1 and v1.2 for v1.0.0 and v1.2.0, pseudo-versions (which are pre-release
// versions and so order by their timestamp and commit without special
// handling), and "+incompatible", which is build metadata and ignored.
#include <string_view>
#include <vector>

#include "version/schemes.h"

namespace cinch::version_internal {
namespace {

struct GoVersion {
  std::string_view major, minor = "0", patch = "0";
  std::vector<std::string_view> pre;
};

bool IsNumeric(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

bool CanonicalNumber(std::string_view s) {
  return IsNumeric(s) && (s.size() == 1 || s[0] != '0');
}

// Reads a number at the front of `v`; empty when there is none or it has a
// leading zero.
std::string_view TakeNumber(std::string_view& v) {
  size_t n = 0;
  while (n < v.size() && IsDigit(v[n])) ++n;
  std::string_view num = v.substr(0, n);
  if (!CanonicalNumber(num)) return {};
  v.remove_prefix(n);
  return num;
}

bool ValidIdentifiers(std::string_view s, bool numeric_rule,
                      std::vector<std::string_view>* out) {
  while (true) {
    size_t dot = s.find('.');
    std::string_view id = s.substr(0, dot);
    if (id.empty()) return false;
    for (char c : id) {
      if (!IsDigit(c) && !IsAlpha(c) && c != '-') return false;
    }
    if (numeric_rule && IsNumeric(id) && !CanonicalNumber(id)) return false;
    if (out != nullptr) out->push_back(id);
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
}

Result<GoVersion> ParseGo(std::string_view text) {
  std::string_view v = text;
  if (!v.empty() && v[0] == 'v') v.remove_prefix(1);
  auto bad = [&] { return Fail("invalid Go module version '{}'", text); };

  GoVersion out;
  out.major = TakeNumber(v);
  if (out.major.empty()) return bad();
  if (v.empty()) return out;  // v1
  if (v[0] != '.') return bad();
  v.remove_prefix(1);
  out.minor = TakeNumber(v);
  if (out.minor.empty()) return bad();
  if (v.empty()) return out;  // v1.2
  if (v[0] != '.') return bad();
  v.remove_prefix(1);
  out.patch = TakeNumber(v);
  if (out.patch.empty()) return bad();

  if (!v.empty() && v[0] == '-') {
    size_t end = v.find('+');
    if (!ValidIdentifiers(v.substr(1, end == v.npos ? v.npos : end - 1), true,
                          &out.pre)) {
      return bad();
    }
    v = end == v.npos ? std::string_view() : v.substr(end);
  }
  if (!v.empty() && v[0] == '+') {
    if (!ValidIdentifiers(v.substr(1), false, nullptr)) return bad();
    v = {};
  }
  if (!v.empty()) return bad();
  return out;
}

}  // namespace

Result<int> CompareGo(std::string_view a, std::string_view b) {
  CINCH_ASSIGN(GoVersion va, ParseGo(a));
  CINCH_ASSIGN(GoVersion vb, ParseGo(b));
  if (int c = CompareDigits(va.major, vb.major); c != 0) return c;
  if (int c = CompareDigits(va.minor, vb.minor); c != 0) return c;
  if (int c = CompareDigits(va.patch, vb.patch); c != 0) return c;
  if (va.pre.empty() || vb.pre.empty()) {
    return int(va.pre.empty()) - int(vb.pre.empty());
  }
  return ComparePrerelease(va.pre, vb.pre, false);
}

}  // namespace cinch::version_internal
