// The local advisory database: OSV records in one SQLite file, indexed by
// (ecosystem, package name) for matching. Records are stored whole (their
// JSON); beside each (ecosystem, name) row the store keeps that affected
// entry's ranges and versions, so that matching reads small rows and parses
// a whole record only when it matches.
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

namespace store_internal {
class Statement;
}

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
  // The affected entries for `name` (normalised with NormalizePackageName)
  // in `ecosystem` of every advisory that is not withdrawn, with only their
  // ranges and versions, ordered by advisory id and then entry. Cheap: no
  // record is parsed. Matching's first step (see match.h AdvisorySource).
  Result<std::vector<AffectedCandidate>> FindAffected(
      std::string_view ecosystem, std::string_view name);
  // The whole record `id`; an error when it is not stored.
  Result<Advisory> Get(std::string_view id);

  // True when any advisory names `ecosystem` (exactly): lets the matcher
  // tell "no advisories for this release" from "nothing affects it".
  Result<bool> HasEcosystem(std::string_view ecosystem);

  Status SetLastImport(std::string_view rfc3339);
  Result<StoreStatus> GetStatus();
  // The greatest `modified` of all records (empty when there are none):
  // what GetStatus reports as newest_modified, without counting anything.
  Result<std::string> NewestModified();

  const std::string& path() const { return path_; }

 private:
  AdvisoryStore(sqlite3* db, std::string path);
  Status Exec(const char* sql);
  Status CreateOrUpgrade();

  sqlite3* db_;
  std::string path_;
  // Prepared once: a scan runs them for every package.
  std::unique_ptr<store_internal::Statement> find_affected_;
  std::unique_ptr<store_internal::Statement> get_record_;
};

// The default database: $XDG_CACHE_HOME/cinch/advisories.db, else
// ~/.cache/cinch/advisories.db.
std::string DefaultStorePath();

// Serialises an advisory as an OSV record (for advisories that were not
// read from OSV JSON, such as Alpine secdb entries).
std::string AdvisoryToOsvJson(const Advisory& advisory);

}  // namespace cinch

#endif  // CINCH_ADVISORY_STORE_H_
