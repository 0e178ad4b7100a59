// Python distributions: the core metadata of installed packages
// (*.dist-info/METADATA for wheels, *.egg-info/PKG-INFO or a bare
// *.egg-info file for eggs and Debian's python3-* packages). The format is
// the Python "Core metadata specifications": RFC 822 style headers.
#ifndef CINCH_CATALOG_PYTHON_H_
#define CINCH_CATALOG_PYTHON_H_

#include "catalog/cataloger.h"

namespace cinch {

// Name, Version and the licence (License-Expression, else a short License
// field, else the "License ::" classifiers). An error when Name or Version
// is missing.
Result<Package> ParsePythonMetadata(std::string_view text);

class PythonCataloger : public ManifestCataloger {
 public:
  using ManifestCataloger::ManifestCataloger;
  std::string_view name() const override { return "python"; }
  bool Wants(const Entry& entry) const override;
  size_t MaxBytes() const override { return 8 << 20; }

 protected:
  Result<std::vector<Package>> ParseManifest(
      const std::string& path, std::string_view content) const override;
};

}  // namespace cinch

#endif  // CINCH_CATALOG_PYTHON_H_
