// apk-tools version order (2.14, as in Alpine 3.19). A version is read as a
// chain of tokens: numbers separated by '.', an optional lower-case letter, '_'
// suffixes (alpha < beta < pre < rc < none < cvs < svn < git < hg < p), each
// with an optional number, and a final "-rN" package revision. Which token kind
// follows decides order when the values agree: a release suffix makes a
// version smaller, any other extra component makes it larger.
#include <array>
#include <cstdint>
#include <string_view>

#include "version/schemes.h"

namespace cinch::version_internal {
namespace {

// Token kinds, in the order apk ranks them when two versions diverge.
enum Token : int {
  kInvalid = -1,
  kDigitOrZero = 0,  // a number after '.', where leading zeros matter
  kDigit,
  kLetter,
  kSuffix,
  kSuffixNo,
  kRevisionNo,
  kEnd,
};

constexpr std::array<std::string_view, 4> kPreSuffixes = {"alpha", "beta",
                                                          "pre", "rc"};
constexpr std::array<std::string_view, 5> kPostSuffixes = {"cvs", "svn", "git",
                                                           "hg", "p"};

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }

// Decides the kind of the next token from the separator at the front of
// `s`, consuming the separator. Kinds may only move forward through the
// chain, except for the few transitions that repeat a component.
Token NextKind(Token current, std::string_view& s) {
  Token next = kInvalid;
  if (s.empty()) {
    next = kEnd;
  } else if ((current == kDigit || current == kDigitOrZero) && IsLower(s[0])) {
    next = kLetter;
  } else if (current == kLetter && IsDigit(s[0])) {
    next = kDigit;
  } else if (current == kSuffix && IsDigit(s[0])) {
    next = kSuffixNo;
  } else {
    if (s[0] == '.') {
      next = kDigitOrZero;
    } else if (s[0] == '_') {
      next = kSuffix;
    } else if (s[0] == '-' && s.size() > 1 && s[1] == 'r') {
      next = kRevisionNo;
      s.remove_prefix(1);
    }
    s.remove_prefix(1);
  }
  bool repeats = (next == kDigitOrZero && current == kDigit) ||
                 (next == kSuffix && current == kSuffixNo) ||
                 (next == kDigit && current == kLetter);
  if (next < current && !repeats) next = kInvalid;
  return next;
}

int64_t ReadNumber(std::string_view s, size_t& i) {
  int64_t v = 0;
  for (; i < s.size() && IsDigit(s[i]); ++i) {
    if (i < 18) v = v * 10 + (s[i] - '0');
  }
  return v;
}

// Reads the token of kind `kind` at the front of `s` and returns its value;
// `kind` becomes the kind of the token after it.
int64_t ReadToken(Token& kind, std::string_view& s) {
  if (s.empty()) {
    kind = kEnd;
    return 0;
  }
  size_t i = 0;
  int64_t value = 0;
  Token forced = kInvalid;
  switch (kind) {
    case kDigitOrZero:
      // After a dot, extra leading zeros make a fraction: each zero beyond
      // the first lowers the value (1.001 < 1.01 < 1.1), and the number
      // that follows is read as a separate digit token.
      if (s[0] == '0') {
        while (i + 1 < s.size() && s[i + 1] == '0') ++i;
        value = -static_cast<int64_t>(i);
        forced = kDigit;
        break;
      }
      [[fallthrough]];
    case kDigit:
    case kSuffixNo:
    case kRevisionNo:
      // apk refuses numbers of 18 digits or more rather than overflow.
      value = ReadNumber(s, i);
      if (i >= 18) {
        kind = kInvalid;
        return -1;
      }
      break;
    case kLetter:
      value = static_cast<unsigned char>(s[0]);
      i = 1;
      break;
    case kSuffix: {
      bool found = false;
      for (size_t k = 0; k < kPreSuffixes.size() && !found; ++k) {
        if (s.starts_with(kPreSuffixes[k])) {
          value = int64_t(k) - int64_t(kPreSuffixes.size());
          i = kPreSuffixes[k].size();
          found = true;
        }
      }
      for (size_t k = 0; k < kPostSuffixes.size() && !found; ++k) {
        if (s.starts_with(kPostSuffixes[k])) {
          value = int64_t(k);
          i = kPostSuffixes[k].size();
          found = true;
        }
      }
      if (!found) {
        kind = kInvalid;
        return -1;
      }
      break;
    }
    default:
      kind = kInvalid;
      return -1;
  }
  s.remove_prefix(i);
  if (s.empty()) {
    kind = kEnd;
  } else if (forced != kInvalid) {
    kind = forced;
  } else {
    kind = NextKind(kind, s);
  }
  return value;
}

bool ValidApk(std::string_view v) {
  Token kind = kDigit;
  if (v.empty() || !IsDigit(v[0])) return false;
  while (kind != kEnd && kind != kInvalid) ReadToken(kind, v);
  return kind == kEnd;
}

}  // namespace

Result<int> CompareApk(std::string_view a, std::string_view b) {
  if (!ValidApk(a)) return Fail("invalid apk version '{}'", a);
  if (!ValidApk(b)) return Fail("invalid apk version '{}'", b);

  // Walk both token chains while kind and value agree.
  Token ka = kDigit;
  Token kb = kDigit;
  int64_t va = 0;
  int64_t vb = 0;
  while (ka == kb && ka != kEnd && ka != kInvalid && va == vb) {
    va = ReadToken(ka, a);
    vb = ReadToken(kb, b);
  }
  if (va != vb) return va < vb ? -1 : 1;
  if (ka == kb) return 0;

  // Same values so far; the next token kinds differ. A pre-release suffix
  // makes its version the smaller one; otherwise the version with more
  // components (an earlier kind in the chain) is larger.
  Token peek = ka;
  std::string_view rest = a;
  if (ka == kSuffix && ReadToken(peek, rest) < 0) return -1;
  peek = kb;
  rest = b;
  if (kb == kSuffix && ReadToken(peek, rest) < 0) return 1;
  if (ka > kb) return -1;
  if (kb > ka) return 1;
  return 0;
}

}  // namespace cinch::version_internal
