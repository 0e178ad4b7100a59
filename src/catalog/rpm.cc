#include "catalog/rpm.h"

#include <sqlite3.h>

#include <cstring>
#include <memory>

#include "catalog/license.h"

namespace cinch {
namespace {

// Where rpm keeps its database: the classic /var/lib/rpm and, on newer
// Fedora and SUSE, /usr/lib/sysimage/rpm (often /var/lib/rpm links there).
constexpr std::string_view kDatabasePaths[] = {
    "var/lib/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
    "var/lib/rpm/Packages.db",
    "usr/lib/sysimage/rpm/Packages.db",
};

// The ndb package database (rpm's lib/backend/ndb/rpmpkg.c). All numbers
// are little-endian 32-bit. The file starts with a header of
// kNdbHeaderSize bytes (magic "RpmP", format version 0, generation,
// number of slot pages); the slot pages that follow (the header's page
// included) hold 16-byte slots (magic "Slot", package index (0 = free),
// block offset, block count). A slot points at a blob in kNdbBlockSize
// units: a 16-byte blob head (magic "BlbS", package index, generation,
// length), then the header blob, then a tail.
constexpr uint32_t kNdbHeaderMagic = 0x506d7052;  // "RpmP"
constexpr uint32_t kNdbVersion = 0;
constexpr uint32_t kNdbSlotMagic = 0x746f6c53;  // "Slot"
constexpr uint32_t kNdbBlobMagic = 0x53626c42;  // "BlbS"
constexpr size_t kNdbHeaderSize = 32;
constexpr size_t kNdbPageSize = 4096;
constexpr size_t kNdbSlotSize = 16;
constexpr size_t kNdbBlockSize = 16;
constexpr size_t kNdbBlobHeadSize = 16;

// rpm tags (lib/rpmtag.h) and types.
enum RpmTag : uint32_t {
  kTagName = 1000,
  kTagVersion = 1001,
  kTagRelease = 1002,
  kTagEpoch = 1003,
  kTagLicense = 1014,
  kTagArch = 1022,
  kTagSourceRpm = 1044,
  kTagProvideName = 1047,
  kTagRequireName = 1049,
  kTagDirIndexes = 1116,
  kTagBaseNames = 1117,
  kTagDirNames = 1118,
};
enum RpmType : uint32_t {
  kTypeInt32 = 4,
  kTypeString = 6,
  kTypeStringArray = 8,
  kTypeI18nString = 9,
};
// Bounds from rpm's own header checks.
constexpr uint32_t kMaxIndexEntries = 0xffff;
constexpr uint32_t kMaxDataBytes = 256 << 20;

uint32_t Le32(const char* p) {
  auto b = [&](int i) { return uint32_t(static_cast<uint8_t>(p[i])); };
  return b(3) << 24 | b(2) << 16 | b(1) << 8 | b(0);
}

uint32_t Be32(const char* p) {
  auto b = [&](int i) { return uint32_t(static_cast<uint8_t>(p[i])); };
  return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

struct IndexEntry {
  uint32_t tag, type, offset, count;
};

class Header {
 public:
  static Result<Header> Parse(std::string_view blob) {
    if (blob.size() < 8) return Fail("rpm header shorter than 8 bytes");
    uint32_t il = Be32(blob.data());
    uint32_t dl = Be32(blob.data() + 4);
    if (il > kMaxIndexEntries || dl > kMaxDataBytes) {
      return Fail("rpm header sizes out of range ({} entries, {} bytes)", il,
                  dl);
    }
    size_t need = 8 + size_t(il) * 16 + dl;
    if (blob.size() < need) {
      return Fail("rpm header truncated: {} bytes, needs {}", blob.size(),
                  need);
    }
    Header h;
    for (uint32_t i = 0; i < il; ++i) {
      const char* e = blob.data() + 8 + i * 16;
      h.entries_.push_back({Be32(e), Be32(e + 4), Be32(e + 8), Be32(e + 12)});
    }
    h.data_ = blob.substr(8 + size_t(il) * 16, dl);
    return h;
  }

  std::vector<std::string> Strings(uint32_t tag) const {
    std::vector<std::string> out;
    const IndexEntry* e = Find(tag);
    if (e == nullptr || e->offset >= data_.size()) return out;
    if (e->type != kTypeString && e->type != kTypeStringArray &&
        e->type != kTypeI18nString) {
      return out;
    }
    size_t pos = e->offset;
    uint32_t count = e->type == kTypeString ? 1 : e->count;
    for (uint32_t i = 0; i < count && pos < data_.size(); ++i) {
      size_t end = data_.find('\0', pos);
      if (end == std::string_view::npos) break;
      out.emplace_back(data_.substr(pos, end - pos));
      pos = end + 1;
    }
    return out;
  }

  std::string String(uint32_t tag) const {
    auto s = Strings(tag);
    return s.empty() ? "" : s[0];
  }

  std::vector<uint32_t> Ints(uint32_t tag) const {
    std::vector<uint32_t> out;
    const IndexEntry* e = Find(tag);
    if (e == nullptr || e->type != kTypeInt32) return out;
    if (e->offset > data_.size() || e->count > (data_.size() - e->offset) / 4) {
      return out;
    }
    for (uint32_t i = 0; i < e->count; ++i) {
      out.push_back(Be32(data_.data() + e->offset + i * 4));
    }
    return out;
  }

 private:
  const IndexEntry* Find(uint32_t tag) const {
    for (const IndexEntry& e : entries_) {
      if (e.tag == tag) return &e;
    }
    return nullptr;
  }

  std::vector<IndexEntry> entries_;
  std::string_view data_;
};

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StatementCloser {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

}  // namespace

Result<InstalledPackage> ParseRpmHeader(std::string_view blob) {
  CINCH_ASSIGN(Header h, Header::Parse(blob));
  InstalledPackage ip;
  Package& p = ip.package;
  p.type = PackageType::kRpm;
  p.name = h.String(kTagName);
  std::string version = h.String(kTagVersion);
  std::string release = h.String(kTagRelease);
  if (p.name.empty() || version.empty()) {
    return Fail("rpm header without name or version");
  }
  p.version = release.empty() ? version : version + "-" + release;
  std::vector<uint32_t> epoch = h.Ints(kTagEpoch);
  if (!epoch.empty()) p.version = fmt::format("{}:{}", epoch[0], p.version);
  p.architecture = h.String(kTagArch);
  std::string license = h.String(kTagLicense);
  if (!license.empty()) p.licenses.push_back(NormalizeLicense(license));
  p.source_name = h.String(kTagSourceRpm);
  for (std::string& r : h.Strings(kTagRequireName)) {
    if (!r.starts_with("rpmlib(")) p.depends_on.push_back(std::move(r));
  }
  ip.provides = h.Strings(kTagProvideName);

  std::vector<std::string> base = h.Strings(kTagBaseNames);
  std::vector<std::string> dirs = h.Strings(kTagDirNames);
  std::vector<uint32_t> index = h.Ints(kTagDirIndexes);
  for (size_t i = 0; i < base.size() && i < index.size(); ++i) {
    if (index[i] >= dirs.size()) continue;
    ip.files.push_back(TreePath(dirs[index[i]] + base[i]));
  }
  return ip;
}

Result<RpmDatabase> ParseRpmSqlite(std::string_view bytes) {
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE, nullptr) !=
      SQLITE_OK) {
    sqlite3_close(raw);
    return Fail("cannot open an in-memory SQLite database");
  }
  std::unique_ptr<sqlite3, SqliteCloser> db(raw);
  // sqlite3_deserialize takes ownership of memory from sqlite3_malloc.
  auto* copy = static_cast<unsigned char*>(sqlite3_malloc64(bytes.size()));
  if (copy == nullptr) return Fail("out of memory for the rpm database");
  std::memcpy(copy, bytes.data(), bytes.size());
  if (sqlite3_deserialize(db.get(), "main", copy, sqlite3_int64(bytes.size()),
                          sqlite3_int64(bytes.size()),
                          SQLITE_DESERIALIZE_FREEONCLOSE |
                              SQLITE_DESERIALIZE_READONLY) != SQLITE_OK) {
    return Fail("not an SQLite database");
  }
  sqlite3_stmt* raw_stmt = nullptr;
  if (sqlite3_prepare_v2(db.get(), "SELECT hnum, blob FROM Packages", -1,
                         &raw_stmt, nullptr) != SQLITE_OK) {
    return Fail("rpm database: {}", sqlite3_errmsg(db.get()));
  }
  std::unique_ptr<sqlite3_stmt, StatementCloser> stmt(raw_stmt);
  RpmDatabase out;
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    int64_t hnum = sqlite3_column_int64(stmt.get(), 0);
    const void* blob = sqlite3_column_blob(stmt.get(), 1);
    int size = sqlite3_column_bytes(stmt.get(), 1);
    auto ip = ParseRpmHeader(
        std::string_view(static_cast<const char*>(blob), size_t(size)));
    if (!ip) {
      out.problems.push_back(
          fmt::format("header {}: {}", hnum, ip.error().message));
      continue;
    }
    out.packages.push_back(std::move(*ip));
  }
  if (rc != SQLITE_DONE) {
    return Fail("rpm database: {}", sqlite3_errmsg(db.get()));
  }
  return out;
}

