// HTTP for the registry pull and push sides: one request at a time over
// libcurl, and a client for one repository that answers authentication
// challenges (distribution-spec v1.1; the distribution "token
// authentication" specification). Internal to cinch_image.
#ifndef CINCH_IMAGE_REGISTRY_CLIENT_H_
#define CINCH_IMAGE_REGISTRY_CLIENT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "image/manifest.h"
#include "image/registry.h"

namespace cinch {

// Error bodies and token responses are small; anything bigger is refused.
inline constexpr size_t kMaxSmallBody = 1 << 20;
// Attempts per request that failed for a moment, counting the first.
inline constexpr int kBlobAttempts = 4;
// 429 answers honoured per request, and the longest Retry-After waited.
inline constexpr int kRateLimitRetries = 3;
inline constexpr int kMaxRetryAfterSeconds = 60;

struct TlsOptions {
  bool verify = true;
  std::string ca_file;
};

// A request body streamed from a callback: `read` fills the span and
// returns the bytes written (0 at the end), or nullopt to abort the
// transfer (the bytes were not what was promised). A body that can be
// read again from its start has `rewind`; only such a body is sent again.
struct UploadBody {
  int64_t size = 0;
  std::function<std::optional<size_t>(std::span<char>)> read;
  std::function<void()> rewind;
};

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, POST, PUT, PATCH or DELETE
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::optional<Credentials> basic;  // for token endpoints
  const UploadBody* body = nullptr;  // none: an empty body
};

struct HttpResponse {
  int code = 0;  // CURLcode; 0 when the transfer completed
  std::string curl_error;
  long status = 0;
  // Lowercased names; repeated headers joined with ", ".
  std::map<std::string, std::string> headers;
  std::string error_body;  // the body of a non-2xx answer, truncated

  bool Ok() const { return code == 0 && status / 100 == 2; }
  std::string Header(std::string_view name) const {
    auto it = headers.find(std::string(name));
    return it == headers.end() ? "" : it->second;
  }
};

// Receives the body of a 2xx answer; returns false to abort the transfer.
using BodySink = std::function<bool(std::string_view chunk, long status)>;

// Performs one request. Transport failures are reported in the response
// (code, curl_error), not as errors, so callers can decide to retry.
HttpResponse Perform(const HttpRequest& request, const TlsOptions& tls,
                     const BodySink& sink);

// Failures worth another attempt: the network, or the server for a moment.
bool IsTransient(const HttpResponse& r);

// Seconds a Retry-After value asks for (RFC 9110 section 10.2.3): a number
// of seconds, or an HTTP date; nullopt for anything else.
std::optional<int64_t> RetryAfterSeconds(std::string_view value,
                                         int64_t now_unix_seconds);

std::string Lower(std::string_view s);
std::string_view Trim(std::string_view s);

// Where credentials come from: a "USER:PASS" flag, else an auth file
// (named, else $REGISTRY_AUTH_FILE, else Docker's config.json) with its
// `auths`, `credHelpers` and `credsStore`.
Result<std::optional<Credentials>> LookupCredentials(
    const RegistryRef& ref, std::string_view creds_flag,
    std::string_view auth_file);

// Talks to one repository of one registry. Thread-safe: requests may be
// made from several threads; the authorization is shared.
class RegistryClient {
 public:
  // `actions` are the token scope's actions for the repository: "pull",
  // or "pull,push" for a push.
  RegistryClient(RegistryRef ref, TlsOptions tls,
                 std::optional<Credentials> creds,
                 std::string actions = "pull");

  const RegistryRef& ref() const { return ref_; }

  // A further scope to ask tokens for, e.g. "repository:other:pull" for a
  // cross-repository mount.
  void AddScope(std::string scope);

  // HTTPS unless the registry is on this machine (as Docker treats
  // localhost) or TLS verification is off, where a registry that does not
  // speak TLS is reached over plain HTTP. A certificate that fails
  // verification never falls back.
  Status ChooseScheme();

  // The URL of `path` under the repository ("blobs/uploads/"), or of a
  // Location header's value (absolute, or a path on the registry).
  std::string Url(std::string_view path) const;
  std::string LocationUrl(std::string_view location) const;

  // GETs `path` under the repository ("manifests/latest"), authenticating
  // when challenged. `range_from` > 0 asks for the bytes from there on.
  HttpResponse Get(const std::string& path, std::string_view accept,
                   uint64_t range_from, const BodySink& sink);

  // Sends `request` (its url already absolute) with the authorization,
  // answering a 401 challenge and waiting out a 429 (bounded, honouring
  // Retry-After) by sending it again. A request whose body cannot be
  // rewound is sent once.
  HttpResponse Send(HttpRequest request, const BodySink& sink);

  // A user-facing error for a failed answer about `what`.
  Error Explain(const HttpResponse& r, std::string_view what);

 private:
  HttpResponse SendOnce(HttpRequest request, const BodySink& sink);
  Status Authenticate(const HttpResponse& unauthorized);
  Status AuthenticateBearer(const AuthChallenge& c);
  void SetScheme(std::string_view scheme);
  bool SameHost(std::string_view url) const;

  RegistryRef ref_;
  TlsOptions tls_;
  std::optional<Credentials> creds_;
  std::string actions_;
  std::string host_;
  std::string scheme_;
  std::string base_url_;  // set before any request runs in parallel
  std::mutex mu_;
  std::vector<std::string> extra_scopes_;
  std::string authorization_;  // a secret: never logged or put in errors
  std::string auth_error_;
};

// Fetches a small document whole, refusing more than `limit` bytes.
Result<std::pair<std::string, HttpResponse>> FetchSmall(RegistryClient& client,
                                                        const std::string& path,
                                                        std::string_view accept,
                                                        size_t limit,
                                                        std::string_view what);

// Checks bytes fetched by digest against their descriptor.
Status VerifyDocument(std::string_view bytes, const Descriptor& d,
                      std::string_view what);

}  // namespace cinch

#endif  // CINCH_IMAGE_REGISTRY_CLIENT_H_
