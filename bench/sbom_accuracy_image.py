#!/usr/bin/env python3
"""Writes a docker-archive: BASE plus one layer of language packages.

usage: sbom_accuracy_image.py BASE.docker.tar OUT.docker.tar [--npm DIR]...

The added layer holds real package metadata taken from this machine, at
paths no OS package owns: every *.dist-info and *.egg-info directory under
/usr/lib/python3/dist-packages copied to
/usr/local/lib/python3.11/site-packages/, and each --npm DIR (a project
directory with node_modules/ and package-lock.json, e.g. build/trivy)
copied to /app/<n>/. Only metadata files are copied (METADATA, RECORD,
PKG-INFO, package.json, lock files), so the layer stays small.
"""
import glob
import hashlib
import io
import json
import os
import sys
import tarfile

WANTED = {"METADATA", "PKG-INFO", "RECORD", "package.json",
          "package-lock.json", "yarn.lock", "pnpm-lock.yaml"}


def add_tree(tar, src, dest):
    for dirpath, _, files in os.walk(src):
        for f in files:
            if f not in WANTED:
                continue
            path = os.path.join(dirpath, f)
            arc = os.path.join(dest, os.path.relpath(path, src))
            tar.add(path, arcname=arc.lstrip("/"), recursive=False)


def build_layer(npm_dirs):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        site = "usr/local/lib/python3.11/site-packages"
        for info in sorted(glob.glob("/usr/lib/python3/dist-packages/*.dist-info")
                           + glob.glob("/usr/lib/python3/dist-packages/*.egg-info")):
            dest = os.path.join(site, os.path.basename(info))
            if os.path.isdir(info):
                add_tree(tar, info, dest)
            else:
                tar.add(info, arcname=dest, recursive=False)
        for n, d in enumerate(npm_dirs):
            add_tree(tar, d, f"app/{n}")
    return buf.getvalue()


def main():
    base, out = sys.argv[1], sys.argv[2]
    npm_dirs = [sys.argv[i + 1] for i, a in enumerate(sys.argv) if a == "--npm"]
    layer = build_layer(npm_dirs)
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    with tarfile.open(base) as src, tarfile.open(out, "w") as dst:
        manifest = json.load(src.extractfile("manifest.json"))[0]
        config = json.load(src.extractfile(manifest["Config"]))
        config["rootfs"]["diff_ids"].append(diff_id)
        config.setdefault("history", []).append(
            {"created_by": "COPY site-packages and node_modules (accuracy)"})
        config_bytes = json.dumps(config).encode()
        config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
        for member in src.getmembers():
            if member.name in ("manifest.json", "repositories"):
                continue
            dst.addfile(member, src.extractfile(member) if member.isfile() else None)
        layer_name = diff_id[7:] + "/layer.tar"
        for name, data in ((layer_name, layer), (config_name, config_bytes)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
        manifest = {"Config": config_name,
                    "RepoTags": ["localhost/cinch-accuracy:latest"],
                    "Layers": manifest["Layers"] + [layer_name]}
        data = json.dumps([manifest]).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        dst.addfile(info, io.BytesIO(data))


if __name__ == "__main__":
    main()
