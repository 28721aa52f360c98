#!/usr/bin/env bash
# Creates (or reuses) the Python virtualenv with PyFlink (PyPI's `apache-flink`, which ships
# Flink's Java runtime) that the Flink baseline of weir-bench runs in, and prints the path of
# its python interpreter on the last line of stdout. weir-bench runs it only when a Flink
# system is asked for.
#
#   benches/scripts/setup_flink_venv.sh          # -> $HOME/.cache/weir/venv-flink/bin/python
#   WEIR_BENCH_FLINK_VENV=/some/dir WEIR_BENCH_FLINK_VERSION=2.3.0 benches/scripts/setup_flink_venv.sh
#
# The default venv is the one tests/python/test_flink_cli.py installs into (the same package),
# so a machine holds one copy of the ~700 MB runtime. Flink needs Java 17 at run time; that is
# checked by weir-bench, not here.
set -euo pipefail

VENV="${WEIR_BENCH_FLINK_VENV:-$HOME/.cache/weir/venv-flink}"
VERSION="${WEIR_BENCH_FLINK_VERSION:-2.3.0}"
PY_BOOT="${PYTHON:-python3}"
CHECK="import importlib.metadata as m, sys; sys.exit(m.version('apache-flink') != '$VERSION')"

if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c "$CHECK" 2>/dev/null; then
    echo "reusing $VENV (apache-flink $VERSION)" >&2
else
    if ! command -v "$PY_BOOT" >/dev/null; then
        echo "error: $PY_BOOT not found: a Python 3 (3.9-3.12) is needed to install apache-flink" >&2
        exit 1
    fi
    echo "installing apache-flink $VERSION into $VENV (about 700 MB, a few minutes)" >&2
    mkdir -p "$(dirname "$VENV")"
    [[ -x "$VENV/bin/python" ]] || "$PY_BOOT" -m venv "$VENV"
    if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "apache-flink==$VERSION" >&2; then
        echo "error: pip could not install apache-flink==$VERSION into $VENV (see above)" >&2
        exit 1
    fi
fi
echo "$VENV/bin/python"
