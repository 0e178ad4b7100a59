#!/usr/bin/env bash
# End-to-end check of `cinch copy` pushing to a real registry: Debian's
# docker-registry, started here on 127.0.0.1 (never anything else), once
# plain and once with TLS (a CA made here) and htpasswd basic auth. skopeo
# is the independent client that reads back what cinch pushed: the
# manifest digest and every blob must be what the OCI layout holds.
# Covers monolithic and chunked uploads, existing blobs, cross-repository
# mounts, registry-to-registry copies, credentials from flags and from a
# credential helper, a corrupt blob that must leave no tag behind, and
# copies from the registry to local layouts.
# Usage: push_test.sh CINCH_BINARY
# Exit 77 (skipped) when docker-registry or skopeo is not installed.
set -euo pipefail

cinch=${1:?usage: push_test.sh CINCH_BINARY}
e2e_name=push
source "$(dirname "${BASH_SOURCE[0]}")/registry_lib.sh"

# --- A small image: three layers, one of them 3 MB of random bytes --------
oci=$work/oci
umoci init --layout "$oci"
umoci new --image "$oci:app"
umoci unpack --rootless --image "$oci:app" "$work/bundle" >/dev/null
rootfs=$work/bundle/rootfs
mkdir -p "$rootfs/etc" "$rootfs/srv"
echo "ID=cinchtest" >"$rootfs/etc/os-release"
umoci repack --refresh-bundle --image "$oci:app" "$work/bundle"
head -c 3000000 /dev/urandom >"$rootfs/srv/random.bin"
umoci repack --refresh-bundle --image "$oci:app" "$work/bundle"
echo "third" >"$rootfs/srv/third.txt"
umoci repack --refresh-bundle --image "$oci:app" "$work/bundle"

