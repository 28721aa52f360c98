//! The systems under test: how each is started for one run of the group-by query, and how its
//! answer (groups, checksum, in-process query time) is read back from its output.

use std::path::PathBuf;
use std::process::Command;

use serde::Serialize;

use crate::auction_stats::{AuctionStats, Summary};
use crate::csv_range::parse_i64;
use crate::flink::answer::for_each_row;
use crate::flink::driver::{FlinkJob, FlinkMode, FlinkOutput};
use crate::flink::install::FlinkEnv;
use crate::flink::warmup::{WARMUP_ROWS, write_prefix};
use crate::measure::Measured;

/// A system under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum System {
    /// `weir run <spec> --workers W --mode batch` with a blackhole sink.
    Weir,
    /// `weir run <spec> --workers W --mode streaming` with a blackhole sink: the streaming
    /// GROUP BY on keyed state, an update per group and time; not in the default list.
    WeirStreaming,
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
    /// Apache Flink (PyFlink's runtime) in batch mode: the query over the CSV (`filesystem`
    /// connector) into a `blackhole` table, run by `scripts/flink_driver.py` (see
    /// [`crate::flink`]); not in the default list.
    Flink,
    /// Flink as [`System::Flink`] in streaming mode (an update per row and group; its answer,
    /// an updating changelog, is not checked: Flink's filesystem sink takes only inserts); not
    /// in the default list.
    FlinkStreaming,
}

impl System {
    /// Every system, in the default run order.
    pub const ALL: [System; 6] = [System::Weir, System::DdReduce, System::DdDiffAgg, System::DdPreAgg, System::Polars, System::Duckdb];

    /// The name used in tables, JSON and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            System::Weir => "weir",
            System::WeirStreaming => "weir-streaming",
            System::DdReduce => "dd-reduce",
            System::DdDiffAgg => "dd-diff-agg",
            System::DdPreAgg => "dd-pre-agg",
            System::Polars => "polars",
            System::Duckdb => "duckdb",
            System::Flink => "flink",
            System::FlinkStreaming => "flink-streaming",
        }
    }

    /// Whether the reported time is measured inside the process (Python baselines: the query
    /// only, not interpreter start-up and imports) rather than the subprocess wall time.
    pub fn times_itself(self) -> bool {
        matches!(self, System::Polars | System::Duckdb | System::Flink | System::FlinkStreaming)
    }

    /// The runtime mode Weir runs in, for the Weir systems.
    pub fn weir_mode(self) -> Option<&'static str> {
        match self {
            System::Weir => Some("batch"),
            System::WeirStreaming => Some("streaming"),
            _ => None,
        }
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
    /// Java and PyFlink, when Flink is measured.
    pub flink: Option<FlinkEnv>,
    /// Where Flink's job files and answer go (a temporary directory of the harness run).
    pub flink_dir: Option<PathBuf>,
}

impl Setup {
    /// The command for one run of `system`, or why it cannot run.
    pub fn command(&self, system: System) -> Result<Command, String> {
        let workers = self.workers.to_string();
        match system {
            System::Weir | System::WeirStreaming => {
                let weir = self.weir.as_ref().ok_or("weir binary not found")?;
                let mode = system.weir_mode().unwrap_or("batch");
                let mut c = Command::new(weir);
                c.arg("run").arg(&self.spec).args(["--workers", &workers, "--mode", mode]);
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
            System::Flink => self.flink_command(false, FlinkMode::Batch),
            System::FlinkStreaming => self.flink_command(false, FlinkMode::Streaming),
        }
    }

    /// The command of one Flink run; with `check_answer`, the driver also writes the query's
    /// answer into [`Setup::flink_answer_dir`] (emptied here first; batch only, see
    /// [`System::FlinkStreaming`]).
    pub fn flink_command(&self, check_answer: bool, mode: FlinkMode) -> Result<Command, String> {
        let check_answer = check_answer && mode == FlinkMode::Batch;
        let (env, dir) = self.flink.as_ref().zip(self.flink_dir.as_ref()).ok_or("Flink is not set up")?;
        let answer = self.flink_answer_dir().ok_or("Flink is not set up")?;
        let _ = std::fs::remove_dir_all(&answer);
        let job = groupby_flink_job(&self.csv, &warmup_csv(&self.csv)?, check_answer.then_some(answer.as_path()))?;
        let file = dir.join(if check_answer { "job-checked.json" } else { "job.json" });
        job.write(&file)?;
        Ok(env.command(&file, mode, self.workers))
    }

    /// The directory Flink's answer is written to.
    pub fn flink_answer_dir(&self) -> Option<PathBuf> {
        self.flink_dir.as_ref().map(|d| d.join("answer"))
    }
}

/// The first [`WARMUP_ROWS`] lines of `csv` in `<stem>.warmup.csv` next to it (written once).
fn warmup_csv(csv: &std::path::Path) -> Result<PathBuf, String> {
    let stem = csv.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "bids".into());
    let path = csv.with_file_name(format!("{stem}.warmup.csv"));
    if !path.is_file() {
        write_prefix(csv, &path, WARMUP_ROWS)?;
    }
    Ok(path)
}

