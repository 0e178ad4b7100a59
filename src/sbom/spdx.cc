// SPDX 2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/). The document
// DESCRIBES the image package (purpose CONTAINER), which CONTAINS the
// operating system package and every package found; DEPENDS_ON edges come
// from the catalog. Licences that are not SPDX expressions become
// LicenseRef- identifiers with their text under hasExtractedLicensingInfos.
// Layer, location and ownership facts are annotations in the "cinch:"
// namespace.
#include <cctype>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "catalog/license.h"
#include "sbom/sbom.h"
#include "sbom/sbom_common.h"

namespace cinch {
namespace {

using OJson = nlohmann::ordered_json;
using namespace sbom_internal;

constexpr std::string_view kImageId = "SPDXRef-Image";
constexpr std::string_view kOsId = "SPDXRef-OperatingSystem";

// SPDX identifiers allow letters, digits, '.' and '-'.
std::string IdSafe(std::string_view text) {
  std::string out;
  for (char c : text) {
    bool ok =
        std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
    out += ok ? c : '-';
  }
  return out;
}

class SpdxWriter {
 public:
  SpdxWriter(const Sbom& sbom, const SbomWriteOptions& options)
      : sbom_(sbom),
        options_(options),
        created_(FormatTime(options.created_unix)),
        tool_("Tool: cinch-" + (options.tool_version.empty()
                                    ? std::string("unknown")
                                    : options.tool_version)) {}

  std::string Write() {
    OJson doc;
    doc["spdxVersion"] = "SPDX-2.3";
    doc["dataLicense"] = "CC0-1.0";
    doc["SPDXID"] = "SPDXRef-DOCUMENT";
    doc["name"] = sbom_.subject_name.empty() ? "image" : sbom_.subject_name;
    doc["documentNamespace"] = "";
    doc["creationInfo"] = {{"created", created_},
                           {"creators", OJson::array({tool_})}};

    OJson packages = OJson::array();
    OJson relationships = OJson::array();
    packages.push_back(ImagePackage());
    relationships.push_back(
        Relationship("SPDXRef-DOCUMENT", "DESCRIBES", std::string(kImageId)));
    if (!sbom_.distro.id.empty()) {
      packages.push_back(OsPackage());
      relationships.push_back(
          Relationship(std::string(kImageId), "CONTAINS", std::string(kOsId)));
    }
    std::map<std::string, std::string> id_by_purl;
    std::vector<std::string> ids;
    std::set<std::string> used;
    for (const Package& p : sbom_.packages) {
      std::string id = "SPDXRef-Package-" +
                       IdSafe(std::string(PackageTypeName(p.type))) + "-" +
                       IdSafe(p.name) + "-" +
                       ShortHash(p.purl + "\n" + p.name + "@" + p.version);
      while (used.count(id)) id += "-1";
      used.insert(id);
      ids.push_back(id);
      if (!p.purl.empty()) id_by_purl.try_emplace(p.purl, id);
      packages.push_back(PackageElement(p, id));
      relationships.push_back(
          Relationship(std::string(kImageId), "CONTAINS", id));
    }
    for (size_t i = 0; i < sbom_.packages.size(); ++i) {
      for (const std::string& d : sbom_.packages[i].depends_on) {
        auto it = id_by_purl.find(d);
        if (it != id_by_purl.end() && it->second != ids[i]) {
          relationships.push_back(
              Relationship(ids[i], "DEPENDS_ON", it->second));
        }
      }
    }
    doc["packages"] = packages;
    doc["relationships"] = relationships;
    if (!extracted_.empty()) {
      OJson infos = OJson::array();
      for (const auto& [id, text] : extracted_) {
        infos.push_back(
            {{"licenseId", id}, {"extractedText", text}, {"name", text}});
      }
      doc["hasExtractedLicensingInfos"] = infos;
    }

    // The namespace must be unique per document; derive it from the
    // content so identical input gives identical bytes.
    std::string uuid = UuidFrom(doc.dump());
    doc["documentNamespace"] = "https://spdx.org/spdxdocs/cinch-" +
                               IdSafe(doc["name"].get<std::string>()) + "-" +
                               uuid;
    return doc.dump(2) + "\n";
  }

 private:
  static OJson Relationship(const std::string& from, std::string_view type,
                            const std::string& to) {
    return {{"spdxElementId", from},
            {"relationshipType", type},
            {"relatedSpdxElement", to}};
  }

  OJson Annotation(std::string_view key, std::string_view value) const {
    return {{"annotationDate", created_},
            {"annotationType", "OTHER"},
            {"annotator", tool_},
            {"comment", fmt::format("{}={}", key, value)}};
  }

