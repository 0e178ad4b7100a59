// Alpine and Wolfi packages (apk-tools): the installed database
// /lib/apk/db/installed, a sequence of records separated by blank lines
// whose lines are "X:value" with a one-letter key (apk-tools
// doc/apk-package(5) and the "installed database" format): P name,
// V version, A architecture, L licence, o origin (source package),
// D depends, p provides, F directory, R file in the last F.
#ifndef CINCH_CATALOG_APK_H_
#define CINCH_CATALOG_APK_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/cataloger.h"

namespace cinch {

struct ApkDatabase {
  // package (name, version, architecture, licences, source_name = origin,
  // depends_on = dependency names), provides, files.
  std::vector<InstalledPackage> packages;
  std::vector<std::string> problems;
};

ApkDatabase ParseApkInstalled(std::string_view text);

class ApkCataloger : public FileCataloger {
 public:
  explicit ApkCataloger(size_t layer_count)
      : FileCataloger(layer_count), layers_(layer_count) {}

  std::string_view name() const override { return "apk"; }
  bool Wants(const Entry& entry) const override;
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

#endif  // CINCH_CATALOG_APK_H_
