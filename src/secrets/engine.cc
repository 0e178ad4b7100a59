#include "secrets/engine.h"

#include <fmt/format.h>
#include <hs/hs.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <regex>
#include <system_error>

#include "base/io.h"
#include "base/sha256.h"
#include "secrets/check.h"

namespace cinch::secrets {
namespace {

// Leftmost start-of-match tracking cannot compile large bounded repeats
// ("Pattern is too large"), so the start database gets each pattern with
// repeats above kMaxSomBound left open ("{20,300}" becomes "{20,}"). The
// window it scans is already cut to the rule's longest match, and the
// candidate is checked afterwards, so the looser pattern finds the same
// start. A private key's start is its BEGIN line.
constexpr int kMaxSomBound = 40;

std::string StartPattern(const Rule& rule) {
  if (rule.part == SecretPart::kKeyBody) {
    return "-----BEGIN[ A-Z0-9]{0,32}PRIVATE KEY(?: BLOCK)?-----(?s:.)+";
  }
  // Keyword rules: the keyword starts the match, on the same line. (The
  // whole pattern with start tracking takes tens of seconds to compile.)
  if (rule.slug == "generic-secret-assignment") {
    std::string_view p = rule.pattern;
    return std::string(p.substr(0, p.find(")[A-Za-z0-9_") + 1)) + "[^\\n]+";
  }
  static const std::regex kRepeat(R"(\{(\d+),(\d+)\})");
  std::string p(rule.pattern);
  std::string out;
  size_t last = 0;
  for (auto it = std::sregex_iterator(p.begin(), p.end(), kRepeat);
       it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    out += p.substr(last, size_t(m.position()) - last);
    out += std::stoi(m[2].str()) > kMaxSomBound ? "{" + m[1].str() + ",}"
                                                : m.str();
    last = size_t(m.position() + m.length());
  }
  return out + p.substr(last);
}

struct DatabaseSpec {
  std::vector<std::string> patterns;
  std::vector<unsigned> flags;
  std::vector<unsigned> ids;
  unsigned mode = 0;
};

DatabaseSpec SpecFor(std::span<const Rule> rules, unsigned mode,
                     unsigned extra_flags) {
  DatabaseSpec spec;
  spec.mode = mode;
  bool start = (extra_flags & HS_FLAG_SOM_LEFTMOST) != 0;
  for (size_t i = 0; i < rules.size(); ++i) {
    spec.patterns.push_back(start ? StartPattern(rules[i])
                                  : std::string(rules[i].pattern));
    unsigned f = extra_flags;
    if (rules[i].caseless) f |= HS_FLAG_CASELESS;
    spec.flags.push_back(f);
    spec.ids.push_back(unsigned(i));
  }
  return spec;
}

Result<hs_database_t*> CompileDatabase(std::span<const Rule> rules,
                                       const DatabaseSpec& spec) {
  std::vector<const char*> expressions;
  for (const std::string& p : spec.patterns) expressions.push_back(p.c_str());
  hs_database_t* db = nullptr;
  hs_compile_error_t* error = nullptr;
  if (hs_compile_multi(expressions.data(), spec.flags.data(), spec.ids.data(),
                       unsigned(expressions.size()), spec.mode, nullptr, &db,
                       &error) != HS_SUCCESS) {
    std::string where = error->expression >= 0
                            ? std::string(rules[size_t(error->expression)].id)
                            : std::string("rules");
    std::string message = error->message;
    hs_free_compile_error(error);
    return Fail("secret rule {}: {}", where, message);
  }
  return db;
}

// Compiling the rules costs a few hundred milliseconds of CPU at every
// start, more than scanning a small image; the compiled database is
// therefore kept in the user's cache directory, named by a hash of
// everything that shapes it (library version, patterns, flags, mode). A
// cache that is missing, unreadable, stale or made for another CPU is
// simply compiled again; failing to write it is not an error.
std::string CachePath(const DatabaseSpec& spec) {
  Sha256 h;
  auto field = [&h](std::string_view text) {
    h.Update(text);
    h.Update(std::string_view("\0", 1));
  };
  field(hs_version());
  // A database compiled for this CPU's features must not be loaded on
  // another's (a home directory shared between machines).
  hs_platform_info_t platform{};
  if (hs_populate_platform(&platform) == HS_SUCCESS) {
    field(fmt::format("{}/{}", platform.tune, platform.cpu_features));
  }
  field(std::to_string(spec.mode));
  for (size_t i = 0; i < spec.patterns.size(); ++i) {
    field(spec.patterns[i]);
    field(std::to_string(spec.flags[i]));
    field(std::to_string(spec.ids[i]));
  }
  std::string hex(DigestHex(h.FinishDigest()));
  return (std::filesystem::path(UserCacheDir()) /
          fmt::format("secrets-{}.hsdb", hex.substr(0, 32)))
      .string();
}

hs_database_t* LoadCached(const std::string& path) {
  Result<std::string> bytes = ReadFileLimited(path, 64 << 20);
  if (!bytes) return nullptr;
  hs_database_t* db = nullptr;
  if (hs_deserialize_database(bytes->data(), bytes->size(), &db) !=
      HS_SUCCESS) {
    return nullptr;
  }
  return db;
}

void StoreCached(const std::string& path, const hs_database_t* db) {
  char* bytes = nullptr;
  size_t size = 0;
  if (hs_serialize_database(db, &bytes, &size) != HS_SUCCESS) return;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(),
                                      ec);
  if (!ec) (void)WriteFileAtomically(path, std::string_view(bytes, size));
  std::free(bytes);
}

Result<hs_database_t*> LoadOrCompile(std::span<const Rule> rules, unsigned mode,
                                     unsigned extra_flags, bool use_cache) {
  DatabaseSpec spec = SpecFor(rules, mode, extra_flags);
  if (!use_cache) return CompileDatabase(rules, spec);
  std::string path = CachePath(spec);
  if (hs_database_t* db = LoadCached(path)) return db;
  CINCH_ASSIGN(hs_database_t * db, CompileDatabase(rules, spec));
  StoreCached(path, db);
  return db;
}

// Start-of-match search over the window of one reported end.
struct StartSearch {
  unsigned rule;
  unsigned long long window_end;
  unsigned long long best;
};

int OnStart(unsigned id, unsigned long long from, unsigned long long to,
            unsigned, void* context) {
  auto* s = static_cast<StartSearch*>(context);
  if (id == s->rule && to == s->window_end) s->best = std::min(s->best, from);
  return 0;
}

}  // namespace

