#include "slim/slim.h"

#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include <fmt/ranges.h>

#include "analyze/bloat.h"
#include "base/json.h"
#include "base/sha256.h"
#include "image/file_set.h"
#include "secrets/names.h"
#include "slim/closure.h"
#include "slim/compress.h"
#include "slim/spool.h"
#include "slim/strip.h"

namespace cinch::slim {
namespace {

namespace fs = std::filesystem;

// Files that programs read without naming them on a command line: user
// and group lookups, name resolution, TLS roots, time zones, the loader's
// configuration, the C.UTF-8 locale and the OS identity scanners look for.
constexpr std::string_view kQuietNeeds[] = {
    "etc/passwd",
    "etc/group",
    "etc/nsswitch.conf",
    "etc/hosts",
    "etc/host.conf",
    "etc/resolv.conf",
    "etc/localtime",
    "etc/timezone",
    "etc/ssl",
    "usr/lib/ssl",
    "usr/share/ca-certificates",
    "etc/ca-certificates.conf",
    "usr/share/zoneinfo",
    "etc/ld.so.conf",
    "etc/ld.so.conf.d",
    "etc/ld.so.cache",
    "etc/os-release",
    "usr/lib/os-release",
    "usr/lib/locale/C.utf8",
    "usr/lib/locale/C.UTF-8",
};

// Directories whose locale-named children --keep-locale filters.
constexpr std::string_view kLocaleRoots[] = {
    "usr/share/locale/", "usr/local/share/locale/", "usr/lib/locale/",
    "usr/share/i18n/locales/"};

constexpr std::string_view kAnnotationPrefix = "dev.cinch.slim.";
constexpr size_t kMaxPasswdBytes = 4 << 20;
// ELF files larger than this are written unstripped: stripping holds one
// file in memory.
constexpr uint64_t kMaxStripBytes = 64 << 20;

class TempDir {
 public:
  static Result<TempDir> Create(const std::string& parent) {
    std::error_code ec;
    std::string base =
        parent.empty() ? fs::temp_directory_path(ec).string() : parent;
    std::string pattern = base + "/cinch-slim-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      return Fail("cannot create a temporary directory in {}: {}", base,
                  std::strerror(errno));
    }
    return TempDir(pattern);
  }
  TempDir(TempDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  explicit TempDir(std::string p) : path_(std::move(p)) {}
  std::string path_;
};

bool IsFile(const Node& n) {
  return n.entry.type == EntryType::kRegular ||
         n.entry.type == EntryType::kHardlink;
}

// True if a path under a locale directory is one to keep: the
// directories themselves, C locales, the locales asked for, and files
// beside the locale directories (locale.alias), except the compiled
// locale-archive, which only --keep-locale keeps.
bool KeepLocale(std::string_view path, bool is_dir, const SlimOptions& o) {
  for (std::string_view root : kLocaleRoots) {
    if (path == root.substr(0, root.size() - 1)) return true;
    if (!path.starts_with(root)) continue;
    std::string_view rest = path.substr(root.size());
    std::string_view name = rest.substr(0, rest.find('/'));
    bool beside = !is_dir && rest.find('/') == std::string_view::npos &&
                  root != "usr/share/i18n/locales/";
    if (beside) return name != "locale-archive" || !o.keep_locales.empty();
    if (name == "C" || name.starts_with("C.")) return true;
    for (const std::string& keep : o.keep_locales) {
      if (name == keep) return true;
      if (name.starts_with(keep) && name.size() > keep.size() &&
          std::string_view("_.@").find(name[keep.size()]) !=
              std::string_view::npos) {
        return true;
      }
    }
    return false;
  }
  return false;
}

// The removal step `path` falls under, or empty to keep it.
std::string StepFor(std::string_view path, const Node& node,
                    const SlimOptions& o) {
  auto kind = ClassifyBloat(path);
  if (!kind) return "";
  std::string_view id = BloatKinds()[*kind].id;
  bool is_dir = node.entry.type == EntryType::kDirectory;
  if (id == "docs") return o.remove_docs ? "docs" : "";
  if (id == "man") return o.remove_man ? "man" : "";
  if (id == "locales") {
    return o.remove_locales && !KeepLocale(path, is_dir, o) ? "locales" : "";
  }
  // Cache, temp and log directories stay (programs write there); only
  // their contents go.
  if (is_dir) return "";
  if (id == "tmp") return o.remove_tmp ? "tmp" : "";
  if (id == "logs") return o.remove_logs ? "logs" : "";
  return o.remove_caches ? "caches" : "";
}

void AddAncestors(std::set<std::string>& paths) {
  std::vector<std::string> extra;
  for (const std::string& p : paths) {
    for (size_t slash = p.find('/'); slash != std::string::npos;
         slash = p.find('/', slash + 1)) {
      extra.push_back(p.substr(0, slash));
    }
  }
  paths.insert(extra.begin(), extra.end());
}

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// The field `index` of a colon-separated passwd or group line.
std::string Field(std::string_view line, size_t index) {
  size_t start = 0;
  for (size_t i = 0; i < index; ++i) {
    start = line.find(':', start);
    if (start == std::string_view::npos) return "";
    ++start;
  }
  return std::string(line.substr(start, line.find(':', start) - start));
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](char c) { return c >= '0' && c <= '9'; });
}

