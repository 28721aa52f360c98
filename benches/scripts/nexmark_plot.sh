#!/usr/bin/env bash
# Draws the events/s plot of a `weir-bench nexmark --out REPORT.json` report into a PNG.
# Usage: benches/scripts/nexmark_plot.sh REPORT.json OUT.png
# Text needs a TrueType font: DejaVu Sans, installed here when missing (Debian).
set -euo pipefail
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
if [ ! -f "$font" ]; then
    apt-get update -qq && apt-get install -y -qq fonts-dejavu-core >/dev/null
fi
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/weir/target}"
cargo run --quiet --release -p weir-benches --features plot --bin weir-bench-plot -- "$1" "$2" --font "$font"
