#include "image/registry.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "base/io.h"
#include "base/json.h"
#include "base/sha256.h"
#include "image/registry_client.h"
#include "image/resolve.h"

namespace cinch {
namespace {

// Media types a pull accepts, most wanted first (distribution-spec
// "Pulling manifests"). Docker schema 1 is refused: it has no config.
constexpr std::string_view kManifestAccept =
    "application/vnd.oci.image.index.v1+json, "
    "application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.docker.distribution.manifest.v2+json";
constexpr std::string_view kDockerSchema1Prefix =
    "application/vnd.docker.distribution.manifest.v1";
constexpr std::string_view kDefaultTag = "latest";
// Docker Hub's key in auth files, kept from the v1 API.
constexpr std::string_view kDockerHubAuthKey = "https://index.docker.io/v1/";
// Bytes a blob stream holds ahead of its reader.
constexpr size_t kMaxBuffered = 4 << 20;

bool IsAlnumLower(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// A path component: alphanumerics separated by '.', '_', '__' or '-'s.
bool ValidPathComponent(std::string_view c) {
  if (c.empty() || !IsAlnumLower(c.front()) || !IsAlnumLower(c.back())) {
    return false;
  }
  for (size_t i = 0; i < c.size(); ++i) {
    if (IsAlnumLower(c[i])) continue;
    if (c[i] == '.' || c[i] == '_' || c[i] == '-') {
      if (c[i] == '.' && !IsAlnumLower(c[i + 1])) return false;
      continue;
    }
    return false;
  }
  return true;
}

bool ValidTag(std::string_view t) {
  if (t.empty() || t.size() > 128 || t.front() == '.' || t.front() == '-') {
    return false;
  }
  return std::all_of(t.begin(), t.end(), [](char c) {
    return IsAlnumLower(c) || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' ||
           c == '-';
  });
}

bool LooksLikeHost(std::string_view component) {
  return component.find_first_of(".:") != std::string_view::npos ||
         component == "localhost";
}

}  // namespace

std::string RegistryRef::ToString() const {
  std::string out = fmt::format("{}/{}", registry, repository);
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

Result<RegistryRef> ParseRegistryRef(std::string_view text) {
  RegistryRef ref;
  std::string_view rest = text;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    ref.digest = std::string(rest.substr(at + 1));
    rest = rest.substr(0, at);
    if (auto ok = ValidateDigest(ref.digest); !ok) {
      return Fail("'{}': bad digest: {}", text, ok.error().message);
    }
  }
  size_t slash = rest.find('/');
  if (slash != std::string_view::npos && LooksLikeHost(rest.substr(0, slash))) {
    ref.registry = std::string(rest.substr(0, slash));
    rest = rest.substr(slash + 1);
  } else {
    ref.registry = std::string(kDockerHubName);
  }
  // The tag follows the last ':' after the last '/'.
  size_t last_slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos &&
      (last_slash == std::string_view::npos || colon > last_slash)) {
    ref.tag = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
    if (!ValidTag(ref.tag)) return Fail("'{}': bad tag '{}'", text, ref.tag);
  }
  if (rest.empty()) return Fail("'{}' names no repository", text);
  for (size_t begin = 0; begin <= rest.size();) {
    size_t end = std::min(rest.find('/', begin), rest.size());
    std::string_view component = rest.substr(begin, end - begin);
    if (!ValidPathComponent(component)) {
      return Fail(
          "'{}': bad repository name '{}' (lowercase letters, digits and "
          "'.', '_', '-' between them)",
          text, rest);
    }
    begin = end + 1;
  }
  ref.repository = std::string(rest);
  if (ref.registry == kDockerHubName &&
      ref.repository.find('/') == std::string::npos) {
    ref.repository = "library/" + ref.repository;
  }
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = kDefaultTag;
  return ref;
}

bool IsLoopbackRegistry(std::string_view registry) {
  std::string_view host = registry;
  if (host.starts_with('[')) {
    host = host.substr(0, host.find(']') + 1);
    return host == "[::1]";
  }
  host = host.substr(0, host.find(':'));
  return host == "localhost" || host.starts_with("127.");
}

// --- WWW-Authenticate (RFC 7235 section 2.1) -----------------------------

namespace {

bool IsTokenChar(char c) {
  return IsAlnumLower(c) || (c >= 'A' && c <= 'Z') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

struct ChallengeLexer {
  std::string_view s;
  size_t pos = 0;

  void SkipSpace() {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t')) ++pos;
  }
  std::string_view Token() {
    size_t begin = pos;
    while (pos < s.size() && IsTokenChar(s[pos])) ++pos;
    return s.substr(begin, pos - begin);
  }
  // A quoted-string with backslash escapes, or nullopt if unterminated.
  std::optional<std::string> Quoted() {
    std::string out;
    for (++pos; pos < s.size(); ++pos) {
      if (s[pos] == '"') {
        ++pos;
        return out;
      }
      if (s[pos] == '\\' && pos + 1 < s.size()) ++pos;
      out += s[pos];
    }
    return std::nullopt;
  }
};

}  // namespace

Result<std::vector<AuthChallenge>> ParseWwwAuthenticate(std::string_view text) {
  std::vector<AuthChallenge> out;
  ChallengeLexer lx{text};
  while (true) {
    lx.SkipSpace();
    while (lx.pos < text.size() && text[lx.pos] == ',') {
      ++lx.pos;
      lx.SkipSpace();
    }
    if (lx.pos >= text.size()) break;
    size_t start = lx.pos;
    std::string_view word = lx.Token();
    if (word.empty()) {
      return Fail("WWW-Authenticate: unexpected '{}' at byte {}", text[lx.pos],
                  lx.pos);
    }
    lx.SkipSpace();
    bool is_param = lx.pos < text.size() && text[lx.pos] == '=';
    if (!is_param || out.empty()) {
      if (is_param) {
        return Fail("WWW-Authenticate: parameter before any scheme");
      }
      out.push_back(AuthChallenge{Lower(word), {}});
      continue;
    }
    // name=value of the current challenge.
    ++lx.pos;
    lx.SkipSpace();
    std::string value;
    if (lx.pos < text.size() && text[lx.pos] == '"') {
      auto quoted = lx.Quoted();
      if (!quoted) {
        return Fail("WWW-Authenticate: unterminated quoted value at byte {}",
                    start);
      }
      value = std::move(*quoted);
    } else {
      // RFC 7235 wants a token here; servers also send bare URLs.
      size_t begin = lx.pos;
      while (lx.pos < text.size() && text[lx.pos] != ',' &&
             text[lx.pos] != ' ' && text[lx.pos] != '\t') {
        ++lx.pos;
      }
      value = std::string(text.substr(begin, lx.pos - begin));
    }
    out.back().params[Lower(word)] = std::move(value);
    lx.SkipSpace();
    if (lx.pos < text.size() && text[lx.pos] != ',') {
      return Fail("WWW-Authenticate: expected ',' at byte {}", lx.pos);
    }
  }
  if (out.empty()) return Fail("WWW-Authenticate: no challenge");
  return out;
}

// --- Base64 and auth files ----------------------------------------------

namespace {
constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t n = uint32_t(uint8_t(bytes[i])) << 16;
    if (i + 1 < bytes.size()) n |= uint32_t(uint8_t(bytes[i + 1])) << 8;
    if (i + 2 < bytes.size()) n |= uint32_t(uint8_t(bytes[i + 2]));
    out += kBase64Alphabet[(n >> 18) & 63];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kBase64Alphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kBase64Alphabet[n & 63] : '=';
  }
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    size_t v = kBase64Alphabet.find(c);
    if (v == std::string_view::npos) {
      return Fail("not base64: unexpected character '{}'", c);
    }
    bits = (bits << 6) | uint32_t(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += char((bits >> count) & 0xff);
    }
  }
  if (count >= 6) return Fail("not base64: truncated");
  return out;
}

