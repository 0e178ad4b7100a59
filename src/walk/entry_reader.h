// Reading the entries of one layer in order: from a tar stream (through
// libarchive) or from a directory on disk (rootfs). Every path is checked
// before it is handed on: absolute paths, ".." and links that climb out of
// the root are errors naming the entry and its offset, never followed.
#ifndef CINCH_WALK_ENTRY_READER_H_
#define CINCH_WALK_ENTRY_READER_H_

#include <memory>
#include <span>
#include <string>

#include "base/error.h"
#include "base/io.h"
#include "walk/entry.h"

namespace cinch {

// Not thread-safe; one reader per layer.
class EntryReader {
 public:
  virtual ~EntryReader() = default;

  // Reads the next entry header into `entry`, skipping any content of the
  // previous entry that was not read. Returns false at the end.
  virtual Result<bool> Next(Entry& entry) = 0;

  // Reads content of the current entry; returns 0 at its end.
  virtual Result<size_t> ReadData(std::span<char> out) = 0;

  // Reads to the end of the underlying stream, so digests over all of it
  // can be checked. Called after Next returned false.
  virtual Status Finish() { return {}; }
};

// Reads a tar stream (ustar, pax, GNU; long names, xattrs, sparse files).
// `what` names the stream in errors.
std::unique_ptr<EntryReader> NewTarEntryReader(std::unique_ptr<ByteReader> tar,
                                               std::string what);

// Walks a directory without following symbolic links.
Result<std::unique_ptr<EntryReader>> NewDirectoryEntryReader(
    const std::string& root);

// Applies the path rules to a raw entry: normalises the path, classifies
// whiteouts, and refuses escaping paths and links. Shared by both readers
// and by tests. An empty path after normalisation means the root itself.
Status CheckEntry(Entry& entry);

}  // namespace cinch

#endif  // CINCH_WALK_ENTRY_READER_H_
