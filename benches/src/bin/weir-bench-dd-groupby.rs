//! `weir-bench-dd-groupby`: the bounded group-by query hand-written in timely/differential,
//! the floor Weir's overhead is measured against.
//!
//! ```text
//! weir-bench-dd-groupby bids.csv --workers 2 [--strategy reduce|diff-agg] [--print]
//! ```
//!
//! Prints `groups=<n> checksum=<hex> input_rows=<n> seconds=<s>` to stderr; with `--print`,
//! the result rows `auction,count,sum,max` sorted by auction to stdout.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;
use weir_benches::dd_groupby::{self, GroupByJob, Strategy};

/// Per auction COUNT(*), SUM(price), MAX(price) over a headerless bids CSV.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Headerless CSV `auction,bidder,price,ts_ms`.
    path: PathBuf,
    /// Worker threads.
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// How the aggregation is written in differential.
    #[arg(long, value_enum, default_value_t = Strategy::Reduce)]
    strategy: Strategy,
    /// Print the result rows `auction,count,sum,max`, sorted, to stdout.
    #[arg(long)]
    print: bool,
}

fn main() -> anyhow::Result<()> {
    // The same pages as Weir's own processes, so the ratio measures the engines.
    weir_core::runtime::huge_pages::prefer_base_pages();
    let args = Args::parse();
    if !args.path.is_file() {
        anyhow::bail!("{}: no such file (generate one with `weir-bench-data --out ...`)", args.path.display());
    }
    let start = Instant::now();
    let job = GroupByJob { path: args.path, workers: args.workers, strategy: args.strategy, keep_rows: args.print };
    let outcome = dd_groupby::run(&job)?;
    let seconds = start.elapsed().as_secs_f64();
    if args.print {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for row in &outcome.rows {
            writeln!(out, "{}", row.csv_line())?;
        }
        out.flush()?;
    }
    eprintln!("groups={} checksum={:016x} input_rows={} seconds={seconds:.3}", outcome.summary.groups, outcome.summary.checksum, outcome.input_rows);
    Ok(())
}
