// Pushing an image to a registry (distribution-spec v1.1, "Push"): blobs
// first (checked with HEAD, mounted from another repository of the same
// registry, or uploaded in one PUT or in PATCH chunks), then the manifest
// by digest, then the tags. A push that fails part way leaves blobs and
// perhaps an untagged manifest, which registries garbage-collect; the tag
// never points at an incomplete image.
#include <algorithm>
#include <chrono>
#include <thread>

#include "base/sha256.h"
#include "image/registry.h"
#include "image/registry_client.h"

namespace cinch {
namespace {

constexpr std::string_view kOctetStream = "application/octet-stream";

// Reads a blob's bytes from its source, hashing and counting them, so that
// what is sent can be refused before its last byte leaves when it is not
// the blob the descriptor names.
class VerifyingReader {
 public:
  VerifyingReader(const Descriptor& blob, ByteReader& content)
      : blob_(blob), content_(content) {}

  int64_t sent() const { return sent_; }
  bool failed() const { return !status_; }
  const Status& status() const { return status_; }

  // Fills `out` with the next bytes, at most up to `limit` (the end of
  // the current chunk). Returns nullopt, with status() saying why, when
  // the source fails or the bytes are not the blob's.
  std::optional<size_t> Fill(std::span<char> out, int64_t limit) {
    if (!status_) return std::nullopt;
    int64_t room = std::min<int64_t>(int64_t(out.size()), limit - sent_);
    room = std::min(room, blob_.size - sent_);
    if (room <= 0) {
      // An empty blob has no last byte to check at: check here.
      if (sent_ == blob_.size && !checked_) {
        if (auto ok = CheckEnd(); !ok) return Stop(ok.error());
      }
      return 0;
    }
    size_t n = 0;
    // Fill what was asked, so that the last byte is known to be the last.
    while (int64_t(n) < room) {
      auto got = content_.Read(out.subspan(n, size_t(room) - n));
      if (!got) return Stop(got.error());
      if (*got == 0) break;
      n += *got;
    }
    hasher_.Update(out.data(), n);
    sent_ += int64_t(n);
    if (int64_t(n) < room) {
      return Stop(Error{
          fmt::format("blob {} ended after {} bytes; its descriptor says {}",
                      blob_.digest, sent_, blob_.size)});
    }
    if (sent_ == blob_.size) {
      if (auto ok = CheckEnd(); !ok) return Stop(ok.error());
    }
    return n;
  }

 private:
  // At the declared size: the source must end here and the bytes must
  // hash to the digest.
  Status CheckEnd() {
    checked_ = true;
    char extra = 0;
    auto more = content_.Read(std::span<char>(&extra, 1));
    if (!more) return Fail(more.error());
    if (*more != 0) {
      return Fail("blob {} is longer than the {} bytes its descriptor says",
                  blob_.digest, blob_.size);
    }
    std::string actual = hasher_.FinishDigest();
    if (actual != blob_.digest) {
      return Fail("blob {} does not match its digest (content hashes to {})",
                  blob_.digest, actual);
    }
    return {};
  }

  std::nullopt_t Stop(Error e) {
    status_ = std::unexpected(std::move(e));
    return std::nullopt;
  }

  const Descriptor& blob_;
  ByteReader& content_;
  Sha256 hasher_;
  int64_t sent_ = 0;
  bool checked_ = false;
  Status status_;
};

BodySink IgnoreBody() {
  return [](std::string_view, long) { return true; };
}

// An upload body held in memory: sent again as is after a challenge or a
// network failure.
UploadBody BodyOf(std::string_view bytes) {
  auto offset = std::make_shared<size_t>(0);
  UploadBody body;
  body.size = int64_t(bytes.size());
  body.read = [bytes, offset](std::span<char> out) {
    size_t n = std::min(out.size(), bytes.size() - *offset);
    std::copy_n(bytes.data() + *offset, n, out.data());
    *offset += n;
    return std::optional<size_t>(n);
  };
  body.rewind = [offset] { *offset = 0; };
  return body;
}

class RegistrySink : public ImageSink {
 public:
  RegistrySink(std::shared_ptr<RegistryClient> client, PushOptions push,
               std::string mount_repository)
      : client_(std::move(client)),
        push_(std::move(push)),
        mount_repository_(std::move(mount_repository)) {}

  Result<bool> HasBlob(const Descriptor& blob) override {
    CINCH_TRY(ValidateDigest(blob.digest));
    HttpRequest request;
    request.method = "HEAD";
    request.url = client_->Url("blobs/" + blob.digest);
    HttpResponse r = SendRetrying(request);
    if (r.code == 0 && r.status == 404) return false;
    if (!r.Ok()) return Fail(client_->Explain(r, "blob " + blob.digest));
    return true;
  }