Result<std::unique_ptr<Engine>> Engine::Compile(std::span<const Rule> rules,
                                                bool use_cache) {
  if (rules.empty()) return Fail("no secret rules to compile");
  std::unique_ptr<Engine> e(new Engine);
  e->rules_ = rules;
  CINCH_ASSIGN(e->stream_db_,
               LoadOrCompile(rules, HS_MODE_STREAM, 0, use_cache));
  CINCH_ASSIGN(e->start_db_, LoadOrCompile(rules, HS_MODE_BLOCK,
                                           HS_FLAG_SOM_LEFTMOST, use_cache));
  for (const Rule& r : rules) e->window_ = std::max(e->window_, r.max_length);
  return e;
}

Result<const Engine*> Engine::Default() {
  static std::once_flag once;
  static Result<std::unique_ptr<Engine>> engine =
      Fail("secret engine not compiled");
  std::call_once(once, [] { engine = Compile(Rules(), /*use_cache=*/true); });
  if (!engine) return Fail(engine.error());
  return engine->get();
}

Engine::~Engine() {
  hs_free_database(stream_db_);
  hs_free_database(start_db_);
}

Scanner::Scanner(const Engine& engine) : engine_(engine) {
  // One scratch region serves both databases (hs_alloc_scratch grows it).
  // Allocation fails only when memory is exhausted.
  hs_alloc_scratch(engine_.stream_db_, &scratch_);
  hs_alloc_scratch(engine_.start_db_, &scratch_);
  pending_.assign(engine_.rules_.size(), 0);
}

Scanner::~Scanner() {
  if (stream_ != nullptr) hs_close_stream(stream_, scratch_, nullptr, nullptr);
  hs_free_scratch(scratch_);
}

void Scanner::Begin() {
  if (stream_ == nullptr) {
    hs_open_stream(engine_.stream_db_, 0, &stream_);
  } else {
    hs_reset_stream(stream_, 0, scratch_, nullptr, nullptr);
  }
  std::fill(pending_.begin(), pending_.end(), 0);
  hits_.clear();
  tail_.clear();
  tail_start_ = 0;
  lines_before_tail_ = 0;
  fed_ = 0;
  matches_.clear();
  match_ends_.clear();
}

int Scanner::OnHit(unsigned id, unsigned long long, unsigned long long to,
                   unsigned, void* context) {
  auto* self = static_cast<Scanner*>(context);
  self->hits_.push_back({id, to});
  return 0;
}

