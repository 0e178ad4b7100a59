#include "slim/strip.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace cinch::slim {
namespace {

// ELF constants (System V ABI, "ELF Header", "Sections").
constexpr uint32_t kShtSymtab = 2, kShtStrtab = 3, kShtRela = 4, kShtNobits = 8,
                   kShtRel = 9;
constexpr uint64_t kShfAlloc = 0x2, kShfInfoLink = 0x40;
constexpr uint16_t kShnLoreserve = 0xff00;

class Reader {
 public:
  Reader(std::string_view bytes, bool little) : b_(bytes), little_(little) {}
  bool Has(uint64_t at, uint64_t n) const {
    return at <= b_.size() && n <= b_.size() - at;
  }
  uint64_t Get(uint64_t at, size_t n) const {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) {
      uint64_t byte = static_cast<unsigned char>(b_[at + i]);
      v |= little_ ? byte << (8 * i) : byte << (8 * (n - 1 - i));
    }
    return v;
  }

 private:
  std::string_view b_;
  bool little_;
};

void Put(std::string& out, uint64_t at, size_t n, uint64_t v, bool little) {
  for (size_t i = 0; i < n; ++i) {
    size_t shift = little ? 8 * i : 8 * (n - 1 - i);
    out[at + i] = char((v >> shift) & 0xff);
  }
}

struct Section {
  uint32_t name, type, link, info;
  uint64_t flags, offset, size, align;
  std::string header;  // the raw entry
};

// Field offsets inside a section header, by class.
struct Layout {
  size_t ehdr_shoff, ehdr_shnum, ehdr_shstrndx, ehdr_phoff, ehdr_phnum,
      ehdr_phentsize, ehdr_shentsize, word;
  size_t sh_size;  // bytes per section header
  size_t sh_flags, sh_offset, sh_size_field, sh_link, sh_info, sh_align;
  size_t ph_offset, ph_filesz;
};

constexpr Layout k64{0x28, 0x3c, 0x3e, 0x20, 0x38, 0x36, 0x3a, 8, 64,
                     8,    24,   32,   40,   44,   48,   8,    32};
constexpr Layout k32{0x20, 0x30, 0x32, 0x1c, 0x2c, 0x2a, 0x2e, 4, 40,
                     8,    16,   20,   24,   28,   32,   4,    16};

uint64_t AlignUp(uint64_t v, uint64_t a) {
  if (a <= 1) return v;
  return (v + a - 1) / a * a;
}

}  // namespace

