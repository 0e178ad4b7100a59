#include "walk/entry_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>
#include <vector>

#include "image/file_set.h"

namespace cinch {
namespace {

constexpr size_t kTarBlock = 256 * 1024;
constexpr size_t kTarHeader = 512;  // tar's record block
// No real file in an image comes near this; a header claiming more is
// damage or an attack on the reader.
constexpr uint64_t kMaxEntrySize = uint64_t(1) << 40;

// Lexically resolves a relative link target against the link's directory
// and reports whether it climbs above the root.
bool RelativeTargetEscapes(std::string_view link_path,
                           std::string_view target) {
  int depth = 0;
  for (char c : link_path) depth += c == '/';
  size_t start = 0;
  while (start <= target.size()) {
    size_t slash = target.find('/', start);
    if (slash == std::string_view::npos) slash = target.size();
    std::string_view part = target.substr(start, slash - start);
    start = slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (--depth < 0) return true;
    } else {
      ++depth;
    }
  }
  return false;
}

std::string ParentOf(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? ""
                                         : std::string(path.substr(0, slash));
}

EntryType TypeFromMode(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFDIR:
      return EntryType::kDirectory;
    case S_IFLNK:
      return EntryType::kSymlink;
    case S_IFCHR:
      return EntryType::kCharDevice;
    case S_IFBLK:
      return EntryType::kBlockDevice;
    case S_IFIFO:
      return EntryType::kFifo;
    case S_IFSOCK:
      return EntryType::kSocket;
    default:
      return EntryType::kRegular;
  }
}

class TarEntryReader : public EntryReader {
 public:
  TarEntryReader(std::unique_ptr<ByteReader> tar, std::string what)
      : tar_(std::move(tar)),
        what_(std::move(what)),
        buf_(kTarBlock),
        archive_(archive_read_new()) {
    archive_read_support_format_tar(archive_);
    archive_read_support_format_gnutar(archive_);
  }
  ~TarEntryReader() override { archive_read_free(archive_); }

  Result<bool> Next(Entry& entry) override {
    if (!opened_) CINCH_TRY(OpenArchive());
    if (ended_) return false;
    archive_entry* ae = nullptr;
    // Where reading stopped: the next header starts here or soon after.
    int64_t before = archive_filter_bytes(archive_, 0);
    int rc = archive_read_next_header(archive_, &ae);
    if (rc == ARCHIVE_EOF) {
      ended_ = true;
      return false;
    }
    if (rc < ARCHIVE_WARN) return Fail(ArchiveError(before, "bad tar header"));
    uint64_t offset =
        static_cast<uint64_t>(archive_read_header_position(archive_));

    const char* name = archive_entry_pathname(ae);
    if (name == nullptr) {
      return Fail("{}: offset {}: entry has no readable path", what_, offset);
    }
    entry = Entry{};
    entry.path = name;
    entry.offset = offset;
    entry.mode = archive_entry_perm(ae) |
                 (archive_entry_mode(ae) & (S_ISUID | S_ISGID | S_ISVTX));
    entry.uid = static_cast<uint64_t>(archive_entry_uid(ae));
    entry.gid = static_cast<uint64_t>(archive_entry_gid(ae));
    entry.mtime = archive_entry_mtime(ae);
    if (const char* hard = archive_entry_hardlink(ae); hard != nullptr) {
      entry.type = EntryType::kHardlink;
      entry.link_target = hard;
    } else {
      entry.type = TypeFromMode(archive_entry_filetype(ae));
      if (const char* sym = archive_entry_symlink(ae); sym != nullptr) {
        entry.link_target = sym;
      }
    }
    if (entry.type == EntryType::kRegular) {
      int64_t size = archive_entry_size(ae);
      if (size < 0 || uint64_t(size) > kMaxEntrySize) {
        return Fail("{}: offset {}: entry '{}' claims {} bytes", what_, offset,
                    entry.path, size);
      }
      entry.size = uint64_t(size);
    }
    entry.sparse = archive_entry_sparse_count(ae) > 0;
    // libarchive has consumed the header blocks: the data starts here.
    data_end_ = archive_filter_bytes(archive_, 0) +
                (entry.sparse ? 0 : static_cast<int64_t>(entry.size));

    archive_entry_xattr_reset(ae);
    const char* xname = nullptr;
    const void* xvalue = nullptr;
    size_t xsize = 0;
    while (archive_entry_xattr_next(ae, &xname, &xvalue, &xsize) ==
           ARCHIVE_OK) {
      // pax archives may state an attribute twice (SCHILY and LIBARCHIVE
      // records); the last one wins, as on extraction.
      std::erase_if(entry.xattrs,
                    [&](const Xattr& x) { return x.name == xname; });
      entry.xattrs.push_back(
          {xname, std::string(static_cast<const char*>(xvalue), xsize)});
    }

    if (auto ok = CheckEntry(entry); !ok) {
      return Fail(ok.error().In(fmt::format("{}: offset {}", what_, offset)));
    }
    return true;
  }

