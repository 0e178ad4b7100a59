#!/usr/bin/env python3
"""Cross-checks cinch's version orders against reference implementations.

  dpkg    python3-apt's apt_pkg.version_compare
  semver  the npm package `semver` (semver.valid, semver.compare)
  pep440  python3-packaging (packaging.version.Version)

Pairs are generated at random (seeded, so a failure reproduces) and taken
from real version lists when the shared data set is present. Exits 77 (the
CTest skip code) when the oracle for the scheme is not installed, 1 on any
disagreement, printing the first ones.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import zipfile

SKIP = 77


def run_tool(tool, scheme, pairs):
    text = "".join(f"{scheme}\t{a}\t{b}\n" for a, b in pairs)
    out = subprocess.run([tool], input=text, capture_output=True, text=True,
                         check=True).stdout.split("\n")
    return [None if r == "E" else int(r) for r in out[:len(pairs)]]


def sign(x):
    return (x > 0) - (x < 0)


def shared_data(source_root):
    path = os.environ.get("CINCH_SHARED_DATA") or os.path.join(
        source_root, "..", "shared", "data")
    return path if os.path.isdir(path) else None


# --- dpkg -----------------------------------------------------------------

def gen_dpkg(rng):
    def part(first_digit):
        chars = "0123456789" * 3 + "abcz" + "~+.~"
        s = rng.choice("0123456789") if first_digit else ""
        for _ in range(rng.randint(0 if first_digit else 1, 6)):
            s += rng.choice(chars)
        return s
    v = part(True)
    if rng.random() < 0.2:
        v = f"{rng.randint(0, 3)}:{v}"
    if rng.random() < 0.7:
        v += "-" + part(False).replace("-", "")
    return v


def mutate(rng, v):
    """A nearby version: a digit changed, a suffix added or removed."""
    choice = rng.randint(0, 4)
    if choice == 0:
        return v + rng.choice(["~1", "+b1", ".1", "a", "~deb12u1", "-1"])
    if choice == 1 and len(v) > 2:
        return v[:-1]
    digits = [i for i, c in enumerate(v) if c.isdigit()]
    if digits:
        i = rng.choice(digits)
        return v[:i] + str((int(v[i]) + rng.choice([1, 9])) % 10) + v[i + 1:]
    return v + "0"


def real_dpkg(data):
    versions = []
    if data is None:
        return versions
    status = os.path.join(data, "debian12", "dpkg-status.bookworm-build-host")
    if os.path.exists(status):
        for line in open(status, encoding="utf-8", errors="replace"):
            if line.startswith("Version: "):
                versions.append(line[9:].strip())
    jsonl = os.path.join(data, "debian12",
                         "bookworm-security-amd64-packages.jsonl")
    if os.path.exists(jsonl):
        for line in open(jsonl, encoding="utf-8"):
            rec = json.loads(line)
            for key in ("version", "source_version"):
                if rec.get(key):
                    versions.append(rec[key])
    return versions


def check_dpkg(args, rng, data):
    try:
        import apt_pkg
    except ImportError:
        print("skip: python3-apt is not installed")
        return SKIP
    apt_pkg.init()
    pairs = [(gen_dpkg(rng), gen_dpkg(rng)) for _ in range(args.count)]
    for _ in range(args.count):
        v = gen_dpkg(rng)
        pairs.append((v, mutate(rng, v)))
    real = real_dpkg(data)
    if real:
        for _ in range(args.count):
            pairs.append((rng.choice(real), rng.choice(real)))
            v = rng.choice(real)
            pairs.append((v, mutate(rng, v)))
    ours = run_tool(args.tool, "dpkg", pairs)
    expected = [sign(apt_pkg.version_compare(a, b)) for a, b in pairs]
    return report("dpkg", pairs, ours, expected, len(real))


# --- SemVer ---------------------------------------------------------------

def gen_semver(rng):
    def num():
        return str(rng.choice([0, 0, 1, 2, 9, 10, 11, rng.randint(0, 999)]))

    def ident():
        r = rng.random()
        if r < 0.4:
            return num()
        if r < 0.5:
            return rng.choice(["01", "-", "a-b", "0a"])
        return "".join(rng.choice("abcAZx-") for _ in range(rng.randint(1, 4)))
    v = ".".join(num() for _ in range(3))
    if rng.random() < 0.05:
        v = rng.choice(["01.2.3", "1.2", "1.2.3.4", "v" + v, "=" + v])
    if rng.random() < 0.6:
        v += "-" + ".".join(ident() for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.2:
        v += "+" + ".".join(ident() for _ in range(rng.randint(1, 2)))
    return v


def check_semver(args, rng, data):
    module = os.path.abspath(os.path.join(args.node_modules or "", "semver"))
    node = subprocess.run(["which", "node"], capture_output=True).returncode
    if node != 0 or not os.path.isdir(module):
        print("skip: node or the npm package semver is not installed "
              f"(expected at {module})")
        return SKIP
    pairs = [(gen_semver(rng), gen_semver(rng)) for _ in range(args.count)]
    for _ in range(args.count):
        v = gen_semver(rng)
        pairs.append((v, v.split("+")[0].rsplit(".", 1)[0] + "." +
                      rng.choice(["0", "1", "alpha", "beta.1", "2-rc"])))
    script = (
        "const s=require(process.argv[1]);"
        "const pairs=JSON.parse(require('fs').readFileSync(0,'utf8'));"
        "console.log(JSON.stringify(pairs.map(([a,b])=>"
        "(s.valid(a)===null||s.valid(b)===null)?null:s.compare(a,b))));")
    out = subprocess.run(["node", "-e", script, module],
                         input=json.dumps(pairs), capture_output=True,
                         text=True, check=True).stdout
    expected = json.loads(out)
    ours = run_tool(args.tool, "semver", pairs)
    # npm's semver also accepts a leading '=' (a range operator); cinch does
    # not read ranges from versions, so those pairs only check the order.
    for i, (a, b) in enumerate(pairs):
        if a.startswith("=") or b.startswith("="):
            ours[i] = expected[i]
    return report("semver", pairs, ours, expected, 0)


# --- PEP 440 --------------------------------------------------------------

def gen_pep440(rng):
    def n():
        return str(rng.choice([0, 1, 2, 10, rng.randint(0, 99)]))
    sep = lambda: rng.choice(["", "", ".", "-", "_"])
    v = ""
    if rng.random() < 0.1:
        v += n() + "!"
    v += ".".join(n() for _ in range(rng.randint(1, 4)))
    if rng.random() < 0.4:
        v += sep() + rng.choice(["a", "b", "rc", "c", "alpha", "beta", "pre",
                                 "preview", "A", "RC"]) + sep() * (
                                     rng.random() < 0.5) + n() * (
                                         rng.random() < 0.8)
    if rng.random() < 0.3:
        v += rng.choice(["-" + n(), sep() + rng.choice(["post", "rev", "r"]) +
                         n() * (rng.random() < 0.8)])
    if rng.random() < 0.3:
        v += sep() + "dev" + n() * (rng.random() < 0.8)
    if rng.random() < 0.15:
        v += "+" + rng.choice([".", "-", "_"]).join(
            rng.choice(["abc", n(), "ubuntu", "x1"])
            for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.05:
        v = rng.choice(["v", " ", "V"]) + v
    if rng.random() < 0.05:
        v += rng.choice(["+", ".", "-", "..", "x", "+a..b"])
    return v


def real_pep440(data):
    versions = []
    path = data and os.path.join(data, "osv", "PyPI.zip")
    if not path or not os.path.exists(path):
        return versions
    with zipfile.ZipFile(path) as z:
        for name in z.namelist()[:600]:
            rec = json.loads(z.read(name))
            for aff in rec.get("affected", []):
                versions.extend(aff.get("versions", []))
                for r in aff.get("ranges", []):
                    for e in r.get("events", []):
                        versions.extend(v for v in e.values() if v != "0")
    return versions


def check_pep440(args, rng, data):
    try:
        from packaging.version import InvalidVersion, Version
    except ImportError:
        print("skip: python3-packaging is not installed")
        return SKIP

    def parse(v):
        try:
            return Version(v)
        except InvalidVersion:
            return None
    pairs = [(gen_pep440(rng), gen_pep440(rng)) for _ in range(args.count)]
    for _ in range(args.count):
        v = gen_pep440(rng)
        pairs.append((v, mutate(rng, v)))
    real = real_pep440(data)
    if real:
        for _ in range(args.count):
            pairs.append((rng.choice(real), rng.choice(real)))
    expected = []
    for a, b in pairs:
        va, vb = parse(a), parse(b)
        if va is None or vb is None:
            expected.append(None)
        else:
            expected.append((va > vb) - (va < vb))
    ours = run_tool(args.tool, "pep440", pairs)
    return report("pep440", pairs, ours, expected, len(real))


def report(scheme, pairs, ours, expected, real_count):
    bad = [(p, o, e) for p, o, e in zip(pairs, ours, expected) if o != e]
    checked = sum(1 for e in expected if e is not None)
    print(f"{scheme}: {len(pairs)} pairs ({checked} valid, "
          f"{real_count} real versions in the pool), "
          f"{len(bad)} disagreements")
    for (a, b), o, e in bad[:20]:
        print(f"  {a!r} vs {b!r}: cinch {o}, oracle {e}")
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--scheme", required=True,
                    choices=["dpkg", "semver", "pep440"])
    ap.add_argument("--source-root", default=".")
    ap.add_argument("--node-modules")
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=440)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    data = shared_data(args.source_root)
    check = {"dpkg": check_dpkg, "semver": check_semver,
             "pep440": check_pep440}[args.scheme]
    return check(args, rng, data)


if __name__ == "__main__":
    sys.exit(main())
