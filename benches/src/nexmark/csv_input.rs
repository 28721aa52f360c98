//! The bids of a Nexmark stream as CSV files, the input Weir and Flink both read in the
//! comparison with Flink (`weir-bench nexmark --flink`): written once per `(events, tps)` by
//! Weir's `nexmark` source into a `filesystem` sink, under the benchmark data directory, and
//! reused by later runs. Next to it, the first `WARMUP_ROWS` bids as a small input for
//! Flink's warm-up job.

use std::path::{Path, PathBuf};

use weir_core::plan::RuntimeMode;

use super::queries::{DDL, Query};
use super::weir_query;
use crate::flink::warmup::{WARMUP_ROWS, write_prefix};

/// The name of the file that marks a complete directory of bids and holds their number (both
/// engines skip names starting with `_`).
const ROWS_FILE: &str = "_rows";

/// A directory of bids as CSV files.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BidsCsv {
    /// The directory (part files written by the `filesystem` sink).
    pub dir: PathBuf,
    /// The warm-up input: a directory with the first [`WARMUP_ROWS`] bids.
    pub warmup_dir: PathBuf,
    /// Bids in `dir`.
    pub rows: u64,
}

/// The script of `query` over the bids in `dir`: the `bid` table of `nexmark/ddl.sql` (its
/// columns and watermark, `dateTime - 4 s`) over CSV files, the `filesystem` connector as
/// Flink and Weir both name it, then the query.
pub fn csv_script(query: &Query, dir: &Path) -> Result<String, String> {
    Ok(format!("CREATE TABLE bid ({}) WITH ({});\n{}", bid_columns()?, csv_options(dir)?, query.sql))
}

/// The column list (and watermark) of the `bid` table in `nexmark/ddl.sql`.
fn bid_columns() -> Result<&'static str, String> {
    let start = DDL.find("CREATE TABLE bid (").ok_or("ddl.sql declares no `bid` table")? + "CREATE TABLE bid (".len();
    let len = DDL[start..].find(") WITH (").ok_or("ddl.sql: the `bid` table has no WITH clause")?;
    Ok(&DDL[start..start + len])
}

/// The options of a `filesystem` table of CSV files in `dir`.
fn csv_options(dir: &Path) -> Result<String, String> {
    let path = dir.to_str().ok_or_else(|| format!("{}: not a UTF-8 path", dir.display()))?;
    Ok(format!("'connector' = 'filesystem', 'path' = '{}', 'format' = 'csv'", path.replace('\'', "''")))
}

/// The bids of a stream of `events` events at `tps` in `data_dir`, written first (on
/// `workers` threads) when they are not there yet.
pub fn ensure(data_dir: &Path, events: u64, tps: u64, workers: usize) -> Result<BidsCsv, String> {
    let dir = data_dir.join(format!("nexmark-bids-{events}-tps{tps}"));
    let warmup_dir = data_dir.join(format!("nexmark-bids-{events}-tps{tps}-warmup"));
    let rows = match std::fs::read_to_string(dir.join(ROWS_FILE)) {
        Ok(text) => text.trim().parse::<u64>().map_err(|_| format!("{}: not a number of rows", dir.join(ROWS_FILE).display()))?,
        Err(_) => write(&dir, events, tps, workers)?,
    };
    if !warmup_dir.join(ROWS_FILE).is_file() {
        write_warmup(&dir, &warmup_dir)?;
    }
    Ok(BidsCsv { dir, warmup_dir, rows })
}

/// Writes the bids into `dir` (through a temporary directory renamed into place); their number.
fn write(dir: &Path, events: u64, tps: u64, workers: usize) -> Result<u64, String> {
    let tmp = dir.with_extension(format!("tmp{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    eprintln!("writing the bids of {events} events as CSV into {}", dir.display());
    let ddl = DDL.replace("${EVENTS_NUM}", &events.to_string()).replace("${TPS}", &tps.to_string());
    let columns = bid_columns()?;
    let columns = columns.split_once("WATERMARK").map_or(columns, |(c, _)| c).trim_end().trim_end_matches(',');
    let text = format!(
        "{ddl}\nCREATE TABLE bid_csv ({columns}) WITH ({});\nINSERT INTO bid_csv SELECT auction, bidder, price, channel, url, `dateTime`, extra FROM bid;\n",
        csv_options(&tmp)?
    );
    let plan = weir_query::plan_text("bids-to-csv", &text)?;
    let run = weir_query::run(plan, workers, RuntimeMode::Batch)?;
    std::fs::write(tmp.join(ROWS_FILE), run.rows_out.to_string()).map_err(|e| format!("{}: {e}", tmp.display()))?;
    let _ = std::fs::remove_dir_all(dir);
    std::fs::rename(&tmp, dir).map_err(|e| format!("cannot rename {} to {}: {e}", tmp.display(), dir.display()))?;
    Ok(run.rows_out)
}

/// Copies the first [`WARMUP_ROWS`] bids of the first part file of `dir` into `warmup_dir`.
fn write_warmup(dir: &Path, warmup_dir: &Path) -> Result<(), String> {
    let first = crate::flink::answer::answer_files(dir)?.into_iter().next().ok_or_else(|| format!("{}: no CSV files", dir.display()))?;
    std::fs::create_dir_all(warmup_dir).map_err(|e| format!("{}: {e}", warmup_dir.display()))?;
    let rows = write_prefix(&first, &warmup_dir.join("part-0.csv"), WARMUP_ROWS)?;
    std::fs::write(warmup_dir.join(ROWS_FILE), rows.to_string()).map_err(|e| format!("{}: {e}", warmup_dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bids_are_written_once_and_read_back_by_weir() {
        let data = tempfile::tempdir().unwrap();
        let bids = ensure(data.path(), 5_000, 1_000, 2).unwrap();
        assert_eq!(bids.rows, 4_600, "46 of every 50 events are bids");
        let again = ensure(data.path(), 5_000, 1_000, 2).unwrap();
        assert_eq!(again, bids, "reused");
        let lines: usize = crate::flink::answer::answer_files(&bids.dir).unwrap().iter().map(|f| std::fs::read_to_string(f).unwrap().lines().count()).sum();
        assert_eq!(lines, 4_600);
        assert!(std::fs::read_to_string(bids.warmup_dir.join("part-0.csv")).unwrap().lines().count() <= WARMUP_ROWS);
        let q0 = super::super::queries::find("q0").unwrap();
        let plan = weir_query::plan_text("q0", &csv_script(q0, &bids.dir).unwrap()).unwrap();
        let run = weir_query::run(plan, 2, RuntimeMode::Streaming).unwrap();
        assert_eq!((run.rows_in, run.rows_out), (4_600, 4_600));
    }
}
