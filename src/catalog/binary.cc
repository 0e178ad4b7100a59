#include "catalog/binary.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "base/json.h"

namespace cinch {
namespace {

// Go's debug/buildinfo: the header is 32 bytes, 16-byte aligned, and
// flag 2 means the version and module strings follow it inline, each
// prefixed with its length as an unsigned varint.
constexpr std::string_view kGoMagic = "\xff Go buildinf:";
constexpr size_t kGoHeaderSize = 32;
constexpr size_t kGoAlign = 16;
constexpr uint8_t kGoFlagInline = 2;
// Build info larger than this is not Go's (a module list of thousands of
// dependencies is still far smaller).
constexpr size_t kMaxGoInfo = 4 << 20;
// runtime/debug wraps the module text in 16-byte sentinels.
constexpr size_t kModInfoSentinel = 16;

constexpr std::string_view kElfMagic =
    "\x7f"
    "ELF";
constexpr std::string_view kCargoSection = ".dep-v0";
constexpr size_t kMaxCargoJson = 16 << 20;

// Reads an unsigned LEB128 varint at `pos`; nullopt when truncated.
std::optional<uint64_t> ReadUvarint(std::string_view data, size_t& pos) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= data.size()) return std::nullopt;
    auto b = static_cast<uint8_t>(data[pos++]);
    value |= uint64_t(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return value;
  }
  return std::nullopt;
}

// nullopt: need more bytes; else the string.
std::optional<std::string_view> ReadVarString(std::string_view data,
                                              size_t& pos, bool& too_big) {
  auto n = ReadUvarint(data, pos);
  if (!n) return std::nullopt;
  if (*n > kMaxGoInfo) {
    too_big = true;
    return std::nullopt;
  }
  if (data.size() - pos < *n) return std::nullopt;
  std::string_view s = data.substr(pos, size_t(*n));
  pos += size_t(*n);
  return s;
}

std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab - start));
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  return out;
}

uint64_t ReadUint(std::string_view data, size_t at, size_t size, bool little) {
  uint64_t v = 0;
  for (size_t i = 0; i < size; ++i) {
    auto b = static_cast<uint8_t>(data[at + i]);
    if (little) {
      v |= uint64_t(b) << (8 * i);
    } else {
      v = (v << 8) | b;
    }
  }
  return v;
}

// The file bytes of the section named `wanted`, or nullopt. Every offset
// and size is checked against the file before use.
Result<std::optional<std::string_view>> ElfSection(std::string_view elf,
                                                   std::string_view wanted) {
  if (elf.size() < 64 || !elf.starts_with(kElfMagic)) return std::nullopt;
  bool is64 = elf[4] == 2;
  bool little = elf[5] == 1;
  uint64_t shoff =
      is64 ? ReadUint(elf, 0x28, 8, little) : ReadUint(elf, 0x20, 4, little);
  size_t entsize = ReadUint(elf, is64 ? 0x3a : 0x2e, 2, little);
  size_t count = ReadUint(elf, is64 ? 0x3c : 0x30, 2, little);
  size_t strndx = ReadUint(elf, is64 ? 0x3e : 0x32, 2, little);
  size_t min_entsize = is64 ? 64 : 40;
  if (count == 0) return std::nullopt;
  if (entsize < min_entsize || shoff > elf.size() ||
      count > (elf.size() - shoff) / entsize || strndx >= count) {
    return Fail("ELF section table out of bounds");
  }
  auto header = [&](size_t i, uint64_t& name, uint64_t& offset,
                    uint64_t& size) {
    size_t at = size_t(shoff) + i * entsize;
    name = ReadUint(elf, at, 4, little);
    offset = is64 ? ReadUint(elf, at + 0x18, 8, little)
                  : ReadUint(elf, at + 0x10, 4, little);
    size = is64 ? ReadUint(elf, at + 0x20, 8, little)
                : ReadUint(elf, at + 0x14, 4, little);
  };
  uint64_t name, str_off, str_size;
  header(strndx, name, str_off, str_size);
  if (str_off > elf.size() || str_size > elf.size() - str_off) {
    return Fail("ELF section names out of bounds");
  }
  std::string_view names = elf.substr(size_t(str_off), size_t(str_size));
  for (size_t i = 0; i < count; ++i) {
    uint64_t off, size;
    header(i, name, off, size);
    if (name >= names.size()) continue;
    std::string_view n = names.substr(size_t(name));
    n = n.substr(0, n.find('\0'));
    if (n != wanted) continue;
    if (off > elf.size() || size > elf.size() - off) {
      return Fail("ELF section {} out of bounds", wanted);
    }
    return std::optional(elf.substr(size_t(off), size_t(size)));
  }
  return std::nullopt;
}

