#!/usr/bin/env bash
# cinch against skopeo with a registry in between: Debian's
# docker-registry, started here on 127.0.0.1 and holding the big example
# image (over 1 GB uncompressed). Measured in the same run:
#   push   cinch copy oci:LAYOUT docker://...     vs  skopeo copy (same)
#   pull   cinch inspect docker://... (blobs streamed into the layer walk)
#          vs  skopeo copy docker://... oci:DIR, then cinch inspect oci:DIR
#          (what a scanner that needs a local copy does), and skopeo copy
#          alone.
# Wall time and peak RSS come from /usr/bin/time -v; each command runs
# --repeat times (default 3; pushes go to a fresh repository each time)
# and the fastest run is kept. Prints a table and writes JSON. Not part
# of the test run: start it by hand.
#
# Usage: bench/registry_bench.sh [--cinch BIN] [--layout DIR] [--out FILE]
#                                [--repeat N]
#   --cinch   the cinch binary (default: build/cinch)
#   --layout  an OCI layout to use (default: the big example image,
#             built into build/images by scripts/make-example-image --big)
#   --out     the JSON results (default: build/bench/registry.json)
set -euo pipefail

root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cinch=$root_dir/build/cinch
layout=""
out=$root_dir/build/bench/registry.json
repeat=3

while (($#)); do
  case $1 in
    --cinch) cinch=$2; shift ;;
    --layout) layout=$2; shift ;;
    --out) out=$2; shift ;;
    --repeat) repeat=$2; shift ;;
    -h | --help) sed -n '2,21s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "registry_bench: unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

python=/usr/bin/python3
for tool in /usr/bin/time docker-registry skopeo "$python" "$cinch"; do
  [[ -x $(command -v "$tool") ]] || {
    echo "registry_bench: $tool is missing (scripts/install-deps" \
         "--with-peers; build cinch first)" >&2
    exit 1
  }
done
if [[ -z $layout ]]; then
  "$root_dir/scripts/make-example-image" --big --out "$root_dir/build/images"
  layout=$root_dir/build/images/debian-app-big.oci
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/cinch-registry-bench.XXXXXX")
registry_pid=""
cleanup() {
  if [[ -n $registry_pid ]]; then
    kill "$registry_pid" 2>/dev/null || true
    wait "$registry_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
export HOME=$work/home DOCKER_CONFIG=$work/home/.docker
unset REGISTRY_AUTH_FILE XDG_RUNTIME_DIR
mkdir -p "$HOME"

port=$("$python" -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
host=127.0.0.1:$port
cat >"$work/config.yml" <<YML
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/storage}}
http: {addr: $host}
YML
docker-registry serve "$work/config.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 100); do
  "$python" -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" \
    2>/dev/null && break
  sleep 0.1
done

compressed=$(find "$layout/blobs" -type f -printf '%s\n' |
  awk '{ n += $1 } END { print n }')

# measure NAME SETUP COMMAND...: runs SETUP (a shell snippet, may be ":"
# and sees $run, the run's number) and then COMMAND $repeat times; COMMAND
# sees $run as "{run}" replaced. Appends "NAME <tab> wall s <tab> CPU s
# <tab> peak RSS kB" for the fastest run.
measure() {
  local name=$1 setup=$2 best="" cpu="" rss="" run
  shift 2
  for ((run = 0; run < repeat; run++)); do
    eval "$setup"
    local args=("${@//\{run\}/$run}")
    if ! /usr/bin/time -v -o "$work/time" "${args[@]}" >/dev/null \
      2>"$work/err"; then
      echo "registry_bench: $name failed:" >&2
      tail -n 5 "$work/err" >&2
      exit 1
    fi
    read -r wall used kb < <("$python" - "$work/time" <<'PY'
import sys
wall = kb = None
used = 0.0
for line in open(sys.argv[1]):
    key, _, value = line.strip().rpartition(": ")
    if key in ("User time (seconds)", "System time (seconds)"):
        used += float(value)
    elif key.startswith("Elapsed (wall clock) time"):
        seconds = 0.0
        for part in value.split(":"):
            seconds = seconds * 60 + float(part)
        wall = seconds
    elif key == "Maximum resident set size (kbytes)":
        kb = int(value)
print(wall, used, kb)
PY
)
    if [[ -z $best ]] || "$python" -c "import sys; sys.exit(not $wall < $best)"
    then
      best=$wall cpu=$used rss=$kb
    fi
  done
  printf '%s\t%s\t%s\t%s\n' "$name" "$best" "$cpu" "$rss" \
    >>"$work/results.tsv"
  printf '  %-34s %8.2fs %8.2fs CPU %8.1f MB\n' "$name" "$best" "$cpu" "$(
    "$python" -c "print($rss / 1024)")" >&2
}

