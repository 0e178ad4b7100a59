// Node.js packages: every package.json with a name and a version
// (installed packages under node_modules, and applications), and the lock
// files package-lock.json (lockfileVersion 1 to 3), yarn.lock (classic v1
// and Berry) and pnpm-lock.yaml (lockfile 5 to 9). Lock files record
// dependency edges; development-only entries are left out where the
// lock file marks them.
#ifndef CINCH_CATALOG_NPM_H_
#define CINCH_CATALOG_NPM_H_

#include "catalog/cataloger.h"

namespace cinch {

// The package a package.json describes; nullopt-like empty vector when it
// has no name or version (a nested "type": "module" marker, say).
Result<std::vector<Package>> ParsePackageJson(std::string_view text);
Result<std::vector<Package>> ParsePackageLock(std::string_view text);
Result<std::vector<Package>> ParseYarnLock(std::string_view text);
Result<std::vector<Package>> ParsePnpmLock(std::string_view text);

class NpmCataloger : public ManifestCataloger {
 public:
  using ManifestCataloger::ManifestCataloger;
  std::string_view name() const override { return "npm"; }
  bool Wants(const Entry& entry) const override;
  size_t MaxBytes() const override { return 64 << 20; }

 protected:
  Result<std::vector<Package>> ParseManifest(
      const std::string& path, std::string_view content) const override;
};

}  // namespace cinch

#endif  // CINCH_CATALOG_NPM_H_
