// CL1xxx: syntax and structure, BuildKit's own build checks among them.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "base/io.h"
#include "dockerfile/expand.h"
#include "lint/context.h"
#include "lint/dockerignore.h"

namespace cinch::lint {
namespace {

using dockerfile::Variables;

bool IsMixedCase(std::string_view s) {
  bool upper = false, lower = false;
  for (char c : s) {
    upper |= std::isupper(uint8_t(c)) != 0;
    lower |= std::islower(uint8_t(c)) != 0;
  }
  return upper && lower;
}

void CheckCasing(Context& ctx) {
  // The majority case of the file is the expected one.
  int upper = 0, lower = 0;
  for (const Step& s : ctx.steps) {
    const std::string& k = s.ins->keyword;
    if (std::none_of(k.begin(), k.end(), ::islower)) ++upper;
    if (std::none_of(k.begin(), k.end(), ::isupper)) ++lower;
  }
  bool want_upper = upper >= lower;
  for (const Step& s : ctx.steps) {
    const std::string& k = s.ins->keyword;
    bool bad = IsMixedCase(k) ||
               (want_upper ? std::any_of(k.begin(), k.end(), ::islower)
                           : std::any_of(k.begin(), k.end(), ::isupper));
    if (bad) {
      ctx.Report("CL1003", s.ins->keyword_span,
                 fmt::format("Instruction '{}' should be written in {} case "
                             "like the others",
                             k, want_upper ? "upper" : "lower"));
    }
    if (s.ins->kind == Kind::kFrom && s.ins->args.size() == 3) {
      const std::string& as = s.ins->args[1].text;
      bool from_upper =
          !IsMixedCase(k) && std::any_of(k.begin(), k.end(), ::isupper);
      bool as_upper =
          !IsMixedCase(as) && std::any_of(as.begin(), as.end(), ::isupper);
      if (IsMixedCase(as) || from_upper != as_upper) {
        ctx.Report(
            "CL1004", s.ins->args[1].span,
            fmt::format("'{}' and '{}' keywords' casing do not match", as, k));
      }
    }
  }
}

void CheckStages(Context& ctx) {
  std::map<std::string, size_t> seen;
  for (const dockerfile::Stage& st : ctx.build.stages) {
    if (st.name.empty()) continue;
    const Instruction& from = ctx.df.instructions[st.from];
    const dockerfile::Word& name = from.args[2];
    if (!seen.emplace(st.name, st.index).second) {
      ctx.Report("CL1012", name.span,
                 fmt::format("Duplicate stage name '{}'", st.name));
    }
    if (st.name == "scratch" || st.name == "context") {
      ctx.Report(
          "CL1013", name.span,
          fmt::format("'{}' is reserved and cannot name a stage", st.name));
    }
    if (name.text != st.name) {
      ctx.Report(
          "CL1014", name.span,
          fmt::format("Stage name '{}' should be lower case", name.text));
    }
  }
}

void CheckOncePerStage(Context& ctx) {
  for (size_t si = 0; si < ctx.build.stages.size(); ++si) {
    std::map<Kind, int> count;
    for (const Step* s : ctx.StageSteps(int(si))) ++count[s->ins->kind];
    std::map<Kind, int> seen;
    for (const Step* s : ctx.StageSteps(int(si))) {
      Kind k = s->ins->kind;
      if (count[k] < 2 || ++seen[k] == count[k]) continue;
      const char* rule = k == Kind::kCmd           ? "CL1009"
                         : k == Kind::kEntrypoint  ? "CL1010"
                         : k == Kind::kHealthcheck ? "CL1011"
                                                   : nullptr;
      if (rule == nullptr) continue;
      ctx.Report(rule, *s,
                 fmt::format("Multiple {} instructions in one stage; only "
                             "the last is used",
                             Lower(s->ins->keyword) == "cmd" ? "CMD"
                             : Lower(s->ins->keyword) == "entrypoint"
                                 ? "ENTRYPOINT"
                                 : "HEALTHCHECK"));
    }
  }
}

bool HasShellSyntax(std::string_view s) {
  return s.find_first_of("|&;<>()$`*?[]{}~\\'\"#\n") != std::string_view::npos;
}

// CL1008: shell-form CMD/ENTRYPOINT; fixable when the command is plain
// words without shell syntax.
void CheckJsonArgs(Context& ctx) {
  for (const Step& s : ctx.steps) {
    const Instruction& ins = *s.ins;
    if ((ins.kind != Kind::kCmd && ins.kind != Kind::kEntrypoint) || ins.json ||
        ins.args.empty()) {
      continue;
    }
    // An explicit SHELL in the stage means shell form is deliberate.
    bool has_shell = false;
    for (const Step* o : ctx.StageSteps(s.stage)) {
      if (o->index < s.index && o->ins->kind == Kind::kShell) has_shell = true;
    }
    if (has_shell) continue;
    ctx.Report("CL1008", ins.args_span,
               fmt::format("JSON arguments recommended for {} to forward OS "
                           "signals to the program",
                           ins.kind == Kind::kCmd ? "CMD" : "ENTRYPOINT"));
    if (HasShellSyntax(ins.rest)) continue;
    std::string json = "[";
    size_t i = 0;
    bool first = true;
    const std::string& r = ins.rest;
    while (i < r.size()) {
      while (i < r.size() && (r[i] == ' ' || r[i] == '\t')) ++i;
      size_t b = i;
      while (i < r.size() && r[i] != ' ' && r[i] != '\t') ++i;
      if (i == b) break;
      json += first ? "\"" : ", \"";
      json += r.substr(b, i - b);
      json += '"';
      first = false;
    }
    json += ']';
    // Only rewrite an instruction on one physical line.
    if (ins.args_span.begin.line == ins.args_span.end.line) {
      ctx.AddEdit("CL1008", ins.args_span.begin.offset,
                  ins.args_span.end.offset, json);
    }
  }
}

void CheckCopyFrom(Context& ctx) {
  for (const Step& s : ctx.steps) {
    const Instruction& ins = *s.ins;
    if (ins.kind != Kind::kCopy) continue;
    if (const dockerfile::Flag* f = ins.FindFlag("from")) {
      const std::string& ref = f->value;
      const dockerfile::Stage* own = ctx.build.StageOf(s.index);
      if (own != nullptr && ((!own->name.empty() && Lower(ref) == own->name) ||
                             ref == std::to_string(own->index))) {
        ctx.Report("CL1016", f->span,
                   fmt::format("COPY --from={} refers to its own stage", ref));
      } else if (IsLiteral(ref) &&
                 ref.find_first_of(":/@.") == std::string::npos &&
                 ctx.build.FindStage(ref, s.index) == nullptr) {
        ctx.Report("CL1015", f->span,
                   fmt::format("COPY --from={} names no earlier stage", ref));
      }
    }
  }
  for (const Step& s : ctx.steps) {
    const Instruction& ins = *s.ins;
    if (ins.kind != Kind::kCopy && ins.kind != Kind::kAdd) continue;
    size_t sources = ins.args.size() + ins.heredocs.size();
    if (sources > 2 && !ins.args.empty()) {
      const std::string& dest = ins.args.back().text;
      if (!dest.ends_with("/") && IsLiteral(dest)) {
        ctx.Report("CL1017", ins.args.back().span,
                   fmt::format("{} with more than two arguments needs a "
                               "destination ending in '/'",
                               Lower(ins.keyword) == "add" ? "ADD" : "COPY"));
      }
    }
  }
}

// The ignore file BuildKit would use: "<Dockerfile>.dockerignore" beside
// the Dockerfile when there is one, else ".dockerignore" in the context.
std::optional<DockerIgnore> LoadDockerIgnore(const Context& ctx) {
  constexpr size_t kMaxIgnoreBytes = 1 << 20;
  std::vector<std::string> candidates;
  if (!ctx.path().empty() && ctx.path() != "-") {
    candidates.push_back(std::string(ctx.path()) + ".dockerignore");
  }
  candidates.push_back(
      (std::filesystem::path(ctx.context_dir) / ".dockerignore").string());
  for (const std::string& file : candidates) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) continue;
    auto text = ReadFileLimited(file, kMaxIgnoreBytes);
    if (!text) return std::nullopt;
    return DockerIgnore::Parse(*text);
  }
  return std::nullopt;
}

