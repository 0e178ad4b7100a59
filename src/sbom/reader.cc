// Reading SBOMs back into packages. Documents come from cinch, Syft and
// Trivy; each records the same facts under its own names:
//   layer diff ID   cinch:layer:diff_id | syft:location:0:layerID |
//                   aquasecurity:trivy:LayerDiffID (CycloneDX properties);
//                   "LayerDiffID: ..." annotations (Trivy SPDX)
//   source package  cinch:package:source_name | aquasecurity:trivy:SrcName
//                   | the purl's "upstream" qualifier (Syft)
//   image layers    cinch:image:layer:N | aquasecurity:trivy:DiffID
// Unknown properties are ignored; components without a purl are skipped
// (nothing can match them).
#include <map>

#include "base/io.h"
#include "base/json.h"
#include "catalog/purl.h"
#include "sbom/sbom.h"

namespace cinch {
namespace {

constexpr size_t kMaxSbomBytes = size_t(512) << 20;
// Nested CycloneDX components followed at most this deep.
constexpr int kMaxComponentDepth = 32;

std::string Str(const Json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

const Json& Arr(const Json& obj, const char* key) {
  static const Json kEmpty = Json::array();
  if (!obj.is_object()) return kEmpty;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_array()) return kEmpty;
  return *it;
}

// "syft", "trivy" or "cinch" when the name says so, else the name.
std::string ToolName(std::string_view name) {
  for (std::string_view known : {"cinch", "syft", "trivy"}) {
    if (name.find(known) != std::string_view::npos) return std::string(known);
  }
  return std::string(name);
}

// Maps layer diff IDs to indexes: the image's own list when the document
// has one, else in order of first appearance.
class Layers {
 public:
  explicit Layers(Sbom& sbom) : sbom_(sbom) {}

  void Declare(size_t index, std::string diff_id) {
    if (sbom_.layers.size() <= index) sbom_.layers.resize(index + 1);
    sbom_.layers[index].diff_id = diff_id;
    index_[std::move(diff_id)] = int(index);
  }
  int IndexOf(const std::string& diff_id) {
    if (diff_id.empty()) return -1;
    auto it = index_.find(diff_id);
    if (it != index_.end()) return it->second;
    Declare(sbom_.layers.size(), diff_id);
    return int(sbom_.layers.size() - 1);
  }

 private:
  Sbom& sbom_;
  std::map<std::string, int> index_;
};

// Facts about one package under each tool's names.
void ApplyFact(std::string_view key, const std::string& value, Package& p,
               Layers& layers) {
  if (key == "cinch:layer:diff_id" || key == "syft:location:0:layerID" ||
      key == "aquasecurity:trivy:LayerDiffID" || key == "LayerDiffID") {
    if (p.layer < 0) p.layer = layers.IndexOf(value);
  } else if (key == "cinch:package:source_name" ||
             key == "aquasecurity:trivy:SrcName" || key == "SrcName") {
    p.source_name = value;
  } else if (key == "cinch:package:source_version" ||
             key == "aquasecurity:trivy:SrcVersion" || key == "SrcVersion") {
    p.source_version = value;
  } else if (key == "cinch:owned_by") {
    p.owned_by = value;
  } else if (key == "cinch:found_by" || key == "syft:package:foundBy" ||
             key == "aquasecurity:trivy:PkgType" || key == "PkgType") {
    if (p.found_by.empty()) p.found_by = value;
  } else if (key == "cinch:package:architecture") {
    p.architecture = value;
  } else if (key == "aquasecurity:trivy:FilePath" || key == "FilePath") {
    std::string path = value.starts_with('/') ? value : "/" + value;
    p.locations.push_back(path);
  }
}

// Trivy keeps the release apart from the version for OS packages.
void FixTrivySourceVersion(Package& p, const Json& props) {
  std::string release, epoch;
  for (const Json& prop : props) {
    std::string name = Str(prop, "name");
    if (name == "aquasecurity:trivy:SrcRelease") release = Str(prop, "value");
    if (name == "aquasecurity:trivy:SrcEpoch") epoch = Str(prop, "value");
  }
  if (!release.empty() && !p.source_version.empty()) {
    p.source_version += "-" + release;
  }
  if (!epoch.empty() && epoch != "0" && !p.source_version.empty()) {
    p.source_version = epoch + ":" + p.source_version;
  }
}

std::vector<std::string> CdxLicenses(const Json& component) {
  std::vector<std::string> out;
  for (const Json& choice : Arr(component, "licenses")) {
    if (std::string e = Str(choice, "expression"); !e.empty()) {
      out.push_back(e);
      continue;
    }
    auto it = choice.find("license");
    if (it == choice.end()) continue;
    std::string id = Str(*it, "id");
    out.push_back(id.empty() ? Str(*it, "name") : id);
  }
  std::erase_if(out, [](const std::string& s) { return s.empty(); });
  return out;
}

class CycloneDxReader {
 public:
  CycloneDxReader(const Json& doc, Sbom& sbom)
      : doc_(doc), sbom_(sbom), layers_(sbom) {}

