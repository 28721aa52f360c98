#!/usr/bin/env bash
# Creates (or reuses) the Python virtualenv used by the Polars/DuckDB baselines and prints
# the path of its python interpreter on the last line of stdout.
#
#   benches/scripts/setup_venv.sh            # -> $HOME/.cache/weir/bench-venv/bin/python
#   WEIR_BENCH_VENV=/some/dir benches/scripts/setup_venv.sh
#
# polars and duckdb always come from PyPI into this venv; nothing already installed in the
# system Python is assumed. Re-running is cheap: an existing venv that can import both is reused.
set -euo pipefail

VENV="${WEIR_BENCH_VENV:-$HOME/.cache/weir/bench-venv}"
PY_BOOT="${PYTHON:-python3}"

if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c 'import polars, duckdb' 2>/dev/null; then
    echo "reusing $VENV" >&2
else
    echo "creating $VENV" >&2
    mkdir -p "$(dirname "$VENV")"
    "$PY_BOOT" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet "polars>=1.0" "duckdb>=1.0"
fi
"$VENV/bin/python" -c 'import polars, duckdb, sys; print(f"polars {polars.__version__}, duckdb {duckdb.__version__}, python {sys.version.split()[0]}", file=sys.stderr)'
echo "$VENV/bin/python"
