#include "catalog/license.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <vector>

namespace cinch {
namespace {

constexpr std::string_view kSpdxIds[] = {
#include "catalog/spdx_license_ids.inc"
};

// Debian short names (copyright-format 1.0, "License specification") and
// common free-text names, lower case, with their SPDX identifiers.
constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
    {"gpl-1", "GPL-1.0-only"},
    {"gpl-1+", "GPL-1.0-or-later"},
    {"gpl-2", "GPL-2.0-only"},
    {"gpl-2+", "GPL-2.0-or-later"},
    {"gpl-2.0+", "GPL-2.0-or-later"},
    {"gpl-3", "GPL-3.0-only"},
    {"gpl-3+", "GPL-3.0-or-later"},
    {"gpl-3.0+", "GPL-3.0-or-later"},
    {"gplv2", "GPL-2.0-only"},
    {"gplv2+", "GPL-2.0-or-later"},
    {"gplv3", "GPL-3.0-only"},
    {"gplv3+", "GPL-3.0-or-later"},
    {"lgpl-2", "LGPL-2.0-only"},
    {"lgpl-2+", "LGPL-2.0-or-later"},
    {"lgpl-2.1", "LGPL-2.1-only"},
    {"lgpl-2.1+", "LGPL-2.1-or-later"},
    {"lgpl-3", "LGPL-3.0-only"},
    {"lgpl-3+", "LGPL-3.0-or-later"},
    {"agpl-3", "AGPL-3.0-only"},
    {"agpl-3+", "AGPL-3.0-or-later"},
    {"gfdl-1.2", "GFDL-1.2-only"},
    {"gfdl-1.2+", "GFDL-1.2-or-later"},
    {"gfdl-1.3", "GFDL-1.3-only"},
    {"gfdl-1.3+", "GFDL-1.3-or-later"},
    {"gfdl-nis", "GFDL-1.3-no-invariants-only"},
    {"artistic", "Artistic-1.0-Perl"},
    {"artistic-2", "Artistic-2.0"},
    {"expat", "MIT"},
    {"mit license", "MIT"},
    {"the mit license", "MIT"},
    {"apache-2", "Apache-2.0"},
    {"apache 2.0", "Apache-2.0"},
    {"apache license 2.0", "Apache-2.0"},
    {"apache license, version 2.0", "Apache-2.0"},
    {"apache software license", "Apache-2.0"},
    {"apache-2.0 license", "Apache-2.0"},
    {"the apache software license, version 2.0", "Apache-2.0"},
    {"the apache license, version 2.0", "Apache-2.0"},
    {"mpl-1.1", "MPL-1.1"},
    {"mpl-2", "MPL-2.0"},
    {"mozilla public license 2.0 (mpl 2.0)", "MPL-2.0"},
    {"isc license (iscl)", "ISC"},
    {"isc license", "ISC"},
    {"python software foundation license", "PSF-2.0"},
    {"psf", "PSF-2.0"},
    {"bsd-2-clause", "BSD-2-Clause"},
    {"bsd-3-clause", "BSD-3-Clause"},
    {"new bsd license", "BSD-3-Clause"},
    {"simplified bsd license", "BSD-2-Clause"},
    {"zlib license", "Zlib"},
    {"zope public license", "ZPL-2.1"},
    {"eclipse public license 2.0", "EPL-2.0"},
    {"eclipse public license - v 2.0", "EPL-2.0"},
    {"gnu general public license v2 (gplv2)", "GPL-2.0-only"},
    {"gnu general public license v3 (gplv3)", "GPL-3.0-only"},
    {"gnu general public license v2 or later (gplv2+)", "GPL-2.0-or-later"},
    {"gnu general public license v3 or later (gplv3+)", "GPL-3.0-or-later"},
    {"gnu lesser general public license v2 (lgplv2)", "LGPL-2.0-only"},
    {"gnu lesser general public license v3 (lgplv3)", "LGPL-3.0-only"},
    {"gnu lesser general public license v2 or later (lgplv2+)",
     "LGPL-2.0-or-later"},
    {"gnu lesser general public license v3 or later (lgplv3+)",
     "LGPL-3.0-or-later"},
    {"gnu library or lesser general public license (lgpl)",
     "LGPL-2.0-or-later"},
    {"the unlicense (unlicense)", "Unlicense"},
    {"cc0 1.0 universal (cc0 1.0) public domain dedication", "CC0-1.0"},
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
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

std::vector<std::string> Tokenize(std::string_view text) {
  std::vector<std::string> tokens;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) tokens.push_back(std::move(current));
    current.clear();
  };
  for (char c : text) {
    if (c == '(' || c == ')') {
      flush();
      tokens.emplace_back(1, c);
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      flush();
    } else {
      current += c;
    }
  }
  flush();
  return tokens;
}