namespace {

// "https://index.docker.io/v1/" and "host:5000" both name a host.
std::string AuthKeyHost(std::string_view key) {
  if (size_t scheme = key.find("://"); scheme != std::string_view::npos) {
    key = key.substr(scheme + 3);
  }
  return std::string(key.substr(0, key.find('/')));
}

bool AuthKeyMatches(std::string_view key, std::string_view registry) {
  std::string host = AuthKeyHost(key);
  if (host == registry) return true;
  if (registry == kDockerHubName) {
    return key == kDockerHubAuthKey || host == "index.docker.io" ||
           host == kDockerHubApiHost;
  }
  return false;
}

}  // namespace

Result<std::optional<Credentials>> FindCredentialsInAuthFile(
    std::string_view json, std::string_view registry, std::string_view what) {
  CINCH_ASSIGN(Json doc, ParseJson(json, what));
  if (!doc.is_object()) return Fail("{}: not a JSON object", what);
  auto auths = GetObject(doc, "auths");
  if (!auths) return Fail(auths.error().In(what));
  if (*auths == nullptr) return std::nullopt;
  for (const auto& [key, entry] : (*auths)->items()) {
    if (!AuthKeyMatches(key, registry) || !entry.is_object()) continue;
    std::string where = fmt::format("{}: auths[\"{}\"]", what, key);
    auto auth = GetString(entry, "auth");
    if (!auth) return Fail(auth.error().In(where));
    if (!auth->empty()) {
      auto decoded = Base64Decode(*auth);
      if (!decoded) return Fail(decoded.error().In(where + ".auth"));
      size_t colon = decoded->find(':');
      if (colon == std::string::npos) {
        return Fail("{}.auth: not base64 of USER:PASSWORD", where);
      }
      return Credentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
    }
    auto user = GetString(entry, "username");
    auto pass = GetString(entry, "password");
    if (!user) return Fail(user.error().In(where));
    if (!pass) return Fail(pass.error().In(where));
    if (!user->empty()) return Credentials{*user, *pass};
  }
  return std::nullopt;
}

