#include "image/registry_client.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <thread>

#include "base/io.h"
#include "base/json.h"
#include "base/sha256.h"

extern char** environ;

namespace cinch {

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

// --- Credentials -----------------------------------------------------------

namespace {

// Docker Hub's key in auth files and for credential helpers, kept from the
// v1 API.
constexpr std::string_view kDockerHubServerUrl = "https://index.docker.io/v1/";
// What a credential helper may print; real answers are a few hundred bytes.
constexpr size_t kMaxHelperOutput = 64 << 10;

// Writes all of `bytes` to `fd`; false on a broken pipe.
bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(size_t(n));
  }
  return true;
}

struct HelperRun {
  int exit_code = -1;
  std::string output;
};

// Runs `program get` with `input` on its stdin and collects its stdout.
// Its stderr passes through to the user's terminal (helpers ask there).
Result<HelperRun> RunHelperGet(const std::string& program,
                               std::string_view input) {
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return Fail("pipe: {}", strerror(errno));
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return Fail("pipe: {}", strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  std::string verb = "get";
  char* argv[] = {const_cast<char*>(program.c_str()), verb.data(), nullptr};
  pid_t pid = 0;
  int spawned =
      posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  if (spawned != 0) {
    ::close(in[1]);
    ::close(out[0]);
    return Fail("cannot run the credential helper {}: {}", program,
                strerror(spawned));
  }

  // The input is one short line: it fits the pipe, so writing before
  // reading cannot deadlock.
  WriteAll(in[1], input);
  ::close(in[1]);
  HelperRun run;
  char buffer[4096];
  bool too_big = false;
  while (true) {
    ssize_t n = ::read(out[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (run.output.size() + size_t(n) > kMaxHelperOutput) too_big = true;
    if (!too_big) run.output.append(buffer, size_t(n));
  }
  ::close(out[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (too_big) {
    return Fail("the credential helper {} printed more than {} bytes", program,
                kMaxHelperOutput);
  }
  return run;
}

}  // namespace

std::string CredentialHelperServer(std::string_view registry) {
  if (registry == kDockerHubName) return std::string(kDockerHubServerUrl);
  return std::string(registry);
}

Result<std::optional<Credentials>> RunCredentialHelper(
    std::string_view helper, std::string_view registry) {
  std::string program = fmt::format("docker-credential-{}", helper);
  if (helper.empty() || helper.find('/') != std::string_view::npos) {
    return Fail("'{}' is not a credential helper name", helper);
  }
  CINCH_ASSIGN(HelperRun run,
               RunHelperGet(program, CredentialHelperServer(registry)));
  if (run.exit_code != 0) {
    // The protocol's answer for "nothing stored for this server".
    if (run.output.find("credentials not found") != std::string::npos) {
      return std::nullopt;
    }
    // The output may echo secrets: it is not quoted.
    return Fail("the credential helper {} failed (exit {})", program,
                run.exit_code);
  }
  auto doc = ParseJson(run.output, program);
  if (!doc || !doc->is_object()) {
    return Fail("the credential helper {} did not answer a JSON object",
                program);
  }
  auto user = GetString(*doc, "Username");
  auto secret = GetString(*doc, "Secret");
  if (!user || !secret) {
    return Fail("the credential helper {} answered without Username/Secret",
                program);
  }
  if (user->empty() && secret->empty()) return std::nullopt;
  // "<token>" marks an identity token (an OAuth refresh token), which
  // this client sends as the password of a Basic token request.
  return Credentials{*user, *secret};
}

Result<std::optional<Credentials>> LookupCredentials(
    const RegistryRef& ref, std::string_view creds_flag,
    std::string_view auth_file) {
  if (!creds_flag.empty()) {
    size_t colon = creds_flag.find(':');
    if (colon == std::string::npos) {
      return Fail("credentials must be USER:PASSWORD");
    }
    return Credentials{std::string(creds_flag.substr(0, colon)),
                       std::string(creds_flag.substr(colon + 1))};
  }
  std::string path(auth_file);
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

  // As Docker: a registry's own helper first, then the file's entry, then
  // the store every other registry's credentials went to.
  CINCH_ASSIGN(CredentialHelpers helpers,
               FindCredentialHelpers(*text, ref.registry, path));
  if (!helpers.registry_helper.empty()) {
    return RunCredentialHelper(helpers.registry_helper, ref.registry);
  }
  CINCH_ASSIGN(auto found,
               FindCredentialsInAuthFile(*text, ref.registry, path));
  if (found || helpers.store.empty()) return found;
  return RunCredentialHelper(helpers.store, ref.registry);
}

// --- HTTP ------------------------------------------------------------------

namespace {

constexpr long kMaxRedirects = 10;
constexpr long kConnectTimeoutSeconds = 30;
constexpr long kStallSeconds = 60;

void InitCurlOnce() {
  static const CURLcode init = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)init;
}

struct Transfer {
  CURL* curl = nullptr;
  HttpResponse* response = nullptr;
  const BodySink* sink = nullptr;
  const UploadBody* body = nullptr;
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

size_t OnUpload(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  auto got = t->body->read(std::span<char>(data, size * n));
  return got ? *got : CURL_READFUNC_ABORT;
}

void SetMethod(CURL* curl, const HttpRequest& request, Transfer& transfer) {
  const std::string& m = request.method;
  if (m == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    return;
  }
  if (m == "GET") return;
  if (request.body != nullptr || m == "PUT" || m == "PATCH") {
    // An upload; curl calls it PUT unless told otherwise.
    static const UploadBody kEmpty{
        0, [](std::span<char>) { return std::optional<size_t>(0); }};
    transfer.body = request.body != nullptr ? request.body : &kEmpty;
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
                     curl_off_t(transfer.body->size));
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, OnUpload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &transfer);
    if (m != "PUT") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, m.c_str());
    return;
  }
  if (m == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, 0L);
    return;
  }
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, m.c_str());
}

}  // namespace

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
  Transfer transfer{curl, &response, &sink, nullptr};
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
  SetMethod(curl, request, transfer);
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
    response.curl_error =
        error[0] ? error : curl_easy_strerror(CURLcode(response.code));
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return response;
}

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

