#include "advisory/store.h"

#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>

#include "base/io.h"
#include "base/sha256.h"

namespace cinch {
namespace {

// Bumped whenever the tables change; an older file is refused with a hint
// to re-import rather than misread.
constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS advisory(
  id TEXT PRIMARY KEY,
  modified TEXT NOT NULL,
  withdrawn INTEGER NOT NULL,
  digest TEXT NOT NULL,
  record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS affected(
  advisory_id TEXT NOT NULL,
  ecosystem TEXT NOT NULL,
  name TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS affected_by_package ON affected(ecosystem, name);
CREATE INDEX IF NOT EXISTS affected_by_advisory ON affected(advisory_id);
CREATE INDEX IF NOT EXISTS advisory_by_modified ON advisory(modified);
)sql";

// A prepared statement, finalised on destruction.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      stmt_ = nullptr;
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Status Ready() const {
    if (stmt_ == nullptr) return Fail("sqlite: {}", sqlite3_errmsg(db_));
    return {};
  }
  void Bind(int i, std::string_view text) {
    sqlite3_bind_text(stmt_, i, text.data(), int(text.size()),
                      SQLITE_TRANSIENT);
  }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  // SQLITE_ROW, SQLITE_DONE or an error.
  Result<bool> Step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return Fail("sqlite: {}", sqlite3_errmsg(db_));
  }
  std::string Text(int col) const {
    const unsigned char* t = sqlite3_column_text(stmt_, col);
    int n = sqlite3_column_bytes(stmt_, col);
    return t == nullptr ? std::string() : std::string((const char*)t, n);
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

Result<std::string> GetMeta(sqlite3* db, const char* key) {
  Statement s(db, "SELECT value FROM meta WHERE key = ?1");
  CINCH_TRY(s.Ready());
  s.Bind(1, std::string_view(key));
  CINCH_ASSIGN(bool row, s.Step());
  return row ? s.Text(0) : std::string();
}

Status PutMeta(sqlite3* db, const char* key, std::string_view value) {
  Statement s(db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)");
  CINCH_TRY(s.Ready());
  s.Bind(1, std::string_view(key));
  s.Bind(2, value);
  CINCH_ASSIGN(bool unused, s.Step());
  (void)unused;
  return {};
}

Json SeverityJson(const std::vector<SeverityScore>& scores) {
  Json out = Json::array();
  for (const SeverityScore& s : scores) {
    out.push_back({{"type", s.type}, {"score", s.score}});
  }
  return out;
}

const char* EventKey(RangeEvent::Kind kind) {
  switch (kind) {
    case RangeEvent::Kind::kIntroduced:
      return "introduced";
    case RangeEvent::Kind::kFixed:
      return "fixed";
    case RangeEvent::Kind::kLastAffected:
      return "last_affected";
    case RangeEvent::Kind::kLimit:
      return "limit";
  }
  return "introduced";
}

const char* RangeTypeName(RangeType type) {
  switch (type) {
    case RangeType::kEcosystem:
      return "ECOSYSTEM";
    case RangeType::kSemver:
      return "SEMVER";
    case RangeType::kGit:
      return "GIT";
    case RangeType::kOther:
      return "UNKNOWN";
  }
  return "UNKNOWN";
}

}  // namespace

std::string DefaultStorePath() {
  return (std::filesystem::path(UserCacheDir()) / "advisories.db").string();
}

Result<std::unique_ptr<AdvisoryStore>> AdvisoryStore::Open(
    const std::string& path, bool create) {
  namespace fs = std::filesystem;
  if (create) {
    std::error_code ec;
    fs::path parent = fs::path(path).parent_path();
    if (!parent.empty()) fs::create_directories(parent, ec);
    if (ec) return Fail("{}: cannot create directory: {}", path, ec.message());
  } else if (!fs::exists(path)) {
    return Fail("{}: no advisory database (run 'cinch db import' first)", path);
  }
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Fail("{}: cannot open database: {}", path, message);
  }
  std::unique_ptr<AdvisoryStore> store(new AdvisoryStore(db, path));
  sqlite3_busy_timeout(db, 10000);
  for (const char* sql :
       {"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", kSchema}) {
    if (auto ok = store->Exec(sql); !ok) return Fail(ok.error().In(path));
  }