void Scanner::Feed(std::span<const char> chunk) {
  if (chunk.empty() || stream_ == nullptr) return;
  hits_.clear();
  hs_scan_stream(stream_, chunk.data(), unsigned(chunk.size()), 0, scratch_,
                 OnHit, this);
  tail_.append(chunk.data(), chunk.size());
  fed_ += chunk.size();
  ProcessHits(false);
  Trim();
}

std::vector<Match> Scanner::Finish() {
  if (stream_ != nullptr) {
    hits_.clear();
    hs_reset_stream(stream_, 0, scratch_, OnHit, this);
    ProcessHits(true);
  }
  std::vector<size_t> order(matches_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (matches_[a].offset != matches_[b].offset) {
      return matches_[a].offset < matches_[b].offset;
    }
    return matches_[a].rule->id < matches_[b].rule->id;
  });
  std::vector<Match> out;
  for (size_t i : order) out.push_back(std::move(matches_[i]));
  matches_.clear();
  match_ends_.clear();
  return out;
}

std::vector<Match> Scanner::Scan(std::string_view text) {
  Begin();
  Feed(text);
  return Finish();
}

// Ends of one rule arrive in order. A pattern with an open-ended repeat
// reports every end as the match grows, so consecutive ends are one match;
// it is confirmed once it stops growing.
void Scanner::ProcessHits(bool at_end) {
  for (const Hit& h : hits_) {
    uint64_t& pending = pending_[h.rule];
    if (pending != 0 && h.end <= pending + 1) {
      pending = std::max(pending, h.end);
      continue;
    }
    if (pending != 0) Confirm(h.rule, pending);
    pending = h.end;
  }
  hits_.clear();
  for (unsigned r = 0; r < pending_.size(); ++r) {
    if (pending_[r] != 0 && (at_end || pending_[r] < fed_)) {
      Confirm(r, pending_[r]);
      pending_[r] = 0;
    }
  }
}

void Scanner::Confirm(unsigned rule_index, uint64_t end) {
  const Rule& rule = engine_.rules_[rule_index];
  uint64_t first = std::max(
      tail_start_, end > rule.max_length ? end - rule.max_length : uint64_t{0});
  if (end <= first || end > tail_start_ + tail_.size()) return;
  std::string_view window(tail_.data() + (first - tail_start_), end - first);
  StartSearch search{rule_index, window.size(), window.size()};
  hs_scan(engine_.start_db_, window.data(), unsigned(window.size()), 0,
          scratch_, OnStart, &search);
  if (search.best >= window.size()) return;
  std::string_view text = window.substr(search.best);
  std::optional<SecretSpan> span = CheckCandidate(rule, text);
  if (!span) return;

  // A longer match of the same rule over the same bytes replaces the
  // shorter one found first.
  uint64_t start = first + search.best;
  for (size_t i = matches_.size(); i-- > 0;) {
    if (matches_[i].rule != &rule || match_ends_[i] <= start) continue;
    if (matches_[i].offset < start) return;
    matches_.erase(matches_.begin() + long(i));
    match_ends_.erase(match_ends_.begin() + long(i));
  }
  Match m;
  m.rule = &rule;
  m.offset = start;
  m.line = LineAt(start, &m.column);
  m.redacted = Redact(rule, text, *span);
  m.fingerprint =
      Fingerprint(rule.id, text.substr(span->begin, span->end - span->begin));
  matches_.push_back(std::move(m));
  match_ends_.push_back(end);
}

uint32_t Scanner::LineAt(uint64_t offset, uint32_t* column) const {
  std::string_view before(tail_.data(), size_t(offset - tail_start_));
  uint64_t lines = lines_before_tail_ +
                   uint64_t(std::count(before.begin(), before.end(), '\n'));
  size_t last_newline = before.rfind('\n');
  // A line that began before the window has an unknown column.
  if (last_newline != std::string_view::npos) {
    *column = uint32_t(before.size() - last_newline);
  } else {
    *column = tail_start_ == 0 ? uint32_t(before.size() + 1) : 0;
  }
  return uint32_t(std::min<uint64_t>(lines + 1, UINT32_MAX));
}

// Keeps the window of bytes a pending match may still need.
void Scanner::Trim() {
  size_t keep = engine_.window_;
  if (tail_.size() <= 2 * keep) return;
  size_t drop = tail_.size() - keep;
  lines_before_tail_ +=
      uint64_t(std::count(tail_.begin(), tail_.begin() + long(drop), '\n'));
  tail_.erase(0, drop);
  tail_start_ += drop;
}

}  // namespace cinch::secrets
