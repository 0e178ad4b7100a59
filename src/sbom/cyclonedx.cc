// CycloneDX 1.6 and 1.5 JSON (https://cyclonedx.org/docs/1.6/json/). The
// image is metadata.component (type "container"), the distro an
// "operating-system" component, every package a "library" component whose
// bom-ref is its purl. Layer, location and ownership facts are properties
// in the "cinch:" namespace; dependency edges go to "dependencies".
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

constexpr std::string_view kImageRef = "cinch:image";

OJson Property(std::string_view name, std::string_view value) {
  return OJson{{"name", name}, {"value", value}};
}

// One expression alone, or a list of ids and names: the schema forbids
// mixing the two forms.
OJson Licenses(const std::vector<std::string>& licenses) {
  OJson out = OJson::array();
  bool single_ids = true;
  for (const std::string& l : licenses) single_ids &= IsSpdxLicenseId(l);
  std::string expression = CombinedExpression(licenses);
  if (!single_ids && !expression.empty()) {
    out.push_back({{"expression", expression}});
    return out;
  }
  for (const std::string& l : licenses) {
    OJson license;
    if (IsSpdxLicenseId(l)) {
      license["id"] = l;
    } else {
      license["name"] = l;
    }
    out.push_back({{"license", license}});
  }
  return out;
}

OJson Component(const Sbom& sbom, const Package& p, const std::string& ref) {
  OJson c;
  c["bom-ref"] = ref;
  c["type"] = "library";
  if (p.type == PackageType::kMaven && p.name.find(':') != std::string::npos) {
    c["group"] = p.name.substr(0, p.name.find(':'));
    c["name"] = p.name.substr(p.name.find(':') + 1);
  } else {
    c["name"] = p.name;
  }
  if (!p.version.empty()) c["version"] = p.version;
  if (!p.licenses.empty()) c["licenses"] = Licenses(p.licenses);
  if (!p.purl.empty()) c["purl"] = p.purl;

  OJson props = OJson::array();
  props.push_back(Property("cinch:package:type", PackageTypeName(p.type)));
  if (!p.found_by.empty())
    props.push_back(Property("cinch:found_by", p.found_by));
  if (!p.architecture.empty()) {
    props.push_back(Property("cinch:package:architecture", p.architecture));
  }
  if (!p.source_name.empty()) {
    props.push_back(Property("cinch:package:source_name", p.source_name));
  }
  if (!p.source_version.empty()) {
    props.push_back(Property("cinch:package:source_version", p.source_version));
  }
  if (p.layer >= 0) {
    props.push_back(Property("cinch:layer:index", std::to_string(p.layer)));
  }
  if (const SbomLayer* layer = LayerOf(sbom, p)) {
    if (!layer->diff_id.empty()) {
      props.push_back(Property("cinch:layer:diff_id", layer->diff_id));
    }
    if (!layer->created_by.empty()) {
      props.push_back(Property("cinch:layer:created_by", layer->created_by));
    }
  }
  if (!p.owned_by.empty())
    props.push_back(Property("cinch:owned_by", p.owned_by));
  c["properties"] = props;

  if (!p.locations.empty()) {
    OJson occurrences = OJson::array();
    for (const std::string& l : p.locations) {
      occurrences.push_back({{"location", l}});
    }
    c["evidence"] = {{"occurrences", occurrences}};
  }
  return c;
}

