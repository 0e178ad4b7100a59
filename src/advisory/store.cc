#include "advisory/store.h"

#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>

#include "base/io.h"
#include "base/sha256.h"

namespace cinch {
namespace {

// Bumped whenever the tables change. Version 1 lacked the pre-parsed
// ranges of the affected rows; such a file is upgraded in place (its
// records are stored whole, so the rows can be rebuilt). Any other version
// is refused with a hint to re-import rather than misread.
constexpr int kSchemaVersion = 2;

// `affected` has one row per affected entry of a record: `entry` is the
// entry's index in the record's `affected` array, `name` the package name
// as NormalizePackageName gives it, and `ranges` the entry's ranges and
// versions as AffectedRangesJson writes them.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS advisory(
  id TEXT PRIMARY KEY,
  modified TEXT NOT NULL,
  withdrawn INTEGER NOT NULL,
  digest TEXT NOT NULL,
  record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS affected(
  advisory_id TEXT NOT NULL,
  entry INTEGER NOT NULL,
  ecosystem TEXT NOT NULL,
  name TEXT NOT NULL,
  ranges TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS affected_by_package ON affected(ecosystem, name);
CREATE INDEX IF NOT EXISTS affected_by_advisory ON affected(advisory_id);
CREATE INDEX IF NOT EXISTS advisory_by_modified ON advisory(modified);
)sql";

constexpr const char* kMetaTable =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT "
    "NULL);";

}  // namespace

namespace store_internal {

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

}  // namespace store_internal

namespace {

using store_internal::Statement;

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

// One `affected` row per entry of `advisory` that names a package.
Status InsertAffected(sqlite3* db, const Advisory& advisory) {
  Statement row(db,
                "INSERT INTO affected(advisory_id, entry, ecosystem, name, "
                "ranges) VALUES (?1, ?2, ?3, ?4, ?5)");
  CINCH_TRY(row.Ready());
  for (size_t i = 0; i < advisory.affected.size(); ++i) {
    const Affected& a = advisory.affected[i];
    if (a.ecosystem.empty() || a.name.empty()) continue;
    row.Reset();
    row.Bind(1, advisory.id);
    row.Bind(2, int64_t(i));
    row.Bind(3, a.ecosystem);
    row.Bind(4, NormalizePackageName(a.ecosystem, a.name));
    row.Bind(5, AffectedRangesJson(a));
    CINCH_TRY(row.Step());
  }
  return {};
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
  if (auto ok = store->CreateOrUpgrade(); !ok) return Fail(ok.error().In(path));
  store->find_affected_ = std::make_unique<Statement>(
      db,
      "SELECT f.advisory_id, f.entry, f.ranges FROM affected f JOIN advisory "
      "a ON a.id = f.advisory_id WHERE f.ecosystem = ?1 AND f.name = ?2 AND "
      "a.withdrawn = 0 ORDER BY f.advisory_id, f.entry");
  store->get_record_ = std::make_unique<Statement>(
      db, "SELECT record FROM advisory WHERE id = ?1");
  for (const auto* s :
       {store->find_affected_.get(), store->get_record_.get()}) {
    if (auto ok = s->Ready(); !ok) return Fail(ok.error().In(path));
  }
  return store;
}

AdvisoryStore::AdvisoryStore(sqlite3* db, std::string path)
    : db_(db), path_(std::move(path)) {}

Status AdvisoryStore::CreateOrUpgrade() {
  CINCH_TRY(Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"));
  CINCH_TRY(Exec(kMetaTable));
  CINCH_ASSIGN(std::string version, GetMeta(db_, "schema_version"));
  if (version == std::to_string(kSchemaVersion)) return {};
  if (version.empty()) {
    CINCH_TRY(Exec(kSchema));
    return PutMeta(db_, "schema_version", std::to_string(kSchemaVersion));
  }
  if (version != "1") {
    return Fail(
        "advisory database schema {} is not the expected {}; delete it and "
        "import again",
        version, kSchemaVersion);
  }

  // Version 1: rebuild the affected rows from the stored records, once,
  // under the write lock (another process may have done it meanwhile).
  CINCH_TRY(Begin());
  auto upgrade = [&]() -> Status {
    CINCH_ASSIGN(version, GetMeta(db_, "schema_version"));
    if (version != "1") return {};
    CINCH_TRY(Exec("DROP TABLE IF EXISTS affected"));
    CINCH_TRY(Exec(kSchema));
    Statement all(db_, "SELECT id, record FROM advisory ORDER BY id");
    CINCH_TRY(all.Ready());
    while (true) {
      CINCH_ASSIGN(bool row, all.Step());
      if (!row) break;
      auto advisory = ParseOsvText(all.Text(1), all.Text(0));
      if (!advisory) {
        return Fail(
            "upgrading from schema 1: {}; delete the database and "
            "import again",
            advisory.error().message);
      }
      CINCH_TRY(InsertAffected(db_, *advisory));
    }
    return PutMeta(db_, "schema_version", std::to_string(kSchemaVersion));
  };
  if (auto ok = upgrade(); !ok) {
    (void)Rollback();
    return ok;
  }
  return Commit();
}

AdvisoryStore::~AdvisoryStore() {
  find_affected_.reset();
  get_record_.reset();
  sqlite3_close(db_);
}

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

  CINCH_TRY(InsertAffected(db_, advisory));
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

Result<std::vector<AffectedCandidate>> AdvisoryStore::FindAffected(
    std::string_view ecosystem, std::string_view name) {
  Statement& s = *find_affected_;
  s.Reset();
  s.Bind(1, ecosystem);
  s.Bind(2, NormalizePackageName(ecosystem, name));
  std::vector<AffectedCandidate> out;
  while (true) {
    CINCH_ASSIGN(bool row, s.Step());
    if (!row) break;
    AffectedCandidate c;
    c.advisory_id = s.Text(0);
    c.entry_index = size_t(s.Int(1));
    auto entry = ParseAffectedRanges(
        s.Text(2), fmt::format("{}: {} affected[{}]", path_, c.advisory_id,
                               c.entry_index));
    if (!entry) return Fail(entry.error());
    c.entry = std::move(*entry);
    c.entry.ecosystem = std::string(ecosystem);
    c.entry.name = std::string(name);
    out.push_back(std::move(c));
  }
  return out;
}

Result<Advisory> AdvisoryStore::Get(std::string_view id) {
  Statement& s = *get_record_;
  s.Reset();
  s.Bind(1, id);
  CINCH_ASSIGN(bool row, s.Step());
  if (!row) return Fail("{}: advisory {} is not stored", path_, id);
  std::string record = s.Text(0);
  s.Reset();  // ends the read, so that a writer can checkpoint
  return ParseOsvText(record, fmt::format("{}: {}", path_, id));
}

Result<std::string> AdvisoryStore::NewestModified() {
  Statement s(db_, "SELECT max(modified) FROM advisory");
  CINCH_TRY(s.Ready());
  CINCH_TRY(s.Step());
  return s.Text(0);
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
        events.push_back({{RangeEventKey(e.kind), e.version}});
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
