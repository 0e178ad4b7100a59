// CL5xxx labels and metadata; CL6xxx shell hygiene in RUN.
#include <algorithm>
#include <cctype>
#include <map>

#include <fmt/format.h>

#include "dockerfile/expand.h"
#include "lint/context.h"

namespace cinch::lint {
namespace {

bool ValidLabelKey(std::string_view k) {
  for (std::string_view reserved :
       {"com.docker.", "io.docker.", "org.dockerproject."}) {
    if (k.starts_with(reserved)) return false;
  }
  if (k.empty() || !std::islower(uint8_t(k.front())) ||
      !std::isalnum(uint8_t(k.back()))) {
    return false;
  }
  if (k.find("..") != std::string_view::npos ||
      k.find("--") != std::string_view::npos) {
    return false;
  }
  return std::all_of(k.begin(), k.end(), [](char c) {
    return std::islower(uint8_t(c)) || std::isdigit(uint8_t(c)) || c == '.' ||
           c == '-';
  });
}

bool AllHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), ::isxdigit);
}
bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), ::isdigit);
}

bool ValidRfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)
  if (s.size() < 20) return false;
  auto digits = [&](size_t at, size_t n) { return AllDigits(s.substr(at, n)); };
  if (!digits(0, 4) || s[4] != '-' || !digits(5, 2) || s[7] != '-' ||
      !digits(8, 2) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !digits(11, 2) || s[13] != ':' || !digits(14, 2) || s[16] != ':' ||
      !digits(17, 2)) {
    return false;
  }
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(uint8_t(s[i]))) ++i;
  }
  std::string_view zone = s.substr(i);
  return zone == "Z" || zone == "z" ||
         (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') &&
          AllDigits(zone.substr(1, 2)) && zone[3] == ':' &&
          AllDigits(zone.substr(4, 2)));
}

bool ValidSemver(std::string_view s) {
  std::string_view core = s.substr(0, s.find_first_of("-+"));
  size_t a = core.find('.');
  size_t b = a == std::string_view::npos ? a : core.find('.', a + 1);
  if (b == std::string_view::npos) return false;
  return AllDigits(core.substr(0, a)) &&
         AllDigits(core.substr(a + 1, b - a - 1)) &&
         AllDigits(core.substr(b + 1));
}

bool ValidSpdx(std::string_view s) {
  // Identifiers joined by AND/OR/WITH, optional parentheses.
  bool any = false;
  std::string word;
  auto ok_word = [](const std::string& w) {
    return std::all_of(w.begin(), w.end(), [](char c) {
      return std::isalnum(uint8_t(c)) || c == '.' || c == '-' || c == '+' ||
             c == ':';
    });
  };
  for (size_t i = 0; i <= s.size(); ++i) {
    char c = i < s.size() ? s[i] : ' ';
    if (c == ' ' || c == '(' || c == ')') {
      if (!word.empty() && !ok_word(word)) return false;
      any |= !word.empty();
      word.clear();
    } else {
      word += c;
    }
  }
  return any;
}

bool ValidEmail(std::string_view s) {
  size_t at = s.find('@');
  return at != std::string_view::npos && at > 0 &&
         s.find('.', at) != std::string_view::npos && s.back() != '.' &&
         s.find(' ') == std::string_view::npos;
}

bool ValidUrl(std::string_view s) {
  size_t scheme = s.find("://");
  return scheme != std::string_view::npos && scheme > 0 &&
         s.size() > scheme + 3 && s.find(' ') == std::string_view::npos;
}