// COPY or ADD of a context path that .dockerignore leaves out: the build
// fails, or copies less than the author thinks.
void CheckIgnoredCopies(Context& ctx) {
  if (ctx.context_dir.empty() || !ctx.On("CL1031")) return;
  std::optional<DockerIgnore> ignore = LoadDockerIgnore(ctx);
  if (!ignore || ignore->empty()) return;
  for (const Step& s : ctx.steps) {
    const Instruction& ins = *s.ins;
    if (ins.kind != Kind::kCopy && ins.kind != Kind::kAdd) continue;
    if (ins.FindFlag("from") != nullptr) continue;
    for (size_t i = 0; i + 1 < ins.args.size(); ++i) {
      const dockerfile::Word& source = ins.args[i];
      std::string_view path = source.text;
      bool remote = path.find("://") != std::string_view::npos ||
                    path.starts_with("git@");
      if (!IsLiteral(path) || remote ||
          path.find_first_of("*?[") != std::string_view::npos) {
        continue;
      }
      if (auto pattern = ignore->Excludes(path)) {
        ctx.Report("CL1031", source.span,
                   fmt::format("'{}' is excluded from the build context by "
                               ".dockerignore pattern '{}'",
                               path, *pattern));
      }
    }
  }
}

void CheckWorkdirs(Context& ctx) {
  for (size_t si = 0; si < ctx.build.stages.size(); ++si) {
    bool absolute = false;
    for (const Step* s : ctx.StageSteps(int(si))) {
      const Instruction& ins = *s->ins;
      if (ins.kind == Kind::kWorkdir && !ins.args.empty()) {
        const std::string& d = ins.args[0].text;
        bool abs = d.starts_with("/") || d.starts_with("$") ||
                   d.starts_with("\"/") || (d.size() > 1 && d[1] == ':');
        if (!abs && !absolute) {
          ctx.Report("CL1018", ins.args[0].span,
                     fmt::format("Relative WORKDIR '{}' depends on the base "
                                 "image's working directory",
                                 d));
        }
        absolute |= abs;
      }
      if ((ins.kind == Kind::kCopy || ins.kind == Kind::kAdd) && !absolute &&
          ins.args.size() >= 2) {
        const std::string& dest = ins.args.back().text;
        if (IsLiteral(dest) && !dest.starts_with("/") &&
            !dest.starts_with("\"/") && !(dest.size() > 1 && dest[1] == ':')) {
          ctx.Report("CL1030", ins.args.back().span,
                     fmt::format("COPY to relative '{}' without a WORKDIR in "
                                 "this stage",
                                 dest));
        }
      }
    }
  }
}

