#!/usr/bin/env bash
# End-to-end check of `cinch slim` on real images built from Debian
# packages, judged by independent tools:
#  (a) the example image (Debian 12 + python3 + /opt/app/app.py) slimmed
#      with --distroless into an OCI layout passes `skopeo inspect` and
#      `umoci unpack`, runs its app in a chroot as user 65532, is at least
#      60% smaller, and a second run gives the same manifest digest;
#  (b) the default slim (no --distroless) written as docker-archive and
#      oci-archive passes `skopeo inspect` and still runs in a chroot;
#  (c) a C program compiled here against Debian's zlib, added to the
#      example image with umoci, slimmed with --distroless, still runs and
#      keeps libz in the image;
#  (d) a removal that would break the entrypoint is refused, with no output;
#  (e) this machine's Node.js and a script with a local module, added to
#      the example image, slimmed with --distroless, still run.
# Usage: slim_test.sh CINCH_BINARY IMAGES_DIR
# Exit 77 (skipped) when the example image cannot be had, or skopeo, umoci
# or root (for chroot) are missing.
set -euo pipefail

cinch=${1:?usage: slim_test.sh CINCH_BINARY IMAGES_DIR}
images=${2:?usage: slim_test.sh CINCH_BINARY IMAGES_DIR}
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
skip() {
  echo "SKIP: $*"
  exit 77
}

[[ $(id -u) -eq 0 ]] || skip "needs root (chroot)"
for tool in skopeo umoci python3; do
  command -v "$tool" >/dev/null ||
    skip "$tool is not installed (scripts/install-deps --with-peers)"
done
if [[ ! -s $images/debian-app.oci/index.json ]]; then
  for tool in debootstrap buildah; do
    command -v "$tool" >/dev/null ||
      skip "$tool is not installed (scripts/install-deps --with-peers)"
  done
fi
"$root_dir/scripts/make-example-image" --out "$images"

