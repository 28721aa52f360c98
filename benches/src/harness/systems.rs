//! The systems under test: how each is started for one run of the group-by query, and how its
//! answer (groups, checksum, in-process query time) is read back from its output.

use std::path::PathBuf;
use std::process::Command;

use serde::Serialize;

use crate::auction_stats::{AuctionStats, Summary};
use crate::csv_range::parse_i64;
use crate::measure::Measured;

/// A system under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum System {
    /// `weir run <spec> --workers W --mode batch` with a blackhole sink.
    Weir,
    /// `weir-bench-dd-groupby --strategy reduce`: hand-written differential, retraction-capable.
    DdReduce,
    /// `weir-bench-dd-groupby --strategy diff-agg`: hand-written differential, append-only.
    DdDiffAgg,
    /// `weir-bench-dd-groupby --strategy pre-agg`: hash-map combiner + differential, append-only.
    DdPreAgg,
    /// Polars lazy `scan_csv().group_by().agg().collect()` via `scripts/groupby_baselines.py`.
    Polars,
    /// DuckDB `read_csv` + `GROUP BY` into a temp table via `scripts/groupby_baselines.py`.
    Duckdb,
}

impl System {
    /// Every system, in the default run order.
    pub const ALL: [System; 6] = [System::Weir, System::DdReduce, System::DdDiffAgg, System::DdPreAgg, System::Polars, System::Duckdb];

    /// The name used in tables, JSON and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            System::Weir => "weir",
            System::DdReduce => "dd-reduce",
            System::DdDiffAgg => "dd-diff-agg",
            System::DdPreAgg => "dd-pre-agg",
            System::Polars => "polars",
            System::Duckdb => "duckdb",
        }
    }

    /// Whether the reported time is measured inside the process (Python baselines: the query
    /// only, not interpreter start-up and imports) rather than the subprocess wall time.
    pub fn times_itself(self) -> bool {
        matches!(self, System::Polars | System::Duckdb)
    }
}

/// Where the inputs and the programs of a benchmark run are.
#[derive(Clone, Debug)]
pub struct Setup {
    /// The dataset.
    pub csv: PathBuf,
    /// The Weir job spec (blackhole sink).
    pub spec: PathBuf,
    /// Worker threads given to every system.
    pub workers: usize,
    /// The `weir` binary, if found.
    pub weir: Option<PathBuf>,
    /// The `weir-bench-dd-groupby` binary, if found.
    pub dd: Option<PathBuf>,
    /// The virtualenv's Python with polars and duckdb, if set up.
    pub python: Option<PathBuf>,
    /// `scripts/groupby_baselines.py`.
    pub script: PathBuf,
}

impl Setup {
    /// The command for one run of `system`, or why it cannot run.
    pub fn command(&self, system: System) -> Result<Command, String> {
        let workers = self.workers.to_string();
        match system {
            System::Weir => {
                let weir = self.weir.as_ref().ok_or("weir binary not found")?;
                let mut c = Command::new(weir);
                c.arg("run").arg(&self.spec).args(["--workers", &workers, "--mode", "batch"]);
                Ok(c)
            }
            System::DdReduce | System::DdDiffAgg | System::DdPreAgg => {
                let dd = self.dd.as_ref().ok_or("weir-bench-dd-groupby binary not found")?;
                let strategy = &system.name()[3..]; // "dd-reduce" -> "reduce"
                let mut c = Command::new(dd);
                c.arg(&self.csv).args(["--workers", &workers, "--strategy", strategy]);
                Ok(c)
            }
            System::Polars | System::Duckdb => {
                let python = self.python.as_ref().ok_or("no Python virtualenv with polars and duckdb")?;
                let mut c = Command::new(python);
                c.arg(&self.script).arg(&self.csv);
                c.args(["--engine", system.name(), "--runs", "1", "--threads", &workers]);
                Ok(c)
            }
        }
    }
}

