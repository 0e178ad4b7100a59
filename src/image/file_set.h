// Where an image's files live: a directory (an OCI layout, an unpacked
// `docker save`) or an uncompressed tar archive of one. Sources read
// manifests and blobs through this interface without caring which.
#ifndef CINCH_IMAGE_FILE_SET_H_
#define CINCH_IMAGE_FILE_SET_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "base/io.h"

namespace cinch {

// A read-only set of named files. Names are relative, '/'-separated paths
// without "." or ".." components. Implementations are thread-safe: blobs
// of several layers are read at once.
class FileSet {
 public:
  virtual ~FileSet() = default;

  // Names the set in messages, e.g. "image.tar" or "layout/".
  virtual const std::string& name() const = 0;
  // Size of the named file, or nullopt when there is no such file.
  virtual std::optional<uint64_t> SizeOf(std::string_view path) const = 0;
  virtual Result<std::unique_ptr<ByteReader>> Open(
      std::string_view path) const = 0;

  // Reads a whole small file (manifests, configs) of at most `limit` bytes.
  Result<std::string> ReadSmall(std::string_view path, size_t limit) const;
};

// Files below a directory. Paths that climb out of it are refused.
Result<std::unique_ptr<FileSet>> OpenDirectoryFileSet(const std::string& dir);

// Members of an uncompressed tar archive, indexed once when opened (one
// pass over the headers, skipping data by seeking). Compressed archives and
// sparse members are refused.
Result<std::unique_ptr<FileSet>> OpenTarFileSet(const std::string& path);

// Removes "./" prefixes and repeated or trailing slashes; refuses absolute
// paths and ".." components. Used for every name that comes from input.
Result<std::string> NormalizeRelativePath(std::string_view path);

}  // namespace cinch

#endif  // CINCH_IMAGE_FILE_SET_H_
