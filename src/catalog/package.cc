#include "catalog/package.h"

#include <array>
#include <utility>

namespace cinch {
namespace {

constexpr std::array<std::pair<PackageType, std::string_view>, 12> kTypeNames{{
    {PackageType::kDeb, "deb"},
    {PackageType::kApk, "apk"},
    {PackageType::kRpm, "rpm"},
    {PackageType::kPypi, "pypi"},
    {PackageType::kNpm, "npm"},
    {PackageType::kGolang, "golang"},
    {PackageType::kMaven, "maven"},
    {PackageType::kCargo, "cargo"},
    {PackageType::kGem, "gem"},
    {PackageType::kComposer, "composer"},
    {PackageType::kNuget, "nuget"},
    {PackageType::kGeneric, "generic"},
}};

}  // namespace

std::string_view PackageTypeName(PackageType t) {
  for (const auto& [type, name] : kTypeNames) {
    if (type == t) return name;
  }
  return "generic";
}

PackageType PackageTypeFromName(std::string_view name) {
  for (const auto& [type, type_name] : kTypeNames) {
    if (type_name == name) return type;
  }
  return PackageType::kGeneric;
}

bool IsOsPackageType(PackageType t) {
  return t == PackageType::kDeb || t == PackageType::kApk ||
         t == PackageType::kRpm;
}

}  // namespace cinch
