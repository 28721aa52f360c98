//! Subqueries at run time: a scalar subquery that returns more than one row for an outer row
//! fails the job, as Flink's `SINGLE_VALUE` does; one row per outer row (or none) runs, in
//! batch and streaming mode; in streaming mode a change on the subquery's side retracts the
//! outer rows it no longer admits.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use weir_core::plan::{JobSpec, RuntimeMode, validate};
use weir_core::runtime::{RunOptions, RunningJob, run_job, start_job};
use weir_core::sql::SqlSession;
use weir_core::types::{Row, RowKind, Value};

use common::{collected_query, final_rows, texts};

fn plan(query: &str) -> JobSpec {
    collected_query(SqlSession::new(), query)
}

fn run(query: &str, mode: RuntimeMode) -> Result<Vec<String>, String> {
    let plan = validate(&plan(query)).unwrap_or_else(|e| panic!("{e}"));
    let options = RunOptions { workers: Some(2), mode: Some(mode), tick_ms: 1, ..RunOptions::default() };
    let outcome = run_job(Arc::new(plan), &options).map_err(|e| e.to_string())?;
    let rows = outcome.collected.values().flat_map(|changes| final_rows(changes)).collect::<Vec<_>>();
    let mut out = texts(&rows);
    out.sort();
    Ok(out)
}

const OUTER: &str = "(VALUES (1), (2), (3)) AS t(a)";

#[test]
fn a_correlated_scalar_subquery_with_one_row_per_outer_row_runs() {
    let query = format!("SELECT a, (SELECT v FROM (VALUES (1, 10), (2, 20)) AS u(k, v) WHERE u.k = t.a) AS v FROM {OUTER}");
    for mode in [RuntimeMode::Batch, RuntimeMode::Streaming] {
        assert_eq!(run(&query, mode).unwrap_or_else(|e| panic!("{e}")), ["1, 10", "2, 20", "3, null"], "{mode:?}");
    }
}

#[test]
fn a_scalar_subquery_returning_two_rows_fails_the_job() {
    let correlated = format!("SELECT a, (SELECT v FROM (VALUES (1, 10), (1, 11), (2, 20)) AS u(k, v) WHERE u.k = t.a) FROM {OUTER}");
    let uncorrelated = format!("SELECT a FROM {OUTER} WHERE a < (SELECT v FROM (VALUES (10), (11)) AS u(v))");
    for query in [correlated, uncorrelated] {
        for mode in [RuntimeMode::Batch, RuntimeMode::Streaming] {
            let err = run(&query, mode).expect_err("two rows for one outer row must fail");
            assert!(err.contains("a scalar subquery returned more than one row"), "{mode:?}: {err}");
        }
    }
}

/// The rows standing in the job's sink once they equal `want` (waits up to 20 s), and the
/// changelog so far.
fn wait_for(job: &RunningJob, want: &[&str]) -> Vec<(RowKind, Row)> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let changes: Vec<(RowKind, Row)> = job.collected.snapshot().into_values().flatten().collect();
        if texts(&final_rows(&changes)) == want || Instant::now() > deadline {
            assert_eq!(texts(&final_rows(&changes)), want);
            return changes;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn bigints(values: &[Option<i64>]) -> Row {
    Row::new(values.iter().map(|v| v.map(Value::BigInt).unwrap_or(Value::Null)).collect())
}

fn retracted(changes: &[(RowKind, Row)], row: &str) -> bool {
    changes.iter().any(|(kind, r)| !kind.is_addition() && r.to_string() == row)
}

#[test]
fn streaming_subqueries_retract_rows_when_the_subquery_changes() {
    let script = "
        CREATE TABLE a (x BIGINT, price BIGINT) WITH ('connector' = 'push');
        CREATE TABLE b (y BIGINT) WITH ('connector' = 'push');
        SELECT x, price FROM a WHERE price > (SELECT AVG(price) FROM a) AND x NOT IN (SELECT y FROM b);";
    for workers in [1, 3] {
        let plan = validate(&plan(script)).unwrap_or_else(|e| panic!("{e}"));
        let options = RunOptions { workers: Some(workers), mode: Some(RuntimeMode::Streaming), tick_ms: 5, ..RunOptions::default() };
        let job = start_job(Arc::new(plan), &options).unwrap_or_else(|e| panic!("{e}"));
        let inputs = job.push_inputs();
        let (a, b) = (&inputs["a"], &inputs["b"]);
        a.push(vec![bigints(&[Some(1), Some(10)]), bigints(&[Some(2), Some(30)]), bigints(&[Some(3), Some(40)])]).expect("open");
        b.push(vec![bigints(&[Some(3)])]).expect("open");
        wait_for(&job, &["2, 30"]);
        // A higher price moves the average (26 -> 42): x = 2 no longer passes.
        a.push(vec![bigints(&[Some(4), Some(90)])]).expect("open");
        let changes = wait_for(&job, &["4, 90"]);
        assert!(retracted(&changes, "2, 30"), "{workers} workers: {changes:?}");
        // A NULL among the NOT IN values makes NOT IN NULL for every x it does not hold.
        b.push(vec![bigints(&[None])]).expect("open");
        let changes = wait_for(&job, &[]);
        assert!(retracted(&changes, "4, 90"), "{workers} workers: {changes:?}");
        a.close();
        b.close();
        job.wait().unwrap_or_else(|e| panic!("{e}"));
    }
}