  void Read() {
    std::string spec = Str(doc_, "specVersion");
    sbom_.format =
        spec == "1.5" ? SbomFormat::kCycloneDx15 : SbomFormat::kCycloneDx16;
    ReadMetadata();
    for (const Json& c : Arr(doc_, "components")) ReadComponent(c, 0);
    ReadDependencies();
    if (sbom_.distro.id.empty()) sbom_.distro = purl_distro_;
  }

 private:
  void ReadMetadata() {
    auto meta = doc_.find("metadata");
    if (meta == doc_.end() || !meta->is_object()) return;
    auto tools = meta->find("tools");
    if (tools != meta->end()) {
      // 1.5+: {"components": [...]}; before: an array of tools.
      const Json& list = tools->is_array() ? *tools : Arr(*tools, "components");
      if (!list.empty()) {
        sbom_.tool = ToolName(Str(list[0], "name"));
        sbom_.tool_version = Str(list[0], "version");
      }
    }
    auto subject = meta->find("component");
    if (subject == meta->end() || !subject->is_object()) return;
    sbom_.subject_name = Str(*subject, "name");
    std::string version = Str(*subject, "version");
    if (version.starts_with("sha256:")) sbom_.subject_digest = version;
    for (const Json& h : Arr(*subject, "hashes")) {
      if (Str(h, "alg") == "SHA-256" && sbom_.subject_digest.empty()) {
        sbom_.subject_digest = "sha256:" + Str(h, "content");
      }
    }
    size_t trivy_layer = 0;
    for (const Json& prop : Arr(*subject, "properties")) {
      std::string name = Str(prop, "name");
      std::string value = Str(prop, "value");
      if (name.starts_with("cinch:image:layer:")) {
        size_t index = std::strtoul(name.c_str() + 18, nullptr, 10);
        if (index < 4096) layers_.Declare(index, value);
      } else if (name == "aquasecurity:trivy:DiffID") {
        layers_.Declare(trivy_layer++, value);
      } else if (name == "cinch:image:platform") {
        sbom_.subject_platform = value;
      } else if (name == "cinch:image:tag" ||
                 name == "aquasecurity:trivy:RepoTag") {
        sbom_.repo_tags.push_back(value);
      } else if (name == "aquasecurity:trivy:RepoDigest" &&
                 sbom_.subject_digest.empty()) {
        size_t at = value.find('@');
        if (at != std::string::npos)
          sbom_.subject_digest = value.substr(at + 1);
      }
    }
  }

