#include "lint/linter.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "lint/context.h"
#include "lint/rule.h"

namespace cinch::lint {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(uint8_t(c)));
  return out;
}

std::string_view Basename(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool IsLiteral(std::string_view s) {
  return !s.empty() && s.find('$') == std::string_view::npos;
}

bool Command::Has(std::string_view arg) const {
  return std::any_of(args.begin(), args.end(),
                     [&](const ShellWord* w) { return w->value == arg; });
}

bool Command::HasPrefix(std::string_view prefix) const {
  return std::any_of(args.begin(), args.end(), [&](const ShellWord* w) {
    return w->value.starts_with(prefix);
  });
}

bool Command::HasOption(char short_opt, std::string_view long_opt) const {
  for (const ShellWord* w : args) {
    std::string_view v = w->value;
    if (v == "--") break;
    if (!long_opt.empty() && (v == long_opt || (v.starts_with(long_opt) &&
                                                v.size() > long_opt.size() &&
                                                v[long_opt.size()] == '='))) {
      return true;
    }
    if (short_opt != 0 && v.size() >= 2 && v[0] == '-' && v[1] != '-' &&
        v.find(short_opt) != std::string_view::npos &&
        std::all_of(v.begin() + 1, v.end(),
                    [](char c) { return std::isalpha(uint8_t(c)); })) {
      return true;
    }
  }
  return false;
}

std::string_view Command::Subcommand() const {
  for (const ShellWord* w : args) {
    if (!w->value.starts_with("-")) return w->value;
  }
  return {};
}

std::vector<const ShellWord*> Command::Operands(
    std::initializer_list<std::string_view> with_value) const {
  std::vector<const ShellWord*> out;
  bool seen_sub = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view v = args[i]->value;
    if (v.starts_with("-")) {
      if (std::find(with_value.begin(), with_value.end(), v) !=
          with_value.end()) {
        ++i;
      }
      continue;
    }
    if (!seen_sub) {
      seen_sub = true;
      continue;
    }
    out.push_back(args[i]);
  }
  return out;
}

