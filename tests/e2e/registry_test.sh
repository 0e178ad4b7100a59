#!/usr/bin/env bash
# End-to-end check of `cinch inspect docker://...` against a real registry:
# Debian's docker-registry, started here on 127.0.0.1 (never anything else),
# once plain and once with TLS (a CA made here) and htpasswd basic auth.
# A small image is made with umoci and pushed with skopeo; cinch must see
# the same image through the registry as in the OCI layout (the whole
# inspect report but for the reference), by tag and by digest, refuse
# unknown repositories, tags and digests with exit 3, and notice a blob the
# registry serves corrupted.
# Usage: registry_test.sh CINCH_BINARY
# Exit 77 (skipped) when docker-registry or skopeo is not installed.
set -euo pipefail

cinch=${1:?usage: registry_test.sh CINCH_BINARY}
e2e_name=registry
source "$(dirname "${BASH_SOURCE[0]}")/registry_lib.sh"

# --- A small image: three layers, a whiteout, a file of a few MiB ----------
oci=$work/oci
umoci init --layout "$oci"
umoci new --image "$oci:app"
umoci unpack --rootless --image "$oci:app" "$work/bundle" >/dev/null
rootfs=$work/bundle/rootfs
mkdir -p "$rootfs/etc" "$rootfs/usr/bin" "$rootfs/srv"
echo "ID=cinchtest" >"$rootfs/etc/os-release"
printf '#!/bin/sh\necho hi\n' >"$rootfs/usr/bin/hello"
chmod 755 "$rootfs/usr/bin/hello"
echo "to be removed" >"$rootfs/srv/gone.txt"
umoci repack --refresh-bundle --image "$oci:app" "$work/bundle"
head -c 5000000 /dev/urandom >"$rootfs/srv/random.bin"
rm "$rootfs/srv/gone.txt"
umoci repack --refresh-bundle --image "$oci:app" "$work/bundle"
echo "third" >"$rootfs/srv/third.txt"
umoci repack --refresh-bundle --image "$oci:app" "$work/bundle"
umoci config --image "$oci:app" --config.cmd /usr/bin/hello

# Prints cinch's report of $2 (JSON), minus what names the reference;
# fails unless cinch exits 0. $1 names extra flags, space-separated.
report() {
  local flags=$1 ref=$2
  # shellcheck disable=SC2086
  "$cinch" inspect --format json --files --no-findings $flags "$ref" \
    >"$work/report.json" 2>"$work/report.err" ||
    fail "cinch inspect $ref exited $?: $(cat "$work/report.err")"
  "$python" - "$work/report.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
for key in ("reference", "transport", "repo_tags"):
    doc["image"].pop(key, None)
assert doc["files"], "no files listed"
blobs = [l for l in doc["layers"] if not l["empty"]]
assert len(blobs) == 3, f"{len(blobs)} layers, want 3"
assert all(l["digest"].startswith("sha256:") for l in blobs), \
    "a layer without digest"
print(json.dumps(doc, indent=1, sort_keys=True))
EOF
}

# expect_error FLAGS REF TEXT: cinch must exit 3 and say TEXT.
expect_error() {
  local flags=$1 ref=$2 text=$3 rc=0
  # shellcheck disable=SC2086
  "$cinch" inspect --format json --no-findings $flags "$ref" \
    >/dev/null 2>"$work/err" || rc=$?
  [[ $rc == 3 ]] || fail "$ref: exit $rc, want 3 ($(cat "$work/err"))"
  grep -qF -- "$text" "$work/err" ||
    fail "$ref: error does not say '$text': $(cat "$work/err")"
  echo "ok: $ref -> $(head -c 300 "$work/err")"
}

report "" "oci:$oci:app" >"$work/want.json"
"$python" - "$work/want.json" <<'EOF' || fail "unexpected OCI layout report"
import json, sys
paths = [f["path"].lstrip("/") for f in json.load(open(sys.argv[1]))["files"]]
assert "srv/random.bin" in paths, "srv/random.bin is missing"
assert "srv/gone.txt" not in paths, "the whiteout did not hide srv/gone.txt"
EOF

# --- Plain HTTP registry ---------------------------------------------------
port=$(free_port)
start_registry plain "$port"
host=127.0.0.1:$port
skopeo copy --quiet --dest-tls-verify=false "oci:$oci:app" \
  "docker://$host/test/app:1"

