#include "catalog/dotnet.h"

#include <map>
#include <set>

#include "base/json.h"

namespace cinch {
namespace {

// "Newtonsoft.Json/13.0.3" -> ("Newtonsoft.Json", "13.0.3").
std::pair<std::string, std::string> SplitLibraryKey(std::string_view key) {
  size_t slash = key.rfind('/');
  if (slash == std::string_view::npos) return {};
  return {std::string(key.substr(0, slash)),
          std::string(key.substr(slash + 1))};
}

// Library key -> the names it depends on, over every target framework.
std::map<std::string, std::set<std::string>> TargetDependencies(
    const Json& doc) {
  std::map<std::string, std::set<std::string>> out;
  auto targets = doc.find("targets");
  if (targets == doc.end() || !targets->is_object()) return out;
  for (const auto& [framework, libraries] : targets->items()) {
    if (!libraries.is_object()) continue;
    for (const auto& [key, library] : libraries.items()) {
      if (!library.is_object()) continue;
      auto deps = library.find("dependencies");
      if (deps == library.end() || !deps->is_object()) continue;
      for (const auto& [name, version] : deps->items()) out[key].insert(name);
    }
  }
  return out;
}

}  // namespace

Result<std::vector<Package>> ParseDepsJson(std::string_view text) {
  CINCH_ASSIGN(Json doc, ParseJson(text, "deps.json"));
  if (!doc.is_object()) return Fail("deps.json is not an object");
  CINCH_ASSIGN(const Json* libraries, GetObject(doc, "libraries"));
  std::vector<Package> out;
  if (libraries == nullptr) return out;
  std::map<std::string, std::set<std::string>> deps = TargetDependencies(doc);
  for (const auto& [key, library] : libraries->items()) {
    if (!library.is_object()) continue;
    auto type = library.find("type");
    if (type == library.end() || !type->is_string() ||
        type->get<std::string>() != "package") {
      continue;
    }
    auto [name, version] = SplitLibraryKey(key);
    if (name.empty() || version.empty()) continue;
    Package p;
    p.type = PackageType::kNuget;
    p.name = std::move(name);
    p.version = std::move(version);
    if (auto it = deps.find(key); it != deps.end()) {
      p.depends_on.assign(it->second.begin(), it->second.end());
    }
    out.push_back(std::move(p));
  }
  return out;
}

bool DotnetCataloger::Wants(const Entry& entry) const {
  return entry.path.ends_with(".deps.json");
}

Result<std::vector<Package>> DotnetCataloger::ParseManifest(
    const std::string&, std::string_view content) const {
  return ParseDepsJson(content);
}

}  // namespace cinch
