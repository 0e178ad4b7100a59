#include "catalog/java.h"

#include <archive.h>
#include <archive_entry.h>

#include <cctype>
#include <map>
#include <memory>
#include <optional>

namespace cinch {
namespace {

constexpr int kMaxNesting = 3;
// A nested archive larger than this is skipped: it would have to be held
// in memory next to its parent.
constexpr size_t kMaxNestedBytes = 64 << 20;
constexpr size_t kMaxMetadataBytes = 1 << 20;

struct ArchiveCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};

bool IsArchiveName(std::string_view p) {
  for (std::string_view ext : {".jar", ".war", ".ear", ".jpi", ".hpi"}) {
    if (p.size() > ext.size() && p.ends_with(ext)) return true;
  }
  return false;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

// "key=value" lines (java.util.Properties, the subset Maven writes) or
// "Key: value" lines (a manifest's main section, continuations joined).
std::map<std::string, std::string> KeyValues(std::string_view text, char sep) {
  std::map<std::string, std::string> out;
  std::string last;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? "" : text.substr(nl + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (sep == ':' && line.empty()) break;  // end of the main section
    if (sep == ':' && line.starts_with(' ') && !last.empty()) {
      out[last] += std::string(line.substr(1));
      continue;
    }
    if (line.starts_with('#')) continue;
    size_t at = line.find(sep);
    if (at == std::string_view::npos) continue;
    last = std::string(Trim(line.substr(0, at)));
    out[last] = std::string(Trim(line.substr(at + 1)));
  }
  return out;
}

Package Maven(std::string group, std::string artifact, std::string version) {
  Package p;
  p.type = PackageType::kMaven;
  p.name = group.empty() ? artifact : group + ":" + artifact;
  p.version = std::move(version);
  return p;
}

// "commons-io-2.11.0.jar" -> ("commons-io", "2.11.0").
std::optional<std::pair<std::string, std::string>> SplitFileName(
    std::string_view path) {
  std::string_view base = path.substr(path.rfind('/') + 1);
  base = base.substr(0, base.rfind('.'));
  for (size_t i = 1; i + 1 < base.size(); ++i) {
    if (base[i] == '-' &&
        std::isdigit(static_cast<unsigned char>(base[i + 1]))) {
      return std::pair(std::string(base.substr(0, i)),
                       std::string(base.substr(i + 1)));
    }
  }
  return std::nullopt;
}

Status ReadArchive(const std::string& location, std::string_view bytes,
                   int depth, std::vector<Package>& out) {
  std::unique_ptr<archive, ArchiveCloser> a(archive_read_new());
  archive_read_support_format_zip(a.get());
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) !=
      ARCHIVE_OK) {
    return Fail("not a zip archive: {}", archive_error_string(a.get()));
  }
  std::vector<Package> from_poms;
  std::map<std::string, std::string> manifest;
  archive_entry* entry = nullptr;
  int rc;
  while ((rc = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
    std::string name = archive_entry_pathname(entry) != nullptr
                           ? archive_entry_pathname(entry)
                           : "";
    bool pom = name.starts_with("META-INF/maven/") &&
               name.ends_with("/pom.properties");
    bool mf = name == "META-INF/MANIFEST.MF";
    bool nested = IsArchiveName(name) && depth < kMaxNesting;
    if (!pom && !mf && !nested) continue;
    int64_t size = archive_entry_size(entry);
    size_t limit = nested ? kMaxNestedBytes : kMaxMetadataBytes;
    if (size < 0 || uint64_t(size) > limit) continue;
    std::string data(size_t(size), '\0');
    la_ssize_t n = archive_read_data(a.get(), data.data(), data.size());
    if (n < 0 || size_t(n) != data.size()) {
      return Fail("{}: {}", name, archive_error_string(a.get()));
    }
    if (pom) {
      auto props = KeyValues(data, '=');
      if (!props["artifactId"].empty() && !props["version"].empty()) {
        Package p =
            Maven(props["groupId"], props["artifactId"], props["version"]);
        if (depth > 0) p.locations.push_back(location);
        from_poms.push_back(std::move(p));
      }
    } else if (mf) {
      manifest = KeyValues(data, ':');
    } else {
      // A damaged nested archive costs only its own packages.
      (void)ReadArchive(location + "!/" + name, data, depth + 1, out);
    }
  }
  if (rc != ARCHIVE_EOF) {
    return Fail("damaged zip archive: {}", archive_error_string(a.get()));
  }
  if (!from_poms.empty()) {
    for (Package& p : from_poms) out.push_back(std::move(p));
    return {};
  }

  // No Maven metadata: the manifest, then the file name.
  std::string artifact, version, group;
  for (const char* key : {"Implementation-Title", "Bundle-SymbolicName"}) {
    if (artifact.empty()) artifact = manifest[key];
  }
  for (const char* key : {"Implementation-Version", "Bundle-Version"}) {
    if (version.empty()) version = manifest[key];
  }
  group = manifest["Implementation-Vendor-Id"];
  artifact = artifact.substr(0, artifact.find(';'));
  auto split = SplitFileName(location);
  if (split && (artifact.empty() || version.empty())) {
    artifact = split->first;
    version = split->second;
  }
  if (artifact.empty() || version.empty()) return {};
  Package p = Maven(group, artifact, version);
  if (depth > 0) p.locations.push_back(location);
  out.push_back(std::move(p));
  return {};
}

}  // namespace

Result<std::vector<Package>> ParseJavaArchive(const std::string& path,
                                              std::string_view bytes) {
  std::vector<Package> out;
  CINCH_TRY(ReadArchive("/" + path, bytes, 0, out));
  for (Package& p : out) p.found_by = "java";
  return out;
}

bool JavaCataloger::Wants(const Entry& entry) const {
  return IsArchiveName(entry.path);
}

}  // namespace cinch
