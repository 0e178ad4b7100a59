#include "catalog/composer.h"

#include <cctype>

#include "base/json.h"
#include "catalog/license.h"

namespace cinch {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// One entry of a package list. Entries without a name or a version are
// skipped (a broken entry should not hide the rest of the file).
void AddPackage(const Json& entry, std::vector<Package>& out) {
  if (!entry.is_object()) return;
  auto text = [&](const char* key) -> std::string {
    auto it = entry.find(key);
    return it != entry.end() && it->is_string() ? it->get<std::string>() : "";
  };
  Package p;
  p.type = PackageType::kComposer;
  p.name = Lower(text("name"));
  p.version = text("version");
  if (p.name.empty() || p.version.empty()) return;

  if (auto it = entry.find("license"); it != entry.end()) {
    if (it->is_string()) {
      p.licenses.push_back(NormalizeLicense(it->get<std::string>()));
    } else if (it->is_array()) {
      for (const Json& l : *it) {
        if (l.is_string())
          p.licenses.push_back(NormalizeLicense(l.get<std::string>()));
      }
    }
    std::erase_if(p.licenses, [](const std::string& s) { return s.empty(); });
  }
  // Platform requirements ("php", "ext-json") name no package and drop
  // out when the catalog turns names into purls.
  if (auto it = entry.find("require"); it != entry.end() && it->is_object()) {
    for (const auto& [name, constraint] : it->items()) {
      p.depends_on.push_back(Lower(name));
    }
  }
  out.push_back(std::move(p));
}

Status AddList(const Json& doc, const char* key, std::vector<Package>& out) {
  CINCH_ASSIGN(const Json* list, GetArray(doc, key));
  if (list == nullptr) return {};
  for (const Json& entry : *list) AddPackage(entry, out);
  return {};
}

}  // namespace

Result<std::vector<Package>> ParseComposerLock(std::string_view text) {
  CINCH_ASSIGN(Json doc, ParseJson(text, "composer.lock"));
  if (!doc.is_object()) return Fail("composer.lock is not an object");
  std::vector<Package> out;
  CINCH_TRY(AddList(doc, "packages", out));
  CINCH_TRY(AddList(doc, "packages-dev", out));
  return out;
}

Result<std::vector<Package>> ParseComposerInstalled(std::string_view text) {
  CINCH_ASSIGN(Json doc, ParseJson(text, "installed.json"));
  std::vector<Package> out;
  if (doc.is_array()) {
    for (const Json& entry : doc) AddPackage(entry, out);
    return out;
  }
  if (!doc.is_object()) {
    return Fail("installed.json is neither an array nor an object");
  }
  CINCH_TRY(AddList(doc, "packages", out));
  return out;
}

bool ComposerCataloger::Wants(const Entry& entry) const {
  std::string_view p = entry.path;
  if (p == "vendor/composer/installed.json" ||
      p.ends_with("/vendor/composer/installed.json")) {
    return true;
  }
  // A lock file inside vendor/ came with a library and describes its
  // development setup, not what this image installed.
  bool in_vendor =
      p.starts_with("vendor/") || p.find("/vendor/") != std::string_view::npos;
  return !in_vendor && (p == "composer.lock" || p.ends_with("/composer.lock"));
}

Result<std::vector<Package>> ComposerCataloger::ParseManifest(
    const std::string& path, std::string_view content) const {
  if (path.ends_with("composer.lock")) return ParseComposerLock(content);
  return ParseComposerInstalled(content);
}

}  // namespace cinch
