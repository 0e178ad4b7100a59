#include "image/tar_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cinch {
namespace {

constexpr size_t kBlock = 512;
constexpr size_t kFileBuffer = 1 << 20;

// ustar header fields: offset and width (POSIX.1-2001, "ustar Interchange
// Format").
struct Field {
  size_t offset, width;
};
constexpr Field kName{0, 100}, kMode{100, 8}, kUid{108, 8}, kGid{116, 8},
    kSize{124, 12}, kMtime{136, 12}, kChecksum{148, 8}, kLinkName{157, 100},
    kMagic{257, 6}, kVersion{263, 2}, kDevMajor{329, 8}, kDevMinor{337, 8};

// True if `value` fits the field as octal digits plus a NUL.
bool FitsOctal(uint64_t value, Field f) {
  size_t digits = f.width - 1;
  return digits >= 21 || value < (uint64_t(1) << (3 * digits));
}

void PutOctal(char* header, Field f, uint64_t value) {
  if (!FitsOctal(value, f)) value = 0;  // the pax header carries it
  std::string digits = fmt::format("{:0{}o}", value, f.width - 1);
  std::memcpy(header + f.offset, digits.data(), f.width - 1);
  header[f.offset + f.width - 1] = '\0';
}

void PutString(char* header, Field f, std::string_view s) {
  std::memcpy(header + f.offset, s.data(), std::min(s.size(), f.width));
}

// One "LENGTH KEY=VALUE\n" record; LENGTH counts the whole record.
std::string PaxRecord(std::string_view key, std::string_view value) {
  size_t body = key.size() + value.size() + 3;  // ' ', '=', '\n'
  size_t length = body + 1;
  while (fmt::formatted_size("{}", length) + body != length) ++length;
  return fmt::format("{} {}={}\n", length, key, value);
}

std::string PaxRecords(const TarMember& m, std::string_view name) {
  std::string records;
  if (name.size() > kName.width) records += PaxRecord("path", name);
  if (m.link_target.size() > kLinkName.width) {
    records += PaxRecord("linkpath", m.link_target);
  }
  if (!FitsOctal(m.size, kSize)) {
    records += PaxRecord("size", fmt::format("{}", m.size));
  }
  if (!FitsOctal(m.uid, kUid)) {
    records += PaxRecord("uid", fmt::format("{}", m.uid));
  }
  if (!FitsOctal(m.gid, kGid)) {
    records += PaxRecord("gid", fmt::format("{}", m.gid));
  }
  for (const auto& [key, value] : m.xattrs) {
    records += PaxRecord("SCHILY.xattr." + key, value);
  }
  return records;
}

void Checksum(char* header) {
  std::memset(header + kChecksum.offset, ' ', kChecksum.width);
  uint32_t sum = 0;
  for (size_t i = 0; i < kBlock; ++i)
    sum += static_cast<unsigned char>(header[i]);
  std::string digits = fmt::format("{:06o}", sum);
  std::memcpy(header + kChecksum.offset, digits.data(), 6);
  header[kChecksum.offset + 6] = '\0';
  header[kChecksum.offset + 7] = ' ';
}

std::string Header(std::string_view name, char type, uint32_t mode,
                   uint64_t uid, uint64_t gid, uint64_t size, int64_t mtime,
                   std::string_view link, uint32_t major, uint32_t minor) {
  std::string block(kBlock, '\0');
  char* h = block.data();
  PutString(h, kName, name.substr(0, kName.width));
  PutOctal(h, kMode, mode & 07777);
  PutOctal(h, kUid, uid);
  PutOctal(h, kGid, gid);
  PutOctal(h, kSize, size);
  PutOctal(h, kMtime, uint64_t(std::max<int64_t>(mtime, 0)));
  h[156] = type;
  PutString(h, kLinkName, link.substr(0, kLinkName.width));
  PutString(h, kMagic, std::string_view("ustar\0", 6));
  PutString(h, kVersion, "00");
  PutOctal(h, kDevMajor, major);
  PutOctal(h, kDevMinor, minor);
  Checksum(h);
  return block;
}

}  // namespace

Result<std::unique_ptr<FileWriter>> FileWriter::Create(
    const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Fail("cannot create {}: {}", path, std::strerror(errno));
  return std::unique_ptr<FileWriter>(new FileWriter(fd, path));
}

FileWriter::~FileWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Status FileWriter::Write(std::span<const char> bytes) {
  if (fd_ < 0) return Fail("{}: write after close", path_);
  buffer_.append(bytes.data(), bytes.size());
  if (buffer_.size() < kFileBuffer) return {};
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Fail("cannot write {}: {}", path_, std::strerror(errno));
    done += size_t(n);
  }
  buffer_.clear();
  return {};
}

Status FileWriter::Close() {
  if (fd_ < 0) return {};
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Fail("cannot write {}: {}", path_, std::strerror(errno));
    done += size_t(n);
  }
  buffer_.clear();
  bool synced = ::fsync(fd_) == 0;
  bool closed = ::close(fd_) == 0;
  fd_ = -1;
  if (!synced || !closed) {
    return Fail("cannot write {}: {}", path_, std::strerror(errno));
  }
  return {};
}

Status HashingWriter::Write(std::span<const char> bytes) {
  hash_.Update(bytes.data(), bytes.size());
  size_ += bytes.size();
  return inner_->Write(bytes);
}

Status TarWriter::WriteHeader(const TarMember& m) {
  if (remaining_ != 0) {
    return Fail("tar member before it: {} content bytes missing", remaining_);
  }
  CINCH_TRY(Pad());
  std::string name = m.path;
  if (m.type == TarMember::Type::kDirectory && !name.ends_with('/')) {
    name += '/';
  }
  std::string records = PaxRecords(m, name);
  if (!records.empty()) {
    CINCH_TRY(out_->WriteString(Header("././@PaxHeader", 'x', 0644, 0, 0,
                                       records.size(), 0, "", 0, 0)));
    CINCH_TRY(out_->WriteString(records));
    written_ = records.size();
    CINCH_TRY(Pad());
  }
  uint64_t size = m.type == TarMember::Type::kRegular ? m.size : 0;
  CINCH_TRY(out_->WriteString(Header(name, char(m.type), m.mode, m.uid, m.gid,
                                     size, m.mtime, m.link_target, m.dev_major,
                                     m.dev_minor)));
  remaining_ = size;
  written_ = 0;
  return {};
}

Status TarWriter::WriteData(std::span<const char> bytes) {
  if (bytes.size() > remaining_) {
    return Fail("tar member content longer than its header says");
  }
  remaining_ -= bytes.size();
  written_ += bytes.size();
  return out_->Write(bytes);
}

Status TarWriter::WriteFile(const TarMember& member, std::string_view content) {
  TarMember m = member;
  m.size = content.size();
  CINCH_TRY(WriteHeader(m));
  return WriteData(std::span(content.data(), content.size()));
}

Status TarWriter::Pad() {
  size_t tail = written_ % kBlock;
  written_ = 0;
  if (tail == 0) return {};
  return out_->WriteString(std::string(kBlock - tail, '\0'));
}

Status TarWriter::Finish() {
  if (remaining_ != 0) {
    return Fail("tar archive ended with {} content bytes missing", remaining_);
  }
  CINCH_TRY(Pad());
  return out_->WriteString(std::string(2 * kBlock, '\0'));
}

}  // namespace cinch
