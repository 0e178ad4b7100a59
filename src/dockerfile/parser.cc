#include "dockerfile/parser.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

namespace cinch::dockerfile {

Kind KindFromName(std::string_view n) {
  static constexpr std::pair<std::string_view, Kind> kKinds[] = {
      {"from", Kind::kFrom},
      {"run", Kind::kRun},
      {"cmd", Kind::kCmd},
      {"entrypoint", Kind::kEntrypoint},
      {"copy", Kind::kCopy},
      {"add", Kind::kAdd},
      {"env", Kind::kEnv},
      {"arg", Kind::kArg},
      {"label", Kind::kLabel},
      {"expose", Kind::kExpose},
      {"user", Kind::kUser},
      {"workdir", Kind::kWorkdir},
      {"volume", Kind::kVolume},
      {"shell", Kind::kShell},
      {"stopsignal", Kind::kStopsignal},
      {"healthcheck", Kind::kHealthcheck},
      {"onbuild", Kind::kOnbuild},
      {"maintainer", Kind::kMaintainer},
  };
  for (const auto& [name, kind] : kKinds) {
    if (name == n) return kind;
  }
  return Kind::kUnknown;
}

const Flag* Instruction::FindFlag(std::string_view flag_name) const {
  for (const Flag& f : flags) {
    if (f.name == flag_name) return &f;
  }
  return nullptr;
}

const Directive* Dockerfile::FindDirective(std::string_view name) const {
  for (const Directive& d : directives) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

LineIndex::LineIndex(std::string_view text) : text_(text) {
  starts_.push_back(0);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') starts_.push_back(uint32_t(i + 1));
  }
}

Position LineIndex::At(uint32_t offset) const {
  offset = std::min<uint32_t>(offset, uint32_t(text_.size()));
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  size_t line = size_t(it - starts_.begin());  // 1-based
  uint32_t column = 1;
  for (uint32_t i = starts_[line - 1]; i < offset; ++i) {
    // Count code points: skip UTF-8 continuation bytes.
    if ((uint8_t(text_[i]) & 0xC0) != 0x80) ++column;
  }
  return Position{uint32_t(line), column, offset};
}

uint32_t LineIndex::LineStart(uint32_t line) const {
  if (line == 0) return 0;
  if (line > starts_.size()) return uint32_t(text_.size());
  return starts_[line - 1];
}

namespace {

// Go's unicode.IsSpace restricted to ASCII, which is all the grammar uses.
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
         c == '\r';
}
// BuildKit splits the instruction name from its arguments on these.
bool IsSplitSpace(char c) {
  return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

std::string_view TrimLeft(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsSpace(s[i])) ++i;
  return s.substr(i);
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(uint8_t(c)));
  return out;
}

// A string with the text offset of each of its bytes.
struct Mapped {
  std::string text;
  std::vector<uint32_t> offsets;

  void Append(std::string_view s, uint32_t at) {
    text.append(s);
    for (size_t i = 0; i < s.size(); ++i) offsets.push_back(at + uint32_t(i));
  }
};

// A word found in a string, with its byte range there.
struct Piece {
  std::string text;
  size_t begin = 0;
  size_t end = 0;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text), index_(text) {}

  Result<Dockerfile> Run();

 private:
  // One physical line: [begin, end) without the newline.
  struct Line {
    uint32_t begin;
    uint32_t end;
  };

  Status ParseDirective(std::string_view line, uint32_t at);
  bool TrimContinuation(std::string_view& s) const;
  Result<Instruction> NewInstruction(const Mapped& line, size_t from,
                                     size_t to);
  Status ParseArguments(Instruction& ins, const Mapped& line, size_t from);
  Status ReadHeredocs(Instruction& ins, size_t& next_line);
  std::vector<Piece> Words(std::string_view s) const;
  Span SpanOf(const Mapped& m, size_t from, size_t to) const;
  Position PositionOf(const Mapped& m, size_t i) const;
  std::unexpected<Error> ErrorAt(Position p, std::string_view message) const {
    return Fail("line {}:{}: {}", p.line, p.column, message);
  }

  std::string_view text_;
  LineIndex index_;
  std::vector<Line> lines_;
  Dockerfile out_;
  bool directives_done_ = false;
};

Position Parser::PositionOf(const Mapped& m, size_t i) const {
  if (m.offsets.empty()) return index_.At(0);
  if (i < m.offsets.size()) return index_.At(m.offsets[i]);
  return index_.At(m.offsets.back() + 1);
}

