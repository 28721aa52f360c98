//! Weir's benchmarks.
//!
//! * [`bids`]: a deterministic, Nexmark-like generator of `auction,bidder,price,ts_ms` CSV rows.
//! * [`csv_range`]: reading the share of a CSV file that belongs to one worker (a byte range).
//! * [`dd_groupby`]: the bounded group-by query written by hand in timely/differential, the floor
//!   Weir's own overhead is measured against.
//! * [`auction_stats`]: the query's result rows, an order-independent checksum shared with the
//!   Python baselines, and a plain sequential reference implementation.
//! * [`measure`]: running a benchmark subprocess and recording its wall time and peak RSS.
//! * [`nexmark`]: the Nexmark queries, their hand-written baselines and the `weir-bench nexmark`
//!   harness.
//! * [`flink`]: Apache Flink as a baseline: its installation, the driver that runs one job in
//!   one JVM, and the check of its answers against Weir's.
//! * [`harness`]: the pieces of the `weir-bench-groupby` harness (job spec, machine description,
//!   systems under test, report).
#![forbid(missing_docs)]

pub mod agg_diff;
pub mod auction_stats;
pub mod bids;
pub mod csv_range;
pub mod dd_groupby;
pub mod error;
pub mod flink;
pub mod harness;
pub mod measure;
pub mod mix_hasher;
pub mod nexmark;
pub mod rng;

pub use error::BenchError;