// The source's config as stored, so that fields cinch does not model
// (Healthcheck, Volumes, StopSignal, ...) survive. Read again from the
// source's files, since ImageSource keeps only the parsed form; for
// sources without a stored config (rootfs, registries) it is rebuilt from
// the parsed fields.
Result<std::string> RawConfig(const Image& image) {
  std::unique_ptr<FileSet> files;
  if (auto ref = ParseImageRef(image.reference); ref) {
    if (ref->transport == Transport::kOciLayout) {
      if (auto f = OpenDirectoryFileSet(ref->path); f) files = std::move(*f);
    } else if (ref->transport == Transport::kOciArchive ||
               ref->transport == Transport::kDockerArchive) {
      if (auto f = OpenTarFileSet(ref->path); f) files = std::move(*f);
    }
  }
  if (files != nullptr && ValidateDigest(image.config_digest)) {
    std::string hex(DigestHex(image.config_digest));
    for (std::string path : {"blobs/sha256/" + hex, hex + ".json", hex}) {
      auto text = files->ReadSmall(path, kMaxDocumentBytes);
      if (text && Sha256Digest(*text) == image.config_digest) return *text;
    }
  }
  const ImageConfig& c = image.config;
  Json run = {{"Env", c.env}};
  if (!c.user.empty()) run["User"] = c.user;
  if (!c.entrypoint.empty()) run["Entrypoint"] = c.entrypoint;
  if (!c.cmd.empty()) run["Cmd"] = c.cmd;
  if (!c.working_dir.empty()) run["WorkingDir"] = c.working_dir;
  if (!c.labels.empty()) run["Labels"] = c.labels;
  if (!c.exposed_ports.empty()) {
    run["ExposedPorts"] = Json::object();
    for (const std::string& p : c.exposed_ports) {
      run["ExposedPorts"][p] = Json::object();
    }
  }
  Json history = Json::array();
  for (const HistoryStep& h : c.history) {
    Json step = {{"created_by", h.created_by}};
    if (!h.created.empty()) step["created"] = h.created;
    if (!h.comment.empty()) step["comment"] = h.comment;
    if (h.empty_layer) step["empty_layer"] = true;
    history.push_back(step);
  }
  Json config = {{"architecture", c.platform.architecture},
                 {"os", c.platform.os.empty() ? "linux" : c.platform.os},
                 {"config", run},
                 {"history", history}};
  if (!c.platform.variant.empty()) config["variant"] = c.platform.variant;
  if (!c.created.empty()) config["created"] = c.created;
  return config.dump();
}

Descriptor MakeDescriptor(std::string_view type, std::string digest,
                          uint64_t size) {
  Descriptor d;
  d.media_type = std::string(type);
  d.digest = std::move(digest);
  d.size = int64_t(size);
  return d;
}

// Serves a string as a stream.
class StringReaderForSink : public ByteReader {
 public:
  explicit StringReaderForSink(std::string_view s) : s_(s) {}
  Result<size_t> Read(std::span<char> out) override {
    size_t n = std::min(out.size(), s_.size());
    std::copy_n(s_.data(), n, out.data());
    s_.remove_prefix(n);
    return n;
  }

 private:
  std::string_view s_;
};

struct Plan {
  Tree tree;  // the merged source
  Tree base;  // layers kept byte-identical, merged
  std::map<std::string, std::string> removed;    // path -> step
  std::map<std::string, std::string> rewritten;  // path -> new content
  std::vector<std::string> env;
  std::string user;
};

class Slimmer {
 public:
  Slimmer(const ImageSource& source, const SlimOptions& options)
      : source_(source), image_(source.image()), options_(options) {}

