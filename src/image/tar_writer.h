// Writing streams: a push-based byte writer (the mirror of ByteReader), a
// file writer, a hashing tee, and a tar writer that produces the same bytes
// for the same members (no user names, no access times, fixed field
// layout), so that images cinch writes are reproducible.
// Format: POSIX.1-2001 ustar headers, with pax extended headers (typeflag
// 'x') for what ustar cannot hold: long names, large sizes and ids, and
// extended attributes (SCHILY.xattr.NAME, as GNU tar and libarchive write).
#ifndef CINCH_IMAGE_TAR_WRITER_H_
#define CINCH_IMAGE_TAR_WRITER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/error.h"
#include "base/io.h"
#include "base/sha256.h"

namespace cinch {

// A forward-only sink of bytes. Not thread-safe.
class ByteWriter {
 public:
  virtual ~ByteWriter() = default;
  virtual Status Write(std::span<const char> bytes) = 0;
  Status WriteString(std::string_view s) {
    return Write(std::span<const char>(s.data(), s.size()));
  }
  // Flushes buffered bytes to the writer below; writes nothing after.
  virtual Status Close() { return {}; }
};

// Writes to a new file (created exclusively, mode 0644). Close flushes and
// fsyncs; the destructor closes the descriptor but keeps the file.
class FileWriter : public ByteWriter {
 public:
  static Result<std::unique_ptr<FileWriter>> Create(const std::string& path);
  ~FileWriter() override;
  Status Write(std::span<const char> bytes) override;
  Status Close() override;

 private:
  FileWriter(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
  std::string buffer_;
};

// Passes bytes through to `inner` (which it does not own), hashing and
// counting them.
class HashingWriter : public ByteWriter {
 public:
  explicit HashingWriter(ByteWriter* inner) : inner_(inner) {}
  Status Write(std::span<const char> bytes) override;
  Status Close() override { return inner_->Close(); }
  uint64_t size() const { return size_; }
  // "sha256:<hex>"; call once, after the last Write.
  std::string FinishDigest() { return hash_.FinishDigest(); }

 private:
  ByteWriter* inner_;
  Sha256 hash_;
  uint64_t size_ = 0;
};

struct TarMember {
  enum class Type : char {
    kRegular = '0',
    kHardlink = '1',
    kSymlink = '2',
    kCharDevice = '3',
    kBlockDevice = '4',
    kDirectory = '5',
    kFifo = '6',
  };
  std::string path;  // written as given; directories get a trailing '/'
  Type type = Type::kRegular;
  uint32_t mode = 0644;
  uint64_t uid = 0;
  uint64_t gid = 0;
  uint64_t size = 0;  // content bytes, regular files only
  int64_t mtime = 0;
  std::string link_target;
  uint32_t dev_major = 0;
  uint32_t dev_minor = 0;
  std::map<std::string, std::string> xattrs;
};

// Writes members to `out` (not owned). For each regular file, call
// WriteHeader, then WriteData exactly `size` bytes in total.
class TarWriter {
 public:
  explicit TarWriter(ByteWriter* out) : out_(out) {}

  Status WriteHeader(const TarMember& member);
  Status WriteData(std::span<const char> bytes);
  // A member with its whole content in memory.
  Status WriteFile(const TarMember& member, std::string_view content);
  // Pads the last member and writes the two zero blocks that end an archive.
  Status Finish();

 private:
  Status Pad();

  ByteWriter* out_;
  uint64_t remaining_ = 0;  // content bytes still owed for the last header
  uint64_t written_ = 0;    // content bytes of the last member so far
};

}  // namespace cinch

#endif  // CINCH_IMAGE_TAR_WRITER_H_
