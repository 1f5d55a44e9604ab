#!/usr/bin/env bash
# Schemathesis against a fresh development lobby-server: every operation of the OpenAPI
# description, with all checks (`--checks all`: no server error, documented status codes,
# content types, headers and bodies, schema-valid requests accepted, schema-violating
# ones refused, authentication not ignored, ...), authenticated as staff and as two
# signed-in owners (scripts/schemathesis.toml says which operation uses which).
#
#   scripts/schemathesis.sh [--no-build] [--max-examples N] [--seed S] [--keep]
#
#   --no-build        use $CARGO_TARGET_DIR/debug/lobby-server (default target/) as it
#                     is; without it `cargo build -p lobby-server` runs first (a no-op
#                     when up to date)
#   --max-examples N  test cases per operation and phase (default 150)
#   --seed S          the random seed (default 7; fixed so that a run is reproducible)
#   --keep            keep the work directory (server log, database, report)
#
# The server listens on a free loopback port with a temporary database and is stopped
# on exit. Schemathesis 4.32.5 is used from PATH when that version is there, otherwise
# installed into a virtual environment under the target directory (PyPI only).
# Exit status: 0 when schemathesis found nothing; non-zero on any finding or when the
# setup failed. The run is bounded: a fixed number of cases, and `timeout` stops it
# after 240 s. To be reproducible it runs one worker with a fixed seed, no example
# database (nothing carried over from an earlier run) and without the timing-based
# `too_slow` health check (a loaded CI machine must not turn into a failure).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
version=4.32.5

build=1
max_examples=150
seed=7
keep=0
while (($#)); do
  case $1 in
    --no-build) build=0 ;;
    --keep) keep=1 ;;
    --max-examples | --seed)
      [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || { echo "schemathesis.sh: $1 needs a number" >&2; exit 2; }
      [[ $1 == --seed ]] && seed=$2 || max_examples=$2
      shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "schemathesis.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

target=${CARGO_TARGET_DIR:-$root/target}
server_bin=$target/debug/lobby-server

if ((build)); then
  (cd "$root" && cargo build -p lobby-server --quiet)
fi
[[ -x $server_bin ]] || { echo "schemathesis.sh: no $server_bin (build it, or drop --no-build)" >&2; exit 3; }

# Schemathesis itself: this exact version from PATH, else a venv under the target dir.
st_bin=
if command -v schemathesis >/dev/null 2>&1 \
  && schemathesis --version 2>/dev/null | grep -q "$version"; then
  st_bin=$(command -v schemathesis)
else
  venv=$target/schemathesis-venv
  if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$version"; then
    echo "== installing schemathesis $version into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$version"
  fi
  st_bin=$venv/bin/schemathesis
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/lobby-schemathesis.XXXXXX")
server_pid=
cleanup() {
  local status=$?
  # SIGTERM, then SIGKILL after 5 s: a server that hangs on the way down must not
  # hang this script, nor outlive it.
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if ((keep)) || ((status != 0)); then
    echo "schemathesis.sh: work directory kept: $work" >&2
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'exit 129' HUP

# Port 0: the server picks a free port and prints {"listening": URL, "staff_token": T}.
"$server_bin" serve --dev --db "$work/server.db" --addr 127.0.0.1:0 \
  >"$work/server.out" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 1 100); do
  [[ -s $work/server.out ]] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "schemathesis.sh: the server did not start:" >&2; tail -n 20 "$work/server.log" >&2; exit 3; }
  sleep 0.1
done
read -r url staff_token < <(python3 -c '
import json, sys
line = json.loads(open(sys.argv[1]).readline())
print(line["listening"], line["staff_token"])' "$work/server.out") \
  || { echo "schemathesis.sh: no listening line from the server" >&2; exit 3; }

# Two signed-in owners (see scripts/schemathesis-setup.py).
tokens=$(python3 "$here/schemathesis-setup.py" "$url" "$staff_token") || exit 3
export LOBBY_ST_STAFF_TOKEN=$staff_token
export LOBBY_ST_SESSION_TOKEN=$(sed -n 's/^SESSION_TOKEN=//p' <<<"$tokens")
export LOBBY_ST_LOGOUT_TOKEN=$(sed -n 's/^LOGOUT_TOKEN=//p' <<<"$tokens")

cmd=("$st_bin" --config-file "$here/schemathesis.toml" run "$url/openapi.json"
  --checks all
  --max-examples "$max_examples"
  --seed "$seed"
  --workers 1
  --generation-database none
  --suppress-health-check too_slow
  --request-timeout 10
  --no-color)
echo "== ${cmd[*]#"$target/"}" >&2
started=$SECONDS
set +e
(cd "$work" && timeout 240 "${cmd[@]}")
status=$?
set -e
echo "schemathesis.sh: exit $status after $((SECONDS - started)) s" >&2
((status == 124)) && echo "schemathesis.sh: stopped after 240 s" >&2
exit "$status"