  // An SPDX licence expression for `licenses`, registering LicenseRef-
  // identifiers for the names that are not expressions.
  std::string Declared(const std::vector<std::string>& licenses) {
    if (licenses.empty()) return "NOASSERTION";
    std::vector<std::string> parts;
    for (const std::string& l : licenses) {
      if (IsSpdxExpression(l)) {
        parts.push_back(l);
        continue;
      }
      std::string id = "LicenseRef-" + IdSafe(l);
      if (id.size() > 80) id = "LicenseRef-" + ShortHash(l);
      auto [it, inserted] = extracted_.try_emplace(id, l);
      if (!inserted && it->second != l) {
        id = "LicenseRef-" + ShortHash(l);
        extracted_.try_emplace(id, l);
      }
      parts.push_back(id);
    }
    return CombinedExpression(parts);
  }

  OJson ImagePackage() const {
    OJson p;
    p["name"] = sbom_.subject_name.empty() ? "image" : sbom_.subject_name;
    p["SPDXID"] = kImageId;
    if (!sbom_.subject_digest.empty()) p["versionInfo"] = sbom_.subject_digest;
    p["downloadLocation"] = "NOASSERTION";
    p["filesAnalyzed"] = false;
    std::string_view digest = sbom_.subject_digest;
    if (digest.starts_with("sha256:")) {
      p["checksums"] = OJson::array(
          {{{"algorithm", "SHA256"}, {"checksumValue", digest.substr(7)}}});
    }
    p["primaryPackagePurpose"] = "CONTAINER";
    OJson notes = OJson::array();
    if (!sbom_.subject_platform.empty()) {
      notes.push_back(
          Annotation("cinch:image:platform", sbom_.subject_platform));
    }
    for (const std::string& tag : sbom_.repo_tags) {
      notes.push_back(Annotation("cinch:image:tag", tag));
    }
    for (size_t i = 0; i < sbom_.layers.size(); ++i) {
      if (sbom_.layers[i].diff_id.empty()) continue;
      notes.push_back(Annotation("cinch:image:layer:" + std::to_string(i),
                                 sbom_.layers[i].diff_id));
    }
    if (!notes.empty()) p["annotations"] = notes;
    return p;
  }

  OJson OsPackage() const {
    OJson p;
    p["name"] = sbom_.distro.id;
    p["SPDXID"] = kOsId;
    if (!sbom_.distro.version_id.empty()) {
      p["versionInfo"] = sbom_.distro.version_id;
    }
    p["downloadLocation"] = "NOASSERTION";
    p["filesAnalyzed"] = false;
    if (!sbom_.distro.pretty_name.empty()) {
      p["description"] = sbom_.distro.pretty_name;
    }
    p["primaryPackagePurpose"] = "OPERATING_SYSTEM";
    return p;
  }

  OJson PackageElement(const Package& pkg, const std::string& id) {
    OJson p;
    p["name"] = pkg.name;
    p["SPDXID"] = id;
    if (!pkg.version.empty()) p["versionInfo"] = pkg.version;
    p["downloadLocation"] = "NOASSERTION";
    p["filesAnalyzed"] = false;
    if (!pkg.locations.empty()) {
      std::string where;
      for (const std::string& l : pkg.locations) {
        where += where.empty() ? l : ", " + l;
      }
      p["sourceInfo"] = "acquired package info from " + where;
    }
    p["licenseConcluded"] = "NOASSERTION";
    p["licenseDeclared"] = Declared(pkg.licenses);
    p["copyrightText"] = "NOASSERTION";
    if (!pkg.purl.empty()) {
      p["externalRefs"] =
          OJson::array({{{"referenceCategory", "PACKAGE-MANAGER"},
                         {"referenceType", "purl"},
                         {"referenceLocator", pkg.purl}}});
    }
    p["primaryPackagePurpose"] = "LIBRARY";

    OJson notes = OJson::array();
    notes.push_back(
        Annotation("cinch:package:type", PackageTypeName(pkg.type)));
    if (!pkg.found_by.empty()) {
      notes.push_back(Annotation("cinch:found_by", pkg.found_by));
    }
    if (!pkg.source_name.empty()) {
      notes.push_back(Annotation("cinch:package:source_name", pkg.source_name));
    }
    if (!pkg.source_version.empty()) {
      notes.push_back(
          Annotation("cinch:package:source_version", pkg.source_version));
    }
    if (pkg.layer >= 0) {
      notes.push_back(
          Annotation("cinch:layer:index", std::to_string(pkg.layer)));
    }
    if (const SbomLayer* layer = LayerOf(sbom_, pkg)) {
      if (!layer->diff_id.empty()) {
        notes.push_back(Annotation("cinch:layer:diff_id", layer->diff_id));
      }
      if (!layer->created_by.empty()) {
        notes.push_back(
            Annotation("cinch:layer:created_by", layer->created_by));
      }
    }
    if (!pkg.owned_by.empty()) {
      notes.push_back(Annotation("cinch:owned_by", pkg.owned_by));
    }
    p["annotations"] = notes;
    return p;
  }

  const Sbom& sbom_;
  const SbomWriteOptions& options_;
  std::string created_;
  std::string tool_;
  std::map<std::string, std::string> extracted_;  // LicenseRef id -> text
};

}  // namespace

std::string WriteSpdx(const Sbom& sbom, const SbomWriteOptions& options) {
  return SpdxWriter(sbom, options).Write();
}

}  // namespace cinch