  Result<SlimReport> Run(ImageSink* sink, const std::vector<std::string>& tags);

 private:
  Status Walk();
  void PlanRemovals();
  Status CheckEntrypoint();
  Status PlanUser();
  void PlanEnv();
  void Account();
  struct NewLayer {
    Descriptor descriptor;
    std::string diff_id;
    uint64_t uncompressed = 0;
    std::string path;
  };
  Result<NewLayer> WriteLayer();
  Status WriteItem(TarWriter& tar, const std::string& path, const Node& node,
                   const std::set<std::string>& emitted);
  Result<Descriptor> PutBaseLayer(ImageSink& sink, size_t index);
  Result<std::string> ConfigJson(const std::vector<std::string>& diff_ids);
  std::map<std::string, std::string> Annotations() const;
  // The stripped content of a kept ELF file, or nullopt to copy it as is.
  Result<std::optional<std::string>> Stripped(const std::string& path,
                                              const Node& node);
  void AccountStrip();
  void AccountPackages();

  const ImageSource& source_;
  const Image& image_;
  const SlimOptions& options_;
  std::optional<TempDir> temp_;
  std::unique_ptr<Spool> spool_;
  std::vector<LayerStats> stats_;
  Plan plan_;
  SlimReport report_;
  StepSavings strip_{"strip", 0, 0};
};

Status Slimmer::Walk() {
  CINCH_ASSIGN(TempDir t, TempDir::Create(options_.temp_dir));
  temp_.emplace(std::move(t));
  spool_ = std::make_unique<Spool>(temp_->path(), image_.layers.size());
  Analyzer* analyzers[] = {spool_.get()};
  WalkOptions walk;
  walk.threads = options_.threads;
  CINCH_ASSIGN(stats_, WalkLayers(source_, analyzers, walk));
  CINCH_TRY(spool_->Finish());
  plan_.tree = spool_->Merge(image_.layers.size(), &report_.warnings);
  if (options_.keep_base_layers > 0) {
    plan_.base = spool_->Merge(options_.keep_base_layers, nullptr);
  }
  return {};
}

void Slimmer::PlanRemovals() {
  std::set<std::string> protect;
  for (const std::string& k : options_.keep_paths) {
    std::string p = k;
    while (p.starts_with('/')) p.erase(0, 1);
    protect.insert(p);
  }
  auto protected_path = [&](const std::string& path) {
    for (const std::string& p : protect) {
      if (path == p || path.starts_with(p + "/") || p.starts_with(path + "/")) {
        return true;
      }
    }
    return false;
  };
  for (const auto& [path, node] : plan_.tree) {
    if (node.layer < int(options_.keep_base_layers)) continue;
    if (protected_path(path)) continue;
    std::string step = StepFor(path, node, options_);
    if (!step.empty()) plan_.removed[path] = step;
  }
}

Status Slimmer::CheckEntrypoint() {
  ClosureFinder finder(plan_.tree, *spool_, image_.config);
  finder.FindEntrypoint(options_.distroless);
  EntrypointCheck& check = report_.entrypoint;
  check.command = image_.config.entrypoint;
  check.command.insert(check.command.end(), image_.config.cmd.begin(),
                       image_.config.cmd.end());
  check.program = finder.program();
  check.missing = finder.missing();
  for (const std::string& w : finder.warnings()) report_.warnings.push_back(w);

  if (options_.distroless) {
    if (check.program.empty()) {
      return Fail(
          "--distroless needs an ENTRYPOINT or CMD that names a program in "
          "the image{}",
          check.missing.empty() ? "" : ": " + check.missing.front());
    }
    for (std::string_view need : kQuietNeeds) {
      finder.AddIfPresent(std::string(need));
    }
    for (const std::string& k : options_.keep_paths) finder.AddPath(k);
    check.missing = finder.missing();
  }
  std::set<std::string> keep = finder.closure();
  check.closure.assign(keep.begin(), keep.end());
  AddAncestors(keep);

  if (options_.distroless) {
    for (const auto& [path, node] : plan_.tree) {
      if (keep.contains(path)) {
        plan_.removed.erase(path);
      } else if (!plan_.removed.contains(path)) {
        plan_.removed[path] = "distroless";
      }
    }
  }

  // A removal inside the closure would break the entrypoint: refuse.
  for (const std::string& need : check.closure) {
    if (auto it = plan_.removed.find(need); it != plan_.removed.end()) {
      return Fail(
          "removing {} (step '{}') would break the entrypoint {}; keep it "
          "with --keep /{} or skip the step",
          need, it->second, check.program, need);
    }
  }
  if (!check.missing.empty()) {
    report_.warnings.push_back(
        fmt::format("the source image's entrypoint does not fully resolve: {}",
                    fmt::join(check.missing, "; ")));
  }
  return {};
}

