// Java archives: jar, war, ear (and Jenkins' jpi/hpi), nested archives
// included (WEB-INF/lib, BOOT-INF/lib, an ear's modules). A package comes
// from each META-INF/maven/**/pom.properties; an archive without one
// falls back to META-INF/MANIFEST.MF (Implementation-* or Bundle-*
// headers), then to a "name-version.jar" file name. Archives are read from
// memory with libarchive; the outer archive and each nested one are
// bounded in size, nesting in depth.
#ifndef CINCH_CATALOG_JAVA_H_
#define CINCH_CATALOG_JAVA_H_

#include "catalog/cataloger.h"

namespace cinch {

// The Maven packages of an archive held in memory; `path` names it (tree
// form) and ends up in nested packages' locations
// ("/app.war!/WEB-INF/lib/x.jar").
Result<std::vector<Package>> ParseJavaArchive(const std::string& path,
                                              std::string_view bytes);

class JavaCataloger : public ManifestCataloger {
 public:
  using ManifestCataloger::ManifestCataloger;
  std::string_view name() const override { return "java"; }
  bool Wants(const Entry& entry) const override;
  size_t MaxBytes() const override { return size_t(256) << 20; }

 protected:
  Result<std::vector<Package>> ParseManifest(
      const std::string& path, std::string_view content) const override {
    return ParseJavaArchive(path, content);
  }
};

}  // namespace cinch

#endif  // CINCH_CATALOG_JAVA_H_