void CheckExpose(Context& ctx) {
  for (const Step& s : ctx.steps) {
    if (s.ins->kind != Kind::kExpose) continue;
    for (const dockerfile::Word& w : s.ins->args) {
      const std::string& p = w.text;
      if (!IsLiteral(p)) continue;
      if (p.find(':') != std::string::npos) {
        ctx.Report("CL1020", w.span,
                   fmt::format("EXPOSE should not define an IP address or "
                               "host-port mapping, found '{}'",
                               p));
        continue;
      }
      size_t slash = p.find('/');
      std::string port = p.substr(0, slash);
      if (slash != std::string::npos) {
        std::string proto = p.substr(slash + 1);
        if (proto != Lower(proto)) {
          ctx.Report("CL1021", w.span,
                     fmt::format("Protocol in '{}' should be lower case", p));
        }
      }
      // A range "8000-8010" checks both ends.
      for (std::string_view part :
           {std::string_view(port).substr(0, port.find('-')),
            std::string_view(port).substr(port.find('-') == std::string::npos
                                              ? 0
                                              : port.find('-') + 1)}) {
        bool digits =
            !part.empty() && std::all_of(part.begin(), part.end(), ::isdigit);
        if (digits &&
            (part.size() > 5 || std::stoul(std::string(part)) > 65535)) {
          ctx.Report("CL1019", w.span,
                     fmt::format("Port {} is outside 0-65535", part));
          break;
        }
      }
      if (port == "22") {
        ctx.Report("CL4009", w.span, "EXPOSE 22: an SSH server in a container");
      }
    }
  }
}

