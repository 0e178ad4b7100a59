// `cinch inspect`: where an image's bytes go. Runs the layer walk once,
// merges the tree and summarises layers, waste, bloat and the largest
// files into an InspectReport that the reporters print.
#ifndef CINCH_ANALYZE_INSPECT_H_
#define CINCH_ANALYZE_INSPECT_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"
#include "image/source.h"
#include "lint/finding.h"
#include "tree/file_tree.h"
#include "walk/walker.h"

namespace cinch {

struct LayerRow {
  int layer = -1;      // index into the image's layers; -1 for an empty step
  std::string digest;  // blob digest (may be empty: classic docker-archive)
  std::string diff_id;
  std::string compression;
  uint64_t compressed_bytes = 0;
  uint64_t uncompressed_bytes = 0;  // the tar stream
  uint64_t file_bytes = 0;          // regular-file content in the layer
  uint64_t wasted_bytes = 0;
  uint64_t added = 0;
  uint64_t changed = 0;
  uint64_t removed = 0;
  std::string created;
  std::string created_by;
};

struct BloatRow {
  std::string kind;
  std::string label;
  std::string fix;
  uint64_t bytes = 0;
  uint64_t files = 0;
  std::vector<int> layers;  // layers holding the visible files, ascending
};

struct PathRow {
  std::string path;
  uint64_t bytes = 0;
  int layer = -1;    // files: the layer that wrote it
  int versions = 0;  // waste: how many hidden versions
};

// One visible path of the final file system.
struct FileRow {
  std::string path;
  EntryType type = EntryType::kRegular;
  uint64_t bytes = 0;
  uint32_t mode = 0;
  int layer = -1;
};

// A hardening finding about the image (src/harden/, docs/findings.md):
// the generic Finding plus what only an image has. finding.location names
// the path in the image (or a config field such as "config:Env"), the
// layer's diff ID, and the line inside the file when there is one.
struct ImageFinding {
  Finding finding;
  std::string title;  // the kind, e.g. "AWS access key ID"
  int layer = -1;     // index of the layer; -1 for the config
  // "visible" in the final file system, "deleted" by a later layer or
  // "overwritten" by one (both still extractable from the layer), or
  // empty when the finding is not about a file.
  std::string state;
  std::string match;        // secrets: the match, redacted
  std::string fingerprint;  // secrets: for allowlists
  uint64_t bytes = 0;       // bytes at stake (strippable, a tool's size)
  // With --dockerfile: the instruction that made the layer or setting.
  Location source;
  std::string instruction;  // that instruction's text, one line
};

// Counts of the secret scan, so a reader knows what was not looked at.
struct SecretScanStats {
  uint64_t files_scanned = 0;
  uint64_t bytes_scanned = 0;
  uint64_t files_binary = 0;       // skipped: binary content or type
  uint64_t files_truncated = 0;    // larger than the limit: head scanned
  uint64_t files_allowlisted = 0;  // skipped by allowlisted path
};

struct InspectReport {
  std::string reference;
  std::string transport;
  std::string manifest_digest;
  std::string config_digest;
  std::string platform;
  std::vector<std::string> repo_tags;
  std::string created;
  std::string user;

  std::vector<LayerRow> steps;  // history order, empty steps included
  size_t layer_count = 0;
  uint64_t compressed_bytes = 0;
  uint64_t uncompressed_bytes = 0;
  uint64_t shipped_file_bytes = 0;  // every file version in every layer
  uint64_t visible_file_bytes = 0;  // the final file system
  uint64_t visible_files = 0;
  uint64_t wasted_bytes = 0;
  double efficiency = 1.0;

  std::vector<BloatRow> bloat;  // kinds with at least one file
  uint64_t bloat_bytes = 0;
  std::vector<PathRow> largest_files;
  std::vector<PathRow> largest_dirs;
  std::vector<PathRow> wasted_paths;
  std::vector<FileRow> files;  // with InspectOptions::list_files

  // Hardening findings, most serious first; empty when not requested.
  bool findings_checked = false;
  std::vector<ImageFinding> findings;
  SecretScanStats secret_scan;
};

struct InspectOptions {
  size_t top = 10;          // rows in each "largest" list
  bool list_files = false;  // fill InspectReport::files
};

// The result of the single pass over an image's layers: per-layer stream
// statistics and the merged tree. Other analyses that ran as visitors of
// the same pass combine their own per-layer results with this.
struct ImageWalk {
  std::vector<LayerStats> stats;  // by layer index
  FileTree tree{0};
};

// Walks every layer once, feeding `extra` analyzers alongside the tree
// builder.
Result<ImageWalk> WalkImage(const ImageSource& source,
                            std::span<Analyzer* const> extra,
                            const WalkOptions& options);

// Summarises a finished walk for `cinch inspect`.
InspectReport Summarize(const Image& image, const ImageWalk& walk,
                        const InspectOptions& options);

}  // namespace cinch

#endif  // CINCH_ANALYZE_INSPECT_H_
