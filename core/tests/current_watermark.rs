//! `CURRENT_WATERMARK(rowtime)` at run time, over a file whose rows arrive out of order (one
//! worker, so they arrive in file order): the rows Flink's late-data filter
//! `WHERE CURRENT_WATERMARK(ts) IS NULL OR ts > CURRENT_WATERMARK(ts)` keeps are exactly the rows
//! an OVER aggregate does not drop as late, and both are what Flink's documented rule gives
//! (the watermark when a row arrives is the largest event time before it minus the delay; a row
//! at or behind it is late), whatever the source's tick. Late rows see the watermark they
//! arrived behind; in batch mode the function is NULL.

mod common;

use std::path::Path;
use std::sync::Arc;

use weir_core::plan::{JobSpec, RuntimeMode, validate};
use weir_core::runtime::{RunOptions, run_job};
use weir_core::sql::SqlSession;
use weir_core::types::Value;

use common::{collected_query, final_rows};

const BASE: i64 = 1_700_000_000_000;
const DELAY: i64 = 5_000;
/// (seq, key, event time offset) in arrival order: out of order, with rows exactly at the
/// watermark (late) and one millisecond after it (on time).
const EVENTS: [(i64, i64, i64); 15] = [
    (1, 1, 10_000),
    (2, 2, 5_000),
    (3, 1, 5_001),
    (4, 2, 20_000),
    (5, 1, 12_000),
    (6, 2, 15_001),
    (7, 1, 15_000),
    (8, 2, 18_000),
    (9, 1, 30_000),
    (10, 2, 24_999),
    (11, 1, 25_000),
    (12, 2, 25_001),
    (13, 1, 31_000),
    (14, 2, 26_500),
    (15, 1, 26_000),
];

const DDL: &str = "CREATE TABLE ev (seq BIGINT, k BIGINT, ts_ms BIGINT, ts AS TO_TIMESTAMP_LTZ(ts_ms, 3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv');";

/// Each late row by Flink's rule, with the watermark it arrived behind (epoch ms).
fn late_by_flinks_rule() -> Vec<(i64, i64)> {
    let mut max_seen: Option<i64> = None;
    let mut late = Vec::new();
    for (seq, _, offset) in EVENTS {
        let ts = BASE + offset;
        if let Some(watermark) = max_seen.map(|m| m - DELAY)
            && ts <= watermark
        {
            late.push((seq, watermark));
        }
        max_seen = Some(max_seen.map_or(ts, |m| m.max(ts)));
    }
    late
}

fn write_input(dir: &Path) {
    let text: String = EVENTS.iter().map(|(seq, k, offset)| format!("{seq},{k},{}\n", BASE + offset)).collect();
    std::fs::write(dir.join("input.csv"), text).expect("writes the input");
}

fn plan(dir: &Path, query: &str) -> JobSpec {
    let mut session = SqlSession::new();
    session.set_base_dir(dir);
    collected_query(session, &format!("{DDL}\n{query}"))
}

/// The rows of `query` (first column BIGINT, second anything) on one worker.
fn run(dir: &Path, query: &str, mode: RuntimeMode, tick_ms: u64) -> Vec<(i64, Value)> {
    let plan = validate(&plan(dir, query)).unwrap_or_else(|e| panic!("{e}"));
    let options = RunOptions { workers: Some(1), mode: Some(mode), tick_ms, ..RunOptions::default() };
    let outcome = run_job(Arc::new(plan), &options).unwrap_or_else(|e| panic!("{e}"));
    let changes: Vec<_> = outcome.collected.into_values().flatten().collect();
    let mut rows: Vec<(i64, Value)> = final_rows(&changes)
        .iter()
        .map(|r| (r.get(0).as_i64().unwrap_or_else(|| panic!("{r:?}")), r.values().get(1).cloned().unwrap_or(Value::Null)))
        .collect();
    rows.sort_by_key(|(seq, _)| *seq);
    rows
}

