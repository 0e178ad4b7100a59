// CL4xxx: secrets, users and privileges.
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "lint/context.h"
#include "secrets/names.h"

namespace cinch::lint {
namespace {

bool AllOf(std::string_view s, size_t from, size_t n, int (*pred)(int)) {
  if (s.size() < from + n) return false;
  for (size_t i = from; i < from + n; ++i) {
    if (!pred(uint8_t(s[i])) && s[i] != '_' && s[i] != '-') return false;
  }
  return true;
}

// The kind of credential `s` contains, from well-known token formats;
// empty when none.
std::string_view SecretKind(std::string_view s) {
  struct Prefix {
    std::string_view prefix;
    size_t min_tail;
    std::string_view kind;
  };
  static constexpr Prefix kPrefixes[] = {
      {"AKIA", 16, "AWS access key ID"},
      {"ASIA", 16, "AWS temporary access key ID"},
      {"ghp_", 36, "GitHub token"},
      {"gho_", 36, "GitHub OAuth token"},
      {"ghs_", 36, "GitHub app token"},
      {"ghu_", 36, "GitHub user token"},
      {"github_pat_", 60, "GitHub fine-grained token"},
      {"glpat-", 20, "GitLab token"},
      {"xoxb-", 20, "Slack bot token"},
      {"xoxp-", 20, "Slack user token"},
      {"sk_live_", 20, "Stripe secret key"},
      {"AIza", 35, "Google API key"},
      {"npm_", 36, "npm token"},
      {"hf_", 30, "Hugging Face token"},
      {"pypi-", 50, "PyPI token"},
      {"dckr_pat_", 20, "Docker Hub token"},
  };
  for (const Prefix& p : kPrefixes) {
    for (size_t at = s.find(p.prefix); at != std::string_view::npos;
         at = s.find(p.prefix, at + 1)) {
      if (at > 0 && std::isalnum(uint8_t(s[at - 1]))) continue;
      if (AllOf(s, at + p.prefix.size(), p.min_tail, ::isalnum)) {
        return p.kind;
      }
    }
  }
  if (s.find("-----BEGIN") != std::string_view::npos &&
      s.find("PRIVATE KEY") != std::string_view::npos) {
    return "private key";
  }
  return {};
}

void CheckArgEnv(Context& ctx) {
  for (const Step& s : ctx.steps) {
    const Instruction& ins = *s.ins;
    if (ins.kind != Kind::kArg && ins.kind != Kind::kEnv &&
        ins.kind != Kind::kLabel) {
      continue;
    }
    for (const dockerfile::KeyValue& kv : ins.pairs) {
      if (ins.kind != Kind::kLabel && secrets::IsSecretName(kv.key)) {
        ctx.Report("CL4001", kv.span,
                   fmt::format("'{}' looks like a secret; ARG and ENV values "
                               "stay in the image",
                               kv.key));
      }
      std::string_view kind = SecretKind(kv.value);
      if (!kind.empty()) {
        ctx.Report(
            "CL4002", kv.span,
            fmt::format("The value of '{}' looks like a {}", kv.key, kind));
      }
    }
  }
}

// A literal credential in a command: a known token format, user:password
// in a URL or -u option, an Authorization header, or --password VALUE.
void CheckRunSecrets(Context& ctx, const Step& s) {
  for (const Command& c : s.commands) {
    for (size_t i = 0; i < c.args.size(); ++i) {
      const ShellWord& w = *c.args[i];
      std::string_view v = w.value;
      std::string_view kind = SecretKind(v);
      if (!kind.empty()) {
        ctx.Report("CL4003", ctx.WordSpan(s, c, w),
                   fmt::format("A {} is written on the command line of {}",
                               kind, c.name));
        continue;
      }
      size_t scheme = v.find("://");
      if (scheme != std::string_view::npos) {
        std::string_view auth = v.substr(scheme + 3);
        auth = auth.substr(0, auth.find('/'));
        size_t at = auth.find('@');
        size_t colon = auth.find(':');
        if (at != std::string_view::npos && colon < at &&
            IsLiteral(auth.substr(colon + 1, at - colon - 1))) {
          ctx.Report("CL4003", ctx.WordSpan(s, c, w),
                     "A password is written in a URL on the command line");
          continue;
        }
      }
      std::string lower = Lower(v);
      if (lower.starts_with("authorization:") &&
          lower.find('$') == std::string::npos) {
        ctx.Report("CL4003", ctx.WordSpan(s, c, w),
                   "An Authorization header with a literal credential");
        continue;
      }
      bool takes_secret = v == "--password" || v == "--token" ||
                          v == "--api-key" || v == "--apikey" ||
                          ((c.name == "curl" || c.name == "wget") &&
                           (v == "-u" || v == "--user"));
      if (takes_secret && i + 1 < c.args.size()) {
        std::string_view next = c.args[i + 1]->value;
        bool literal = IsLiteral(next) && next.find("$(") == std::string::npos;
        bool user_only = (v == "-u" || v == "--user") &&
                         next.find(':') == std::string_view::npos;
        if (literal && !user_only) {
          ctx.Report("CL4003", ctx.WordSpan(s, c, *c.args[i + 1]),
                     fmt::format("A literal credential follows {}", v));
        }
      }
      for (std::string_view opt : {"--password=", "--token="}) {
        if (v.starts_with(opt) && IsLiteral(v.substr(opt.size()))) {
          ctx.Report("CL4003", ctx.WordSpan(s, c, w),
                     fmt::format("A literal credential in {}",
                                 opt.substr(0, opt.size() - 1)));
        }
      }
    }
  }
}

// Files that hold credentials, by name.
bool CredentialFile(std::string_view path) {
  std::string_view base = Basename(path);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  static constexpr std::string_view kNames[] = {
      ".npmrc",           ".pypirc",     ".netrc",    ".env",
      ".git-credentials", ".dockercfg",  "id_rsa",    "id_dsa",
      "id_ecdsa",         "id_ed25519",  ".htpasswd", "kubeconfig",
      "credentials.json", ".boto",       ".s3cfg",    "secrets.yaml",
      "secrets.yml",      "secrets.json"};
  for (std::string_view n : kNames) {
    if (base == n) return true;
  }
  if (base.starts_with(".env.") && !base.ends_with(".example") &&
      !base.ends_with(".sample") && !base.ends_with(".template")) {
    return true;
  }
  if (path.ends_with(".aws/credentials") ||
      path.ends_with(".docker/config.json") || path.ends_with(".kube/config") ||
      path.ends_with(".ssh")) {
    return true;
  }
  return base.ends_with(".key") || base.ends_with(".p12") ||
         base.ends_with(".pfx");
}

void CheckCopiedCredentials(Context& ctx, const Step& s) {
  const Instruction& ins = *s.ins;
  if ((ins.kind != Kind::kCopy && ins.kind != Kind::kAdd) ||
      ins.FindFlag("from") || ins.args.size() < 2) {
    return;
  }
  for (size_t i = 0; i + 1 < ins.args.size(); ++i) {
    if (CredentialFile(ins.args[i].text)) {
      ctx.Report("CL4004", ins.args[i].span,
                 fmt::format("'{}' holds credentials and stays in the layer; "
                             "use RUN --mount=type=secret",
                             ins.args[i].text));
    }
  }
}

bool IsRootUser(std::string_view u) {
  std::string_view name = u.substr(0, u.find(':'));
  return name == "root" || name == "0";
}

void CheckUsers(Context& ctx) {
  if (ctx.build.stages.empty()) return;
  const dockerfile::Stage& final = ctx.build.stages.back();
  // USER set in the final stage or the stages it builds on.
  const Step* last_user = nullptr;
  for (std::optional<size_t> at = final.index; at && !last_user;
       at = ctx.build.stages[*at].parent) {
    for (const Step* s : ctx.StageSteps(int(*at))) {
      if (s->ins->kind == Kind::kUser) last_user = s;
    }
  }
  if (last_user != nullptr) {
    if (!last_user->ins->args.empty() &&
        IsRootUser(last_user->ins->args[0].text)) {
      ctx.Report("CL4006", *last_user,
                 "The last USER is root: the container runs as root");
    }
    return;
  }
  const dockerfile::Stage* root = &final;
  while (root->parent) root = &ctx.build.stages[*root->parent];
  std::string base = Lower(root->base_expanded);
  if (base.find("nonroot") != std::string::npos ||
      base.find("rootless") != std::string::npos ||
      base.find("unprivileged") != std::string::npos ||
      base.starts_with("cgr.dev/")) {
    return;
  }
  ctx.Report("CL4005", ctx.df.instructions[final.from].keyword_span,
             "No USER in the final stage: the container runs as root");
}

bool IsShell(std::string_view n) {
  return n == "sh" || n == "bash" || n == "ash" || n == "dash" || n == "zsh" ||
         n == "ksh";
}

void CheckCommands(Context& ctx, const Step& s) {
  const Command* prev = nullptr;
  for (const Command& c : s.commands) {
    if (!c.wrapper.empty() && c.wrapper == "sudo") {
      ctx.Report("CL4007", s, "Do not use sudo in RUN");
    } else if (c.name == "sudo") {
      ctx.Report("CL4007", s, "Do not use sudo in RUN");
    }
    bool from_download = prev != nullptr && prev->shell->piped_out &&
                         (prev->name == "curl" || prev->name == "wget");
    if (from_download &&
        (IsShell(c.name) || c.name.starts_with("python") || c.name == "perl" ||
         c.name == "ruby" || c.name == "node")) {
      ctx.Report("CL4008", s,
                 fmt::format("{} output piped into {}: the script runs "
                             "unverified",
                             prev->name, c.name));
    }
    if (IsShell(c.name)) {
      for (const ShellWord* w : c.args) {
        if (w->value.find("$(curl") != std::string::npos ||
            w->value.find("$(wget") != std::string::npos) {
          ctx.Report("CL4008", s, "A downloaded script is run unverified");
        }
      }
    }
    static constexpr std::string_view kNoSense[] = {
        "ssh", "vim",  "vi",  "nano", "shutdown", "reboot", "service",
        "ps",  "free", "top", "htop", "kill",     "mount",  "ifconfig"};
    for (std::string_view n : kNoSense) {
      if (c.name == n && !c.shell->substitution) {
        ctx.Report(
            "CL4010", s,
            fmt::format("'{}' makes no sense while building an image", c.name));
      }
    }
    if (c.name == "chmod") {
      for (const ShellWord* w : c.args) {
        std::string_view m = w->value;
        bool world = m == "777" || m == "0777" || m == "666" || m == "0666" ||
                     m == "a+rwx" || m == "o+w" || m == "a+w" || m == "ugo+rwx";
        if (world) {
          ctx.Report("CL4011", ctx.WordSpan(s, c, *w),
                     fmt::format("chmod {} makes files world-writable", m));
        }
      }
    }
    if (c.name == "useradd") {
      bool no_log = c.HasOption('l', "--no-log-init");
      for (size_t i = 0; i + 1 < c.args.size(); ++i) {
        std::string_view v = c.args[i]->value;
        if (v != "-u" && v != "--uid") continue;
        std::string_view uid = c.args[i + 1]->value;
        if (uid.size() >= 6 && std::all_of(uid.begin(), uid.end(), ::isdigit) &&
            !no_log) {
          ctx.Report("CL3031", s,
                     fmt::format("useradd -u {} without -l bloats the "
                                 "lastlog file",
                                 uid));
        }
      }
    }
    prev = &c;
  }
}

void CheckAddUrl(Context& ctx, const Step& s) {
  const Instruction& ins = *s.ins;
  if (ins.kind != Kind::kAdd || ins.args.size() < 2) return;
  for (size_t i = 0; i + 1 < ins.args.size(); ++i) {
    const std::string& src = ins.args[i].text;
    bool url = src.starts_with("http://") || src.starts_with("https://");
    bool git = src.starts_with("git@") || src.ends_with(".git");
    if (url && !git && !ins.FindFlag("checksum")) {
      ctx.Report("CL4012", ins.args[i].span,
                 fmt::format("ADD {} is not verified with --checksum", src));
    }
    bool archive = src.ends_with(".tar") || src.ends_with(".tar.gz") ||
                   src.ends_with(".tgz") || src.ends_with(".tar.bz2") ||
                   src.ends_with(".tar.xz") || src.ends_with(".txz") ||
                   src.ends_with(".tar.zst");
    if (!url && !git && !archive && IsLiteral(src)) {
      ctx.Report("CL3034", ins.args[i].span,
                 fmt::format("Use COPY instead of ADD for '{}'", src));
      break;
    }
  }
}

}  // namespace

void CheckSecurity(Context& ctx) {
  CheckArgEnv(ctx);
  for (const Step& s : ctx.steps) {
    CheckRunSecrets(ctx, s);
    CheckCopiedCredentials(ctx, s);
    CheckCommands(ctx, s);
    CheckAddUrl(ctx, s);
  }
  CheckUsers(ctx);
}

}  // namespace cinch::lint
