#include "harden/harden.h"

#include <fnmatch.h>

#include <algorithm>
#include <array>

#include <yaml-cpp/yaml.h>

#include "base/io.h"
#include "harden/catalog.h"
#include "secrets/rules.h"

namespace cinch::harden {
namespace {

constexpr size_t kMaxSettingsBytes = 1 << 20;
// Bytes looked at to call a file binary: a NUL byte there means it is.
constexpr size_t kBinarySniffBytes = 1024;

// Files whose type says they hold no text worth scanning.
constexpr std::array<std::string_view, 40> kBinaryExtensions = {
    ".png",    ".jpg",  ".jpeg",  ".gif", ".ico",  ".webp",  ".bmp", ".tif",
    ".svgz",   ".woff", ".woff2", ".ttf", ".otf",  ".eot",   ".gz",  ".tgz",
    ".xz",     ".zst",  ".bz2",   ".lz4", ".zip",  ".jar",   ".war", ".whl",
    ".egg",    ".pyc",  ".pyo",   ".so",  ".a",    ".o",     ".mo",  ".db",
    ".sqlite", ".mp3",  ".mp4",   ".ogg", ".wasm", ".class", ".deb", ".rpm"};

bool HasBinaryExtension(std::string_view path) {
  size_t dot = path.rfind('.');
  size_t slash = path.rfind('/');
  if (dot == std::string_view::npos ||
      (slash != std::string_view::npos && dot < slash)) {
    return false;
  }
  std::string_view ext = path.substr(dot);
  // Versioned shared objects: libfoo.so.1.2.3.
  if (path.find(".so.") != std::string_view::npos) return true;
  return std::find(kBinaryExtensions.begin(), kBinaryExtensions.end(), ext) !=
         kBinaryExtensions.end();
}

class LayerHardener : public LayerVisitor {
 public:
  LayerHardener(const secrets::Engine& engine, const Settings& settings,
                Hardener::LayerResult& result)
      : settings_(settings), scanner_(engine), result_(result) {}

  bool OnEntry(const Entry& entry) override {
    if (entry.type != EntryType::kRegular ||
        entry.whiteout != Whiteout::kNone || entry.size == 0) {
      return false;
    }
    path_ = entry.path;
    size_ = entry.size;
    seen_ = 0;
    scan_secrets_ = WantSecrets(entry.path);
    elf_.emplace(entry.size);
    scanner_.Begin();
    return true;
  }

  void OnData(std::span<const char> chunk) override {
    if (seen_ == 0) Sniff(chunk);
    if (elf_ && !elf_->rejected()) elf_->Feed(chunk);
    if (scan_secrets_) {
      uint64_t room =
          settings_.max_file_bytes - std::min(seen_, settings_.max_file_bytes);
      size_t n = size_t(std::min<uint64_t>(room, chunk.size()));
      if (n > 0) scanner_.Feed(chunk.first(n));
      result_.stats.bytes_scanned += n;
    }
    seen_ += chunk.size();
  }

  void OnEntryEnd() override {
    if (scan_secrets_) {
      ++result_.stats.files_scanned;
      if (size_ > settings_.max_file_bytes) ++result_.stats.files_truncated;
      for (secrets::Match& m : scanner_.Finish()) {
        result_.secrets.push_back({path_, std::move(m)});
      }
    }
    if (elf_ && elf_->is_elf()) {
      result_.elf_files.push_back({path_, size_, elf_->Finish()});
    }
    elf_.reset();
  }

 private:
  bool WantSecrets(const std::string& path) {
    if (HasBinaryExtension(path)) {
      ++result_.stats.files_binary;
      return false;
    }
    if ((settings_.default_allow_paths &&
         PathAllowed(path, DefaultAllowPaths())) ||
        PathAllowed(path, settings_.allow_paths)) {
      ++result_.stats.files_allowlisted;
      return false;
    }
    return true;
  }

  // Binary content is not scanned: credentials in it are rarely in the
  // clear, and text patterns over machine code raise false alarms.
  void Sniff(std::span<const char> first) {
    if (!scan_secrets_) return;
    std::span<const char> head =
        first.first(std::min(first.size(), kBinarySniffBytes));
    if (LooksLikeElf(head) ||
        std::find(head.begin(), head.end(), '\0') != head.end()) {
      scan_secrets_ = false;
      ++result_.stats.files_binary;
    }
  }

