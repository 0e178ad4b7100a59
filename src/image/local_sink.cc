#include "image/local_sink.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include "base/json.h"
#include "base/sha256.h"
#include "image/tar_writer.h"

namespace cinch {
namespace {

namespace fs = std::filesystem;

// OCI image-spec image-layout.md and annotations.md.
constexpr std::string_view kLayoutFile = "oci-layout";
constexpr std::string_view kLayoutVersion = R"({"imageLayoutVersion":"1.0.0"})";
constexpr std::string_view kRefName = "org.opencontainers.image.ref.name";
constexpr size_t kChunk = 1 << 20;

std::string BlobPath(std::string_view digest) {
  return fmt::format("blobs/sha256/{}", DigestHex(digest));
}

// "name" means "name:latest" to Docker; a tag follows the last '/'.
std::string RepoTag(const std::string& ref) {
  size_t slash = ref.rfind('/');
  size_t colon = ref.rfind(':');
  if (colon == std::string::npos ||
      (slash != std::string::npos && colon < slash)) {
    return ref + ":latest";
  }
  return ref;
}

class LocalSink : public ImageSink {
 public:
  LocalSink(LocalSinkKind kind, std::string dest, std::string tag,
            std::string staging)
      : kind_(kind),
        dest_(std::move(dest)),
        tag_(std::move(tag)),
        staging_(std::move(staging)) {}

  ~LocalSink() override {
    std::error_code ec;
    if (!staging_.empty()) fs::remove_all(staging_, ec);
    if (!temp_archive_.empty()) fs::remove(temp_archive_, ec);
  }

  Result<bool> HasBlob(const Descriptor& blob) override {
    CINCH_TRY(ValidateDigest(blob.digest));
    std::error_code ec;
    if (fs::exists(staging_ + "/" + BlobPath(blob.digest), ec)) return true;
    return kind_ == LocalSinkKind::kOciLayout &&
           fs::exists(dest_ + "/" + BlobPath(blob.digest), ec);
  }

  Status PutBlob(const Descriptor& blob, ByteReader& content) override;
  Status PutManifest(const Descriptor& manifest,
                     std::string_view bytes) override;
  Status Commit(const std::vector<std::string>& tags) override;

 private:
  std::vector<std::string> Tags(const std::vector<std::string>& extra) const;
  std::string IndexJson(const std::vector<std::string>& tags) const;
  Result<std::string> DockerManifestJson(
      const std::vector<std::string>& tags) const;
  Status CommitLayout(const std::vector<std::string>& tags);
  Status MergeIntoLayout(const std::vector<std::string>& tags);
  Status CommitArchive(
      const std::vector<std::pair<std::string, std::string>>& documents);