  Result<size_t> ReadData(std::span<char> out) override {
    la_ssize_t n = archive_read_data(archive_, out.data(), out.size());
    if (n < 0) {
      return Fail(ArchiveError(archive_read_header_position(archive_),
                               "cannot read entry content"));
    }
    return static_cast<size_t>(n);
  }

  Status Finish() override {
    // libarchive stops at the end-of-archive blocks; the stream below may
    // hold padding after them, which is part of the digest.
    while (!stream_ended_) {
      auto n = tar_->Read(buf_);
      if (!n) return Fail(n.error());
      stream_ended_ = *n == 0;
    }
    return {};
  }

 private:
  Status OpenArchive() {
    opened_ = true;
    int rc = archive_read_open(archive_, this, nullptr, &TarEntryReader::OnRead,
                               nullptr);
    if (rc != ARCHIVE_OK) {
      if (pending_) return Fail(*pending_);
      // An empty stream is an empty layer, which some tools write.
      if (empty_stream_) {
        ended_ = true;
        return {};
      }
      return Fail(ArchiveError(0, "not a tar stream"));
    }
    return {};
  }

  static la_ssize_t OnRead(archive*, void* self_ptr, const void** block) {
    auto* self = static_cast<TarEntryReader*>(self_ptr);
    auto n = self->tar_->Read(self->buf_);
    if (!n) {
      self->pending_ = n.error();
      return -1;
    }
    if (*n == 0 && !self->stream_ended_ && self->EndsAfterLastData()) {
      // Some writers (umoci 0.4's `insert`) stop right after the last
      // member's data, without its padding or the end-of-archive blocks.
      // Go's tar reader, and so every runtime, takes that as the end;
      // supply the zeros so that libarchive does too. Data that stops
      // short of its declared size is still an error.
      size_t pad = kTarHeader - self->total_ % kTarHeader + 2 * kTarHeader;
      std::fill_n(self->buf_.begin(), pad, '\0');
      self->stream_ended_ = true;
      *block = self->buf_.data();
      return static_cast<la_ssize_t>(pad);
    }
    if (*n == 0) {
      self->stream_ended_ = true;
      if (self->total_ == 0) self->empty_stream_ = true;
    }
    self->total_ += *n;
    *block = self->buf_.data();
    return static_cast<la_ssize_t>(*n);
  }

  // True when the stream ended exactly where the current member's data
  // does, off a block boundary: only its padding and the end are missing.
  bool EndsAfterLastData() const {
    return data_end_ > 0 && total_ == uint64_t(data_end_) &&
           total_ % kTarHeader != 0;
  }

  Error ArchiveError(int64_t offset, std::string_view what) {
    // An error from the stream below (digest, truncation) explains more.
    if (pending_) return *pending_;
    const char* detail = archive_error_string(archive_);
    return Error{fmt::format("{}: offset {}: {}{}{}", what_, offset, what,
                             detail ? ": " : "", detail ? detail : "")};
  }

  std::unique_ptr<ByteReader> tar_;
  std::string what_;
  std::vector<char> buf_;
  archive* archive_;
  std::optional<Error> pending_;
  uint64_t total_ = 0;
  int64_t data_end_ = -1;  // stream offset where the current member's data ends
  bool opened_ = false;
  bool ended_ = false;
  bool stream_ended_ = false;
  bool empty_stream_ = false;
};

class DirectoryEntryReader : public EntryReader {
 public:
  explicit DirectoryEntryReader(std::string root) : root_(std::move(root)) {}

  Result<bool> Next(Entry& entry) override {
    CloseContent();
    std::error_code ec;
    if (!started_) {
      started_ = true;
      it_ = std::filesystem::recursive_directory_iterator(
          root_, std::filesystem::directory_options::none, ec);
    } else if (it_ != std::filesystem::recursive_directory_iterator()) {
      it_.increment(ec);
    }
    if (ec) return Fail("{}: cannot list: {}", root_, ec.message());
    if (it_ == std::filesystem::recursive_directory_iterator()) return false;

    const std::filesystem::path& full = it_->path();
    struct stat st;
    if (::lstat(full.c_str(), &st) != 0) {
      return Fail("{}: cannot stat: {}", full.string(), std::strerror(errno));
    }
    entry = Entry{};
    entry.path = std::filesystem::relative(full, root_).generic_string();
    entry.type = TypeFromMode(st.st_mode);
    entry.mode = st.st_mode & 07777;
    entry.uid = st.st_uid;
    entry.gid = st.st_gid;
    entry.mtime = st.st_mtime;
    if (entry.type == EntryType::kRegular) {
      entry.size = static_cast<uint64_t>(st.st_size);
      current_ = full.string();
    }
    if (entry.type == EntryType::kSymlink) {
      std::vector<char> target(st.st_size > 0 ? st.st_size + 1 : PATH_MAX);
      ssize_t n = ::readlink(full.c_str(), target.data(), target.size());
      if (n >= 0) entry.link_target.assign(target.data(), size_t(n));
    }
    ReadCapability(full.string(), entry);
    if (auto ok = CheckEntry(entry); !ok) {
      return Fail(ok.error().In(full.string()));
    }
    return true;
  }

