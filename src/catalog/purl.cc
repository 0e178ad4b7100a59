#include "catalog/purl.h"

#include <cctype>

namespace cinch {
namespace {

bool IsUnreserved(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
         c == '_' || c == '~';
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// PEP 503: runs of "-", "_" and "." become one "-", all lower case.
std::string NormalizePythonName(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      if (out.empty() || out.back() != '-') out += '-';
    } else {
      out += char(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

// Splits "a/b/c" into ("a/b", "c"); no slash gives ("", text).
std::pair<std::string, std::string> SplitLast(std::string_view text, char sep) {
  size_t at = text.rfind(sep);
  if (at == std::string_view::npos) return {"", std::string(text)};
  return {std::string(text.substr(0, at)), std::string(text.substr(at + 1))};
}

std::string RpmNamespace(std::string_view distro_id) {
  if (distro_id == "rhel") return "redhat";
  if (distro_id.empty()) return "redhat";
  return std::string(distro_id);
}

void AddUpstream(const Package& p, Purl& purl) {
  if (p.source_name.empty()) return;
  bool same_version = p.source_version.empty() || p.source_version == p.version;
  if (p.source_name == p.name && same_version) return;
  purl.qualifiers["upstream"] =
      same_version ? p.source_name : p.source_name + "@" + p.source_version;
}

void FillOsPurl(const Package& p, const Distro& distro, Purl& purl) {
  purl.name = p.name;
  purl.version = p.version;
  purl.qualifiers["arch"] = p.architecture;
  purl.qualifiers["distro"] = DistroQualifier(distro);
  switch (p.type) {
    case PackageType::kDeb:
      purl.namespace_ = distro.id.empty() ? "debian" : Lower(distro.id);
      AddUpstream(p, purl);
      break;
    case PackageType::kApk:
      purl.namespace_ = distro.id.empty() ? "alpine" : Lower(distro.id);
      AddUpstream(p, purl);
      break;
    default: {
      purl.namespace_ = RpmNamespace(Lower(distro.id));
      // rpm versions are "[epoch:]version-release"; the epoch is a
      // qualifier in purls.
      size_t colon = p.version.find(':');
      if (colon != std::string::npos) {
        purl.qualifiers["epoch"] = p.version.substr(0, colon);
        purl.version = p.version.substr(colon + 1);
      }
      if (!p.source_name.empty()) purl.qualifiers["upstream"] = p.source_name;
      break;
    }
  }
}

}  // namespace

std::string PercentEncode(std::string_view text, std::string_view keep) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (IsUnreserved(c) || keep.find(c) != std::string_view::npos) {
      out += c;
      continue;
    }
    auto b = static_cast<unsigned char>(c);
    out += '%';
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::string PercentDecode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 &&
        hex(text[i + 2]) >= 0) {
      out += char(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string Purl::ToString() const {
  std::string out = "pkg:" + Lower(type) + "/";
  size_t start = 0;
  while (start < namespace_.size()) {
    size_t slash = namespace_.find('/', start);
    if (slash == std::string::npos) slash = namespace_.size();
    std::string_view segment =
        std::string_view(namespace_).substr(start, slash - start);
    if (!segment.empty()) out += PercentEncode(segment) + "/";
    start = slash + 1;
  }
  out += PercentEncode(name);
  if (!version.empty()) out += "@" + PercentEncode(version, ":");
  char sep = '?';
  for (const auto& [key, value] : qualifiers) {
    if (value.empty()) continue;
    out += sep;
    out += Lower(key) + "=" + PercentEncode(value, ":/");
    sep = '&';
  }
  if (!subpath.empty()) out += "#" + PercentEncode(subpath, "/");
  return out;
}

Result<Purl> ParsePurl(std::string_view text) {
  if (!text.starts_with("pkg:")) return Fail("purl '{}' lacks 'pkg:'", text);
  std::string_view rest = text.substr(4);
  while (rest.starts_with('/')) rest.remove_prefix(1);
  Purl purl;
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) {
    purl.subpath = PercentDecode(rest.substr(hash + 1));
    rest = rest.substr(0, hash);
  }
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    std::string_view query = rest.substr(q + 1);
    rest = rest.substr(0, q);
    while (!query.empty()) {
      size_t amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      size_t eq = pair.find('=');
      if (eq != std::string_view::npos) {
        purl.qualifiers[Lower(pair.substr(0, eq))] =
            PercentDecode(pair.substr(eq + 1));
      }
      if (amp == std::string_view::npos) break;
      query = query.substr(amp + 1);
    }
  }
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) {
    return Fail("purl '{}' has no type/name", text);
  }
  purl.type = Lower(rest.substr(0, slash));
  rest = rest.substr(slash + 1);
  size_t at = rest.rfind('@');
  size_t last_slash = rest.rfind('/');
  if (at != std::string_view::npos &&
      (last_slash == std::string_view::npos || at > last_slash)) {
    purl.version = PercentDecode(rest.substr(at + 1));
    rest = rest.substr(0, at);
  }
  while (rest.ends_with('/')) rest.remove_suffix(1);
  auto [ns, name] = SplitLast(rest, '/');
  purl.name = PercentDecode(name);
  std::string decoded_ns;
  for (size_t start = 0; start < ns.size();) {
    size_t end = ns.find('/', start);
    if (end == std::string::npos) end = ns.size();
    if (!decoded_ns.empty()) decoded_ns += '/';
    decoded_ns +=
        PercentDecode(std::string_view(ns).substr(start, end - start));
    start = end + 1;
  }
  purl.namespace_ = decoded_ns;
  if (purl.name.empty()) return Fail("purl '{}' has an empty name", text);
  return purl;
}

std::string DistroQualifier(const Distro& distro) {
  if (distro.id.empty()) return "";
  if (distro.version_id.empty()) return Lower(distro.id);
  return Lower(distro.id) + "-" + distro.version_id;
}

std::string MakePurl(const Package& p, const Distro& distro) {
  if (p.name.empty()) return "";
  Purl purl;
  purl.type = std::string(PackageTypeName(p.type));
  purl.version = p.version;
  switch (p.type) {
    case PackageType::kDeb:
    case PackageType::kApk:
    case PackageType::kRpm:
      FillOsPurl(p, distro, purl);
      break;
    case PackageType::kPypi:
      purl.name = NormalizePythonName(p.name);
      break;
    case PackageType::kNpm: {
      auto [scope, name] = SplitLast(Lower(p.name), '/');
      purl.namespace_ = scope;
      purl.name = name;
      break;
    }
    case PackageType::kMaven: {
      auto [group, artifact] = SplitLast(p.name, ':');
      purl.namespace_ = group;
      purl.name = artifact;
      break;
    }
    case PackageType::kGolang: {
      auto [ns, name] = SplitLast(p.name, '/');
      purl.namespace_ = ns;
      purl.name = name;
      break;
    }
    case PackageType::kComposer: {
      auto [vendor, name] = SplitLast(Lower(p.name), '/');
      purl.namespace_ = vendor;
      purl.name = name;
      break;
    }
    default:
      purl.name = p.name;
      break;
  }
  if (purl.name.empty()) return "";
  return purl.ToString();
}

void ApplyPurl(const Purl& purl, Package& p, Distro* distro) {
  p.type = PackageTypeFromName(purl.type);
  p.version = purl.version;
  switch (p.type) {
    case PackageType::kMaven:
      p.name = purl.namespace_.empty() ? purl.name
                                       : purl.namespace_ + ":" + purl.name;
      break;
    case PackageType::kNpm:
    case PackageType::kGolang:
    case PackageType::kComposer:
      p.name = purl.namespace_.empty() ? purl.name
                                       : purl.namespace_ + "/" + purl.name;
      break;
    default:
      p.name = purl.name;
      break;
  }
  auto qualifier = [&](const char* key) -> std::string {
    auto it = purl.qualifiers.find(key);
    return it == purl.qualifiers.end() ? "" : it->second;
  };
  if (std::string arch = qualifier("arch"); !arch.empty()) {
    p.architecture = arch;
  }
  if (std::string epoch = qualifier("epoch"); !epoch.empty() && epoch != "0") {
    p.version = epoch + ":" + p.version;
  }
  if (std::string upstream = qualifier("upstream"); !upstream.empty()) {
    if (p.type == PackageType::kRpm) {
      p.source_name = upstream;
    } else {
      auto at = upstream.find('@');
      p.source_name = upstream.substr(0, at);
      if (at != std::string::npos) p.source_version = upstream.substr(at + 1);
    }
  }
  if (distro != nullptr) {
    std::string d = qualifier("distro");
    if (!d.empty()) {
      // "debian-12" or "alpine-3.19.1"; Trivy writes "debian-12.4".
      size_t dash = d.find('-');
      distro->id = d.substr(0, dash);
      if (dash != std::string::npos) distro->version_id = d.substr(dash + 1);
    }
  }
}

}  // namespace cinch
