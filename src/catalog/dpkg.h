// Debian packages (dpkg): the status database /var/lib/dpkg/status, the
// one-file-per-package status.d/ directory that distroless images use,
// the installed-file lists info/*.list (status.d/*.md5sums for
// distroless), and licences from machine-readable copyright files
// (Debian copyright-format 1.0). Formats: deb-control(5), dpkg(1) "FILES".
#ifndef CINCH_CATALOG_DPKG_H_
#define CINCH_CATALOG_DPKG_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/cataloger.h"

namespace cinch {

struct DpkgEntry {
  // name, version, architecture, source_name/source_version (Source:, with
  // the package's own version when Source: gives none), depends_on (names
  // from Depends and Pre-Depends, every alternative).
  Package package;
  std::vector<std::string> provides;  // virtual package names
};

struct DpkgStatus {
  std::vector<DpkgEntry> entries;     // installed packages, in file order
  std::vector<std::string> problems;  // stanzas skipped, with line numbers
};

// Parses a status file (or one status.d file). Packages whose Status is
// not installed (removed, config-files, half-installed) are left out; a
// stanza without Status (distroless) counts as installed.
DpkgStatus ParseDpkgStatus(std::string_view text);

// Installed paths from an info/*.list file (one absolute path a line) or
// a status.d/*.md5sums file ("<md5>  <relative path>"), in tree form.
std::vector<std::string> ParseDpkgFileList(std::string_view text);
std::vector<std::string> ParseDpkgMd5sums(std::string_view text);

// Licences of a /usr/share/doc/PKG/copyright file as SPDX expressions
// where they map: the License: fields of a machine-readable file, else the
// /usr/share/common-licenses/NAME files it refers to. Sorted, unique.
std::vector<std::string> ParseDebianCopyright(std::string_view text);

class DpkgCataloger : public FileCataloger {
 public:
  explicit DpkgCataloger(size_t layer_count);

  std::string_view name() const override { return "dpkg"; }
  bool Wants(const Entry& entry) const override;
  Status Parse(size_t layer, const std::string& path,
               std::string_view content) override;
  void Resolve(CatalogContext& ctx, CatalogOutput& out) override;

 private:
  struct LayerState {
    std::map<std::string, std::vector<DpkgEntry>> databases;  // by path
    std::map<std::string, std::vector<std::string>> file_lists;
    std::map<std::string, std::vector<std::string>> licenses;
  };
  std::vector<LayerState> layers_;
};

}  // namespace cinch

#endif  // CINCH_CATALOG_DPKG_H_
