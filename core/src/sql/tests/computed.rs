//! Computed columns and watermarks on them (`ts AS TO_TIMESTAMP_LTZ(ts_ms, 3), WATERMARK FOR
//! ts AS ts - INTERVAL '5' SECOND`): planned into the source, and event time that windows,
//! OVER and interval joins recognise. The run tests expect Flink's documented rule: the
//! watermark after a row is the largest event time so far minus the delay, and a row whose
//! window has fired by then is dropped in streaming mode and counted in batch mode.

use std::sync::Arc;

use crate::expr::Expr;
use crate::plan::{Node, PlanOp, RuntimeMode, WatermarkDef};
use crate::runtime::{RunOptions, run_job};
use crate::sql::{SqlOutcome, SqlSession};
use crate::types::Value;

use super::kinds;

/// `ev`, timed by a column computed from epoch milliseconds, with `watermark` as declared.
fn ev_ddl(watermark: &str, connector: &str) -> String {
    format!("CREATE TABLE ev (k INT, ts_ms BIGINT, ts AS TO_TIMESTAMP_LTZ(ts_ms, 3), WATERMARK FOR ts AS {watermark}) WITH ({connector})")
}

const DATAGEN: &str = "'connector' = 'datagen', 'number-of-rows' = '10'";

/// The job of `query` after `ddl`, or the planning error.
fn plan_after(ddl: &str, query: &str) -> Result<crate::plan::JobSpec, String> {
    let mut s = SqlSession::new();
    s.execute_script(ddl).map_err(|e| e.to_string())?;
    match s.execute_script(query).map_err(|e| e.to_string())?.pop() {
        Some(SqlOutcome::Query(spec)) => Ok(spec),
        other => Err(format!("not a query: {other:?}")),
    }
}

fn source(spec: &crate::plan::JobSpec) -> &crate::plan::SourceNode {
    match &spec.nodes[0] {
        Node::Source(s) => s,
        other => panic!("expected a source first, found {other:?}"),
    }
}

#[test]
fn a_watermark_on_a_computed_column_times_the_source() {
    let spec = plan_after(&ev_ddl("ts - INTERVAL '5' SECOND", DATAGEN), "SELECT * FROM ev").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kinds(&spec), ["source", "sink"], "the source computes ts itself");
    let src = source(&spec);
    assert_eq!(src.computed.len(), 1);
    assert_eq!(src.computed[0].name, "ts");
    assert_eq!(src.computed[0].expr, Expr::call("TO_TIMESTAMP_LTZ", vec![Expr::col("ts_ms"), Expr::lit(3)]));
    assert_eq!(src.watermark, Some(WatermarkDef { column: "ts".into(), delay_ms: 5000 }));
    let plan = crate::plan::validate(&spec).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plan.nodes[0].time.rowtime, Some(2), "ts is the event-time attribute");
}

#[test]
fn flinks_bounded_out_of_orderness_strategies_are_read_and_others_named() {
    for (expr, delay) in
        [("ts", 0), ("ts - INTERVAL '0.001' SECOND", 1), ("(ts - INTERVAL '1' MINUTE) - INTERVAL '5' SECOND", 65_000), ("ts - INTERVAL '2' HOUR", 7_200_000)]
    {
        let spec = plan_after(&ev_ddl(expr, DATAGEN), "SELECT k FROM ev").unwrap_or_else(|e| panic!("{expr}: {e}"));
        assert_eq!(source(&spec).watermark.as_ref().map(|w| w.delay_ms), Some(delay), "{expr}");
    }
    for expr in ["ts + INTERVAL '1' SECOND", "ts - INTERVAL '1' MONTH", "TO_TIMESTAMP_LTZ(ts_ms - 5000, 3)", "ts_ms - INTERVAL '1' SECOND"] {
        let e = plan_after(&ev_ddl(expr, DATAGEN), "SELECT k FROM ev").expect_err(expr);
        assert!(e.contains(&format!("WATERMARK FOR ts AS {expr}")) && e.contains("supported: `ts`"), "{expr}: {e}");
    }
}

#[test]
fn a_watermark_on_a_processing_time_column_is_rejected_by_name() {
    let ddl = "CREATE TABLE c (k INT, pt AS PROCTIME(), WATERMARK FOR pt AS pt) WITH ('connector' = 'datagen')";
    let e = plan_after(ddl, "SELECT k FROM c").expect_err("proctime watermark");
    assert!(e.contains("\"pt\" is a processing-time column"), "{e}");
}

#[test]
fn a_proctime_column_of_the_source_is_its_processing_time_attribute() {
    let ddl = "CREATE TABLE c (k INT, pt AS PROCTIME()) WITH ('connector' = 'datagen')";
    let spec = plan_after(ddl, "SELECT k, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE c, DESCRIPTOR(pt), INTERVAL '1' SECOND)) GROUP BY window_start, window_end, k")
        .unwrap_or_else(|e| panic!("{e}"));
    let plan = crate::plan::validate(&spec).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plan.nodes[0].time.rowtime, Some(1));
    assert!(plan.nodes.iter().any(|n| n.append_only && matches!(n.op, crate::plan::PlanOp::Aggregate { window: Some(_), .. })), "a window aggregate");
}