/// Flink's statements of the group-by over `csv` (warm-up over `warmup`), into a blackhole and,
/// with `answer_dir`, into CSV files there.
pub fn groupby_flink_job(csv: &std::path::Path, warmup: &std::path::Path, answer_dir: Option<&std::path::Path>) -> Result<FlinkJob, String> {
    let text = |p: &std::path::Path| p.to_str().map(|s| s.replace('\'', "''")).ok_or_else(|| format!("{}: not a UTF-8 path", p.display()));
    let source = |p: &std::path::Path| -> Result<String, String> {
        Ok(format!(
            "CREATE TABLE bids (auction BIGINT, bidder BIGINT, price BIGINT, ts_ms BIGINT) WITH ('connector' = 'filesystem', 'path' = '{}', 'format' = 'csv')",
            text(p)?
        ))
    };
    let sink = |with: &str| format!("CREATE TABLE per_auction (auction BIGINT, bids BIGINT, total BIGINT, max_price BIGINT) WITH ({with})");
    let insert =
        "INSERT INTO per_auction SELECT auction, COUNT(*) AS bids, SUM(price) AS total, MAX(price) AS max_price FROM bids GROUP BY auction".to_string();
    let blackhole = sink("'connector' = 'blackhole'");
    let answer = match answer_dir {
        Some(dir) => Some(vec![source(csv)?, sink(&format!("'connector' = 'filesystem', 'path' = '{}', 'format' = 'csv'", text(dir)?)), insert.clone()]),
        None => None,
    };
    Ok(FlinkJob { warmup: vec![source(warmup)?, blackhole.clone(), insert.clone()], timed: vec![source(csv)?, blackhole, insert], answer })
}

/// The summary of the group-by's answer written as CSV files `auction,count,sum,max` into
/// `dir`.
pub fn groupby_answer(dir: &std::path::Path) -> Result<Summary, String> {
    let mut summary = Summary::default();
    for_each_row(dir, |record| {
        let v: Vec<i64> = record.iter().map(|f| parse_i64(f.trim().as_bytes()).ok_or_else(|| format!("not a BIGINT: {f:?}"))).collect::<Result<_, _>>()?;
        let [auction, count, sum, max] = v[..] else {
            return Err(format!("expected 4 columns, got {}", v.len()));
        };
        summary.add(&AuctionStats { auction, count, sum, max });
        Ok(())
    })?;
    Ok(summary)
}

/// What one run answered.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Answer {
    /// Seconds of the query: in-process time for systems that [`System::times_itself`],
    /// subprocess wall time otherwise.
    pub query_s: f64,
    /// Groups and checksum of the result, when the system reports them.
    pub summary: Option<Summary>,
    /// CPU seconds of the query alone, when the system measures them (Flink: its JVM's during
    /// the job); else the subprocess's CPU time is recorded.
    pub cpu_s: Option<f64>,
    /// Peak RSS during the query, MiB, when the system measures it (Flink: its JVM's).
    pub peak_rss_mib: Option<f64>,
}