  const Settings& settings_;
  secrets::Scanner scanner_;
  Hardener::LayerResult& result_;
  std::string path_;
  uint64_t size_ = 0;
  uint64_t seen_ = 0;
  bool scan_secrets_ = false;
  std::optional<ElfScanner> elf_;
};

std::string StateOf(const FileTree& tree, const std::string& path, int layer) {
  auto it = tree.nodes().find(path);
  if (it == tree.nodes().end() || !it->second.visible()) return "deleted";
  return it->second.modified_layer == layer ? "visible" : "overwritten";
}

std::string StateNote(const std::string& state, int layer) {
  if (state == "visible") return "";
  return fmt::format(" ({} later, still in layer {})", state, layer + 1);
}

ImageFinding SecretFinding(const Hardener::SecretHit& hit, int layer,
                           const std::string& state) {
  const secrets::Rule& rule = *hit.match.rule;
  ImageFinding f;
  f.finding.rule = std::string(rule.id);
  f.finding.aliases = {std::string(rule.slug)};
  f.finding.severity = rule.severity;
  f.finding.message =
      fmt::format("{} in /{}{}", rule.title, hit.path, StateNote(state, layer));
  f.finding.location.path = "/" + hit.path;
  f.finding.location.line = hit.match.line;
  f.finding.location.column = hit.match.column;
  f.title = std::string(rule.title);
  f.layer = layer;
  f.state = state;
  f.match = hit.match.redacted;
  f.fingerprint = hit.match.fingerprint;
  return f;
}

bool MoreSerious(const ImageFinding& a, const ImageFinding& b) {
  if (a.finding.severity != b.finding.severity) {
    return a.finding.severity > b.finding.severity;
  }
  if (a.layer != b.layer) return a.layer < b.layer;
  if (a.finding.location.path != b.finding.location.path) {
    return a.finding.location.path < b.finding.location.path;
  }
  if (a.finding.location.line != b.finding.location.line) {
    return a.finding.location.line < b.finding.location.line;
  }
  return a.finding.rule < b.finding.rule;
}

// Settings parsing.
Result<std::vector<std::string>> Strings(const YAML::Node& n,
                                         std::string_view key,
                                         std::string_view source) {
  std::vector<std::string> out;
  if (!n) return out;
  if (n.IsScalar()) return std::vector<std::string>{n.as<std::string>()};
  if (!n.IsSequence()) return Fail("{}: {} must be a list", source, key);
  for (const auto& e : n) {
    if (!e.IsScalar()) return Fail("{}: {} must list strings", source, key);
    out.push_back(e.as<std::string>());
  }
  return out;
}

Result<std::string> Canonical(const std::string& id, std::string_view source) {
  std::optional<std::string> c = CanonicalId(id);
  if (!c) return Fail("{}: unknown finding \"{}\"", source, id);
  return *c;
}

Status ParseSecrets(const YAML::Node& n, std::string_view source, Settings& s) {
  if (!n) return {};
  if (!n.IsMap()) return Fail("{}: inspect.secrets must be a mapping", source);
  CINCH_ASSIGN(s.allow_paths, Strings(n["allow-paths"], "allow-paths", source));
  for (std::string& p : s.allow_paths) {
    if (p.starts_with("/")) p.erase(0, 1);
  }
  CINCH_ASSIGN(auto rules, Strings(n["allow-rules"], "allow-rules", source));
  for (const std::string& r : rules) {
    const secrets::Rule* rule = secrets::FindRule(r);
    if (rule == nullptr)
      return Fail("{}: unknown secret rule \"{}\"", source, r);
    s.allow_rules.insert(std::string(rule->id));
  }
  CINCH_ASSIGN(auto prints,
               Strings(n["allow-fingerprints"], "allow-fingerprints", source));
  s.allow_fingerprints.insert(prints.begin(), prints.end());
  if (n["default-allow-paths"]) {
    s.default_allow_paths = n["default-allow-paths"].as<bool>();
  }
  if (n["max-file-bytes"]) {
    s.max_file_bytes = n["max-file-bytes"].as<uint64_t>();
  }
  return {};
}

Status ParseInspect(const YAML::Node& n, std::string_view source, Settings& s) {
  if (!n.IsMap()) return Fail("{}: inspect must be a mapping", source);
  CINCH_ASSIGN(auto disabled, Strings(n["disable"], "disable", source));
  for (const std::string& id : disabled) {
    CINCH_ASSIGN(std::string c, Canonical(id, source));
    s.disabled.insert(c);
  }
  if (const YAML::Node& sev = n["severity"]) {
    if (!sev.IsMap()) return Fail("{}: severity must be a mapping", source);
    for (const auto& kv : sev) {
      CINCH_ASSIGN(std::string c,
                   Canonical(kv.first.as<std::string>(), source));
      std::string level = kv.second.as<std::string>();
      if (level == "off") {
        s.disabled.insert(c);
        continue;
      }
      std::optional<Severity> parsed = ParseSeverity(level);
      if (!parsed) return Fail("{}: bad severity \"{}\"", source, level);
      s.severity[c] = *parsed;
    }
  }
  if (const YAML::Node& t = n["failure-threshold"]) {
    std::string v = t.as<std::string>();
    if (v != "none" && v != "never") {
      s.failure_threshold = ParseSeverity(v);
      if (!s.failure_threshold) {
        return Fail("{}: bad failure-threshold \"{}\"", source, v);
      }
    }
  }
  return ParseSecrets(n["secrets"], source, s);
}

}  // namespace

std::optional<std::string> CanonicalId(std::string_view id_or_slug) {
  if (const Check* c = FindCheck(id_or_slug)) return std::string(c->id);
  if (const secrets::Rule* r = secrets::FindRule(id_or_slug)) {
    return std::string(r->id);
  }
  return std::nullopt;
}

Result<Settings> ParseSettings(std::string_view yaml, std::string_view source) {
  Settings s;
  s.source = std::string(source);
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    if (root.IsNull()) return s;
    if (!root.IsMap()) return Fail("{}: expected a mapping", source);
    if (root["inspect"]) CINCH_TRY(ParseInspect(root["inspect"], source, s));
  } catch (const YAML::Exception& e) {
    // yaml-cpp reports syntax and conversion errors by exception; they
    // stop here and travel on as values.
    return Fail("{}: {}", source, e.what());
  }
  return s;
}

