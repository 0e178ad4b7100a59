#include "dockerfile/stages.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace cinch::dockerfile {

const Stage* Build::StageOf(size_t i) const {
  for (const Stage& s : stages) {
    if (i >= s.from && i < s.end) return &s;
  }
  return nullptr;
}

const Stage* Build::FindStage(std::string_view ref, size_t before) const {
  std::string lower(ref);
  for (char& c : lower) c = char(std::tolower(uint8_t(c)));
  bool numeric = !ref.empty() &&
                 std::all_of(ref.begin(), ref.end(),
                             [](char c) { return std::isdigit(uint8_t(c)); });
  for (const Stage& s : stages) {
    if (s.from >= before) break;
    if (numeric ? std::to_string(s.index) == ref : s.name == lower) return &s;
  }
  return nullptr;
}

std::string ImageRef::Short() const {
  size_t slash = repository.rfind('/');
  return slash == std::string::npos ? repository : repository.substr(slash + 1);
}

ImageRef ParseImageRef(std::string_view ref) {
  ImageRef out;
  size_t at = ref.find('@');
  if (at != std::string_view::npos) {
    out.digest = std::string(ref.substr(at + 1));
    ref = ref.substr(0, at);
  }
  // A first component with '.', ':' or "localhost" is a registry host.
  size_t slash = ref.find('/');
  if (slash != std::string_view::npos) {
    std::string_view first = ref.substr(0, slash);
    if (first.find('.') != std::string_view::npos ||
        first.find(':') != std::string_view::npos || first == "localhost") {
      out.registry = std::string(first);
      ref = ref.substr(slash + 1);
    }
  }
  size_t colon = ref.rfind(':');
  if (colon != std::string_view::npos &&
      ref.find('/', colon) == std::string_view::npos) {
    out.tag = std::string(ref.substr(colon + 1));
    ref = ref.substr(0, colon);
  }
  out.repository = std::string(ref);
  return out;
}

namespace {

// Flags each instruction accepts (Dockerfile reference).
bool FlagAllowed(Kind kind, std::string_view f) {
  auto in = [&](std::initializer_list<std::string_view> names) {
    return std::find(names.begin(), names.end(), f) != names.end();
  };
  switch (kind) {
    case Kind::kFrom:
      return in({"platform"});
    case Kind::kRun:
      return in({"mount", "network", "security", "device"});
    case Kind::kCopy:
      return in({"from", "chown", "chmod", "link", "parents", "exclude"});
    case Kind::kAdd:
      return in({"chown", "chmod", "link", "keep-git-dir", "checksum",
                 "exclude", "unpack"});
    case Kind::kHealthcheck:
      return in(
          {"interval", "timeout", "start-period", "start-interval", "retries"});
    default:
      return false;
  }
}

bool ValidStageName(std::string_view n) {
  if (n.empty() || !std::isalpha(uint8_t(n[0]))) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return std::isalnum(uint8_t(c)) || c == '-' || c == '_' || c == '.';
  });
}