  LocalSinkKind kind_;
  std::string dest_;
  std::string tag_;
  std::string staging_;
  std::string temp_archive_;
  Descriptor manifest_;
  std::string manifest_bytes_;
  bool committed_ = false;
};

Status LocalSink::PutBlob(const Descriptor& blob, ByteReader& content) {
  CINCH_TRY(ValidateDigest(blob.digest));
  std::string final_path = staging_ + "/" + BlobPath(blob.digest);
  std::string temp_path = final_path + ".partial";
  std::error_code ec;
  fs::remove(temp_path, ec);
  CINCH_ASSIGN(auto file, FileWriter::Create(temp_path));
  HashingWriter hashing(file.get());
  std::string buffer(kChunk, '\0');
  while (true) {
    CINCH_ASSIGN(size_t n, content.Read(buffer));
    if (n == 0) break;
    if (hashing.size() + n > uint64_t(blob.size)) {
      return Fail("blob {} is longer than its descriptor's {} bytes",
                  blob.digest, blob.size);
    }
    CINCH_TRY(hashing.Write(std::span<const char>(buffer.data(), n)));
  }
  CINCH_TRY(hashing.Close());
  std::string digest = hashing.FinishDigest();
  if (hashing.size() != uint64_t(blob.size) || digest != blob.digest) {
    fs::remove(temp_path, ec);
    return Fail("blob {} ({} bytes) arrived as {} ({} bytes)", blob.digest,
                blob.size, digest, hashing.size());
  }
  fs::rename(temp_path, final_path, ec);
  if (ec) return Fail("cannot store blob {}: {}", blob.digest, ec.message());
  return {};
}

Status LocalSink::PutManifest(const Descriptor& manifest,
                              std::string_view bytes) {
  CINCH_TRY(ValidateDigest(manifest.digest));
  if (Sha256Digest(bytes) != manifest.digest ||
      int64_t(bytes.size()) != manifest.size) {
    return Fail("manifest bytes do not match descriptor {}", manifest.digest);
  }
  CINCH_TRY(ParseManifest(bytes));
  manifest_ = manifest;
  manifest_bytes_ = std::string(bytes);
  return WriteFileAtomically(staging_ + "/" + BlobPath(manifest.digest), bytes);
}

std::vector<std::string> LocalSink::Tags(
    const std::vector<std::string>& extra) const {
  std::vector<std::string> tags;
  if (!tag_.empty()) tags.push_back(tag_);
  for (const std::string& t : extra) {
    if (std::find(tags.begin(), tags.end(), t) == tags.end()) tags.push_back(t);
  }
  return tags;
}

Json ManifestEntry(const Descriptor& d, const std::string& tag) {
  Json entry = {
      {"mediaType", d.media_type.empty() ? std::string(media_type::kOciManifest)
                                         : d.media_type},
      {"digest", d.digest},
      {"size", d.size}};
  if (!tag.empty()) entry["annotations"] = {{std::string(kRefName), tag}};
  return entry;
}

std::string LocalSink::IndexJson(const std::vector<std::string>& tags) const {
  Json manifests = Json::array();
  if (tags.empty()) manifests.push_back(ManifestEntry(manifest_, ""));
  for (const std::string& t : tags) {
    manifests.push_back(ManifestEntry(manifest_, t));
  }
  Json index = {{"schemaVersion", 2},
                {"mediaType", std::string(media_type::kOciIndex)},
                {"manifests", manifests}};
  return index.dump();
}

Result<std::string> LocalSink::DockerManifestJson(
    const std::vector<std::string>& tags) const {
  CINCH_ASSIGN(Manifest m, ParseManifest(manifest_bytes_));
  Json layers = Json::array();
  for (const Descriptor& l : m.layers) layers.push_back(BlobPath(l.digest));
  Json repo_tags = Json::array();
  for (const std::string& t : tags) repo_tags.push_back(RepoTag(t));
  Json entry = {{"Config", BlobPath(m.config.digest)},
                {"RepoTags", repo_tags},
                {"Layers", layers}};
  return Json::array({entry}).dump();
}

Status LocalSink::Commit(const std::vector<std::string>& extra_tags) {
  if (committed_) return Fail("{}: image already committed", dest_);
  if (manifest_bytes_.empty()) return Fail("{}: no manifest to commit", dest_);
  std::vector<std::string> tags = Tags(extra_tags);
  switch (kind_) {
    case LocalSinkKind::kOciLayout:
      CINCH_TRY(CommitLayout(tags));
      break;
    case LocalSinkKind::kOciArchive:
      CINCH_TRY(CommitArchive(
          {{std::string(kLayoutFile), std::string(kLayoutVersion)},
           {"index.json", IndexJson(tags)}}));
      break;
    case LocalSinkKind::kDockerArchive: {
      CINCH_ASSIGN(std::string manifest_json, DockerManifestJson(tags));
      CINCH_TRY(CommitArchive({{"manifest.json", manifest_json}}));
      break;
    }
  }
  committed_ = true;
  return {};
}

Status LocalSink::CommitLayout(const std::vector<std::string>& tags) {
  std::error_code ec;
  if (fs::exists(dest_, ec)) return MergeIntoLayout(tags);
  CINCH_TRY(WriteFileAtomically(staging_ + "/" + std::string(kLayoutFile),
                                kLayoutVersion));
  CINCH_TRY(WriteFileAtomically(staging_ + "/index.json", IndexJson(tags)));
  fs::rename(staging_, dest_, ec);
  if (ec) return Fail("cannot create {}: {}", dest_, ec.message());
  staging_.clear();
  return {};
}

// Adds the staged blobs to an existing layout, then swaps in the new
// index.json: until that rename, readers see the old image set.
Status LocalSink::MergeIntoLayout(const std::vector<std::string>& tags) {
  std::error_code ec;
  bool is_layout = fs::exists(dest_ + "/" + std::string(kLayoutFile), ec);
  if (!is_layout && !fs::is_empty(dest_, ec)) {
    return Fail("{} exists and is not an OCI image layout", dest_);
  }
  Json index = {{"schemaVersion", 2},
                {"mediaType", std::string(media_type::kOciIndex)},
                {"manifests", Json::array()}};
  if (is_layout) {
    CINCH_ASSIGN(std::string text,
                 ReadFileLimited(dest_ + "/index.json", kMaxDocumentBytes));
    CINCH_ASSIGN(index, ParseJson(text, dest_ + "/index.json"));
    if (!index.is_object() || !index["manifests"].is_array()) {
      return Fail("{}/index.json has no manifests array", dest_);
    }
  }
  fs::create_directories(dest_ + "/blobs/sha256", ec);
  for (const auto& blob :
       fs::directory_iterator(staging_ + "/blobs/sha256", ec)) {
    std::string target =
        dest_ + "/blobs/sha256/" + blob.path().filename().string();
    if (fs::exists(target, ec)) continue;
    fs::rename(blob.path(), target, ec);
    if (ec) return Fail("cannot store {}: {}", target, ec.message());
  }
  Json kept = Json::array();
  std::set<std::string> replaced(tags.begin(), tags.end());
  for (const Json& m : index["manifests"]) {
    const Json* ann = m.contains("annotations") ? &m["annotations"] : nullptr;
    std::string key(kRefName);
    bool same_tag = ann != nullptr && ann->is_object() && ann->contains(key) &&
                    (*ann)[key].is_string() &&
                    replaced.contains((*ann)[key].get<std::string>());
    if (!same_tag) kept.push_back(m);
  }
  if (tags.empty()) kept.push_back(ManifestEntry(manifest_, ""));
  for (const std::string& t : tags) kept.push_back(ManifestEntry(manifest_, t));
  index["manifests"] = kept;
  if (!is_layout) {
    CINCH_TRY(WriteFileAtomically(dest_ + "/" + std::string(kLayoutFile),
                                  kLayoutVersion));
  }
  return WriteFileAtomically(dest_ + "/index.json", index.dump());
}

Status CopyFileInto(TarWriter& tar, const std::string& name,
                    const std::string& path) {
  CINCH_ASSIGN(File file, File::Open(path));
  TarMember m;
  m.path = name;
  m.size = file.size();
  CINCH_TRY(tar.WriteHeader(m));
  std::string buffer(kChunk, '\0');
  for (uint64_t at = 0; at < file.size();) {
    size_t n = size_t(std::min<uint64_t>(kChunk, file.size() - at));
    CINCH_TRY(file.ReadAt(at, std::span(buffer.data(), n)));
    CINCH_TRY(tar.WriteData(std::span<const char>(buffer.data(), n)));
    at += n;
  }
  return {};
}

// Writes the staged blobs and `documents` into a tar beside the
// destination, then renames it over the destination.
Status LocalSink::CommitArchive(
    const std::vector<std::pair<std::string, std::string>>& documents) {
  std::vector<std::string> blobs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(staging_ + "/blobs/sha256", ec)) {
    std::string name = e.path().filename().string();
    if (!name.ends_with(".partial")) blobs.push_back(name);
  }
  std::sort(blobs.begin(), blobs.end());