Result<Settings> LoadSettings(const std::string& path) {
  CINCH_ASSIGN(std::string text, ReadFileLimited(path, kMaxSettingsBytes));
  return ParseSettings(text, path);
}

bool PathAllowed(std::string_view path, const std::vector<std::string>& globs) {
  std::string p(path);
  for (const std::string& g : globs) {
    if (::fnmatch(g.c_str(), p.c_str(), 0) == 0) return true;
  }
  return false;
}

const std::vector<std::string>& DefaultAllowPaths() {
  // Documentation and the test suites of language runtimes ship sample
  // keys and tokens on purpose; reporting them would bury real findings.
  static const std::vector<std::string> kPaths = {
      "usr/share/doc/*",
      "usr/share/man/*",
      "usr/share/info/*",
      "usr/share/locale/*",
      "usr/lib/python3*/test/*",
      "usr/local/lib/python3*/test/*",
      "usr/lib/python3*/*/tests/*",
      "usr/local/lib/python3*/*/tests/*",
      "usr/lib/go*/src/*",
      "usr/local/go/src/*",
      "usr/share/go*/src/*",
      "*/node_modules/*/test/*",
      "*/node_modules/*/tests/*",
      "*/node_modules/*/docs/*",
      "etc/ssl/certs/*",
      "usr/share/ca-certificates/*",
  };
  return kPaths;
}

Result<std::unique_ptr<Hardener>> Hardener::Create(size_t layer_count,
                                                   Options options) {
  CINCH_ASSIGN(const secrets::Engine* engine, secrets::Engine::Default());
  return std::unique_ptr<Hardener>(
      new Hardener(*engine, layer_count, std::move(options)));
}

Hardener::~Hardener() = default;

std::unique_ptr<LayerVisitor> Hardener::NewLayerVisitor(const Layer& layer) {
  if (layer.index >= results_.size()) return nullptr;
  // Each visitor writes only its own layer's slot; the vector is sized
  // before the walk and never resized during it.
  LayerResult& self = results_[layer.index];
  return std::make_unique<LayerHardener>(engine_, options_.settings, self);
}

std::vector<ImageFinding> Hardener::Collect(const Image& image,
                                            const FileTree& tree,
                                            SecretScanStats* stats) const {
  const Settings& s = options_.settings;
  std::vector<ImageFinding> all;
  for (size_t l = 0; l < results_.size(); ++l) {
    const LayerResult& r = results_[l];
    for (const SecretHit& hit : r.secrets) {
      if (s.allow_rules.count(std::string(hit.match.rule->id)) > 0 ||
          s.allow_fingerprints.count(hit.match.fingerprint) > 0) {
        continue;
      }
      all.push_back(
          SecretFinding(hit, int(l), StateOf(tree, hit.path, int(l))));
    }
    auto elf = CheckElf(r.elf_files, int(l), tree);
    all.insert(all.end(), elf.begin(), elf.end());
    if (stats != nullptr) {
      stats->files_scanned += r.stats.files_scanned;
      stats->bytes_scanned += r.stats.bytes_scanned;
      stats->files_binary += r.stats.files_binary;
      stats->files_truncated += r.stats.files_truncated;
      stats->files_allowlisted += r.stats.files_allowlisted;
    }
  }
  auto from_tree = CheckTree(tree);
  all.insert(all.end(), from_tree.begin(), from_tree.end());
  auto from_config = CheckConfig(image, engine_, options_.now);
  all.insert(all.end(), from_config.begin(), from_config.end());

  std::vector<ImageFinding> kept;
  for (ImageFinding& f : all) {
    if (s.disabled.count(f.finding.rule) > 0) continue;
    if (!f.fingerprint.empty() &&
        (s.allow_fingerprints.count(f.fingerprint) > 0 ||
         s.allow_rules.count(f.finding.rule) > 0)) {
      continue;
    }
    if (auto it = s.severity.find(f.finding.rule); it != s.severity.end()) {
      f.finding.severity = it->second;
    }
    if (f.layer >= 0 && size_t(f.layer) < image.layers.size()) {
      f.finding.location.layer = image.layers[size_t(f.layer)].diff_id;
    }
    kept.push_back(std::move(f));
  }
  std::stable_sort(kept.begin(), kept.end(), MoreSerious);
  return kept;
}

}  // namespace cinch::harden