Status Slimmer::PlanUser() {
  const std::string& wanted = options_.user;
  if (wanted.empty()) {
    plan_.user = image_.config.user;
    return {};
  }
  plan_.user = wanted;
  std::string uid = wanted.substr(0, wanted.find(':'));
  std::string gid = wanted.find(':') == std::string::npos
                        ? uid
                        : wanted.substr(wanted.find(':') + 1);

  ClosureFinder finder(plan_.tree, *spool_, image_.config);
  auto read = [&](const char* path) -> Result<std::optional<std::string>> {
    auto r = finder.Resolve(path, nullptr);
    if (!r) return std::optional<std::string>();
    auto it = plan_.tree.find(*r);
    if (it == plan_.tree.end() || !IsFile(it->second)) {
      return std::optional<std::string>();
    }
    CINCH_ASSIGN(std::string text, spool_->Read(it->second, kMaxPasswdBytes));
    return std::optional<std::string>(std::move(text));
  };
  CINCH_ASSIGN(auto passwd, read("etc/passwd"));
  CINCH_ASSIGN(auto group, read("etc/group"));
  std::vector<std::string> users = SplitLines(passwd.value_or(""));

  if (!AllDigits(uid)) {
    for (const std::string& line : users) {
      if (Field(line, 0) == uid) return {};
    }
    return Fail("user '{}' is not in /etc/passwd; give a numeric UID", uid);
  }
  for (const std::string& line : users) {
    if (Field(line, 2) == uid) return {};
  }

  // Add the user, and its group when the GID is new.
  std::set<std::string> names;
  for (const std::string& line : users) names.insert(Field(line, 0));
  std::string name = names.contains("nonroot") ? "user" + uid : "nonroot";
  std::string p = passwd.value_or("root:x:0:0:root:/root:/sbin/nologin\n");
  if (!p.empty() && !p.ends_with('\n')) p += '\n';
  p += fmt::format("{}:x:{}:{}:{}:/home/{}:/sbin/nologin\n", name, uid,
                   AllDigits(gid) ? gid : uid, name, name);
  plan_.rewritten["etc/passwd"] = p;
  if (AllDigits(gid)) {
    bool have = false;
    for (const std::string& line : SplitLines(group.value_or(""))) {
      if (Field(line, 2) == gid) have = true;
    }
    if (!have) {
      std::string g = group.value_or("root:x:0:\n");
      if (!g.empty() && !g.ends_with('\n')) g += '\n';
      g += fmt::format("{}:x:{}:\n", name, gid);
      plan_.rewritten["etc/group"] = g;
    }
  }
  report_.added_user = true;
  return {};
}

void Slimmer::PlanEnv() {
  for (const std::string& kv : image_.config.env) {
    size_t eq = kv.find('=');
    std::string name = kv.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : kv.substr(eq + 1);
    if (options_.remove_secret_env && secrets::IsSecretName(name) &&
        !value.empty() && !value.starts_with('/')) {
      report_.removed_env.push_back(name);
      continue;
    }
    plan_.env.push_back(kv);
  }
}

void Slimmer::Account() {
  ImageSize& before = report_.before;
  before.layers = image_.layers.size();
  for (const LayerStats& s : stats_) {
    before.compressed_bytes += s.compressed_bytes;
    before.uncompressed_bytes += s.uncompressed_bytes;
  }
  uint64_t shipped = 0;
  for (size_t l = 0; l < image_.layers.size(); ++l) {
    shipped += spool_->FileBytes(l);
  }
  std::map<std::string, StepSavings> steps;
  ImageSize& after = report_.after;
  for (const auto& [path, node] : plan_.tree) {
    uint64_t bytes = IsFile(node) ? node.entry.size : 0;
    if (IsFile(node)) {
      ++before.files;
      before.file_bytes += bytes;
    }
    auto it = plan_.removed.find(path);
    if (it == plan_.removed.end()) {
      if (IsFile(node)) {
        ++after.files;
        after.file_bytes += bytes;
      }
      continue;
    }
    StepSavings& s = steps[it->second];
    s.step = it->second;
    if (IsFile(node)) ++s.files;
    s.bytes += bytes;
    report_.removed.push_back({path, it->second, bytes});
  }
  report_.steps.push_back({"squash", 0, shipped - before.file_bytes});
  AccountPackages();
  for (const char* order :
       {"docs", "man", "locales", "caches", "tmp", "logs", "distroless"}) {
    if (auto it = steps.find(order); it != steps.end()) {
      report_.steps.push_back(it->second);
    }
  }
}

