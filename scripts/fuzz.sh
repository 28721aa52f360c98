#!/usr/bin/env bash
# Fuzzes Weir's input front ends with cargo-fuzz (libFuzzer): the SQL front end (sql), the JSON
# job spec (json_spec), and the CSV and JSON-lines decoders (csv, json_lines). See fuzz/.
#
#   scripts/fuzz.sh                 every target for FUZZ_SECONDS (default 30) each
#   scripts/fuzz.sh sql csv         only these targets
#   FUZZ_SECONDS=600 scripts/fuzz.sh
#   scripts/fuzz.sh --long [targets]  run until stopped (Ctrl-C), corpus kept between runs
#   FUZZ_TARGET_DIR=~/.cache/weir/fuzz scripts/fuzz.sh   build outside the tree
#
# Any crash, panic, stack overflow, or input taking over FUZZ_TIMEOUT seconds (default 10; a
# hang) stops the run with a non-zero exit; libFuzzer writes the input to
# fuzz/artifacts/<target>/ (replay: cargo fuzz run <target> <file>, add it as a regression
# test). Corpora are seeded from the golden cases (tests/golden, tests/sql, examples/) and grow
# in fuzz/corpus/<target>/ (not committed).
#
# Stable toolchain: cargo-fuzz asks for nightly because of its sanitizer flags (-Zsanitizer);
# with `--sanitizer none` it only needs libFuzzer's coverage instrumentation, which stable
# rustc has (-Cpasses=sancov-module), but it still passes a few -Z flags, so RUSTC_BOOTSTRAP=1
# lets stable accept them. Panics and stack overflows are caught without a sanitizer (Rust's
# own checks; debug assertions are on in fuzz builds).
set -euo pipefail
WEIR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$WEIR_ROOT"

long=false
if [[ "${1:-}" == "--long" ]]; then
    long=true
    shift
fi
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    targets=(sql json_spec csv json_lines)
fi
seconds="${FUZZ_SECONDS:-30}"
timeout="${FUZZ_TIMEOUT:-10}"
# Build output: fuzz/target unless FUZZ_TARGET_DIR says otherwise.
target_dir=()
if [[ -n "${FUZZ_TARGET_DIR:-}" ]]; then
    target_dir=(--target-dir "$FUZZ_TARGET_DIR")
fi

# cargo-fuzz from crates.io, installed once into a cached root.
FUZZ_TOOLS="${WEIR_CACHE:-$HOME/.cache/weir}/cargo-fuzz"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    if [[ ! -x "$FUZZ_TOOLS/bin/cargo-fuzz" ]]; then
        echo "=== installing cargo-fuzz into $FUZZ_TOOLS ===" >&2
        cargo install --locked --root "$FUZZ_TOOLS" cargo-fuzz
    fi
    export PATH="$FUZZ_TOOLS/bin:$PATH"
fi

# The fuzz crate is its own workspace; its lock starts from the main one (same versions).
if [[ ! -f fuzz/Cargo.lock || Cargo.lock -nt fuzz/Cargo.lock ]]; then
    cp Cargo.lock fuzz/Cargo.lock
fi

seed() {
    local target="$1" dir="fuzz/corpus/$1"
    mkdir -p "$dir"
    case "$target" in
        sql) files=$(find tests/golden tests/sql examples -name '*.sql') ;;
        json_spec) files=$(find tests/golden examples -name '*.json') ;;
        csv) files=$(find tests/golden tests/sql examples -name '*.csv') ;;
        json_lines) files=$(find tests/golden tests/sql examples -name '*.jsonl' -o -name '*.ndjson') ;;
        *) echo "unknown target $target (sql, json_spec, csv, json_lines)" >&2; exit 2 ;;
    esac
    for f in $files $(find "fuzz/seeds/$target" -type f 2>/dev/null); do
        # Content-addressed names, so reseeding adds nothing twice.
        cp "$f" "$dir/seed-$(sha1sum "$f" | cut -c1-16)"
    done
}

export RUSTC_BOOTSTRAP=1
for target in "${targets[@]}"; do
    seed "$target"
    echo "=== fuzz $target ($([[ $long == true ]] && echo "until stopped" || echo "${seconds}s")) ===" >&2
    args=(-timeout="$timeout" -rss_limit_mb=4096 -max_len=65536)
    if [[ $long == false ]]; then
        args+=(-max_total_time="$seconds")
    fi
    cargo fuzz run --fuzz-dir fuzz --sanitizer none --release "${target_dir[@]}" "$target" -- "${args[@]}"
done
