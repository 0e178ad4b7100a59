#include "advisory/import.h"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "base/io.h"

namespace cinch {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kZipMagic = "PK\x03\x04";

bool IsUrl(std::string_view s) {
  return s.starts_with("http://") || s.starts_with("https://");
}

class Importer {
 public:
  Importer(AdvisoryStore& store, const ImportOptions& options)
      : store_(store), options_(options) {}

  ImportStats& stats() { return stats_; }

  // One JSON document: a record, an array of records, or a secdb file.
  // Damage is counted and skipped; only store failures are errors.
  Status Document(std::string_view text, std::string_view what) {
    auto doc = ParseJson(text, what);
    if (!doc) return Skip(doc.error());
    if (IsAlpineSecdb(*doc)) {
      auto advisories = ParseAlpineSecdb(*doc, what);
      if (!advisories) return Skip(advisories.error());
      for (const Advisory& a : *advisories) {
        CINCH_TRY(Store(a, AdvisoryToOsvJson(a)));
      }
      return {};
    }
    if (doc->is_array()) {
      for (size_t i = 0; i < doc->size(); ++i) {
        CINCH_TRY(Record((*doc)[i], fmt::format("{}[{}]", what, i)));
      }
      return {};
    }
    return Record(*doc, what);
  }

  Status Zip(struct archive* ar, std::string_view what) {
    struct archive_entry* entry = nullptr;
    while (true) {
      int rc = archive_read_next_header(ar, &entry);
      if (rc == ARCHIVE_EOF) return {};
      if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
        return Fail("{}: {}", what, archive_error_string(ar));
      }
      if (archive_entry_filetype(entry) != AE_IFREG) continue;
      std::string name = archive_entry_pathname(entry);
      if (!name.ends_with(".json")) continue;
      std::string where = fmt::format("{}: {}", what, name);
      int64_t size = archive_entry_size(entry);
      if (size < 0 || uint64_t(size) > options_.max_document_bytes) {
        CINCH_TRY(Skip(Error{fmt::format("{}: too large", where)}));
        continue;
      }
      std::string text(size_t(size), '\0');
      la_ssize_t n = archive_read_data(ar, text.data(), text.size());
      if (n < 0 || n != size) {
        return Fail("{}: {}", where,
                    n < 0 ? archive_error_string(ar) : "short read");
      }
      CINCH_TRY(Document(text, where));
    }
  }

 private:
  Status Record(const Json& record, std::string_view what) {
    auto advisory = ParseOsv(record, what);
    if (!advisory) return Skip(advisory.error());
    return Store(*advisory, record.dump());
  }

  Status Store(const Advisory& a, const std::string& json) {
    ++stats_.records;
    CINCH_ASSIGN(PutOutcome outcome, store_.Put(a, json));
    switch (outcome) {
      case PutOutcome::kAdded:
        ++stats_.added;
        break;
      case PutOutcome::kUpdated:
        ++stats_.updated;
        break;
      case PutOutcome::kUnchanged:
        ++stats_.unchanged;
        break;
      case PutOutcome::kKeptNewer:
        ++stats_.kept_newer;
        break;
    }
    return {};
  }

  Status Skip(const Error& e) {
    ++stats_.skipped;
    if (stats_.problems.size() < ImportStats::kMaxProblems) {
      stats_.problems.push_back(e.message);
    }
    return {};
  }

  AdvisoryStore& store_;
  const ImportOptions& options_;
  ImportStats stats_;
};

using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;

ArchivePtr NewZipReader() {
  ArchivePtr ar(archive_read_new(), archive_read_free);
  archive_read_support_format_zip(ar.get());
  return ar;
}

Status ImportZipFile(Importer& importer, const std::string& path) {
  ArchivePtr ar = NewZipReader();
  if (archive_read_open_filename(ar.get(), path.c_str(), 1 << 16) !=
      ARCHIVE_OK) {
    return Fail("{}: {}", path, archive_error_string(ar.get()));
  }
  return importer.Zip(ar.get(), path);
}

Status ImportBytes(Importer& importer, std::string_view bytes,
                   std::string_view what) {
  if (bytes.starts_with(kZipMagic)) {
    ArchivePtr ar = NewZipReader();
    if (archive_read_open_memory(ar.get(), bytes.data(), bytes.size()) !=
        ARCHIVE_OK) {
      return Fail("{}: {}", what, archive_error_string(ar.get()));
    }
    return importer.Zip(ar.get(), what);
  }
  return importer.Document(bytes, what);
}

Status ImportPath(Importer& importer, const std::string& path,
                  const ImportOptions& options) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    // Sorted, so that two imports of the same tree do the same work.
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(path, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file() && it->path().extension() == ".json") {
        files.push_back(it->path());
      }
    }
    if (ec) return Fail("{}: {}", path, ec.message());
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      CINCH_ASSIGN(std::string text,
                   ReadFileLimited(f.string(), options.max_document_bytes));
      CINCH_TRY(importer.Document(text, f.string()));
    }
    return {};
  }
  CINCH_ASSIGN(File file, File::Open(path));
  char magic[4] = {};
  CINCH_ASSIGN(size_t n, file.ReadSomeAt(0, magic));
  if (std::string_view(magic, n) == kZipMagic) {
    return ImportZipFile(importer, path);
  }
  CINCH_ASSIGN(std::string text,
               ReadFileLimited(path, options.max_document_bytes));
  return importer.Document(text, path);
}

Result<std::string> ReadStdin(size_t limit) {
  std::string out;
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0) return Fail("standard input: read failed");
    if (n == 0) return out;
    if (out.size() + size_t(n) > limit) {
      return Fail("standard input: more than {} bytes", limit);
    }
    out.append(buf, size_t(n));
  }
}

// Runs `body` inside one store transaction.
template <typename Body>
Result<ImportStats> InTransaction(AdvisoryStore& store,
                                  const ImportOptions& options, Body body) {
  Importer importer(store, options);
  CINCH_TRY(store.Begin());
  if (Status ok = body(importer); !ok) {
    (void)store.Rollback();
    return Fail(ok.error());
  }
  CINCH_TRY(store.Commit());
  return std::move(importer.stats());
}

}  // namespace

Result<ImportStats> ImportAdvisoryBytes(AdvisoryStore& store,
                                        std::string_view bytes,
                                        std::string_view what,
                                        const ImportOptions& options) {
  return InTransaction(store, options, [&](Importer& importer) {
    return ImportBytes(importer, bytes, what);
  });
}

Result<ImportStats> ImportAdvisories(AdvisoryStore& store,
                                     const std::string& source,
                                     const ImportOptions& options) {
  if (source == "-") {
    // Zips need random access, so standard input is read whole first.
    CINCH_ASSIGN(std::string bytes, ReadStdin(1u << 30));
    return ImportAdvisoryBytes(store, bytes, "standard input", options);
  }
  if (IsUrl(source)) {
    // Downloaded next to the database, then read like a local file.
    std::string tmp = store.path() + ".download";
    CINCH_TRY(DownloadToFile(source, tmp, options.max_download_bytes));
    auto stats = InTransaction(store, options, [&](Importer& importer) {
      return ImportPath(importer, tmp, options);
    });
    std::error_code ec;
    fs::remove(tmp, ec);
    if (!stats) return Fail(stats.error().In(source));
    return stats;
  }
  return InTransaction(store, options, [&](Importer& importer) {
    return ImportPath(importer, source, options);
  });
}

}  // namespace cinch