Span Parser::SpanOf(const Mapped& m, size_t from, size_t to) const {
  if (to <= from) return Span{PositionOf(m, from), PositionOf(m, from)};
  // The end is one past the last byte, which may sit on another line.
  Position end = index_.At(m.offsets[std::min(to, m.offsets.size()) - 1] + 1);
  return Span{PositionOf(m, from), end};
}

// `#name=value` while only directives have been seen (Dockerfile reference,
// "Parser directives"); anything else ends the directive block.
Status Parser::ParseDirective(std::string_view line, uint32_t at) {
  if (directives_done_) return {};
  auto fail_done = [&]() -> Status {
    directives_done_ = true;
    return {};
  };
  if (line.empty() || line[0] != '#') return fail_done();
  size_t i = 1;
  while (i < line.size() && IsSpace(line[i])) ++i;
  size_t name_begin = i;
  if (i >= line.size() || !std::isalpha(uint8_t(line[i]))) return fail_done();
  while (i < line.size() && std::isalnum(uint8_t(line[i]))) ++i;
  std::string name = ToLower(line.substr(name_begin, i - name_begin));
  while (i < line.size() && IsSpace(line[i])) ++i;
  if (i >= line.size() || line[i] != '=') return fail_done();
  ++i;
  while (i < line.size() && IsSpace(line[i])) ++i;
  size_t value_end = line.size();
  while (value_end > i && IsSpace(line[value_end - 1])) --value_end;
  if (value_end == i) return fail_done();
  if (name != "syntax" && name != "escape" && name != "check") {
    return fail_done();
  }
  Position where = index_.At(at);
  if (out_.FindDirective(name) != nullptr) {
    return ErrorAt(
        where, fmt::format("only one {} parser directive can be used", name));
  }
  std::string value(line.substr(i, value_end - i));
  if (name == "escape") {
    if (value != "`" && value != "\\") {
      return ErrorAt(where, fmt::format("invalid escape token '{}' does not "
                                        "match ` or \\",
                                        value));
    }
    out_.escape = value[0];
  }
  out_.directives.push_back(Directive{
      name, value, Span{where, index_.At(at + uint32_t(line.size()))}});
  return {};
}

// Strips a trailing escape character (and blanks after it) that continues
// the line. An escape character preceded by another one is a literal.
bool Parser::TrimContinuation(std::string_view& s) const {
  size_t end = s.size();
  while (end > 0 && (s[end - 1] == ' ' || s[end - 1] == '\t')) --end;
  if (end == 0 || s[end - 1] != out_.escape) return false;
  if (end >= 2 && s[end - 2] == out_.escape) return false;
  s = s.substr(0, end - 1);
  return true;
}

// Splits arguments into words the way BuildKit's parseWords does: quotes
// and escapes are kept; whitespace outside quotes separates words.
std::vector<Piece> Parser::Words(std::string_view s) const {
  std::vector<Piece> words;
  const char esc = out_.escape;
  Piece word;
  bool in_word = false;
  bool blank_ok = false;
  char quote = 0;
  for (size_t pos = 0; pos < s.size(); ++pos) {
    char ch = s[pos];
    if (!in_word) {
      if (IsSpace(ch)) continue;
      in_word = true;
      word = Piece{"", pos, pos};
    }
    if (quote == 0) {
      if (IsSpace(ch)) {
        if (blank_ok || !word.text.empty()) {
          word.end = pos;
          words.push_back(word);
        }
        in_word = false;
        blank_ok = false;
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = ch;
        blank_ok = true;
      } else if (ch == esc) {
        if (pos + 1 == s.size()) continue;
        word.text += ch;
        ch = s[++pos];
      }
      word.text += ch;
      continue;
    }
    if (ch == quote) {
      quote = 0;
    } else if (ch == esc && quote != '\'') {
      if (pos + 1 == s.size()) continue;
      word.text += ch;
      ch = s[++pos];
    }
    word.text += ch;
  }
  if (in_word && (blank_ok || !word.text.empty())) {
    word.end = s.size();
    words.push_back(word);
  }
  return words;
}

