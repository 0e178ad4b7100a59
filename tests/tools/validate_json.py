#!/usr/bin/python3
"""Validates JSON documents against a JSON schema (draft 4 to 2020-12).

Usage: validate_json.py SCHEMA DOCUMENT... ; exits 1 naming the first
violation of each invalid document. Local $refs resolve against the
schema's directory, so official schemas can be kept side by side.
"""
import json
import pathlib
import sys

import jsonschema


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    schema_path = pathlib.Path(argv[1]).resolve()
    schema = json.loads(schema_path.read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    resolver = jsonschema.RefResolver(schema_path.parent.as_uri() + "/", schema)
    # A schema that names itself by URL (SARIF's) resolves against itself.
    if cls.ID_OF(schema):
        resolver.store[cls.ID_OF(schema)] = schema
    validator = cls(schema, resolver=resolver)
    bad = 0
    for doc_path in argv[2:]:
        doc = json.loads(pathlib.Path(doc_path).read_text())
        errors = sorted(validator.iter_errors(doc), key=lambda e: e.path)
        for e in errors[:5]:
            where = "/".join(str(p) for p in e.absolute_path) or "(root)"
            print(f"{doc_path}: {where}: {e.message}", file=sys.stderr)
        bad += bool(errors)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
