// PEP 440 version order (https://peps.python.org/pep-0440/), as the
// `packaging` library implements it: the normalised forms (alpha -> a,
// c/pre/preview -> rc, rev/r -> post, "-N" -> post N, implicit zeros,
// optional separators, case ignored) and the sort key epoch, release
// without trailing zeros, pre-release, post-release, dev-release, local
// version.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "version/schemes.h"

namespace cinch::version_internal {
namespace {

struct Pep440 {
  std::string epoch;
  std::vector<std::string> release;
  int pre_rank = -1;  // 0 a, 1 b, 2 rc; -1 none
  std::string pre_number;
  bool has_post = false;
  std::string post_number;
  bool has_dev = false;
  std::string dev_number;
  std::vector<std::string> local;
};

class Scanner {
 public:
  explicit Scanner(std::string s) : s_(std::move(s)) {}

  bool AtEnd() const { return p_ >= s_.size(); }
  size_t pos() const { return p_; }
  void Reset(size_t p) { p_ = p; }

  bool Take(char c) {
    if (p_ < s_.size() && s_[p_] == c) {
      ++p_;
      return true;
    }
    return false;
  }
  bool TakeSeparator() { return Take('-') || Take('_') || Take('.'); }
  bool TakeWord(std::string_view w) {
    if (std::string_view(s_).substr(p_).starts_with(w)) {
      p_ += w.size();
      return true;
    }
    return false;
  }
  std::string TakeDigits() {
    size_t start = p_;
    while (p_ < s_.size() && IsDigit(s_[p_])) ++p_;
    return s_.substr(start, p_ - start);
  }
  std::string TakeAlnum() {
    size_t start = p_;
    while (p_ < s_.size() && (IsDigit(s_[p_]) || IsAlpha(s_[p_]))) ++p_;
    return s_.substr(start, p_ - start);
  }

 private:
  std::string s_;
  size_t p_ = 0;
};

std::string Normalize(std::string_view text) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
  };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  std::string out(text);
  for (char& c : out) c = Lower(c);
  return out;
}

// [-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?N?
bool ParsePre(Scanner& in, Pep440& v) {
  // Longer spellings first, as the alternation in PEP 440's pattern.
  static constexpr std::array<std::pair<std::string_view, int>, 8> kLabels = {
      {{"alpha", 0},
       {"a", 0},
       {"beta", 1},
       {"b", 1},
       {"preview", 2},
       {"pre", 2},
       {"c", 2},
       {"rc", 2}}};
  size_t start = in.pos();
  in.TakeSeparator();
  for (const auto& [label, rank] : kLabels) {
    if (in.TakeWord(label)) {
      v.pre_rank = rank;
      in.TakeSeparator();
      v.pre_number = in.TakeDigits();
      return true;
    }
  }
  in.Reset(start);
  return false;
}

// -N | [-_.]?(post|rev|r)[-_.]?N?
bool ParsePost(Scanner& in, Pep440& v) {
  size_t start = in.pos();
  if (in.Take('-')) {
    std::string n = in.TakeDigits();
    if (!n.empty()) {
      v.has_post = true;
      v.post_number = n;
      return true;
    }
    in.Reset(start);
  }
  in.TakeSeparator();
  for (std::string_view label : {"post", "rev", "r"}) {
    if (in.TakeWord(label)) {
      v.has_post = true;
      in.TakeSeparator();
      v.post_number = in.TakeDigits();
      return true;
    }
  }
  in.Reset(start);
  return false;
}

// [-_.]?dev[-_.]?N?
bool ParseDev(Scanner& in, Pep440& v) {
  size_t start = in.pos();
  in.TakeSeparator();
  if (in.TakeWord("dev")) {
    v.has_dev = true;
    in.TakeSeparator();
    v.dev_number = in.TakeDigits();
    return true;
  }
  in.Reset(start);
  return false;
}

Result<Pep440> ParsePep440(std::string_view text) {
  auto bad = [&] { return Fail("invalid PEP 440 version '{}'", text); };
  Scanner in(Normalize(text));
  Pep440 v;
  in.Take('v');

  // [N!]N(.N)*
  std::string first = in.TakeDigits();
  if (first.empty()) return bad();
  if (in.Take('!')) {
    v.epoch = first;
    first = in.TakeDigits();
    if (first.empty()) return bad();
  }
  v.release.push_back(first);
  while (true) {
    size_t dot = in.pos();
    if (!in.Take('.')) break;
    std::string n = in.TakeDigits();
    if (n.empty()) {
      in.Reset(dot);
      break;
    }
    v.release.push_back(n);
  }

  ParsePre(in, v);
  ParsePost(in, v);
  ParseDev(in, v);
  if (in.Take('+')) {
    do {
      std::string part = in.TakeAlnum();
      if (part.empty()) return bad();
      v.local.push_back(part);
    } while (in.TakeSeparator());
  }
  if (!in.AtEnd()) return bad();
  return v;
}

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return !s.empty();
}

int CompareRelease(std::vector<std::string> a, std::vector<std::string> b) {
  // Trailing zeros do not count: 1.0 == 1.0.0.
  while (!a.empty() && CompareDigits(a.back(), "0") == 0) a.pop_back();
  while (!b.empty() && CompareDigits(b.back(), "0") == 0) b.pop_back();
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (int c = CompareDigits(a[i], b[i]); c != 0) return c;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

// The pre-release part of the key: a dev release without a pre or post
// release sorts before every pre-release of its release; a final release
// after them.
int PreRank(const Pep440& v) {
  if (v.pre_rank < 0 && !v.has_post && v.has_dev) return -1;
  if (v.pre_rank < 0) return 3;
  return v.pre_rank;
}

// Local segments: numbers compare as numbers and above strings.
int CompareLocal(const std::vector<std::string>& a,
                 const std::vector<std::string>& b) {
  if (a.empty() || b.empty()) return int(!a.empty()) - int(!b.empty());
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    bool na = AllDigits(a[i]);
    bool nb = AllDigits(b[i]);
    int c = 0;
    if (na && nb) {
      c = CompareDigits(a[i], b[i]);
    } else if (na != nb) {
      c = na ? 1 : -1;
    } else {
      c = Sign(a[i].compare(b[i]));
    }
    if (c != 0) return c;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

}  // namespace

Result<int> ComparePep440(std::string_view a, std::string_view b) {
  CINCH_ASSIGN(Pep440 va, ParsePep440(a));
  CINCH_ASSIGN(Pep440 vb, ParsePep440(b));
  if (int c = CompareDigits(va.epoch, vb.epoch); c != 0) return c;
  if (int c = CompareRelease(va.release, vb.release); c != 0) return c;

  int ra = PreRank(va);
  int rb = PreRank(vb);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (ra >= 0 && ra <= 2) {
    if (int c = CompareDigits(va.pre_number, vb.pre_number); c != 0) return c;
  }
  if (va.has_post != vb.has_post) return va.has_post ? 1 : -1;
  if (int c = CompareDigits(va.post_number, vb.post_number); c != 0) return c;
  // No dev release sorts after any dev release.
  if (va.has_dev != vb.has_dev) return va.has_dev ? -1 : 1;
  if (int c = CompareDigits(va.dev_number, vb.dev_number); c != 0) return c;
  return CompareLocal(va.local, vb.local);
}

}  // namespace cinch::version_internal
