// The operating system of an image, from os-release(5) and the files
// distributions kept before it (/etc/debian_version, /etc/alpine-release,
// /etc/redhat-release and friends).
#ifndef CINCH_CATALOG_OS_RELEASE_H_
#define CINCH_CATALOG_OS_RELEASE_H_

#include <string>
#include <string_view>

#include "catalog/cataloger.h"
#include "catalog/package.h"

namespace cinch {

// Parses os-release(5) text: KEY=value lines, values optionally quoted
// with shell quoting. ID, VERSION_ID, VERSION_CODENAME (or UBUNTU_CODENAME)
// and PRETTY_NAME fill the Distro. Unknown keys and malformed lines are
// ignored, as the format asks.
Distro ParseOsRelease(std::string_view text);

// Paths (tree form, no leading '/') the distro cataloger reads, in order
// of preference.
inline constexpr std::string_view kOsReleasePaths[] = {
    "etc/os-release",     "usr/lib/os-release", "etc/lsb-release",
    "etc/alpine-release", "etc/debian_version", "etc/redhat-release",
    "etc/centos-release", "etc/system-release",
};

// Reads one of the fallback files (any of kOsReleasePaths but the two
// os-release ones). Returns an empty Distro when the text says nothing.
Distro ParseReleaseFile(std::string_view path, std::string_view text);

// Finds the distro: the first of kOsReleasePaths that is visible in the
// final image and names one. Runs first; Resolve sets ctx.distro and adds
// no packages.
class DistroCataloger : public FileCataloger {
 public:
  explicit DistroCataloger(size_t layer_count)
      : FileCataloger(layer_count), found_(layer_count) {}

  std::string_view name() const override { return "os-release"; }
  bool Wants(const Entry& entry) const override;
  size_t MaxBytes() const override { return 64 << 10; }
  Status Parse(size_t layer, const std::string& path,
               std::string_view content) override;
  void Resolve(CatalogContext& ctx, CatalogOutput& out) override;

 private:
  std::vector<std::map<std::string, Distro>> found_;
};

}  // namespace cinch

#endif  // CINCH_CATALOG_OS_RELEASE_H_