Result<CredentialHelpers> FindCredentialHelpers(std::string_view json,
                                                std::string_view registry,
                                                std::string_view what) {
  CINCH_ASSIGN(Json doc, ParseJson(json, what));
  if (!doc.is_object()) return Fail("{}: not a JSON object", what);
  CredentialHelpers found;
  auto store = GetString(doc, "credsStore");
  if (!store) return Fail(store.error().In(what));
  found.store = *store;
  auto helpers = GetObject(doc, "credHelpers");
  if (!helpers) return Fail(helpers.error().In(what));
  if (*helpers == nullptr) return found;
  for (const auto& [key, entry] : (*helpers)->items()) {
    if (!AuthKeyMatches(key, registry)) continue;
    if (!entry.is_string()) {
      return Fail("{}: credHelpers[\"{}\"] is not a string", what, key);
    }
    found.registry_helper = entry.get<std::string>();
    break;
  }
  return found;
}

namespace {

// --- Streaming blobs -------------------------------------------------------

// Streams one blob from a thread that fills a bounded buffer; Read drains
// it. A broken transfer is resumed with a Range request from the offset
// reached. Destroying the reader stops the transfer.
class BlobReader : public ByteReader {
 public:
  BlobReader(std::shared_ptr<RegistryClient> client, Descriptor blob,
             std::string name)
      : client_(std::move(client)),
        blob_(std::move(blob)),
        name_(std::move(name)) {
    thread_ = std::thread([this] { Run(); });
  }

  ~BlobReader() override {
    {
      std::lock_guard lock(mu_);
      cancelled_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  Result<size_t> Read(std::span<char> out) override {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !chunks_.empty() || finished_; });
    if (chunks_.empty()) {
      if (!status_) return Fail(status_.error());
      return 0;
    }
    std::string& front = chunks_.front();
    size_t n = std::min(out.size(), front.size() - front_offset_);
    std::copy_n(front.data() + front_offset_, n, out.data());
    front_offset_ += n;
    buffered_ -= n;
    if (front_offset_ == front.size()) {
      chunks_.pop_front();
      front_offset_ = 0;
    }
    lock.unlock();
    cv_.notify_all();
    return n;
  }

