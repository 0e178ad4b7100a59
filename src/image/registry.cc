#include "image/registry.h"

#include <curl/curl.h>

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
// Error bodies and token responses are small; anything bigger is refused.
constexpr size_t kMaxSmallBody = 1 << 20;
// Bytes a blob stream holds ahead of its reader.
constexpr size_t kMaxBuffered = 4 << 20;
// Attempts per blob, counting the first; each retry resumes by Range.
constexpr int kBlobAttempts = 4;
constexpr long kMaxRedirects = 10;
constexpr long kConnectTimeoutSeconds = 30;
constexpr long kStallSeconds = 60;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' ||
                        s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// --- Reference grammar (distribution/reference, "grammar") -----------------

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

namespace {

// --- HTTP ------------------------------------------------------------------

void InitCurlOnce() {
  static const CURLcode init = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)init;
}

struct TlsOptions {
  bool verify = true;
  std::string ca_file;
};

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::optional<Credentials> basic;  // for token endpoints
  bool head = false;
};

struct HttpResponse {
  CURLcode code = CURLE_OK;
  std::string curl_error;
  long status = 0;
  // Lowercased names; repeated headers joined with ", ".
  std::map<std::string, std::string> headers;
  std::string error_body;  // the body of a non-2xx answer, truncated

  bool Ok() const { return code == CURLE_OK && status / 100 == 2; }
  std::string Header(std::string_view name) const {
    auto it = headers.find(std::string(name));
    return it == headers.end() ? "" : it->second;
  }
};

// Receives the body of a 2xx answer; returns false to abort the transfer.
using BodySink = std::function<bool(std::string_view chunk, long status)>;

struct Transfer {
  CURL* curl = nullptr;
  HttpResponse* response = nullptr;
  const BodySink* sink = nullptr;
};

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  // A redirect starts a new header block; keep only the last answer's.
  if (line.starts_with("HTTP/")) t->response->headers.clear();
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name = Lower(Trim(line.substr(0, colon)));
    std::string value(Trim(line.substr(colon + 1)));
    std::string& slot = t->response->headers[name];
    slot = slot.empty() ? value : slot + ", " + value;
  }
  return size * n;
}

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  long status = 0;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  std::string_view chunk(data, size * n);
  if (status / 100 != 2) {
    std::string& body = t->response->error_body;
    body.append(
        chunk.substr(0, kMaxSmallBody - std::min(kMaxSmallBody, body.size())));
    return size * n;
  }
  return (*t->sink)(chunk, status) ? size * n : 0;
}

// Performs one request. Transport failures are reported in the response
// (code, curl_error), not as errors, so callers can decide to retry.
HttpResponse Perform(const HttpRequest& request, const TlsOptions& tls,
                     const BodySink& sink) {
  InitCurlOnce();
  HttpResponse response;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    response.code = CURLE_FAILED_INIT;
    response.curl_error = "cannot start a transfer";
    return response;
  }
  Transfer transfer{curl, &response, &sink};
  char error[CURL_ERROR_SIZE] = {};
  curl_slist* headers = nullptr;
  for (const std::string& h : request.headers) {
    headers = curl_slist_append(headers, h.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  // Registries redirect blob reads to storage; curl drops our
  // Authorization header when the host changes.
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, kMaxRedirects);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, kConnectTimeoutSeconds);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, kStallSeconds);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "cinch");
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  if (request.head) curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (request.basic) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERNAME, request.basic->username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, request.basic->password.c_str());
  }
  if (!tls.verify) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  } else if (!tls.ca_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_CAINFO, tls.ca_file.c_str());
  }
  response.code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  if (response.code != CURLE_OK) {
    response.curl_error = error[0] ? error : curl_easy_strerror(response.code);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return response;
}

