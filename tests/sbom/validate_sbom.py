#!/usr/bin/env python3
"""Validates SBOM documents against the official JSON schemas.

usage: validate_sbom.py SCHEMA_DIR DOCUMENT...

The schema is chosen from the document: CycloneDX by specVersion (1.5 or
1.6, with the spdx.schema.json and jsf-0.82.schema.json files the
CycloneDX schemas refer to), SPDX 2.3 by spdxVersion. Besides the schema,
checks that every purl is non-empty and that no purl repeats.
Exit status: 0 valid, 1 invalid, 77 when python3-jsonschema is missing.
"""
import json
import warnings
import os
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed", file=sys.stderr)
    sys.exit(77)


warnings.filterwarnings("ignore", category=DeprecationWarning)


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def validator_for(doc, schema_dir):
    if doc.get("bomFormat") == "CycloneDX":
        version = doc.get("specVersion")
        schema = load(os.path.join(schema_dir,
                                   f"cyclonedx-bom-{version}.schema.json"))
        store = {}
        for name in ("spdx.schema.json", "jsf-0.82.schema.json"):
            referenced = load(os.path.join(schema_dir, name))
            store[referenced["$id"]] = referenced
            store["http://cyclonedx.org/schema/" + name] = referenced
        resolver = jsonschema.RefResolver.from_schema(schema, store=store)
        return jsonschema.Draft7Validator(
            schema, resolver=resolver,
            format_checker=jsonschema.FormatChecker())
    if doc.get("spdxVersion") == "SPDX-2.3":
        schema = load(os.path.join(schema_dir, "spdx-2.3.schema.json"))
        return jsonschema.Draft7Validator(
            schema, format_checker=jsonschema.FormatChecker())
    raise ValueError("not CycloneDX 1.5/1.6 or SPDX 2.3")


def purls(doc):
    if doc.get("bomFormat") == "CycloneDX":
        stack = list(doc.get("components", []))
        while stack:
            c = stack.pop()
            stack.extend(c.get("components", []))
            if "purl" in c:
                yield c["purl"]
    else:
        for p in doc.get("packages", []):
            for ref in p.get("externalRefs", []):
                if ref.get("referenceType") == "purl":
                    yield ref.get("referenceLocator", "")


def main():
    schema_dir, paths = sys.argv[1], sys.argv[2:]
    failed = False
    for path in paths:
        doc = load(path)
        errors = sorted(validator_for(doc, schema_dir).iter_errors(doc),
                        key=lambda e: list(e.path))
        for e in errors[:20]:
            print(f"{path}: {'/'.join(map(str, e.path))}: {e.message[:300]}")
        seen = set()
        for purl in purls(doc):
            if not purl:
                print(f"{path}: empty purl")
                failed = True
            elif purl in seen:
                print(f"{path}: duplicate purl {purl}")
                failed = True
            seen.add(purl)
        failed |= bool(errors)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
