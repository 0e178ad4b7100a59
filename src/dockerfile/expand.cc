#include "dockerfile/expand.h"

#include <cctype>

namespace cinch::dockerfile {
namespace {

bool IsNameChar(char c) { return std::isalnum(uint8_t(c)) || c == '_'; }

// Shell pattern match supporting `*` and `?` (enough for prefix/suffix
// removal in Dockerfiles).
bool Glob(std::string_view p, std::string_view s) {
  if (p.empty()) return s.empty();
  if (p[0] == '*') {
    for (size_t i = 0; i <= s.size(); ++i) {
      if (Glob(p.substr(1), s.substr(i))) return true;
    }
    return false;
  }
  if (s.empty()) return false;
  if (p[0] != '?' && p[0] != s[0]) return false;
  return Glob(p.substr(1), s.substr(1));
}

class Expander {
 public:
  Expander(std::string_view s, const Variables& vars, char escape)
      : s_(s), vars_(vars), escape_(escape) {}

  Result<Expansion> Run() {
    CINCH_ASSIGN(out_.value, Text(false, '\0'));
    return std::move(out_);
  }

 private:
  // Reads until `stop` (or the end) outside quotes; `in_braces` stops at an
  // unmatched '}' for nested words like ${A:-${B}}.
  Result<std::string> Text(bool in_braces, char stop) {
    std::string out;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (in_braces && c == '}') return out;
      if (stop != '\0' && c == stop) return out;
      if (c == escape_) {
        ++pos_;
        if (pos_ < s_.size()) out += s_[pos_++];
      } else if (c == '\'') {
        size_t close = s_.find('\'', pos_ + 1);
        if (close == std::string_view::npos) close = s_.size();
        out.append(s_.substr(pos_ + 1, close - pos_ - 1));
        pos_ = close + 1;
      } else if (c == '"') {
        ++pos_;
        CINCH_ASSIGN(std::string inner, DoubleQuoted());
        out += inner;
      } else if (c == '$') {
        CINCH_ASSIGN(std::string v, Dollar());
        out += v;
      } else {
        out += c;
        ++pos_;
      }
    }
    return out;
  }

  Result<std::string> DoubleQuoted() {
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_];
      if (c == escape_ && pos_ + 1 < s_.size()) {
        char n = s_[pos_ + 1];
        if (n == '"' || n == '$' || n == escape_) {
          out += n;
        } else {
          out += c;
          out += n;
        }
        pos_ += 2;
      } else if (c == '$') {
        CINCH_ASSIGN(std::string v, Dollar());
        out += v;
      } else {
        out += c;
        ++pos_;
      }
    }
    ++pos_;
    return out;
  }

  // A reference with a default (`-`, `+`, `?`) does not count as one to
  // an undefined variable.
  std::optional<std::string> Lookup(const std::string& name,
                                    bool record_undefined = true) {
    out_.used.insert(name);
    auto it = vars_.find(name);
    if (it == vars_.end()) {
      if (record_undefined) out_.undefined.insert(name);
      return std::nullopt;
    }
    return it->second;
  }

  Result<std::string> Dollar() {
    ++pos_;  // '$'
    if (pos_ >= s_.size()) return std::string("$");
    if (s_[pos_] != '{') {
      size_t b = pos_;
      while (pos_ < s_.size() && IsNameChar(s_[pos_])) ++pos_;
      if (pos_ == b) return std::string("$");
      std::string name(s_.substr(b, pos_ - b));
      std::optional<std::string> v = Lookup(name);
      if (!v) out_.empty.insert(name);
      return v.value_or("");
    }
    ++pos_;  // '{'
    size_t b = pos_;
    while (pos_ < s_.size() && IsNameChar(s_[pos_])) ++pos_;
    std::string name(s_.substr(b, pos_ - b));
    if (pos_ >= s_.size()) return Fail("missing '}}' in \"{}\"", s_);
    if (name.empty()) return Fail("bad substitution in \"{}\"", s_);
    char c = s_[pos_];
    char peek = c == ':' && pos_ + 1 < s_.size() ? s_[pos_ + 1] : c;
    std::optional<std::string> v =
        Lookup(name, peek != '-' && peek != '+' && peek != '?');
    if (c == '}') {
      ++pos_;
      if (!v) out_.empty.insert(name);
      return v.value_or("");
    }
    bool colon = c == ':';
    if (colon) ++pos_;
    if (pos_ >= s_.size()) return Fail("missing '}}' in \"{}\"", s_);
    char op = s_[pos_++];
    bool twice = (op == '#' || op == '%') && pos_ < s_.size() && s_[pos_] == op;
    if (twice) ++pos_;
    CINCH_ASSIGN(std::string word, Text(true, '\0'));
    if (pos_ >= s_.size()) return Fail("missing '}}' in \"{}\"", s_);
    ++pos_;  // '}'
    bool set = v.has_value();
    bool set_nonempty = set && !v->empty();
    bool present = colon ? set_nonempty : set;
    switch (op) {
      case '-':
        return present ? *v : word;
      case '+':
        return present ? word : std::string();
      case '?':
        if (!present) {
          return Fail("{}: {}", name, word.empty() ? "is not set" : word);
        }
        return *v;
      case '#':
      case '%': {
        if (colon) break;
        std::string value = v.value_or("");
        if (!v) out_.empty.insert(name);
        if (op == '#') {
          for (size_t n = 0; n <= value.size(); ++n) {
            size_t k = twice ? value.size() - n : n;
            if (Glob(word, std::string_view(value).substr(0, k))) {
              return value.substr(k);
            }
          }
        } else {
          for (size_t n = 0; n <= value.size(); ++n) {
            size_t k = twice ? n : value.size() - n;
            if (Glob(word, std::string_view(value).substr(k))) {
              return value.substr(0, k);
            }
          }
        }
        return value;
      }
      default:
        break;
    }
    return Fail("unsupported modifier '{}' in ${{{}}}", op, name);
  }

  std::string_view s_;
  const Variables& vars_;
  char escape_;
  size_t pos_ = 0;
  Expansion out_;
};

}  // namespace

Result<Expansion> Expand(std::string_view word, const Variables& vars,
                         char escape) {
  return Expander(word, vars, escape).Run();
}

}  // namespace cinch::dockerfile