void CheckLabelKeysAndSchema(Context& ctx) {
  for (const Step& s : ctx.steps) {
    if (s.ins->kind != Kind::kLabel) continue;
    for (const dockerfile::KeyValue& kv : s.ins->pairs) {
      auto key = dockerfile::Expand(kv.key, {}, ctx.df.escape);
      if (!key || !IsLiteral(kv.key)) continue;
      if (!ValidLabelKey(key->value)) {
        ctx.Report("CL5001", kv.span,
                   fmt::format("Invalid label key '{}'", key->value));
      }
      auto value = dockerfile::Expand(kv.value, {}, ctx.df.escape);
      if (!value || !value->used.empty()) continue;
      auto type = ctx.config.label_schema.find(key->value);
      if (type == ctx.config.label_schema.end()) {
        if (ctx.config.strict_labels) {
          ctx.Report(
              "CL5003", kv.span,
              fmt::format("Label '{}' is not in the label schema", key->value));
        }
        continue;
      }
      const std::string& v = value->value;
      const std::string& t = type->second;
      if (v.empty()) {
        ctx.Report("CL5004", kv.span,
                   fmt::format("Label '{}' is empty", key->value));
        continue;
      }
      const char* rule = nullptr;
      if (t == "url" && !ValidUrl(v)) rule = "CL5005";
      if (t == "rfc3339" && !ValidRfc3339(v)) rule = "CL5006";
      if (t == "spdx" && !ValidSpdx(v)) rule = "CL5007";
      if (t == "hash" && !(v.size() == 40 && AllHex(v))) rule = "CL5008";
      if (t == "semver" && !ValidSemver(v)) rule = "CL5009";
      if (t == "email" && !ValidEmail(v)) rule = "CL5011";
      if (rule != nullptr) {
        ctx.Report(rule, kv.span,
                   fmt::format("Label '{}' is not a valid {}: '{}'", key->value,
                               t, v));
      }
    }
  }
}

void CheckRequiredLabels(Context& ctx) {
  if (ctx.build.stages.empty()) return;
  std::map<std::string, bool> present;
  for (const Step& s : ctx.steps) {
    if (!ctx.Ships(s.stage) || s.ins->kind != Kind::kLabel) continue;
    for (const dockerfile::KeyValue& kv : s.ins->pairs) {
      auto key = dockerfile::Expand(kv.key, {}, ctx.df.escape);
      if (key) present[key->value] = true;
    }
  }
  const Instruction& from = ctx.df.instructions[ctx.build.stages.back().from];
  for (const std::string& l : ctx.config.required_labels) {
    if (!present.count(l)) {
      ctx.Report("CL5002", from.keyword_span,
                 fmt::format("Label '{}' is missing", l));
    }
  }
  bool health = false;
  for (const Step& s : ctx.steps) {
    if (ctx.Ships(s.stage) && s.ins->kind == Kind::kHealthcheck) health = true;
  }
  if (!health) {
    ctx.Report("CL5010", from.keyword_span,
               "No HEALTHCHECK in the final stage");
  }
}

bool StageSetsPipefail(const Context& ctx, const Step& s) {
  for (const Step* o : ctx.StageSteps(s.stage)) {
    if (o->index >= s.index) break;
    if (o->ins->kind != Kind::kShell) continue;
    bool pipefail = false;
    bool posix = false;
    for (const dockerfile::Word& w : o->ins->args) {
      if (w.text.find("pipefail") != std::string::npos) pipefail = true;
      std::string_view b = Basename(w.text);
      if (b == "sh" || b == "bash" || b == "ash" || b == "zsh" || b == "dash" ||
          b == "ksh") {
        posix = true;
      }
    }
    // Another shell (PowerShell, cmd) has its own pipe semantics.
    return pipefail || !posix;
  }
  return false;
}

