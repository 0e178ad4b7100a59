#include "base/io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace cinch {
namespace {

std::string ErrnoText() { return std::strerror(errno); }

}  // namespace

Result<File> File::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail("{}: cannot open: {}", path, ErrnoText());
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    std::string why = ErrnoText();
    ::close(fd);
    return Fail("{}: cannot stat: {}", path, why);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Fail("{}: is a directory, expected a file", path);
  }
  return File(fd, path, static_cast<uint64_t>(st.st_size));
}

File::File(File&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      size_(other.size_) {}

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    size_ = other.size_;
  }
  return *this;
}

File::~File() {
  if (fd_ >= 0) ::close(fd_);
}

Result<size_t> File::ReadSomeAt(uint64_t offset, std::span<char> out) const {
  while (true) {
    ssize_t n =
        ::pread(fd_, out.data(), out.size(), static_cast<off_t>(offset));
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) {
      return Fail("{}: read error at offset {}: {}", path_, offset,
                  ErrnoText());
    }
  }
}

Status File::ReadAt(uint64_t offset, std::span<char> out) const {
  size_t done = 0;
  while (done < out.size()) {
    auto n = ReadSomeAt(offset + done, out.subspan(done));
    if (!n) return Fail(n.error());
    if (*n == 0) {
      return Fail("{}: unexpected end of file at offset {} (wanted {} bytes)",
                  path_, offset + done, out.size() - done);
    }
    done += *n;
  }
  return {};
}

Result<size_t> FileRangeReader::Read(std::span<char> out) {
  if (remaining_ == 0 || out.empty()) return 0;
  size_t want = out.size();
  if (want > remaining_) want = static_cast<size_t>(remaining_);
  auto n = file_->ReadSomeAt(offset_, out.first(want));
  if (!n) return n;
  if (*n == 0) {
    return Fail("{}: unexpected end of file at offset {} ({} bytes missing)",
                file_->path(), offset_, remaining_);
  }
  offset_ += *n;
  remaining_ -= *n;
  return n;
}

Result<std::string> ReadAll(ByteReader& reader, size_t limit,
                            std::string_view what) {
  std::string out;
  char buf[64 * 1024];
  while (true) {
    auto n = reader.Read(buf);
    if (!n) return Fail(n.error());
    if (*n == 0) return out;
    if (out.size() + *n > limit) {
      return Fail("{}: larger than the {} byte limit", what, limit);
    }
    out.append(buf, *n);
  }
}

Result<std::string> ReadFileLimited(const std::string& path, size_t limit) {
  auto file = File::Open(path);
  if (!file) return Fail(file.error());
  if (file->size() > limit) {
    return Fail("{}: {} bytes is larger than the {} byte limit", path,
                file->size(), limit);
  }
  std::string out(file->size(), '\0');
  CINCH_TRY(file->ReadAt(0, out));
  return out;
}

Status WriteFileAtomically(const std::string& path, std::string_view contents) {
  namespace fs = std::filesystem;
  fs::path target(path);
  fs::path dir = target.has_parent_path() ? target.parent_path() : ".";
  std::string tmpl = (dir / ("." + target.filename().string() + ".XXXXXX"));
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0)
    return Fail("{}: cannot create temporary file: {}", path, ErrnoText());

  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string why = ErrnoText();
      ::close(fd);
      ::unlink(tmpl.c_str());
      return Fail("{}: write failed: {}", path, why);
    }
    done += static_cast<size_t>(n);
  }
  ::fchmod(fd, 0644);
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    std::string why = ErrnoText();
    ::unlink(tmpl.c_str());
    return Fail("{}: cannot flush: {}", path, why);
  }
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    std::string why = ErrnoText();
    ::unlink(tmpl.c_str());
    return Fail("{}: cannot rename into place: {}", path, why);
  }
  return {};
}

std::string UserCacheDir() {
  namespace fs = std::filesystem;
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  fs::path base;
  if (xdg != nullptr && *xdg == '/') {
    base = xdg;
  } else {
    const char* home = std::getenv("HOME");
    base = fs::path(home != nullptr && *home != '\0' ? home : ".") / ".cache";
  }
  return (base / "cinch").string();
}

}  // namespace cinch