fn seqs(rows: &[(i64, Value)]) -> Vec<i64> {
    rows.iter().map(|(seq, _)| *seq).collect()
}

#[test]
fn the_late_data_filter_keeps_exactly_the_rows_an_over_aggregate_does_not_drop() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_input(dir.path());
    let late: Vec<i64> = late_by_flinks_rule().iter().map(|(seq, _)| *seq).collect();
    assert_eq!(late, [2, 5, 7, 10, 11, 15], "the input has late rows, three of them exactly at the watermark");
    let on_time: Vec<i64> = EVENTS.iter().map(|e| e.0).filter(|s| !late.contains(s)).collect();
    let filter = "SELECT seq, ts_ms FROM ev WHERE CURRENT_WATERMARK(ts) IS NULL OR ts > CURRENT_WATERMARK(ts)";
    let over = "SELECT seq, COUNT(*) OVER (PARTITION BY k ORDER BY ts) AS n FROM ev";
    for tick_ms in [1, 7, 1_000] {
        let kept = seqs(&run(dir.path(), filter, RuntimeMode::Streaming, tick_ms));
        let not_dropped = seqs(&run(dir.path(), over, RuntimeMode::Streaming, tick_ms));
        assert_eq!(kept, on_time, "tick {tick_ms}: the filter keeps the rows that are on time by Flink's rule");
        assert_eq!(kept, not_dropped, "tick {tick_ms}: the filter and OVER agree on which rows are late");
    }
    let all: Vec<i64> = EVENTS.iter().map(|e| e.0).collect();
    assert_eq!(seqs(&run(dir.path(), filter, RuntimeMode::Batch, 1)), all, "batch mode: no watermark, nothing is late");
}

#[test]
fn a_late_row_sees_the_watermark_it_arrived_behind() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_input(dir.path());
    let query = "SELECT seq, CURRENT_WATERMARK(ts) AS wm FROM ev WHERE ts <= CURRENT_WATERMARK(ts)";
    let want: Vec<(i64, Value)> = late_by_flinks_rule().into_iter().map(|(seq, wm)| (seq, Value::TimestampLtz(wm))).collect();
    for tick_ms in [1, 1_000] {
        assert_eq!(run(dir.path(), query, RuntimeMode::Streaming, tick_ms), want, "tick {tick_ms}");
    }
    assert_eq!(run(dir.path(), query, RuntimeMode::Batch, 1), [], "batch mode: NULL, so no row compares");
}

#[test]
fn an_on_time_row_sees_a_watermark_before_its_event_time_or_none() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_input(dir.path());
    let late = late_by_flinks_rule();
    for tick_ms in [1, 1_000] {
        let rows = run(dir.path(), "SELECT seq, CURRENT_WATERMARK(ts) FROM ev", RuntimeMode::Streaming, tick_ms);
        assert_eq!(rows.len(), EVENTS.len());
        for ((seq, wm), (_, _, offset)) in rows.iter().zip(EVENTS) {
            match (late.iter().find(|(s, _)| s == seq), wm) {
                (Some((_, behind)), _) => assert_eq!(*wm, Value::TimestampLtz(*behind), "late row {seq}"),
                // How far the operator's watermark has come when it evaluates an on-time row
                // depends on batching, as Flink's depends on when periodic watermarks are
                // emitted; it is never at or past the row's event time.
                (None, Value::TimestampLtz(ms)) => assert!(*ms < BASE + offset, "row {seq}: {ms}"),
                (None, other) => assert_eq!(*other, Value::Null, "row {seq}"),
            }
        }
    }
    let batch = run(dir.path(), "SELECT seq, CURRENT_WATERMARK(ts) FROM ev", RuntimeMode::Batch, 1);
    assert!(batch.iter().all(|(_, wm)| *wm == Value::Null), "batch mode: always NULL, {batch:?}");
}