report "" "docker://$host/test/app:1" >"$work/got.json"
diff -u "$work/want.json" "$work/got.json" ||
  fail "the image through the registry differs from the OCI layout"
echo "ok: docker://$host/test/app:1 matches oci:$oci:app"

digest=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' \
  "docker://$host/test/app:1")
[[ $digest == sha256:* ]] || fail "skopeo gave no digest: $digest"
report "" "docker://$host/test/app@$digest" >"$work/got.json"
diff -u "$work/want.json" "$work/got.json" ||
  fail "the image pulled by digest differs"
echo "ok: docker://$host/test/app@$digest matches"
grep -q "\"manifest_digest\": \"$digest\"" "$work/got.json" ||
  fail "the report does not record the manifest digest $digest"

expect_error "" "docker://$host/nothing/here:1" "unknown repository"
expect_error "" "docker://$host/test/app:nope" "not found (HTTP 404)"
expect_error "" "docker://$host/test/app@sha256:$(printf '0%.0s' {1..64})" \
  "not found (HTTP 404)"
expect_error "" "docker://$host/Test/App:1" "lowercase"
# A registry that is not there: refused connection, not a hang.
expect_error "" "docker://127.0.0.1:$(free_port)/test/app:1" \
  "cannot reach the registry"

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
"$python" - "$tls/htpasswd" <<'EOF'
import crypt, sys, warnings
warnings.simplefilter("ignore")
hashed = crypt.crypt("s3cret", crypt.mksalt(crypt.METHOD_BLOWFISH))
open(sys.argv[1], "w").write(f"cinch:{hashed}\n")
EOF
sport=$(free_port)
cat >"$tls/extra.yml" <<EOF
http:
  addr: 127.0.0.1:$sport
  tls: {certificate: $tls/server.crt, key: $tls/server.key}
auth:
  htpasswd: {realm: cinch-test, path: $tls/htpasswd}
EOF
start_registry secure "$sport" "$tls/extra.yml"
shost=127.0.0.1:$sport
skopeo copy --quiet --dest-cert-dir "$tls/certs" --dest-creds cinch:s3cret \
  "oci:$oci:app" "docker://$shost/test/app:1"

ca="--ca-file $tls/ca.crt"
report "$ca --creds cinch:s3cret" "docker://$shost/test/app:1" \
  >"$work/got.json"
diff -u "$work/want.json" "$work/got.json" ||
  fail "the image through the TLS registry differs"
echo "ok: docker://$shost/test/app:1 over TLS with basic auth matches"

expect_error "$ca" "docker://$shost/test/app:1" "HTTP 401"
expect_error "$ca --creds cinch:wrong" "docker://$shost/test/app:1" \
  "HTTP 401"
expect_error "--creds cinch:s3cret" "docker://$shost/test/app:1" \
  "certificate"

# Credentials from an auth file, as podman and skopeo write it.
auth=$(printf 'cinch:s3cret' | base64)
printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$shost" "$auth" \
  >"$work/auth.json"
REGISTRY_AUTH_FILE=$work/auth.json report "$ca" \
  "docker://$shost/test/app:1" >"$work/got.json"
diff -u "$work/want.json" "$work/got.json" ||
  fail "the image read with REGISTRY_AUTH_FILE differs"
echo "ok: credentials from REGISTRY_AUTH_FILE"
# ... and from Docker's config.json.
mkdir -p "$DOCKER_CONFIG"
cp "$work/auth.json" "$DOCKER_CONFIG/config.json"
report "--tls-verify=false" "docker://$shost/test/app:1" >"$work/got.json"
diff -u "$work/want.json" "$work/got.json" ||
  fail "the image read with Docker's config.json and --tls-verify=false differs"
echo "ok: credentials from config.json, --tls-verify=false"
rm "$DOCKER_CONFIG/config.json"

# --- A blob the registry serves corrupted ----------------------------------
# Flip one byte of the largest layer blob in the plain registry's storage.
blob=$(find "$work/plain/storage" -path '*/blobs/sha256/*/data' -printf \
  '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2)
[[ -n $blob ]] || fail "no blob found in the registry storage"
"$python" - "$blob" <<'EOF'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(1000)
    b = f.read(1)
    f.seek(1000)
    f.write(bytes([b[0] ^ 0xff]))
EOF
bad=sha256:$(basename "$(dirname "$blob")")
expect_error "" "docker://$host/test/app:1" "$bad"
echo "PASS"
