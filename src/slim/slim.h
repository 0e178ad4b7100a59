// `cinch slim`: writes a smaller image that still runs. One walk reads
// every source layer, spooling file contents to temporary files (never a
// whole layer in memory); the merged tree is then planned (what later
// layers hid, what each removal step drops, what the entrypoint needs),
// checked, and written as one new layer through an ImageSink.
//
// The output is reproducible: entries are sorted, source modification
// times are kept and new files get time 0, compression is single-threaded
// with fixed parameters, and the config keeps the source's creation time;
// the same source and options give the same digests.
#ifndef CINCH_SLIM_SLIM_H_
#define CINCH_SLIM_SLIM_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "image/sink.h"
#include "image/source.h"
#include "walk/decompress.h"

namespace cinch::slim {

struct SlimOptions {
  // Base layers (counted from the bottom) copied byte-identical; the rest
  // are squashed on top of them. 0 squashes everything.
  size_t keep_base_layers = 0;
  bool remove_docs = true;                // usr/share/doc and friends
  bool remove_man = true;                 // man and info pages
  bool remove_locales = true;             // all but keep_locales (and C.*)
  std::vector<std::string> keep_locales;  // e.g. "en", "de_DE"
  bool remove_caches = true;              // package-manager caches and indexes
  bool remove_tmp = true;                 // files under tmp/ and var/tmp/
  bool remove_logs = true;                // files under var/log/
  // Keep only the entrypoint's closure, its runtime, the app and the
  // files programs quietly read; `keep_paths` are kept too (with their
  // contents when directories).
  bool distroless = false;
  std::vector<std::string> keep_paths;
  // The user to run as ("UID[:GID]" or a name in /etc/passwd); empty
  // keeps the source's. A numeric UID missing from /etc/passwd is added
  // (as "nonroot", home /home/nonroot) with a group of the same number.
  // Drop symbol tables and debug sections from ELF executables and
  // shared objects (slim/strip.h); base layers are never touched.
  bool strip = true;
  std::string user = "65532";
  bool remove_secret_env = true;
  Compression compression = Compression::kGzip;
  int level = 6;
  // Plan and report only; the sink is not touched.
  bool dry_run = false;
  // Where spooled contents and new blobs go; empty: the system temp dir.
  std::string temp_dir;
  unsigned threads = 0;
};

struct StepSavings {
  std::string step;  // squash, docs, man, locales, caches, tmp, logs,
                     // distroless, strip
  uint64_t files = 0;
  uint64_t bytes = 0;  // uncompressed content bytes
};

struct RemovedPath {
  std::string path;
  std::string step;
  uint64_t bytes = 0;
};

struct ImageSize {
  uint64_t compressed_bytes = 0;    // sum of layer blobs
  uint64_t uncompressed_bytes = 0;  // sum of layer tars
  uint64_t layers = 0;
  uint64_t files = 0;  // visible regular files
  uint64_t file_bytes = 0;
};

struct EntrypointCheck {
  std::vector<std::string> command;  // ENTRYPOINT + CMD
  std::string program;               // resolved path of the first word
  std::vector<std::string> closure;  // paths it needs, sorted
  std::vector<std::string> missing;  // what could not be resolved
};

struct SlimReport {
  ImageSize before;
  ImageSize after;  // for a dry run, estimated from the plan
  std::vector<StepSavings> steps;
  std::vector<RemovedPath> removed;
  std::vector<std::string> removed_env;  // names
  // dpkg packages none of whose regular files remain (by their
  // var/lib/dpkg/info/NAME.list), sorted.
  std::vector<std::string> removed_packages;
  std::string user;  // the output's user
  bool added_user = false;
  EntrypointCheck entrypoint;
  std::vector<std::string> warnings;  // skipped damage and doubts
  std::string manifest_digest;        // empty for a dry run
  std::string config_digest;
};

// Slims `source` into `sink` (which may be null for a dry run) and commits
// it under `tags`. Fails, with nothing committed, when a removal would
// break the entrypoint or the entrypoint cannot be found for --distroless.
Result<SlimReport> Slim(const ImageSource& source, ImageSink* sink,
                        const std::vector<std::string>& tags,
                        const SlimOptions& options);

// The report as JSON (docs/slim.md describes the fields).
std::string ReportJson(const SlimReport& report);

}  // namespace cinch::slim

#endif  // CINCH_SLIM_SLIM_H_