Result<SlimReport> Slimmer::Run(ImageSink* sink,
                                const std::vector<std::string>& tags) {
  if (options_.keep_base_layers >= image_.layers.size() &&
      options_.keep_base_layers > 0) {
    return Fail("--keep-base {} keeps every layer of a {}-layer image",
                options_.keep_base_layers, image_.layers.size());
  }
  if (options_.distroless && options_.keep_base_layers > 0) {
    return Fail(
        "--distroless removes base files, --keep-base keeps them: "
        "choose one");
  }
  CINCH_TRY(Walk());
  PlanRemovals();
  CINCH_TRY(CheckEntrypoint());
  CINCH_TRY(PlanUser());
  PlanEnv();
  Account();
  report_.user = plan_.user;
  if (options_.dry_run || sink == nullptr) {
    if (options_.strip) {
      for (const auto& [path, node] : plan_.tree) {
        if (!plan_.removed.contains(path) &&
            node.layer >= int(options_.keep_base_layers)) {
          CINCH_TRY(Stripped(path, node));
        }
      }
      AccountStrip();
    }
    return report_;
  }

  std::vector<Descriptor> layers;
  std::vector<std::string> diff_ids;
  for (size_t i = 0; i < options_.keep_base_layers; ++i) {
    CINCH_ASSIGN(Descriptor d, PutBaseLayer(*sink, i));
    layers.push_back(d);
    diff_ids.push_back(image_.layers[i].diff_id);
    report_.after.compressed_bytes += uint64_t(d.size);
    report_.after.uncompressed_bytes += stats_[i].uncompressed_bytes;
  }
  CINCH_ASSIGN(NewLayer layer, WriteLayer());
  AccountStrip();
  {
    auto file = File::Open(layer.path);
    if (!file) return Fail(file.error());
    FileRangeReader reader(std::make_shared<const File>(std::move(*file)), 0,
                           uint64_t(layer.descriptor.size));
    CINCH_TRY(sink->PutBlob(layer.descriptor, reader));
  }
  layers.push_back(layer.descriptor);
  diff_ids.push_back(layer.diff_id);
  report_.after.layers = layers.size();
  report_.after.compressed_bytes += uint64_t(layer.descriptor.size);
  report_.after.uncompressed_bytes += layer.uncompressed;

  CINCH_ASSIGN(std::string config, ConfigJson(diff_ids));
  Descriptor config_desc = MakeDescriptor(media_type::kOciConfig,
                                          Sha256Digest(config), config.size());
  {
    StringReaderForSink reader(config);
    CINCH_TRY(sink->PutBlob(config_desc, reader));
  }
  Json manifest = {{"schemaVersion", 2},
                   {"mediaType", std::string(media_type::kOciManifest)},
                   {"config",
                    {{"mediaType", config_desc.media_type},
                     {"digest", config_desc.digest},
                     {"size", config_desc.size}}},
                   {"layers", Json::array()},
                   {"annotations", Annotations()}};
  for (const Descriptor& d : layers) {
    manifest["layers"].push_back(
        {{"mediaType", d.media_type}, {"digest", d.digest}, {"size", d.size}});
  }
  std::string manifest_bytes = manifest.dump();
  Descriptor manifest_desc =
      MakeDescriptor(media_type::kOciManifest, Sha256Digest(manifest_bytes),
                     manifest_bytes.size());
  CINCH_TRY(sink->PutManifest(manifest_desc, manifest_bytes));
  CINCH_TRY(sink->Commit(tags));
  report_.manifest_digest = manifest_desc.digest;
  report_.config_digest = config_desc.digest;
  return report_;
}

}  // namespace

namespace {

TarMember MemberFor(const std::string& path, const Entry& e) {
  TarMember m;
  m.path = path;
  m.mode = e.mode;
  m.uid = e.uid;
  m.gid = e.gid;
  m.mtime = e.mtime;
  m.link_target = e.link_target;
  for (const Xattr& x : e.xattrs) m.xattrs[x.name] = x.value;
  return m;
}

std::string OciLayerType(Compression c) {
  switch (c) {
    case Compression::kGzip:
      return std::string(media_type::kOciLayerGzip);
    case Compression::kZstd:
      return std::string(media_type::kOciLayerZstd);
    case Compression::kNone:
      break;
  }
  return std::string(media_type::kOciLayer);
}

}  // namespace