  auto version = GetMeta(db, "schema_version");
  if (!version) return Fail(version.error().In(path));
  if (version->empty()) {
    CINCH_TRY(PutMeta(db, "schema_version", std::to_string(kSchemaVersion)));
  } else if (*version != std::to_string(kSchemaVersion)) {
    return Fail(
        "{}: advisory database schema {} is not the expected {}; delete it "
        "and import again",
        path, *version, kSchemaVersion);
  }
  return store;
}

AdvisoryStore::~AdvisoryStore() { sqlite3_close(db_); }

Status AdvisoryStore::Exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    return Fail("sqlite: {}", text);
  }
  return {};
}

Status AdvisoryStore::Begin() { return Exec("BEGIN IMMEDIATE"); }
Status AdvisoryStore::Commit() { return Exec("COMMIT"); }
Status AdvisoryStore::Rollback() { return Exec("ROLLBACK"); }

Result<PutOutcome> AdvisoryStore::Put(const Advisory& advisory,
                                      std::string_view record) {
  std::string digest = Sha256Digest(record);

  // Keep whichever record is newer; RFC 3339 times in UTC compare as text
  // once their fraction digits agree, which is close enough here: equal
  // timestamps fall through to the content digest.
  Statement find(db_, "SELECT modified, digest FROM advisory WHERE id = ?1");
  CINCH_TRY(find.Ready());
  find.Bind(1, advisory.id);
  CINCH_ASSIGN(bool exists, find.Step());
  PutOutcome outcome = PutOutcome::kAdded;
  if (exists) {
    std::string modified = find.Text(0);
    if (find.Text(1) == digest) return PutOutcome::kUnchanged;
    if (advisory.modified < modified) return PutOutcome::kKeptNewer;
    outcome = PutOutcome::kUpdated;
    Statement del(db_, "DELETE FROM affected WHERE advisory_id = ?1");
    CINCH_TRY(del.Ready());
    del.Bind(1, advisory.id);
    CINCH_TRY(del.Step());
  }

  Statement put(db_,
                "INSERT OR REPLACE INTO advisory(id, modified, withdrawn, "
                "digest, record) VALUES (?1, ?2, ?3, ?4, ?5)");
  CINCH_TRY(put.Ready());
  put.Bind(1, advisory.id);
  put.Bind(2, advisory.modified);
  put.Bind(3, int64_t(advisory.withdrawn.empty() ? 0 : 1));
  put.Bind(4, digest);
  put.Bind(5, record);
  CINCH_TRY(put.Step());

  Statement row(db_,
                "INSERT INTO affected(advisory_id, ecosystem, name) "
                "VALUES (?1, ?2, ?3)");
  CINCH_TRY(row.Ready());
  for (const Affected& a : advisory.affected) {
    if (a.ecosystem.empty() || a.name.empty()) continue;
    row.Reset();
    row.Bind(1, advisory.id);
    row.Bind(2, a.ecosystem);
    row.Bind(3, NormalizePackageName(a.ecosystem, a.name));
    CINCH_TRY(row.Step());
  }
  return outcome;
}

Result<std::vector<Advisory>> AdvisoryStore::Find(std::string_view ecosystem,
                                                  std::string_view name) {
  Statement s(db_,
              "SELECT DISTINCT a.id, a.record FROM affected f JOIN advisory a "
              "ON a.id = f.advisory_id WHERE f.ecosystem = ?1 AND f.name = ?2 "
              "ORDER BY a.id");
  CINCH_TRY(s.Ready());
  s.Bind(1, ecosystem);
  s.Bind(2, NormalizePackageName(ecosystem, name));
  std::vector<Advisory> out;
  while (true) {
    CINCH_ASSIGN(bool row, s.Step());
    if (!row) break;
    std::string id = s.Text(0);
    CINCH_ASSIGN(Advisory a,
                 ParseOsvText(s.Text(1), fmt::format("{}: {}", path_, id)));
    out.push_back(std::move(a));
  }
  return out;
}