// Leading `--flag[=value]` words (BuildKit's extractBuilderFlags). Returns
// the index where the arguments start; a lone `--` ends the flags.
size_t ExtractFlags(std::string_view s, std::vector<Piece>& flags) {
  size_t pos = 0;
  while (true) {
    while (pos < s.size() && IsSpace(s[pos])) ++pos;
    if (pos + 1 >= s.size() || s[pos] != '-' || s[pos + 1] != '-') return pos;
    Piece word{"", pos, pos};
    bool blank_ok = false;
    char quote = 0;
    for (; pos < s.size(); ++pos) {
      char ch = s[pos];
      if (quote == 0 && IsSpace(ch)) break;
      if (quote == 0 && (ch == '\'' || ch == '"')) {
        quote = ch;
        blank_ok = true;
        continue;
      }
      if (quote != 0 && ch == quote) {
        quote = 0;
        continue;
      }
      if (ch == '\\') {
        if (pos + 1 == s.size()) continue;
        ch = s[++pos];
      }
      word.text += ch;
    }
    word.end = pos;
    if (word.text == "--") {
      while (pos < s.size() && IsSpace(s[pos])) ++pos;
      return pos;
    }
    if (blank_ok || !word.text.empty()) flags.push_back(word);
  }
}

// Positions of the top-level strings of a JSON array, as [begin, end).
std::vector<std::pair<size_t, size_t>> JsonStringRanges(std::string_view s) {
  std::vector<std::pair<size_t, size_t>> out;
  int depth = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '[' || s[i] == '{') ++depth;
    if (s[i] == ']' || s[i] == '}') --depth;
    if (s[i] != '"') continue;
    size_t begin = i++;
    while (i < s.size() && s[i] != '"') i += s[i] == '\\' ? 2 : 1;
    if (depth == 1) out.emplace_back(begin, std::min(i + 1, s.size()));
  }
  return out;
}

enum class JsonForm { kNotJson, kStrings, kOtherJson };

// Reads `s` as a JSON array of strings (the exec form). Go's decoder
// accepts what nlohmann accepts here, except invalid UTF-8, which both
// then treat as shell form.
JsonForm ReadJsonArray(std::string_view s, std::vector<std::string>& out) {
  if (s.empty() || s[0] != '[') return JsonForm::kNotJson;
  nlohmann::json j = nlohmann::json::parse(s, nullptr, false);
  if (j.is_discarded() || !j.is_array()) return JsonForm::kNotJson;
  for (const auto& e : j) {
    if (!e.is_string()) return JsonForm::kOtherJson;
    out.push_back(e.get<std::string>());
  }
  return JsonForm::kStrings;
}

Result<Instruction> Parser::NewInstruction(const Mapped& line, size_t from,
                                           size_t to) {
  Instruction ins;
  std::string_view all(line.text);
  while (from < to && IsSpace(all[from])) ++from;
  while (to > from && IsSpace(all[to - 1])) --to;
  size_t kw_end = from;
  while (kw_end < to && !IsSplitSpace(all[kw_end])) ++kw_end;
  ins.keyword = std::string(all.substr(from, kw_end - from));
  ins.name = ToLower(ins.keyword);
  ins.kind = KindFromName(ins.name);
  ins.keyword_span = SpanOf(line, from, kw_end);
  ins.span = SpanOf(line, from, to);
  ins.line = std::string(all.substr(from, to - from));
  ins.line_offsets.assign(line.offsets.begin() + long(from),
                          line.offsets.begin() + long(to));
  ins.line_offsets.push_back(to < line.offsets.size() ? line.offsets[to]
                             : line.offsets.empty()   ? 0
                                                    : line.offsets.back() + 1);

  size_t args_from = kw_end;
  while (args_from < to && IsSplitSpace(all[args_from])) ++args_from;
  std::string_view tail = all.substr(args_from, to - args_from);
  std::vector<Piece> flags;
  size_t rest_at = args_from + ExtractFlags(tail, flags);
  for (const Piece& p : flags) {
    Flag f;
    std::string_view body(p.text);
    if (body.starts_with("--")) body.remove_prefix(2);
    size_t eq = body.find('=');
    f.name = std::string(body.substr(0, eq));
    if (eq != std::string_view::npos) {
      f.has_value = true;
      f.value = std::string(body.substr(eq + 1));
    }
    f.span = SpanOf(line, args_from + p.begin, args_from + p.end);
    ins.flags.push_back(std::move(f));
  }
  ins.rest = std::string(all.substr(rest_at, to - rest_at));
  ins.rest_offset = uint32_t(rest_at - from);
  ins.args_span = SpanOf(line, rest_at, to);
  CINCH_TRY(ParseArguments(ins, line, rest_at));
  return ins;
}

