// Packages compiled into executables: Go modules from the build
// information the Go linker embeds (Go 1.18 and later: the
// "\xff Go buildinf:" header with inline strings; runtime/debug.BuildInfo
// text), and Rust crates from the .dep-v0 section that cargo-auditable
// adds (zlib-compressed JSON). One visitor serves both so that each
// executable is scanned once while it streams past.
#ifndef CINCH_CATALOG_BINARY_H_
#define CINCH_CATALOG_BINARY_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/cataloger.h"

namespace cinch {

// The build information of a Go binary.
struct GoBuildInfo {
  std::string go_version;  // "go1.21.5"
  std::string main_path;   // main module path
  std::string main_version;
  struct Module {
    std::string path;
    std::string version;
  };
  std::vector<Module> deps;  // replacements applied
};

// Parses the data after the build info magic: `data` starts at the magic.
// Returns nullopt when it is not a Go 1.18+ inline header, and an error
// when it is one but truncated or malformed.
Result<std::optional<GoBuildInfo>> ParseGoBuildInfo(std::string_view data);
// Parses runtime/debug.BuildInfo text ("path", "mod", "dep", "=>" lines).
void ParseGoModInfo(std::string_view text, GoBuildInfo& info);
// The packages of a Go binary: stdlib, the main module and every dep.
std::vector<Package> GoPackages(const GoBuildInfo& info);

// Reads the cargo-auditable dependency list of a whole ELF file: the
// packages, or an empty vector when the file has no .dep-v0 section.
Result<std::vector<Package>> ParseCargoAuditable(std::string_view elf);
// The same from the section's JSON once inflated.
Result<std::vector<Package>> ParseCargoAuditableJson(std::string_view json);

// The modules a go.mod file requires (single and block `require`
// directives, with `replace` directives that name a module version
// applied); the main module itself is not a dependency and is left out.
Result<std::vector<Package>> ParseGoMod(std::string_view text);

class GoModCataloger : public ManifestCataloger {
 public:
  using ManifestCataloger::ManifestCataloger;
  std::string_view name() const override { return "go-mod"; }
  bool Wants(const Entry& entry) const override {
    return entry.path == "go.mod" || entry.path.ends_with("/go.mod");
  }
  size_t MaxBytes() const override { return 4 << 20; }

 protected:
  Result<std::vector<Package>> ParseManifest(
      const std::string&, std::string_view content) const override {
    return ParseGoMod(content);
  }
};

class BinaryCataloger : public Cataloger {
 public:
  explicit BinaryCataloger(size_t layer_count);

  std::string_view name() const override { return "binary"; }
  std::unique_ptr<LayerVisitor> NewLayerVisitor(const Layer& layer) override;
  void Resolve(CatalogContext& ctx, CatalogOutput& out) override;

  // Whole executables up to this size are buffered to read their section
  // table (cargo-auditable); larger ones are only scanned for Go.
  static constexpr size_t kMaxBufferedElf = 64 << 20;

 private:
  friend class BinaryVisitor;
  DeclaredPackages declared_;
  std::vector<std::vector<CatalogProblem>> problems_;
};

}  // namespace cinch

#endif  // CINCH_CATALOG_BINARY_H_
