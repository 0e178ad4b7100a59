#include "catalog/npm.h"

#include <cctype>
#include <set>

#include "base/json.h"
#include "catalog/license.h"

namespace cinch {
namespace {

// Deepest nesting of package-lock v1 "dependencies" followed.
constexpr int kMaxLockDepth = 64;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

std::string_view Unquote(std::string_view s) {
  s = Trim(s);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') &&
      s.back() == s.front()) {
    s = s.substr(1, s.size() - 2);
  }
  return s;
}

size_t Indent(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && line[n] == ' ') ++n;
  return n;
}

Package Npm(std::string name, std::string version) {
  Package p;
  p.type = PackageType::kNpm;
  p.name = std::move(name);
  p.version = std::move(version);
  return p;
}

// "license": "MIT" | {"type": "MIT"}; "licenses": [{"type": ...}].
std::vector<std::string> JsonLicenses(const Json& doc) {
  std::vector<std::string> out;
  auto add = [&](const Json& v) {
    if (v.is_string()) {
      out.push_back(NormalizeLicense(v.get<std::string>()));
    } else if (v.is_object() && v.contains("type") && v["type"].is_string()) {
      out.push_back(NormalizeLicense(v["type"].get<std::string>()));
    }
  };
  if (doc.contains("license")) add(doc["license"]);
  if (out.empty() && doc.contains("licenses") && doc["licenses"].is_array()) {
    for (const Json& v : doc["licenses"]) add(v);
  }
  std::erase_if(out, [](const std::string& s) { return s.empty(); });
  return out;
}

std::vector<std::string> DependencyNames(const Json& obj, const char* key) {
  std::vector<std::string> names;
  if (!obj.contains(key) || !obj[key].is_object()) return names;
  for (const auto& [name, range] : obj[key].items()) names.push_back(name);
  return names;
}

void WalkLockV1(const Json& deps, int depth, std::vector<Package>& out) {
  if (depth > kMaxLockDepth || !deps.is_object()) return;
  for (const auto& [name, entry] : deps.items()) {
    if (!entry.is_object()) continue;
    bool dev = entry.contains("dev") && entry["dev"].is_boolean() &&
               entry["dev"].get<bool>();
    if (!dev && entry.contains("version") && entry["version"].is_string()) {
      Package p = Npm(name, entry["version"].get<std::string>());
      p.depends_on = DependencyNames(entry, "requires");
      out.push_back(std::move(p));
    }
    if (entry.contains("dependencies")) {
      WalkLockV1(entry["dependencies"], depth + 1, out);
    }
  }
}

// "node_modules/a/node_modules/@s/b" -> "@s/b".
std::string NameFromLockKey(std::string_view key) {
  constexpr std::string_view kMarker = "node_modules/";
  size_t at = key.rfind(kMarker);
  if (at == std::string_view::npos) return "";
  return std::string(key.substr(at + kMarker.size()));
}

// "@scope/name@^1.0.0" -> "@scope/name"; "name@npm:1.0" -> "name".
std::string NameFromSpec(std::string_view spec) {
  spec = Unquote(spec);
  size_t at = spec.find('@', 1);
  return std::string(spec.substr(0, at));
}

}  // namespace

Result<std::vector<Package>> ParsePackageJson(std::string_view text) {
  CINCH_ASSIGN(Json doc, ParseJson(text, "package.json"));
  if (!doc.is_object()) return Fail("package.json is not an object");
  CINCH_ASSIGN(std::string name, GetString(doc, "name"));
  CINCH_ASSIGN(std::string version, GetString(doc, "version"));
  if (name.empty() || version.empty()) return std::vector<Package>{};
  Package p = Npm(std::move(name), std::move(version));
  p.licenses = JsonLicenses(doc);
  return std::vector<Package>{std::move(p)};
}

Result<std::vector<Package>> ParsePackageLock(std::string_view text) {
  CINCH_ASSIGN(Json doc, ParseJson(text, "package-lock.json"));
  if (!doc.is_object()) return Fail("package-lock.json is not an object");
  std::vector<Package> out;
  if (doc.contains("packages") && doc["packages"].is_object()) {
    // lockfileVersion 2 and 3: keys are install paths.
    for (const auto& [key, entry] : doc["packages"].items()) {
      if (key.empty() || !entry.is_object()) continue;
      auto flag = [&](const char* f) {
        return entry.contains(f) && entry[f].is_boolean() &&
               entry[f].get<bool>();
      };
      if (flag("dev") || flag("link")) continue;
      std::string name = NameFromLockKey(key);
      if (entry.contains("name") && entry["name"].is_string()) {
        name = entry["name"].get<std::string>();
      }
      if (name.empty() || !entry.contains("version") ||
          !entry["version"].is_string()) {
        continue;
      }
      Package p = Npm(std::move(name), entry["version"].get<std::string>());
      p.licenses = JsonLicenses(entry);
      p.depends_on = DependencyNames(entry, "dependencies");
      for (std::string& n : DependencyNames(entry, "optionalDependencies")) {
        p.depends_on.push_back(std::move(n));
      }
      out.push_back(std::move(p));
    }
    return out;
  }
  if (doc.contains("dependencies")) WalkLockV1(doc["dependencies"], 0, out);
  return out;
}