Result<RpmDatabase> ParseRpmNdb(std::string_view db) {
  if (db.size() < kNdbHeaderSize || Le32(db.data()) != kNdbHeaderMagic) {
    return Fail("not an rpm ndb database (no RpmP magic)");
  }
  if (uint32_t version = Le32(db.data() + 4); version != kNdbVersion) {
    return Fail("rpm ndb database version {} is not supported", version);
  }
  uint32_t slot_pages = Le32(db.data() + 12);
  if (slot_pages == 0 || slot_pages > db.size() / kNdbPageSize) {
    return Fail("rpm ndb: {} slot pages do not fit in {} bytes", slot_pages,
                db.size());
  }

  RpmDatabase out;
  size_t slots_end = size_t(slot_pages) * kNdbPageSize;
  for (size_t at = kNdbHeaderSize; at + kNdbSlotSize <= slots_end;
       at += kNdbSlotSize) {
    const char* slot = db.data() + at;
    if (Le32(slot) != kNdbSlotMagic) {
      return Fail("rpm ndb: bad slot magic at offset {}", at);
    }
    uint32_t index = Le32(slot + 4);
    if (index == 0) continue;
    uint64_t offset = uint64_t(Le32(slot + 8)) * kNdbBlockSize;
    uint64_t length = uint64_t(Le32(slot + 12)) * kNdbBlockSize;
    if (offset < slots_end || offset > db.size() ||
        length > db.size() - offset || length < kNdbBlobHeadSize) {
      out.problems.push_back(fmt::format(
          "package {}: blob at offset {} ({} bytes) outside the file", index,
          offset, length));
      continue;
    }
    const char* head = db.data() + offset;
    uint32_t blob_length = Le32(head + 12);
    if (Le32(head) != kNdbBlobMagic || Le32(head + 4) != index ||
        blob_length > length - kNdbBlobHeadSize) {
      out.problems.push_back(
          fmt::format("package {}: bad blob head at offset {}", index, offset));
      continue;
    }
    auto ip = ParseRpmHeader(db.substr(offset + kNdbBlobHeadSize, blob_length));
    if (!ip) {
      out.problems.push_back(fmt::format("package {} at offset {}: {}", index,
                                         offset, ip.error().message));
      continue;
    }
    out.packages.push_back(std::move(*ip));
  }
  return out;
}