  void ReadComponent(const Json& c, int depth) {
    if (!c.is_object() || depth > kMaxComponentDepth) return;
    for (const Json& child : Arr(c, "components"))
      ReadComponent(child, depth + 1);
    std::string type = Str(c, "type");
    if (type == "operating-system") {
      if (sbom_.distro.id.empty()) {
        sbom_.distro.id = Str(c, "name");
        sbom_.distro.version_id = Str(c, "version");
        sbom_.distro.pretty_name = Str(c, "description");
      }
      return;
    }
    std::string purl_text = Str(c, "purl");
    if (purl_text.empty()) return;
    auto purl = ParsePurl(purl_text);
    if (!purl) return;
    Package p;
    ApplyPurl(*purl, p, purl_distro_.id.empty() ? &purl_distro_ : nullptr);
    p.purl = purl_text;
    p.licenses = CdxLicenses(c);
    const Json& props = Arr(c, "properties");
    for (const Json& prop : props) {
      ApplyFact(Str(prop, "name"), Str(prop, "value"), p, layers_);
    }
    FixTrivySourceVersion(p, props);
    auto evidence = c.find("evidence");
    if (evidence != c.end()) {
      for (const Json& o : Arr(*evidence, "occurrences")) {
        std::string where = Str(o, "location");
        if (!where.empty()) p.locations.push_back(where);
      }
    }
    for (const Json& prop : props) {
      std::string name = Str(prop, "name");
      if (name.starts_with("syft:location:") && name.ends_with(":path")) {
        p.locations.push_back(Str(prop, "value"));
      }
    }
    std::string ref = Str(c, "bom-ref");
    if (!ref.empty()) purl_by_ref_[ref] = purl_text;
    index_by_ref_[ref.empty() ? purl_text : ref] = sbom_.packages.size();
    sbom_.packages.push_back(std::move(p));
  }

  void ReadDependencies() {
    for (const Json& d : Arr(doc_, "dependencies")) {
      auto from = index_by_ref_.find(Str(d, "ref"));
      if (from == index_by_ref_.end()) continue;
      Package& p = sbom_.packages[from->second];
      for (const Json& to : Arr(d, "dependsOn")) {
        if (!to.is_string()) continue;
        auto purl = purl_by_ref_.find(to.get<std::string>());
        if (purl != purl_by_ref_.end()) p.depends_on.push_back(purl->second);
      }
    }
  }

  const Json& doc_;
  Sbom& sbom_;
  Layers layers_;
  Distro purl_distro_;
  std::map<std::string, std::string> purl_by_ref_;
  std::map<std::string, size_t> index_by_ref_;
};

class SpdxReader {
 public:
  SpdxReader(const Json& doc, Sbom& sbom)
      : doc_(doc), sbom_(sbom), layers_(sbom) {}

  void Read() {
    sbom_.format = SbomFormat::kSpdx23;
    auto info = doc_.find("creationInfo");
    if (info != doc_.end()) {
      for (const Json& c : Arr(*info, "creators")) {
        if (!c.is_string()) continue;
        std::string creator = c.get<std::string>();
        if (!creator.starts_with("Tool: ")) continue;
        std::string tool = creator.substr(6);
        size_t dash = tool.rfind('-');
        sbom_.tool = ToolName(tool.substr(0, dash));
        if (dash != std::string::npos)
          sbom_.tool_version = tool.substr(dash + 1);
        break;
      }
    }
    for (const Json& e : Arr(doc_, "hasExtractedLicensingInfos")) {
      std::string name = Str(e, "name");
      extracted_[Str(e, "licenseId")] =
          name.empty() ? Str(e, "extractedText") : name;
    }
    for (const Json& p : Arr(doc_, "packages")) ReadPackage(p);
    for (const Json& r : Arr(doc_, "relationships")) {
      if (Str(r, "relationshipType") != "DEPENDS_ON") continue;
      auto from = index_by_id_.find(Str(r, "spdxElementId"));
      auto to = purl_by_id_.find(Str(r, "relatedSpdxElement"));
      if (from != index_by_id_.end() && to != purl_by_id_.end()) {
        sbom_.packages[from->second].depends_on.push_back(to->second);
      }
    }
    if (sbom_.distro.id.empty()) sbom_.distro = purl_distro_;
  }

