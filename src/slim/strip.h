// Stripping an ELF file in process: the symbol table (.symtab and its
// string table) and debug sections (.debug_*, .zdebug_*) are dropped,
// the way `strip --strip-debug --strip-unneeded` would for an executable
// or shared object, by rewriting the section header table. Nothing the
// loader reads moves: the bytes up to the end of the last segment are
// copied unchanged, kept non-allocated sections (.comment, .shstrtab,
// ...) follow, then the new section header table.
// Format: System V ABI, "Object Files" (ELF-32 and ELF-64, both byte
// orders).
#ifndef CINCH_SLIM_STRIP_H_
#define CINCH_SLIM_STRIP_H_

#include <optional>
#include <string>
#include <string_view>

namespace cinch::slim {

// The stripped file, or nullopt when `elf` is not ELF, has nothing to
// strip, or is laid out in a way this rewrite does not handle (removable
// sections inside the loaded range, sections that still refer to removed
// ones, extended section numbering); such files are left as they are.
std::optional<std::string> StripElf(std::string_view elf);

}  // namespace cinch::slim

#endif  // CINCH_SLIM_STRIP_H_
