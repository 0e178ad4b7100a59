// What an image's entrypoint needs, found statically in a merged tree:
// the program resolved through PATH, its script interpreter (#!), its ELF
// closure (PT_INTERP, and DT_NEEDED resolved as the dynamic loader would:
// DT_RPATH, LD_LIBRARY_PATH, DT_RUNPATH, the image's own ld.so.conf and
// the default directories), the runtime of interpreted programs (Python,
// Node.js, Java) and every symlink crossed on the way.
//
// Known shortcomings: libraries loaded with dlopen by name (NSS modules,
// gconv, plugins) are found only when they live in a kept runtime
// directory; hwcaps subdirectories and DT_NEEDED strings beyond the first
// 256 KiB of a file are not followed (the latter is reported as missing
// information, not guessed).
#ifndef CINCH_SLIM_CLOSURE_H_
#define CINCH_SLIM_CLOSURE_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harden/elf.h"
#include "image/manifest.h"
#include "slim/spool.h"

namespace cinch::slim {

class ClosureFinder {
 public:
  ClosureFinder(const Tree& tree, const Spool& spool, const ImageConfig& config)
      : tree_(tree), spool_(spool), config_(config) {}

  // Resolves `path` (absolute, or relative to the root) through the
  // tree's symlinks; every symlink crossed is added to `crossed`.
  std::optional<std::string> Resolve(std::string_view path,
                                     std::set<std::string>* crossed) const;

  // The entrypoint's closure. `with_runtime` also adds interpreter
  // runtimes (stdlib directories) and the closures of the ELF objects in
  // them. An image without ENTRYPOINT and CMD gives an empty program.
  void FindEntrypoint(bool with_runtime);

  // Like AddPath, for paths an image may or may not have.
  void AddIfPresent(const std::string& path);

  // Adds `path` (resolved, with its ELF closure, and everything below it
  // when a directory) to the closure.
  void AddPath(const std::string& path);

  const std::string& program() const { return program_; }
  const std::set<std::string>& closure() const { return closure_; }
  const std::vector<std::string>& missing() const { return missing_; }
  // Doubts that are not failures (an unreadable dynamic section).
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  // The executable file NAME runs (looked up in PATH unless it holds a
  // '/'), resolved; the symbolic links crossed to reach it go to `crossed`.
  std::optional<std::string> FindProgram(const std::string& name,
                                         std::set<std::string>* crossed) const;
  void AddFile(const std::string& resolved, int depth);
  void AddElf(const std::string& path, const harden::ElfInfo& info, int depth);
  std::optional<std::string> FindLibrary(const std::string& name,
                                         const std::string& loader,
                                         const harden::ElfInfo& info);
  std::optional<harden::ElfInfo> Elf(const std::string& path);
  std::string Head(const std::string& path, size_t bytes) const;
  const std::vector<std::string>& LdSoConfDirs();
  void AddRuntime(const std::string& program);
  void Missing(std::string what);
  void AddTree(const std::string& dir);
  std::vector<std::string> EnvPath(std::string_view name) const;

  const Tree& tree_;
  const Spool& spool_;
  const ImageConfig& config_;
  std::string program_;
  std::set<std::string> closure_;
  std::set<std::string> visited_;
  std::vector<std::string> missing_;
  std::vector<std::string> warnings_;
  bool with_runtime_ = false;
  int lenient_ = 0;  // inside a kept tree: misses are warnings
  std::map<std::string, std::optional<harden::ElfInfo>> elf_cache_;
  std::optional<std::vector<std::string>> ld_so_conf_;
};

}  // namespace cinch::slim

#endif  // CINCH_SLIM_CLOSURE_H_