 private:
  // Waits for room, then queues `chunk`. False when the reader is gone.
  bool Push(std::string_view chunk) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] {
      return cancelled_ || buffered_ + chunk.size() <= kMaxBuffered;
    });
    if (cancelled_) return false;
    chunks_.emplace_back(chunk);
    buffered_ += chunk.size();
    lock.unlock();
    cv_.notify_all();
    return true;
  }

  void Run() {
    uint64_t offset = 0;  // bytes queued so far
    Status result;
    for (int attempt = 0; attempt < kBlobAttempts; ++attempt) {
      uint64_t skip = 0;  // bytes to drop when a server ignores Range
      uint64_t start = offset;
      BodySink sink = [&](std::string_view chunk, long status) {
        if (status == 200 && start > 0) {
          // The whole blob again: drop what was already queued.
          if (skip < start) {
            size_t drop =
                size_t(std::min<uint64_t>(start - skip, chunk.size()));
            skip += drop;
            chunk.remove_prefix(drop);
          }
        }
        if (chunk.empty()) return true;
        if (!Push(chunk)) return false;
        offset += chunk.size();
        return true;
      };
      HttpResponse r =
          client_->Get(fmt::format("blobs/{}", blob_.digest), "", offset, sink);
      if (r.Ok()) {
        result = {};
        break;
      }
      if (Cancelled()) return;
      result = Fail(client_->Explain(r, name_));
      if (!IsTransient(r)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500 << attempt));
    }
    std::lock_guard lock(mu_);
    status_ = std::move(result);
    finished_ = true;
    cv_.notify_all();
  }

  bool Cancelled() {
    std::lock_guard lock(mu_);
    return cancelled_;
  }

  std::shared_ptr<RegistryClient> client_;
  Descriptor blob_;
  std::string name_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> chunks_;
  size_t front_offset_ = 0;
  size_t buffered_ = 0;
  bool cancelled_ = false;
  bool finished_ = false;
  Status status_;
  std::thread thread_;  // last: started once the rest is built
};

class RegistrySource : public ImageSource {
 public:
  RegistrySource(std::shared_ptr<RegistryClient> client, Image image)
      : client_(std::move(client)) {
    image_ = std::move(image);
  }

  Result<std::unique_ptr<ByteReader>> OpenBlob(
      const Layer& layer) const override {
    return std::make_unique<BlobReader>(
        client_, layer.descriptor,
        fmt::format("layer {} blob {}", layer.index + 1,
                    layer.descriptor.digest));
  }

 private:
  std::shared_ptr<RegistryClient> client_;
};

// --- Resolving the image ---------------------------------------------------

std::string MediaTypeOf(const HttpResponse& r, std::string_view body) {
  std::string type = r.Header("content-type");
  type = std::string(Trim(type.substr(0, type.find(';'))));
  if (type == media_type::kOciIndex || type == media_type::kOciManifest ||
      type == media_type::kDockerManifestList ||
      type == media_type::kDockerManifest ||
      type.starts_with(kDockerSchema1Prefix)) {
    return type;
  }
  // Some registries answer application/json: judge by the document.
  switch (SniffDocument(body)) {
    case DocumentKind::kIndex:
      return std::string(media_type::kOciIndex);
    case DocumentKind::kManifest:
      return std::string(media_type::kOciManifest);
    case DocumentKind::kUnknown:
      break;
  }
  return type;
}

}  // namespace

