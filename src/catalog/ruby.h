// Ruby gems: the specifications `gem install` writes for every installed
// gem (GEM_HOME/specifications/NAME-VERSION.gemspec, default gems under
// specifications/default/, Debian's ruby-* packages under
// /usr/share/rubygems-integration/*/specifications/). These files are Ruby
// code (Gem::Specification#to_ruby); they are read here as text, never
// run: one `s.name = "x".freeze` style assignment per line.
#ifndef CINCH_CATALOG_RUBY_H_
#define CINCH_CATALOG_RUBY_H_

#include "catalog/cataloger.h"

namespace cinch {

// Name, version, licences (`licenses = [...]` or `license = "..."`) and
// runtime dependencies (add_runtime_dependency, and add_dependency outside
// the `else` branch that old rubygems wrote for development dependencies
// too). An error when the name or the version is missing.
Result<Package> ParseGemspec(std::string_view text);

class GemCataloger : public ManifestCataloger {
 public:
  using ManifestCataloger::ManifestCataloger;
  std::string_view name() const override { return "gem"; }
  // Any *.gemspec in a directory named `specifications` (at any depth):
  // gemspecs elsewhere are source trees, not installed gems.
  bool Wants(const Entry& entry) const override;
  size_t MaxBytes() const override { return 4 << 20; }

 protected:
  Result<std::vector<Package>> ParseManifest(
      const std::string& path, std::string_view content) const override;
};

}  // namespace cinch

#endif  // CINCH_CATALOG_RUBY_H_
