// The local advisory database: OSV records in one SQLite file, indexed by
// (ecosystem, package name) for matching. Records are stored whole (their
// JSON) and parsed again when a package asks for them.
//
// An AdvisoryStore is a single connection: use it from one thread at a
// time. Several processes may open the same file; SQLite serialises their
// writes.
#ifndef CINCH_ADVISORY_STORE_H_
#define CINCH_ADVISORY_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "advisory/osv.h"
#include "base/error.h"

struct sqlite3;

namespace cinch {

// What happened to one record offered to the store.
enum class PutOutcome {
  kAdded,      // new id
  kUpdated,    // newer `modified` (or same time, different content)
  kUnchanged,  // identical record already stored
  kKeptNewer,  // the stored record is newer; the offered one was dropped
};

struct StoreStatus {
  std::string path;
  int64_t advisories = 0;
  int64_t withdrawn = 0;
  // Advisories per ecosystem as records name it ("Debian:12", "PyPI").
  std::vector<std::pair<std::string, int64_t>> by_ecosystem;
  std::string newest_modified;  // greatest `modified`, RFC 3339
  std::string newest_id;
  std::string last_import;  // when the last import finished, RFC 3339 UTC
};

class AdvisoryStore {
 public:
  // Opens (creating when `create`) the database at `path`; parent
  // directories are created too. Opening an older or foreign file is an
  // error that says so.
  static Result<std::unique_ptr<AdvisoryStore>> Open(const std::string& path,
                                                     bool create);
  ~AdvisoryStore();
  AdvisoryStore(const AdvisoryStore&) = delete;
  AdvisoryStore& operator=(const AdvisoryStore&) = delete;

  // Imports run inside one transaction: much faster, and an interrupted
  // import leaves the previous data intact.
  Status Begin();
  Status Commit();
  Status Rollback();

  // Stores `advisory`, whose OSV JSON is `record`, unless a record with the
  // same id and a newer `modified` is stored already. Re-importing the same
  // data therefore changes nothing.
  Result<PutOutcome> Put(const Advisory& advisory, std::string_view record);

  // Every stored advisory (withdrawn ones included) with an affected entry
  // for `name` (normalised with NormalizePackageName) in `ecosystem`.
  Result<std::vector<Advisory>> Find(std::string_view ecosystem,
                                     std::string_view name);
  // True when any advisory names `ecosystem` (exactly): lets the matcher
  // tell "no advisories for this release" from "nothing affects it".
  Result<bool> HasEcosystem(std::string_view ecosystem);

  Status SetLastImport(std::string_view rfc3339);
  Result<StoreStatus> GetStatus();

  const std::string& path() const { return path_; }

 private:
  AdvisoryStore(sqlite3* db, std::string path)
      : db_(db), path_(std::move(path)) {}
  Status Exec(const char* sql);

  sqlite3* db_;
  std::string path_;
};

// The default database: $XDG_CACHE_HOME/cinch/advisories.db, else
// ~/.cache/cinch/advisories.db.
std::string DefaultStorePath();

// Serialises an advisory as an OSV record (for advisories that were not
// read from OSV JSON, such as Alpine secdb entries).
std::string AdvisoryToOsvJson(const Advisory& advisory);

}  // namespace cinch

#endif  // CINCH_ADVISORY_STORE_H_