  Status PutBlob(const Descriptor& blob, ByteReader& content) override {
    CINCH_TRY(ValidateDigest(blob.digest));
    if (blob.size < 0) {
      return Fail("blob {}: negative size {}", blob.digest, blob.size);
    }
    CINCH_ASSIGN(auto location, StartUpload(blob));
    if (!location) return {};  // mounted

    VerifyingReader reader(blob, content);
    Status sent = blob.size <= push_.monolithic_max_bytes
                      ? UploadMonolithic(*location, blob, reader)
                      : UploadChunked(*location, blob, reader);
    if (!sent) {
      CancelUpload(*location);
      // The source's own complaint says more than the aborted transfer.
      if (reader.failed()) return Fail(reader.status().error());
      return sent;
    }
    return {};
  }

  Status PutManifest(const Descriptor& manifest,
                     std::string_view bytes) override {
    std::string actual = Sha256Digest(bytes);
    if (actual != manifest.digest) {
      return Fail(
          "manifest {} does not match its digest (content hashes to {})",
          manifest.digest, actual);
    }
    if (manifest.size != int64_t(bytes.size())) {
      return Fail("manifest {} is {} bytes but its descriptor says {}",
                  manifest.digest, bytes.size(), manifest.size);
    }
    const RegistryRef& ref = client_->ref();
    if (!ref.digest.empty() && ref.digest != manifest.digest) {
      return Fail("{}: the manifest to push is {}, not the digest asked for",
                  ref.ToString(), manifest.digest);
    }
    if (manifest.media_type.empty()) {
      return Fail("manifest {} has no media type", manifest.digest);
    }
    manifest_ = manifest;
    manifest_bytes_ = std::string(bytes);
    // By digest: stored, reachable by no tag until Commit.
    return PutManifestAs(manifest.digest);
  }

  Status Commit(const std::vector<std::string>& tags) override {
    if (manifest_.digest.empty()) {
      return Fail("{}: commit before the manifest was stored",
                  client_->ref().ToString());
    }
    CINCH_ASSIGN(std::vector<std::string> wanted, TagsToApply(tags));
    for (const std::string& tag : wanted) CINCH_TRY(PutManifestAs(tag));
    return {};
  }

 private:
  // Sends a request whose body (if any) can be sent again, retrying
  // failures of the moment.
  HttpResponse SendRetrying(const HttpRequest& request) {
    HttpResponse r;
    for (int attempt = 0; attempt < kBlobAttempts; ++attempt) {
      if (request.body != nullptr && request.body->rewind) {
        request.body->rewind();
      }
      r = client_->Send(request, IgnoreBody());
      if (!IsTransient(r)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500 << attempt));
    }
    return r;
  }

  // Opens an upload session; nullopt when the registry mounted the blob
  // from the source repository instead (201), so nothing is to be sent.
  Result<std::optional<std::string>> StartUpload(const Descriptor& blob) {
    HttpRequest request;
    request.method = "POST";
    request.url = client_->Url("blobs/uploads/");
    if (!mount_repository_.empty()) {
      request.url +=
          fmt::format("?mount={}&from={}", blob.digest, mount_repository_);
    }
    HttpResponse r = SendRetrying(request);
    std::string what = "upload of blob " + blob.digest;
    if (r.code == 0 && r.status == 201 && !mount_repository_.empty()) {
      return std::nullopt;
    }
    if (!r.Ok() || r.status != 202) {
      if (r.Ok()) {
        return Fail("{}: {}: HTTP {} where 202 was expected",
                    client_->ref().ToString(), what, r.status);
      }
      return Fail(client_->Explain(r, what));
    }
    std::string location = r.Header("location");
    if (location.empty()) {
      return Fail("{}: {}: the registry named no upload location",
                  client_->ref().ToString(), what);
    }
    return client_->LocationUrl(location);
  }

  static std::string WithDigest(const std::string& url,
                                std::string_view digest) {
    char separator = url.find('?') == std::string::npos ? '?' : '&';
    return fmt::format("{}{}digest={}", url, separator, digest);
  }

  // One PUT carrying the whole blob, streamed from the source. It cannot
  // be sent twice (the source is read once), so it is not retried.
  Status UploadMonolithic(const std::string& location, const Descriptor& blob,
                          VerifyingReader& reader) {
    UploadBody body;
    body.size = blob.size;
    body.read = [&](std::span<char> out) {
      return reader.Fill(out, blob.size);
    };
    HttpRequest request;
    request.method = "PUT";
    request.url = WithDigest(location, blob.digest);
    request.headers.push_back(fmt::format("Content-Type: {}", kOctetStream));
    request.body = &body;
    HttpResponse r = client_->Send(request, IgnoreBody());
    return CheckCreated(r, blob);
  }

