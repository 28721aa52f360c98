#!/usr/bin/env bash
# Runs Weir's whole test suite: Rust unit and integration tests, then the Python tests
# (end-to-end CLI tests and golden tests against DuckDB) in a virtualenv it creates.
set -euo pipefail
WEIR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$WEIR_ROOT"
source scripts/env.sh
weir_install_system_deps

echo "=== cargo fmt --check ===" >&2
cargo fmt --all --check
echo "=== build (release) ===" >&2
cargo build --release --workspace --bins
echo "=== clippy (-D warnings) ===" >&2
cargo clippy --release --workspace --all-targets -- -D warnings
echo "=== Rust tests ===" >&2
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --release --workspace --exclude weir-python --no-fail-fast
else
    cargo test --release --workspace --exclude weir-python --no-fail-fast
fi

# The front ends fuzzed for a bounded time (scripts/fuzz.sh; a long run: scripts/fuzz.sh --long).
echo "=== fuzz (${WEIR_FUZZ_SECONDS:-30} s per target) ===" >&2
FUZZ_SECONDS="${WEIR_FUZZ_SECONDS:-30}" FUZZ_TARGET_DIR="$HOME/.cache/weir/fuzz-target" bash scripts/fuzz.sh

echo "=== Python tests ===" >&2
weir_python_env
# tests/python/test_flink_cli.py runs Flink's own `flink` CLI (Java 17) against `weir serve`; it
# installs apache-flink into ~/.cache/weir/venv-flink itself, the JRE comes from Debian.
weir_install_system_deps openjdk-17-jre-headless
echo "=== ruff (python-sdk, tests/python, benches) ===" >&2
"$WEIR_VENV/bin/ruff" check python-sdk/python python-sdk/tests
"$WEIR_VENV/bin/ruff" check tests/python
"$WEIR_VENV/bin/ruff" check benches/python benches/scripts
# The Python SDK (weir-python, a pyo3 extension) is tested through its wheel, not by cargo:
# build and install it into the venv (maturin, the build backend, is in requirements.txt).
echo "=== Python SDK (pip install ./python-sdk) ===" >&2
PATH="$WEIR_VENV/bin:$PATH" "$WEIR_VENV/bin/python" -m pip install -q --disable-pip-version-check --no-build-isolation --force-reinstall --no-deps ./python-sdk
set +e
"$WEIR_VENV/bin/python" -m pytest -q tests/python
status=$?
(cd python-sdk && "$WEIR_VENV/bin/python" -m pytest -q tests)
sdk_status=$?
# A short soak of `weir serve` (mixed traffic; fails on memory or registry growth, /overview
# p99 > 50 ms, any 5xx) and schemathesis over its OpenAPI spec (bounded example count; it
# installs into its own cached venv). Long soak: tests/load/soak.py --minutes 30.
echo "=== soak (60 s) ===" >&2
"$WEIR_VENV/bin/python" tests/load/soak.py --minutes "${WEIR_SOAK_MINUTES:-1}"
soak_status=$?
echo "=== schemathesis ===" >&2
MAX_EXAMPLES="${MAX_EXAMPLES:-30}" tests/load/schemathesis.sh
schemathesis_status=$?
set -e
for s in $sdk_status $soak_status $schemathesis_status; do
    if [ $status -eq 0 ]; then status=$s; fi
done
# pytest exits 5 when it collected no tests: that is a broken suite here, not a pass.
exit $status