OJson Metadata(const Sbom& sbom, const SbomWriteOptions& options) {
  OJson tool = {
      {"type", "application"},
      {"name", "cinch"},
      {"version", options.tool_version.empty() ? std::string("unknown")
                                               : options.tool_version}};
  OJson image;
  image["bom-ref"] = kImageRef;
  image["type"] = "container";
  image["name"] = sbom.subject_name.empty() ? "image" : sbom.subject_name;
  if (!sbom.subject_digest.empty()) {
    image["version"] = sbom.subject_digest;
    std::string_view hex = sbom.subject_digest;
    if (hex.starts_with("sha256:")) {
      image["hashes"] =
          OJson::array({{{"alg", "SHA-256"}, {"content", hex.substr(7)}}});
    }
  }
  OJson props = OJson::array();
  if (!sbom.subject_platform.empty()) {
    props.push_back(Property("cinch:image:platform", sbom.subject_platform));
  }
  for (const std::string& tag : sbom.repo_tags) {
    props.push_back(Property("cinch:image:tag", tag));
  }
  for (size_t i = 0; i < sbom.layers.size(); ++i) {
    if (!sbom.layers[i].diff_id.empty()) {
      props.push_back(Property("cinch:image:layer:" + std::to_string(i),
                               sbom.layers[i].diff_id));
    }
  }
  if (!props.empty()) image["properties"] = props;
  return OJson{{"timestamp", FormatTime(options.created_unix)},
               {"tools", {{"components", OJson::array({tool})}}},
               {"component", image}};
}

}  // namespace

std::string WriteCycloneDx(const Sbom& sbom, SbomFormat format,
                           const SbomWriteOptions& options) {
  bool v15 = format == SbomFormat::kCycloneDx15;
  std::string version = v15 ? "1.5" : "1.6";
  OJson doc;
  doc["$schema"] =
      "http://cyclonedx.org/schema/bom-" + version + ".schema.json";
  doc["bomFormat"] = "CycloneDX";
  doc["specVersion"] = version;
  doc["serialNumber"] = "";
  doc["version"] = 1;
  doc["metadata"] = Metadata(sbom, options);

  OJson components = OJson::array();
  std::string os_ref;
  if (!sbom.distro.id.empty()) {
    os_ref = "cinch:os:" + sbom.distro.id + "@" + sbom.distro.version_id;
    OJson os = {{"bom-ref", os_ref},
                {"type", "operating-system"},
                {"name", sbom.distro.id}};
    if (!sbom.distro.version_id.empty()) os["version"] = sbom.distro.version_id;
    if (!sbom.distro.pretty_name.empty()) {
      os["description"] = sbom.distro.pretty_name;
    }
    if (!sbom.distro.codename.empty()) {
      os["properties"] = OJson::array(
          {Property("cinch:distro:codename", sbom.distro.codename)});
    }
    components.push_back(os);
  }

  // bom-refs: the purl, unique after cataloging; a hash when there is none.
  std::vector<std::string> refs;
  std::set<std::string> used;
  for (const Package& p : sbom.packages) {
    std::string ref = p.purl;
    if (ref.empty() || used.count(ref)) {
      ref = "cinch:package:" +
            ShortHash(fmt::format("{}/{}@{}#{}", PackageTypeName(p.type),
                                  p.name, p.version, refs.size()));
    }
    used.insert(ref);
    refs.push_back(ref);
    components.push_back(Component(sbom, p, ref));
  }
  doc["components"] = components;

  OJson deps = OJson::array();
  OJson top = OJson::array();
  if (!os_ref.empty()) top.push_back(os_ref);
  for (const std::string& r : refs) top.push_back(r);
  deps.push_back({{"ref", kImageRef}, {"dependsOn", top}});
  if (!os_ref.empty())
    deps.push_back({{"ref", os_ref}, {"dependsOn", OJson::array()}});
  for (size_t i = 0; i < sbom.packages.size(); ++i) {
    OJson on = OJson::array();
    for (const std::string& d : sbom.packages[i].depends_on) {
      if (used.count(d) && d != refs[i]) on.push_back(d);
    }
    deps.push_back({{"ref", refs[i]}, {"dependsOn", on}});
  }
  doc["dependencies"] = deps;

  // The serial number is derived from everything else, so identical
  // input gives identical bytes.
  std::string body = doc.dump(2);
  doc["serialNumber"] = "urn:uuid:" + UuidFrom(body);
  return doc.dump(2) + "\n";
}

}  // namespace cinch