void Check(const Instruction& ins, bool in_onbuild, std::vector<Problem>& out) {
  auto problem = [&](std::string message) {
    out.push_back(Problem{std::move(message), ins.span});
  };
  std::string upper = ins.name;
  for (char& c : upper) c = char(std::toupper(uint8_t(c)));
  if (ins.kind == Kind::kUnknown) {
    problem(fmt::format("unknown instruction: {}", ins.keyword));
    return;
  }
  for (const Flag& f : ins.flags) {
    if (!FlagAllowed(ins.kind, f.name)) {
      out.push_back(Problem{
          fmt::format("unknown flag for {}: --{}", upper, f.name), f.span});
    }
  }
  size_t n = ins.args.size();
  switch (ins.kind) {
    case Kind::kFrom:
      if (n != 1 &&
          !(n == 3 && (ins.args[1].text == "as" || ins.args[1].text == "AS" ||
                       ins.args[1].text == "As" || ins.args[1].text == "aS"))) {
        problem(
            "FROM requires either one or three arguments "
            "(image [AS name])");
      } else if (n == 3) {
        std::string name = ins.args[2].text;
        for (char& c : name) c = char(std::tolower(uint8_t(c)));
        if (!ValidStageName(name)) {
          problem(fmt::format("invalid stage name \"{}\"", ins.args[2].text));
        }
      }
      break;
    case Kind::kCopy:
    case Kind::kAdd:
      if (n < 2 && !(n == 1 && !ins.heredocs.empty())) {
        problem(fmt::format("{} requires at least two arguments", upper));
      }
      break;
    case Kind::kRun:
      if (n == 0 && ins.heredocs.empty() && !ins.json) {
        problem("RUN requires at least one argument");
      }
      break;
    case Kind::kEnv:
    case Kind::kLabel:
    case Kind::kArg:
      if (ins.pairs.empty()) {
        problem(fmt::format("{} requires at least one argument", upper));
      }
      for (const KeyValue& kv : ins.pairs) {
        if (kv.key.empty())
          problem(fmt::format("{} names can not be blank", upper));
      }
      break;
    case Kind::kExpose:
    case Kind::kVolume:
      if (n == 0 && !ins.json) {
        problem(fmt::format("{} requires at least one argument", upper));
      }
      break;
    case Kind::kUser:
    case Kind::kWorkdir:
    case Kind::kStopsignal:
    case Kind::kMaintainer:
      if (n == 0)
        problem(fmt::format("{} requires exactly one argument", upper));
      break;
    case Kind::kShell:
      if (!ins.json)
        problem("SHELL requires the arguments in JSON form");
      else if (n == 0)
        problem("SHELL requires at least one argument");
      break;
    case Kind::kHealthcheck:
      if (n > 0) {
        std::string type = ins.args[0].text;
        for (char& c : type) c = char(std::toupper(uint8_t(c)));
        if (type == "NONE" && n > 1) {
          problem("HEALTHCHECK NONE takes no arguments");
        } else if (type != "NONE" && type != "CMD") {
          problem(fmt::format("unknown type \"{}\" in HEALTHCHECK (try CMD)",
                              ins.args[0].text));
        } else if (type == "CMD" && n < 2) {
          problem("missing command after HEALTHCHECK CMD");
        }
      } else {
        problem("HEALTHCHECK requires an argument");
      }
      break;
    case Kind::kOnbuild:
      if (!ins.trigger) {
        problem("ONBUILD requires at least one argument");
      } else {
        Kind t = ins.trigger->kind;
        if (t == Kind::kOnbuild || t == Kind::kFrom || t == Kind::kMaintainer) {
          problem(fmt::format("{} isn't allowed as an ONBUILD trigger",
                              ins.trigger->keyword));
        } else {
          Check(*ins.trigger, true, out);
        }
      }
      break;
    default:
      break;
  }
  (void)in_onbuild;
}

}  // namespace

Build AnalyzeStages(const Dockerfile& df) {
  Build b;
  for (size_t i = 0; i < df.instructions.size(); ++i) {
    const Instruction& ins = df.instructions[i];
    Check(ins, false, b.problems);
    if (ins.kind == Kind::kFrom) {
      if (!b.stages.empty()) b.stages.back().end = i;
      Stage s;
      s.index = b.stages.size();
      s.from = i;
      s.end = df.instructions.size();
      if (!ins.args.empty()) s.base = ins.args[0].text;
      if (ins.args.size() == 3) {
        s.name = ins.args[2].text;
        for (char& c : s.name) c = char(std::tolower(uint8_t(c)));
      }
      if (const Flag* p = ins.FindFlag("platform")) s.platform = p->value;
      if (auto e = Expand(s.base, b.global_vars, df.escape)) {
        s.base_expanded = e->value;
      }
      std::string lower = s.base_expanded;
      for (char& c : lower) c = char(std::tolower(uint8_t(c)));
      for (const Stage& earlier : b.stages) {
        if (!earlier.name.empty() && earlier.name == lower) {
          s.parent = earlier.index;
        }
      }
      b.stages.push_back(std::move(s));
      continue;
    }
    if (b.stages.empty()) {
      if (ins.kind == Kind::kArg) {
        b.global_args.push_back(i);
        for (const KeyValue& kv : ins.pairs) {
          std::optional<std::string> value;
          if (kv.has_value) {
            auto e = Expand(kv.value, b.global_vars, df.escape);
            value = e ? e->value : kv.value;
          }
          b.global_vars[kv.key] = value;
        }
      } else if (ins.kind != Kind::kUnknown) {
        b.problems.push_back(Problem{
            fmt::format("{} before the first FROM: only ARG may come first",
                        ins.keyword),
            ins.span});
      }
    }
  }
  return b;
}

}  // namespace cinch::dockerfile
