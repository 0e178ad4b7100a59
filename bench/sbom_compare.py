#!/usr/bin/env python3
"""Compares the packages of two CycloneDX SBOMs of one image, by ecosystem.

usage: sbom_compare.py CINCH_JSON TRIVY_JSON

Packages are keyed by purl type, namespace/name and version (Go versions
without their leading "v", Debian and RPM versions with the epoch, names
lower-cased where the ecosystem ignores case). Prints, per ecosystem, how
many both tools found and every package only one of them found; cinch's
extra packages say which OS package owns their files, when one does.
Exit status 1 when Trivy found a package cinch did not.
"""
import json
import sys
import urllib.parse
from collections import defaultdict

CASELESS = {"pypi", "npm", "composer"}


def parse_purl(purl):
    rest = purl[len("pkg:"):]
    rest, _, _ = rest.partition("#")
    rest, _, query = rest.partition("?")
    quals = dict(urllib.parse.parse_qsl(query))
    ptype, _, path = rest.partition("/")
    path, _, version = path.rpartition("@") if "@" in path.split("/")[-1] \
        else (path, "", "")
    name = urllib.parse.unquote(path)
    version = urllib.parse.unquote(version)
    return ptype.lower(), name, version, quals


def key(purl):
    ptype, name, version, quals = parse_purl(purl)
    if ptype in CASELESS:
        name = name.lower().replace("_", "-")
    if ptype == "golang":
        version = version.removeprefix("v")
    epoch = quals.get("epoch")
    if epoch and epoch != "0" and ":" not in version:
        version = f"{epoch}:{version}"
    if ptype in ("deb", "rpm", "apk"):
        name = name.split("/")[-1]
        name += "/" + quals.get("arch", "")
    return ptype, name, version


def packages(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    out = {}
    stack = list(doc.get("components", []))
    while stack:
        c = stack.pop()
        stack.extend(c.get("components", []))
        purl = c.get("purl")
        if not purl:
            continue
        props = {p["name"]: p.get("value", "") for p in c.get("properties", [])}
        out[key(purl)] = props.get("cinch:owned_by", "")
    return out


def main():
    cinch, trivy = packages(sys.argv[1]), packages(sys.argv[2])
    by_type = defaultdict(lambda: ([], [], []))
    for k in set(cinch) | set(trivy):
        both, only_cinch, only_trivy = by_type[k[0]]
        if k in cinch and k in trivy:
            both.append(k)
        elif k in cinch:
            only_cinch.append(k)
        else:
            only_trivy.append(k)
    missing = 0
    print(f"{'ecosystem':<10} {'both':>6} {'cinch only':>11} {'trivy only':>11}")
    for t in sorted(by_type):
        both, oc, ot = by_type[t]
        print(f"{t:<10} {len(both):>6} {len(oc):>11} {len(ot):>11}")
        missing += len(ot)
    for t in sorted(by_type):
        _, oc, ot = by_type[t]
        for k in sorted(ot):
            print(f"  trivy only: {t} {k[1]} {k[2]}")
        for k in sorted(oc):
            owner = cinch[k]
            note = f"  (files owned by {owner})" if owner else ""
            print(f"  cinch only: {t} {k[1]} {k[2]}{note}")
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
