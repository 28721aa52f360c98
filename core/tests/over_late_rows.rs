//! Event-time OVER aggregates over rows that arrive behind the watermark, against what Flink
//! 2.3 answers for the same rows in the same order (`tests/flink_reference/over_late_rows.py`:
//! one split read in file order, a watermark per record, `WATERMARK FOR ts AS ts`). Over a
//! bounded frame Flink drops a row only when its key has fired a timer at or after the row's
//! time; a row behind the watermark but after its key's progress waits for the next watermark
//! and is aggregated then, in time order with the others that arrived behind the same one.
//! RANGE frames also drop a key's frame and progress on Flink's cleanup timer, 1.5 frames after
//! its last row. Over an unbounded frame every row behind the watermark is dropped. Each case
//! runs at several source ticks: the answer must not depend on how rows are batched.

mod common;

use std::path::Path;
use std::sync::Arc;

use weir_core::plan::{RuntimeMode, validate};
use weir_core::runtime::{RunOptions, run_job};
use weir_core::sql::SqlSession;
use weir_core::types::Value;

use common::{collected_query, final_rows};

const DDL: &str = "CREATE TABLE ev (seq BIGINT, k BIGINT, ts_ms BIGINT, ts AS TO_TIMESTAMP_LTZ(ts_ms, 3),
  WATERMARK FOR ts AS ts) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv');";

const RANGE: &str = "RANGE BETWEEN INTERVAL '10' SECOND PRECEDING AND CURRENT ROW";
const ROWS: &str = "ROWS BETWEEN 1 PRECEDING AND CURRENT ROW";
const UNBOUNDED: &str = "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW";

/// Rows `(seq, k, ts_ms)` in arrival order.
type Input = &'static [(i64, i64, i64)];
/// Flink's rows `(seq, COUNT(*), LISTAGG(seq))`, by seq.
type Answer = &'static [(i64, i64, &'static str)];

struct Case {
    name: &'static str,
    input: Input,
    range: Answer,
    rows: Answer,
    unbounded: Answer,
}

const CASES: [Case; 5] = [
    // The example: seq 3 is behind the watermark (20000) but after key 1's last row.
    Case {
        name: "behind the watermark, after the key's progress",
        input: &[(1, 1, 1000), (2, 2, 20000), (3, 1, 12000), (4, 1, 21000)],
        range: &[(1, 1, "1"), (2, 1, "2"), (3, 1, "3"), (4, 2, "3,4")],
        rows: &[(1, 1, "1"), (2, 1, "2"), (3, 2, "1,3"), (4, 2, "3,4")],
        unbounded: &[(1, 1, "1"), (2, 1, "2"), (4, 2, "1,4")],
    },
    // Key 1's timer at 15000 fired when the watermark reached 20000, before seq 4 arrived. The
    // keyed operator handles the rows of an activation before the timers the frontier releases,
    // so seq 4 is handled while that timer still pends: the operator fires the key's timers
    // behind seq 4's watermark first (without that, seq 4 came out before seq 2, counted).
    Case {
        name: "behind the key's progress",
        input: &[(1, 1, 1000), (2, 1, 15000), (3, 2, 20000), (4, 1, 12000), (5, 1, 22000)],
        range: &[(1, 1, "1"), (2, 1, "2"), (3, 1, "3"), (5, 2, "2,5")],
        rows: &[(1, 1, "1"), (2, 2, "1,2"), (3, 1, "3"), (5, 2, "2,5")],
        unbounded: &[(1, 1, "1"), (2, 2, "1,2"), (3, 1, "3"), (5, 3, "1,2,5")],
    },
    // Seqs 3 and 4 arrive behind one watermark and are aggregated in time order at the next;
    // seq 6 arrives after that one fired them.
    Case {
        name: "two late rows behind one watermark",
        input: &[(1, 1, 1000), (2, 2, 20000), (3, 1, 12000), (4, 1, 11000), (5, 2, 21000), (6, 1, 11500)],
        range: &[(1, 1, "1"), (2, 1, "2"), (3, 2, "4,3"), (4, 1, "4"), (5, 2, "2,5")],
        rows: &[(1, 1, "1"), (2, 1, "2"), (3, 2, "4,3"), (4, 2, "1,4"), (5, 2, "2,5")],
        unbounded: &[(1, 1, "1"), (2, 1, "2"), (5, 2, "2,5")],
    },
    // RANGE: key 1's cleanup timer (20001) fired before seq 4, so seq 4 is taken over an empty
    // frame; ROWS keeps its progress and drops it.
    Case {
        name: "an idle key",
        input: &[(1, 1, 1000), (2, 1, 5000), (3, 2, 30000), (4, 1, 3000), (5, 1, 31000)],
        range: &[(1, 1, "1"), (2, 2, "1,2"), (3, 1, "3"), (4, 1, "4"), (5, 1, "5")],
        rows: &[(1, 1, "1"), (2, 2, "1,2"), (3, 1, "3"), (5, 2, "2,5")],
        unbounded: &[(1, 1, "1"), (2, 2, "1,2"), (3, 1, "3"), (5, 3, "1,2,5")],
    },
    // RANGE: key 1's first cleanup timer (16001), superseded by seq 2's, still fired and counts
    // as its progress, so seq 4 (14000) is dropped; ROWS takes it.
    Case {
        name: "behind a superseded cleanup timer",
        input: &[(1, 1, 1000), (2, 1, 12000), (3, 2, 17000), (4, 1, 14000), (5, 2, 40000)],
        range: &[(1, 1, "1"), (2, 1, "2"), (3, 1, "3"), (5, 1, "5")],
        rows: &[(1, 1, "1"), (2, 2, "1,2"), (3, 1, "3"), (4, 2, "2,4"), (5, 2, "3,5")],
        unbounded: &[(1, 1, "1"), (2, 2, "1,2"), (3, 1, "3"), (5, 2, "3,5")],
    },
];

