// RubyGems version order (Gem::Version): the version is cut into runs of
// digits and runs of letters ("-" stands for ".pre."); trailing zeros are
// dropped from the release part and from the pre-release part separately;
// segments then compare pairwise, missing ones as 0, numbers as numbers,
// words in byte order and below any number, so 1.0.a < 1.0.
#include <string>
#include <string_view>
#include <vector>

#include "version/schemes.h"

namespace cinch::version_internal {
namespace {

struct Segment {
  bool numeric = true;
  std::string text;  // digits without leading zeros ("" is 0), or a word
};

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }

// Gem::Version's format: N(.[0-9A-Za-z]+)*(-[0-9A-Za-z-]+(.[0-9A-Za-z-]+)*)?
bool ValidGem(std::string_view v) {
  size_t i = 0;
  if (i >= v.size() || !IsDigit(v[i])) return v.empty();
  while (i < v.size() && IsDigit(v[i])) ++i;
  while (i < v.size() && v[i] == '.') {
    size_t start = ++i;
    while (i < v.size() && IsAlnum(v[i])) ++i;
    if (i == start) return false;
  }
  if (i < v.size() && v[i] == '-') {
    do {
      size_t start = ++i;
      while (i < v.size() && (IsAlnum(v[i]) || v[i] == '-')) ++i;
      if (i == start) return false;
    } while (i < v.size() && v[i] == '.');
  }
  return i == v.size();
}

void DropTrailingZeros(std::vector<Segment>& segments, size_t from) {
  while (segments.size() > from && segments.back().numeric &&
         segments.back().text.empty()) {
    segments.pop_back();
  }
}

Result<std::vector<Segment>> ParseGem(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  if (!ValidGem(text)) return Fail("invalid RubyGems version '{}'", text);
  if (text.empty()) text = "0";

  // Segments: runs of digits or letters; everything else separates them
  // (a '-' becomes ".pre.", which adds the word "pre").
  std::vector<Segment> segments;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '-') {
      segments.push_back({false, "pre"});
      ++i;
      continue;
    }
    size_t start = i;
    bool digits = IsDigit(text[i]);
    while (i < text.size() && (digits ? IsDigit(text[i]) : IsAlpha(text[i]))) {
      ++i;
    }
    if (i == start) {
      ++i;  // a '.'
      continue;
    }
    std::string_view run = text.substr(start, i - start);
    if (digits) {
      while (!run.empty() && run.front() == '0') run.remove_prefix(1);
    }
    segments.push_back({digits, std::string(run)});
  }

  // Canonical form: trailing zeros go from the release part and from the
  // pre-release part (which starts at the first word).
  size_t first_word = segments.size();
  for (size_t i = 0; i < segments.size(); ++i) {
    if (!segments[i].numeric) {
      first_word = i;
      break;
    }
  }
  std::vector<Segment> release(segments.begin(), segments.begin() + first_word);
  std::vector<Segment> pre(segments.begin() + first_word, segments.end());
  DropTrailingZeros(release, 0);
  DropTrailingZeros(pre, 0);
  release.insert(release.end(), pre.begin(), pre.end());
  return release;
}

}  // namespace

Result<int> CompareRubyGems(std::string_view a, std::string_view b) {
  CINCH_ASSIGN(std::vector<Segment> va, ParseGem(a));
  CINCH_ASSIGN(std::vector<Segment> vb, ParseGem(b));
  const Segment zero{true, ""};
  for (size_t i = 0; i < va.size() || i < vb.size(); ++i) {
    const Segment& x = i < va.size() ? va[i] : zero;
    const Segment& y = i < vb.size() ? vb[i] : zero;
    if (x.numeric != y.numeric) return x.numeric ? 1 : -1;
    int c = x.numeric ? CompareDigits(x.text, y.text)
                      : Sign(x.text.compare(y.text));
    if (c != 0) return c;
  }
  return 0;
}

}  // namespace cinch::version_internal
