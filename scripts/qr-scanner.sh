#!/usr/bin/env bash
# Prints the path of a Python that can read QR codes with zxing-cpp — a scanner that
# shares no code with ours (qrcode renders, rqrr reads) — installing it into a venv under
# the target directory when missing. scripts/test.sh exports it as LOBBY_QR_SCANNER for
# the tests that check what the phone shows decodes with an independent scanner
# (cli/tests/pickup_qr.rs).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
venv=$target/qr-scanner-venv
zxing=3.1.1
pillow=12.0.0
probe="import zxingcpp, PIL; from importlib.metadata import version as v
assert v('zxing-cpp') == '$zxing' and v('pillow') == '$pillow'"
if ! "$venv/bin/python" -c "$probe" >/dev/null 2>&1; then
  echo "== installing zxing-cpp $zxing and pillow $pillow into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "zxing-cpp==$zxing" "pillow==$pillow" >&2
fi
echo "$venv/bin/python"
