# Shared set-up of the registry end-to-end tests (sourced, not run):
# skips (77) without docker-registry or skopeo, makes $work (removed at
# exit, with every registry started here), keeps the user's credentials
# out, and defines fail, free_port and start_registry. Set e2e_name first
# to name the work directory.
# shellcheck shell=bash
python=/usr/bin/python3

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

for tool in docker-registry skopeo; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is not installed (scripts/install-deps --with-peers)"
    exit 77
  fi
done
for tool in umoci openssl "$python"; do
  command -v "$tool" >/dev/null ||
    fail "$tool is not installed: run scripts/install-deps --with-peers"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/cinch-${e2e_name:-registry}.XXXXXX")
registry_pids=()
cleanup() {
  for pid in "${registry_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
# Keep the user's Docker and containers credentials out of the test.
export HOME=$work/home DOCKER_CONFIG=$work/home/.docker
unset REGISTRY_AUTH_FILE XDG_RUNTIME_DIR
mkdir -p "$HOME"

free_port() {
  "$python" -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_registry NAME PORT [EXTRA_YAML_FILE]: serves $work/NAME/storage.
start_registry() {
  local name=$1 port=$2 extra=${3:-}
  mkdir -p "$work/$name/storage"
  {
    echo "version: 0.1"
    echo "log: {level: warn, accesslog: {disabled: true}}"
    echo "storage: {filesystem: {rootdirectory: $work/$name/storage}}"
    if [[ -n $extra ]]; then cat "$extra"; else
      echo "http: {addr: 127.0.0.1:$port}"
    fi
  } >"$work/$name/config.yml"
  docker-registry serve "$work/$name/config.yml" >"$work/$name/log" 2>&1 &
  registry_pids+=($!)
  for _ in $(seq 100); do
    if "$python" -c "import socket; socket.create_connection(
        ('127.0.0.1', $port), 1)" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  cat "$work/$name/log" >&2
  fail "registry $name did not start on port $port"
}
