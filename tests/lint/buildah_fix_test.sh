#!/usr/bin/env bash
# Proves `cinch lint --fix` on real builds: builds a Dockerfile before and
# after the fix with buildah (chroot isolation, vfs storage, a private
# store) FROM a local image made of a static busybox and fake package
# managers, then checks the fixed one builds and is not larger.
# No network: the base image is made here and never pulled.
# Usage: buildah_fix_test.sh CINCH WORKDIR. Exit 77 = skipped.
set -euo pipefail
cinch=$1
work=$2
busybox=/bin/busybox

command -v buildah >/dev/null || { echo "skip: no buildah"; exit 77; }
[[ $(id -u) -eq 0 ]] || { echo "skip: needs root"; exit 77; }
file "$busybox" 2>/dev/null | grep -q 'statically linked' ||
  ldd "$busybox" 2>&1 | grep -q 'not a dynamic' ||
  { echo "skip: no static busybox (Debian package busybox-static)"; exit 77; }

rm -rf "$work"
mkdir -p "$work/rootfs/bin" "$work/ctx"
store=(--root "$work/store" --runroot "$work/run" --storage-driver vfs)
cleanup() { buildah "${store[@]}" rm --all >/dev/null 2>&1 || true; }
trap cleanup EXIT

# A tiny root filesystem: busybox and its applets, plus stand-ins for apk,
# apt-get and pip that leave caches behind unless told not to, the way the
# real tools do.
cp "$busybox" "$work/rootfs/bin/busybox"
for applet in sh mkdir rm dd cat echo true ls chmod ln; do
  ln -s busybox "$work/rootfs/bin/$applet"
done
cat > "$work/rootfs/bin/apk" <<'SH'
#!/bin/sh
case " $* " in *" --no-cache "*) ;; *) mkdir -p /var/cache/apk
  dd if=/dev/zero of=/var/cache/apk/APKINDEX.tar.gz bs=1024 count=512 2>/dev/null;;
esac
mkdir -p /usr/lib/pkg && echo "$*" > /usr/lib/pkg/apk
SH
cat > "$work/rootfs/bin/apt-get" <<'SH'
#!/bin/sh
case "$1" in
  update) mkdir -p /var/lib/apt/lists
    dd if=/dev/zero of=/var/lib/apt/lists/main bs=1024 count=1024 2>/dev/null;;
  *) mkdir -p /usr/lib/pkg && echo "$*" > /usr/lib/pkg/apt
    case " $* " in *" --no-install-recommends "*) ;; *)
      dd if=/dev/zero of=/usr/lib/pkg/recommends bs=1024 count=256 2>/dev/null;;
    esac;;
esac
SH
cat > "$work/rootfs/bin/pip" <<'SH'
#!/bin/sh
case " $* " in *" --no-cache-dir "*) ;; *) mkdir -p /root/.cache/pip
  dd if=/dev/zero of=/root/.cache/pip/wheel bs=1024 count=256 2>/dev/null;;
esac
mkdir -p /usr/lib/pkg && echo "$*" > /usr/lib/pkg/pip
SH
chmod 755 "$work/rootfs/bin/apk" "$work/rootfs/bin/apt-get" "$work/rootfs/bin/pip"

c=$(buildah "${store[@]}" from scratch)
buildah "${store[@]}" copy "$c" "$work/rootfs" / >/dev/null
buildah "${store[@]}" config --cmd /bin/sh "$c"
buildah "${store[@]}" commit -q "$c" localhost/cinch-tiny >/dev/null

cat > "$work/ctx/Dockerfile" <<'DF'
FROM localhost/cinch-tiny
# keep this comment and the odd spacing below
RUN   apk add curl=8.5.0-r0
RUN apt-get update && \
    apt-get install -y curl=7.88.1-10
RUN pip install flask==3.0.2
CMD /bin/sh -x
DF
cp "$work/ctx/Dockerfile" "$work/ctx/Dockerfile.before"
"$cinch" -q lint --fix "$work/ctx/Dockerfile" >/dev/null || true
if cmp -s "$work/ctx/Dockerfile" "$work/ctx/Dockerfile.before"; then
  echo "FAIL: --fix changed nothing"; exit 1
fi
diff -u "$work/ctx/Dockerfile.before" "$work/ctx/Dockerfile" || true

build() {  # build DOCKERFILE TAG -> prints the image's layer bytes
  buildah "${store[@]}" bud --isolation chroot --pull=false -q \
    -f "$1" -t "$2" "$work/ctx" >/dev/null
  rm -rf "$work/out-$2"
  buildah "${store[@]}" push -q --disable-compression "$2" "dir:$work/out-$2" >/dev/null
  du -sb "$work/out-$2" | cut -f1
}
before=$(build "$work/ctx/Dockerfile.before" before)
after=$(build "$work/ctx/Dockerfile" after)
echo "image bytes: before $before, after $after"
if (( after > before )); then
  echo "FAIL: the fixed Dockerfile builds a larger image"; exit 1
fi
# The fixed image still has what the original installed.
buildah "${store[@]}" from --name check after >/dev/null
mnt=$(buildah "${store[@]}" mount check)
for f in apk apt pip; do
  [[ -s "$mnt/usr/lib/pkg/$f" ]] || { echo "FAIL: $f step lost"; exit 1; }
done
[[ ! -e "$mnt/var/lib/apt/lists/main" ]] || { echo "FAIL: apt lists kept"; exit 1; }
buildah "${store[@]}" umount check >/dev/null
echo "ok: the fixed Dockerfile builds and is not larger"
