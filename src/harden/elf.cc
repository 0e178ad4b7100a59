#include "harden/elf.h"

#include <algorithm>
#include <optional>

namespace cinch::harden {
namespace {

// System V ABI constants.
constexpr uint32_t kPtLoad = 1, kPtDynamic = 2, kPtInterp = 3;
constexpr uint32_t kShtProgbits = 1, kShtSymtab = 2;
constexpr uint64_t kShfAlloc = 0x2;
constexpr int64_t kDtNull = 0, kDtNeeded = 1, kDtStrtab = 5, kDtRpath = 15,
                  kDtRunpath = 29;
constexpr size_t kElf64HeaderSize = 64, kElf32HeaderSize = 52;
// Section headers and dynamic entries cinch will look at, at most.
constexpr uint64_t kMaxSections = 4096;
constexpr uint64_t kMaxProgramHeaders = 512;

std::vector<std::string> SplitPath(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t colon = s.find(':', start);
    out.emplace_back(s.substr(start, colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  return out;
}

// The NUL-terminated string at `at`, or nullopt when it does not end
// within `bytes` (the string table runs past what was kept).
std::optional<std::string_view> CString(std::string_view bytes, uint64_t at) {
  if (at >= bytes.size()) return std::nullopt;
  std::string_view rest = bytes.substr(size_t(at));
  size_t end = rest.find('\0');
  if (end == std::string_view::npos) return std::nullopt;
  return rest.substr(0, end);
}

}  // namespace

bool LooksLikeElf(std::span<const char> b) {
  return b.size() >= 4 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' &&
         b[3] == 'F';
}

uint64_t ElfScanner::Read(std::string_view b, size_t at, size_t width) const {
  if (at + width > b.size()) return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) {
    uint64_t byte =
        static_cast<unsigned char>(b[little_ ? at + width - 1 - i : at + i]);
    v = (v << 8) | byte;
  }
  return v;
}

void ElfScanner::Capture(Range& r, uint64_t pos, std::span<const char> chunk) {
  uint64_t want_begin = r.offset + r.bytes.size();
  uint64_t want_end = r.offset + r.size;
  uint64_t chunk_end = pos + chunk.size();
  // Only bytes that continue the range: a range registered after its
  // start streamed past stays incomplete.
  if (want_begin >= want_end || want_begin < pos || want_begin >= chunk_end) {
    return;
  }
  uint64_t end = std::min(want_end, chunk_end);
  r.bytes.append(chunk.data() + (want_begin - pos), size_t(end - want_begin));
}

void ElfScanner::Feed(std::span<const char> chunk) {
  if (rejected_ || chunk.empty()) return;
  if (pos_ == 0) {
    head_.size = std::min<uint64_t>(file_size_, head_bytes_);
    if (!LooksLikeElf(chunk)) {
      rejected_ = true;
      return;
    }
  }
  Capture(head_, pos_, chunk);
  if (!header_parsed_) ParseHeader();
  if (header_parsed_ && !phdrs_parsed_) ParseProgramHeaders();
  // Ranges may have been named by headers in this very chunk.
  for (Range& r : ranges_) Capture(r, pos_, chunk);
  pos_ += chunk.size();
}

void ElfScanner::ParseHeader() {
  const std::string& h = head_.bytes;
  if (h.size() < kElf64HeaderSize && h.size() < head_.size) return;
  if (h.size() < kElf32HeaderSize) {
    rejected_ = true;
    return;
  }
  is_64_ = h[4] == 2;
  little_ = h[5] == 1;
  if ((h[4] != 1 && h[4] != 2) || (h[5] != 1 && h[5] != 2) ||
      (is_64_ && h.size() < kElf64HeaderSize)) {
    rejected_ = true;
    return;
  }
  type_ = uint16_t(Read(h, 16, 2));
  machine_ = uint16_t(Read(h, 18, 2));
  size_t word = is_64_ ? 8 : 4;
  phoff_ = Read(h, 24 + word, word);
  shoff_ = Read(h, 24 + 2 * word, word);
  size_t rest = 24 + 3 * word + 4 + 2;  // after e_flags and e_ehsize
  phentsize_ = uint16_t(Read(h, rest, 2));
  phnum_ = uint16_t(Read(h, rest + 2, 2));
  shentsize_ = uint16_t(Read(h, rest + 4, 2));
  shnum_ = uint16_t(Read(h, rest + 6, 2));
  shstrndx_ = uint16_t(Read(h, rest + 8, 2));
  header_parsed_ = true;

  // The section header table, and the bytes before it for the names.
  uint64_t table = uint64_t(shnum_) * shentsize_;
  if (shoff_ > 0 && shnum_ > 0 && shnum_ <= kMaxSections &&
      table <= kMaxRangeBytes && shoff_ < file_size_) {
    ranges_.push_back({shoff_, std::min(table, file_size_ - shoff_), {}});
    uint64_t start = std::max<uint64_t>(
        head_.size, shoff_ - std::min<uint64_t>(shoff_, kMaxRangeBytes));
    if (start < shoff_) ranges_.push_back({start, shoff_ - start, {}});
  }
}

void ElfScanner::ParseProgramHeaders() {
  uint64_t table = uint64_t(phnum_) * phentsize_;
  size_t entry = is_64_ ? 56 : 32;
  if (phnum_ == 0 || phnum_ > kMaxProgramHeaders || phentsize_ < entry) {
    phdrs_parsed_ = true;
    return;
  }
  if (phoff_ + table > head_.size) {  // past the head: not kept
    phdrs_parsed_ = true;
    return;
  }
  if (head_.bytes.size() < phoff_ + table) return;  // wait for more
  phdrs_parsed_ = true;
  std::string_view h = head_.bytes;
  for (uint64_t i = 0; i < phnum_; ++i) {
    size_t p = size_t(phoff_ + i * phentsize_);
    uint32_t type = uint32_t(Read(h, p, 4));
    uint64_t offset, vaddr, filesz;
    if (is_64_) {
      offset = Read(h, p + 8, 8);
      vaddr = Read(h, p + 16, 8);
      filesz = Read(h, p + 32, 8);
    } else {
      offset = Read(h, p + 4, 4);
      vaddr = Read(h, p + 8, 4);
      filesz = Read(h, p + 16, 4);
    }
    if (type == kPtLoad) loads_.push_back({vaddr, offset, filesz});
    if (type == kPtInterp) {
      interp_offset_ = offset;
      interp_size_ = std::min<uint64_t>(filesz, 4096);
    }
    if (type == kPtDynamic) {
      has_dynamic_ = true;
      dynamic_offset_ = offset;
      dynamic_size_ = std::min<uint64_t>(filesz, kMaxRangeBytes);
    }
  }
  if (has_dynamic_ && dynamic_offset_ + dynamic_size_ > head_.size &&
      dynamic_offset_ < file_size_) {
    ranges_.push_back({dynamic_offset_, dynamic_size_, {}});
  }
  if (interp_size_ > 0 && interp_offset_ + interp_size_ > head_.size) {
    ranges_.push_back({interp_offset_, interp_size_, {}});
  }
}

std::string_view ElfScanner::Bytes(uint64_t offset, uint64_t size) const {
  auto within = [&](const Range& r) -> std::string_view {
    if (offset < r.offset || offset + size > r.offset + r.bytes.size()) {
      return {};
    }
    return std::string_view(r.bytes).substr(size_t(offset - r.offset),
                                            size_t(size));
  };
  if (auto b = within(head_); b.size() == size && size > 0) return b;
  for (const Range& r : ranges_) {
    if (auto b = within(r); b.size() == size && size > 0) return b;
  }
  return {};
}

void ElfScanner::ReadDynamic(ElfInfo& info) const {
  std::string_view dyn = Bytes(dynamic_offset_, dynamic_size_);
  if (dyn.empty()) return;
  size_t word = is_64_ ? 8 : 4;
  uint64_t strtab_addr = 0;
  std::vector<uint64_t> rpath, runpath, needed;
  for (size_t at = 0; at + 2 * word <= dyn.size(); at += 2 * word) {
    int64_t tag = int64_t(Read(dyn, at, word));
    uint64_t val = Read(dyn, at + word, word);
    if (tag == kDtNull) break;
    if (tag == kDtStrtab) strtab_addr = val;
    if (tag == kDtRpath) rpath.push_back(val);
    if (tag == kDtRunpath) runpath.push_back(val);
    if (tag == kDtNeeded) needed.push_back(val);
  }
  // DT_STRTAB is an address; the loadable segments map it to the file.
  uint64_t strtab = 0;
  bool mapped = false;
  for (const Load& l : loads_) {
    if (strtab_addr >= l.vaddr && strtab_addr < l.vaddr + l.filesz) {
      strtab = l.offset + (strtab_addr - l.vaddr);
      mapped = true;
    }
  }
  if (rpath.empty() && runpath.empty() && needed.empty()) {
    info.dynamic_known = true;
    return;
  }
  if (!mapped || strtab >= head_.bytes.size()) return;
  std::string_view strings = std::string_view(head_.bytes).substr(strtab);
  bool complete = true;
  for (uint64_t v : rpath) {
    auto text = CString(strings, v);
    if (!text) complete = false;
    auto parts = SplitPath(text.value_or(""));
    info.rpath.insert(info.rpath.end(), parts.begin(), parts.end());
  }
  for (uint64_t v : runpath) {
    auto text = CString(strings, v);
    if (!text) complete = false;
    auto parts = SplitPath(text.value_or(""));
    info.runpath.insert(info.runpath.end(), parts.begin(), parts.end());
  }
  for (uint64_t v : needed) {
    auto name = CString(strings, v);
    if (name) {
      info.needed.push_back(std::string(*name));
    } else {
      complete = false;
    }
  }
  info.dynamic_known = complete;
}

void ElfScanner::ReadSections(ElfInfo& info) const {
  std::string_view table = Bytes(shoff_, uint64_t(shnum_) * shentsize_);
  size_t entry = is_64_ ? 64 : 40;
  if (table.empty() || shentsize_ < entry) return;
  info.sections_known = true;
  struct Section {
    uint32_t name, type, link;
    uint64_t flags, offset, size;
  };
  std::vector<Section> sections;
  for (size_t i = 0; i < shnum_; ++i) {
    size_t p = i * shentsize_;
    Section s;
    s.name = uint32_t(Read(table, p, 4));
    s.type = uint32_t(Read(table, p + 4, 4));
    if (is_64_) {
      s.flags = Read(table, p + 8, 8);
      s.offset = Read(table, p + 24, 8);
      s.size = Read(table, p + 32, 8);
      s.link = uint32_t(Read(table, p + 40, 4));
    } else {
      s.flags = Read(table, p + 8, 4);
      s.offset = Read(table, p + 16, 4);
      s.size = Read(table, p + 20, 4);
      s.link = uint32_t(Read(table, p + 24, 4));
    }
    sections.push_back(s);
  }
  std::string_view names;
  if (shstrndx_ < sections.size()) {
    const Section& n = sections[shstrndx_];
    names = Bytes(n.offset, std::min<uint64_t>(n.size, kMaxRangeBytes));
  }
  info.names_known = !names.empty();
  for (const Section& s : sections) {
    if (s.type == kShtSymtab) {
      info.has_symtab = true;
      info.strippable_bytes += s.size;
      if (s.link < sections.size()) {
        info.strippable_bytes += sections[s.link].size;
      }
      continue;
    }
    if (s.type != kShtProgbits || (s.flags & kShfAlloc) != 0) continue;
    std::string_view name = CString(names, s.name).value_or("");
    // Without the names, non-loaded program data is mostly debug data
    // (.comment and .gnu_debuglink are a few bytes).
    bool debug = info.names_known
                     ? name.starts_with(".debug") || name.starts_with(".zdebug")
                     : s.size > 4096;
    if (debug) {
      info.has_debug = true;
      info.strippable_bytes += s.size;
    }
  }
}

ElfInfo ElfScanner::Finish() {
  ElfInfo info;
  if (!is_elf()) return info;
  info.is_64 = is_64_;
  info.machine = machine_;
  switch (type_) {
    case 1:
      info.kind = ElfKind::kRelocatable;
      break;
    case 2:
      info.kind = ElfKind::kExecutable;
      break;
    case 3:
      info.kind = ElfKind::kSharedObject;
      break;
    case 4:
      info.kind = ElfKind::kCore;
      break;
    default:
      info.kind = ElfKind::kOther;
      break;
  }
  if (interp_size_ > 0) {
    info.interpreter = std::string(
        CString(Bytes(interp_offset_, interp_size_), 0).value_or(""));
    // A position-independent executable is ET_DYN with an interpreter.
    if (info.kind == ElfKind::kSharedObject) info.kind = ElfKind::kExecutable;
  }
  info.is_static =
      phdrs_parsed_ && !has_dynamic_ && info.kind == ElfKind::kExecutable;
  if (has_dynamic_) ReadDynamic(info);
  ReadSections(info);
  return info;
}

}  // namespace cinch::harden