void CheckEnvSelfReference(Context& ctx) {
  for (const Step& s : ctx.steps) {
    if (s.ins->kind != Kind::kEnv || s.ins->pairs.size() < 2) continue;
    std::set<std::string> defined;
    for (const dockerfile::KeyValue& kv : s.ins->pairs) {
      for (const std::string& name : defined) {
        if (kv.value.find("$" + name) != std::string::npos ||
            kv.value.find("${" + name) != std::string::npos) {
          ctx.Report("CL1022", kv.span,
                     fmt::format("'{}' refers to {}, which this ENV sets: "
                                 "it sees the old value",
                                 kv.key, name));
          break;
        }
      }
      defined.insert(kv.key);
    }
  }
}

void CheckLegacyAndMisc(Context& ctx) {
  for (const Step& s : ctx.steps) {
    const Instruction& ins = *s.ins;
    for (const dockerfile::KeyValue& kv : ins.pairs) {
      if (kv.legacy) {
        ctx.Report(
            "CL1007", ins.args_span,
            fmt::format("\"{} {}=value\" should be used instead of the "
                        "legacy \"{} {} value\" form",
                        Lower(ins.keyword) == "env" ? "ENV" : "LABEL", kv.key,
                        Lower(ins.keyword) == "env" ? "ENV" : "LABEL", kv.key));
      }
    }
    if (ins.kind == Kind::kArg && ins.args.size() == 2 &&
        ins.args[0].text.find('=') == std::string::npos &&
        ins.args[1].text.find('=') == std::string::npos &&
        ins.args_span.begin.line == ins.args_span.end.line) {
      // `ARG foo bar`: BuildKit reads two ARGs; the author meant foo=bar.
      ctx.Report("CL1007", ins.args_span,
                 "\"ARG key=value\" should be used instead of \"ARG key "
                 "value\"");
    }
    if (ins.kind == Kind::kMaintainer) {
      ctx.Report("CL1006", s,
                 "MAINTAINER is deprecated; use LABEL "
                 "org.opencontainers.image.authors");
    }
    if (ins.empty_continuation) {
      ctx.Report("CL1005", s,
                 fmt::format("Empty continuation line in {} instruction",
                             ins.keyword));
    }
    if (ins.kind == Kind::kOnbuild && ins.trigger &&
        (ins.trigger->kind == Kind::kOnbuild ||
         ins.trigger->kind == Kind::kFrom ||
         ins.trigger->kind == Kind::kMaintainer)) {
      ctx.Report("CL1023", ins.trigger->keyword_span,
                 fmt::format("{} is not allowed as an ONBUILD trigger",
                             ins.trigger->keyword));
    }
  }
  for (const dockerfile::Problem& p : ctx.build.problems) {
    bool before_from =
        p.message.find("before the first FROM") != std::string::npos;
    bool onbuild = p.message.find("ONBUILD trigger") != std::string::npos;
    if (onbuild) continue;  // CL1023 says it
    ctx.Report(before_from ? "CL1002" : "CL1001", p.span, p.message);
  }
}

// Platform checks on FROM: redundant $TARGETPLATFORM and constant values.
void CheckPlatforms(Context& ctx) {
  for (const dockerfile::Stage& st : ctx.build.stages) {
    if (st.platform.empty()) continue;
    const Instruction& from = ctx.df.instructions[st.from];
    const dockerfile::Flag* f = from.FindFlag("platform");
    if (st.platform == "$TARGETPLATFORM" ||
        st.platform == "${TARGETPLATFORM}") {
      ctx.Report("CL1028", f->span,
                 "Setting platform to $TARGETPLATFORM in FROM is redundant: "
                 "it is the default");
      continue;
    }
    if (st.platform.find('$') != std::string::npos) continue;
    // A stage named for its platform (build_amd64) is a deliberate
    // per-platform stage picked later with ${TARGETARCH}.
    std::string arch = st.platform.substr(st.platform.find('/') + 1);
    arch = arch.substr(0, arch.find('/'));
    if (!st.name.empty() && st.name.find(arch) != std::string::npos) continue;
    ctx.Report("CL1029", f->span,
               fmt::format("FROM --platform should not use the constant "
                           "value \"{}\"",
                           st.platform));
  }
}

