#!/usr/bin/env bash
# Creates bench/backtest/.venv with Backtrader for bench/backtest.ts (once; again when requirements change).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
venv="$here/.venv"
stamp="$venv/.requirements"
if [[ -f $stamp ]] && cmp -s "$stamp" "$here/requirements.txt"; then
  exit 0
fi
command -v python3 >/dev/null || { echo "bench/backtest: python3 not found (Debian: apt-get install python3 python3-venv)" >&2; exit 1; }
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
cp "$here/requirements.txt" "$stamp"