# What the layout holds: the manifest digest and every blob it references.
want_digest=$("$python" -c 'import json, sys
print(json.load(open(sys.argv[1]))["manifests"][0]["digest"])' "$oci/index.json")
"$python" - "$oci/blobs/sha256/${want_digest#sha256:}" <<'PY' |
import json, sys
m = json.load(open(sys.argv[1]))
print(m["config"]["digest"])
for layer in m["layers"]:
    print(layer["digest"])
PY
  sort >"$work/want_blobs"
[[ $(wc -l <"$work/want_blobs") == 4 ]] || fail "expected config + 3 layers"

# copy ARGS...: runs cinch copy, which must exit 0; its output is in
# $work/out.
copy() {
  "$cinch" copy "$@" >"$work/out" 2>"$work/err" ||
    fail "cinch copy $* exited $?: $(cat "$work/err")"
}

# expect_copy_error RC TEXT ARGS...: cinch copy must exit RC and say TEXT.
expect_copy_error() {
  local want=$1 text=$2 rc=0
  shift 2
  "$cinch" copy "$@" >"$work/out" 2>"$work/err" || rc=$?
  [[ $rc == "$want" ]] || fail "cinch copy $*: exit $rc, want $want ($(cat \
    "$work/err"))"
  grep -qF -- "$text" "$work/err" ||
    fail "cinch copy $*: error does not say '$text': $(cat "$work/err")"
  echo "ok: copy $* -> $(head -c 300 "$work/err")"
}

# check_pushed REF SKOPEO_FLAGS: skopeo must see the layout's manifest
# digest, and copying the image back must give the same blobs.
check_pushed() {
  local ref=$1 flags=$2 digest back
  # shellcheck disable=SC2086
  digest=$(skopeo inspect $flags --format '{{.Digest}}' "$ref")
  [[ $digest == "$want_digest" ]] ||
    fail "$ref: skopeo sees $digest, the layout holds $want_digest"
  back=$work/back.$RANDOM
  # shellcheck disable=SC2086
  skopeo copy --quiet ${flags//--/--src-} "$ref" "dir:$back"
  find "$back" -type f ! -name manifest.json ! -name version \
    -printf 'sha256:%f\n' | sort >"$work/got_blobs"
  diff -u "$work/want_blobs" "$work/got_blobs" ||
    fail "$ref: the blobs read back differ"
  [[ $(sha256sum <"$back/manifest.json" | cut -d' ' -f1) == \
    "${want_digest#sha256:}" ]] || fail "$ref: the manifest bytes differ"
  rm -rf "$back"
  echo "ok: $ref read back by skopeo with digest $digest"
}

# --- Plain HTTP registry ---------------------------------------------------
port=$(free_port)
start_registry plain "$port"
host=127.0.0.1:$port
plain="--tls-verify=false"

copy "oci:$oci:app" "docker://$host/push/app:1"
grep -q "^manifest $want_digest: stored" "$work/out" ||
  fail "no manifest line: $(cat "$work/out")"
[[ $(grep -c ': copied' "$work/out") == 4 ]] ||
  fail "expected 4 blobs copied: $(cat "$work/out")"
check_pushed "docker://$host/push/app:1" "$plain"

# Again: every blob is there already.
copy "oci:$oci:app" "docker://$host/push/app:1"
[[ $(grep -c ': already there' "$work/out") == 4 ]] ||
  fail "expected 4 blobs skipped: $(cat "$work/out")"
echo "ok: a second copy sends no blob"

# Chunked: blobs over 64 KiB go in 64 KiB PATCHes (the random layer in 46).
copy --chunk-size 65536 "oci:$oci:app" "docker://$host/chunked/app:1"
check_pushed "docker://$host/chunked/app:1" "$plain"

# Registry to registry on one registry: blobs are mounted, not sent.
copy "docker://$host/push/app:1" "docker://$host/mounted/app:2"
[[ $(grep -c ': mounted from' "$work/out") == 4 ]] ||
  fail "expected config and 3 layers mounted: $(cat "$work/out")"
check_pushed "docker://$host/mounted/app:2" "$plain"

# By digest only: stored, no tag.
copy "oci:$oci:app" "docker://$host/bydigest/app@$want_digest"
skopeo inspect --no-tags $plain --format "{{.Digest}}" \
  "docker://$host/bydigest/app@$want_digest" >/dev/null ||
  fail "the manifest pushed by digest is not there"
expect_copy_error 3 "not the digest asked for" "oci:$oci:app" \
  "docker://$host/bydigest/app@sha256:$(printf '0%.0s' {1..64})"

# Registry to a local layout and an archive: the digest is kept.
copy "docker://$host/push/app:1" "oci:$work/elsewhere:copied"
got=$(skopeo inspect --format "{{.Digest}}" "oci:$work/elsewhere:copied")
[[ $got == "$want_digest" ]] ||
  fail "oci: copy has digest $got, want $want_digest"
copy "docker://$host/push/app:1" "oci-archive:$work/elsewhere.tar:copied"
got=$(skopeo inspect --format "{{.Digest}}" "oci-archive:$work/elsewhere.tar:copied")
[[ $got == "$want_digest" ]] ||
  fail "oci-archive: copy has digest $got, want $want_digest"
echo "ok: registry to oci: and oci-archive: keeps $want_digest"
expect_copy_error 2 "name the destination's transport" "oci:$oci:app" \
  "$work/no-transport"
expect_copy_error 3 "cannot reach the registry" "oci:$oci:app" \
  "docker://127.0.0.1:$(free_port)/push/app:1"

# A docker-archive has no manifest: cinch writes an OCI one.
skopeo copy --quiet "oci:$oci:app" "docker-archive:$work/app.tar:app:1"
copy "docker-archive:$work/app.tar" "docker://$host/fromarchive/app:1"
"$cinch" inspect --no-findings --format json \
  "docker://$host/fromarchive/app:1" >"$work/archive.json" ||
  fail "cinch cannot read back the image copied from a docker-archive"
echo "ok: docker-archive copied and read back"

# --- A corrupt blob in the source: the copy fails and leaves no tag --------
broken=$work/broken
cp -r "$oci" "$broken"
blob=$(find "$broken/blobs/sha256" -type f -printf '%s %p\n' | sort -n |
  tail -1 | cut -d' ' -f2)
"$python" - "$blob" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(1000)
    b = f.read(1)
    f.seek(1000)
    f.write(bytes([b[0] ^ 0xff]))
PY
bad=sha256:$(basename "$blob")
for chunk in "" "--chunk-size 65536"; do
  # shellcheck disable=SC2086
  expect_copy_error 3 "$bad does not match its digest" $chunk \
    "oci:$broken:app" "docker://$host/broken/app:1"
  if skopeo inspect $plain "docker://$host/broken/app:1" >/dev/null 2>&1; then
    fail "the failed push left the tag broken/app:1"
  fi
  echo "ok: a corrupt blob leaves no tag (${chunk:-monolithic})"
done

# --- Rate limits: a fake registry that always answers 429 -----------------
# Retry-After: 1 is honoured three times (four requests, three seconds);
# a Retry-After over a minute is reported at once.
limited_port=$(free_port)
"$python" - "$limited_port" "$work/limited.log" <<'PY' &
import http.server, sys
port, log = int(sys.argv[1]), sys.argv[2]
class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self):
        with open(log, "a") as f:
            f.write(self.command + " " + self.path + "\n")
        wait = "120" if "/slow/" in self.path else "1"
        body = b'{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}'
        self.send_response(429)
        self.send_header("Retry-After", wait)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
    do_GET = do_HEAD = do_POST = do_PUT = answer
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
PY
registry_pids+=($!)
sleep 0.5
start=$(date +%s)
expect_copy_error 3 "it asks to retry after 1 seconds" "oci:$oci:app" \
  "docker://127.0.0.1:$limited_port/limited/app:1"
elapsed=$(($(date +%s) - start))
tries=$(grep -c '/limited/' "$work/limited.log")
[[ $tries == 4 ]] || fail "expected 4 requests under the rate limit, got $tries"
((elapsed >= 3)) || fail "the Retry-After waits took only ${elapsed}s"
start=$(date +%s)
expect_copy_error 3 "retry after 120 seconds" "oci:$oci:app" \
  "docker://127.0.0.1:$limited_port/slow/app:1"
(($(date +%s) - start < 30)) || fail "a 120 s Retry-After was waited for"
[[ $(grep -c '/slow/' "$work/limited.log") == 1 ]] ||
  fail "a 120 s Retry-After was retried"

# --- TLS with a CA made here, and htpasswd basic auth ----------------------
tls=$work/tls
mkdir -p "$tls/certs"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=cinch test CA" \
  -keyout "$tls/ca.key" -out "$tls/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$tls/san.ext"
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" \
  -CAkey "$tls/ca.key" -CAcreateserial -days 2 -extfile "$tls/san.ext" \
  -out "$tls/server.crt" 2>/dev/null
cp "$tls/ca.crt" "$tls/certs/ca.crt"
"$python" - "$tls/htpasswd" <<'PY'
import crypt, sys, warnings
warnings.simplefilter("ignore")
hashed = crypt.crypt("s3cret", crypt.mksalt(crypt.METHOD_BLOWFISH))
open(sys.argv[1], "w").write(f"cinch:{hashed}\n")
PY
sport=$(free_port)
cat >"$tls/extra.yml" <<YML
http:
  addr: 127.0.0.1:$sport
  tls: {certificate: $tls/server.crt, key: $tls/server.key}
auth:
  htpasswd: {realm: cinch-test, path: $tls/htpasswd}
YML
start_registry secure "$sport" "$tls/extra.yml"
shost=127.0.0.1:$sport
secure="--cert-dir $tls/certs --creds cinch:s3cret"

copy --dest-ca-file "$tls/ca.crt" --dest-creds cinch:s3cret \
  "oci:$oci:app" "docker://$shost/push/app:1"
check_pushed "docker://$shost/push/app:1" "$secure"

# Registry to registry across registries: streamed, nothing mounted.
copy --dest-ca-file "$tls/ca.crt" --dest-creds cinch:s3cret \
  "docker://$host/push/app:1" "docker://$shost/copied/app:1"
grep -q 'mounted' "$work/out" && fail "mounted across registries"
check_pushed "docker://$shost/copied/app:1" "$secure"

expect_copy_error 3 "HTTP 401" --dest-ca-file "$tls/ca.crt" \
  "oci:$oci:app" "docker://$shost/push/app:2"
expect_copy_error 3 "HTTP 401" --dest-ca-file "$tls/ca.crt" \
  --dest-creds cinch:wrong "oci:$oci:app" "docker://$shost/push/app:2"
expect_copy_error 3 "certificate" --dest-creds cinch:s3cret \
  "oci:$oci:app" "docker://$shost/push/app:2"
grep -q s3cret "$work/err" && fail "the password appears in an error"

# Credentials from a credential helper named in Docker's config.json.
mkdir -p "$work/bin" "$DOCKER_CONFIG"
cat >"$work/bin/docker-credential-cinchtest" <<SH
#!/bin/sh
[ "\$1" = get ] || exit 3
read -r server
echo "\$server" >>"$work/helper.log"
if [ "\$server" = "$shost" ]; then
  printf '{"ServerURL":"%s","Username":"cinch","Secret":"s3cret"}' "\$server"
else
  echo "credentials not found in native keychain"; exit 1
fi
SH
chmod 755 "$work/bin/docker-credential-cinchtest"
printf '{"credHelpers": {"%s": "cinchtest"}}\n' "$shost" \
  >"$DOCKER_CONFIG/config.json"
PATH=$work/bin:$PATH copy --dest-ca-file "$tls/ca.crt" \
  "oci:$oci:app" "docker://$shost/helper/app:1"
grep -qx "$shost" "$work/helper.log" || fail "the helper was not asked"
check_pushed "docker://$shost/helper/app:1" "$secure"
# ... and for pulls too.
PATH=$work/bin:$PATH "$cinch" inspect --no-findings --ca-file "$tls/ca.crt" \
  "docker://$shost/helper/app:1" >/dev/null ||
  fail "inspect with credentials from the helper failed"
echo "ok: credentials from a credential helper, for push and pull"
rm "$DOCKER_CONFIG/config.json"

echo "PASS"