std::optional<std::string> StripElf(std::string_view elf) {
  if (elf.size() < 52 || !elf.starts_with("\x7f"
                                          "ELF"))
    return std::nullopt;
  bool is64 = elf[4] == 2;
  bool little = elf[5] == 1;
  if ((elf[4] != 1 && elf[4] != 2) || (elf[5] != 1 && elf[5] != 2)) {
    return std::nullopt;
  }
  const Layout& L = is64 ? k64 : k32;
  Reader r(elf, little);
  if (!r.Has(0, is64 ? 64 : 52)) return std::nullopt;
  uint64_t shoff = r.Get(L.ehdr_shoff, L.word);
  uint64_t phoff = r.Get(L.ehdr_phoff, L.word);
  uint16_t shnum = uint16_t(r.Get(L.ehdr_shnum, 2));
  uint16_t phnum = uint16_t(r.Get(L.ehdr_phnum, 2));
  uint16_t shstrndx = uint16_t(r.Get(L.ehdr_shstrndx, 2));
  uint16_t shentsize = uint16_t(r.Get(L.ehdr_shentsize, 2));
  uint16_t phentsize = uint16_t(r.Get(L.ehdr_phentsize, 2));
  if (shnum == 0 || shnum >= kShnLoreserve || shstrndx >= shnum ||
      shentsize != L.sh_size || !r.Has(shoff, uint64_t(shnum) * shentsize)) {
    return std::nullopt;
  }

  // Where the loader's bytes end: headers, segments, allocated sections.
  uint64_t keep_end = is64 ? 64 : 52;
  if (phnum > 0) {
    if (!r.Has(phoff, uint64_t(phnum) * phentsize) ||
        phentsize < L.ph_filesz + L.word) {
      return std::nullopt;
    }
    keep_end = std::max(keep_end, phoff + uint64_t(phnum) * phentsize);
    for (uint16_t i = 0; i < phnum; ++i) {
      uint64_t p = phoff + uint64_t(i) * phentsize;
      uint64_t off = r.Get(p + L.ph_offset, L.word);
      uint64_t filesz = r.Get(p + L.ph_filesz, L.word);
      if (!r.Has(off, filesz)) return std::nullopt;
      keep_end = std::max(keep_end, off + filesz);
    }
  }

  std::vector<Section> sections(shnum);
  for (uint16_t i = 0; i < shnum; ++i) {
    uint64_t p = shoff + uint64_t(i) * shentsize;
    Section& s = sections[i];
    s.name = uint32_t(r.Get(p, 4));
    s.type = uint32_t(r.Get(p + 4, 4));
    s.flags = r.Get(p + L.sh_flags, L.word);
    s.offset = r.Get(p + L.sh_offset, L.word);
    s.size = r.Get(p + L.sh_size_field, L.word);
    s.link = uint32_t(r.Get(p + L.sh_link, 4));
    s.info = uint32_t(r.Get(p + L.sh_info, 4));
    s.align = r.Get(p + L.sh_align, L.word);
    s.header = std::string(elf.substr(p, shentsize));
    if (s.type != kShtNobits && i != 0 && !r.Has(s.offset, s.size)) {
      return std::nullopt;
    }
    if ((s.flags & kShfAlloc) != 0 && s.type != kShtNobits) {
      keep_end = std::max(keep_end, s.offset + s.size);
    }
  }
  const Section& names = sections[shstrndx];
  auto name_of = [&](const Section& s) -> std::string_view {
    if (s.name >= names.size) return {};
    std::string_view table = elf.substr(names.offset, names.size);
    std::string_view n = table.substr(s.name);
    return n.substr(0, n.find('\0'));
  };

  // What goes: symbol tables, their string tables, debug sections.
  std::vector<bool> remove(shnum, false);
  for (uint16_t i = 1; i < shnum; ++i) {
    const Section& s = sections[i];
    if ((s.flags & kShfAlloc) != 0 || i == shstrndx) continue;
    std::string_view n = name_of(s);
    if (s.type == kShtSymtab || n.starts_with(".debug_") ||
        n.starts_with(".zdebug_")) {
      remove[i] = true;
      if (s.type == kShtSymtab && s.link < shnum && s.link != shstrndx &&
          sections[s.link].type == kShtStrtab &&
          (sections[s.link].flags & kShfAlloc) == 0) {
        remove[s.link] = true;
      }
    }
  }
  if (std::find(remove.begin(), remove.end(), true) == remove.end()) {
    return std::nullopt;
  }

  // Kept sections must not refer to removed ones; removed ones must lie
  // beyond what the loader reads, or nothing would shrink.
  std::vector<uint32_t> new_index(shnum, 0);
  uint32_t next = 0;
  for (uint16_t i = 0; i < shnum; ++i) {
    const Section& s = sections[i];
    if (remove[i]) {
      if (s.type != kShtNobits && s.offset < keep_end) return std::nullopt;
      continue;
    }
    new_index[i] = next++;
    if (s.link < shnum && remove[s.link]) return std::nullopt;
    bool info_is_index = (s.flags & kShfInfoLink) != 0 || s.type == kShtRel ||
                         s.type == kShtRela;
    if (info_is_index && s.info < shnum && remove[s.info]) return std::nullopt;
  }

  // The new file: the loader's bytes, kept non-allocated sections packed
  // after them in their old order, then the section header table.
  std::string out(elf.substr(0, keep_end));
  std::vector<uint16_t> order;
  for (uint16_t i = 1; i < shnum; ++i) {
    const Section& s = sections[i];
    if (!remove[i] && s.type != kShtNobits && s.offset >= keep_end) {
      order.push_back(i);
    }
  }
  std::sort(order.begin(), order.end(), [&](uint16_t a, uint16_t b) {
    return sections[a].offset < sections[b].offset;
  });
  std::vector<uint64_t> new_offset(shnum);
  for (uint16_t i = 0; i < shnum; ++i) new_offset[i] = sections[i].offset;
  for (uint16_t i : order) {
    const Section& s = sections[i];
    out.resize(AlignUp(out.size(), s.align), '\0');
    new_offset[i] = out.size();
    out.append(elf.substr(s.offset, s.size));
  }
  out.resize(AlignUp(out.size(), L.word), '\0');
  uint64_t new_shoff = out.size();
  for (uint16_t i = 0; i < shnum; ++i) {
    if (remove[i]) continue;
    std::string h = sections[i].header;
    const Section& s = sections[i];
    Put(h, L.sh_offset, L.word, new_offset[i], little);
    if (s.link < shnum) Put(h, L.sh_link, 4, new_index[s.link], little);
    bool info_is_index = (s.flags & kShfInfoLink) != 0 || s.type == kShtRel ||
                         s.type == kShtRela;
    if (info_is_index && s.info < shnum) {
      Put(h, L.sh_info, 4, new_index[s.info], little);
    }
    out += h;
  }
  Put(out, L.ehdr_shoff, L.word, new_shoff, little);
  Put(out, L.ehdr_shnum, 2, next, little);
  Put(out, L.ehdr_shstrndx, 2, new_index[shstrndx], little);
  if (out.size() >= elf.size()) return std::nullopt;
  return out;
}

}  // namespace cinch::slim
