#!/usr/bin/env python3
"""End-to-end checks of `cinch db` and `cinch scan` on the OSV fixtures.

An SBOM is built here with packages whose findings were worked out by hand
from the fixture records (not from cinch's output):
  lodash 4.17.20 (npm)        GHSA-29mw-wpgm-hmr9 = CVE-2020-28500, fixed 4.17.21, CVSS 5.3
  lodash-es 4.17.21 (npm)     same record: fixed version, no finding
  tornado 2.2 (PyPI)          PYSEC-2012-5 = CVE-2012-2374, fixed 2.2.1
  libssl1.1 from openssl 1.1.0l-1~deb9u5 on Debian 9
                              DLA-3008-1 = CVE-2022-1292, fixed 1.1.0l-1~deb9u6
  runc v1.0.2 (Go)            GO-2022-0274 = CVE-2021-43784, fixed 1.1.0
  runc v1.1.0 (Go)            fixed: no finding
SARIF and CycloneDX outputs are validated against their official schemas
when python3-jsonschema is installed.
"""
import json
import os
import subprocess
import sys
import tempfile

cinch, source = sys.argv[1], sys.argv[2]
fixtures = os.path.join(source, "tests", "fixtures")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(*args, stdin=None):
    p = subprocess.run([cinch, "-q", *args], capture_output=True, text=True,
                       input=stdin)
    return p.returncode, p.stdout, p.stderr


def component(name, version, purl, props=()):
    c = {"type": "library", "name": name, "version": version, "purl": purl,
         "bom-ref": purl}
    if props:
        c["properties"] = [{"name": k, "value": v} for k, v in props]
    return c


tmp = tempfile.mkdtemp()
db = os.path.join(tmp, "adv.db")

# Import twice: the second import changes nothing.
rc, out, err = run("db", "import", "--db", db, os.path.join(fixtures, "osv"))
check(rc == 0 and "5 records: 5 added" in out, f"first import: {out}{err}")
rc, out, err = run("db", "import", "--db", db, os.path.join(fixtures, "osv"))
check(rc == 0 and "0 added, 0 updated, 5 unchanged" in out,
      f"re-import is idempotent: {out}{err}")
rc, out, err = run("db", "status", "--db", db, "-f", "json")
status = json.loads(out)
check(status["advisories"] == 5 and status["ecosystems"].get("npm") == 1,
      f"status counts: {out}")
check("warning" in err, "status warns about old data")

sbom = {
    "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
    "metadata": {"component": {"type": "container", "name": "demo"}},
    "components": [
        {"type": "operating-system", "name": "debian", "version": "9"},
        component("lodash", "4.17.20", "pkg:npm/lodash@4.17.20"),
        component("lodash-es", "4.17.21", "pkg:npm/lodash-es@4.17.21"),
        component("tornado", "2.2", "pkg:pypi/tornado@2.2"),
        component("libssl1.1", "1.1.0l-1~deb9u5",
                  "pkg:deb/debian/libssl1.1@1.1.0l-1~deb9u5?distro=debian-9",
                  [("cinch:package:source_name", "openssl")]),
        component("github.com/opencontainers/runc", "v1.0.2",
                  "pkg:golang/github.com/opencontainers/runc@v1.0.2"),
        component("github.com/opencontainers/runc", "v1.1.0",
                  "pkg:golang/github.com/opencontainers/runc@v1.1.0"),
    ]}
sbom_path = os.path.join(tmp, "sbom.json")
json.dump(sbom, open(sbom_path, "w"))

rc, out, err = run("scan", "--db", db, "-f", "json", sbom_path)
check(rc == 0, f"scan exit {rc}: {err}")
report = json.loads(out)
got = sorted((f["id"], f["package"]["name"], f["fixed_version"])
             for f in report["findings"])
want = sorted([
    ("CVE-2020-28500", "lodash", "4.17.21"),
    ("CVE-2012-2374", "tornado", "2.2.1"),
    ("CVE-2022-1292", "libssl1.1", "1.1.0l-1~deb9u6"),
    ("CVE-2021-43784", "github.com/opencontainers/runc", "1.1.0"),
])
check(got == want, f"findings {got} != {want}")
lodash = [f for f in report["findings"] if f["package"]["name"] == "lodash"]
check(lodash and lodash[0]["cvss"]["score"] == 5.3 and
      lodash[0]["severity"] == "medium", "lodash severity from CVSS 3.1")