Status Parser::ParseArguments(Instruction& ins, const Mapped& line,
                              size_t from) {
  const std::string& rest = ins.rest;
  auto add_word = [&](std::string text, size_t b, size_t e) {
    ins.args.push_back(Word{std::move(text), SpanOf(line, from + b, from + e)});
  };
  auto whitespace_words = [&] {
    size_t i = 0;
    while (i < rest.size()) {
      while (i < rest.size() && IsSplitSpace(rest[i])) ++i;
      size_t b = i;
      while (i < rest.size() && !IsSplitSpace(rest[i])) ++i;
      if (i > b) add_word(rest.substr(b, i - b), b, i);
    }
  };
  // Exec form when the arguments are a JSON array of strings, else the
  // text as one shell-form argument (or words, for `to_list`).
  auto maybe_json = [&](size_t start, bool to_list) -> Status {
    std::string_view s = std::string_view(rest).substr(start);
    std::vector<std::string> strings;
    switch (ReadJsonArray(s, strings)) {
      case JsonForm::kStrings: {
        ins.json = true;
        auto ranges = JsonStringRanges(s);
        for (size_t k = 0; k < strings.size(); ++k) {
          auto [b, e] =
              k < ranges.size() ? ranges[k] : std::pair<size_t, size_t>{0, 0};
          add_word(std::move(strings[k]), start + b, start + e);
        }
        return {};
      }
      case JsonForm::kOtherJson:
        return ErrorAt(PositionOf(line, from + start),
                       "exec form must be a JSON array of strings");
      case JsonForm::kNotJson:
        break;
    }
    if (to_list) {
      whitespace_words();
    } else if (start < rest.size()) {
      add_word(std::string(s), start, rest.size());
    }
    return {};
  };

  switch (ins.kind) {
    case Kind::kWorkdir:
    case Kind::kMaintainer:
    case Kind::kUser:
    case Kind::kStopsignal:
      if (!rest.empty()) add_word(rest, 0, rest.size());
      return {};
    case Kind::kFrom:
    case Kind::kExpose:
      whitespace_words();
      return {};
    case Kind::kAdd:
    case Kind::kCopy:
    case Kind::kVolume:
      return maybe_json(0, true);
    case Kind::kRun:
    case Kind::kCmd:
    case Kind::kEntrypoint:
    case Kind::kShell:
      return maybe_json(0, false);
    case Kind::kArg:
      for (const Piece& w : Words(rest)) {
        add_word(w.text, w.begin, w.end);
        KeyValue kv;
        size_t eq = w.text.find('=');
        kv.key = w.text.substr(0, eq);
        if (eq != std::string::npos) {
          kv.has_value = true;
          kv.value = w.text.substr(eq + 1);
        }
        kv.span = SpanOf(line, from + w.begin, from + w.end);
        ins.pairs.push_back(std::move(kv));
      }
      return {};
    case Kind::kEnv:
    case Kind::kLabel: {
      std::vector<Piece> words = Words(rest);
      if (words.empty()) return {};
      if (words[0].text.find('=') == std::string::npos) {
        // Legacy `KEY value`: the value is the rest of the line, verbatim.
        size_t k = 0;
        while (k < rest.size() && !IsSplitSpace(rest[k])) ++k;
        size_t v = k;
        while (v < rest.size() && IsSplitSpace(rest[v])) ++v;
        if (v >= rest.size()) {
          return ErrorAt(
              PositionOf(line, from),
              fmt::format("{} must have two arguments",
                          ToLower(ins.name) == "env" ? "ENV" : "LABEL"));
        }
        ins.pairs.push_back(KeyValue{rest.substr(0, k), rest.substr(v), true,
                                     true,
                                     SpanOf(line, from, from + rest.size())});
        return {};
      }
      for (const Piece& w : words) {
        size_t eq = w.text.find('=');
        if (eq == std::string::npos) {
          return ErrorAt(PositionOf(line, from + w.begin),
                         fmt::format("can't find = in \"{}\"; must be of the "
                                     "form: name=value",
                                     w.text));
        }
        ins.pairs.push_back(
            KeyValue{w.text.substr(0, eq), w.text.substr(eq + 1), true, false,
                     SpanOf(line, from + w.begin, from + w.end)});
      }
      return {};
    }
    case Kind::kHealthcheck: {
      size_t sep = 0;
      while (sep < rest.size() && !IsSpace(rest[sep])) ++sep;
      if (sep == 0) return {};
      add_word(rest.substr(0, sep), 0, sep);
      size_t next = sep;
      while (next < rest.size() && IsSpace(rest[next])) ++next;
      if (next >= rest.size()) return {};
      return maybe_json(next, false);
    }
    case Kind::kOnbuild: {
      if (rest.empty()) return {};
      CINCH_ASSIGN(Instruction sub,
                   NewInstruction(line, from, from + rest.size()));
      ins.trigger = std::make_unique<Instruction>(std::move(sub));
      return {};
    }
    case Kind::kUnknown:
      return {};
  }
  return {};
}

