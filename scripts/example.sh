#!/usr/bin/env bash
# Builds the `weir` binary and runs the bundled example job: bids per auction (count, total,
# highest price) over examples/data/bids.csv, printed as a Flink changelog.
set -euo pipefail
WEIR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$WEIR_ROOT"
source scripts/env.sh
cargo build --release --bin weir
echo "--- weir run examples/bids-per-auction.json --mode batch" >&2
"$WEIR_BIN" run examples/bids-per-auction.json --mode batch
