// Filling the advisory store from outside data: OSV zips laid out like
// osv.dev's per-ecosystem archives (one ID.json per record), directories of
// JSON files, single JSON documents (an OSV record, an array of records, or
// an Alpine secdb file), standard input, and HTTP(S) URLs.
#ifndef CINCH_ADVISORY_IMPORT_H_
#define CINCH_ADVISORY_IMPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "advisory/store.h"
#include "base/error.h"

namespace cinch {

struct ImportStats {
  int64_t records = 0;  // records read
  int64_t added = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
  int64_t kept_newer = 0;
  int64_t skipped = 0;  // unreadable records, skipped
  // Why records were skipped (file, record and reason); at most
  // kMaxProblems of them, `skipped` counts all.
  std::vector<std::string> problems;
  static constexpr size_t kMaxProblems = 20;
};

struct ImportOptions {
  // Largest single JSON document accepted (a record or a secdb file).
  size_t max_document_bytes = 256u << 20;
  // Largest download accepted from a URL.
  uint64_t max_download_bytes = 4ull << 30;
};

// Imports everything `source` holds into `store`, in one transaction:
// either all of it lands or none does. `source` is a path (zip, directory
// or JSON file), "-" for standard input (zip or JSON), or an http:// or
// https:// URL. A record that cannot be read is skipped and counted; a
// source that cannot be read at all is an error.
Result<ImportStats> ImportAdvisories(AdvisoryStore& store,
                                     const std::string& source,
                                     const ImportOptions& options = {});

// The same from bytes in memory (zip or JSON); `what` names them.
Result<ImportStats> ImportAdvisoryBytes(AdvisoryStore& store,
                                        std::string_view bytes,
                                        std::string_view what,
                                        const ImportOptions& options = {});

// Downloads `url` to `path` with libcurl, following redirects, verifying
// TLS peers, and refusing more than `max_bytes`.
Status DownloadToFile(const std::string& url, const std::string& path,
                      uint64_t max_bytes);

}  // namespace cinch

#endif  // CINCH_ADVISORY_IMPORT_H_
