#include "catalog/os_release.h"

#include <cctype>

namespace cinch {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

// Undoes the shell quoting os-release allows: "..." with backslash
// escapes, or '...'.
std::string Unquote(std::string_view v) {
  if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'') {
    return std::string(v.substr(1, v.size() - 2));
  }
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
    v = v.substr(1, v.size() - 2);
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '\\' && i + 1 < v.size()) ++i;
      out += v[i];
    }
    return out;
  }
  return std::string(v);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// First run of digits and dots in `text`: "12.4" from "12.4\n",
// "9.3" from "Red Hat Enterprise Linux release 9.3 (Plow)".
std::string FirstVersion(std::string_view text) {
  size_t start = 0;
  while (start < text.size() &&
         !std::isdigit(static_cast<unsigned char>(text[start]))) {
    ++start;
  }
  size_t end = start;
  while (end < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[end])) ||
          text[end] == '.')) {
    ++end;
  }
  std::string_view v = text.substr(start, end - start);
  while (v.ends_with('.')) v.remove_suffix(1);
  return std::string(v);
}

}  // namespace

Distro ParseOsRelease(std::string_view text) {
  Distro d;
  std::string ubuntu_codename;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = Trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? "" : text.substr(nl + 1);
    if (line.empty() || line.front() == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = Trim(line.substr(0, eq));
    std::string value = Unquote(Trim(line.substr(eq + 1)));
    if (key == "ID") {
      d.id = Lower(value);
    } else if (key == "VERSION_ID") {
      d.version_id = value;
    } else if (key == "VERSION_CODENAME") {
      d.codename = value;
    } else if (key == "UBUNTU_CODENAME") {
      ubuntu_codename = value;
    } else if (key == "PRETTY_NAME") {
      d.pretty_name = value;
    }
  }
  if (d.codename.empty()) d.codename = ubuntu_codename;
  return d;
}

Distro ParseReleaseFile(std::string_view path, std::string_view text) {
  Distro d;
  std::string_view first = Trim(text.substr(0, text.find('\n')));
  if (path == "etc/lsb-release") {
    // DISTRIB_ID=Ubuntu, DISTRIB_RELEASE=22.04, DISTRIB_CODENAME=jammy.
    std::string_view rest = text;
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      std::string_view line = Trim(rest.substr(0, nl));
      rest = nl == std::string_view::npos ? "" : rest.substr(nl + 1);
      size_t eq = line.find('=');
      if (eq == std::string_view::npos) continue;
      std::string_view key = line.substr(0, eq);
      std::string value = Unquote(Trim(line.substr(eq + 1)));
      if (key == "DISTRIB_ID") d.id = Lower(value);
      if (key == "DISTRIB_RELEASE") d.version_id = value;
      if (key == "DISTRIB_CODENAME") d.codename = value;
      if (key == "DISTRIB_DESCRIPTION") d.pretty_name = value;
    }
  } else if (path == "etc/alpine-release") {
    d.id = "alpine";
    d.version_id = FirstVersion(first);
  } else if (path == "etc/debian_version") {
    d.id = "debian";
    // "12.4" gives major "12"; testing's "trixie/sid" gives no version.
    std::string v = FirstVersion(first);
    d.version_id = v.substr(0, v.find('.'));
    if (v.empty()) d.codename = std::string(first.substr(0, first.find('/')));
  } else if (!first.empty()) {
    // "Red Hat Enterprise Linux release 9.3 (Plow)", "CentOS Linux release
    // 7.9.2009 (Core)", "Rocky Linux release 9.3", "Amazon Linux release 2".
    std::string lower = Lower(first);
    if (lower.starts_with("red hat")) {
      d.id = "rhel";
    } else if (lower.starts_with("centos")) {
      d.id = "centos";
    } else if (lower.starts_with("rocky")) {
      d.id = "rocky";
    } else if (lower.starts_with("almalinux")) {
      d.id = "almalinux";
    } else if (lower.starts_with("fedora")) {
      d.id = "fedora";
    } else if (lower.starts_with("amazon")) {
      d.id = "amzn";
    } else if (lower.starts_with("oracle")) {
      d.id = "ol";
    }
    d.version_id = FirstVersion(first);
    if (d.id == "rhel" || d.id == "centos" || d.id == "rocky" ||
        d.id == "almalinux" || d.id == "ol") {
      // Advisories use the major.minor release; CentOS 7's "7.9.2009" is 7.
      d.version_id = d.version_id.substr(0, d.version_id.find('.'));
    }
    d.pretty_name = std::string(first);
  }
  if (d.id.empty()) return Distro{};
  return d;
}

bool DistroCataloger::Wants(const Entry& entry) const {
  for (std::string_view p : kOsReleasePaths) {
    if (entry.path == p) return true;
  }
  return false;
}

Status DistroCataloger::Parse(size_t layer, const std::string& path,
                              std::string_view content) {
  bool os_release = path.ends_with("os-release");
  found_[layer][path] =
      os_release ? ParseOsRelease(content) : ParseReleaseFile(path, content);
  return {};
}

void DistroCataloger::Resolve(CatalogContext& ctx, CatalogOutput& out) {
  TakeProblems(out);
  for (std::string_view p : kOsReleasePaths) {
    // etc/os-release is usually a link to usr/lib/os-release.
    std::optional<std::string> path = ResolveVisible(*ctx.tree, p);
    if (!path) continue;
    int layer = ctx.tree->nodes().find(*path)->second.modified_layer;
    if (layer < 0 || size_t(layer) >= found_.size()) continue;
    auto it = found_[size_t(layer)].find(*path);
    if (it != found_[size_t(layer)].end() && !it->second.id.empty()) {
      ctx.distro = it->second;
      return;
    }
  }
}

}  // namespace cinch
