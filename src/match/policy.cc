#include "match/policy.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "advisory/osv.h"
#include "base/json.h"

namespace cinch {
namespace {

std::string ScalarOr(const YAML::Node& node, const char* key) {
  const YAML::Node v = node[key];
  if (!v || !v.IsScalar()) return "";
  return v.Scalar();
}

bool Names(const VulnFinding& f, std::string_view id) {
  return f.id == id ||
         std::find(f.aliases.begin(), f.aliases.end(), id) != f.aliases.end();
}

// "pkg:type/namespace/name@version?q#s" -> ("type/namespace/name",
// "version"), percent-encoding left as is.
std::pair<std::string, std::string> SplitPurl(std::string_view purl) {
  purl = purl.substr(0, purl.find_first_of("?#"));
  size_t at = purl.rfind('@');
  // An '@' before the last '/' belongs to an npm scope ("%40" or '@').
  if (at != std::string_view::npos && purl.find('/', at) == purl.npos) {
    return {std::string(purl.substr(0, at)), std::string(purl.substr(at + 1))};
  }
  return {std::string(purl), ""};
}

bool PurlCovers(std::string_view product, std::string_view package) {
  auto [pname, pversion] = SplitPurl(product);
  auto [name, version] = SplitPurl(package);
  return pname == name && (pversion.empty() || pversion == version);
}

}  // namespace

Result<std::vector<RiskException>> ParseExceptions(std::string_view yaml,
                                                   std::string_view what) {
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Fail("{}: invalid YAML at line {}: {}", what, e.mark.line + 1,
                e.msg);
  }
  std::vector<RiskException> out;
  if (!doc || doc.IsNull()) return out;
  YAML::Node list = doc.IsMap() ? doc["exceptions"] : doc;
  if (!list || list.IsNull()) return out;
  if (!list.IsSequence()) {
    return Fail("{}: 'exceptions' must be a list", what);
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const YAML::Node& e = list[i];
    if (!e.IsMap())
      return Fail("{}: exception {} is not a mapping", what, i + 1);
    RiskException x;
    x.id = ScalarOr(e, "id");
    x.package = ScalarOr(e, "package");
    x.version = ScalarOr(e, "version");
    x.reason = ScalarOr(e, "reason");
    x.owner = ScalarOr(e, "owner");
    x.expires = ScalarOr(e, "expires");
    std::string where = fmt::format("{}: exception {} ({})", what, i + 1,
                                    x.id.empty() ? "no id" : x.id);
    for (const auto& [field, value] : {std::pair{"id", &x.id},
                                       {"reason", &x.reason},
                                       {"owner", &x.owner},
                                       {"expires", &x.expires}}) {
      if (value->empty()) return Fail("{}: '{}' is required", where, field);
    }
    auto at = ParseTimestamp(x.expires);
    if (!at) {
      return Fail("{}: expires '{}' is not a date (YYYY-MM-DD)", where,
                  x.expires);
    }
    x.expires_at = *at;
    out.push_back(std::move(x));
  }
  return out;
}

Result<std::vector<VexStatement>> ParseOpenVex(std::string_view json,
                                               std::string_view what) {
  CINCH_ASSIGN(Json doc, ParseJson(json, what));
  auto in = [&](Error e) { return Fail(e.In(what)); };
  auto statements = GetArray(doc, "statements");
  if (!statements) return in(statements.error());
  std::vector<VexStatement> out;
  if (*statements == nullptr) return out;
  for (const Json& s : **statements) {
    if (!s.is_object()) return Fail("{}: statements must be objects", what);
    VexStatement v;
    auto status = GetString(s, "status");
    if (!status) return in(status.error());
    v.status = *status;
    v.justification = s.value("justification", "");
    const Json& vuln =
        s.contains("vulnerability") ? s["vulnerability"] : Json();
    if (vuln.is_string()) {
      v.vulnerabilities.push_back(vuln.get<std::string>());
    } else if (vuln.is_object()) {
      if (vuln.contains("name") && vuln["name"].is_string()) {
        v.vulnerabilities.push_back(vuln["name"].get<std::string>());
      }
      if (vuln.contains("aliases") && vuln["aliases"].is_array()) {
        for (const Json& a : vuln["aliases"]) {
          if (a.is_string()) v.vulnerabilities.push_back(a.get<std::string>());
        }
      }
    }
    if (s.contains("products") && s["products"].is_array()) {
      for (const Json& p : s["products"]) {
        if (p.is_string()) {
          v.products.push_back(p.get<std::string>());
          continue;
        }
        if (!p.is_object()) continue;
        std::string id = p.value("@id", "");
        if (!id.empty()) v.products.push_back(id);
        if (p.contains("subcomponents") && p["subcomponents"].is_array()) {
          for (const Json& sub : p["subcomponents"]) {
            if (sub.is_object() && sub.value("@id", "") != "") {
              v.products.push_back(sub.value("@id", ""));
            }
          }
        }
      }
    }
    if (v.vulnerabilities.empty()) {
      return Fail("{}: a statement names no vulnerability", what);
    }
    out.push_back(std::move(v));
  }
  return out;
}

void ApplyPolicy(const std::vector<Package>& packages,
                 const std::vector<RiskException>& exceptions,
                 const std::vector<VexStatement>& vex, int64_t now,
                 std::vector<VulnFinding>& findings) {
  for (VulnFinding& f : findings) {
    const Package& p = packages[f.package_index];
    for (const RiskException& x : exceptions) {
      if (!Names(f, x.id)) continue;
      if (!x.package.empty() && x.package != p.name &&
          x.package != f.matched_name) {
        continue;
      }
      if (!x.version.empty() && x.version != p.version &&
          x.version != f.matched_version) {
        continue;
      }
      if (now >= x.expires_at) {
        f.expired_exception = fmt::format("exception by {} expired on {}: {}",
                                          x.owner, x.expires, x.reason);
        continue;
      }
      f.suppressed_by = "exception";
      f.suppression_reason =
          fmt::format("{} (owner {}, until {})", x.reason, x.owner, x.expires);
      break;
    }
    if (!f.suppressed_by.empty()) continue;

    for (const VexStatement& v : vex) {
      if (v.status != "not_affected" && v.status != "fixed") continue;
      bool names =
          std::any_of(v.vulnerabilities.begin(), v.vulnerabilities.end(),
                      [&](const std::string& id) { return Names(f, id); });
      if (!names) continue;
      // Products that are packages of this image must include this one;
      // products that are not (the image itself) cover all of them.
      bool about_packages = false;
      bool covers = v.products.empty();
      for (const std::string& product : v.products) {
        bool is_package = std::any_of(
            packages.begin(), packages.end(), [&](const Package& q) {
              return !q.purl.empty() && PurlCovers(product, q.purl);
            });
        about_packages = about_packages || is_package;
        covers = covers || (!p.purl.empty() && PurlCovers(product, p.purl));
      }
      if (!about_packages) covers = true;
      if (!covers) continue;
      f.suppressed_by = "vex";
      f.suppression_reason =
          v.justification.empty()
              ? "VEX: " + v.status
              : fmt::format("VEX: {} ({})", v.status, v.justification);
      break;
    }
  }
}

}  // namespace cinch
