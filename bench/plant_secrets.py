#!/usr/bin/python3
"""Plants known fake secrets into a copy of a docker-archive.

Usage: plant_secrets.py SAMPLES IN.tar OUT.tar PLANTED.json

SAMPLES is tests/fixtures/secrets/gitleaks-samples.jsonl (true-positive
samples of the token formats cinch covers). Two layers are added on top
of the image: the first writes one file per sample, half of them under
planted/visible/ and half under planted/deleted/; the second deletes
planted/deleted/ with a whiteout, so those files are only in the layer
below, as a secret removed by a later build step would be. PLANTED.json
lists the planted paths (no leading '/') with their rule and state, the
ground truth for recall.
"""
import hashlib
import io
import json
import sys
import tarfile


def samples(path):
    """(rule, text) of every true-positive sample, as a file would hold it."""
    out = []
    for line in open(path):
        rule = json.loads(line)
        for text in rule["tps"]["literal"]:
            out.append((rule["rule_id"], text + "\n"))
        for g in rule["tps"]["generated"]:
            name = g["identifier"].lower() + "_token"
            out.append((rule["rule_id"], f'{name} = "{g["secret"]}"\n'))
    return out


def layer_tar(files):
    """An uncompressed layer tar of {path: bytes} (b"" marks a whiteout)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mode = 0o644
            info.mtime = 0
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def add(out, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    out.addfile(info, io.BytesIO(data))


def main(argv):
    if len(argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    sample_path, in_path, out_path, planted_path = argv[1:5]
    planted = []
    files = {}
    for i, (rule, text) in enumerate(samples(sample_path)):
        state = "deleted" if i % 2 else "visible"
        path = f"planted/{state}/{rule}-{i}.env"
        files[path] = text.encode()
        planted.append({"path": path, "rule": rule, "state": state})
    new_layers = [layer_tar(files), layer_tar({"planted/.wh.deleted": b""})]

    with tarfile.open(in_path) as src, tarfile.open(out_path, "w") as out:
        manifest = json.load(src.extractfile("manifest.json"))
        config = json.load(src.extractfile(manifest[0]["Config"]))
        for member in src:
            # The legacy "repositories" file would name the old top layer.
            if member.name in ("manifest.json", "repositories",
                               manifest[0]["Config"]):
                continue
            data = src.extractfile(member) if member.isfile() else None
            out.addfile(member, data)
        for n, data in enumerate(new_layers):
            digest = hashlib.sha256(data).hexdigest()
            add(out, f"planted-{n}/layer.tar", data)
            manifest[0]["Layers"].append(f"planted-{n}/layer.tar")
            config["rootfs"]["diff_ids"].append("sha256:" + digest)
            step = ["COPY planted /planted", "RUN rm -r /planted/deleted"][n]
            config.setdefault("history", []).append({"created_by": step})
        config_bytes = json.dumps(config).encode()
        config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
        add(out, config_name, config_bytes)
        manifest[0]["Config"] = config_name
        manifest[0]["RepoTags"] = ["cinch-bench/planted:latest"]
        add(out, "manifest.json", json.dumps(manifest).encode())
    json.dump(planted, open(planted_path, "w"), indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
