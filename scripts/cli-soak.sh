#!/usr/bin/env bash
# Soak test of the `lobby` CLI: N invocations (default 10000) against a development
# lobby-server that is stopped and restarted (same port, same database) between
# stretches, counting ABNORMAL exits — signals (134 SIGABRT "double free or corruption",
# 139 SIGSEGV), panics, any code other than 0, 1 and 2, or a hang.
#
#   scripts/cli-soak.sh [N] [--debug] [--build] [--bin-dir DIR] [--keep] [--seed S]
#                       [--timeout SECS]
#
#   N          number of `lobby` invocations, the 3 that onboard the owner included
#   --debug    use target/debug instead of target/release
#   --build    run cargo build first even when the binaries exist (they are built
#              anyway when missing)
#   --bin-dir DIR  use DIR/lobby and DIR/lobby-server as they are (e.g. another
#              checkout's target/release, to compare builds); no cargo
#   --keep     keep the temporary work directory even when all went well
#   --seed S   the random mix of commands and up/down stretches (printed on every run)
#   --timeout  seconds after which one invocation counts as hung (default 60)
#
# Progress goes to stderr every 500 invocations; the one line on stdout, at the end, is
#   invocations=N abnormal=A usage_errors=U bad_output=B normal_errors=E seconds=S
# Exit status: 0 when A, U and B are all 0; 1 otherwise; 3 when the setup (or a server
# restart) failed; 130 when interrupted. The work directory (mktemp -d) is kept when
# something was wrong (or with --keep): abnormal.log holds the command, exit and stderr
# tail of each abnormal exit (usage-errors.log and bad-output.log likewise), server.log
# the server's stderr.
# The loop itself is scripts/cli-soak.py.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

n=10000
profile=release
build=0
bindir=
py_args=()
while (($#)); do
  case $1 in
    --debug) profile=debug ;;
    --build) build=1 ;;
    --keep) py_args+=(--keep) ;;
    --bin-dir)
      [[ $# -ge 2 ]] || { echo "cli-soak: $1 needs a value" >&2; exit 2; }
      bindir=$(cd "$2" && pwd); shift ;;
    --seed | --timeout)
      [[ $# -ge 2 ]] || { echo "cli-soak: $1 needs a value" >&2; exit 2; }
      py_args+=("$1" "$2"); shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *[!0-9]* | '') echo "cli-soak: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    *) n=$1 ;;
  esac
  shift
done

command -v python3 >/dev/null || { echo "cli-soak: python3 is needed" >&2; exit 2; }

own_build=0
[[ -n $bindir ]] || { bindir=$root/target/$profile; own_build=1; }
lobby_bin=$bindir/lobby
server_bin=$bindir/lobby-server
if ((own_build)) && { ((build)) || [[ ! -x $lobby_bin || ! -x $server_bin ]]; }; then
  cargo_args=(build -p lobby-cli -p lobby-server)
  [[ $profile == release ]] && cargo_args+=(--release)
  echo "[cli-soak] cargo ${cargo_args[*]}" >&2
  (cd "$root" && cargo "${cargo_args[@]}") >&2
fi
for b in "$lobby_bin" "$server_bin"; do
  [[ -x $b ]] || { echo "cli-soak: $b is missing after the build" >&2; exit 2; }
done
((own_build)) && stale=$(cd "$root" && find core/src cli/src server/src Cargo.toml Cargo.lock -newer "$lobby_bin" \
  \( -name '*.rs' -o -name 'Cargo.*' \) -print -quit 2>/dev/null || true)
if [[ -n ${stale:-} ]]; then
  echo "[cli-soak] WARNING: $lobby_bin is older than $stale; pass --build to rebuild" >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/cli-soak.XXXXXX")
# Copies, so that a cargo build running beside us cannot swap the binary mid-run.
mkdir "$work/bin"
cp "$lobby_bin" "$server_bin" "$work/bin/"
echo "[cli-soak] binaries: $lobby_bin ($(date -r "$lobby_bin" '+%F %T')), $server_bin" >&2

py=
# The Python side stops the server itself; this catches a server it left behind (it was
# killed, or crashed) through the pid file it keeps while a server runs.
cleanup() {
  local pidfile=$work/server.pid pid
  [[ -f $pidfile ]] || return 0
  pid=$(<"$pidfile")
  if [[ $pid =~ ^[0-9]+$ ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q lobby-server; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}
on_signal() {
  trap '' INT TERM HUP
  if [[ -n $py ]]; then
    kill -TERM "$py" 2>/dev/null || true
    wait "$py" 2>/dev/null || true
  fi
  cleanup
  exit "$1"
}
trap cleanup EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'on_signal 129' HUP

# In the background, so that `wait` returns at once when a signal arrives.
python3 "$here/cli-soak.py" "$n" --lobby "$work/bin/lobby" --server-bin "$work/bin/lobby-server" \
  --work "$work" "${py_args[@]}" &
py=$!
rc=0
wait "$py" || rc=$?
py=
exit "$rc"