// A word of the instruction line in shell terms with quotes and escapes
// kept, as BuildKit looks for heredoc markers.
std::vector<std::string> RawShellWords(std::string_view s) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote == 0 && IsSpace(c)) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    word += c;
    if (quote == 0 && (c == '\'' || c == '"')) {
      quote = c;
    } else if (quote != 0 && c == quote) {
      quote = 0;
    } else if (c == '\\' && quote != '\'' && i + 1 < s.size()) {
      word += s[++i];
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

// `[fd]<<[-]WORD` with WORD non-empty and free of '<'.
std::optional<Heredoc> HeredocMarker(std::string_view w) {
  size_t i = 0;
  while (i < w.size() && std::isdigit(uint8_t(w[i]))) ++i;
  if (w.substr(i, 2) != "<<") return std::nullopt;
  Heredoc h;
  if (i > 0 && i <= 9) h.fd = uint32_t(std::stoul(std::string(w.substr(0, i))));
  i += 2;
  if (i < w.size() && w[i] == '-') {
    h.chomp = true;
    ++i;
  }
  std::string_view raw = w.substr(i);
  if (raw.empty() || raw.find('<') != std::string_view::npos) {
    return std::nullopt;
  }
  // Unquote; a delimiter that splits into several words is no delimiter.
  char quote = 0;
  for (size_t k = 0; k < raw.size(); ++k) {
    char c = raw[k];
    if (quote == 0 && (c == '\'' || c == '"')) {
      quote = c;
      h.expand = false;
    } else if (quote != 0 && c == quote) {
      quote = 0;
    } else if (c == '\\' && quote != '\'' && k + 1 < raw.size()) {
      h.expand = false;
      h.name += raw[++k];
    } else if (quote == 0 && IsSpace(c)) {
      return std::nullopt;
    } else {
      h.name += c;
    }
  }
  if (h.name.empty()) return std::nullopt;
  return h;
}

bool CanContainHeredoc(const Instruction& ins) {
  const Instruction* i = &ins;
  if (i->kind == Kind::kOnbuild && i->trigger) i = i->trigger.get();
  return (i->kind == Kind::kRun || i->kind == Kind::kCopy ||
          i->kind == Kind::kAdd) &&
         !i->json;
}

Status Parser::ReadHeredocs(Instruction& ins, size_t& next_line) {
  if (!CanContainHeredoc(ins) || ins.line.find("<<") == std::string::npos) {
    return {};
  }
  for (const std::string& w : RawShellWords(ins.line)) {
    std::optional<Heredoc> h = HeredocMarker(w);
    if (!h) continue;
    bool terminated = false;
    uint32_t body_begin = next_line < lines_.size() ? lines_[next_line].begin
                                                    : uint32_t(text_.size());
    while (next_line < lines_.size()) {
      const Line& l = lines_[next_line++];
      std::string_view raw = text_.substr(l.begin, l.end - l.begin);
      std::string_view candidate = raw;
      while (!candidate.empty() &&
             (candidate.back() == '\r' || candidate.back() == '\n')) {
        candidate.remove_suffix(1);
      }
      if (h->chomp) {
        while (!candidate.empty() && candidate.front() == '\t') {
          candidate.remove_prefix(1);
        }
      }
      if (candidate == h->name) {
        terminated = true;
        h->span = Span{index_.At(body_begin), index_.At(l.end)};
        break;
      }
      h->content.append(raw);
      h->content += '\n';
    }
    if (!terminated) {
      return ErrorAt(ins.span.begin,
                     fmt::format("unterminated heredoc '{}'", h->name));
    }
    ins.span.end = h->span.end;
    ins.heredocs.push_back(std::move(*h));
  }
  return {};
}

bool IsCommentLine(std::string_view raw) {
  std::string_view t = TrimLeft(raw);
  return !t.empty() && t[0] == '#';
}

Result<Dockerfile> Parser::Run() {
  size_t skip = text_.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  for (size_t b = skip; b < text_.size();) {
    size_t e = text_.find('\n', b);
    if (e == std::string_view::npos) e = text_.size();
    lines_.push_back(Line{uint32_t(b), uint32_t(e)});
    b = e + 1;
  }
  // Trailing '\r' belongs to the newline, not to the content.
  auto content = [&](const Line& l) {
    std::string_view s = text_.substr(l.begin, l.end - l.begin);
    while (!s.empty() && s.back() == '\r') s.remove_suffix(1);
    return s;
  };

  std::vector<std::string> comments;
  size_t i = 0;
  while (i < lines_.size()) {
    const Line& first = lines_[i++];
    std::string_view raw = content(first);
    std::string_view token = TrimLeft(raw);
    uint32_t token_at = first.begin + uint32_t(raw.size() - token.size());
    CINCH_TRY(ParseDirective(token, token_at));
    if (IsCommentLine(raw)) {
      std::string_view c = token.substr(1);
      while (!c.empty() && IsSpace(c.front())) c.remove_prefix(1);
      while (!c.empty() && IsSpace(c.back())) c.remove_suffix(1);
      out_.comment_lines.push_back(Word{
          std::string(token), Span{index_.At(token_at), index_.At(first.end)}});
      if (c.empty()) {
        comments.clear();
      } else {
        comments.emplace_back(c);
      }
      continue;
    }
    bool more = TrimContinuation(token);
    if (!more && token.empty()) {
      if (raw.empty() || TrimLeft(raw).empty()) comments.clear();
      continue;
    }
    directives_done_ = true;

    Mapped line;
    line.Append(token, token_at);
    bool empty_continuation = false;
    while (more && i < lines_.size()) {
      const Line& l = lines_[i++];
      std::string_view r = content(l);
      if (IsCommentLine(r)) {
        std::string_view t = TrimLeft(r);
        out_.comment_lines.push_back(
            Word{std::string(t),
                 Span{index_.At(l.begin + uint32_t(r.size() - t.size())),
                      index_.At(l.end)}});
        continue;
      }
      if (TrimLeft(r).empty()) {
        empty_continuation = true;
        continue;
      }
      more = TrimContinuation(r);
      line.Append(r, l.begin);
    }
    CINCH_ASSIGN(Instruction ins, NewInstruction(line, 0, line.text.size()));
    ins.empty_continuation = empty_continuation;
    if (empty_continuation) {
      out_.warnings.push_back(Warning{"empty continuation line", ins.span});
    }
    // The span covers the physical lines, even a trailing escape.
    ins.span.end = index_.At(lines_[i - 1].end);
    CINCH_TRY(ReadHeredocs(ins, i));
    ins.comments = std::move(comments);
    comments.clear();
    out_.instructions.push_back(std::move(ins));
  }
  if (out_.instructions.empty()) {
    return Fail("line 1:1: file with no instructions");
  }
  return std::move(out_);
}

void DumpInstruction(const Instruction& ins, std::string& out) {
  out += ins.name;
  if (!ins.flags.empty()) {
    out += " [";
    for (size_t i = 0; i < ins.flags.size(); ++i) {
      const Flag& f = ins.flags[i];
      if (i > 0) out += ' ';
      out += GoQuote("--" + f.name + (f.has_value ? "=" + f.value : ""));
    }
    out += ']';
  }
  if (ins.kind == Kind::kOnbuild && ins.trigger) {
    out += " (";
    DumpInstruction(*ins.trigger, out);
    out += ')';
    return;
  }
  if (ins.kind == Kind::kEnv || ins.kind == Kind::kLabel) {
    for (const KeyValue& kv : ins.pairs) {
      out += ' ' + GoQuote(kv.key) + ' ' + GoQuote(kv.value) + ' ' +
             GoQuote(kv.legacy ? "" : "=");
    }
    return;
  }
  for (const Word& w : ins.args) out += ' ' + GoQuote(w.text);
}

}  // namespace

Result<Dockerfile> Parse(std::string_view text) {
  if (text.size() > UINT32_MAX / 2) return Fail("Dockerfile too large");
  return Parser(text).Run();
}

std::string Dump(const Dockerfile& dockerfile) {
  std::string out;
  for (const Instruction& ins : dockerfile.instructions) {
    out += '(';
    DumpInstruction(ins, out);
    out += ")\n";
  }
  return out;
}

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\v':
        out += "\\v";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += fmt::format("\\x{:02x}", c);
        } else {
          out += char(c);
        }
    }
  }
  return out + "\"";
}

}  // namespace cinch::dockerfile
