// Hardening findings for `cinch inspect`: secrets in every layer (deleted
// and overwritten files included) and in the config, ELF binaries,
// permissions, attack-surface tools and configuration checks. IDs,
// severities and fixes: catalog.h, secrets/rules.h, docs/findings.md.
//
// Use: create a Hardener, pass it to WalkImage among the extra analyzers,
// then call Collect with the finished tree. The content checks (secrets,
// ELF) run as layer visitors during the single pass; the rest reads the
// merged tree and the config afterwards.
#ifndef CINCH_HARDEN_HARDEN_H_
#define CINCH_HARDEN_HARDEN_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "analyze/inspect.h"
#include "base/error.h"
#include "harden/elf.h"
#include "secrets/engine.h"
#include "walk/walker.h"

namespace cinch::harden {

// The `inspect:` section of .cinch.yaml:
//
//   inspect:
//     disable: [CH4001, network-tool]   # IDs or slugs
//     severity: {CH5005: style}         # overrides; "off" disables
//     failure-threshold: error          # style|info|warning|error|none
//     secrets:
//       allow-paths: ["app/testdata/*"] # fnmatch globs, '*' crosses '/'
//       allow-rules: [jwt]
//       allow-fingerprints: [3f2a9c0d1e4b5a67]
//       default-allow-paths: true       # the built-in list, see harden.cc
//       max-file-bytes: 10485760        # larger files: the head is scanned
struct Settings {
  std::set<std::string> disabled;  // canonical IDs
  std::map<std::string, Severity> severity;
  // Findings at or above this fail `cinch inspect`; nullopt never fails.
  std::optional<Severity> failure_threshold;
  std::vector<std::string> allow_paths;
  std::set<std::string> allow_rules;  // canonical secret rule IDs
  std::set<std::string> allow_fingerprints;
  bool default_allow_paths = true;
  uint64_t max_file_bytes = 10 * 1024 * 1024;
  std::string source;  // the file it came from
};

// Parses .cinch.yaml text; other top-level sections are ignored (they
// belong to the linter). Unknown IDs are errors so typos show.
Result<Settings> ParseSettings(std::string_view yaml, std::string_view source);
Result<Settings> LoadSettings(const std::string& path);

// The canonical ID of a finding ID or slug (checks and secret rules).
std::optional<std::string> CanonicalId(std::string_view id_or_slug);

struct Options {
  Settings settings;
  // "Now" for the image-age check, seconds since the epoch; 0 skips it
  // (tests and golden files need stable output).
  int64_t now = 0;
};

class Hardener : public Analyzer {
 public:
  static Result<std::unique_ptr<Hardener>> Create(size_t layer_count,
                                                  Options options);
  ~Hardener() override;

  std::unique_ptr<LayerVisitor> NewLayerVisitor(const Layer& layer) override;

  // After the walk: every finding, most serious first, then by layer and
  // path. Settings (disabled, severity, allowlists) are applied.
  std::vector<ImageFinding> Collect(const Image& image, const FileTree& tree,
                                    SecretScanStats* stats) const;

  struct SecretHit {
    std::string path;
    secrets::Match match;
  };
  struct ElfFile {
    std::string path;
    uint64_t size = 0;
    ElfInfo info;
  };
  // What one layer's visitor found; written only by that visitor.
  struct LayerResult {
    std::vector<SecretHit> secrets;
    std::vector<ElfFile> elf_files;
    SecretScanStats stats;
  };

 private:
  Hardener(const secrets::Engine& engine, size_t layers, Options options)
      : engine_(engine), results_(layers), options_(std::move(options)) {}

  const secrets::Engine& engine_;
  std::vector<LayerResult> results_;
  Options options_;
};

// True when `path` (no leading '/') matches a glob of `globs`.
bool PathAllowed(std::string_view path, const std::vector<std::string>& globs);
// The built-in path allowlist (documentation, language test suites).
const std::vector<std::string>& DefaultAllowPaths();

// Checks of the merged tree (permissions, tools, debug files) and of the
// config; used by Collect, exposed for tests.
std::vector<ImageFinding> CheckTree(const FileTree& tree);
std::vector<ImageFinding> CheckConfig(const Image& image,
                                      const secrets::Engine& engine,
                                      int64_t now);
std::vector<ImageFinding> CheckElf(const std::vector<Hardener::ElfFile>& files,
                                   int layer, const FileTree& tree);

}  // namespace cinch::harden

#endif  // CINCH_HARDEN_HARDEN_H_
