//! `weir-bench-data`: writes the deterministic Nexmark-like bids CSV used by the benchmarks.
//!
//! ```text
//! weir-bench-data --rows 10000000 --seed 42 --out ~/.cache/weir/bench-data/bids-10000000-s42.csv
//! ```

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use weir_benches::bids::BidsConfig;
use weir_benches::harness::dataset;

/// Generate a headerless `auction,bidder,price,ts_ms` CSV of bids.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Number of rows.
    #[arg(long, default_value_t = 10_000_000)]
    rows: u64,
    /// Seed; the same (rows, seed) always gives the same bytes.
    #[arg(long, default_value_t = dataset::DEFAULT_SEED)]
    seed: u64,
    /// Output file (written to a temporary name, then renamed). Default:
    /// `$HOME/.cache/weir/bench-data/bids-<rows>-s<seed>.csv`.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let cfg = BidsConfig { rows: args.rows, seed: args.seed };
    let out = match args.out {
        Some(path) => path,
        None => dataset::default_path(&dataset::default_dir()?, &cfg),
    };
    let start = Instant::now();
    let bytes = dataset::write(&cfg, &out).with_context(|| format!("writing {}", out.display()))?;
    eprintln!("wrote {} rows ({:.1} MB) to {} in {:.2}s", cfg.rows, bytes as f64 / 1e6, out.display(), start.elapsed().as_secs_f64());
    Ok(())
}