std::optional<int64_t> RetryAfterSeconds(std::string_view value,
                                         int64_t now_unix_seconds) {
  value = Trim(value);
  if (value.empty()) return std::nullopt;
  if (value.find_first_not_of("0123456789") == std::string_view::npos) {
    if (value.size() > 9) return std::nullopt;
    return std::stoll(std::string(value));
  }
  // IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
  std::tm tm = {};
  std::string text(value);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  int64_t at = int64_t(timegm(&tm));
  return std::max<int64_t>(0, at - now_unix_seconds);
}

namespace {

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

std::string UrlHost(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  url.remove_prefix(scheme + 3);
  return std::string(url.substr(0, url.find_first_of("/?#")));
}

}  // namespace

// --- The registry client ---------------------------------------------------

RegistryClient::RegistryClient(RegistryRef ref, TlsOptions tls,
                               std::optional<Credentials> creds,
                               std::string actions)
    : ref_(std::move(ref)),
      tls_(std::move(tls)),
      creds_(std::move(creds)),
      actions_(std::move(actions)) {
  host_ = ref_.registry == kDockerHubName ? std::string(kDockerHubApiHost)
                                          : ref_.registry;
  SetScheme("https");
}

void RegistryClient::AddScope(std::string scope) {
  std::lock_guard lock(mu_);
  extra_scopes_.push_back(std::move(scope));
}

