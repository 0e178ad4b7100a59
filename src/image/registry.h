// Reading images from registries that speak the OCI distribution protocol
// (distribution-spec v1.1, "Pull"), as Docker Hub, GHCR, Quay and Debian's
// docker-registry do. The image is resolved like an OCI layout (index,
// platform, manifest, config); layer blobs are streamed on demand and the
// layer walk verifies them as they pass.
#ifndef CINCH_IMAGE_REGISTRY_H_
#define CINCH_IMAGE_REGISTRY_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "image/sink.h"
#include "image/source.h"

namespace cinch {

// Docker Hub: the name references use, and the host that serves its API.
inline constexpr std::string_view kDockerHubName = "docker.io";
inline constexpr std::string_view kDockerHubApiHost = "registry-1.docker.io";

// A reference resolved the way Docker resolves it: "alpine" is
// docker.io/library/alpine:latest.
struct RegistryRef {
  std::string registry;    // "host[:port]", e.g. "docker.io", "[::1]:5000"
  std::string repository;  // "library/alpine"
  std::string tag;         // empty when only a digest was given
  std::string digest;      // "sha256:..." when pinned, else empty

  // The manifest reference the API wants: the digest if pinned, else the tag.
  std::string Reference() const { return digest.empty() ? tag : digest; }
  // "registry/repository:tag" and/or "@digest".
  std::string ToString() const;
};

// Parses "[HOST[:PORT]/]PATH[:TAG][@sha256:HEX]" (without "docker://").
// The first component is a host only if it holds '.' or ':' or is
// "localhost", as in Docker's reference normalisation.
Result<RegistryRef> ParseRegistryRef(std::string_view text);

// True for registries on this machine: localhost, 127.0.0.0/8 and [::1],
// on any port. As Docker does, these may be reached over plain HTTP
// without being asked (HTTPS is tried first).
bool IsLoopbackRegistry(std::string_view registry);

// One challenge of a WWW-Authenticate header (RFC 7235 section 4.1),
// e.g. Bearer realm="https://auth.example/token",service="registry".
// Scheme names are lowercased; parameter names too.
struct AuthChallenge {
  std::string scheme;
  std::map<std::string, std::string> params;
};

// Parses a WWW-Authenticate value that may hold several challenges.
// Returns an error for text that is not a challenge list.
Result<std::vector<AuthChallenge>> ParseWwwAuthenticate(std::string_view text);

struct Credentials {
  std::string username;
  std::string password;
};

// Finds credentials for `registry` in a Docker-style auth file: the
// `auths` map, keyed by host or by URL ("https://index.docker.io/v1/" for
// Docker Hub), holding base64 "user:pass" in `auth` or `username` and
// `password`. nullopt when the file has no entry for the registry.
Result<std::optional<Credentials>> FindCredentialsInAuthFile(
    std::string_view json, std::string_view registry, std::string_view what);

// The Docker credential helpers an auth file names for `registry`: its own
// in `credHelpers` (keyed like `auths`), and the `credsStore` that holds
// every other registry's credentials. Empty names when there are none.
struct CredentialHelpers {
  std::string registry_helper;
  std::string store;
};
Result<CredentialHelpers> FindCredentialHelpers(std::string_view json,
                                                std::string_view registry,
                                                std::string_view what);

// The server name a credential helper is asked about: the registry, or
// Docker Hub's "https://index.docker.io/v1/".
std::string CredentialHelperServer(std::string_view registry);

// Runs `docker-credential-HELPER get` from $PATH with the server name on
// its stdin (the Docker credential helper protocol) and reads the JSON
// answer {"Username", "Secret"}. nullopt when the helper stores nothing
// for the registry. Blocks until the helper exits; never logs the answer.
Result<std::optional<Credentials>> RunCredentialHelper(
    std::string_view helper, std::string_view registry);

// Standard base64 (RFC 4648 section 4), with padding.
std::string Base64Encode(std::string_view bytes);
Result<std::string> Base64Decode(std::string_view text);

// Opens an image from a registry. `ref.path` holds the reference without
// its transport. Credentials come from options.registry_creds, else the
// auth file (options.registry_auth_file, else $REGISTRY_AUTH_FILE, else
// $DOCKER_CONFIG/config.json or ~/.docker/config.json), else none.
// HTTPS is used with the system's CAs (or options.registry_ca_file);
// loopback registries, and any registry when TLS verification is off, are
// reached over plain HTTP if they do not speak TLS.
// The returned source is thread-safe; each OpenBlob opens its own
// connection and streams through a bounded buffer.
Result<std::unique_ptr<ImageSource>> OpenRegistryImage(
    const ImageRef& ref, const OpenOptions& options,
    std::string_view reference);

// How a push uploads blobs. The defaults suit real registries; tests
// shrink the sizes to exercise chunked uploads with small images.
struct PushOptions {
  // Blobs up to this size go in one PUT; larger ones in PATCH chunks.
  int64_t monolithic_max_bytes = 16 << 20;
  // Bytes per PATCH. One chunk is held in memory so that it can be sent
  // again after a network failure.
  int64_t chunk_bytes = 16 << 20;
  // "HOST/REPOSITORY" the image is copied from, when that is a registry:
  // blobs are mounted from it instead of uploaded when it is on the same
  // registry (distribution-spec "Mounting a blob from another repository").
  std::string mount_from;
};

// Opens a push to `reference` ("HOST/REPO[:TAG|@DIGEST]", without
// "docker://"), implementing the ImageSink contract: HasBlob asks with
// HEAD; PutBlob mounts, uploads monolithically or in chunks, verifying
// digest and size as the bytes pass and abandoning the upload on a
// mismatch; PutManifest stores the manifest by digest, so it is reachable
// by no tag; Commit points the tags at it (the reference's tag, then
// each of `tags`, which are tags of the same repository or references to
// it). Credentials and TLS as for OpenRegistryImage, with a token scope of
// "pull,push". Not thread-safe: one blob at a time.
Result<std::unique_ptr<ImageSink>> OpenRegistrySink(
    std::string_view reference, const SinkOptions& options,
    const PushOptions& push = {});

}  // namespace cinch

#endif  // CINCH_IMAGE_REGISTRY_H_