  // PATCH requests of push_.chunk_bytes each (Content-Range from-to), then
  // a PUT with the digest. A chunk is held in memory so that it can be
  // sent again when the network fails.
  Status UploadChunked(std::string location, const Descriptor& blob,
                       VerifyingReader& reader) {
    std::string chunk;
    while (reader.sent() < blob.size) {
      int64_t start = reader.sent();
      int64_t end = std::min(blob.size, start + push_.chunk_bytes);
      chunk.resize(size_t(end - start));
      size_t filled = 0;
      while (filled < chunk.size()) {
        auto n = reader.Fill(std::span<char>(chunk).subspan(filled), end);
        if (!n) return Fail(reader.status().error());
        filled += *n;
      }
      UploadBody body = BodyOf(chunk);
      HttpRequest request;
      request.method = "PATCH";
      request.url = location;
      request.headers.push_back(fmt::format("Content-Type: {}", kOctetStream));
      request.headers.push_back(
          fmt::format("Content-Range: {}-{}", start, end - 1));
      request.body = &body;
      HttpResponse r = SendRetrying(request);
      if (!r.Ok() || r.status != 202) {
        return Fail(
            client_->Explain(r, fmt::format("upload of blob {} (bytes {}-{})",
                                            blob.digest, start, end - 1)));
      }
      if (std::string next = r.Header("location"); !next.empty()) {
        location = client_->LocationUrl(next);
      }
    }
    // The source ended where and as it should (checked as the last chunk
    // was read, or here for an empty blob): close the upload.
    if (!reader.Fill({}, blob.size)) return Fail(reader.status().error());
    HttpRequest close;
    close.method = "PUT";
    close.url = WithDigest(location, blob.digest);
    HttpResponse r = SendRetrying(close);
    return CheckCreated(r, blob);
  }

  Status CheckCreated(const HttpResponse& r, const Descriptor& blob) {
    if (!r.Ok())
      return Fail(client_->Explain(r, "upload of blob " + blob.digest));
    std::string stored = r.Header("docker-content-digest");
    if (!stored.empty() && stored != blob.digest) {
      return Fail("{}: the registry stored blob {} as {}",
                  client_->ref().ToString(), blob.digest, stored);
    }
    return {};
  }

  // Abandons an upload session; best effort, as the registry expires
  // sessions anyway.
  void CancelUpload(const std::string& location) {
    HttpRequest request;
    request.method = "DELETE";
    request.url = location;
    client_->Send(request, IgnoreBody());
  }

  Status PutManifestAs(const std::string& reference) {
    UploadBody body = BodyOf(manifest_bytes_);
    HttpRequest request;
    request.method = "PUT";
    request.url = client_->Url("manifests/" + reference);
    request.headers.push_back(
        fmt::format("Content-Type: {}", manifest_.media_type));
    request.body = &body;
    HttpResponse r = SendRetrying(request);
    if (!r.Ok()) {
      return Fail(client_->Explain(
          r, fmt::format("manifest {} as {}", manifest_.digest, reference)));
    }
    return {};
  }

  // The reference's tag, then each of `tags`: a tag, or a reference to
  // this repository.
  Result<std::vector<std::string>> TagsToApply(
      const std::vector<std::string>& tags) {
    const RegistryRef& ref = client_->ref();
    std::vector<std::string> out;
    if (!ref.tag.empty()) out.push_back(ref.tag);
    for (const std::string& t : tags) {
      bool bare = t.find_first_of("/:@") == std::string::npos;
      std::string full =
          bare ? fmt::format("{}/{}:{}", ref.registry, ref.repository, t) : t;
      CINCH_ASSIGN(RegistryRef parsed, ParseRegistryRef(full));
      if (parsed.registry != ref.registry ||
          parsed.repository != ref.repository || parsed.tag.empty()) {
        return Fail("{}: cannot tag '{}': not a tag of this repository",
                    ref.ToString(), t);
      }
      if (std::find(out.begin(), out.end(), parsed.tag) == out.end()) {
        out.push_back(parsed.tag);
      }
    }
    return out;
  }

  std::shared_ptr<RegistryClient> client_;
  PushOptions push_;
  std::string mount_repository_;  // empty: no cross-repository mounts
  Descriptor manifest_;
  std::string manifest_bytes_;
};

}  // namespace

Result<std::unique_ptr<ImageSink>> OpenRegistrySink(std::string_view reference,
                                                    const SinkOptions& options,
                                                    const PushOptions& push) {
  if (push.monolithic_max_bytes < 0 || push.chunk_bytes <= 0) {
    return Fail("push chunk sizes must be positive");
  }
  CINCH_ASSIGN(RegistryRef ref, ParseRegistryRef(reference));
  CINCH_ASSIGN(auto creds, LookupCredentials(ref, options.registry_creds,
                                             options.registry_auth_file));
  TlsOptions tls{options.registry_tls_verify, options.registry_ca_file};

  // Mount only within one registry, and not from the repository itself.
  std::string mount_repository;
  if (!push.mount_from.empty()) {
    CINCH_ASSIGN(RegistryRef from, ParseRegistryRef(push.mount_from));
    if (from.registry == ref.registry && from.repository != ref.repository) {
      mount_repository = from.repository;
    }
  }
  auto client =
      std::make_shared<RegistryClient>(ref, tls, std::move(creds), "pull,push");
  if (!mount_repository.empty()) {
    client->AddScope(fmt::format("repository:{}:pull", mount_repository));
  }
  CINCH_TRY(client->ChooseScheme());
  return std::make_unique<RegistrySink>(std::move(client), push,
                                        std::move(mount_repository));
}

}  // namespace cinch