Status Slimmer::WriteItem(TarWriter& tar, const std::string& path,
                          const Node& node,
                          const std::set<std::string>& emitted) {
  TarMember m = MemberFor(path, node.entry);
  if (auto it = plan_.rewritten.find(path); it != plan_.rewritten.end()) {
    m.type = TarMember::Type::kRegular;
    m.link_target.clear();
    return tar.WriteFile(m, it->second);
  }
  switch (node.entry.type) {
    case EntryType::kDirectory:
      m.type = TarMember::Type::kDirectory;
      return tar.WriteHeader(m);
    case EntryType::kSymlink:
      m.type = TarMember::Type::kSymlink;
      return tar.WriteHeader(m);
    case EntryType::kFifo:
      m.type = TarMember::Type::kFifo;
      return tar.WriteHeader(m);
    case EntryType::kHardlink: {
      // A link stays a link only when its target is written first with
      // the same content; otherwise it becomes a copy.
      auto target = plan_.tree.find(node.entry.link_target);
      if (target != plan_.tree.end() && emitted.contains(target->first) &&
          target->second.content_layer == node.content_layer &&
          target->second.offset == node.offset &&
          !plan_.rewritten.contains(target->first)) {
        m.type = TarMember::Type::kHardlink;
        return tar.WriteHeader(m);
      }
    }
      [[fallthrough]];
    case EntryType::kRegular: {
      m.type = TarMember::Type::kRegular;
      m.link_target.clear();
      CINCH_ASSIGN(auto stripped, Stripped(path, node));
      if (stripped) return tar.WriteFile(m, *stripped);
      m.size = node.entry.size;
      CINCH_TRY(tar.WriteHeader(m));
      return spool_->Copy(
          node, [&](std::span<const char> b) { return tar.WriteData(b); });
    }
    case EntryType::kCharDevice:
    case EntryType::kBlockDevice:
    case EntryType::kSocket:
      break;
  }
  report_.warnings.push_back(fmt::format(
      "{}: {} entries are not written (device numbers are not kept)", path,
      EntryTypeName(node.entry.type)));
  return {};
}

Result<Slimmer::NewLayer> Slimmer::WriteLayer() {
  NewLayer out;
  out.path = temp_->path() + "/layer.out";
  CINCH_ASSIGN(auto file, FileWriter::Create(out.path));
  HashingWriter compressed(file.get());
  CINCH_ASSIGN(auto compressor, NewCompressor(options_.compression,
                                              options_.level, &compressed));
  HashingWriter uncompressed(compressor.get());
  TarWriter tar(&uncompressed);

  // What the layer holds, sorted: upper paths that survive, rewritten
  // files, and whiteouts for base paths that are gone.
  size_t base = options_.keep_base_layers;
  std::map<std::string, const Node*> items;
  for (const auto& [path, node] : plan_.tree) {
    if (plan_.removed.contains(path)) continue;
    if (node.layer >= int(base) || plan_.rewritten.contains(path)) {
      items[path] = &node;
    }
  }
  Node synthetic_dir;
  synthetic_dir.entry.type = EntryType::kDirectory;
  synthetic_dir.entry.mode = 0755;
  Node synthetic_file;
  synthetic_file.entry.mode = 0644;
  for (const auto& [path, text] : plan_.rewritten) {
    if (!plan_.tree.contains(path)) items[path] = &synthetic_file;
    if (!plan_.tree.contains("etc")) items["etc"] = &synthetic_dir;
  }
  Node whiteout;
  std::set<std::string> whiteouts;
  for (const auto& [path, node] : plan_.base) {
    bool gone = !plan_.tree.contains(path) || plan_.removed.contains(path);
    if (!gone) continue;
    size_t slash = path.rfind('/');
    std::string parent =
        slash == std::string::npos ? "" : path.substr(0, slash);
    if (!parent.empty() &&
        (!plan_.tree.contains(parent) || plan_.removed.contains(parent))) {
      continue;  // the parent's whiteout covers it
    }
    std::string name =
        slash == std::string::npos ? path : path.substr(slash + 1);
    std::string wh = (parent.empty() ? "" : parent + "/") +
                     std::string(kWhiteoutPrefix) + name;
    whiteouts.insert(wh);
    items[wh] = &whiteout;
  }

  std::set<std::string> emitted;
  for (const auto& [path, node] : items) {
    if (whiteouts.contains(path)) {
      TarMember m;
      m.path = path;
      CINCH_TRY(tar.WriteHeader(m));
    } else {
      CINCH_TRY(WriteItem(tar, path, *node, emitted));
    }
    emitted.insert(path);
  }
  CINCH_TRY(tar.Finish());
  CINCH_TRY(uncompressed.Close());
  out.diff_id = uncompressed.FinishDigest();
  out.uncompressed = uncompressed.size();
  out.descriptor.media_type = OciLayerType(options_.compression);
  out.descriptor.digest = compressed.FinishDigest();
  out.descriptor.size = int64_t(compressed.size());
  return out;
}

