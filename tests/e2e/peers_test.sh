#!/usr/bin/env bash
# End-to-end check of `cinch inspect` against independent tools, on the
# example Debian image (scripts/make-example-image, built here if missing):
#  (a) the image as docker-archive, oci and oci-archive, and copies that
#      skopeo converted (oci -> docker-archive, docker-archive -> oci with
#      zstd layers), all show the same visible files;
#  (b) that file list is what `umoci unpack` extracts from the OCI layout
#      (paths, types, regular-file sizes and permissions), so whiteouts are
#      applied the way the OCI reference tooling applies them;
#  (c) one flipped byte in a layer blob makes cinch exit 3 with an error
#      that names the blob's full digest.
# Usage: peers_test.sh CINCH_BINARY IMAGES_DIR
# Exit 77 (skipped) when the image is missing and debootstrap or buildah is
# not installed to build it.
set -euo pipefail

cinch=${1:?usage: peers_test.sh CINCH_BINARY IMAGES_DIR}
images=${2:?usage: peers_test.sh CINCH_BINARY IMAGES_DIR}
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
python=/usr/bin/python3

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# --- The image -------------------------------------------------------------
if [[ ! -s $images/debian-app.oci.tar ]]; then
  for tool in debootstrap buildah; do
    if ! command -v "$tool" >/dev/null; then
      echo "SKIP: $tool is not installed (scripts/install-deps --with-peers)"
      exit 77
    fi
  done
fi
"$root_dir/scripts/make-example-image" --out "$images"
for tool in skopeo umoci "$python"; do
  command -v "$tool" >/dev/null ||
    fail "$tool is not installed: run scripts/install-deps --with-peers"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/cinch-e2e.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Prints cinch's visible files of image $1, one per line:
# path, type, bytes, permission bits (octal) and layer, tab-separated.
cinch_files() {
  "$cinch" inspect --format json --files "$1" >"$work/out.json" ||
    fail "cinch inspect $1 exited $?"
  "$python" - "$work/out.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
files = doc["files"]
paths = [f["path"] for f in files]
if paths != sorted(paths) or len(set(paths)) != len(paths):
    sys.exit("files are not sorted by path, or repeat a path")
for f in files:
    print(f'{f["path"]}\t{f["type"]}\t{f["bytes"]}\t{f["mode"] & 0o7777:o}'
          f'\t{f["layer"]}')
EOF
}

# Fails with a short diff when files $1 and $2 differ; $3 names the pair.
same_or_fail() {
  if ! cmp -s "$1" "$2"; then
    diff "$1" "$2" | head -n 20 >&2
    fail "$3"
  fi
}

# --- (a) every form and conversion shows the same files --------------------
echo "(a) same visible files in every form"
cinch_files "oci:$images/debian-app.oci:latest" >"$work/oci.tsv"
lines=$(wc -l <"$work/oci.tsv")
((lines > 3000)) || fail "only $lines visible files in the example image"

# The example's Dockerfile writes /opt/app/cache/build.bin in one layer and
# deletes the directory in a later one; app.py stays.
grep -q $'^/opt/app/app.py\tfile\t' "$work/oci.tsv" ||
  fail "/opt/app/app.py missing"
! grep -q '^/opt/app/cache' "$work/oci.tsv" ||
  fail "deleted /opt/app/cache still visible"
! grep -q '/\.wh\.' "$work/oci.tsv" || fail "whiteout files listed as files"

forms=("docker-archive:$images/debian-app.docker.tar"
       "oci-archive:$images/debian-app.oci.tar:latest"
       "$images/debian-app.docker.tar" "$images/debian-app.oci")

skopeo copy --quiet "oci:$images/debian-app.oci:latest" \
  "docker-archive:$work/converted.docker.tar:cinch-example:latest" >/dev/null
forms+=("docker-archive:$work/converted.docker.tar")

if skopeo copy --quiet --dest-compress-format zstd \
  "docker-archive:$images/debian-app.docker.tar" \
  "oci:$work/zstd.oci:latest" >/dev/null 2>"$work/skopeo.err"; then
  grep -rq 'tar+zstd' "$work/zstd.oci/blobs" ||
    fail "skopeo wrote no zstd layer"
  forms+=("oci:$work/zstd.oci:latest")
else
  echo "note: this skopeo cannot write zstd layers: $(head -n1 "$work/skopeo.err")"
fi

for form in "${forms[@]}"; do
  echo "  $form"
  cinch_files "$form" >"$work/form.tsv"
  same_or_fail "$work/oci.tsv" "$work/form.tsv" "$form differs from oci"
done

# --- (b) umoci's extraction has exactly these files ------------------------
echo "(b) same files as umoci unpack"
umoci_flags=()
[[ $(id -u) -eq 0 ]] || umoci_flags=(--rootless)
umoci unpack "${umoci_flags[@]}" --image "$images/debian-app.oci:latest" \
  "$work/bundle" >/dev/null 2>"$work/umoci.err" ||
  fail "umoci unpack: $(tail -n 3 "$work/umoci.err")"