fn write_input(dir: &Path, input: Input) {
    let text: String = input.iter().map(|(seq, k, ts)| format!("{seq},{k},{ts}\n")).collect();
    std::fs::write(dir.join("input.csv"), text).expect("writes the input");
}

/// The rows `(seq, count, listagg)` of the OVER query with `frame`, by seq, and how many rows
/// were dropped as late.
fn run(dir: &Path, frame: &str, tick_ms: u64) -> (Vec<(i64, i64, String)>, u64) {
    let query = format!("SELECT seq, COUNT(*) OVER w, LISTAGG(CAST(seq AS STRING)) OVER w FROM ev WINDOW w AS (PARTITION BY k ORDER BY ts {frame})");
    let mut session = SqlSession::new();
    session.set_base_dir(dir);
    let plan = validate(&collected_query(session, &format!("{DDL}\n{query}"))).unwrap_or_else(|e| panic!("{e}"));
    let options = RunOptions { workers: Some(1), mode: Some(RuntimeMode::Streaming), tick_ms, ..RunOptions::default() };
    let outcome = run_job(Arc::new(plan), &options).unwrap_or_else(|e| panic!("{e}"));
    let changes: Vec<_> = outcome.collected.into_values().flatten().collect();
    let mut rows: Vec<(i64, i64, String)> = final_rows(&changes)
        .iter()
        .map(|r| match r.values() {
            [Value::BigInt(seq), Value::BigInt(n), Value::String(list)] => (*seq, *n, list.to_string()),
            other => panic!("unexpected row {other:?}"),
        })
        .collect();
    rows.sort();
    (rows, outcome.late_records)
}

fn check(frame_name: &str, frame: &str, answer: impl Fn(&Case) -> Answer) {
    for case in &CASES {
        let dir = tempfile::tempdir().expect("temp dir");
        write_input(dir.path(), case.input);
        let want: Vec<(i64, i64, String)> = answer(case).iter().map(|(s, n, l)| (*s, *n, l.to_string())).collect();
        for tick_ms in [1, 7, 1_000] {
            let (got, late) = run(dir.path(), frame, tick_ms);
            assert_eq!(got, want, "{frame_name}, {} (tick {tick_ms} ms)", case.name);
            assert_eq!(late as usize, case.input.len() - want.len(), "{frame_name}, {}: the dropped rows are counted", case.name);
        }
    }
}

#[test]
fn a_range_frame_takes_late_rows_after_its_keys_progress_as_flink_does() {
    check("RANGE", RANGE, |c| c.range);
}

#[test]
fn a_rows_frame_takes_late_rows_after_its_keys_progress_as_flink_does() {
    check("ROWS", ROWS, |c| c.rows);
}

#[test]
fn an_unbounded_frame_drops_every_row_behind_the_watermark_as_flink_does() {
    check("UNBOUNDED", UNBOUNDED, |c| c.unbounded);
}
