// One member of a layer: what a tar header (or, for a rootfs directory, an
// lstat) says about a path. Paths are relative to the image root, without
// "./" prefix or trailing slash; the root itself is never an entry.
#ifndef CINCH_WALK_ENTRY_H_
#define CINCH_WALK_ENTRY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cinch {

enum class EntryType {
  kRegular,
  kDirectory,
  kSymlink,
  kHardlink,
  kCharDevice,
  kBlockDevice,
  kFifo,
  kSocket,
};

std::string_view EntryTypeName(EntryType t);

// OCI image-spec layer.md, "Whiteouts".
inline constexpr std::string_view kWhiteoutPrefix = ".wh.";
inline constexpr std::string_view kOpaqueWhiteout = ".wh..wh..opq";

enum class Whiteout {
  kNone,
  kRemove,  // ".wh.NAME": NAME is deleted from the layers below
  kOpaque,  // ".wh..wh..opq": the directory's lower contents are hidden
};

struct Xattr {
  std::string name;
  std::string value;
};

struct Entry {
  std::string path;
  EntryType type = EntryType::kRegular;
  uint64_t size = 0;  // content bytes; 0 for all but regular files
  uint32_t mode = 0;  // permission bits including setuid, setgid, sticky
  uint64_t uid = 0;
  uint64_t gid = 0;
  int64_t mtime = 0;
  std::string link_target;  // symlink target, or hard link's first path
  std::vector<Xattr> xattrs;
  bool sparse = false;
  // Where the entry's header starts in the uncompressed layer stream.
  uint64_t offset = 0;

  Whiteout whiteout = Whiteout::kNone;
  // For kRemove, the path it deletes; for kOpaque, the directory.
  std::string whiteout_target;

  bool HasXattr(std::string_view name) const;
};

}  // namespace cinch

#endif  // CINCH_WALK_ENTRY_H_
