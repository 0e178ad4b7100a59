#!/usr/bin/env bash
# What `cinch slim` saves on the example image (Debian 12 + python3), per
# transformation, and how fast it goes:
#   - bytes each step removes (the --dry-run report: squash, docs, man,
#     locales, caches, tmp, logs, distroless), uncompressed;
#   - compressed image size before and after, for the default slim, the
#     default slim with zstd, --keep-base 1 and --distroless;
#   - throughput (MB of uncompressed input per second of wall time) and
#     peak RSS from /usr/bin/time -v, against `skopeo copy` of the same
#     image to an OCI layout (which also reads and writes every blob, but
#     decompresses nothing) measured in the same run.
# Each command runs --repeat times (default 3); the fastest run is kept.
#
# Usage: bench/slim_bench.sh [--cinch BIN] [--images DIR] [--repeat N]
#   --cinch   the cinch binary (default: build/cinch)
#   --images  where scripts/make-example-image puts the example image
#             (default: build/images; built there if missing)
set -euo pipefail

root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cinch=$root_dir/build/cinch
images=$root_dir/build/images
repeat=3
while (($#)); do
  case $1 in
    --cinch) cinch=$2; shift ;;
    --images) images=$2; shift ;;
    --repeat) repeat=$2; shift ;;
    *) echo "slim_bench: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -x /usr/bin/time ]] || { echo "slim_bench: needs /usr/bin/time (package time)" >&2; exit 1; }
"$root_dir/scripts/make-example-image" --out "$images" >/dev/null
src=oci:$images/debian-app.oci:latest
work=$(mktemp -d "${TMPDIR:-/tmp}/cinch-slim-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Runs "$@" $repeat times; prints "seconds peak_kb" of the fastest run.
measure() {
  local best="" rss=0 i
  for ((i = 0; i < repeat; i++)); do
    rm -rf "$work/out" "$work/out.tar"
    /usr/bin/time -v -o "$work/time" "$@" >/dev/null 2>&1 || {
      echo "slim_bench: failed: $*" >&2; exit 1; }
    local wall kb
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
      n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]
      print s }' "$work/time")
    kb=$(awk -F': ' '/Maximum resident/ {print $2}' "$work/time")
    if [[ -z $best ]] || awk -v a="$wall" -v b="$best" 'BEGIN{exit !(a < b)}'; then
      best=$wall rss=$kb
    fi
  done
  echo "$best $rss"
}

compressed() {
  skopeo inspect --raw "$1" | python3 -c '
import json, sys
print(sum(l["size"] for l in json.load(sys.stdin)["layers"]))'
}

echo "== bytes each step would save (uncompressed, --dry-run)"
"$cinch" slim -q "$src" --dry-run --distroless --report "$work/plan.json" \
  >/dev/null
python3 - "$work/plan.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for s in r["steps"]:
    print(f'{s["step"]:<12} {s["files"]:>7} files {s["bytes"] / 1e6:>9.1f} MB')
b = r["before"]
print(f'input: {b["layers"]} layers, {b["compressed_bytes"] / 1e6:.1f} MB '
      f'compressed, {b["uncompressed_bytes"] / 1e6:.1f} MB uncompressed')
PY
input_bytes=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["before"]["uncompressed_bytes"])' "$work/plan.json")
before=$(compressed "$src")

echo
echo "== output size and speed (fastest of $repeat)"
printf '%-22s %10s %8s %8s %9s %9s\n' run "MB out" saved seconds "MB/s in" "peak MB"
run() {
  local name=$1; shift
  read -r secs kb < <(measure "$@")
  local size=""
  if [[ -d $work/out ]]; then size=$(compressed "oci:$work/out:latest"); fi
  python3 - "$name" "$secs" "$kb" "${size:-0}" "$before" "$input_bytes" <<'PY'
import sys
name, secs, kb, size, before, inp = sys.argv[1:]
secs, kb, size, before, inp = float(secs), int(kb), int(size), int(before), int(inp)
saved = f'{100 * (1 - size / before):.1f}%' if size else '-'
print(f'{name:<22} {size / 1e6:>10.1f} {saved:>8} {secs:>8.2f} '
      f'{inp / 1e6 / secs:>9.1f} {kb / 1024:>9.1f}')
PY
}
run "slim (gzip 6)" "$cinch" slim -q "$src" -o "oci:$work/out:latest"
run "slim --compression zstd" "$cinch" slim -q "$src" --compression zstd \
  -o "oci:$work/out:latest"
run "slim --keep-base 1" "$cinch" slim -q "$src" --keep-base 1 \
  -o "oci:$work/out:latest"
run "slim --distroless" "$cinch" slim -q "$src" --distroless \
  -o "oci:$work/out:latest"
if command -v skopeo >/dev/null; then
  run "peer: skopeo copy" skopeo copy -q "$src" "oci:$work/out:latest"
fi