  Result<size_t> ReadData(std::span<char> out) override {
    if (fd_ < 0) {
      if (current_.empty()) return 0;
      fd_ = ::open(current_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd_ < 0) {
        return Fail("{}: cannot open: {}", current_, std::strerror(errno));
      }
    }
    ssize_t n = ::read(fd_, out.data(), out.size());
    if (n < 0)
      return Fail("{}: read error: {}", current_, std::strerror(errno));
    return static_cast<size_t>(n);
  }

  ~DirectoryEntryReader() override { CloseContent(); }

 private:
  static void ReadCapability(const std::string& path, Entry& entry) {
    constexpr const char* kCapability = "security.capability";
    char value[256];
    ssize_t n = ::lgetxattr(path.c_str(), kCapability, value, sizeof(value));
    if (n > 0) entry.xattrs.push_back({kCapability, std::string(value, n)});
  }

  void CloseContent() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    current_.clear();
  }

  std::string root_;
  bool started_ = false;
  std::filesystem::recursive_directory_iterator it_;
  std::string current_;
  int fd_ = -1;
};

}  // namespace

std::string_view EntryTypeName(EntryType t) {
  switch (t) {
    case EntryType::kRegular:
      return "file";
    case EntryType::kDirectory:
      return "dir";
    case EntryType::kSymlink:
      return "symlink";
    case EntryType::kHardlink:
      return "hardlink";
    case EntryType::kCharDevice:
      return "chardev";
    case EntryType::kBlockDevice:
      return "blockdev";
    case EntryType::kFifo:
      return "fifo";
    case EntryType::kSocket:
      return "socket";
  }
  return "unknown";
}

bool Entry::HasXattr(std::string_view name) const {
  for (const Xattr& x : xattrs) {
    if (x.name == name) return true;
  }
  return false;
}

Status CheckEntry(Entry& entry) {
  if (entry.path.starts_with('/')) {
    return Fail("entry '{}' has an absolute path", entry.path);
  }
  auto path = NormalizeRelativePath(entry.path);
  if (!path)
    return Fail("entry '{}' climbs out of the root with '..'", entry.path);
  entry.path = std::move(*path);

  if (entry.type == EntryType::kHardlink) {
    if (entry.link_target.starts_with('/')) {
      return Fail("hard link '{}' points to an absolute path '{}'", entry.path,
                  entry.link_target);
    }
    auto target = NormalizeRelativePath(entry.link_target);
    if (!target) {
      return Fail("hard link '{}' points out of the root to '{}'", entry.path,
                  entry.link_target);
    }
    entry.link_target = std::move(*target);
  }
  // Absolute symlink targets resolve inside the image's root; relative
  // ones must not climb above it.
  if (entry.type == EntryType::kSymlink &&
      !entry.link_target.starts_with('/') &&
      RelativeTargetEscapes(entry.path, entry.link_target)) {
    return Fail("symbolic link '{}' points out of the root to '{}'", entry.path,
                entry.link_target);
  }

  std::string_view base = entry.path;
  if (size_t slash = base.rfind('/'); slash != std::string_view::npos) {
    base = base.substr(slash + 1);
  }
  if (base == kOpaqueWhiteout) {
    entry.whiteout = Whiteout::kOpaque;
    entry.whiteout_target = ParentOf(entry.path);
  } else if (base.starts_with(kWhiteoutPrefix)) {
    entry.whiteout = Whiteout::kRemove;
    std::string parent = ParentOf(entry.path);
    std::string_view name = base.substr(kWhiteoutPrefix.size());
    if (name.empty() || name == "." || name == "..") {
      return Fail("whiteout '{}' names no file", entry.path);
    }
    entry.whiteout_target =
        parent.empty() ? std::string(name) : parent + "/" + std::string(name);
  }
  return {};
}

std::unique_ptr<EntryReader> NewTarEntryReader(std::unique_ptr<ByteReader> tar,
                                               std::string what) {
  return std::make_unique<TarEntryReader>(std::move(tar), std::move(what));
}

Result<std::unique_ptr<EntryReader>> NewDirectoryEntryReader(
    const std::string& root) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) {
    return Fail("{}: not a directory", root);
  }
  return std::make_unique<DirectoryEntryReader>(root);
}

}  // namespace cinch