// Variables a base image sets in its config, for the official images most
// Dockerfiles start from. Other bases are unknown: UndefinedVar stays
// silent for them rather than guess.
const std::set<std::string>* KnownImageEnv(std::string_view short_name) {
  static const std::map<std::string, std::set<std::string>, std::less<>> kEnv =
      {
          {"scratch", {}},
          {"alpine", {}},
          {"busybox", {}},
          {"debian", {}},
          {"ubuntu", {}},
          {"python",
           {"LANG", "GPG_KEY", "PYTHON_VERSION", "PYTHON_SHA256",
            "PYTHON_PIP_VERSION", "PYTHON_SETUPTOOLS_VERSION",
            "PYTHON_GET_PIP_URL", "PYTHON_GET_PIP_SHA256"}},
          {"node", {"NODE_VERSION", "YARN_VERSION"}},
          {"golang", {"GOLANG_VERSION", "GOTOOLCHAIN", "GOPATH"}},
          {"rust", {"RUSTUP_HOME", "CARGO_HOME", "RUST_VERSION"}},
          {"nginx",
           {"NGINX_VERSION", "NJS_VERSION", "NJS_RELEASE", "PKG_RELEASE",
            "DYNPKG_RELEASE"}},
      };
  auto it = kEnv.find(short_name);
  return it == kEnv.end() ? nullptr : &it->second;
}

bool IsBuiltinArg(std::string_view n) {
  static const std::set<std::string, std::less<>> kBuiltin = {
      "TARGETPLATFORM", "TARGETOS",        "TARGETARCH",
      "TARGETVARIANT",  "BUILDPLATFORM",   "BUILDOS",
      "BUILDARCH",      "BUILDVARIANT",    "TARGETSTAGE",
      "HTTP_PROXY",     "HTTPS_PROXY",     "FTP_PROXY",
      "NO_PROXY",       "ALL_PROXY",       "http_proxy",
      "https_proxy",    "ftp_proxy",       "no_proxy",
      "all_proxy",      "BUILDKIT_SYNTAX", "PATH"};
  return kBuiltin.count(n) > 0;
}

void CheckFromArgs(Context& ctx) {
  for (const dockerfile::Stage& st : ctx.build.stages) {
    const Instruction& from = ctx.df.instructions[st.from];
    if (from.args.empty()) continue;
    auto e = dockerfile::Expand(st.base, ctx.build.global_vars, ctx.df.escape);
    if (!e) continue;
    for (const std::string& name : e->undefined) {
      if (IsBuiltinArg(name)) continue;
      ctx.Report("CL1024", from.args[0].span,
                 fmt::format("FROM argument '{}' is not declared", name));
    }
    // With defaults only, the reference must still be a valid image name.
    bool declared_all =
        std::all_of(e->used.begin(), e->used.end(), [&](const std::string& n) {
          return IsBuiltinArg(n) || ctx.build.global_vars.count(n) > 0;
        });
    const std::string& ref = e->value;
    bool bad = ref.empty() || ref.ends_with(":") || ref.ends_with("@") ||
               ref.starts_with(":") || ref.starts_with("/") ||
               ref.ends_with("/") || ref.find("::") != std::string::npos;
    if (declared_all && bad && !e->used.empty()) {
      ctx.Report("CL1025", from.args[0].span,
                 fmt::format("Default value for FROM '{}' results in an "
                             "invalid image reference '{}'",
                             st.base, ref));
    }
  }
}

