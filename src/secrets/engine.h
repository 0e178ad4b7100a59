// The secret engine: every rule compiled into one Vectorscan (Hyperscan
// API) database and run over a file's bytes in a single streaming pass,
// however the bytes are chunked.
//
// A streaming database reports only where a match ends. The Scanner keeps
// the last few kilobytes it was fed (the longest rule's reach) and, for
// each end reported, finds the match's start with a second, block-mode
// database compiled with leftmost start-of-match; only that small window is
// scanned again. The candidate then passes its rule's checks (see check.h)
// before it becomes a Match. Memory per Scanner is bounded by the window
// and does not grow with the file.
//
// Threading: an Engine is immutable after Compile and may be shared by any
// number of threads. A Scanner is for one thread at a time.
#ifndef CINCH_SECRETS_ENGINE_H_
#define CINCH_SECRETS_ENGINE_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "secrets/rules.h"

struct hs_database;
struct hs_scratch;
struct hs_stream;

namespace cinch::secrets {

struct Match {
  const Rule* rule = nullptr;
  uint64_t offset = 0;      // of the match's first byte in the stream
  uint32_t line = 0;        // 1-based
  uint32_t column = 0;      // 1-based, in bytes
  std::string redacted;     // the match with its secret masked
  std::string fingerprint;  // stable for (rule, secret); safe to print
};

class Engine {
 public:
  // Compiles `rules`; they must outlive the engine. With `use_cache` the
  // compiled databases are loaded from, or saved to, UserCacheDir().
  static Result<std::unique_ptr<Engine>> Compile(std::span<const Rule> rules,
                                                 bool use_cache = false);
  // The built-in rules, compiled once per process (or loaded from the
  // cache). Thread-safe.
  static Result<const Engine*> Default();

  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  std::span<const Rule> rules() const { return rules_; }

 private:
  friend class Scanner;
  Engine() = default;

  std::span<const Rule> rules_;
  hs_database* stream_db_ = nullptr;
  hs_database* start_db_ = nullptr;  // block mode, leftmost start of match
  size_t window_ = 0;                // longest match any rule can produce
};

class Scanner {
 public:
  explicit Scanner(const Engine& engine);
  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  // Starts a new stream (a file); drops anything left of the last one.
  void Begin();
  void Feed(std::span<const char> chunk);
  void Feed(std::string_view text) {
    Feed(std::span(text.data(), text.size()));
  }
  // Ends the stream and returns its matches in stream order.
  std::vector<Match> Finish();

  // Begin + Feed + Finish.
  std::vector<Match> Scan(std::string_view text);

 private:
  struct Hit {
    unsigned rule;
    uint64_t end;
  };
  static int OnHit(unsigned id, unsigned long long from, unsigned long long to,
                   unsigned flags, void* context);
  void ProcessHits(bool at_end);
  void Confirm(unsigned rule, uint64_t end);
  uint32_t LineAt(uint64_t offset, uint32_t* column) const;
  void Trim();

  const Engine& engine_;
  hs_scratch* scratch_ = nullptr;
  hs_stream* stream_ = nullptr;

  std::vector<Hit> hits_;           // reported by the last scan call
  std::vector<uint64_t> pending_;   // per rule: end of a match that may grow
  std::string tail_;                // the stream's last bytes
  uint64_t tail_start_ = 0;         // stream offset of tail_[0]
  uint64_t lines_before_tail_ = 0;  // newlines in [0, tail_start_)
  uint64_t fed_ = 0;
  std::vector<Match> matches_;
  std::vector<uint64_t> match_ends_;  // parallel to matches_
};

// Shannon entropy of `s` in bits per byte.
double ShannonEntropy(std::string_view s);

}  // namespace cinch::secrets

#endif  // CINCH_SECRETS_ENGINE_H_
