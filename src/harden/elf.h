// What an ELF file says about itself, read from its bytes as they stream
// past once: header, program headers (interpreter, dynamic section with
// RPATH/RUNPATH) and section headers (symbol tables, debug sections).
//
// Nothing is read twice and memory is bounded: the scanner keeps the
// file's first kHeadBytes plus a few byte ranges named by the headers
// (the dynamic segment, the section header table and the bytes just
// before it, where linkers put the section-name table), each capped. Parts
// that lie outside what was kept are reported as unknown, not guessed.
// Format: System V ABI, "Object Files" (ELF-64 and ELF-32, both byte
// orders).
#ifndef CINCH_HARDEN_ELF_H_
#define CINCH_HARDEN_ELF_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cinch::harden {

enum class ElfKind { kExecutable, kSharedObject, kRelocatable, kCore, kOther };

struct ElfInfo {
  bool is_64 = false;
  ElfKind kind = ElfKind::kOther;
  uint16_t machine = 0;
  bool is_static = false;   // no PT_DYNAMIC: needs no loader
  std::string interpreter;  // PT_INTERP, e.g. /lib64/ld-linux-x86-64.so.2
  std::vector<std::string> rpath;    // DT_RPATH, split on ':'
  std::vector<std::string> runpath;  // DT_RUNPATH, split on ':'
  std::vector<std::string> needed;   // DT_NEEDED, in order
  bool dynamic_known = false;  // the dynamic section and its names were read

  bool sections_known = false;    // the section header table could be read
  bool names_known = false;       // ... and the section names
  bool has_symtab = false;        // .symtab (strip removes it)
  bool has_debug = false;         // .debug_* / .zdebug_* sections
  uint64_t strippable_bytes = 0;  // .symtab, its .strtab, debug sections
};

class ElfScanner {
 public:
  static constexpr size_t kHeadBytes = 256 * 1024;
  static constexpr size_t kMaxRangeBytes = 256 * 1024;

  // `head_bytes` of the file are kept whole; names in the dynamic string
  // table beyond them are not read (dynamic_known stays false). A caller
  // that can read the file again may rescan with a larger head.
  explicit ElfScanner(uint64_t file_size, size_t head_bytes = kHeadBytes)
      : file_size_(file_size), head_bytes_(head_bytes) {}

  // True once the first bytes show the file is not ELF; stop feeding.
  bool rejected() const { return rejected_; }
  // The file's bytes, in order, in chunks of any size.
  void Feed(std::span<const char> chunk);
  // After the last chunk: the facts, or nullopt-like is_elf()==false.
  bool is_elf() const { return header_parsed_ && !rejected_; }
  ElfInfo Finish();

 private:
  struct Range {
    uint64_t offset = 0;
    uint64_t size = 0;
    std::string bytes;  // the part seen so far, from `offset`
  };
  void Capture(Range& r, uint64_t pos, std::span<const char> chunk);
  void ParseHeader();
  void ParseProgramHeaders();
  // The bytes [offset, offset+size) when some kept range holds them all.
  std::string_view Bytes(uint64_t offset, uint64_t size) const;
  uint64_t Read(std::string_view bytes, size_t at, size_t width) const;
  void ReadDynamic(ElfInfo& info) const;
  void ReadSections(ElfInfo& info) const;

  uint64_t file_size_;
  size_t head_bytes_;
  uint64_t pos_ = 0;
  bool rejected_ = false;
  bool header_parsed_ = false;
  bool phdrs_parsed_ = false;
  bool little_ = true;
  bool is_64_ = false;
  uint16_t type_ = 0;
  uint16_t machine_ = 0;
  uint64_t phoff_ = 0, shoff_ = 0;
  uint16_t phentsize_ = 0, phnum_ = 0, shentsize_ = 0, shnum_ = 0,
           shstrndx_ = 0;
  Range head_;
  std::vector<Range> ranges_;
  struct Load {
    uint64_t vaddr, offset, filesz;
  };
  std::vector<Load> loads_;
  uint64_t interp_offset_ = 0, interp_size_ = 0;
  uint64_t dynamic_offset_ = 0, dynamic_size_ = 0;
  bool has_dynamic_ = false;
};

// Quick test on a file's first bytes.
bool LooksLikeElf(std::span<const char> first_bytes);

}  // namespace cinch::harden

#endif  // CINCH_HARDEN_ELF_H_
