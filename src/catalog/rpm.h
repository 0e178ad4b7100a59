// RPM packages: the SQLite package database (rpm 4.16+, RHEL 9, Fedora
// 33+, rpmdb.sqlite), whose Packages table holds one rpm header blob per
// installed package, and the ndb database (rpm 4.16+ on SUSE,
// Packages.db), which stores the same blobs in slots of its own file
// format. The header format (index entries of tag, type, offset and count
// over a data store, big-endian) is the one rpm's lib/header.c and the LSB
// "Package File Format" describe.
// Not read: the Berkeley DB hash database (RHEL 8 and older, CentOS 7,
// /var/lib/rpm/Packages); images that only have it get no rpm packages.
#ifndef CINCH_CATALOG_RPM_H_
#define CINCH_CATALOG_RPM_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/cataloger.h"

namespace cinch {

// Parses one header blob (as stored in rpmdb): name, version
// ("[epoch:]version-release"), architecture, licence, source rpm,
// requires, provides and installed files. Every offset and count is
// checked against the blob.
Result<InstalledPackage> ParseRpmHeader(std::string_view blob);

// Reads every header of an rpmdb.sqlite file held in memory.
struct RpmDatabase {
  std::vector<InstalledPackage> packages;
  std::vector<std::string> problems;
};
Result<RpmDatabase> ParseRpmSqlite(std::string_view db);
// Reads every header of an ndb Packages.db held in memory. A bad file
// header or slot table is an error; a bad blob is a problem and skipped.
Result<RpmDatabase> ParseRpmNdb(std::string_view db);

class RpmCataloger : public FileCataloger {
 public:
  explicit RpmCataloger(size_t layer_count)
      : FileCataloger(layer_count), layers_(layer_count) {}

  std::string_view name() const override { return "rpm"; }
  bool Wants(const Entry& entry) const override;
  size_t MaxBytes() const override { return size_t(512) << 20; }
  Status Parse(size_t layer, const std::string& path,
               std::string_view content) override;
  void Resolve(CatalogContext& ctx, CatalogOutput& out) override;

 private:
  struct LayerState {
    std::map<std::string, std::vector<InstalledPackage>> databases;
  };
  std::vector<LayerState> layers_;
};

}  // namespace cinch

#endif  // CINCH_CATALOG_RPM_H_