#[test]
fn computed_columns_keep_their_declared_place() {
    let ddl = "CREATE TABLE t (ts AS TO_TIMESTAMP_LTZ(ts_ms, 3), k INT, ts_ms BIGINT, WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen')";
    let spec = plan_after(ddl, "SELECT * FROM t").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kinds(&spec), ["source", "project", "sink"]);
    let plan = crate::plan::validate(&spec).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = plan.nodes[1].schema.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["ts", "k", "ts_ms"]);
    assert_eq!(plan.nodes[1].time.rowtime, Some(0), "the event time follows the reordering");
}

#[test]
fn over_and_interval_joins_take_the_computed_event_time() {
    let ddl = format!(
        "{}; CREATE TABLE other (k INT, o_ms BIGINT, ots AS TO_TIMESTAMP_LTZ(o_ms, 3), WATERMARK FOR ots AS ots) WITH ({DATAGEN})",
        ev_ddl("ts", DATAGEN)
    );
    let over = "SELECT k, COUNT(*) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS n FROM ev";
    let plan = streaming_plan(&plan_after(&ddl, over).unwrap_or_else(|e| panic!("{e}")));
    assert!(plan.nodes.iter().any(|n| matches!(n.op, PlanOp::Over { event_time: true, .. })), "an event-time OVER");
    let join = "SELECT ev.k FROM ev JOIN other ON ev.k = other.k AND ev.ts BETWEEN other.ots - INTERVAL '1' SECOND AND other.ots";
    let plan = streaming_plan(&plan_after(&ddl, join).unwrap_or_else(|e| panic!("{e}")));
    let joined = plan.nodes.iter().find(|n| matches!(n.op, PlanOp::IntervalJoin { .. })).expect("an interval join");
    assert!(joined.append_only && joined.inputs.iter().all(|&i| plan.nodes[i].time.rowtime.is_some()), "both sides timed by their computed columns");
}

/// The validated plan of `spec`, checked to plan physically in streaming mode.
fn streaming_plan(spec: &crate::plan::JobSpec) -> crate::plan::ValidatedPlan {
    let plan = crate::plan::validate(spec).unwrap_or_else(|e| panic!("{e}"));
    crate::physical::PhysicalPlan::new(plan.clone(), RuntimeMode::Streaming).unwrap_or_else(|e| panic!("streaming: {e}"));
    plan
}

/// Base time: 2023-11-14 22:13:20 UTC, a multiple of 10 s.
const BASE: i64 = 1_700_000_000_000;

/// (k, event time offset from [`BASE`] in ms) in file order. With a 5 s delay the watermark
/// reaches 11 s after the 5th row and 21 s after the 8th, so the 6th row (2 s) and the 9th
/// (14 s) arrive after their windows ([0, 10 s), [10 s, 20 s)) have fired: late.
const EVENTS: [(i32, i64); 10] = [(1, 1_000), (2, 3_000), (1, 12_000), (1, 8_000), (2, 16_000), (1, 2_000), (2, 21_000), (1, 26_000), (2, 14_000), (1, 27_000)];

fn run_windows(mode: RuntimeMode) -> (Vec<(i64, i32, i64)>, u64) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ev.csv");
    let csv: String = EVENTS.iter().map(|(k, ms)| format!("{k},{}\n", BASE + ms)).collect();
    std::fs::write(&path, csv).expect("writes");
    let connector = format!("'connector' = 'filesystem', 'path' = '{}', 'format' = 'csv'", path.display());
    let query = "SELECT window_start, k, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, k";
    let spec = plan_after(&ev_ddl("ts - INTERVAL '5' SECOND", &connector), query).unwrap_or_else(|e| panic!("{e}"));
    let plan = crate::plan::validate(&spec).unwrap_or_else(|e| panic!("{e}"));
    let options = RunOptions { workers: Some(1), mode: Some(mode), tick_ms: 1, ..RunOptions::default() };
    let outcome = run_job(Arc::new(plan), &options).unwrap_or_else(|e| panic!("{e}"));
    let mut rows = Vec::new();
    for (kind, row) in outcome.collected.get(crate::sql::RESULT_SINK).cloned().unwrap_or_default() {
        assert!(kind.is_addition(), "window results are final");
        match row.values() {
            [Value::Timestamp(start), Value::Int(k), Value::BigInt(n)] => rows.push((start - BASE, *k, *n)),
            other => panic!("unexpected row {other:?}"),
        }
    }
    rows.sort();
    (rows, outcome.late_records)
}

#[test]
fn a_tumble_window_over_a_computed_event_time_drops_late_rows_in_streaming_mode_only() {
    let (rows, late) = run_windows(RuntimeMode::Streaming);
    assert_eq!(rows, [(0, 1, 2), (0, 2, 1), (10_000, 1, 1), (10_000, 2, 1), (20_000, 1, 2), (20_000, 2, 1)]);
    assert_eq!(late, 2);
    let (rows, late) = run_windows(RuntimeMode::Batch);
    assert_eq!(rows, [(0, 1, 3), (0, 2, 1), (10_000, 1, 1), (10_000, 2, 2), (20_000, 1, 2), (20_000, 2, 1)]);
    assert_eq!(late, 0);
}
