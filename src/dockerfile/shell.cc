#include "dockerfile/shell.h"

#include <algorithm>
#include <cctype>

namespace cinch::dockerfile {

bool ShellCommand::Has(std::string_view arg) const {
  return std::any_of(words.begin(), words.end(),
                     [&](const ShellWord& w) { return w.value == arg; });
}

namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool IsOperatorChar(char c) {
  return c == '&' || c == '|' || c == ';' || c == '<' || c == '>' || c == '(' ||
         c == ')' || c == '\n';
}

bool IsAssignment(std::string_view w) {
  size_t eq = w.find('=');
  if (eq == 0 || eq == std::string_view::npos) return false;
  if (!std::isalpha(uint8_t(w[0])) && w[0] != '_') return false;
  for (size_t i = 1; i < eq; ++i) {
    if (!std::isalnum(uint8_t(w[i])) && w[i] != '_') return false;
  }
  return true;
}

// Words that open or continue a compound command; the simple command
// starts after them.
bool IsReservedPrefix(std::string_view w) {
  return w == "if" || w == "then" || w == "else" || w == "elif" || w == "do" ||
         w == "while" || w == "until" || w == "!" || w == "{" || w == "}" ||
         w == "time";
}
bool IsReservedEnd(std::string_view w) {
  return w == "fi" || w == "done" || w == "esac" || w == "}";
}

class Splitter {
 public:
  Splitter(std::string_view s, uint32_t base, bool substitution,
           std::vector<ShellCommand>& out)
      : s_(s), base_(base), substitution_(substitution), out_(out) {}

  void Run();

 private:
  // Reads a word starting at pos_; returns false at an operator or end.
  bool ReadWord(ShellWord& w);
  // Skips a $( ... ) or ` ... ` and splits its inside as commands.
  void ReadSubstitution(std::string& value, char open);
  void SkipParameter(std::string& value);
  void Finish(Joiner next);
  void ExpandShellC(const ShellCommand& c);

  std::string_view s_;
  uint32_t base_;
  bool substitution_;
  std::vector<ShellCommand>& out_;
  size_t pos_ = 0;
  ShellCommand current_;
  Joiner joiner_ = Joiner::kNone;
  bool pending_redirect_ = false;
  std::vector<ShellCommand> nested_;
};

void Splitter::SkipParameter(std::string& value) {
  // At "${": copy up to the matching brace.
  int depth = 0;
  while (pos_ < s_.size()) {
    char c = s_[pos_++];
    value += c;
    if (c == '{') ++depth;
    if (c == '}' && --depth == 0) return;
    if (c == '\\' && pos_ < s_.size()) value += s_[pos_++];
  }
}

void Splitter::ReadSubstitution(std::string& value, char open) {
  size_t start = pos_;
  if (open == '`') {
    while (pos_ < s_.size() && s_[pos_] != '`') {
      if (s_[pos_] == '\\') ++pos_;
      ++pos_;
    }
  } else {
    int depth = 1;
    char quote = 0;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (quote != 0) {
        if (c == quote) quote = 0;
        if (c == '\\' && quote == '"') ++pos_;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '\\') {
        ++pos_;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')' && --depth == 0) {
        break;
      }
      ++pos_;
    }
  }
  size_t end = std::min(pos_, s_.size());
  std::string_view inner = s_.substr(start, end - start);
  Splitter(inner, base_ + uint32_t(start), true, nested_).Run();
  value += open == '`' ? "`" : "$(";
  value.append(inner);
  value += open == '`' ? "`" : ")";
  if (pos_ < s_.size()) ++pos_;  // the closing character
}

bool Splitter::ReadWord(ShellWord& w) {
  while (pos_ < s_.size() && IsBlank(s_[pos_])) ++pos_;
  // A backslash-newline joins lines.
  while (pos_ + 1 < s_.size() && s_[pos_] == '\\' && s_[pos_ + 1] == '\n') {
    pos_ += 2;
    while (pos_ < s_.size() && IsBlank(s_[pos_])) ++pos_;
  }
  if (pos_ >= s_.size()) return false;
  char c = s_[pos_];
  if (c == '#') {  // a comment runs to the end of the line
    while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
    return false;
  }
  if (IsOperatorChar(c)) return false;
  w = ShellWord{};
  w.begin = base_ + uint32_t(pos_);
  while (pos_ < s_.size()) {
    c = s_[pos_];
    if (IsBlank(c) || IsOperatorChar(c)) {
      // `2>` and `&>` belong to a redirection, not to the word.
      break;
    }
    if (c == '\\') {
      if (pos_ + 1 < s_.size() && s_[pos_ + 1] != '\n') {
        w.value += s_[pos_ + 1];
        w.quoted = true;
      }
      pos_ += 2;
    } else if (c == '\'') {
      size_t close = s_.find('\'', pos_ + 1);
      if (close == std::string_view::npos) close = s_.size();
      w.value.append(s_.substr(pos_ + 1, close - pos_ - 1));
      w.quoted = true;
      pos_ = close + 1;
    } else if (c == '"') {
      w.quoted = true;
      ++pos_;
      while (pos_ < s_.size() && s_[pos_] != '"') {
        if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) {
          char n = s_[pos_ + 1];
          if (n == '"' || n == '\\' || n == '$' || n == '`') {
            w.value += n;
          } else if (n != '\n') {
            w.value += '\\';
            w.value += n;
          }
          pos_ += 2;
        } else if (s_[pos_] == '$' && pos_ + 1 < s_.size() &&
                   s_[pos_ + 1] == '(') {
          pos_ += 2;
          ReadSubstitution(w.value, '(');
        } else if (s_[pos_] == '`') {
          ++pos_;
          ReadSubstitution(w.value, '`');
        } else {
          w.value += s_[pos_++];
        }
      }
      ++pos_;
    } else if (c == '$' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '(') {
      pos_ += 2;
      ReadSubstitution(w.value, '(');
    } else if (c == '$' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '{') {
      ++pos_;
      w.value += '$';
      SkipParameter(w.value);
    } else if (c == '`') {
      ++pos_;
      ReadSubstitution(w.value, '`');
    } else {
      w.value += c;
      ++pos_;
    }
  }
  pos_ = std::min(pos_, s_.size());
  w.end = base_ + uint32_t(pos_);
  return true;
}