Result<std::unique_ptr<ImageSource>> OpenRegistryImage(
    const ImageRef& ref, const OpenOptions& options,
    std::string_view reference) {
  CINCH_ASSIGN(RegistryRef rr, ParseRegistryRef(ref.path));
  CINCH_ASSIGN(auto creds, LookupCredentials(rr, options.registry_creds,
                                             options.registry_auth_file));
  TlsOptions tls{options.registry_tls_verify, options.registry_ca_file};
  auto client = std::make_shared<RegistryClient>(rr, tls, std::move(creds));
  std::string where = rr.ToString();
  CINCH_TRY(client->ChooseScheme());

  // The manifest the reference names; verified when pinned by digest.
  CINCH_ASSIGN(auto top,
               FetchSmall(*client, "manifests/" + rr.Reference(),
                          kManifestAccept, kMaxDocumentBytes, "manifest"));
  std::string body = std::move(top.first);
  std::string digest = Sha256Digest(body);
  if (!rr.digest.empty() && digest != rr.digest) {
    return Fail(
        "{}: the manifest does not match the digest asked for "
        "(content hashes to {})",
        where, digest);
  }
  std::string type = MediaTypeOf(top.second, body);

  Image image;
  image.reference = std::string(reference);
  image.transport = Transport::kRegistry;
  if (!rr.tag.empty()) {
    image.repo_tags.push_back(
        fmt::format("{}/{}:{}", rr.registry, rr.repository, rr.tag));
  }
  for (int depth = 0; IsIndexMediaType(type); ++depth) {
    if (depth == kMaxIndexDepth) {
      return Fail("{}: indexes nested more than {} deep", where,
                  kMaxIndexDepth);
    }
    auto index = ParseIndex(body);
    if (!index) return Fail(index.error().In(where + ": " + digest));
    CINCH_ASSIGN(
        Descriptor chosen,
        SelectPlatform(*index, options.platform.value_or(HostPlatform()),
                       where + ": " + digest));
    CINCH_ASSIGN(auto child, FetchSmall(*client, "manifests/" + chosen.digest,
                                        kManifestAccept, kMaxDocumentBytes,
                                        "manifest " + chosen.digest));
    body = std::move(child.first);
    if (auto ok = VerifyDocument(body, chosen, "manifest"); !ok) {
      return Fail(ok.error().In(where));
    }
    digest = chosen.digest;
    type = chosen.media_type.empty() ? MediaTypeOf(child.second, body)
                                     : chosen.media_type;
  }
  if (type.starts_with(kDockerSchema1Prefix)) {
    return Fail(
        "{}: Docker schema 1 manifests are not supported (the image "
        "is older than 2017; rebuild or copy it with skopeo)",
        where);
  }

  auto manifest = ParseManifest(body);
  if (!manifest) return Fail(manifest.error().In(where + ": " + digest));
  image.manifest_digest = digest;
  image.manifest_media_type =
      manifest->media_type.empty() ? type : manifest->media_type;
  const Descriptor& cd = manifest->config;
  if (cd.size > int64_t(kMaxDocumentBytes)) {
    return Fail("{}: config {} is {} bytes, more than the {} byte limit", where,
                cd.digest, cd.size, kMaxDocumentBytes);
  }
  CINCH_ASSIGN(auto config_blob,
               FetchSmall(*client, "blobs/" + cd.digest, "", kMaxDocumentBytes,
                          "config " + cd.digest));
  if (auto ok = VerifyDocument(config_blob.first, cd, "config"); !ok) {
    return Fail(ok.error().In(where));
  }
  auto config = ParseImageConfig(config_blob.first);
  if (!config) return Fail(config.error().In(where + ": config " + cd.digest));
  image.config_digest = cd.digest;
  image.config = std::move(*config);
  image.manifest_bytes = std::move(body);
  image.config_bytes = std::move(config_blob.first);

  std::vector<Layer> layers;
  for (const Descriptor& d : manifest->layers) {
    if (auto ok = ValidateDigest(d.digest); !ok) {
      return Fail("{}: layer digest: {}", where, ok.error().message);
    }
    Layer layer;
    layer.descriptor = d;
    layer.blob_path = "blobs/" + d.digest;
    layers.push_back(std::move(layer));
  }
  if (auto ok = AttachLayers(image, std::move(layers)); !ok) {
    return Fail(ok.error().In(where));
  }
  return std::make_unique<RegistrySource>(std::move(client), std::move(image));
}

}  // namespace cinch
