// .NET applications: the APP.deps.json file the .NET SDK writes beside a
// built or published application (the "dependency manifest" of the .NET
// host). `libraries` lists every library by "Name/Version" with its type;
// `targets` gives, per target framework, each library's dependencies.
#ifndef CINCH_CATALOG_DOTNET_H_
#define CINCH_CATALOG_DOTNET_H_

#include "catalog/cataloger.h"

namespace cinch {

// The NuGet packages (libraries of type "package") a deps.json lists,
// with their dependencies from `targets`. Projects (the application and
// its project references) and runtime packs are not NuGet packages and
// are left out.
Result<std::vector<Package>> ParseDepsJson(std::string_view text);

class DotnetCataloger : public ManifestCataloger {
 public:
  using ManifestCataloger::ManifestCataloger;
  std::string_view name() const override { return "dotnet-deps"; }
  bool Wants(const Entry& entry) const override;
  size_t MaxBytes() const override { return 32 << 20; }

 protected:
  Result<std::vector<Package>> ParseManifest(
      const std::string& path, std::string_view content) const override;
};

}  // namespace cinch

#endif  // CINCH_CATALOG_DOTNET_H_