void CheckUndefinedVars(Context& ctx) {
  for (const dockerfile::Stage& st : ctx.build.stages) {
    // Follow FROM through earlier stages to the external base.
    const dockerfile::Stage* root = &st;
    while (root->parent) root = &ctx.build.stages[*root->parent];
    std::string base = Lower(root->base_expanded);
    const std::set<std::string>* image_env =
        base == "scratch"
            ? KnownImageEnv("scratch")
            : KnownImageEnv(dockerfile::ParseImageRef(base).Short());
    if (image_env == nullptr ||
        !dockerfile::ParseImageRef(base).registry.empty()) {
      continue;
    }
    Variables vars;
    for (const std::string& n : *image_env) vars[n] = "";
    // ENV of parent stages carries over; ARG does not.
    std::vector<const dockerfile::Stage*> chain;
    for (const dockerfile::Stage* c = &st; c;) {
      chain.insert(chain.begin(), c);
      c = c->parent ? &ctx.build.stages[*c->parent] : nullptr;
    }
    for (const dockerfile::Stage* c : chain) {
      bool own = c == &st;
      for (const Step* s : ctx.StageSteps(int(c->index))) {
        const Instruction& ins = *s->ins;
        auto check = [&](std::string_view word, const Span& span) {
          if (!own) return;
          auto e = dockerfile::Expand(word, vars, ctx.df.escape);
          if (!e) return;
          for (const std::string& n : e->undefined) {
            if (IsBuiltinArg(n)) continue;
            ctx.Report("CL1026", span,
                       fmt::format("Usage of undefined variable '${}'", n));
          }
        };
        switch (ins.kind) {
          case Kind::kArg:
          case Kind::kEnv:
            for (const dockerfile::KeyValue& kv : ins.pairs) {
              if (kv.has_value) check(kv.value, kv.span);
              if (ins.kind == Kind::kEnv || own) vars[kv.key] = "";
            }
            break;
          case Kind::kCopy:
          case Kind::kAdd:
          case Kind::kWorkdir:
          case Kind::kUser:
          case Kind::kExpose:
          case Kind::kVolume:
          case Kind::kStopsignal:
          case Kind::kLabel:
            for (const dockerfile::Word& w : ins.args) check(w.text, w.span);
            for (const dockerfile::KeyValue& kv : ins.pairs) {
              check(kv.value, kv.span);
            }
            break;
          default:
            break;
        }
      }
    }
  }
}

// The comment block right above `FROM ... AS name` or `ARG NAME` should
// start with that name when it is meant as a description.
void CheckDescriptions(Context& ctx) {
  for (const Step& s : ctx.steps) {
    const Instruction& ins = *s.ins;
    std::string name;
    if (ins.kind == Kind::kFrom && ins.args.size() == 3) {
      name = ins.args[2].text;
    } else if (ins.kind == Kind::kArg && ins.pairs.size() == 1) {
      name = ins.pairs[0].key;
    } else {
      continue;
    }
    if (ins.comments.empty()) continue;
    // Only a comment on the line directly above counts.
    bool adjacent = false;
    for (const dockerfile::Word& c : ctx.df.comment_lines) {
      if (c.span.begin.line + 1 == ins.keyword_span.begin.line) adjacent = true;
    }
    if (!adjacent) continue;
    const std::string& first = ins.comments.front();
    if (!first.starts_with(name + " ") && first != name) {
      ctx.Report(
          "CL1027", s,
          fmt::format("Comment for {} '{}' should start with its name",
                      ins.kind == Kind::kFrom ? "stage" : "argument", name));
    }
  }
}

bool UsesBuildKitFeatures(const Context& ctx) {
  for (const Step& s : ctx.steps) {
    const Instruction& ins = *s.ins;
    if (!ins.heredocs.empty()) return true;
    for (const dockerfile::Flag& f : ins.flags) {
      if (f.name == "mount" || f.name == "link" || f.name == "parents" ||
          f.name == "exclude" || f.name == "security" || f.name == "network" ||
          f.name == "checksum" || f.name == "keep-git-dir") {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

void CheckStructure(Context& ctx) {
  CheckCasing(ctx);
  CheckStages(ctx);
  CheckOncePerStage(ctx);
  CheckJsonArgs(ctx);
  CheckCopyFrom(ctx);
  CheckIgnoredCopies(ctx);
  CheckWorkdirs(ctx);
  CheckExpose(ctx);
  CheckEnvSelfReference(ctx);
  CheckLegacyAndMisc(ctx);
  CheckPlatforms(ctx);
  CheckFromArgs(ctx);
  CheckUndefinedVars(ctx);
  CheckDescriptions(ctx);
  if (ctx.df.FindDirective("syntax") == nullptr && UsesBuildKitFeatures(ctx)) {
    ctx.Report("CL1032", ctx.df.instructions.front().keyword_span,
               "BuildKit features are used but no '# syntax=' directive "
               "pins the frontend");
  }
}

}  // namespace cinch::lint