Result<bool> AdvisoryStore::HasEcosystem(std::string_view ecosystem) {
  Statement s(db_, "SELECT 1 FROM affected WHERE ecosystem = ?1 LIMIT 1");
  CINCH_TRY(s.Ready());
  s.Bind(1, ecosystem);
  return s.Step();
}

Status AdvisoryStore::SetLastImport(std::string_view rfc3339) {
  return PutMeta(db_, "last_import", rfc3339);
}

Result<StoreStatus> AdvisoryStore::GetStatus() {
  StoreStatus out;
  out.path = path_;
  {
    Statement s(db_,
                "SELECT count(*), coalesce(sum(withdrawn), 0) FROM "
                "advisory");
    CINCH_TRY(s.Ready());
    CINCH_TRY(s.Step());
    out.advisories = s.Int(0);
    out.withdrawn = s.Int(1);
  }
  {
    Statement s(db_,
                "SELECT ecosystem, count(DISTINCT advisory_id) FROM affected "
                "GROUP BY ecosystem ORDER BY ecosystem");
    CINCH_TRY(s.Ready());
    while (true) {
      CINCH_ASSIGN(bool row, s.Step());
      if (!row) break;
      out.by_ecosystem.emplace_back(s.Text(0), s.Int(1));
    }
  }
  {
    Statement s(db_,
                "SELECT id, modified FROM advisory ORDER BY modified DESC, id "
                "LIMIT 1");
    CINCH_TRY(s.Ready());
    CINCH_ASSIGN(bool row, s.Step());
    if (row) {
      out.newest_id = s.Text(0);
      out.newest_modified = s.Text(1);
    }
  }
  CINCH_ASSIGN(out.last_import, GetMeta(db_, "last_import"));
  return out;
}

std::string AdvisoryToOsvJson(const Advisory& a) {
  Json doc = {
      {"schema_version", "1.7.0"}, {"id", a.id}, {"modified", a.modified}};
  if (!a.published.empty()) doc["published"] = a.published;
  if (!a.withdrawn.empty()) doc["withdrawn"] = a.withdrawn;
  if (!a.aliases.empty()) doc["aliases"] = a.aliases;
  if (!a.upstream.empty()) doc["upstream"] = a.upstream;
  if (!a.summary.empty()) doc["summary"] = a.summary;
  if (!a.details.empty()) doc["details"] = a.details;
  if (!a.severity.empty()) doc["severity"] = SeverityJson(a.severity);
  Json affected = Json::array();
  for (const Affected& f : a.affected) {
    Json entry = {{"package", {{"ecosystem", f.ecosystem}, {"name", f.name}}}};
    if (!f.purl.empty()) entry["package"]["purl"] = f.purl;
    Json ranges = Json::array();
    for (const AffectedRange& r : f.ranges) {
      Json events = Json::array();
      for (const RangeEvent& e : r.events) {
        events.push_back({{EventKey(e.kind), e.version}});
      }
      ranges.push_back({{"type", RangeTypeName(r.type)}, {"events", events}});
    }
    if (!ranges.empty()) entry["ranges"] = ranges;
    if (!f.versions.empty()) entry["versions"] = f.versions;
    if (!f.severity.empty()) entry["severity"] = SeverityJson(f.severity);
    if (!f.distro_severity.empty()) {
      entry["ecosystem_specific"] = {{"severity", f.distro_severity}};
    }
    affected.push_back(std::move(entry));
  }
  doc["affected"] = std::move(affected);
  Json refs = Json::array();
  for (const std::string& url : a.references) {
    refs.push_back({{"type", "WEB"}, {"url", url}});
  }
  if (!refs.empty()) doc["references"] = std::move(refs);
  if (!a.database_severity.empty()) {
    doc["database_specific"] = {{"severity", a.database_severity}};
  }
  return doc.dump();
}

}  // namespace cinch