// Failures worth another attempt: the network, or the server for a moment.
bool IsTransient(const HttpResponse& r) {
  switch (r.code) {
    case CURLE_OK:
      return r.status >= 500 || r.status == 408;
    case CURLE_COULDNT_CONNECT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

// " (CODE: message)" from a distribution-spec error body, if it has one.
std::string RegistryErrorDetail(const std::string& body) {
  auto doc = ParseJson(body, "error");
  if (!doc || !doc->is_object()) return "";
  auto errors = GetArray(*doc, "errors");
  if (!errors || *errors == nullptr || (*errors)->empty()) return "";
  const Json& first = (**errors)[0];
  if (!first.is_object()) return "";
  auto code = GetString(first, "code");
  auto message = GetString(first, "message");
  if (!code || !message) return "";
  return fmt::format(" ({}: {})", *code, *message);
}

// --- The registry client ---------------------------------------------------

class RegistryClient {
 public:
  RegistryClient(RegistryRef ref, TlsOptions tls,
                 std::optional<Credentials> creds)
      : ref_(std::move(ref)), tls_(std::move(tls)), creds_(std::move(creds)) {
    host_ = ref_.registry == kDockerHubName ? std::string(kDockerHubApiHost)
                                            : ref_.registry;
    SetScheme("https");
  }

  const RegistryRef& ref() const { return ref_; }

  // HTTPS unless the registry is on this machine (as Docker treats
  // localhost) or TLS verification is off, where a registry that does not
  // speak TLS is reached over plain HTTP. A certificate that fails
  // verification never falls back.
  Status ChooseScheme() {
    if (tls_.verify && !IsLoopbackRegistry(host_)) return {};
    HttpRequest probe;
    probe.url = fmt::format("https://{}/v2/", host_);
    BodySink ignore = [](std::string_view, long) { return true; };
    HttpResponse r = Perform(probe, tls_, ignore);
    switch (r.code) {
      case CURLE_OK:
        return {};
      case CURLE_PEER_FAILED_VERIFICATION:
        return Fail("{}: {}", ref_.ToString(), r.curl_error);
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_CONNECT:
        return Fail("{}: cannot reach the registry: {}", ref_.ToString(),
                    r.curl_error);
      default:
        SetScheme("http");
        return {};
    }
  }

  // GETs `path` under the repository ("manifests/latest"), authenticating
  // when challenged. `range_from` > 0 asks for the bytes from there on.
  HttpResponse Get(const std::string& path, std::string_view accept,
                   uint64_t range_from, const BodySink& sink) {
    HttpResponse r = Send(path, accept, range_from, sink);
    if (r.code != CURLE_OK || r.status != 401) return r;
    if (auto ok = Authenticate(r); !ok) {
      std::lock_guard lock(mu_);
      auth_error_ = ok.error().message;
      return r;
    }
    return Send(path, accept, range_from, sink);
  }

  // A user-facing error for a failed answer about `what`.
  Error Explain(const HttpResponse& r, std::string_view what) {
    std::string auth_error;
    {
      std::lock_guard lock(mu_);
      auth_error = auth_error_;
    }
    std::string where = fmt::format("{}: {}", ref_.ToString(), what);
    if (r.code != CURLE_OK) {
      return Error{fmt::format("{}: {}", where, r.curl_error)};
    }
    std::string detail = RegistryErrorDetail(r.error_body);
    switch (r.status) {
      case 401:
        return Error{fmt::format(
            "{}: authentication required or refused (HTTP 401){}{}; pass "
            "--creds USER:PASSWORD or add the registry to the auth file",
            where, detail, auth_error.empty() ? "" : ": " + auth_error)};
      case 403:
        return Error{
            fmt::format("{}: access denied (HTTP 403){}", where, detail)};
      case 404:
        return Error{fmt::format(
            "{}: not found (HTTP 404): unknown repository, tag or digest{}",
            where, detail)};
      case 429: {
        std::string after = r.Header("retry-after");
        return Error{fmt::format(
            "{}: the registry's rate limit is reached (HTTP 429){}{}", where,
            after.empty() ? ""
                          : "; it asks to retry after " + after +
                                (after.find_first_not_of("0123456789") ==
                                         std::string::npos
                                     ? " seconds"
                                     : ""),
            detail)};
      }
      default:
        return Error{fmt::format("{}: HTTP {}{}", where, r.status, detail)};
    }
  }

 private:
  HttpResponse Send(const std::string& path, std::string_view accept,
                    uint64_t range_from, const BodySink& sink) {
    HttpRequest request;
    request.url = base_url_ + path;
    if (!accept.empty())
      request.headers.push_back(fmt::format("Accept: {}", accept));
    if (range_from > 0) {
      request.headers.push_back(fmt::format("Range: bytes={}-", range_from));
    }
    {
      std::lock_guard lock(mu_);
      if (!authorization_.empty()) {
        request.headers.push_back("Authorization: " + authorization_);
      }
    }
    return Perform(request, tls_, sink);
  }

  Status Authenticate(const HttpResponse& unauthorized) {
    std::string header = unauthorized.Header("www-authenticate");
    if (header.empty()) return Fail("the registry sent no challenge");
    CINCH_ASSIGN(auto challenges, ParseWwwAuthenticate(header));
    for (const AuthChallenge& c : challenges) {
      if (c.scheme == "bearer") return AuthenticateBearer(c);
    }
    for (const AuthChallenge& c : challenges) {
      if (c.scheme != "basic") continue;
      if (!creds_) return Fail("the registry wants a user name and password");
      std::lock_guard lock(mu_);
      authorization_ =
          "Basic " + Base64Encode(creds_->username + ":" + creds_->password);
      return {};
    }
    return Fail("no supported authentication scheme in '{}'", header);
  }

  // The token flow of the distribution "token authentication"
  // specification: ask the realm for a pull token scoped to the repository.
  Status AuthenticateBearer(const AuthChallenge& c) {
    auto realm = c.params.find("realm");
    if (realm == c.params.end() || realm->second.empty()) {
      return Fail("the Bearer challenge names no realm");
    }
    std::string_view url = realm->second;
    bool https = url.starts_with("https://");
    if (!https && !url.starts_with("http://")) {
      return Fail("the token realm '{}' is not an http(s) URL", url);
    }
    std::string realm_host(url.substr(url.find("://") + 3));
    realm_host = realm_host.substr(0, realm_host.find('/'));
    if (!https && creds_ && !IsLoopbackRegistry(realm_host)) {
      return Fail("refusing to send credentials to the plain-HTTP realm {}",
                  url);
    }
    std::string scope = fmt::format("repository:{}:pull", ref_.repository);
    if (auto s = c.params.find("scope"); s != c.params.end()) {
      scope = s->second;
    }
    CURL* escaper = curl_easy_init();
    auto escape = [&](const std::string& s) {
      char* e = curl_easy_escape(escaper, s.c_str(), int(s.size()));
      std::string out = e ? e : "";
      curl_free(e);
      return out;
    };
    std::string token_url = fmt::format(
        "{}{}scope={}", url,
        url.find('?') == std::string_view::npos ? "?" : "&", escape(scope));
    if (auto s = c.params.find("service"); s != c.params.end()) {
      token_url += "&service=" + escape(s->second);
    }
    curl_easy_cleanup(escaper);

    HttpRequest request;
    request.url = token_url;
    request.basic = creds_;
    std::string body;
    BodySink sink = [&](std::string_view chunk, long) {
      if (body.size() + chunk.size() > kMaxSmallBody) return false;
      body.append(chunk);
      return true;
    };
    HttpResponse r = Perform(request, tls_, sink);
    if (r.code != CURLE_OK) {
      return Fail("token request to {} failed: {}", url, r.curl_error);
    }
    if (r.status == 401 || r.status == 403) {
      return Fail("the token service {} refused {} (HTTP {})", url,
                  creds_ ? "the credentials" : "anonymous access", r.status);
    }
    if (!r.Ok())
      return Fail("the token service {} answered HTTP {}", url, r.status);
    // Tokens are never put in messages.
    auto doc = ParseJson(body, "token response");
    if (!doc || !doc->is_object()) {
      return Fail("the token service {} sent no JSON object", url);
    }
    auto token = GetString(*doc, "token");
    if (token && token->empty()) token = GetString(*doc, "access_token");
    if (!token || token->empty()) {
      return Fail("the token service {} sent no token", url);
    }
    std::lock_guard lock(mu_);
    authorization_ = "Bearer " + *token;
    return {};
  }

  void SetScheme(std::string_view scheme) {
    base_url_ = fmt::format("{}://{}/v2/{}/", scheme, host_, ref_.repository);
  }

  RegistryRef ref_;
  TlsOptions tls_;
  std::optional<Credentials> creds_;
  std::string host_;
  std::string base_url_;  // set before any blob reader starts
  std::mutex mu_;
  std::string authorization_;  // a secret: never logged or put in errors
  std::string auth_error_;
};

// Fetches a small document whole, refusing more than `limit` bytes.
Result<std::pair<std::string, HttpResponse>> FetchSmall(RegistryClient& client,
                                                        const std::string& path,
                                                        std::string_view accept,
                                                        size_t limit,
                                                        std::string_view what) {
  std::string body;
  bool too_big = false;
  BodySink sink = [&](std::string_view chunk, long) {
    if (body.size() + chunk.size() > limit) {
      too_big = true;
      return false;
    }
    body.append(chunk);
    return true;
  };
  HttpResponse r;
  for (int attempt = 0; attempt < kBlobAttempts; ++attempt) {
    body.clear();
    r = client.Get(path, accept, 0, sink);
    if (!IsTransient(r)) break;
    std::this_thread::sleep_for(std::chrono::seconds(1 << attempt));
  }
  if (too_big) {
    return Fail("{}: {} is larger than the {} byte limit",
                client.ref().ToString(), what, limit);
  }
  if (!r.Ok()) return Fail(client.Explain(r, what));
  return std::make_pair(std::move(body), std::move(r));
}

// Checks bytes fetched by digest against their descriptor.
Status VerifyDocument(std::string_view bytes, const Descriptor& d,
                      std::string_view what) {
  std::string actual = Sha256Digest(bytes);
  if (actual != d.digest) {
    return Fail("{} {} does not match its digest (content hashes to {})", what,
                d.digest, actual);
  }
  if (d.size > 0 && int64_t(bytes.size()) != d.size) {
    return Fail("{} {} is {} bytes but its descriptor says {}", what, d.digest,
                bytes.size(), d.size);
  }
  return {};
}

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

Result<std::optional<Credentials>> LookupCredentials(
    const RegistryRef& ref, const OpenOptions& options) {
  if (!options.registry_creds.empty()) {
    size_t colon = options.registry_creds.find(':');
    if (colon == std::string::npos) {
      return Fail("credentials must be USER:PASSWORD");
    }
    return Credentials{options.registry_creds.substr(0, colon),
                       options.registry_creds.substr(colon + 1)};
  }
  std::string path = options.registry_auth_file;
  bool named = !path.empty();
  if (path.empty()) {
    if (const char* env = std::getenv("REGISTRY_AUTH_FILE"); env && *env) {
      path = env;
      named = true;
    } else if (const char* dir = std::getenv("DOCKER_CONFIG"); dir && *dir) {
      path = std::string(dir) + "/config.json";
    } else if (const char* home = std::getenv("HOME"); home && *home) {
      path = std::string(home) + "/.docker/config.json";
    }
  }
  if (path.empty()) return std::nullopt;
  auto text = ReadFileLimited(path, kMaxSmallBody);
  if (!text) {
    // Docker's file is optional; one the user named is not.
    if (named) return Fail(text.error());
    return std::nullopt;
  }
  return FindCredentialsInAuthFile(*text, ref.registry, path);
}

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
  CINCH_ASSIGN(auto creds, LookupCredentials(rr, options));
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
