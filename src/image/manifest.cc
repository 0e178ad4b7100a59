#include "image/manifest.h"

#include "base/json.h"
#include "base/sha256.h"

namespace cinch {
namespace {

constexpr int64_t kSchemaVersion = 2;

Result<Platform> ParsePlatformObject(const Json& obj) {
  Platform p;
  CINCH_ASSIGN(p.os, GetString(obj, "os"));
  CINCH_ASSIGN(p.architecture, GetString(obj, "architecture"));
  CINCH_ASSIGN(p.variant, GetString(obj, "variant"));
  CINCH_ASSIGN(p.os_version, GetString(obj, "os.version"));
  return p;
}

Result<Descriptor> ParseDescriptor(const Json& obj) {
  if (!obj.is_object()) return Fail("descriptor must be an object");
  Descriptor d;
  CINCH_ASSIGN(d.media_type, GetString(obj, "mediaType"));
  CINCH_ASSIGN(d.digest, GetString(obj, "digest"));
  if (auto ok = ValidateDigest(d.digest); !ok) return Fail(ok.error());
  if (!obj.contains("size")) return Fail("descriptor has no 'size'");
  CINCH_ASSIGN(d.size, GetInt(obj, "size"));
  if (d.size < 0) return Fail("descriptor size {} is negative", d.size);
  CINCH_ASSIGN(d.annotations, GetStringMap(obj, "annotations"));
  CINCH_ASSIGN(d.urls, GetStringArray(obj, "urls"));
  CINCH_ASSIGN(const Json* platform, GetObject(obj, "platform"));
  if (platform != nullptr) {
    CINCH_ASSIGN(d.platform, ParsePlatformObject(*platform));
  }
  return d;
}

Result<std::vector<Descriptor>> ParseDescriptorArray(const Json& obj,
                                                     std::string_view key) {
  CINCH_ASSIGN(const Json* array, GetArray(obj, key));
  std::vector<Descriptor> out;
  if (array == nullptr) return out;
  for (size_t i = 0; i < array->size(); ++i) {
    auto d = ParseDescriptor((*array)[i]);
    if (!d) return Fail(d.error().In(fmt::format("{}[{}]", key, i)));
    out.push_back(std::move(*d));
  }
  return out;
}

Status CheckSchemaVersion(const Json& doc) {
  CINCH_ASSIGN(int64_t version, GetInt(doc, "schemaVersion", -1));
  if (version == 1) {
    return Fail("Docker image manifest schema 1 is obsolete and unsupported");
  }
  if (version != kSchemaVersion) {
    return Fail("schemaVersion must be 2, found {}", version);
  }
  return {};
}

Result<Json> ParseObject(std::string_view json, std::string_view what) {
  if (json.size() > kMaxDocumentBytes) {
    return Fail("{} is {} bytes, more than the {} byte limit", what,
                json.size(), kMaxDocumentBytes);
  }
  auto doc = ParseJson(json, what);
  if (!doc) return doc;
  if (!doc->is_object()) return Fail("{}: must be a JSON object", what);
  return doc;
}

}  // namespace

std::string Platform::ToString() const {
  std::string out = os + "/" + architecture;
  if (!variant.empty()) out += "/" + variant;
  return out;
}

Result<Platform> ParsePlatform(std::string_view text) {
  Platform p;
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t slash = text.find('/', start);
    parts.emplace_back(text.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() ||
      parts[1].empty()) {
    return Fail("platform '{}' is not of the form os/arch[/variant]", text);
  }
  p.os = parts[0];
  p.architecture = parts[1];
  if (parts.size() == 3) p.variant = parts[2];
  return p;
}

Platform HostPlatform() {
  Platform p;
  p.os = "linux";
#if defined(__x86_64__)
  p.architecture = "amd64";
#elif defined(__aarch64__)
  p.architecture = "arm64";
#elif defined(__i386__)
  p.architecture = "386";
#elif defined(__arm__)
  p.architecture = "arm";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  p.architecture = "ppc64le";
#elif defined(__s390x__)
  p.architecture = "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
  p.architecture = "riscv64";
#else
  p.architecture = "unknown";
#endif
  return p;
}

bool PlatformMatches(const Platform& want, const Platform& have) {
  if (!want.os.empty() && want.os != have.os) return false;
  if (!want.architecture.empty() && want.architecture != have.architecture) {
    return false;
  }
  if (want.variant.empty() || want.variant == have.variant) return true;
  // arm64 images usually omit their only variant.
  return want.architecture == "arm64" && want.variant == "v8" &&
         have.variant.empty();
}

DocumentKind SniffDocument(std::string_view json) {
  auto doc = ParseObject(json, "document");
  if (!doc) return DocumentKind::kUnknown;
  auto media_type = GetString(*doc, "mediaType");
  if (media_type) {
    if (*media_type == media_type::kOciIndex ||
        *media_type == media_type::kDockerManifestList) {
      return DocumentKind::kIndex;
    }
    if (*media_type == media_type::kOciManifest ||
        *media_type == media_type::kDockerManifest) {
      return DocumentKind::kManifest;
    }
  }
  if (doc->contains("manifests")) return DocumentKind::kIndex;
  if (doc->contains("config") && doc->contains("layers")) {
    return DocumentKind::kManifest;
  }
  return DocumentKind::kUnknown;
}

Result<Index> ParseIndex(std::string_view json) {
  CINCH_ASSIGN(Json doc, ParseObject(json, "image index"));
  CINCH_TRY(CheckSchemaVersion(doc));
  Index index;
  CINCH_ASSIGN(index.media_type, GetString(doc, "mediaType"));
  if (!doc.contains("manifests")) return Fail("image index has no 'manifests'");
  CINCH_ASSIGN(index.manifests, ParseDescriptorArray(doc, "manifests"));
  return index;
}

Result<Manifest> ParseManifest(std::string_view json) {
  CINCH_ASSIGN(Json doc, ParseObject(json, "image manifest"));
  CINCH_TRY(CheckSchemaVersion(doc));
  Manifest m;
  CINCH_ASSIGN(m.media_type, GetString(doc, "mediaType"));
  if (m.media_type == media_type::kOciIndex ||
      m.media_type == media_type::kDockerManifestList) {
    return Fail("expected an image manifest, found an index ({})",
                m.media_type);
  }
  CINCH_ASSIGN(const Json* config, GetObject(doc, "config"));
  if (config == nullptr) return Fail("image manifest has no 'config'");
  auto config_descriptor = ParseDescriptor(*config);
  if (!config_descriptor) return Fail(config_descriptor.error().In("config"));
  m.config = std::move(*config_descriptor);
  if (!doc.contains("layers")) return Fail("image manifest has no 'layers'");
  CINCH_ASSIGN(m.layers, ParseDescriptorArray(doc, "layers"));
  CINCH_ASSIGN(m.annotations, GetStringMap(doc, "annotations"));
  return m;
}

Result<ImageConfig> ParseImageConfig(std::string_view json) {
  CINCH_ASSIGN(Json doc, ParseObject(json, "image config"));
  ImageConfig c;
  CINCH_ASSIGN(c.platform, ParsePlatformObject(doc));
  CINCH_ASSIGN(c.created, GetString(doc, "created"));

  CINCH_ASSIGN(const Json* run, GetObject(doc, "config"));
  if (run != nullptr) {
    CINCH_ASSIGN(c.user, GetString(*run, "User"));
    CINCH_ASSIGN(c.env, GetStringArray(*run, "Env"));
    CINCH_ASSIGN(c.entrypoint, GetStringArray(*run, "Entrypoint"));
    CINCH_ASSIGN(c.cmd, GetStringArray(*run, "Cmd"));
    CINCH_ASSIGN(c.working_dir, GetString(*run, "WorkingDir"));
    CINCH_ASSIGN(c.labels, GetStringMap(*run, "Labels"));
    CINCH_ASSIGN(const Json* ports, GetObject(*run, "ExposedPorts"));
    if (ports != nullptr) {
      for (auto it = ports->begin(); it != ports->end(); ++it) {
        c.exposed_ports.push_back(it.key());
      }
    }
    CINCH_ASSIGN(const Json* health, GetObject(*run, "Healthcheck"));
    c.has_healthcheck = health != nullptr;
  }

  CINCH_ASSIGN(const Json* rootfs, GetObject(doc, "rootfs"));
  if (rootfs == nullptr) return Fail("image config has no 'rootfs'");
  CINCH_ASSIGN(std::string rootfs_type, GetString(*rootfs, "type"));
  if (rootfs_type != "layers") {
    return Fail("rootfs.type must be 'layers', found '{}'", rootfs_type);
  }
  CINCH_ASSIGN(c.diff_ids, GetStringArray(*rootfs, "diff_ids"));
  for (const std::string& id : c.diff_ids) {
    if (auto ok = ValidateDigest(id); !ok) {
      return Fail(ok.error().In("rootfs.diff_ids"));
    }
  }

  CINCH_ASSIGN(const Json* history, GetArray(doc, "history"));
  if (history != nullptr) {
    for (size_t i = 0; i < history->size(); ++i) {
      const Json& item = (*history)[i];
      if (!item.is_object()) return Fail("history[{}] must be an object", i);
      HistoryStep step;
      CINCH_ASSIGN(step.created, GetString(item, "created"));
      CINCH_ASSIGN(step.created_by, GetString(item, "created_by"));
      CINCH_ASSIGN(step.comment, GetString(item, "comment"));
      CINCH_ASSIGN(step.empty_layer, GetBool(item, "empty_layer", false));
      c.history.push_back(std::move(step));
    }
  }
  return c;
}

}  // namespace cinch
