#include "catalog/python.h"

#include <cctype>

#include "catalog/license.h"

namespace cinch {
namespace {

// A License field longer than this is the licence's text, not its name.
constexpr size_t kMaxLicenseName = 80;
constexpr std::string_view kClassifierPrefix = "License :: ";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

Result<Package> ParsePythonMetadata(std::string_view text) {
  Package p;
  p.type = PackageType::kPypi;
  std::string license;
  std::string expression;
  std::vector<std::string> classifiers;
  std::string_view last_key;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? "" : text.substr(nl + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty()) break;  // the body (description) follows
    if (line.front() == ' ' || line.front() == '\t') {
      // A folded header: only License may continue, and then it is text.
      if (last_key == "License") license += "\n";
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = line.substr(0, colon);
    std::string_view value = Trim(line.substr(colon + 1));
    last_key = key;
    if (key == "Name") {
      p.name = std::string(value);
    } else if (key == "Version") {
      p.version = std::string(value);
    } else if (key == "License") {
      license = std::string(value);
    } else if (key == "License-Expression") {
      expression = std::string(value);
    } else if (key == "Classifier" && value.starts_with(kClassifierPrefix)) {
      // "License :: OSI Approved :: MIT License": the last part names it.
      std::string_view name = value.substr(value.rfind("::") + 2);
      classifiers.push_back(NormalizeLicense(name));
    }
  }
  if (p.name.empty()) return Fail("no Name field");
  if (p.version.empty()) return Fail("no Version field for {}", p.name);

  if (!expression.empty()) {
    p.licenses.push_back(NormalizeLicense(expression));
  } else if (!license.empty() && license != "UNKNOWN" &&
             license.find('\n') == std::string::npos &&
             license.size() <= kMaxLicenseName) {
    p.licenses.push_back(NormalizeLicense(license));
  } else {
    for (const std::string& c : classifiers) {
      if (c != "OSI Approved") p.licenses.push_back(c);
    }
  }
  return p;
}

bool PythonCataloger::Wants(const Entry& entry) const {
  std::string_view p = entry.path;
  return p.ends_with(".dist-info/METADATA") ||
         p.ends_with(".egg-info/PKG-INFO") || p.ends_with(".egg-info");
}

Result<std::vector<Package>> PythonCataloger::ParseManifest(
    const std::string&, std::string_view content) const {
  CINCH_ASSIGN(Package p, ParsePythonMetadata(content));
  return std::vector<Package>{std::move(p)};
}

}  // namespace cinch