Result<Descriptor> Slimmer::PutBaseLayer(ImageSink& sink, size_t index) {
  const Layer& layer = image_.layers[index];
  Descriptor d;
  d.media_type = OciLayerType(stats_[index].compression);
  d.digest = layer.descriptor.digest;
  d.size = layer.descriptor.size;
  if (d.digest.empty()) {
    // A classic docker-archive names layers by diff ID only: hash the blob.
    CINCH_ASSIGN(auto reader, source_.OpenBlob(layer));
    Sha256 hash;
    uint64_t size = 0;
    std::string buffer(1 << 20, '\0');
    while (true) {
      CINCH_ASSIGN(size_t n, reader->Read(buffer));
      if (n == 0) break;
      hash.Update(buffer.data(), n);
      size += n;
    }
    d.digest = hash.FinishDigest();
    d.size = int64_t(size);
  }
  CINCH_ASSIGN(bool have, sink.HasBlob(d));
  if (have) return d;
  CINCH_ASSIGN(auto reader, source_.OpenBlob(layer));
  CINCH_TRY(sink.PutBlob(d, *reader));
  return d;
}

Result<std::string> Slimmer::ConfigJson(
    const std::vector<std::string>& diff_ids) {
  CINCH_ASSIGN(std::string raw, RawConfig(image_));
  CINCH_ASSIGN(Json config, ParseJson(raw, "image config"));
  if (!config.is_object()) return Fail("image config is not an object");
  if (!config.contains("config") || !config["config"].is_object()) {
    config["config"] = Json::object();
  }
  Json& c = config["config"];
  if (plan_.user.empty()) {
    c.erase("User");
  } else {
    c["User"] = plan_.user;
  }
  c["Env"] = plan_.env;
  config["rootfs"] = {{"type", "layers"}, {"diff_ids", diff_ids}};

  // History: the base's steps stay as they were; later steps become empty
  // and one step records the squash.
  Json history = config.contains("history") && config["history"].is_array()
                     ? config["history"]
                     : Json::array();
  size_t layered = 0;
  for (Json& step : history) {
    if (!step.is_object()) continue;
    bool empty = step.contains("empty_layer") &&
                 step["empty_layer"].is_boolean() &&
                 step["empty_layer"].get<bool>();
    if (!empty && layered++ >= options_.keep_base_layers) {
      step["empty_layer"] = true;
    }
  }
  Json slim_step = {
      {"created_by", "cinch slim"},
      {"comment", fmt::format("squashed {} layers; removed {} "
                              "paths",
                              image_.layers.size() - options_.keep_base_layers,
                              report_.removed.size())}};
  if (config.contains("created") && config["created"].is_string()) {
    slim_step["created"] = config["created"];
  }
  history.push_back(slim_step);
  config["history"] = history;
  return config.dump();
}

std::map<std::string, std::string> Slimmer::Annotations() const {
  std::map<std::string, std::string> a;
  auto key = [](std::string_view k) {
    return std::string(kAnnotationPrefix) + std::string(k);
  };
  a[key("source")] = image_.manifest_digest.empty() ? image_.config_digest
                                                    : image_.manifest_digest;
  std::vector<std::string> steps;
  uint64_t bytes = 0;
  for (const StepSavings& s : report_.steps) {
    steps.push_back(s.step);
    bytes += s.bytes;
  }
  a[key("steps")] = fmt::format("{}", fmt::join(steps, ","));
  a[key("removed-files")] = fmt::format("{}", report_.removed.size());
  a[key("removed-bytes")] = fmt::format("{}", bytes);
  if (!report_.removed_env.empty()) {
    a[key("removed-env")] =
        fmt::format("{}", fmt::join(report_.removed_env, ","));
  }
  if (!plan_.user.empty()) a[key("user")] = plan_.user;
  if (options_.keep_base_layers > 0) {
    a[key("kept-base-layers")] = fmt::format("{}", options_.keep_base_layers);
  }
  return a;
}