// `sh -c 'script'`: the script's commands are run too.
void Splitter::ExpandShellC(const ShellCommand& c) {
  std::string_view name = c.Name();
  size_t slash = name.rfind('/');
  if (slash != std::string_view::npos) name = name.substr(slash + 1);
  if (name != "sh" && name != "bash" && name != "ash" && name != "dash" &&
      name != "zsh") {
    return;
  }
  for (size_t i = 1; i + 1 < c.words.size(); ++i) {
    const std::string& w = c.words[i].value;
    if (w.size() >= 2 && w[0] == '-' && w.find('c') != std::string::npos &&
        w.find_first_not_of("-cxeuo") == std::string::npos) {
      std::vector<ShellCommand> inner;
      const ShellWord script = c.words[i + 1];
      Splitter(script.value, script.begin, substitution_, inner).Run();
      // Offsets inside a quoted string are approximate; keep the word's.
      for (ShellCommand& ic : inner) {
        ic.begin = script.begin;
        ic.end = script.end;
        for (auto* v : {&ic.words, &ic.assignments, &ic.redirects}) {
          for (ShellWord& sw : *v) {
            sw.begin = script.begin;
            sw.end = script.end;
          }
        }
        out_.push_back(std::move(ic));
      }
      return;
    }
  }
}

void Splitter::Finish(Joiner next) {
  ShellCommand c = std::move(current_);
  current_ = ShellCommand{};
  while (!c.words.empty() && IsReservedEnd(c.words.front().value)) {
    c.words.erase(c.words.begin());
  }
  bool has_content = !c.words.empty() || !c.assignments.empty();
  if (has_content) {
    c.joiner = joiner_;
    c.substitution = substitution_;
    c.piped_out = next == Joiner::kPipe;
    std::string_view n = c.Name();
    bool skip = n == "for" || n == "case" || n == "in" || n == "select";
    if (!skip) {
      out_.push_back(c);
      ExpandShellC(out_.back());
    }
  }
  for (ShellCommand& n : nested_) out_.push_back(std::move(n));
  nested_.clear();
  joiner_ = next;
  pending_redirect_ = false;
}

void Splitter::Run() {
  while (pos_ <= s_.size()) {
    ShellWord w;
    if (ReadWord(w)) {
      if (current_.words.empty() && current_.assignments.empty()) {
        current_.begin = w.begin;
      }
      current_.end = w.end;
      if (pending_redirect_) {
        current_.redirects.push_back(std::move(w));
        pending_redirect_ = false;
      } else if (current_.words.empty() && IsAssignment(w.value) &&
                 !w.value.starts_with("=")) {
        current_.assignments.push_back(std::move(w));
      } else if (current_.words.empty() && current_.assignments.empty() &&
                 !w.quoted && IsReservedPrefix(w.value)) {
        // skip `if`, `then`, `{` ... so the command itself comes first
      } else if (!w.quoted && IsReservedEnd(w.value) &&
                 current_.words.empty()) {
      } else {
        current_.words.push_back(std::move(w));
      }
      continue;
    }
    if (pos_ >= s_.size()) break;
    char c = s_[pos_];
    char n = pos_ + 1 < s_.size() ? s_[pos_ + 1] : '\0';
    if (c == '&' && n == '&') {
      Finish(Joiner::kAnd);
      pos_ += 2;
    } else if (c == '|' && n == '|') {
      Finish(Joiner::kOr);
      pos_ += 2;
    } else if (c == '|') {
      Finish(Joiner::kPipe);
      pos_ += n == '&' ? 2 : 1;
    } else if (c == ';' || c == '\n') {
      if (c == ';' && n == ';') ++pos_;  // case terminator
      Finish(Joiner::kSequence);
      ++pos_;
    } else if (c == '&' && n != '>') {
      Finish(Joiner::kBackground);
      ++pos_;
    } else if (c == '(' || c == ')') {
      Finish(joiner_ == Joiner::kNone ? Joiner::kSequence : joiner_);
      ++pos_;
    } else {
      // A redirection: <, >, >>, <<, <<<, <&, >&, &>, >|, with an optional
      // file descriptor number already consumed as a word.
      if (!current_.words.empty()) {
        ShellWord& last = current_.words.back();
        bool digits =
            !last.value.empty() && last.end == base_ + pos_ &&
            std::all_of(last.value.begin(), last.value.end(),
                        [](char d) { return std::isdigit(uint8_t(d)); });
        if (digits) current_.words.pop_back();
      }
      while (pos_ < s_.size() &&
             (s_[pos_] == '<' || s_[pos_] == '>' || s_[pos_] == '&' ||
              s_[pos_] == '|' || s_[pos_] == '-')) {
        ++pos_;
      }
      pending_redirect_ = true;
    }
  }
  Finish(Joiner::kNone);
}

}  // namespace

std::vector<ShellCommand> SplitCommands(std::string_view script) {
  std::vector<ShellCommand> out;
  Splitter(script, 0, false, out).Run();
  return out;
}

}  // namespace cinch::dockerfile