work=$(mktemp -d "${TMPDIR:-/tmp}/cinch-slim-e2e.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=oci:$images/debian-app.oci:latest

# Sum of the layer blob sizes skopeo reports for image $1.
compressed_size() {
  skopeo inspect --raw "$1" | python3 -c '
import json, sys
print(sum(l["size"] for l in json.load(sys.stdin)["layers"]))'
}

# Unpacks image $1 (an OCI layout reference DIR:TAG) with umoci into $2.
unpack() {
  umoci unpack --image "$1" "$2" >/dev/null || fail "umoci unpack $1"
}

# --- (a) distroless --------------------------------------------------------
"$cinch" slim -q "$src" --distroless -o "oci:$work/thin:latest" \
  --report "$work/thin.json" >"$work/thin.out" ||
  fail "cinch slim --distroless exited $?: $(cat "$work/thin.out")"
"$cinch" slim -q "$src" --distroless -o "oci:$work/thin2:latest" \
  >/dev/null || fail "second cinch slim --distroless"
d1=$(skopeo inspect --format '{{.Digest}}' "oci:$work/thin:latest")
d2=$(skopeo inspect --format '{{.Digest}}' "oci:$work/thin2:latest")
[[ $d1 == "$d2" ]] || fail "two runs gave $d1 and $d2"
user=$(skopeo inspect --config "oci:$work/thin:latest" | python3 -c '
import json, sys; print(json.load(sys.stdin)["config"]["User"])')
[[ $user == 65532 ]] || fail "user is '$user', not 65532"

before=$(compressed_size "$src")
after=$(compressed_size "oci:$work/thin:latest")
((after * 100 <= before * 40)) ||
  fail "distroless output is $after bytes of $before (less than 60% smaller)"
echo "distroless: $before -> $after bytes ($((100 - after * 100 / before))% smaller)"

unpack "$work/thin:latest" "$work/thin.bundle"
rootfs=$work/thin.bundle/rootfs
[[ -e $rootfs/opt/app/app.py ]] || fail "the app is gone"
[[ ! -e $rootfs/usr/bin/apt-get && ! -e $rootfs/usr/bin/dash ]] ||
  fail "a package manager or shell survived --distroless"
grep -q ':65532:' "$rootfs/etc/passwd" || fail "no passwd entry for 65532"
out=$(chroot --userspec=65532:65532 "$rootfs" /usr/bin/python3 \
  /opt/app/app.py) || fail "the app does not run in the distroless image"
[[ $out == "hello from "* ]] || fail "the app printed '$out'"
smoke=$("$cinch" slim -q "$src" --distroless -o "oci:$work/thin3:latest" \
  --smoke-test '') || fail "cinch --smoke-test failed: $smoke"
grep -q 'hello from' <<<"$smoke" || fail "smoke test output: $smoke"

# --- (b) default slim, archives ---------------------------------------------
for dest in "docker-archive:$work/fat.docker.tar:example/app:slim" \
  "oci-archive:$work/fat.oci.tar:slim"; do
  "$cinch" slim -q "$src" -o "$dest" >/dev/null || fail "cinch slim -o $dest"
  ref=${dest%:*}
  [[ $dest == docker-archive:* ]] && ref=${dest%:example/app:slim}
  skopeo inspect "$ref" >/dev/null || fail "skopeo inspect $ref"
done
skopeo copy -q "oci-archive:$work/fat.oci.tar:slim" "oci:$work/fat:slim" ||
  fail "skopeo copy of the oci-archive"
unpack "$work/fat:slim" "$work/fat.bundle"
[[ ! -e $work/fat.bundle/rootfs/usr/share/doc/python3 ]] || fail "docs survived"
[[ -e $work/fat.bundle/rootfs/usr/bin/apt-get ]] || fail "apt-get was removed"
chroot --userspec=65532:65532 "$work/fat.bundle/rootfs" /usr/bin/python3 \
  /opt/app/app.py >/dev/null || fail "the app does not run in the slim image"

# --- (c) a C program against Debian's zlib ------------------------------------
if command -v gcc >/dev/null && [[ -e /usr/include/zlib.h ]]; then
  cat >"$work/zver.c" <<'C'
#include <stdio.h>
#include <zlib.h>
int main(void) {
  printf("zlib %s\n", zlibVersion());
  return 0;
}
C
  gcc -O2 -o "$work/zver" "$work/zver.c" -lz || fail "gcc"
  cp -r "$images/debian-app.oci" "$work/c.oci"
  umoci insert --image "$work/c.oci:latest" "$work/zver" /usr/local/bin/zver \
    >/dev/null || fail "umoci insert"
  umoci config --image "$work/c.oci:latest" --clear=config.cmd \
    --config.entrypoint /usr/local/bin/zver >/dev/null || fail "umoci config"
  "$cinch" slim -q "oci:$work/c.oci:latest" --distroless \
    -o "oci:$work/c-thin:latest" --report "$work/c.json" >/dev/null ||
    fail "cinch slim of the C program"
  unpack "$work/c-thin:latest" "$work/c.bundle"
  out=$(chroot --userspec=65532:65532 "$work/c.bundle/rootfs" \
    /usr/local/bin/zver) || fail "the C program does not run"
  [[ $out == "zlib "* ]] || fail "the C program printed '$out'"
  python3 - "$work/c.json" <<'PY' || fail "libz is not in the closure"
import json, sys
closure = json.load(open(sys.argv[1]))["entrypoint"]["closure"]
sys.exit(0 if any("libz.so" in p for p in closure) else 1)
PY
else
  echo "note: gcc or zlib.h missing; the C program check is skipped"
fi

# --- (d) refusing to break ----------------------------------------------------
# A program installed under /usr/share/doc: removing docs would break it.
cp -r "$images/debian-app.oci" "$work/d.oci"
printf '#!/usr/bin/python3\nprint("tool")\n' >"$work/tool"
chmod 755 "$work/tool"
umoci insert --image "$work/d.oci:latest" "$work/tool" \
  /usr/share/doc/tool/run >/dev/null || fail "umoci insert"
umoci config --image "$work/d.oci:latest" --clear=config.cmd \
  --config.entrypoint /usr/share/doc/tool/run >/dev/null
if "$cinch" slim -q "oci:$work/d.oci:latest" -o "oci:$work/d-out" \
  2>"$work/d.err"; then
  fail "slim of an image whose entrypoint is under /usr/share/doc succeeded"
fi
grep -q 'would break the entrypoint' "$work/d.err" ||
  fail "unexpected error: $(cat "$work/d.err")"
[[ ! -e $work/d-out ]] || fail "a refused slim left output behind"
"$cinch" slim -q "oci:$work/d.oci:latest" -o "oci:$work/d-out" \
  --keep /usr/share/doc/tool >/dev/null || fail "--keep did not help"

# --- (e) a Node.js script -----------------------------------------------------
node_bin=$(command -v node || true)
if [[ -n $node_bin ]]; then
  mkdir -p "$work/web/node_modules/greet"
  printf 'module.exports = (who) => "hello from node, " + who;\n' \
    >"$work/web/node_modules/greet/index.js"
  printf 'const greet = require("greet");\nconsole.log(greet(process.version));\n' \
    >"$work/web/main.js"
  cp -r "$images/debian-app.oci" "$work/e.oci"
  umoci insert --image "$work/e.oci:latest" "$(readlink -f "$node_bin")" \
    /usr/bin/node >/dev/null || fail "umoci insert node"
  umoci insert --image "$work/e.oci:latest" "$work/web" /srv/web >/dev/null ||
    fail "umoci insert web"
  umoci config --image "$work/e.oci:latest" --clear=config.cmd \
    --config.cmd node --config.cmd main.js --config.workingdir /srv/web \
    >/dev/null || fail "umoci config"
  unpack "$work/e.oci:latest" "$work/e-fat.bundle"
  if chroot "$work/e-fat.bundle/rootfs" /usr/bin/node --version >/dev/null 2>&1; then
    "$cinch" slim -q "oci:$work/e.oci:latest" --distroless \
      -o "oci:$work/e-thin:latest" >/dev/null || fail "cinch slim of the Node app"
    unpack "$work/e-thin:latest" "$work/e.bundle"
    [[ ! -e $work/e.bundle/rootfs/usr/bin/python3 ]] ||
      fail "--distroless kept python3 in a Node image"
    # No shell is left: run node directly (modules resolve from the
    # script's own directory).
    # A clean environment: the image's, not this machine's NODE_* settings.
    out=$(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin chroot --userspec=65532:65532 \
      "$work/e.bundle/rootfs" /usr/bin/node /srv/web/main.js 2>&1) ||
      fail "the Node app does not run in the distroless image: $out"
    [[ $out == "hello from node, v"* ]] || fail "the Node app printed '$out'"
    echo "ok: a Node.js app still runs after --distroless"
  else
    echo "note: this machine's node does not run on the example image; skipped"
  fi
else
  echo "note: no node on this machine; the Node.js check is skipped"
fi
echo "ok"
