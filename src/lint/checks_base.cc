// CL2xxx: base images, stages and the multi-stage playbook.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "lint/context.h"

namespace cinch::lint {
namespace {

using dockerfile::ImageRef;
using dockerfile::Stage;

// The external image a stage starts from, following FROM through earlier
// stages; nullptr when it is another stage's name that does not resolve.
const Stage& RootStage(const Context& ctx, const Stage& st) {
  const Stage* s = &st;
  while (s->parent) s = &ctx.build.stages[*s->parent];
  return *s;
}

bool TagHas(const ImageRef& r, std::string_view word) {
  return r.tag.find(word) != std::string::npos;
}

void CheckTags(Context& ctx) {
  for (const Stage& st : ctx.build.stages) {
    if (st.parent || st.base.empty()) continue;
    const Instruction& from = ctx.df.instructions[st.from];
    std::string ref = st.base_expanded.empty() ? st.base : st.base_expanded;
    if (Lower(ref) == "scratch" || ref.find('$') != std::string::npos) {
      continue;
    }
    ImageRef r = dockerfile::ParseImageRef(ref);
    const dockerfile::Span& span = from.args[0].span;
    if (r.digest.empty()) {
      if (r.tag.empty()) {
        ctx.Report("CL2001", span,
                   fmt::format("Tag the version of '{}' explicitly", ref));
      } else if (r.tag == "latest") {
        ctx.Report("CL2002", span,
                   fmt::format("'{}' uses the latest tag", ref));
      }
      ctx.Report("CL2003", span,
                 fmt::format("'{}' is not pinned by digest", ref));
    }
    if (!ctx.config.trusted_registries.empty()) {
      std::string reg = r.registry.empty() ? "docker.io" : r.registry;
      bool trusted = std::any_of(
          ctx.config.trusted_registries.begin(),
          ctx.config.trusted_registries.end(), [&](const std::string& t) {
            return t == reg || (reg == "docker.io" && t == "hub.docker.com");
          });
      if (!trusted) {
        ctx.Report("CL2004", span,
                   fmt::format("'{}' comes from registry {}, which is not "
                               "trusted",
                               ref, reg));
      }
    }
  }
}

// Toolchain images and what to use at run time instead.
std::string ToolchainAdvice(const ImageRef& r) {
  std::string n = Lower(r.Short());
  bool slim = TagHas(r, "slim") || TagHas(r, "alpine");
  if (n == "golang")
    return "copy the binary into gcr.io/distroless/static or scratch";
  if (n == "rust")
    return "copy the binary into gcr.io/distroless/cc or debian:*-slim";
  if (n == "maven" || n == "gradle")
    return "copy the jar into eclipse-temurin:*-jre or gcr.io/distroless/java";
  if (n == "gcc" || n == "buildpack-deps")
    return "copy the binary into gcr.io/distroless/cc or debian:*-slim";
  if (n == "openjdk" || (n == "eclipse-temurin" && !TagHas(r, "jre"))) {
    return "use eclipse-temurin:*-jre or gcr.io/distroless/java";
  }
  if (n == "sdk" && r.repository.find("dotnet") != std::string::npos) {
    return "use mcr.microsoft.com/dotnet/aspnet or runtime";
  }
  if ((n == "node" || n == "python" || n == "ruby") && !slim) {
    std::string tag = r.tag.empty() || r.tag == "latest" ? "" : r.tag + "-";
    return fmt::format("use {}:{}slim (or -alpine, or distroless)", n, tag);
  }
  return "";
}

void CheckFinalStage(Context& ctx) {
  if (ctx.build.stages.empty()) return;
  const Stage& final = ctx.build.stages.back();
  const Stage& root = RootStage(ctx, final);
  if (root.base_expanded.find('$') != std::string::npos) return;
  ImageRef r = dockerfile::ParseImageRef(Lower(root.base_expanded));
  const dockerfile::Span& span =
      ctx.df.instructions[final.from].args.empty()
          ? ctx.df.instructions[final.from].span
          : ctx.df.instructions[final.from].args[0].span;
  std::string advice = ToolchainAdvice(r);
  if (!advice.empty()) {
    ctx.Report("CL2005", span,
               fmt::format("Final stage runs on toolchain image '{}': {}",
                           root.base_expanded, advice));
    return;
  }
  std::string n = r.Short();
  std::string suggestion;
  if ((n == "debian" || n == "ubuntu") && !TagHas(r, "slim")) {
    suggestion =
        n == "debian" && !r.tag.empty() && r.tag != "latest"
            ? fmt::format("debian:{}-slim or gcr.io/distroless/base", r.tag)
            : "debian:bookworm-slim or gcr.io/distroless/base";
  } else if ((n == "centos" || n == "fedora" || n == "rockylinux" ||
              n == "almalinux") &&
             !TagHas(r, "minimal")) {
    suggestion = n + ":*-minimal or a ubi-micro image";
  } else if (n == "php" && !TagHas(r, "alpine")) {
    suggestion = "php:*-fpm-alpine or php:*-cli-alpine";
  } else if (n == "nginx" && !TagHas(r, "alpine")) {
    suggestion = "nginx:*-alpine or nginxinc/nginx-unprivileged:*-alpine";
  }
  if (!suggestion.empty()) {
    ctx.Report("CL2007", span,
               fmt::format("Final stage base '{}' could be smaller: try {}",
                           root.base_expanded, suggestion));
  }
}

// Compilers and build commands whose output a runtime stage needs, not
// their inputs.
bool IsCompileStep(const Command& c) {
  std::string_view sub = c.Subcommand();
  if (c.name == "go") return sub == "build";
  if (c.name == "cargo") return sub == "build" || sub == "install";
  if (c.name == "mvn" || c.name == "mvnw" || c.name == "./mvnw") {
    return c.Has("package") || c.Has("install") || c.Has("verify");
  }
  if (c.name == "gradle" || c.name == "gradlew") {
    return c.Has("build") || c.Has("assemble") || c.Has("bootJar") ||
           c.Has("jar") || c.Has("installDist");
  }
  if (c.name == "gcc" || c.name == "g++" || c.name == "clang" ||
      c.name == "clang++" || c.name == "cc" || c.name == "c++" ||
      c.name == "javac" || c.name == "tsc" || c.name == "rustc") {
    return true;
  }
  if (c.name == "dotnet") return sub == "publish" || sub == "build";
  if (c.name == "npm" || c.name == "yarn" || c.name == "pnpm") {
    return (sub == "run" && c.Has("build")) || sub == "build";
  }
  return false;
}

void CheckSingleStageCompile(Context& ctx) {
  if (ctx.build.stages.size() != 1) return;
  for (const Step& s : ctx.steps) {
    for (const Command& c : s.commands) {
      if (!IsCompileStep(c)) continue;
      ctx.Report("CL2006", s,
                 fmt::format("'{} {}' compiles in the only stage: the "
                             "toolchain ships in the image",
                             c.name, c.Subcommand()));
      return;
    }
  }
}

// The final image has no C library: cgo binaries cannot run there.
bool FinalIsStatic(const Context& ctx) {
  if (ctx.build.stages.empty()) return false;
  std::string b = Lower(RootStage(ctx, ctx.build.stages.back()).base_expanded);
  return b == "scratch" || b.find("distroless/static") != std::string::npos ||
         b.find("chainguard/static") != std::string::npos;
}

void CheckGoBuilds(Context& ctx) {
  bool static_final = FinalIsStatic(ctx);
  for (const Step& s : ctx.steps) {
    for (const Command& c : s.commands) {
      if (c.name != "go" || c.Subcommand() != "build") continue;
      bool stripped = false;
      for (size_t i = 0; i < c.args.size(); ++i) {
        std::string_view v = c.args[i]->value;
        std::string_view flags;
        if (v.starts_with("-ldflags=") || v.starts_with("--ldflags=")) {
          flags = v.substr(v.find('=') + 1);
        } else if ((v == "-ldflags" || v == "--ldflags") &&
                   i + 1 < c.args.size()) {
          flags = c.args[i + 1]->value;
        }
        if (flags.find("-s") != std::string_view::npos &&
            flags.find("-w") != std::string_view::npos) {
          stripped = true;
        }
        if (flags.find('$') != std::string_view::npos) stripped = true;
      }
      if (!stripped) {
        ctx.Report("CL2008", s,
                   "go build without -ldflags \"-s -w\": symbol tables and "
                   "debug data stay in the binary");
      }
      if (!static_final) continue;
      bool cgo_off = false;
      for (const ShellWord& a : c.shell->assignments) {
        if (a.value == "CGO_ENABLED=0") cgo_off = true;
      }
      for (const Command& o : s.commands) {
        if ((o.name == "export" || o.name == "env") && o.Has("CGO_ENABLED=0")) {
          cgo_off = true;
        }
      }
      for (const Step* o : ctx.StageSteps(s.stage)) {
        if (o->index >= s.index) break;
        for (const dockerfile::KeyValue& kv : o->ins->pairs) {
          if (kv.key == "CGO_ENABLED" && kv.value.find('0') == 0) {
            cgo_off = true;
          }
        }
      }
      if (!cgo_off) {
        ctx.Report("CL2009", s,
                   "go build without CGO_ENABLED=0 while the final stage has "
                   "no C library");
      }
    }
  }
}

// Dependency installs that need only the manifests, and those manifests.
struct Install {
  std::vector<std::string> manifests;  // first must exist for the fix
};

std::optional<Install> DependencyInstall(const Command& c) {
  std::string_view sub = c.Subcommand();
  if (c.name == "npm" && (sub == "ci" || ((sub == "install" || sub == "i") &&
                                          c.Operands({}).empty()))) {
    return Install{
        {"package.json", "package-lock.json", "npm-shrinkwrap.json"}};
  }
  if (c.name == "yarn" && (sub.empty() || sub == "install")) {
    return Install{{"package.json", "yarn.lock"}};
  }
  if (c.name == "pnpm" && sub == "install") {
    return Install{{"package.json", "pnpm-lock.yaml"}};
  }
  if (c.name == "pip" && sub == "install") {
    for (size_t i = 0; i + 1 < c.args.size(); ++i) {
      const std::string& v = c.args[i]->value;
      if ((v == "-r" || v == "--requirement") &&
          IsLiteral(c.args[i + 1]->value) &&
          c.args[i + 1]->value.find('/') == std::string::npos) {
        return Install{{c.args[i + 1]->value}};
      }
    }
    return std::nullopt;
  }
  if (c.name == "poetry" && sub == "install") {
    return Install{{"pyproject.toml", "poetry.lock"}};
  }
  if (c.name == "uv" && sub == "sync") {
    return Install{{"pyproject.toml", "uv.lock"}};
  }
  if (c.name == "go" && sub == "mod" && c.Has("download")) {
    return Install{{"go.mod", "go.sum"}};
  }
  if (c.name == "cargo" && sub == "fetch") {
    return Install{{"Cargo.toml", "Cargo.lock"}};
  }
  if (c.name == "bundle" && (sub.empty() || sub == "install")) {
    return Install{{"Gemfile", "Gemfile.lock"}};
  }
  if (c.name == "composer" && sub == "install") {
    return Install{{"composer.json", "composer.lock"}};
  }
  if ((c.name == "mvn" || c.name == "mvnw") && c.HasPrefix("dependency:")) {
    return Install{{"pom.xml"}};
  }
  if (c.name == "dotnet" && sub == "restore") return Install{{}};
  if ((c.name == "gradle" || c.name == "gradlew") && c.Has("dependencies")) {
    return Install{{"build.gradle"}};
  }
  return std::nullopt;
}

bool IsBroadCopy(const Instruction& ins) {
  if (ins.kind != Kind::kCopy && ins.kind != Kind::kAdd) return false;
  if (ins.FindFlag("from") || ins.args.size() < 2) return false;
  for (size_t i = 0; i + 1 < ins.args.size(); ++i) {
    const std::string& src = ins.args[i].text;
    if (src == "." || src == "./" || src == "*" || src == "./*") return true;
  }
  return false;
}

// Rewrites `COPY . .` + `RUN install` into manifests, install, sources.
void FixCopyOrder(Context& ctx, const Step& copy, const Step& run,
                  const Install& install) {
  if (run.index != copy.index + 1 || install.manifests.empty()) return;
  std::vector<std::string> present;
  for (const std::string& m : install.manifests) {
    if (ctx.ContextHas(m)) present.push_back(m);
  }
  if (present.empty() || present[0] != install.manifests[0]) return;
  // Every command of the RUN must be part of the install.
  for (const Command& c : run.commands) {
    if (!DependencyInstall(c) && c.name != "npm" && c.name != "yarn") return;
  }
  const Instruction& ci = *copy.ins;
  std::string dest = ci.args.back().text;
  if (!dest.ends_with("/")) dest += "/";
  std::string flags;
  for (const dockerfile::Flag& f : ci.flags) {
    if (f.name != "chown" && f.name != "chmod" && f.name != "link") return;
    flags +=
        std::string(ctx.text.substr(f.span.begin.offset,
                                    f.span.end.offset - f.span.begin.offset)) +
        " ";
  }
  // New text: COPY manifests, the RUN verbatim, then the COPY verbatim.
  uint32_t copy_begin = ci.span.begin.offset;
  uint32_t copy_end = ci.span.end.offset;
  uint32_t run_begin = run.ins->span.begin.offset;
  uint32_t run_end = run.ins->span.end.offset;
  std::string_view between = ctx.text.substr(copy_end, run_begin - copy_end);
  if (between.find_first_not_of(" \t\r\n") != std::string_view::npos) return;
  std::string manifests;
  for (const std::string& m : present) manifests += m + " ";
  std::string replacement =
      fmt::format("{} {}{}{}\n", ci.keyword == "copy" ? "copy" : "COPY", flags,
                  manifests, dest) +
      std::string(ctx.text.substr(run_begin, run_end - run_begin)) +
      std::string(between) +
      std::string(ctx.text.substr(copy_begin, copy_end - copy_begin));
  ctx.AddEdit("CL2010", copy_begin, run_end, replacement);
}

void CheckCopyBeforeInstall(Context& ctx) {
  for (size_t si = 0; si < ctx.build.stages.size(); ++si) {
    std::vector<const Step*> steps = ctx.StageSteps(int(si));
    const Step* broad = nullptr;
    bool manifests_first = false;
    for (const Step* s : steps) {
      const Instruction& ins = *s->ins;
      if (ins.kind == Kind::kCopy || ins.kind == Kind::kAdd) {
        if (IsBroadCopy(ins)) {
          if (broad == nullptr) broad = s;
        } else if (broad == nullptr && !ins.FindFlag("from")) {
          manifests_first = true;
        }
        continue;
      }
      if (broad == nullptr || manifests_first) continue;
      for (const Command& c : s->commands) {
        std::optional<Install> inst = DependencyInstall(c);
        if (!inst) continue;
        ctx.Report(
            "CL2010", *s,
            fmt::format("'{} {}' runs after COPY of the whole context "
                        "(line {}): any source change re-installs all "
                        "dependencies",
                        c.name, c.Subcommand(), broad->ins->span.begin.line));
        FixCopyOrder(ctx, *broad, *s, *inst);
        broad = nullptr;  // one finding per copy
        break;
      }
    }
  }
}

}  // namespace

void CheckBaseImages(Context& ctx) {
  CheckTags(ctx);
  CheckFinalStage(ctx);
  CheckSingleStageCompile(ctx);
  CheckGoBuilds(ctx);
  CheckCopyBeforeInstall(ctx);
}

}  // namespace cinch::lint
