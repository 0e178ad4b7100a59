#include "harden/trace.h"

#include <algorithm>
#include <cctype>

#include "dockerfile/parser.h"
#include "dockerfile/stages.h"

namespace cinch::harden {
namespace {

constexpr std::string_view kNop = "/bin/sh -c #(nop) ";
constexpr std::string_view kShell = "/bin/sh -c ";

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string OneLine(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  }
  constexpr size_t kMax = 120;
  if (out.size() > kMax) out = out.substr(0, kMax - 3) + "...";
  return out;
}

bool IsInstructionName(std::string_view word) {
  static constexpr std::string_view kNames[] = {
      "RUN",   "COPY",       "ADD",         "ENV",        "LABEL",     "EXPOSE",
      "USER",  "WORKDIR",    "CMD",         "ENTRYPOINT", "ARG",       "VOLUME",
      "SHELL", "STOPSIGNAL", "HEALTHCHECK", "ONBUILD",    "MAINTAINER"};
  return std::find(std::begin(kNames), std::end(kNames), word) !=
         std::end(kNames);
}

StepSource SourceOf(const dockerfile::Instruction& ins) {
  return {ins.span.begin.line,
          ins.span.end.line > ins.span.begin.line && ins.span.end.column == 1
              ? ins.span.end.line - 1
              : ins.span.end.line,
          OneLine(ins.keyword + " " + ins.rest), ins.span.begin.column};
}

}  // namespace

std::string StepKind(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  if (s.starts_with(kNop)) {
    s.remove_prefix(kNop.size());
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    return Upper(s.substr(0, s.find(' ')));
  }
  // The classic builder writes RUN with build arguments as "|2 A=1 B=2 ...".
  if (s.starts_with("|") || s.starts_with(kShell)) return "RUN";
  std::string first = std::string(s.substr(0, s.find(' ')));
  if (IsInstructionName(first)) return first;
  return "";
}

Result<DockerfileTrace> DockerfileTrace::Build(const ImageConfig& config,
                                               std::string_view text,
                                               std::string path) {
  CINCH_ASSIGN(dockerfile::Dockerfile df, dockerfile::Parse(text));
  dockerfile::Build build = dockerfile::AnalyzeStages(df);
  if (build.stages.empty()) return Fail("{}: no FROM instruction", path);

  DockerfileTrace t;
  t.path_ = std::move(path);
  // The final stage and the stages it builds on, oldest first.
  std::vector<const dockerfile::Stage*> chain;
  for (const dockerfile::Stage* s = &build.stages.back(); s != nullptr;
       s = s->parent ? &build.stages[*s->parent] : nullptr) {
    chain.insert(chain.begin(), s);
    if (chain.size() > build.stages.size()) break;  // a cycle: refuse
  }
  t.from_ = SourceOf(df.instructions[chain.front()->from]);
  for (const dockerfile::Stage* s : chain) {
    for (size_t i = s->from + 1; i < s->end && i < df.instructions.size();
         ++i) {
      const dockerfile::Instruction& ins = df.instructions[i];
      Instr in{Upper(ins.name), SourceOf(ins), {}};
      for (const auto& kv : ins.pairs) in.keys.push_back(kv.key);
      if (ins.kind == dockerfile::Kind::kExpose) {
        for (const auto& w : ins.args) in.keys.push_back(w.text);
      }
      t.chain_.push_back(std::move(in));
    }
  }

  // Align from the end: the last step is the last instruction. An
  // instruction that left no step (ARG under some builders) is skipped.
  const auto& history = config.history;
  t.steps_.assign(history.size(), StepSource{});
  long h = long(history.size()) - 1;
  long j = long(t.chain_.size()) - 1;
  long first_matched = long(history.size());
  while (h >= 0 && j >= 0) {
    std::string kind = StepKind(history[size_t(h)].created_by);
    if (kind == t.chain_[size_t(j)].kind) {
      t.steps_[size_t(h)] = t.chain_[size_t(j)].source;
      first_matched = h;
      --h;
      --j;
    } else if (t.chain_[size_t(j)].kind == "ARG") {
      --j;
    } else if (kind.empty()) {
      --h;
    } else {
      break;
    }
  }
  // Whatever precedes the aligned steps came with the base image; only
  // when every instruction was placed is that sure.
  if (j < 0) {
    for (long i = 0; i < first_matched && i <= h; ++i) {
      t.steps_[size_t(i)] = t.from_;
    }
  }
  return t;
}

StepSource DockerfileTrace::ForConfig(const ImageFinding& f) const {
  const std::string& where = f.finding.location.path;
  auto last_with = [&](std::string_view kind,
                       std::string_view key) -> StepSource {
    for (auto it = chain_.rbegin(); it != chain_.rend(); ++it) {
      if (it->kind != kind) continue;
      if (key.empty()) return it->source;
      for (const std::string& k : it->keys) {
        if (k == key || k.starts_with(std::string(key) + "/") ||
            k.starts_with(std::string(key) + ":")) {
          return it->source;
        }
      }
    }
    return {};
  };
  if (where == "config:User") {
    StepSource s = last_with("USER", "");
    return s.line > 0 ? s : from_;
  }
  if (where.starts_with("config:Env ")) {
    std::string name = where.substr(11);
    StepSource s = last_with("ENV", name);
    return s.line > 0 ? s : last_with("ARG", name);
  }
  if (where.starts_with("config:ExposedPorts ")) {
    std::string port = where.substr(20);
    return last_with("EXPOSE", port.substr(0, port.find('/')));
  }
  if (where.starts_with("config:Labels ")) {
    return last_with("LABEL", where.substr(14));
  }
  if (where.starts_with("history:")) {
    size_t step = size_t(std::atoi(where.c_str() + 8));
    if (step >= 1 && step <= steps_.size()) return steps_[step - 1];
    return {};
  }
  if (where == "config:Healthcheck" || where == "config:Labels" ||
      where == "config:Created") {
    return from_;
  }
  return {};
}

void DockerfileTrace::Apply(const Image& image,
                            std::vector<ImageFinding>& findings) const {
  for (ImageFinding& f : findings) {
    StepSource s;
    if (f.finding.location.path.starts_with("config:") ||
        f.finding.location.path.starts_with("history:")) {
      s = ForConfig(f);
    } else if (f.layer >= 0 && size_t(f.layer) < image.layers.size()) {
      int step = image.layers[size_t(f.layer)].history_index;
      if (step >= 0 && size_t(step) < steps_.size()) s = steps_[size_t(step)];
    }
    if (s.line == 0) continue;
    f.source.path = path_;
    f.source.line = s.line;
    f.source.column = s.column;
    f.source.end_line = s.end_line;
    f.instruction = s.text;
  }
}

}  // namespace cinch::harden