# A tar hard link is a second name for a regular file once extracted: cinch
# reports it as "hardlink" with 0 bytes (the bytes belong to the name the
# tar stored first); on disk it is a file with several links, so its size
# is left out and its link count checked. Without root umoci cannot make
# device nodes, so they are left out too.
cat >"$work/disk.py" <<'EOF'
import os, stat, sys
root, uid = sys.argv[1], int(sys.argv[2])
devices = ("chardev", "blockdev")
hardlinks = set()
for line in sys.stdin:
    path, kind, size, mode, _ = line.rstrip("\n").split("\t")
    if kind in devices and uid != 0:
        continue
    if kind == "hardlink":
        hardlinks.add(path)
        kind, size = "file", "-"
    elif kind != "file":
        size = "-"
    if kind == "symlink":
        mode = "-"
    print(f"{path}\t{kind}\t{size}\t{mode}")

kinds = [(stat.S_ISREG, "file"), (stat.S_ISDIR, "dir"), (stat.S_ISLNK, "symlink"),
         (stat.S_ISCHR, "chardev"), (stat.S_ISBLK, "blockdev"),
         (stat.S_ISFIFO, "fifo"), (stat.S_ISSOCK, "socket")]
rows = []
for dirpath, dirnames, filenames in os.walk(root):
    for name in dirnames + filenames:
        full = os.path.join(dirpath, name)
        st = os.lstat(full)
        kind = next(k for test, k in kinds if test(st.st_mode))
        if kind in devices and uid != 0:
            continue
        path = "/" + os.path.relpath(full, root)
        size = str(st.st_size) if kind == "file" else "-"
        if path in hardlinks:
            size = "-" if st.st_nlink > 1 else "one link on disk"
        mode = "-" if kind == "symlink" else f"{stat.S_IMODE(st.st_mode):o}"
        rows.append(f"{path}\t{kind}\t{size}\t{mode}")
with os.fdopen(3, "w") as out:
    out.write("".join(r + "\n" for r in sorted(rows)))
EOF
"$python" "$work/disk.py" "$work/bundle/rootfs" "$(id -u)" \
  <"$work/oci.tsv" >"$work/cinch-as-disk.tsv" 3>"$work/disk.tsv"
same_or_fail "$work/cinch-as-disk.tsv" "$work/disk.tsv" \
  "cinch's files differ from umoci unpack (< cinch, > umoci)"
echo "  $(wc -l <"$work/disk.tsv") paths agree"

# --- (c) a corrupted layer blob is an input error naming the blob ----------
echo "(c) corrupted layer blob"
layer=$("$python" - "$images/debian-app.oci" <<'EOF'
import json, sys
layout = sys.argv[1]
def blob(digest):
    return f"{layout}/blobs/{digest.replace(':', '/')}"
index = json.load(open(f"{layout}/index.json"))
manifest = json.load(open(blob(index["manifests"][0]["digest"])))
print(max(manifest["layers"], key=lambda l: l["size"])["digest"])
EOF
)
# Two places: byte 5 is in the gzip header's MTIME, which decoders ignore,
# so only the SHA-256 check can catch it; the middle byte is deflate data,
# which the gzip CRC may catch before the digest is complete.
for where in mtime middle; do
  rm -rf "$work/corrupt.oci"
  cp -al "$images/debian-app.oci" "$work/corrupt.oci"
  blob=$work/corrupt.oci/blobs/${layer/://}
  # Break the hard link first: the original layout must stay intact.
  cp "$blob" "$blob.new" && mv "$blob.new" "$blob"
  "$python" - "$blob" "$where" <<'EOF'
import os, sys
path, where = sys.argv[1], sys.argv[2]
with open(path, "r+b") as f:
    f.seek(5 if where == "mtime" else os.path.getsize(path) // 2)
    byte = f.read(1)
    f.seek(-1, 1)
    f.write(bytes([byte[0] ^ 0x01]))
EOF
  rc=0
  "$cinch" inspect --format json "oci:$work/corrupt.oci:latest" \
    >/dev/null 2>"$work/corrupt.err" || rc=$?
  ((rc == 3)) || fail "byte flipped in $where: exit $rc, want 3"
  grep -q "${layer#sha256:}" "$work/corrupt.err" ||
    fail "byte flipped in $where: error does not name blob $layer:" \
      "$(cat "$work/corrupt.err")"
  echo "  $where: exit 3: $(head -c 240 "$work/corrupt.err")"
done

# The untouched image must still read cleanly: the failure came from the
# flipped byte, nothing else.
"$cinch" inspect --format json "oci:$images/debian-app.oci:latest" \
  >/dev/null || fail "original layout no longer reads"
echo "PASS"