Result<std::vector<Package>> ParseYarnLock(std::string_view text) {
  std::vector<Package> out;
  Package current;
  bool in_entry = false;
  bool skip = false;
  bool in_deps = false;
  auto flush = [&] {
    if (in_entry && !skip && !current.name.empty() &&
        !current.version.empty()) {
      out.push_back(std::move(current));
    }
    current = Npm("", "");
    in_entry = skip = in_deps = false;
  };
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? "" : text.substr(nl + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (Trim(line).empty() || Trim(line).starts_with('#')) continue;
    size_t indent = Indent(line);
    std::string_view body = Trim(line);
    if (indent == 0) {
      flush();
      if (!body.ends_with(':')) continue;
      body.remove_suffix(1);
      // The first of the comma-separated specs names the package.
      std::string name = NameFromSpec(body.substr(0, body.find(',')));
      if (name == "__metadata" || name.empty()) continue;
      current.name = std::move(name);
      in_entry = true;
      continue;
    }
    if (!in_entry) continue;
    if (indent <= 2) {
      in_deps = body.starts_with("dependencies:") ||
                body.starts_with("optionalDependencies:");
      if (body.starts_with("version")) {
        // v1: version "1.2.3"; Berry: version: 1.2.3
        std::string_view v = body.substr(7);
        if (v.starts_with(':')) v.remove_prefix(1);
        current.version = std::string(Unquote(v));
      } else if (body.starts_with("resolution:") &&
                 body.find("@workspace:") != std::string_view::npos) {
        skip = true;  // a workspace of the project itself
      }
      continue;
    }
    if (in_deps) {
      // v1: "name" "^1.0"; Berry: "name": ^1.0
      std::string_view dep = body;
      size_t end =
          dep.starts_with('"') ? dep.find('"', 1) + 1 : dep.find_first_of(" :");
      current.depends_on.emplace_back(Unquote(dep.substr(0, end)));
    }
  }
  flush();
  return out;
}

Result<std::vector<Package>> ParsePnpmLock(std::string_view text) {
  std::vector<Package> out;
  bool in_packages = false;
  bool in_deps = false;
  bool v5 = false;
  Package current;
  bool have = false;
  bool dev = false;
  auto flush = [&] {
    if (have && !dev && !current.name.empty() && !current.version.empty()) {
      out.push_back(std::move(current));
    }
    current = Npm("", "");
    have = dev = in_deps = false;
  };
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? "" : text.substr(nl + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    std::string_view body = Trim(line);
    if (body.empty() || body.starts_with('#')) continue;
    size_t indent = Indent(line);
    if (indent == 0) {
      flush();
      in_packages = body == "packages:";
      if (body.starts_with("lockfileVersion:")) {
        std::string_view v = Unquote(body.substr(16));
        v5 = v.starts_with('5');
      }
      continue;
    }
    if (!in_packages) continue;
    if (indent == 2 && body.ends_with(':')) {
      flush();
      // "/name/1.0.0_peer" (v5), "/name@1.0.0(peer)" (v6),
      // "name@1.0.0" (v9).
      std::string_view key = Unquote(body.substr(0, body.size() - 1));
      if (key.starts_with('/')) key.remove_prefix(1);
      key = key.substr(0, key.find('('));
      std::string_view name, version;
      if (v5) {
        size_t slash = key.rfind('/');
        if (slash == std::string_view::npos) continue;
        name = key.substr(0, slash);
        version = key.substr(slash + 1);
        version = version.substr(0, version.find('_'));
      } else {
        size_t at = key.find('@', 1);
        if (at == std::string_view::npos) continue;
        name = key.substr(0, at);
        version = key.substr(at + 1);
      }
      current = Npm(std::string(name), std::string(version));
      have = true;
      continue;
    }
    if (!have) continue;
    if (indent == 4) {
      in_deps = body == "dependencies:" || body == "optionalDependencies:";
      if (body == "dev: true") dev = true;
      continue;
    }
    if (indent >= 6 && in_deps) {
      size_t colon = body.find(':', body.starts_with('\'') ? 1 : 0);
      current.depends_on.emplace_back(Unquote(body.substr(0, colon)));
    }
  }
  flush();
  return out;
}

bool NpmCataloger::Wants(const Entry& entry) const {
  std::string_view p = entry.path;
  std::string_view base = p.substr(p.rfind('/') + 1);
  if (base == "package.json") return true;
  // node_modules/.package-lock.json repeats what node_modules holds.
  if (p.find("node_modules/") != std::string_view::npos) return false;
  return base == "package-lock.json" || base == "yarn.lock" ||
         base == "pnpm-lock.yaml";
}

Result<std::vector<Package>> NpmCataloger::ParseManifest(
    const std::string& path, std::string_view content) const {
  if (path.ends_with("package.json") && !path.ends_with("-lock.json")) {
    return ParsePackageJson(content);
  }
  if (path.ends_with("package-lock.json")) return ParsePackageLock(content);
  if (path.ends_with("yarn.lock")) return ParseYarnLock(content);
  return ParsePnpmLock(content);
}

}  // namespace cinch
