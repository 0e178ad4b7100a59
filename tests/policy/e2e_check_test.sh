#!/usr/bin/env bash
# `cinch check` on the example Debian image (scripts/make-example-image,
# built into IMAGES_DIR when missing) with a policy it breaks: it runs as
# root, is tagged latest, ships an 8 MB deleted build artefact, has no
# source label, a shell and apt, and its Dockerfile leaves the apt lists.
# Then the playbook's remedy: `cinch slim --distroless` and `cinch lint
# --fix` make the same image and Dockerfile pass a policy of the same
# kind (exit 0).
# Skipped (77) when the image is missing and debootstrap/buildah are too.
# Usage: e2e_check_test.sh CINCH SOURCE_DIR IMAGES_DIR
set -euo pipefail
cinch=$1
src=$2
images=$3
if [[ ! -s $images/debian-app.oci.tar ]]; then
  for tool in debootstrap buildah; do
    command -v "$tool" >/dev/null || {
      echo "SKIP: $tool is not installed (scripts/install-deps --with-peers)"
      exit 77
    }
  done
  "$src/scripts/make-example-image" --out "$images"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CINCH_NOW=2026-01-01T00:00:00Z

cat >"$work/policy.yaml" <<'POLICY'
version: 1
rules:
  max-size: {uncompressed: 2GB}
  max-waste: {bytes: 4MB}
  non-root: true
  no-latest: true
  required-labels: [org.opencontainers.image.source]
  no-secrets: true
  no-shell: true
  no-package-manager: true
  lint: {failure-threshold: warning}
POLICY

status=0
"$cinch" check -q --policy "$work/policy.yaml" \
  --dockerfile "$src/examples/debian-app/Dockerfile" \
  -o json="$work/out.json" -o sarif="$work/out.sarif" \
  "oci:$images/debian-app.oci:latest" >"$work/out.txt" || status=$?
cat "$work/out.txt"
[[ $status == 1 ]] || { echo "FAIL: exit $status, want 1" >&2; exit 1; }
head -1 "$work/out.txt" | grep -q '^FAIL ' || { echo "FAIL: verdict" >&2; exit 1; }
python3 - "$work/out.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
rules = {v["rule"] for v in doc["violations"]}
want = {"CP1003", "CP2001", "CP2002", "CP2005", "CP5001", "CP5002", "CP4001"}
missing = want - rules
assert not missing, f"missing {missing}; got {rules}"
assert "CP1001" not in rules and "CP1002" not in rules, rules
assert doc["facts"]["os"]["id"] == "debian"
assert any(p["name"] == "python3" for p in doc["facts"]["packages"])
print("e2e.check ok:", sorted(rules))
PY

# --- after cinch slim and cinch lint --fix --------------------------------
cp "$src/examples/debian-app/Dockerfile" "$work/Dockerfile"
"$cinch" lint -q --fix "$work/Dockerfile" >/dev/null || true
grep -q 'rm -rf /var/lib/apt/lists' "$work/Dockerfile" ||
  { echo "FAIL: lint --fix did not clean the apt lists" >&2; exit 1; }
"$cinch" slim -q --distroless "oci:$images/debian-app.oci:latest" \
  -o "oci:$work/slim:1.0" >/dev/null
cat >"$work/after.yaml" <<'POLICY'
version: 1
rules:
  max-size: {uncompressed: 2GB}
  max-waste: {bytes: 4MB}
  non-root: true
  no-latest: true
  no-secrets: true
  no-shell: true
  no-package-manager: true
  lint: {failure-threshold: error}
POLICY
status=0
"$cinch" check -q --policy "$work/after.yaml" --dockerfile "$work/Dockerfile" \
  "oci:$work/slim:1.0" >"$work/after.txt" || status=$?
cat "$work/after.txt"
[[ $status == 0 ]] || { echo "FAIL: after slim and lint --fix: exit $status, want 0" >&2; exit 1; }
head -1 "$work/after.txt" | grep -q '^PASS ' || { echo "FAIL: verdict after" >&2; exit 1; }
echo "e2e.check ok: passes after cinch slim and cinch lint --fix"
