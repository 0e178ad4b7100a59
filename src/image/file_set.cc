#include "image/file_set.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <filesystem>

namespace cinch {
namespace {

class DirectoryFileSet : public FileSet {
 public:
  explicit DirectoryFileSet(std::string dir) : dir_(std::move(dir)) {}

  const std::string& name() const override { return dir_; }

  std::optional<uint64_t> SizeOf(std::string_view path) const override {
    auto full = FullPath(path);
    if (!full) return std::nullopt;
    struct stat st;
    if (::stat(full->c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return std::nullopt;
    }
    return static_cast<uint64_t>(st.st_size);
  }

  Result<std::unique_ptr<ByteReader>> Open(
      std::string_view path) const override {
    CINCH_ASSIGN(std::string full, FullPath(path));
    CINCH_ASSIGN(File file, File::Open(full));
    uint64_t size = file.size();
    auto shared = std::make_shared<const File>(std::move(file));
    return std::make_unique<FileRangeReader>(std::move(shared), 0, size);
  }

 private:
  Result<std::string> FullPath(std::string_view path) const {
    CINCH_ASSIGN(std::string rel, NormalizeRelativePath(path));
    return dir_ + "/" + rel;
  }

  std::string dir_;
};

struct TarMember {
  uint64_t offset = 0;
  uint64_t size = 0;
};

class TarFileSet : public FileSet {
 public:
  TarFileSet(std::shared_ptr<const File> file,
             std::map<std::string, TarMember, std::less<>> members)
      : file_(std::move(file)), members_(std::move(members)) {}

  const std::string& name() const override { return file_->path(); }

  std::optional<uint64_t> SizeOf(std::string_view path) const override {
    auto rel = NormalizeRelativePath(path);
    if (!rel) return std::nullopt;
    auto it = members_.find(*rel);
    if (it == members_.end()) return std::nullopt;
    return it->second.size;
  }

  Result<std::unique_ptr<ByteReader>> Open(
      std::string_view path) const override {
    CINCH_ASSIGN(std::string rel, NormalizeRelativePath(path));
    auto it = members_.find(rel);
    if (it == members_.end()) {
      return Fail("{}: no member '{}' in the archive", name(), rel);
    }
    return std::make_unique<FileRangeReader>(file_, it->second.offset,
                                             it->second.size);
  }

 private:
  std::shared_ptr<const File> file_;
  std::map<std::string, TarMember, std::less<>> members_;
};

struct ArchiveCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};

}  // namespace

Result<std::string> FileSet::ReadSmall(std::string_view path,
                                       size_t limit) const {
  auto size = SizeOf(path);
  if (!size) return Fail("{}: no file '{}'", name(), path);
  if (*size > limit) {
    return Fail("{}: '{}' is {} bytes, more than the {} byte limit", name(),
                path, *size, limit);
  }
  CINCH_ASSIGN(auto reader, Open(path));
  return ReadAll(*reader, limit, fmt::format("{}: {}", name(), path));
}

Result<std::string> NormalizeRelativePath(std::string_view path) {
  if (path.starts_with('/')) {
    return Fail("path '{}' is absolute; expected a relative path", path);
  }
  std::string out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(start, slash - start);
    start = slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") return Fail("path '{}' contains '..'", path);
    if (!out.empty()) out.push_back('/');
    out.append(part);
  }
  return out;
}

Result<std::unique_ptr<FileSet>> OpenDirectoryFileSet(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return Fail("{}: not a directory", dir);
  }
  std::string clean = dir;
  while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
  return std::make_unique<DirectoryFileSet>(std::move(clean));
}

Result<std::unique_ptr<FileSet>> OpenTarFileSet(const std::string& path) {
  CINCH_ASSIGN(File file, File::Open(path));
  auto shared = std::make_shared<const File>(std::move(file));

  std::unique_ptr<archive, ArchiveCloser> a(archive_read_new());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  constexpr size_t kBlockSize = 64 * 1024;
  if (archive_read_open_filename(a.get(), path.c_str(), kBlockSize) !=
      ARCHIVE_OK) {
    return Fail("{}: not a tar archive: {}", path,
                archive_error_string(a.get()));
  }

  std::map<std::string, TarMember, std::less<>> members;
  while (true) {
    archive_entry* entry = nullptr;
    la_int64_t header_offset = archive_read_header_position(a.get());
    int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) {
      return Fail("{}: offset {}: bad tar header: {}", path, header_offset,
                  archive_error_string(a.get()));
    }
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    const char* raw_name = archive_entry_pathname(entry);
    if (raw_name == nullptr) continue;
    if (archive_entry_sparse_count(entry) > 0) {
      return Fail(
          "{}: offset {}: member '{}' is sparse, which cannot be read "
          "in place",
          path, header_offset, raw_name);
    }
    auto name = NormalizeRelativePath(raw_name);
    if (!name) {
      return Fail(
          name.error().In(fmt::format("{}: offset {}", path, header_offset)));
    }
    // The reader has consumed the header and nothing of the data yet, so
    // its position is where the member's bytes start.
    TarMember m;
    m.offset = static_cast<uint64_t>(archive_filter_bytes(a.get(), -1));
    m.size = static_cast<uint64_t>(archive_entry_size(entry));
    if (m.offset + m.size > shared->size()) {
      return Fail(
          "{}: offset {}: member '{}' claims {} bytes but the archive "
          "ends first",
          path, header_offset, *name, m.size);
    }
    members[*name] = m;
    if (archive_read_data_skip(a.get()) != ARCHIVE_OK) {
      return Fail("{}: offset {}: {}", path, header_offset,
                  archive_error_string(a.get()));
    }
  }
  return std::make_unique<TarFileSet>(std::move(shared), std::move(members));
}

}  // namespace cinch
