#include "lint/dockerignore.h"

namespace cinch::lint {
namespace {

std::vector<std::string> Split(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

// Matches a character class starting after '['; advances `p` past ']'.
// Returns nullopt for a malformed class.
std::optional<bool> MatchClass(std::string_view pattern, size_t& p, char c) {
  bool negated = p < pattern.size() && (pattern[p] == '^' || pattern[p] == '!');
  if (negated) ++p;
  bool matched = false;
  bool first = true;
  while (p < pattern.size() && (pattern[p] != ']' || first)) {
    first = false;
    char lo = pattern[p++];
    if (lo == '\\' && p < pattern.size()) lo = pattern[p++];
    char hi = lo;
    if (p + 1 < pattern.size() && pattern[p] == '-' && pattern[p + 1] != ']') {
      hi = pattern[p + 1];
      p += 2;
      if (hi == '\\' && p < pattern.size()) hi = pattern[p++];
    }
    if (lo <= c && c <= hi) matched = true;
  }
  if (p >= pattern.size()) return std::nullopt;
  ++p;  // ']'
  return matched != negated;
}

bool MatchFrom(std::string_view pattern, size_t p, std::string_view name,
               size_t n) {
  while (p < pattern.size()) {
    char pc = pattern[p];
    if (pc == '*') {
      while (p < pattern.size() && pattern[p] == '*') ++p;
      for (size_t k = n; k <= name.size(); ++k) {
        if (MatchFrom(pattern, p, name, k)) return true;
      }
      return false;
    }
    if (n >= name.size()) return false;
    if (pc == '?') {
      ++p;
    } else if (pc == '[') {
      ++p;
      auto ok = MatchClass(pattern, p, name[n]);
      if (!ok || !*ok) return false;
    } else {
      if (pc == '\\' && p + 1 < pattern.size()) pc = pattern[++p];
      if (pc != name[n]) return false;
      ++p;
    }
    ++n;
  }
  return n == name.size();
}

// Matches pattern components against path components; "**" spans any
// number of components, zero included.
bool MatchComponents(const std::vector<std::string>& pattern, size_t p,
                     const std::vector<std::string>& path, size_t k) {
  if (p == pattern.size()) return k == path.size();
  if (pattern[p] == "**") {
    for (size_t j = k; j <= path.size(); ++j) {
      if (MatchComponents(pattern, p + 1, path, j)) return true;
    }
    return false;
  }
  if (k == path.size() || !MatchComponent(pattern[p], path[k])) return false;
  return MatchComponents(pattern, p + 1, path, k + 1);
}

// A pattern matches a path or, for a pattern without "**", any directory
// above it whose depth equals the pattern's.
bool Matches(const std::vector<std::string>& pattern,
             const std::vector<std::string>& path) {
  if (MatchComponents(pattern, 0, path, 0)) return true;
  for (size_t depth = 1; depth < path.size(); ++depth) {
    std::vector<std::string> parent(path.begin(), path.begin() + long(depth));
    if (MatchComponents(pattern, 0, parent, 0)) return true;
  }
  return false;
}

}  // namespace

bool MatchComponent(std::string_view pattern, std::string_view name) {
  return MatchFrom(pattern, 0, name, 0);
}

std::string CleanContextPath(std::string_view path) {
  std::vector<std::string> parts;
  for (const std::string& part : Split(path)) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  if (parts.empty()) return ".";
  std::string out = parts[0];
  for (size_t i = 1; i < parts.size(); ++i) out += "/" + parts[i];
  return out;
}

DockerIgnore DockerIgnore::Parse(std::string_view text) {
  DockerIgnore out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.front() == '#') continue;
    while (!line.empty() &&
           std::isspace(static_cast<unsigned char>(line.back()))) {
      line.remove_suffix(1);
    }
    while (!line.empty() &&
           std::isspace(static_cast<unsigned char>(line.front()))) {
      line.remove_prefix(1);
    }
    if (line.empty()) continue;
    Pattern p;
    p.text = std::string(line);
    if (line.front() == '!') {
      p.exception = true;
      line.remove_prefix(1);
    }
    std::string clean = CleanContextPath(line);
    if (clean == ".") continue;
    p.components = Split(clean);
    out.patterns_.push_back(std::move(p));
  }
  return out;
}

std::optional<std::string> DockerIgnore::Excludes(std::string_view path) const {
  std::string clean = CleanContextPath(path);
  if (clean == ".") return std::nullopt;
  std::vector<std::string> parts = Split(clean);
  std::optional<std::string> excluded_by;
  for (const Pattern& p : patterns_) {
    if (!Matches(p.components, parts)) continue;
    if (p.exception) {
      excluded_by.reset();
    } else {
      excluded_by = p.text;
    }
  }
  return excluded_by;
}

}  // namespace cinch::lint