const Command* Step::Find(std::string_view name) const {
  for (const Command& c : commands) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

bool Step::HasCacheMount(std::string_view prefix) const {
  for (const dockerfile::Flag& f : ins->flags) {
    if (f.name != "mount" || f.value.find("type=cache") == std::string::npos) {
      continue;
    }
    for (std::string_view key : {"target=", "dst=", "destination="}) {
      size_t at = f.value.find(key);
      if (at == std::string::npos) continue;
      std::string_view t = std::string_view(f.value).substr(at + key.size());
      t = t.substr(0, t.find(','));
      if (t.starts_with(prefix) || std::string_view(prefix).starts_with(t)) {
        return true;
      }
    }
  }
  return false;
}

namespace {

bool IsShellName(std::string_view n) {
  return n == "sh" || n == "bash" || n == "ash" || n == "dash" || n == "zsh";
}

// Looks through wrappers to the program a simple command really runs.
Command MakeCommand(const ShellCommand& sc, const dockerfile::Heredoc* h) {
  Command c;
  c.shell = &sc;
  c.heredoc = h;
  const auto& w = sc.words;
  size_t i = 0;
  auto skip_options = [&](std::initializer_list<std::string_view> valued) {
    while (i < w.size() && w[i].value.starts_with("-")) {
      bool takes =
          std::find(valued.begin(), valued.end(), w[i].value) != valued.end();
      i += takes ? 2 : 1;
    }
  };
  while (i < w.size()) {
    std::string_view n = Basename(w[i].value);
    if (n == "sudo" || n == "doas") {
      c.wrapper = std::string(n);
      ++i;
      skip_options({"-u", "-g", "-C", "-p", "-h", "-U"});
    } else if (n == "env") {
      ++i;
      while (i < w.size() && (w[i].value.starts_with("-") ||
                              w[i].value.find('=') != std::string::npos)) {
        ++i;
      }
    } else if (n == "nohup" || n == "time" || n == "exec" || n == "command" ||
               n == "nice" || n == "eatmydata" || n == "fakeroot" ||
               n == "stdbuf") {
      ++i;
      skip_options({"-n"});
    } else if (n == "xargs") {
      ++i;
      skip_options({"-n", "-I", "-P", "-d", "-L", "-s", "-E", "-a"});
    } else if (n == "gosu" || n == "su-exec") {
      i += 2;
    } else {
      break;
    }
  }
  if (i >= w.size()) return c;
  c.name = std::string(Basename(w[i].value));
  for (size_t k = i + 1; k < w.size(); ++k) c.args.push_back(&w[k]);
  if (c.name.starts_with("python") && c.args.size() >= 2 &&
      c.args[0]->value == "-m") {
    c.name = c.args[1]->value;
    c.args.erase(c.args.begin(), c.args.begin() + 2);
  }
  if (c.name.starts_with("pip")) c.name = "pip";
  return c;
}

// Whether a here-document is the script a RUN executes, not data.
bool HeredocIsScript(const Step& s, const dockerfile::Heredoc& h) {
  if (h.content.starts_with("#!")) {
    std::string_view first(h.content);
    first = first.substr(0, first.find('\n'));
    return first.find("sh") != std::string_view::npos &&
           first.find("python") == std::string_view::npos;
  }
  if (s.shell.empty()) return true;  // `RUN <<EOF` alone
  for (const ShellCommand& sc : s.shell) {
    if (sc.words.size() == 1 && IsShellName(Basename(sc.Name()))) return true;
  }
  return false;
}

void BuildCommands(Step& s) {
  const Instruction& ins = *s.ins;
  if (ins.kind != Kind::kRun) return;
  if (ins.json) {
    ShellCommand sc;
    for (const dockerfile::Word& w : ins.args) {
      sc.words.push_back(ShellWord{w.text, 0, 0, true});
    }
    s.shell.push_back(sc);
    if (sc.words.size() >= 3 && IsShellName(Basename(sc.words[0].value)) &&
        sc.words[1].value.find('c') != std::string::npos) {
      for (ShellCommand& inner : dockerfile::SplitCommands(sc.words[2].value)) {
        for (ShellWord& w : inner.words) w.begin = w.end = 0;
        inner.begin = inner.end = 0;
        s.shell.push_back(std::move(inner));
      }
    }
  } else {
    s.shell = dockerfile::SplitCommands(ins.rest);
  }
  // Scripts in here-documents: their offsets are relative to the body.
  std::vector<std::pair<size_t, const dockerfile::Heredoc*>> from_heredoc;
  for (const dockerfile::Heredoc& h : ins.heredocs) {
    if (!HeredocIsScript(s, h)) continue;
    for (ShellCommand& sc : dockerfile::SplitCommands(h.content)) {
      s.heredoc_shell.push_back(std::move(sc));
      from_heredoc.emplace_back(s.heredoc_shell.size() - 1, &h);
    }
  }
  for (const ShellCommand& sc : s.shell) {
    Command c = MakeCommand(sc, nullptr);
    if (!c.name.empty()) s.commands.push_back(std::move(c));
  }
  for (auto [k, h] : from_heredoc) {
    Command c = MakeCommand(s.heredoc_shell[k], h);
    if (!c.name.empty()) s.commands.push_back(std::move(c));
  }
}

}  // namespace

Context::Context(std::string_view path, std::string_view text_in,
                 const dockerfile::Dockerfile& df_in,
                 const dockerfile::Build& build_in, const LintOptions& options)
    : df(df_in),
      build(build_in),
      config(options.config),
      context_dir(options.context_dir),
      text(text_in),
      path_(path),
      index_(text_in) {
  steps.resize(df.instructions.size());
  for (size_t i = 0; i < df.instructions.size(); ++i) {
    Step& s = steps[i];
    s.ins = &df.instructions[i];
    s.index = i;
    const dockerfile::Stage* st = build.StageOf(i);
    s.stage = st ? int(st->index) : -1;
    BuildCommands(s);
  }
  ships_.assign(build.stages.size(), false);
  std::optional<size_t> at;
  if (!build.stages.empty()) at = build.stages.size() - 1;
  while (at && !ships_[*at]) {
    ships_[*at] = true;
    at = build.stages[*at].parent;
  }
}

bool Context::Ships(int stage) const {
  return stage >= 0 && size_t(stage) < ships_.size() && ships_[stage];
}

std::vector<const Step*> Context::StageSteps(int stage) const {
  std::vector<const Step*> out;
  for (const Step& s : steps) {
    if (s.stage == stage) out.push_back(&s);
  }
  return out;
}

bool Context::ContextHas(std::string_view relative) const {
  if (context_dir.empty()) return false;
  std::error_code ec;
  return std::filesystem::exists(
      std::filesystem::path(context_dir) / std::string(relative), ec);
}

uint32_t Context::ScriptOffset(const Step& step, const Command& c,
                               uint32_t offset) const {
  if (c.heredoc != nullptr) return c.heredoc->span.begin.offset + offset;
  const auto& lo = step.ins->line_offsets;
  if (lo.empty()) return step.ins->span.begin.offset;
  size_t k = std::min<size_t>(step.ins->rest_offset + offset, lo.size() - 1);
  return lo[k];
}

Span Context::WordSpan(const Step& step, const Command& c,
                       const ShellWord& w) const {
  if (w.end <= w.begin) return step.ins->span;
  uint32_t b = ScriptOffset(step, c, w.begin);
  uint32_t e = ScriptOffset(step, c, w.end - 1) + 1;
  return Span{index_.At(b), index_.At(e)};
}

void Context::Report(std::string_view rule, const Span& span,
                     std::string message) {
  if (!config.Enabled(rule)) return;
  const RuleInfo* info = FindRule(rule);
  if (info == nullptr) return;
  Finding f;
  f.rule = std::string(info->id);
  if (!info->hadolint.empty()) f.aliases.emplace_back(info->hadolint);
  if (!info->buildkit.empty()) f.aliases.emplace_back(info->buildkit);
  auto over = config.severity.find(f.rule);
  f.severity = over != config.severity.end() ? over->second : info->severity;
  f.message = std::move(message);
  f.location.path = std::string(path_);
  f.location.line = span.begin.line;
  f.location.column = span.begin.column;
  f.location.end_line = span.end.line;
  f.location.end_column = span.end.column;
  f.fixable = info->fixable;
  findings.push_back(std::move(f));
}

void Context::AddEdit(std::string_view rule, uint32_t begin, uint32_t end,
                      std::string replacement) {
  if (!config.Enabled(rule)) return;
  for (const Edit& e : edits) {
    // Two edits at the same place or overlapping: keep the first only.
    if (begin < e.end && e.begin < end) return;
    if (begin == end && begin == e.begin && e.begin == e.end) return;
  }
  edits.push_back(Edit{begin, end, std::move(replacement), std::string(rule)});
}

namespace {

struct Pragma {
  bool global = false;
  uint32_t line = 0;
  std::vector<std::string> ids;
};

// `# cinch ignore=A,B`, `# cinch global ignore=A`, `# cinch ignore-file=A`,
// and the same with `hadolint`.
std::optional<Pragma> ReadPragma(const dockerfile::Word& comment) {
  std::string_view s = comment.text;
  while (!s.empty() && (s[0] == '#' || s[0] == ' ' || s[0] == '\t')) {
    s.remove_prefix(1);
  }
  Pragma p;
  p.line = comment.span.begin.line;
  if (s.starts_with("cinch")) {
    s.remove_prefix(5);
  } else if (s.starts_with("hadolint")) {
    s.remove_prefix(8);
  } else {
    return std::nullopt;
  }
  while (!s.empty() && s[0] == ' ') s.remove_prefix(1);
  if (s.starts_with("global")) {
    p.global = true;
    s.remove_prefix(6);
    while (!s.empty() && s[0] == ' ') s.remove_prefix(1);
  }
  if (s.starts_with("ignore-file")) {
    p.global = true;
    s.remove_prefix(11);
  } else if (s.starts_with("ignore")) {
    s.remove_prefix(6);
  } else {
    return std::nullopt;
  }
  while (!s.empty() && s[0] == ' ') s.remove_prefix(1);
  if (s.empty() || s[0] != '=') return std::nullopt;
  s.remove_prefix(1);
  std::string id;
  for (char c : s) {
    if (c == ',' || c == ' ' || c == '\t') {
      if (!id.empty()) p.ids.push_back(Lower(id));
      id.clear();
      if (c != ',') break;
    } else {
      id += c;
    }
  }
  if (!id.empty()) p.ids.push_back(Lower(id));
  return p;
}

bool Matches(const Finding& f, const std::vector<std::string>& ids) {
  for (const std::string& id : ids) {
    if (Lower(f.rule) == id) return true;
    for (const std::string& a : f.aliases) {
      if (Lower(a) == id) return true;
    }
  }
  return false;
}

void ApplyPragmas(const dockerfile::Dockerfile& df,
                  std::vector<Finding>& findings, std::vector<Edit>& edits) {
  struct Range {
    uint32_t first, last;
    uint32_t begin, end;  // byte range, for edits
    std::vector<std::string> ids;
  };
  std::vector<Range> ranges;
  for (const dockerfile::Word& c : df.comment_lines) {
    std::optional<Pragma> p = ReadPragma(c);
    if (!p) continue;
    if (p->global) {
      ranges.push_back(Range{0, UINT32_MAX, 0, UINT32_MAX, p->ids});
      continue;
    }
    for (const Instruction& ins : df.instructions) {
      if (ins.keyword_span.begin.line > p->line) {
        ranges.push_back(Range{ins.span.begin.line, ins.span.end.line,
                               ins.span.begin.offset, ins.span.end.offset,
                               p->ids});
        break;
      }
    }
  }
  if (ranges.empty()) return;
  std::erase_if(findings, [&](const Finding& f) {
    return std::any_of(ranges.begin(), ranges.end(), [&](const Range& r) {
      return f.location.line >= r.first && f.location.line <= r.last &&
             Matches(f, r.ids);
    });
  });
  std::erase_if(edits, [&](const Edit& e) {
    const RuleInfo* info = FindRule(e.rule);
    Finding f;
    f.rule = e.rule;
    if (info && !info->hadolint.empty()) f.aliases.emplace_back(info->hadolint);
    return std::any_of(ranges.begin(), ranges.end(), [&](const Range& r) {
      return e.begin >= r.begin && e.begin <= r.end && Matches(f, r.ids);
    });
  });
}

}  // namespace

LintResult LintDockerfile(std::string_view path, std::string_view text,
                          const LintOptions& options) {
  LintResult result;
  auto df = dockerfile::Parse(text);
  if (!df) {
    // The parser's message starts with "line L:C: ".
    Finding f;
    f.rule = "CL1000";
    f.severity = Severity::kError;
    f.location.path = std::string(path);
    unsigned line = 1, column = 1;
    std::string msg = df.error().message;
    if (std::sscanf(msg.c_str(), "line %u:%u: ", &line, &column) == 2) {
      msg = msg.substr(msg.find(": ") + 2);
    }
    f.message = msg;
    f.location.line = f.location.end_line = line;
    f.location.column = f.location.end_column = column;
    result.findings.push_back(std::move(f));
    return result;
  }
  dockerfile::Build build = dockerfile::AnalyzeStages(*df);
  Context ctx(path, text, *df, build, options);
  CheckStructure(ctx);
  CheckBaseImages(ctx);
  CheckPackages(ctx);
  CheckSecurity(ctx);
  CheckLabels(ctx);
  CheckShell(ctx);

  ApplyPragmas(*df, ctx.findings, ctx.edits);
  std::stable_sort(
      ctx.findings.begin(), ctx.findings.end(),
      [](const Finding& a, const Finding& b) {
        return std::tie(a.location.line, a.location.column, a.rule) <
               std::tie(b.location.line, b.location.column, b.rule);
      });
  std::sort(ctx.edits.begin(), ctx.edits.end(),
            [](const Edit& a, const Edit& b) { return a.begin < b.begin; });
  result.findings = std::move(ctx.findings);
  result.edits = std::move(ctx.edits);
  return result;
}

}  // namespace cinch::lint
