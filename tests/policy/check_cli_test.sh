#!/usr/bin/env bash
# `cinch check`, `facts`, `init` and `policy export` end to end on images
# built in code (policy_fixture): exit codes, the summary, and every
# output format validated against its schema (facts and policy: ours;
# SARIF, CycloneDX, SPDX: tests/fixtures/schemas; JUnit: the Apache Ant
# XSD; Kubernetes and Kyverno: tests/fixtures/schemas and the shared
# data). Validation needs python3-jsonschema, python3-yaml and xmllint;
# without them those steps are skipped (exit 77 if none can run).
# Usage: check_cli_test.sh CINCH SOURCE_DIR POLICY_FIXTURE
set -euo pipefail
cinch=$1
src=$2
fixture=$3
schemas=$src/tests/fixtures/schemas
shared=${CINCH_SHARED_DATA:-$src/../shared/data}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CINCH_NOW=2026-01-01T00:00:00Z SOURCE_DATE_EPOCH=1767225600
cd "$work"

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_exit() {  # CODE COMMAND...
  local want=$1; shift
  local got=0
  "$@" >out.txt 2>err.txt || got=$?
  [[ $got == "$want" ]] || {
    cat out.txt err.txt >&2
    fail "exit $got, want $want: $*"
  }
}

python=/usr/bin/python3
[[ -x $python ]] || python=python3
have_jsonschema=0
$python -c 'import jsonschema, yaml' 2>/dev/null && have_jsonschema=1
validate() {  # SCHEMA DOC
  ((have_jsonschema)) || return 0
  $python "$src/tests/tools/validate_json.py" "$1" "$2" ||
    fail "$2 does not match $1"
}
# SARIF's schema names itself by a URL; resolve its references locally.
validate_sarif() {  # DOC
  ((have_jsonschema)) || return 0
  $python - "$schemas/sarif-2.1.0.schema.json" "$1" <<'PY' ||
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
cls = jsonschema.validators.validator_for(schema)
resolver = jsonschema.RefResolver.from_schema(schema, id_of=cls.ID_OF)
errors = list(cls(schema, resolver=resolver).iter_errors(
    json.load(open(sys.argv[2]))))
for e in errors[:5]:
    print("/".join(map(str, e.absolute_path)), e.message, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
    fail "$1 does not match the SARIF 2.1.0 schema"
}

"$fixture" good-img good
"$fixture" bad-img bad

cat >policy.yaml <<'POLICY'
version: 1
rules:
  non-root: true
  no-latest: true
  no-secrets: true
  no-shell: true
  required-labels: [org.opencontainers.image.source]
  max-layers: 5
  lint: {failure-threshold: error}
custom:
  - id: team-layers
    severity: warning
    message: more than one layer
    jq: '.layer_count > 1'
exceptions:
  - id: CP3002          # every secret in that file
    path: app/.env
    reason: a test token, revoked
    owner: alice@example.com
    expires: 2025-12-01
deploy:
  read-only-root-filesystem: true
  drop-all-capabilities: true
  no-privilege-escalation: true
POLICY

# A clean image passes: exit 0, verdict first (with the exception renewed:
# an expired one fails any image).
sed 's/2025-12-01/2026-12-01/' policy.yaml >renewed.yaml
expect_exit 0 "$cinch" check -q --policy renewed.yaml oci:good-img:1.0
head -1 out.txt | grep -q '^PASS ' || fail "no PASS verdict first"

# The bad one fails for the expected reasons, each with its fix, and the
# expired exception says so.
printf 'FROM debian:12\nENTRYPOINT ["/a"]\nENTRYPOINT ["/b"]\n' >Dockerfile
expect_exit 1 "$cinch" check -q --policy policy.yaml --dockerfile Dockerfile \
  -o sarif=out.sarif -o junit=out.xml -o json=out.json -o markdown=out.md \
  -o facts=facts.json -o cyclonedx-json=sbom.cdx.json \
  -o spdx-json=sbom.spdx.json oci:bad-img:latest
head -1 out.txt | grep -q '^FAIL ' || fail "no FAIL verdict first"
for rule in CP2001 CP2002 CP2005 CP3002 CP4001 CP5001 CP9002 team-layers; do
  grep -q " $rule " out.txt || { cat out.txt; fail "$rule not reported"; }
done
grep -q 'expired on 2025-12-01' out.txt || fail "expiry not said"
grep -q '  fix: ' out.txt || fail "no fix printed"
grep -q 'Dockerfile:2' out.txt || fail "lint violation has no line"

# With the exception renewed the secret is excepted, not counted.
expect_exit 1 "$cinch" check -q --policy renewed.yaml oci:bad-img:latest
grep -q '^error CP3002 ' out.txt && fail "excepted secret still counted"
grep -q 'Excepted:' out.txt || fail "excepted list missing"
grep -q '^error CP9002 ' out.txt && fail "unexpired exception reported expired"

# Outputs against their schemas.
validate "$src/docs/schemas/facts-v1.schema.json" facts.json
validate_sarif out.sarif
if ((have_jsonschema)); then
  $python "$src/tests/sbom/validate_sbom.py" "$schemas" sbom.cdx.json \
    sbom.spdx.json || fail "SBOM outputs do not match their schemas"
fi
$python - out.json out.sarif <<'PY' || fail "json/sarif content"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["verdict"] == "fail", doc["verdict"]
rules = {v["rule"] for v in doc["violations"]}
assert {"CP2001", "CP3002", "CP9002"} <= rules, rules
sarif = json.load(open(sys.argv[2]))
regions = [r["locations"][0]["physicalLocation"]
           for r in sarif["runs"][0]["results"] if r["ruleId"] == "CP4001"]
assert regions and regions[0]["artifactLocation"]["uri"] == "Dockerfile"
assert regions[0]["region"]["startLine"] == 2, regions
PY
grep -q '^### :x: cinch check: failed' out.md || fail "markdown heading"
if command -v xmllint >/dev/null; then
  xmllint --noout --schema "$schemas/junit.xsd" out.xml ||
    fail "JUnit does not match the Ant schema"
fi

# cinch facts prints the same document.
expect_exit 0 "$cinch" facts -q oci:good-img:1.0
validate "$src/docs/schemas/facts-v1.schema.json" out.txt
grep -q '"has_shell": false' out.txt || fail "facts: has_shell"

# Usage and input errors.
expect_exit 2 "$cinch" check -q oci:good-img:1.0
expect_exit 2 "$cinch" check -q --policy policy.yaml -o nope=x oci:good-img:1.0
printf 'version: 1\nrulez: {}\n' >typo.yaml
expect_exit 2 "$cinch" check -q --policy typo.yaml oci:good-img:1.0
grep -q 'rulez' err.txt || fail "typo not named"
expect_exit 3 "$cinch" check -q --policy policy.yaml oci:missing-img
expect_exit 3 "$cinch" check -q --policy policy.yaml --db missing.db \
  oci:good-img:1.0

# cinch init writes both files, commented, and refuses to overwrite.
mkdir repo
expect_exit 0 "$cinch" init repo
[[ -s repo/cinch-policy.yaml && -s repo/.cinch.yaml ]] || fail "init files"
grep -q '^# ' repo/cinch-policy.yaml || fail "starter policy not commented"
expect_exit 2 "$cinch" init repo
expect_exit 0 "$cinch" init --force repo
# The starter gate fails closed when vulnerabilities were not checked.
expect_exit 1 "$cinch" check -q --policy repo/cinch-policy.yaml \
  oci:good-img:1.0
grep -q 'CP3001 vulnerabilities were not checked' out.txt ||
  fail "starter policy on the good image: $(cat out.txt)"
grep -c '^[a-z]* CP' out.txt | grep -qx 1 || fail "starter: $(cat out.txt)"
((have_jsonschema)) && $python - "$src/docs/schemas/policy-v1.schema.json" \
  repo/cinch-policy.yaml policy.yaml <<'PY' || fail "policy schema"
import json, sys, jsonschema, yaml
class Loader(yaml.SafeLoader):
    pass
# Keep dates as text, as cinch reads them.
Loader.yaml_implicit_resolvers = {
    k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
schema = json.load(open(sys.argv[1]))
for path in sys.argv[2:]:
    jsonschema.validate(yaml.load(open(path), Loader=Loader), schema)
PY

# policy export: the deploy-time rules as admission policies.
expect_exit 0 "$cinch" policy export --vap policy.yaml -o vap.yaml
expect_exit 0 "$cinch" policy export --kyverno policy.yaml -o kyverno.yaml
expect_exit 2 "$cinch" policy export policy.yaml
grep -q 'readOnlyRootFilesystem' vap.yaml || fail "vap: readOnlyRootFilesystem"
if ((have_jsonschema)); then
  kyverno_crd=$shared/schemas/kyverno-clusterpolicy.crd.yaml
  $python - "$schemas" "$kyverno_crd" vap.yaml kyverno.yaml <<'PY' ||
import json, os, sys, jsonschema, yaml
schemas, crd_path, vap_path, kyverno_path = sys.argv[1:]
docs = list(yaml.safe_load_all(open(vap_path)))
kinds = [d["kind"] for d in docs]
assert kinds == ["ValidatingAdmissionPolicy",
                 "ValidatingAdmissionPolicyBinding"], kinds
for d in docs:
    name = "k8s-" + d["kind"].lower() + ".json"
    jsonschema.validate(d, json.load(open(os.path.join(schemas, name))))
exprs = [v["expression"] for v in docs[0]["spec"]["validations"]]
assert len(exprs) == 5, exprs
if os.path.exists(crd_path):
    crd = yaml.safe_load(open(crd_path))
    v1 = [v for v in crd["spec"]["versions"] if v["name"] == "v1"][0]
    schema = v1["schema"]["openAPIV3Schema"]
    for d in yaml.safe_load_all(open(kyverno_path)):
        jsonschema.Draft7Validator(schema).validate(d)
        assert d["kind"] == "ClusterPolicy"
        assert len(d["spec"]["rules"]) == 5
else:
    print("kyverno CRD absent: schema check skipped", file=sys.stderr)
PY
    fail "export schema"
fi
echo "ok"
