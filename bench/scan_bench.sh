#!/usr/bin/env bash
# Times `cinch db import` of the whole shared advisory data set and
# `cinch scan` of SBOMs with over a thousand packages, against the goal of
# a scan under 100 ms once the SBOM is known: the real package list of a
# Debian 12 host (few findings, the usual case) and a synthetic worst case
# in which every language package is a vulnerable version. Best and
# median of 5 runs, peak memory (/usr/bin/time -v), and the phases that
# `cinch -vv scan` reports. No peer is timed: Trivy cannot scan without
# downloading its own database.
#
# Usage: bench/scan_bench.sh [CINCH_BINARY]
# Needs the shared data set (CINCH_SHARED_DATA or ../shared/data).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cinch=${1:-$root/build/cinch}
data=${CINCH_SHARED_DATA:-$root/../shared/data}
[[ -d $data/osv ]] || { echo "skip: no shared data at $data"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[[ -n ${KEEP:-} ]] && trap - EXIT && echo "work: $work"

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc; }

# 1. Import everything, then import it again (idempotent: all unchanged).
t0=$(now)
"$cinch" db import --db "$work/db" "$data"/osv/*.zip "$data/osv/alpine-secdb" \
  >/dev/null
t1=$(now)
"$cinch" db import --db "$work/db" "$data"/osv/*.zip "$data/osv/alpine-secdb" \
  >/dev/null
t2=$(now)
echo "import (fresh):   $(elapsed "$t0" "$t1") s"
echo "import (again):   $(elapsed "$t1" "$t2") s"
"$cinch" db status --db "$work/db" | sed -n 2p

# 2. An SBOM of the Debian 12 security archive's packages (binary package,
#    version, source) plus PyPI, npm and Go packages drawn from the data.
python3 - "$data" "$work/sbom.json" <<'PY'
import json, sys, zipfile
data, out = sys.argv[1], sys.argv[2]
comps = []
seen = set()
for line in open(f"{data}/debian12/bookworm-security-amd64-packages.jsonl"):
    r = json.loads(line)
    key = (r["package"], r["version"])
    if key in seen:
        continue
    seen.add(key)
    purl = f"pkg:deb/debian/{r['package']}@{r['version']}?arch=amd64&distro=debian-12"
    comps.append({"type": "library", "name": r["package"],
                  "version": r["version"], "purl": purl, "bom-ref": purl,
                  "properties": [{"name": "cinch:package:source_name",
                                  "value": r.get("source", "")},
                                 {"name": "cinch:package:source_version",
                                  "value": r.get("source_version", "")}]})
for eco, ptype in (("PyPI", "pypi"), ("Go", "golang")):
    with zipfile.ZipFile(f"{data}/osv/{eco}.zip") as z:
        for name in z.namelist()[:300]:
            rec = json.loads(z.read(name))
            for a in rec.get("affected", [])[:1]:
                vs = a.get("versions") or ["0.0.1"]
                n = a["package"]["name"]
                purl = f"pkg:{ptype}/{n}@{vs[0]}"
                comps.append({"type": "library", "name": n, "version": vs[0],
                              "purl": purl, "bom-ref": purl})
doc = {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
       "metadata": {"component": {"type": "operating-system", "name": "debian",
                                  "version": "12"}},
       "components": comps + [{"type": "operating-system", "name": "debian",
                               "version": "12"}]}
json.dump(doc, open(out, "w"))
print(f"sbom: {len(comps)} packages")
PY

# 3. The real dpkg status database of a Debian 12 host, as cinch lists it.
mkdir -p "$work/rootfs/var/lib/dpkg" "$work/rootfs/etc"
cp "$data/debian12/dpkg-status.bookworm-build-host" \
  "$work/rootfs/var/lib/dpkg/status"
printf 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' \
  >"$work/rootfs/etc/os-release"
"$cinch" -q sbom -o "$work/host.json" "rootfs:$work/rootfs"

# 4. Scan each a few times; report the best, the median and peak memory.
scan() {  # NAME SBOM FORMAT
  local times=() t0 t1
  for _ in 1 2 3 4 5; do
    t0=$(now)
    "$cinch" -q scan --db "$work/db" -f "$3" -o "$work/out" "$2" \
      2>/dev/null || true
    t1=$(now)
    times+=("$(elapsed "$t0" "$t1")")
  done
  local sorted peak phases
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  /usr/bin/time -v -o "$work/time.txt" "$cinch" -q scan --db "$work/db" \
    -f "$3" -o "$work/out" "$2" >/dev/null 2>&1 || true
  peak=$(awk '/Maximum resident/ {print int($6 / 1024)}' "$work/time.txt")
  phases=$("$cinch" -vv scan --db "$work/db" -f "$3" -o "$work/out" "$2" \
    2>&1 | sed -n 's/.*scan: database opened/database opened/p')
  echo "$1, $3:"
  echo "  runs (s):  $(echo "$sorted" | tr '\n' ' ')"
  echo "  best:      $(echo "$sorted" | head -1) s, median" \
    "$(echo "$sorted" | sed -n 3p) s (goal 0.100 s); peak ${peak} MB"
  echo "  phases:    $phases"
}
scan "Debian 12 host" "$work/host.json" json
scan "Debian 12 host" "$work/host.json" table
scan "synthetic worst case" "$work/sbom.json" json
scan "synthetic worst case" "$work/sbom.json" table
