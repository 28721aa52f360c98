# Shared settings for Weir's scripts: one cargo target dir that CI and developers reuse,
# and the Python virtualenv that holds the test oracles (duckdb, polars) and pytest.
# shellcheck shell=bash
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/weir/target}"
export WEIR_VENV="${WEIR_VENV:-$HOME/.cache/weir/venv}"
export WEIR_BIN="$CARGO_TARGET_DIR/release/weir"

# Installs the Debian packages a build needs, once: the packages given, or by default those of
# a build with RocksDB (its C++ sources need g++, its bindings libclang). A build without
# RocksDB (the example) needs only a C compiler, for mimalloc.
weir_install_system_deps() {
    local wanted=("$@")
    [ ${#wanted[@]} -gt 0 ] || wanted=(g++ libclang-dev)
    command -v dpkg >/dev/null 2>&1 || return 0  # not Debian: the README lists what to install
    local missing=()
    for pkg in "${wanted[@]}"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "installing ${missing[*]} (needed to build Weir)" >&2
        if [ "$(id -u)" -eq 0 ]; then
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
        else
            sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
        fi
    fi
}

# Creates (or reuses) the virtualenv with the Python test dependencies.
weir_python_env() {
    if [ ! -x "$WEIR_VENV/bin/python" ]; then
        # Debian's own python3 ships venv (ensurepip) as a separate package.
        python3 -c "import ensurepip" 2>/dev/null || weir_install_system_deps python3-venv
        python3 -m venv "$WEIR_VENV"
    fi
    "$WEIR_VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$WEIR_ROOT/tests/python/requirements.txt"
}