/// Reads the answer of a successful run of `system` from its output (and, for Flink, from
/// `flink_answer`, the directory its answer was written to, if it was).
pub fn read_answer(system: System, m: &Measured, flink_answer: Option<&std::path::Path>) -> Result<Answer, String> {
    let wall = m.wall.as_secs_f64();
    let answer = |query_s, summary| Answer { query_s, summary, cpu_s: None, peak_rss_mib: None };
    match system {
        System::Weir | System::WeirStreaming => Ok(answer(wall, None)),
        System::DdReduce | System::DdDiffAgg | System::DdPreAgg => {
            let text = String::from_utf8_lossy(&m.stderr);
            let line = text.lines().rev().find(|l| l.starts_with("groups=")).ok_or("no `groups=` line on stderr")?;
            let value = |key: &str| line.split_whitespace().find_map(|kv| kv.strip_prefix(key));
            let groups = value("groups=").and_then(|v| v.parse().ok()).ok_or("bad groups=")?;
            let checksum = value("checksum=").and_then(|v| u64::from_str_radix(v, 16).ok()).ok_or("bad checksum=")?;
            Ok(answer(wall, Some(Summary { groups, checksum })))
        }
        System::Polars | System::Duckdb => {
            let json: serde_json::Value = serde_json::from_slice(&m.stdout).map_err(|e| format!("stdout is not the expected JSON: {e}"))?;
            let query_s = json[system.name()]["runs"][0].as_f64().ok_or("no runs[0] in JSON")?;
            let groups = json["groups"].as_u64().ok_or("no groups in JSON")?;
            let checksum = json["checksum"].as_str().and_then(|v| u64::from_str_radix(v, 16).ok()).ok_or("no checksum")?;
            Ok(answer(query_s, Some(Summary { groups, checksum })))
        }
        System::Flink | System::FlinkStreaming => {
            let out = FlinkOutput::parse(&m.stdout)?;
            let summary = match flink_answer.filter(|d| d.is_dir()) {
                Some(dir) => Some(groupby_answer(dir).map_err(|e| format!("Flink's answer: {e}"))?),
                None => None,
            };
            Ok(Answer { query_s: out.time_s, summary, cpu_s: Some(out.cpu_s), peak_rss_mib: Some(out.peak_rss_mib).filter(|p| *p >= 0.0) })
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

    #[test]
    fn flink_answer_files_are_summarised_like_the_others() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("part-x-0"), "1,2,8,5\n").unwrap();
        std::fs::write(dir.path().join("part-y-1"), "2,1,7,7\n").unwrap();
        let a = AuctionStats { auction: 1, count: 2, sum: 8, max: 5 };
        let b = AuctionStats { auction: 2, count: 1, sum: 7, max: 7 };
        assert_eq!(groupby_answer(dir.path()).unwrap(), Summary::of([&a, &b]));
        std::fs::write(dir.path().join("part-y-1"), "2,1,7,8\n").unwrap();
        assert_ne!(groupby_answer(dir.path()).unwrap(), Summary::of([&a, &b]), "a wrong MAX changes the checksum");
        std::fs::write(dir.path().join("part-y-1"), "2,1,7\n").unwrap();
        assert!(groupby_answer(dir.path()).unwrap_err().contains("expected 4 columns"));
    }

    #[test]
    fn flink_job_reads_the_csv_into_a_blackhole() {
        let job = groupby_flink_job(std::path::Path::new("/d/bids.csv"), std::path::Path::new("/d/w.csv"), Some(std::path::Path::new("/t/a"))).unwrap();
        assert!(job.timed[0].contains("'path' = '/d/bids.csv'") && job.warmup[0].contains("'path' = '/d/w.csv'"));
        assert!(job.timed[1].contains("'blackhole'") && job.timed[2].contains("GROUP BY auction"));
        assert!(job.answer.unwrap()[1].contains("'path' = '/t/a'"));
    }
}
