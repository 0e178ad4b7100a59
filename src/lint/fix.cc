#include "lint/fix.h"

#include <algorithm>

#include <fmt/format.h>

#include "dockerfile/parser.h"

namespace cinch::lint {

std::string ApplyEdits(std::string_view text, std::vector<Edit> edits) {
  std::sort(edits.begin(), edits.end(),
            [](const Edit& a, const Edit& b) { return a.begin < b.begin; });
  std::string out;
  out.reserve(text.size() + 64);
  uint32_t at = 0;
  for (const Edit& e : edits) {
    if (e.begin < at || e.end < e.begin || e.end > text.size()) continue;
    out.append(text.substr(at, e.begin - at));
    out.append(e.text);
    at = e.end;
  }
  out.append(text.substr(at));
  return out;
}

std::string FixDockerfile(std::string_view path, std::string_view text,
                          const LintOptions& options) {
  constexpr int kMaxRounds = 4;
  std::string current(text);
  for (int round = 0; round < kMaxRounds; ++round) {
    LintResult r = LintDockerfile(path, current, options);
    if (r.edits.empty()) break;
    std::string next = ApplyEdits(current, r.edits);
    if (next == current || !dockerfile::Parse(next)) break;
    current = std::move(next);
  }
  return current;
}

namespace {

std::vector<std::string_view> Lines(std::string_view s) {
  std::vector<std::string_view> out;
  size_t b = 0;
  while (b < s.size()) {
    size_t e = s.find('\n', b);
    if (e == std::string_view::npos) e = s.size() - 1;
    out.push_back(s.substr(b, e - b + 1));
    b = e + 1;
  }
  return out;
}

enum class Op { kSame, kDel, kAdd };

// Line diff by longest common subsequence; Dockerfiles are small. Past a
// size bound the whole middle is shown as replaced.
std::vector<std::pair<Op, std::string_view>> DiffLines(
    const std::vector<std::string_view>& a,
    const std::vector<std::string_view>& b) {
  size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre &&
         a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) {
    ++suf;
  }
  std::vector<std::pair<Op, std::string_view>> out;
  for (size_t i = 0; i < pre; ++i) out.emplace_back(Op::kSame, a[i]);
  size_t n = a.size() - pre - suf, m = b.size() - pre - suf;
  if (n * m > 4'000'000) {
    for (size_t i = 0; i < n; ++i) out.emplace_back(Op::kDel, a[pre + i]);
    for (size_t j = 0; j < m; ++j) out.emplace_back(Op::kAdd, b[pre + j]);
  } else {
    std::vector<std::vector<uint32_t>> lcs(n + 1,
                                           std::vector<uint32_t>(m + 1, 0));
    for (size_t i = n; i-- > 0;) {
      for (size_t j = m; j-- > 0;) {
        lcs[i][j] = a[pre + i] == b[pre + j]
                        ? lcs[i + 1][j + 1] + 1
                        : std::max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[pre + i] == b[pre + j]) {
        out.emplace_back(Op::kSame, a[pre + i]);
        ++i, ++j;
      } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
        out.emplace_back(Op::kDel, a[pre + i++]);
      } else {
        out.emplace_back(Op::kAdd, b[pre + j++]);
      }
    }
  }
  for (size_t i = a.size() - suf; i < a.size(); ++i) {
    out.emplace_back(Op::kSame, a[i]);
  }
  return out;
}

}  // namespace

std::string UnifiedDiff(std::string_view before, std::string_view after,
                        std::string_view path) {
  if (before == after) return "";
  auto ops = DiffLines(Lines(before), Lines(after));
  constexpr size_t kContext = 3;
  std::string out = fmt::format("--- a/{}\n+++ b/{}\n", path, path);
  size_t k = 0;
  while (k < ops.size()) {
    // Find the next change and the extent of its hunk.
    size_t first = k;
    while (first < ops.size() && ops[first].first == Op::kSame) ++first;
    if (first == ops.size()) break;
    size_t start = first >= kContext ? first - kContext : 0;
    size_t end = first;
    size_t same_run = 0;
    bool broke = false;
    while (end < ops.size()) {
      if (ops[end].first != Op::kSame) {
        same_run = 0;
      } else if (++same_run > 2 * kContext) {
        broke = true;
        break;
      }
      ++end;
    }
    size_t trailing = broke ? same_run - 1 : same_run;
    if (trailing > kContext) end -= trailing - kContext;
    // Line numbers of the hunk in both files.
    size_t a_line = 1, b_line = 1;
    for (size_t i = 0; i < start; ++i) {
      if (ops[i].first != Op::kAdd) ++a_line;
      if (ops[i].first != Op::kDel) ++b_line;
    }
    size_t a_len = 0, b_len = 0;
    std::string body;
    for (size_t i = start; i < end; ++i) {
      char mark = ops[i].first == Op::kSame  ? ' '
                  : ops[i].first == Op::kDel ? '-'
                                             : '+';
      if (ops[i].first != Op::kAdd) ++a_len;
      if (ops[i].first != Op::kDel) ++b_len;
      body += mark;
      body.append(ops[i].second);
      if (!ops[i].second.ends_with('\n'))
        body += "\n\\ No newline at end of file\n";
    }
    out += fmt::format("@@ -{},{} +{},{} @@\n", a_len ? a_line : a_line - 1,
                       a_len, b_len ? b_line : b_line - 1, b_len);
    out += body;
    k = end;
  }
  return out;
}

}  // namespace cinch::lint
