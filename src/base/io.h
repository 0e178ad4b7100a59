// Files and byte streams. Readers are pull-based and never hold more than
// the caller's buffer: whole layers are never loaded into memory.
#ifndef CINCH_BASE_IO_H_
#define CINCH_BASE_IO_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "base/error.h"

namespace cinch {

// A forward-only stream of bytes. Not thread-safe.
class ByteReader {
 public:
  virtual ~ByteReader() = default;

  // Reads up to out.size() bytes. Returns 0 only at the end of the stream.
  virtual Result<size_t> Read(std::span<char> out) = 0;
};

// An open file, read with pread so that several readers may share it from
// different threads. Move-only; closes the descriptor on destruction.
class File {
 public:
  static Result<File> Open(const std::string& path);

  File(File&& other) noexcept;
  File& operator=(File&& other) noexcept;
  ~File();

  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }

  // Reads exactly out.size() bytes at `offset`; a short file is an error.
  Status ReadAt(uint64_t offset, std::span<char> out) const;
  // Reads up to out.size() bytes at `offset`; returns how many were read.
  Result<size_t> ReadSomeAt(uint64_t offset, std::span<char> out) const;

 private:
  File(int fd, std::string path, uint64_t size)
      : fd_(fd), path_(std::move(path)), size_(size) {}

  int fd_ = -1;
  std::string path_;
  uint64_t size_ = 0;
};

// Reads the byte range [offset, offset + length) of a shared File.
// The File must outlive the reader.
class FileRangeReader : public ByteReader {
 public:
  FileRangeReader(std::shared_ptr<const File> file, uint64_t offset,
                  uint64_t length)
      : file_(std::move(file)), offset_(offset), remaining_(length) {}

  Result<size_t> Read(std::span<char> out) override;

 private:
  std::shared_ptr<const File> file_;
  uint64_t offset_;
  uint64_t remaining_;
};

// Reads a whole stream into a string, refusing more than `limit` bytes.
// `what` names the stream in the error message.
Result<std::string> ReadAll(ByteReader& reader, size_t limit,
                            std::string_view what);

// Reads a whole file of at most `limit` bytes.
Result<std::string> ReadFileLimited(const std::string& path, size_t limit);

// Writes `contents` to `path` atomically: a temporary file in the same
// directory is written, flushed and renamed over `path`, so readers see the
// old file or the new one, never a torn one.
Status WriteFileAtomically(const std::string& path, std::string_view contents);

// Where cinch keeps what it can rebuild (the advisory database, compiled
// pattern sets): $XDG_CACHE_HOME/cinch, else $HOME/.cache/cinch. Not
// created here.
std::string UserCacheDir();

}  // namespace cinch

#endif  // CINCH_BASE_IO_H_