Result<std::string> Inflate(std::string_view data, size_t limit) {
  z_stream z{};
  if (inflateInit(&z) != Z_OK) return Fail("zlib init failed");
  std::string out;
  char buf[64 << 10];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = uInt(data.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof(buf);
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - z.avail_out);
    if (out.size() > limit) {
      inflateEnd(&z);
      return Fail("inflated data over {} bytes", limit);
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) return Fail("damaged zlib stream");
  return out;
}

}  // namespace

void ParseGoModInfo(std::string_view text, GoBuildInfo& info) {
  if (text.size() >= 2 * kModInfoSentinel + 1 &&
      text[text.size() - kModInfoSentinel - 1] == '\n') {
    text = text.substr(kModInfoSentinel, text.size() - 2 * kModInfoSentinel);
  }
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? "" : text.substr(nl + 1);
    std::vector<std::string_view> f = SplitTabs(line);
    if (f.size() < 2) continue;
    // "path" names the main package, not a module: GOPATH builds (as
    // Debian's) have no "mod" line and so no main module.
    if (f[0] == "mod" && f.size() >= 3) {
      info.main_path = std::string(f[1]);
      info.main_version = std::string(f[2]);
    } else if (f[0] == "dep" && f.size() >= 3) {
      info.deps.push_back({std::string(f[1]), std::string(f[2])});
    } else if (f[0] == "=>" && f.size() >= 3 && !info.deps.empty() &&
               !f[2].empty()) {
      // A module replacement with a version; local directory
      // replacements carry none and keep the original.
      info.deps.back() = {std::string(f[1]), std::string(f[2])};
    }
  }
}

namespace {

enum class GoParse { kNotGo, kNeedMore, kBad, kOk };

GoParse TryParseGo(std::string_view data, GoBuildInfo& info) {
  if (data.size() < kGoHeaderSize) return GoParse::kNeedMore;
  if (!data.starts_with(kGoMagic)) return GoParse::kNotGo;
  auto ptr_size = static_cast<uint8_t>(data[14]);
  auto flags = static_cast<uint8_t>(data[15]);
  if ((ptr_size != 4 && ptr_size != 8) || (flags & kGoFlagInline) == 0) {
    return GoParse::kNotGo;
  }
  size_t pos = kGoHeaderSize;
  bool too_big = false;
  auto version = ReadVarString(data, pos, too_big);
  auto mod = version ? ReadVarString(data, pos, too_big) : std::nullopt;
  if (too_big) return GoParse::kBad;
  if (!version || !mod) return GoParse::kNeedMore;
  if (!version->starts_with("go")) return GoParse::kNotGo;
  info.go_version = std::string(*version);
  ParseGoModInfo(*mod, info);
  return GoParse::kOk;
}

}  // namespace

Result<std::optional<GoBuildInfo>> ParseGoBuildInfo(std::string_view data) {
  GoBuildInfo info;
  switch (TryParseGo(data, info)) {
    case GoParse::kOk:
      return std::optional(std::move(info));
    case GoParse::kNeedMore:
      if (data.starts_with(kGoMagic)) return Fail("Go build info truncated");
      return std::optional<GoBuildInfo>();
    case GoParse::kBad:
      return Fail("Go build info too large");
    case GoParse::kNotGo:
      break;
  }
  return std::optional<GoBuildInfo>();
}

std::vector<Package> GoPackages(const GoBuildInfo& info) {
  std::vector<Package> out;
  auto add = [&](std::string name, std::string version) {
    Package p;
    p.type = PackageType::kGolang;
    p.name = std::move(name);
    p.version = std::move(version);
    p.found_by = "go-binary";
    out.push_back(std::move(p));
  };
  // "go1.21.5 X:boringcrypto" -> "1.21.5", as Go's vulnerability
  // database versions the standard library.
  std::string_view go = info.go_version;
  go = go.substr(0, go.find(' '));
  if (go.starts_with("go")) go.remove_prefix(2);
  if (!go.empty()) add("stdlib", std::string(go));
  if (!info.main_path.empty() && info.main_path != "command-line-arguments") {
    std::string v = info.main_version == "(devel)" ? "" : info.main_version;
    add(info.main_path, v);
  }
  for (const GoBuildInfo::Module& m : info.deps) add(m.path, m.version);
  return out;
}