/// What one run answered.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Answer {
    /// Seconds of the query: in-process time for systems that [`System::times_itself`],
    /// subprocess wall time otherwise.
    pub query_s: f64,
    /// Groups and checksum of the result, when the system reports them.
    pub summary: Option<Summary>,
}

/// Reads the answer of a successful run of `system` from its output.
pub fn read_answer(system: System, m: &Measured) -> Result<Answer, String> {
    let wall = m.wall.as_secs_f64();
    match system {
        System::Weir => Ok(Answer { query_s: wall, summary: None }),
        System::DdReduce | System::DdDiffAgg | System::DdPreAgg => {
            let text = String::from_utf8_lossy(&m.stderr);
            let line = text.lines().rev().find(|l| l.starts_with("groups=")).ok_or("no `groups=` line on stderr")?;
            let value = |key: &str| line.split_whitespace().find_map(|kv| kv.strip_prefix(key));
            let groups = value("groups=").and_then(|v| v.parse().ok()).ok_or("bad groups=")?;
            let checksum = value("checksum=").and_then(|v| u64::from_str_radix(v, 16).ok()).ok_or("bad checksum=")?;
            Ok(Answer { query_s: wall, summary: Some(Summary { groups, checksum }) })
        }
        System::Polars | System::Duckdb => {
            let json: serde_json::Value = serde_json::from_slice(&m.stdout).map_err(|e| format!("stdout is not the expected JSON: {e}"))?;
            let query_s = json[system.name()]["runs"][0].as_f64().ok_or("no runs[0] in JSON")?;
            let groups = json["groups"].as_u64().ok_or("no groups in JSON")?;
            let checksum = json["checksum"].as_str().and_then(|v| u64::from_str_radix(v, 16).ok()).ok_or("no checksum")?;
            Ok(Answer { query_s, summary: Some(Summary { groups, checksum }) })
        }
    }
}

/// The summary of a Flink-style changelog printed by `weir run` with a print sink
/// (`+I[1824, 5, 23000, 999]` lines; `+U` adds a row, `-U`/`-D` retract one). Lines that are not
/// changelog rows are ignored.
pub fn changelog_summary(stdout: &[u8]) -> Result<Summary, String> {
    let mut rows: std::collections::HashMap<AuctionStats, i64> = Default::default();
    for line in String::from_utf8_lossy(stdout).lines() {
        let line = line.trim();
        let (sign, body) = match line.get(..3) {
            Some("+I[") | Some("+U[") => (1, &line[3..]),
            Some("-U[") | Some("-D[") => (-1, &line[3..]),
            _ => continue,
        };
        let body = body.strip_suffix(']').ok_or_else(|| format!("unterminated row: {line}"))?;
        let v: Vec<i64> = body.split(',').map(|f| parse_i64(f.trim().as_bytes()).ok_or_else(|| format!("not a BIGINT in {line}"))).collect::<Result<_, _>>()?;
        let [auction, count, sum, max] = v[..] else {
            return Err(format!("expected 4 columns: {line}"));
        };
        *rows.entry(AuctionStats { auction, count, sum, max }).or_default() += sign;
    }
    let mut summary = Summary::default();
    for (row, n) in rows {
        match n {
            0 => {}
            1 => summary.add(&row),
            _ => {
                return Err(format!("row {row:?} has multiplicity {n} at the end of the changelog"));
            }
        }
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changelog_applies_updates() {
        let out = b"+I[1, 1, 5, 5]\n+I[2, 1, 7, 7]\n-U[1, 1, 5, 5]\n+U[1, 2, 8, 5]\nnoise\n";
        let a = AuctionStats { auction: 1, count: 2, sum: 8, max: 5 };
        let b = AuctionStats { auction: 2, count: 1, sum: 7, max: 7 };
        assert_eq!(changelog_summary(out).unwrap(), Summary::of([&a, &b]));
        assert!(changelog_summary(b"+I[1, 2]\n").is_err());
    }
}