Status RegistryClient::ChooseScheme() {
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

std::string RegistryClient::Url(std::string_view path) const {
  return base_url_ + std::string(path);
}

std::string RegistryClient::LocationUrl(std::string_view location) const {
  if (location.starts_with("http://") || location.starts_with("https://")) {
    return std::string(location);
  }
  if (location.starts_with('/')) {
    return fmt::format("{}://{}{}", scheme_, host_, location);
  }
  return Url(location);
}

HttpResponse RegistryClient::Get(const std::string& path,
                                 std::string_view accept, uint64_t range_from,
                                 const BodySink& sink) {
  HttpRequest request;
  request.url = Url(path);
  if (!accept.empty()) {
    request.headers.push_back(fmt::format("Accept: {}", accept));
  }
  if (range_from > 0) {
    request.headers.push_back(fmt::format("Range: bytes={}-", range_from));
  }
  return Send(std::move(request), sink);
}

HttpResponse RegistryClient::Send(HttpRequest request, const BodySink& sink) {
  bool replayable = request.body == nullptr || request.body->rewind;
  auto resend = [&] {
    if (request.body != nullptr) request.body->rewind();
    return SendOnce(request, sink);
  };
  HttpResponse r = SendOnce(request, sink);
  if (r.code == CURLE_OK && r.status == 401 && replayable) {
    if (auto ok = Authenticate(r); !ok) {
      std::lock_guard lock(mu_);
      auth_error_ = ok.error().message;
      return r;
    }
    r = resend();
  }
  for (int i = 0; i < kRateLimitRetries && replayable && r.code == CURLE_OK &&
                  r.status == 429;
       ++i) {
    int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    auto wait = RetryAfterSeconds(r.Header("retry-after"), now);
    // Without a usable Retry-After, back off as for any transient error;
    // a wait longer than the cap is reported instead of slept through.
    int64_t seconds = wait.value_or(int64_t(1) << i);
    if (seconds > kMaxRetryAfterSeconds) break;
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    r = resend();
  }
  return r;
}

HttpResponse RegistryClient::SendOnce(HttpRequest request,
                                      const BodySink& sink) {
  // The registry's authorization never goes to another host (upload
  // locations and redirects may point at storage).
  if (SameHost(request.url)) {
    std::lock_guard lock(mu_);
    if (!authorization_.empty()) {
      request.headers.push_back("Authorization: " + authorization_);
    }
  }
  return Perform(request, tls_, sink);
}

bool RegistryClient::SameHost(std::string_view url) const {
  return UrlHost(url) == host_;
}

Error RegistryClient::Explain(const HttpResponse& r, std::string_view what) {
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
          after.empty()
              ? ""
              : "; it asks to retry after " + after +
                    (after.find_first_not_of("0123456789") == std::string::npos
                         ? " seconds"
                         : ""),
          detail)};
    }
    default:
      return Error{fmt::format("{}: HTTP {}{}", where, r.status, detail)};
  }
}

Status RegistryClient::Authenticate(const HttpResponse& unauthorized) {
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

// The token flow of the distribution "token authentication" specification:
// ask the realm for a token scoped to the repository (pull, or pull and
// push), plus the challenge's own scope and any added ones.
Status RegistryClient::AuthenticateBearer(const AuthChallenge& c) {
  auto realm = c.params.find("realm");
  if (realm == c.params.end() || realm->second.empty()) {
    return Fail("the Bearer challenge names no realm");
  }
  std::string_view url = realm->second;
  bool https = url.starts_with("https://");
  if (!https && !url.starts_with("http://")) {
    return Fail("the token realm '{}' is not an http(s) URL", url);
  }
  std::string realm_host = UrlHost(url);
  if (!https && creds_ && !IsLoopbackRegistry(realm_host)) {
    return Fail("refusing to send credentials to the plain-HTTP realm {}", url);
  }
  std::vector<std::string> scopes = {
      fmt::format("repository:{}:{}", ref_.repository, actions_)};
  if (auto s = c.params.find("scope"); s != c.params.end()) {
    scopes.push_back(s->second);
  }
  {
    std::lock_guard lock(mu_);
    scopes.insert(scopes.end(), extra_scopes_.begin(), extra_scopes_.end());
  }
  std::sort(scopes.begin(), scopes.end());
  scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());

  CURL* escaper = curl_easy_init();
  auto escape = [&](const std::string& s) {
    char* e = curl_easy_escape(escaper, s.c_str(), int(s.size()));
    std::string out = e ? e : "";
    curl_free(e);
    return out;
  };
  std::string token_url(url);
  char separator = url.find('?') == std::string_view::npos ? '?' : '&';
  for (const std::string& scope : scopes) {
    token_url += separator + std::string("scope=") + escape(scope);
    separator = '&';
  }
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
  if (!r.Ok()) {
    return Fail("the token service {} answered HTTP {}", url, r.status);
  }
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

void RegistryClient::SetScheme(std::string_view scheme) {
  scheme_ = std::string(scheme);
  base_url_ = fmt::format("{}://{}/v2/{}/", scheme, host_, ref_.repository);
}

// --- Small documents -------------------------------------------------------

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

}  // namespace cinch