void CheckShellHygiene(Context& ctx) {
  const Step* prev_run = nullptr;
  std::map<int, std::pair<bool, bool>> tools;  // stage -> curl, wget seen
  for (const Step& s : ctx.steps) {
    const Instruction& ins = *s.ins;
    if (ins.kind != Kind::kRun) {
      if (ins.kind != Kind::kFrom && prev_run != nullptr &&
          ins.kind != Kind::kRun) {
        prev_run = nullptr;
      }
      if (ins.kind == Kind::kFrom) prev_run = nullptr;
      continue;
    }
    if (prev_run != nullptr && prev_run->stage == s.stage) {
      bool same_flags = prev_run->ins->flags.size() == ins.flags.size();
      for (size_t i = 0; same_flags && i < ins.flags.size(); ++i) {
        same_flags = prev_run->ins->flags[i].name == ins.flags[i].name &&
                     prev_run->ins->flags[i].value == ins.flags[i].value;
      }
      if (same_flags) {
        ctx.Report("CL6003", s,
                   fmt::format("RUN directly after the RUN on line {}; "
                               "consider joining them",
                               prev_run->ins->span.begin.line));
      }
    }
    prev_run = &s;

    bool piped = false, pipefail = false;
    for (const Command& c : s.commands) {
      if (c.shell->piped_out && !c.shell->substitution && !ins.json) {
        piped = true;
      }
      if (c.name == "set") {
        for (const ShellWord* w : c.args) {
          if (w->value.find("pipefail") != std::string::npos) pipefail = true;
        }
      }
      if (c.name == "cd" && c.heredoc == nullptr && !c.shell->substitution) {
        ctx.Report("CL6001", s, "Use WORKDIR to switch to a directory");
      }
      if (c.name == "ln" && !c.args.empty() &&
          c.args.back()->value == "/bin/sh") {
        ctx.Report("CL6004", s,
                   "/bin/sh is replaced; use the SHELL instruction instead");
      }
      if (c.name == "wget" && !c.HasPrefix("--progress") &&
          !c.HasOption('q', "--quiet") && !c.Has("-nv") &&
          !c.HasOption(0, "--no-verbose") &&
          !c.HasOption('o', "--output-file") &&
          !c.HasOption(0, "--append-output")) {
        ctx.Report("CL3032", s, "wget without --progress floods the build log");
      }
      auto& [curl, wget] = tools[s.stage];
      if ((c.name == "curl" && wget && !curl) ||
          (c.name == "wget" && curl && !wget)) {
        ctx.Report("CL3033", s, "Both wget and curl are used in this stage");
      }
      if (c.name == "curl") curl = true;
      if (c.name == "wget") wget = true;
    }
    if (piped && !pipefail && !StageSetsPipefail(ctx, s)) {
      ctx.Report("CL6002", s,
                 "Pipe without 'set -o pipefail': a failure before '|' is "
                 "ignored");
    }
  }
}

// COPY of an archive followed by tar -x of it in the same stage.
void CheckArchiveCopy(Context& ctx) {
  std::map<std::string, int> copied;  // archive basename -> stage
  for (const Step& s : ctx.steps) {
    const Instruction& ins = *s.ins;
    if (ins.kind == Kind::kCopy && !ins.FindFlag("from") &&
        ins.args.size() >= 2) {
      for (size_t i = 0; i + 1 < ins.args.size(); ++i) {
        std::string_view b = Basename(ins.args[i].text);
        if (b.ends_with(".tar") || b.ends_with(".tar.gz") ||
            b.ends_with(".tgz") || b.ends_with(".tar.xz") ||
            b.ends_with(".tar.bz2")) {
          copied[std::string(b)] = s.stage;
        }
      }
    }
    for (const Command& c : s.commands) {
      if (c.name != "tar") continue;
      bool extract = false;
      for (const ShellWord* w : c.args) {
        if (w->value == "-x" || w->value == "--extract" ||
            (w->value.size() > 1 && w->value[0] != '-' &&
             w->value.find('x') != std::string::npos && w == c.args[0]) ||
            (w->value.starts_with("-") && !w->value.starts_with("--") &&
             w->value.find('x') != std::string::npos)) {
          extract = true;
        }
      }
      if (!extract) continue;
      for (const ShellWord* w : c.args) {
        auto it = copied.find(std::string(Basename(w->value)));
        if (it != copied.end() && it->second == s.stage) {
          ctx.Report("CL3035", s,
                     fmt::format("'{}' is copied, then unpacked: ADD does "
                                 "both in one layer",
                                 it->first));
        }
      }
    }
  }
}

}  // namespace

void CheckLabels(Context& ctx) {
  CheckLabelKeysAndSchema(ctx);
  CheckRequiredLabels(ctx);
}

void CheckShell(Context& ctx) {
  CheckShellHygiene(ctx);
  CheckArchiveCopy(ctx);
}

}  // namespace cinch::lint