  temp_archive_ = dest_ + ".cinch-partial";
  fs::remove(temp_archive_, ec);
  CINCH_ASSIGN(auto file, FileWriter::Create(temp_archive_));
  TarWriter tar(file.get());
  TarMember dir;
  dir.type = TarMember::Type::kDirectory;
  dir.mode = 0755;
  for (const char* d : {"blobs", "blobs/sha256"}) {
    dir.path = d;
    CINCH_TRY(tar.WriteHeader(dir));
  }
  for (const std::string& b : blobs) {
    CINCH_TRY(CopyFileInto(tar, "blobs/sha256/" + b,
                           staging_ + "/blobs/sha256/" + b));
  }
  for (const auto& [name, text] : documents) {
    TarMember m;
    m.path = name;
    CINCH_TRY(tar.WriteFile(m, text));
  }
  CINCH_TRY(tar.Finish());
  CINCH_TRY(file->Close());
  fs::rename(temp_archive_, dest_, ec);
  if (ec) return Fail("cannot write {}: {}", dest_, ec.message());
  temp_archive_.clear();
  return {};
}

}  // namespace

Result<std::unique_ptr<ImageSink>> OpenLocalSink(LocalSinkKind kind,
                                                 std::string_view location) {
  std::string path(location), tag;
  if (size_t colon = location.find(':'); colon != std::string_view::npos) {
    path = std::string(location.substr(0, colon));
    tag = std::string(location.substr(colon + 1));
  }
  if (path.empty())
    return Fail("'{}': the destination names no path", location);
  while (path.size() > 1 && path.ends_with('/')) path.pop_back();

  // The staging directory is a sibling, so the final rename stays on one
  // file system.
  fs::path dest(path);
  fs::path parent =
      dest.parent_path().empty() ? fs::path(".") : dest.parent_path();
  std::error_code ec;
  if (!fs::is_directory(parent, ec)) {
    return Fail("{}: directory {} does not exist", path, parent.string());
  }
  if (kind != LocalSinkKind::kOciLayout && fs::is_directory(dest, ec)) {
    return Fail("{} is a directory; an archive destination names a file", path);
  }
  std::string pattern =
      (parent / ("." + dest.filename().string() + ".cinch-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Fail("cannot create a staging directory beside {}: {}", path,
                std::strerror(errno));
  }
  fs::permissions(pattern, fs::perms(0755), ec);
  fs::create_directories(pattern + "/blobs/sha256", ec);
  if (ec) return Fail("cannot create {}: {}", pattern, ec.message());
  return std::unique_ptr<ImageSink>(new LocalSink(kind, path, tag, pattern));
}

}  // namespace cinch