Result<std::vector<Package>> ParseCargoAuditableJson(std::string_view json) {
  CINCH_ASSIGN(Json doc, ParseJson(json, "cargo-auditable data"));
  CINCH_ASSIGN(const Json* list, GetArray(doc, "packages"));
  std::vector<Package> out;
  if (list == nullptr) return out;
  std::vector<std::string> names;
  for (const Json& entry : *list) {
    CINCH_ASSIGN(std::string name, GetString(entry, "name"));
    names.push_back(name);
  }
  for (const Json& entry : *list) {
    CINCH_ASSIGN(std::string name, GetString(entry, "name"));
    CINCH_ASSIGN(std::string version, GetString(entry, "version"));
    CINCH_ASSIGN(std::string kind, GetString(entry, "kind", "runtime"));
    // Build dependencies ran at build time and are not in the binary.
    if (name.empty() || version.empty() || kind == "build") continue;
    Package p;
    p.type = PackageType::kCargo;
    p.name = std::move(name);
    p.version = std::move(version);
    p.found_by = "rust-binary";
    CINCH_ASSIGN(const Json* deps, GetArray(entry, "dependencies"));
    if (deps != nullptr) {
      for (const Json& d : *deps) {
        if (d.is_number_unsigned() && d.get<uint64_t>() < names.size()) {
          p.depends_on.push_back(names[d.get<uint64_t>()]);
        }
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<Package>> ParseCargoAuditable(std::string_view elf) {
  CINCH_ASSIGN(auto section, ElfSection(elf, kCargoSection));
  if (!section) return std::vector<Package>{};
  CINCH_ASSIGN(std::string json, Inflate(*section, kMaxCargoJson));
  return ParseCargoAuditableJson(json);
}

Result<std::vector<Package>> ParseGoMod(std::string_view text) {
  struct Require {
    std::string path, version;
  };
  std::vector<Require> required;
  std::map<std::string, Require> replaces;  // by module path
  std::string block;  // "require" or "replace" inside ( ... )
  auto words = [](std::string_view line) {
    std::vector<std::string> out;
    std::string current;
    for (char c : line) {
      if (c == ' ' || c == '\t') {
        if (!current.empty()) out.push_back(std::move(current));
        current.clear();
      } else {
        current += c;
      }
    }
    if (!current.empty()) out.push_back(std::move(current));
    return out;
  };
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? "" : text.substr(nl + 1);
    line = line.substr(0, line.find("//"));
    std::vector<std::string> w = words(line);
    if (w.empty()) continue;
    if (w[0] == ")") {
      block.clear();
      continue;
    }
    if ((w[0] == "require" || w[0] == "replace") && w.size() == 2 &&
        w[1] == "(") {
      block = w[0];
      continue;
    }
    std::string kind = block;
    if (kind.empty()) {
      kind = w[0];
      w.erase(w.begin());
    }
    auto unquote = [](std::string s) {
      if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
        s = s.substr(1, s.size() - 2);
      }
      return s;
    };
    if (kind == "require" && w.size() >= 2) {
      required.push_back({unquote(w[0]), w[1]});
    } else if (kind == "replace") {
      // "old [v] => new [v]"; only replacements with a version name a
      // module; local directories keep the required module.
      auto arrow = std::find(w.begin(), w.end(), "=>");
      if (arrow == w.end() || arrow == w.begin()) continue;
      size_t at = size_t(arrow - w.begin());
      if (w.size() == at + 3) {
        replaces[unquote(w[0])] = {unquote(w[at + 1]), w[at + 2]};
      }
    }
  }
  std::vector<Package> out;
  for (const Require& r : required) {
    auto rep = replaces.find(r.path);
    const Require& use = rep == replaces.end() ? r : rep->second;
    Package p;
    p.type = PackageType::kGolang;
    p.name = use.path;
    p.version = use.version;
    out.push_back(std::move(p));
  }
  return out;
}

// Scans an executable as it streams: looks for Go's build info header at
// 16-byte aligned offsets and captures what follows it, and buffers the
// whole file when it is a small enough ELF for the section table.
class BinaryVisitor : public LayerVisitor {
 public:
  BinaryVisitor(BinaryCataloger& owner, size_t layer)
      : owner_(owner), layer_(layer) {}

  bool OnEntry(const Entry& entry) override {
    bool executable = (entry.mode & 0111) != 0;
    if (entry.type != EntryType::kRegular || !executable ||
        entry.size < kGoHeaderSize) {
      return false;
    }
    path_ = entry.path;
    size_ = entry.size;
    Reset();
    return true;
  }

  void OnData(std::span<const char> chunk) override {
    std::string_view data(chunk.data(), chunk.size());
    if (offset_ == 0 && !data.starts_with(kElfMagic)) not_elf_ = true;
    if (not_elf_ || done_) {
      offset_ += data.size();
      return;
    }
    if (buffering_ && size_ <= BinaryCataloger::kMaxBufferedElf) {
      if (whole_.empty()) whole_.reserve(size_);
      whole_.append(data);
    }
    if (!go_capture_.empty()) {
      Capture(data);
    } else if (!done_) {
      Scan(data);
    }
    offset_ += data.size();
  }

  void OnEntryEnd() override {
    if (!not_elf_) Finish();
    Reset();
  }

 private:
  void Reset() {
    offset_ = 0;
    not_elf_ = done_ = false;
    buffering_ = true;
    tail_.clear();
    go_capture_.clear();
    whole_.clear();
    whole_.shrink_to_fit();
    go_.reset();
  }

  // Looks for the magic in `tail_ + data`, at aligned file offsets.
  void Scan(std::string_view data) {
    std::string window = tail_;
    window.append(data.substr(0, std::min(data.size(), kGoMagic.size())));
    uint64_t window_start = offset_ - tail_.size();
    // Matches that straddle the chunk boundary.
    for (size_t at = window.find(kGoMagic); at != std::string::npos;
         at = window.find(kGoMagic, at + 1)) {
      if (at < tail_.size() && (window_start + at) % kGoAlign == 0) {
        StartCapture(std::string_view(window).substr(at, tail_.size() - at));
        Capture(data);
        if (done_ || !go_capture_.empty()) return;
      }
    }
    for (size_t at = data.find(kGoMagic); at != std::string_view::npos;
         at = data.find(kGoMagic, at + 1)) {
      if ((offset_ + at) % kGoAlign != 0) continue;
      StartCapture({});
      Capture(data.substr(at));
      if (done_ || !go_capture_.empty()) return;
    }
    size_t keep = std::min(data.size(), kGoMagic.size() - 1);
    tail_ = std::string(data.substr(data.size() - keep));
  }

  void StartCapture(std::string_view prefix) {
    go_capture_ = std::string(prefix);
    if (go_capture_.empty()) go_capture_.reserve(4096);
  }

  // Appends to the capture and tries to parse; stops when complete.
  void Capture(std::string_view data) {
    go_capture_.append(data.substr(0, kMaxGoInfo));
    GoBuildInfo info;
    GoParse result = TryParseGo(go_capture_, info);
    if (result == GoParse::kNeedMore && go_capture_.size() < kMaxGoInfo) {
      return;
    }
    if (result == GoParse::kOk) {
      go_ = std::move(info);
      done_ = true;
      // The section table of a Go binary holds no cargo data.
      buffering_ = false;
      whole_.clear();
      whole_.shrink_to_fit();
    }
    go_capture_.clear();
  }

  void Finish() {
    std::vector<Package> packages;
    if (go_) packages = GoPackages(*go_);
    if (!go_ && whole_.size() == size_) {
      auto cargo = ParseCargoAuditable(whole_);
      if (!cargo) {
        owner_.problems_[layer_].push_back(
            {"/" + path_, int(layer_), cargo.error().message});
      } else {
        packages = std::move(*cargo);
      }
    }
    if (!packages.empty()) {
      owner_.declared_.Add(layer_, path_, std::move(packages));
    }
  }

  BinaryCataloger& owner_;
  size_t layer_;
  std::string path_;
  uint64_t size_ = 0;
  uint64_t offset_ = 0;
  bool not_elf_ = false;
  bool done_ = false;
  bool buffering_ = true;
  std::string tail_;
  std::string go_capture_;
  std::string whole_;
  std::optional<GoBuildInfo> go_;
};

BinaryCataloger::BinaryCataloger(size_t layer_count)
    : declared_(layer_count), problems_(layer_count) {}

std::unique_ptr<LayerVisitor> BinaryCataloger::NewLayerVisitor(
    const Layer& layer) {
  return std::make_unique<BinaryVisitor>(*this, layer.index);
}

void BinaryCataloger::Resolve(CatalogContext& ctx, CatalogOutput& out) {
  for (auto& layer : problems_) {
    for (auto& p : layer) out.problems.push_back(std::move(p));
    layer.clear();
  }
  declared_.Resolve(ctx, name(), out);
}

}  // namespace cinch