Result<std::optional<std::string>> Slimmer::Stripped(const std::string& path,
                                                     const Node& node) {
  const Entry& e = node.entry;
  bool candidate =
      (e.mode & 0111) != 0 || path.find(".so") != std::string::npos;
  if (!options_.strip || !IsFile(node) || !candidate || e.size < 64 ||
      e.size > kMaxStripBytes) {
    return std::optional<std::string>();
  }
  std::string magic;
  (void)spool_->Copy(node, [&](std::span<const char> b) -> Status {
    magic.append(b.data(), std::min<size_t>(b.size(), 4 - magic.size()));
    return magic.size() < 4 ? Status() : Fail("enough");
  });
  if (magic !=
      "\x7f"
      "ELF")
    return std::optional<std::string>();
  CINCH_ASSIGN(std::string content, spool_->Read(node, kMaxStripBytes));
  std::optional<std::string> stripped = StripElf(content);
  if (stripped) {
    ++strip_.files;
    strip_.bytes += content.size() - stripped->size();
  }
  return stripped;
}

void Slimmer::AccountPackages() {
  constexpr std::string_view kInfo = "var/lib/dpkg/info/";
  for (auto it = plan_.tree.lower_bound(kInfo);
       it != plan_.tree.end() && it->first.starts_with(kInfo); ++it) {
    const std::string& path = it->first;
    if (!path.ends_with(".list") || !IsFile(it->second)) continue;
    auto text = spool_->Read(it->second, 16 << 20);
    if (!text) continue;
    bool any_file = false, any_left = false;
    for (const std::string& line : SplitLines(*text)) {
      std::string p = line.starts_with('/') ? line.substr(1) : line;
      auto node = plan_.tree.find(p);
      if (node == plan_.tree.end() || !IsFile(node->second)) continue;
      any_file = true;
      any_left |= !plan_.removed.contains(p);
    }
    if (any_file && !any_left) {
      std::string name = path.substr(kInfo.size());
      report_.removed_packages.push_back(
          name.substr(0, name.size() - std::string_view(".list").size()));
    }
  }
}

void Slimmer::AccountStrip() {
  if (!options_.strip) return;
  report_.steps.push_back(strip_);
  report_.after.file_bytes -= std::min(report_.after.file_bytes, strip_.bytes);
}

Result<SlimReport> Slim(const ImageSource& source, ImageSink* sink,
                        const std::vector<std::string>& tags,
                        const SlimOptions& options) {
  Slimmer slimmer(source, options);
  return slimmer.Run(sink, tags);
}

std::string ReportJson(const SlimReport& r) {
  auto size = [](const ImageSize& s) {
    return Json{{"compressed_bytes", s.compressed_bytes},
                {"uncompressed_bytes", s.uncompressed_bytes},
                {"layers", s.layers},
                {"files", s.files},
                {"file_bytes", s.file_bytes}};
  };
  Json steps = Json::array();
  for (const StepSavings& s : r.steps) {
    steps.push_back({{"step", s.step}, {"files", s.files}, {"bytes", s.bytes}});
  }
  Json removed = Json::array();
  for (const RemovedPath& p : r.removed) {
    removed.push_back(
        {{"path", "/" + p.path}, {"step", p.step}, {"bytes", p.bytes}});
  }
  Json closure = Json::array();
  for (const std::string& p : r.entrypoint.closure) closure.push_back("/" + p);
  Json doc = {
      {"before", size(r.before)},
      {"after", size(r.after)},
      {"steps", steps},
      {"removed_env", r.removed_env},
      {"removed_packages", r.removed_packages},
      {"user", r.user},
      {"added_user", r.added_user},
      {"entrypoint",
       {{"command", r.entrypoint.command},
        {"program",
         r.entrypoint.program.empty() ? "" : "/" + r.entrypoint.program},
        {"closure", closure},
        {"missing", r.entrypoint.missing}}},
      {"warnings", r.warnings},
      {"manifest_digest", r.manifest_digest},
      {"config_digest", r.config_digest},
      {"removed_paths", removed}};
  return doc.dump(2) + "\n";
}

}  // namespace cinch::slim
