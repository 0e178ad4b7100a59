// PHP packages installed by Composer: composer.lock (the project's lock
// file: "packages" and "packages-dev") and vendor/composer/installed.json
// (what `composer install` put in vendor/: a plain array in Composer 1,
// {"packages": [...]} in Composer 2). Both are JSON as described in
// Composer's documentation (the composer.json schema for each package).
#ifndef CINCH_CATALOG_COMPOSER_H_
#define CINCH_CATALOG_COMPOSER_H_

#include "catalog/cataloger.h"

namespace cinch {

// The packages of either file: name (lower case, "vendor/name"), version
// as written ("v6.4.1"), licences from `license` (array or string) and
// the names under `require` as dependencies. Development packages are
// included: an image's vendor/ holds what was installed, and Composer
// installs packages-dev unless told --no-dev.
Result<std::vector<Package>> ParseComposerLock(std::string_view text);
Result<std::vector<Package>> ParseComposerInstalled(std::string_view text);

class ComposerCataloger : public ManifestCataloger {
 public:
  using ManifestCataloger::ManifestCataloger;
  std::string_view name() const override { return "composer"; }
  bool Wants(const Entry& entry) const override;
  size_t MaxBytes() const override { return 32 << 20; }

 protected:
  Result<std::vector<Package>> ParseManifest(
      const std::string& path, std::string_view content) const override;
};

}  // namespace cinch

#endif  // CINCH_CATALOG_COMPOSER_H_
