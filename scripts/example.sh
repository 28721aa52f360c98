#!/usr/bin/env bash
# Builds the `weir` binary and runs the bundled example job: bids per auction (count, total,
# highest price) over examples/data/bids.csv, printed as a Flink changelog.
set -euo pipefail
WEIR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$WEIR_ROOT"
source scripts/env.sh
weir_install_system_deps gcc
# Without RocksDB's C++ build (the longest step of a fresh build; the example keeps its state in
# memory). Cargo keeps this feature variant next to the full one that scripts/test.sh builds in
# the same target dir, so alternating the two commands rebuilds nothing.
cargo build --release -p weir-server --bin weir --no-default-features
echo "--- weir run examples/bids-per-auction.json --mode batch" >&2
"$WEIR_BIN" run examples/bids-per-auction.json --mode batch