# --fail-on: the lodash finding is medium, runc's GO record has no score.
rc, _, _ = run("scan", "--db", db, "--fail-on", "medium", sbom_path)
check(rc == 1, f"--fail-on medium exits 1, got {rc}")
rc, _, _ = run("scan", "--db", db, "--fail-on", "critical", sbom_path)
check(rc == 0, f"--fail-on critical exits 0, got {rc}")

# Exceptions: one active, one expired.
exc = os.path.join(tmp, "exceptions.yaml")
open(exc, "w").write(
    "exceptions:\n"
    "  - id: CVE-2020-28500\n    package: lodash\n"
    "    reason: not reachable\n    owner: sec@example.com\n"
    "    expires: 2999-01-01\n"
    "  - id: PYSEC-2012-5\n    reason: old\n    owner: sec@example.com\n"
    "    expires: 2000-01-01\n")
vex = os.path.join(tmp, "vex.json")
json.dump({"@context": "https://openvex.dev/ns/v0.2.0", "@id": "x",
           "author": "t", "timestamp": "2024-01-01T00:00:00Z", "version": 1,
           "statements": [{"vulnerability": {"name": "CVE-2021-43784"},
                           "products": [{"@id": "pkg:golang/github.com/opencontainers/runc@v1.0.2"}],
                           "status": "not_affected",
                           "justification": "vulnerable_code_not_in_execute_path"}]},
          open(vex, "w"))
rc, out, err = run("scan", "--db", db, "-f", "json", "--exceptions", exc,
                   "--vex", vex, sbom_path)
report = json.loads(out)
active = sorted(f["id"] for f in report["findings"])
suppressed = sorted((f["id"], f["suppressed"]["by"])
                    for f in report["suppressed"])
check(active == ["CVE-2012-2374", "CVE-2022-1292"], f"active {active}")
check(suppressed == [("CVE-2020-28500", "exception"),
                     ("CVE-2021-43784", "vex")], f"suppressed {suppressed}")
check("expired" in err and "CVE-2012-2374" in err,
      f"expired exception reported: {err}")

# --only-fixed keeps all four here (each has a fix); table renders.
rc, out, err = run("scan", "--db", db, "--only-fixed", sbom_path)
check(rc == 0 and "CVE-2022-1292" in out and "FIXED IN" in out,
      f"table: {out}")

# Schema validation.
try:
    import jsonschema
except ImportError:
    jsonschema = None
schemas = os.path.join(fixtures, "schemas")
for fmt, schema_file in (("sarif", "sarif-2.1.0.schema.json"),
                         ("cyclonedx-json", "cyclonedx-bom-1.6.schema.json")):
    rc, out, err = run("scan", "--db", db, "-f", fmt, "--vex", vex, sbom_path)
    doc = json.loads(out)
    if jsonschema is None:
        print(f"skip: {fmt} schema validation (no python3-jsonschema)")
        continue
    schema = json.load(open(os.path.join(schemas, schema_file)))
    store = {}
    for extra in ("spdx.schema.json", "jsf-0.82.schema.json"):
        s = json.load(open(os.path.join(schemas, extra)))
        store[s.get("$id", extra)] = s
        store["http://cyclonedx.org/schema/" + extra] = s
    cls = jsonschema.validators.validator_for(schema)
    resolver = jsonschema.RefResolver.from_schema(schema, store=store,
                                                  id_of=cls.ID_OF)
    errors = list(cls(schema, resolver=resolver).iter_errors(doc))
    check(not errors, f"{fmt} validates: {[e.message for e in errors[:3]]}")

# Input errors: no database; damaged SBOM.
rc, _, err = run("scan", "--db", os.path.join(tmp, "none.db"), sbom_path)
check(rc == 3 and "db import" in err, f"missing db exits 3: {rc} {err}")
bad = os.path.join(tmp, "bad.json")
open(bad, "w").write("{ not json")
rc, _, err = run("scan", "--db", db, bad)
check(rc == 3, f"damaged SBOM exits 3: {rc}")

print("ok" if not failures else f"{len(failures)} failures")
sys.exit(1 if failures else 0)