 private:
  void ReadPackage(const Json& e) {
    std::string purpose = Str(e, "primaryPackagePurpose");
    if (purpose == "CONTAINER") {
      if (sbom_.subject_name.empty()) sbom_.subject_name = Str(e, "name");
      std::string version = Str(e, "versionInfo");
      if (version.starts_with("sha256:")) sbom_.subject_digest = version;
      for (const Json& a : Arr(e, "annotations")) {
        auto [key, value] = Fact(Str(a, "comment"));
        if (key.starts_with("cinch:image:layer:")) {
          size_t index = std::strtoul(key.c_str() + 18, nullptr, 10);
          if (index < 4096) layers_.Declare(index, value);
        }
      }
      return;
    }
    if (purpose == "OPERATING_SYSTEM" || purpose == "OPERATING-SYSTEM") {
      if (sbom_.distro.id.empty()) {
        sbom_.distro.id = Str(e, "name");
        sbom_.distro.version_id = Str(e, "versionInfo");
      }
      return;
    }
    std::string purl_text;
    for (const Json& ref : Arr(e, "externalRefs")) {
      if (Str(ref, "referenceType") == "purl") {
        purl_text = Str(ref, "referenceLocator");
        break;
      }
    }
    if (purl_text.empty()) return;
    auto purl = ParsePurl(purl_text);
    if (!purl) return;
    Package p;
    ApplyPurl(*purl, p, purl_distro_.id.empty() ? &purl_distro_ : nullptr);
    p.purl = purl_text;
    std::string declared = Str(e, "licenseDeclared");
    if (declared.empty() || declared == "NOASSERTION" || declared == "NONE") {
      declared = Str(e, "licenseConcluded");
    }
    if (!declared.empty() && declared != "NOASSERTION" && declared != "NONE") {
      auto it = extracted_.find(declared);
      p.licenses.push_back(it != extracted_.end() ? it->second : declared);
    }
    for (const Json& a : Arr(e, "annotations")) {
      auto [key, value] = Fact(Str(a, "comment"));
      ApplyFact(key, value, p, layers_);
    }
    std::string id = Str(e, "SPDXID");
    purl_by_id_[id] = purl_text;
    index_by_id_[id] = sbom_.packages.size();
    sbom_.packages.push_back(std::move(p));
  }

  // "key=value" (cinch) or "Key: value" (Trivy).
  static std::pair<std::string, std::string> Fact(const std::string& comment) {
    size_t eq = comment.find('=');
    size_t colon = comment.find(": ");
    if (colon != std::string::npos && (eq == std::string::npos || colon < eq)) {
      return {comment.substr(0, colon), comment.substr(colon + 2)};
    }
    if (eq == std::string::npos) return {"", ""};
    return {comment.substr(0, eq), comment.substr(eq + 1)};
  }

  const Json& doc_;
  Sbom& sbom_;
  Layers layers_;
  Distro purl_distro_;
  std::map<std::string, std::string> extracted_;
  std::map<std::string, std::string> purl_by_id_;
  std::map<std::string, size_t> index_by_id_;
};

}  // namespace

Result<Sbom> ParseSbom(std::string_view text, std::string_view what) {
  CINCH_ASSIGN(Json doc, ParseJson(text, what));
  if (!doc.is_object()) return Fail("{}: not a JSON object", what);
  Sbom sbom;
  if (Str(doc, "bomFormat") == "CycloneDX") {
    CycloneDxReader(doc, sbom).Read();
  } else if (Str(doc, "spdxVersion").starts_with("SPDX-2.")) {
    SpdxReader(doc, sbom).Read();
  } else {
    return Fail("{}: neither CycloneDX (bomFormat) nor SPDX 2 (spdxVersion)",
                what);
  }
  return sbom;
}

Result<Sbom> ReadSbom(const std::string& path) {
  CINCH_ASSIGN(std::string text, ReadFileLimited(path, kMaxSbomBytes));
  return ParseSbom(text, path);
}

}  // namespace cinch