bool RpmCataloger::Wants(const Entry& entry) const {
  for (std::string_view p : kDatabasePaths) {
    if (entry.path == p) return true;
  }
  return false;
}

Status RpmCataloger::Parse(size_t layer, const std::string& path,
                           std::string_view content) {
  CINCH_ASSIGN(RpmDatabase db, path.ends_with(".sqlite")
                                   ? ParseRpmSqlite(content)
                                   : ParseRpmNdb(content));
  for (const std::string& problem : db.problems) {
    AddProblem(layer, {"/" + path, int(layer), problem});
  }
  layers_[layer].databases[path] = std::move(db.packages);
  return {};
}

void RpmCataloger::Resolve(CatalogContext& ctx, CatalogOutput& out) {
  TakeProblems(out);
  std::vector<InstalledPackage> found;
  for (std::string_view db_path : kDatabasePaths) {
    std::string path(db_path);
    const auto* entries =
        VisibleVersion(*ctx.tree, path, layers_, &LayerState::databases);
    if (entries == nullptr) continue;
    int final_layer = ctx.tree->nodes().find(path)->second.modified_layer;
    for (const InstalledPackage& e : *entries) {
      auto state = [&](int j) -> std::optional<bool> {
        auto it = layers_[size_t(j)].databases.find(path);
        if (it == layers_[size_t(j)].databases.end()) return std::nullopt;
        for (const InstalledPackage& old : it->second) {
          if (old.package.name == e.package.name &&
              old.package.version == e.package.version &&
              old.package.architecture == e.package.architecture) {
            return true;
          }
        }
        return false;
      };
      InstalledPackage f = e;
      f.db_path = path;
      f.layer = IntroducingLayer(*ctx.deletions, path, final_layer, state);
      found.push_back(std::move(f));
    }
  }
  FinishInstalled(ctx, name(), std::move(found), out);
}

}  // namespace cinch
