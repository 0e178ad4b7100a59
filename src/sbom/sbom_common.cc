#include "sbom/sbom_common.h"

#include <ctime>

#include "base/sha256.h"
#include "catalog/license.h"

namespace cinch::sbom_internal {

std::string FormatTime(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec);
}

std::string UuidFrom(std::string_view seed) {
  std::string hex(DigestHex(Sha256Digest(seed)).substr(0, 32));
  hex[12] = '8';  // version 8: custom
  static constexpr char kVariant[] = "89ab";
  hex[16] = kVariant[std::stoi(hex.substr(16, 1), nullptr, 16) & 3];
  return fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4),
                     hex.substr(12, 4), hex.substr(16, 4), hex.substr(20, 12));
}

std::string ShortHash(std::string_view text) {
  return std::string(DigestHex(Sha256Digest(text)).substr(0, 12));
}

std::string CombinedExpression(const std::vector<std::string>& licenses) {
  if (licenses.empty()) return "";
  for (const std::string& l : licenses) {
    if (!IsSpdxExpression(l)) return "";
  }
  if (licenses.size() == 1) return licenses[0];
  std::string out;
  for (const std::string& l : licenses) {
    if (!out.empty()) out += " AND ";
    bool compound = l.find(' ') != std::string::npos;
    out += compound ? "(" + l + ")" : l;
  }
  return out;
}

const SbomLayer* LayerOf(const Sbom& sbom, const Package& p) {
  if (p.layer < 0 || size_t(p.layer) >= sbom.layers.size()) return nullptr;
  return &sbom.layers[size_t(p.layer)];
}

}  // namespace cinch::sbom_internal