bool IsIdChars(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
  });
}

bool IsLicenseRef(std::string_view s) {
  if (s.starts_with("DocumentRef-")) {
    size_t colon = s.find(':');
    if (colon == std::string_view::npos ||
        !IsIdChars(s.substr(12, colon - 12))) {
      return false;
    }
    s = s.substr(colon + 1);
  }
  return s.starts_with("LicenseRef-") && IsIdChars(s.substr(11));
}

bool IsSimple(std::string_view s) {
  if (IsLicenseRef(s)) return true;
  if (s.ends_with('+')) s.remove_suffix(1);
  return IsSpdxLicenseId(s);
}

// Recursive descent over the tokens of an expression; `pos` advances.
class ExpressionChecker {
 public:
  explicit ExpressionChecker(std::vector<std::string> tokens)
      : tokens_(std::move(tokens)) {}

  bool Valid() {
    return !tokens_.empty() && Compound(0) && pos_ == tokens_.size();
  }

 private:
  static constexpr int kMaxDepth = 64;

  bool Compound(int depth) {
    if (depth > kMaxDepth || !Term(depth)) return false;
    while (pos_ < tokens_.size() &&
           (tokens_[pos_] == "AND" || tokens_[pos_] == "OR")) {
      ++pos_;
      if (!Term(depth)) return false;
    }
    return true;
  }

  bool Term(int depth) {
    if (pos_ >= tokens_.size()) return false;
    if (tokens_[pos_] == "(") {
      ++pos_;
      if (!Compound(depth + 1)) return false;
      if (pos_ >= tokens_.size() || tokens_[pos_] != ")") return false;
      ++pos_;
      return true;
    }
    if (!IsSimple(tokens_[pos_++])) return false;
    if (pos_ < tokens_.size() && tokens_[pos_] == "WITH") {
      ++pos_;
      return pos_ < tokens_.size() && IsSpdxLicenseId(tokens_[pos_++]);
    }
    return true;
  }

  std::vector<std::string> tokens_;
  size_t pos_ = 0;
};

std::string MapToken(const std::string& token) {
  std::string lower = Lower(token);
  if (lower == "and" || lower == "or" || lower == "with") {
    return std::string(Lower(token) == "and" ? "AND"
                       : lower == "or"       ? "OR"
                                             : "WITH");
  }
  for (const auto& [alias, id] : kAliases) {
    if (alias == lower) return std::string(id);
  }
  std::string_view canonical = CanonicalSpdxId(token);
  if (!canonical.empty()) return std::string(canonical);
  return token;
}

}  // namespace

bool IsSpdxLicenseId(std::string_view id) {
  return std::binary_search(std::begin(kSpdxIds), std::end(kSpdxIds), id);
}

std::string_view CanonicalSpdxId(std::string_view id) {
  if (IsSpdxLicenseId(id)) {
    return *std::lower_bound(std::begin(kSpdxIds), std::end(kSpdxIds), id);
  }
  std::string lower = Lower(id);
  for (std::string_view known : kSpdxIds) {
    if (known.size() == lower.size() && Lower(known) == lower) return known;
  }
  return "";
}

bool IsSpdxExpression(std::string_view text) {
  return ExpressionChecker(Tokenize(text)).Valid();
}

std::string NormalizeLicense(std::string_view text) {
  text = Trim(text);
  // A known name first (Debian's "LGPL-2.1+" is also a deprecated SPDX
  // id; the current one is preferred), then a valid expression, then
  // token by token ("GPL-2+ or Artistic").
  std::string lower = Lower(text);
  for (const auto& [alias, id] : kAliases) {
    if (alias == lower) return std::string(id);
  }
  if (text.empty() || IsSpdxExpression(text)) return std::string(text);
  std::string_view canonical = CanonicalSpdxId(text);
  if (!canonical.empty()) return std::string(canonical);

  std::string mapped;
  for (const std::string& token : Tokenize(text)) {
    std::string m = MapToken(token);
    if (!mapped.empty() && m != ")" && mapped.back() != '(') mapped += ' ';
    mapped += m;
  }
  if (IsSpdxExpression(mapped)) return mapped;
  return std::string(text);
}

}  // namespace cinch
