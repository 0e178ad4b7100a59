#include "catalog/ruby.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "catalog/license.h"

namespace cinch {
namespace {

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  return s;
}

std::string_view Trim(std::string_view s) {
  s = TrimLeft(s);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

char ClosingDelimiter(char open) {
  switch (open) {
    case '<':
      return '>';
    case '(':
      return ')';
    case '[':
      return ']';
    case '{':
      return '}';
    default:
      return open;
  }
}

// Reads a Ruby string literal at the start of `s` (after blanks):
// "double", 'single' or %q<...> / %Q{...}; a following `.freeze` is
// consumed too. Escapes keep the escaped character (names, versions and
// licence ids are plain ASCII). nullopt, with `s` unchanged, when `s` does
// not start with a literal or the literal is not closed on this line.
std::optional<std::string> ReadLiteral(std::string_view& s) {
  std::string_view rest = TrimLeft(s);
  char close;
  if (rest.starts_with('"') || rest.starts_with('\'')) {
    close = rest.front();
    rest.remove_prefix(1);
  } else if (rest.size() >= 3 && rest[0] == '%' &&
             (rest[1] == 'q' || rest[1] == 'Q') && !IsIdentChar(rest[2]) &&
             rest[2] != ' ') {
    close = ClosingDelimiter(rest[2]);
    rest.remove_prefix(3);
  } else {
    return std::nullopt;
  }
  std::string out;
  while (!rest.empty() && rest.front() != close) {
    if (rest.front() == '\\' && rest.size() > 1) rest.remove_prefix(1);
    out += rest.front();
    rest.remove_prefix(1);
  }
  if (rest.empty()) return std::nullopt;
  rest.remove_prefix(1);
  if (rest.starts_with(".freeze")) rest.remove_prefix(7);
  s = rest;
  return out;
}

// Every literal of an array literal `["a".freeze, "b"]`, or the single
// literal when the value is not an array.
std::vector<std::string> ReadLiterals(std::string_view s) {
  std::vector<std::string> out;
  s = TrimLeft(s);
  if (!s.starts_with('[')) {
    if (auto one = ReadLiteral(s)) out.push_back(std::move(*one));
    return out;
  }
  s.remove_prefix(1);
  while (auto next = ReadLiteral(s)) {
    out.push_back(std::move(*next));
    s = TrimLeft(s);
    if (!s.starts_with(',')) break;
    s.remove_prefix(1);
  }
  return out;
}

// Splits `s.key = value` / `s.method(args)` / `s.method args` into the
// member name and the text after it (after `=` for assignments). The
// receiver must be a plain identifier.
struct Member {
  std::string_view name;
  std::string_view rest;
  bool assignment = false;
};

std::optional<Member> SplitMember(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && IsIdentChar(line[i])) ++i;
  if (i == 0 || i >= line.size() || line[i] != '.') return std::nullopt;
  size_t start = ++i;
  while (i < line.size() && IsIdentChar(line[i])) ++i;
  if (i == start) return std::nullopt;
  Member m;
  m.name = line.substr(start, i - start);
  m.rest = TrimLeft(line.substr(i));
  if (m.rest.starts_with('=') && !m.rest.starts_with("==")) {
    m.assignment = true;
    m.rest.remove_prefix(1);
  } else if (m.rest.starts_with('(')) {
    m.rest.remove_prefix(1);
  }
  return m;
}

}  // namespace

Result<Package> ParseGemspec(std::string_view text) {
  Package p;
  p.type = PackageType::kGem;
  bool in_else = false;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = Trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? "" : text.substr(nl + 1);
    if (line.empty() || line.starts_with('#')) continue;
    // Old rubygems wrote `if s.respond_to? :add_runtime_dependency then
    // ... else s.add_dependency(...) end`, where the else branch repeats
    // every dependency, development ones included, for ancient rubygems.
    if (line == "else") {
      in_else = true;
      continue;
    }
    if (line == "end") {
      in_else = false;
      continue;
    }
    std::optional<Member> m = SplitMember(line);
    if (!m) continue;
    if (m->assignment && m->name == "name" && p.name.empty()) {
      p.name = ReadLiteral(m->rest).value_or("");
    } else if (m->assignment && m->name == "version" && p.version.empty()) {
      p.version = ReadLiteral(m->rest).value_or("");
    } else if (m->assignment &&
               (m->name == "licenses" || m->name == "license")) {
      for (const std::string& l : ReadLiterals(m->rest)) {
        if (!Trim(l).empty()) p.licenses.push_back(NormalizeLicense(l));
      }
    } else if (!m->assignment && !in_else &&
               (m->name == "add_runtime_dependency" ||
                m->name == "add_dependency")) {
      std::optional<std::string> dep = ReadLiteral(m->rest);
      if (dep && !dep->empty() &&
          std::find(p.depends_on.begin(), p.depends_on.end(), *dep) ==
              p.depends_on.end()) {
        p.depends_on.push_back(std::move(*dep));
      }
    }
  }
  if (p.name.empty()) return Fail("gemspec without a name");
  if (p.version.empty())
    return Fail("gemspec without a version for {}", p.name);
  return p;
}

bool GemCataloger::Wants(const Entry& entry) const {
  std::string_view p = entry.path;
  if (!p.ends_with(".gemspec")) return false;
  return p.starts_with("specifications/") ||
         p.find("/specifications/") != std::string_view::npos;
}

Result<std::vector<Package>> GemCataloger::ParseManifest(
    const std::string&, std::string_view content) const {
  CINCH_ASSIGN(Package p, ParseGemspec(content));
  return std::vector<Package>{std::move(p)};
}

}  // namespace cinch