echo "registry_bench: $(nproc) cores, $((compressed / 1000000)) MB of" \
     "blobs, best of $repeat" >&2
cat "$layout"/blobs/sha256/* >/dev/null  # a warm page cache for both
: >"$work/results.tsv"

# Pushes: a fresh repository per run, so every blob is sent.
measure "cinch copy (push)" : "$cinch" copy -q "oci:$layout" \
  "docker://$host/cinch/run{run}:1"
measure "skopeo copy (push)" : skopeo copy --quiet --dest-tls-verify=false \
  "oci:$layout" "docker://$host/skopeo/run{run}:1"

ref=docker://$host/cinch/run0:1
measure "cinch inspect docker://" : "$cinch" inspect --format json "$ref"
measure "skopeo copy to oci: (pull)" "rm -rf '$work/pulled'" skopeo copy \
  --quiet --src-tls-verify=false "$ref" "oci:$work/pulled:app"
measure "skopeo copy + cinch inspect" "rm -rf '$work/pulled'" bash -c \
  'skopeo copy --quiet --src-tls-verify=false "$1" "oci:$2:app" &&
   "$3" inspect --format json "oci:$2:app"' _ "$ref" "$work/pulled" "$cinch"

mkdir -p "$(dirname "$out")"
"$python" - "$work/results.tsv" "$out" "$compressed" "$(nproc)" "$repeat" \
  <<'PY'
import json, os, sys
results_tsv, out, compressed, cores, repeat = sys.argv[1:]
rows = {}
for line in open(results_tsv):
    name, wall, cpu, kb = line.rstrip("\n").split("\t")
    rows[name] = {"seconds": float(wall), "cpu_seconds": float(cpu),
                  "peak_rss_bytes": int(kb) * 1024}

def ratio(a, b):
    return rows[b]["seconds"] / rows[a]["seconds"]

summary = {
    # > 1: cinch is faster.
    "push_speedup_vs_skopeo": ratio("cinch copy (push)", "skopeo copy (push)"),
    "pull_inspect_speedup_vs_skopeo_then_inspect":
        ratio("cinch inspect docker://", "skopeo copy + cinch inspect"),
    "pull_inspect_speedup_vs_skopeo_copy_alone":
        ratio("cinch inspect docker://", "skopeo copy to oci: (pull)"),
    "cinch_peak_rss_mb": max(r["peak_rss_bytes"] for n, r in rows.items()
                             if n.startswith("cinch")) / 2**20,
}
goals = {"pull_inspect_speedup_vs_skopeo_then_inspect": "> 1",
         "push_speedup_vs_skopeo": ">= 1"}
doc = {"schema_version": 1, "cores": int(cores), "repeat": int(repeat),
       "load_average": os.getloadavg()[0], "compressed_bytes": int(compressed),
       "runs": rows, "summary": summary, "goals": goals}
with open(out, "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")

print(f"{'command':<36}{'seconds':>9}{'CPU s':>9}{'peak MB':>9}")
for name, r in rows.items():
    print(f"{name:<36}{r['seconds']:>9.2f}{r['cpu_seconds']:>9.2f}"
          f"{r['peak_rss_bytes'] / 2**20:>9.1f}")
for key, value in summary.items():
    print(f"{key}: {value:.2f}")
PY
