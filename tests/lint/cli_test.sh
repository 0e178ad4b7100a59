#!/usr/bin/env bash
# `cinch lint` end to end: exit codes, formats, stdin, globs, --explain,
# --diff and --fix. Usage: cli_test.sh CINCH
set -u  # no pipefail: lint exits 1 on findings by design
cinch=$1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

printf 'FROM alpine:3.20@sha256:00\nRUN apk add --no-cache curl=8.5.0-r0\nUSER 1000\n' > "$t/good.Dockerfile"
printf 'FROM alpine\nRUN apk add curl\nCMD run now\n' > "$t/bad.Dockerfile"

"$cinch" lint "$t/good.Dockerfile" > "$t/out" || fail "clean file exits $?"
[[ ! -s "$t/out" ]] || fail "clean file printed: $(cat "$t/out")"

"$cinch" lint --color never "$t/bad.Dockerfile" > "$t/out"
[[ $? -eq 1 ]] || fail "findings should exit 1"
grep -q "bad.Dockerfile:2:1 info CL3007 (DL3019)" "$t/out" || fail "tty: $(cat "$t/out")"

"$cinch" lint --failure-threshold error "$t/bad.Dockerfile" >/dev/null ||
  fail "threshold error should pass warnings"
"$cinch" lint "$t/missing" 2>/dev/null; [[ $? -eq 3 ]] || fail "missing file should exit 3"
"$cinch" lint --format nope "$t/bad.Dockerfile" 2>/dev/null; [[ $? -eq 2 ]] || fail "bad format should exit 2"

n=$("$cinch" lint -f json "$t/"*.Dockerfile | grep -c '"rule"')
[[ $n -ge 4 ]] || fail "glob/json found $n findings"
"$cinch" lint -f json - < "$t/bad.Dockerfile" | grep -q '"file": "-"' || fail "stdin"
for f in sarif junit checkstyle; do
  "$cinch" lint -f $f "$t/bad.Dockerfile" > "$t/out.$f"
  grep -q CL3007 "$t/out.$f" || fail "$f lacks CL3007"
done

"$cinch" lint --explain DL3019 | grep -q "CL3007" || fail "--explain"
"$cinch" lint --explain NOPE 2>/dev/null; [[ $? -eq 2 ]] || fail "--explain unknown"

cp "$t/bad.Dockerfile" "$t/keep"
"$cinch" lint --diff "$t/bad.Dockerfile" | grep -q '^+RUN apk add --no-cache curl' || fail "--diff"
cmp -s "$t/bad.Dockerfile" "$t/keep" || fail "--diff changed the file"
"$cinch" -q lint --fix "$t/bad.Dockerfile" >/dev/null 2>&1
grep -q 'CMD \["run", "now"\]' "$t/bad.Dockerfile" || fail "--fix: $(cat "$t/bad.Dockerfile")"
head -1 "$t/bad.Dockerfile" | cmp -s - <(head -1 "$t/keep") || fail "--fix touched line 1"
"$cinch" lint --fix - < "$t/keep" | grep -q 'apk add --no-cache curl' || fail "--fix stdin"

printf 'disable: [CL3007, CL3008, CL2001, CL2003, CL4005, CL1008, CL5010]\n' > "$t/.cinch.yaml"
(cd "$t" && "$cinch" lint keep) || fail ".cinch.yaml not honoured"
echo ok
