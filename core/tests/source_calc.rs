//! Calcs chained into their source (`physical::Operator::ChainedCalc`): the same rows as the
//! source's rows filtered and projected by a plain sequential reference, at several worker
//! counts and in both modes; the Calc nodes keep their own counters, a bad record its place,
//! a skipped one its count, and the event-time watermark follows the records a filter drops.

use std::sync::Arc;

use serde_json::json;
use weir_core::physical::{Operator, PhysicalPlan};
use weir_core::plan::{RuntimeMode, parse_job_spec, validate};
use weir_core::runtime::{RunOptions, run_job};
use weir_core::types::{Row, Value};

fn plan(spec: &serde_json::Value) -> Arc<weir_core::plan::ValidatedPlan> {
    let spec = parse_job_spec(&spec.to_string()).expect("spec parses");
    Arc::new(validate(&spec).expect("spec validates"))
}

fn options(workers: usize, mode: RuntimeMode) -> RunOptions {
    RunOptions { workers: Some(workers), mode: Some(mode), tick_ms: 1, ..RunOptions::default() }
}

fn bids(events: u64) -> serde_json::Value {
    json!({"kind": "source", "id": "bid", "connector": "nexmark",
        "options": {"nexmark.table": "bid", "events.num": events.to_string()},
        "schema": [{"name": "auction", "type": "BIGINT"}, {"name": "bidder", "type": "BIGINT"},
                   {"name": "price", "type": "BIGINT"}, {"name": "extra", "type": "STRING"}]})
}

fn call(function: &str, args: serde_json::Value) -> serde_json::Value {
    json!({"call": {"function": function, "args": args}})
}

/// `auction % 7 = 0`, then `(auction, price * 2, extra)`.
fn chain(source: serde_json::Value) -> serde_json::Value {
    json!({"nodes": [
        source,
        {"kind": "filter", "id": "every7th", "input": "bid",
         "predicate": call("=", json!([call("%", json!([{"column": "auction"}, {"literal": 7}])), {"literal": 0}]))},
        {"kind": "project", "id": "doubled", "input": "every7th", "columns": [
            {"name": "auction", "expr": {"column": "auction"}},
            {"name": "price2", "expr": call("*", json!([{"column": "price"}, {"literal": 2}]))},
            {"name": "extra", "expr": {"column": "extra"}}]},
        {"kind": "sink", "id": "out", "input": "doubled", "connector": "collect"}]})
}

fn sorted(mut rows: Vec<Row>) -> Vec<Row> {
    rows.sort();
    rows
}

fn collected(outcome: &weir_core::runtime::JobOutcome) -> Vec<Row> {
    sorted(outcome.collected.get("out").map(|c| c.iter().map(|(_, r)| r.clone()).collect()).unwrap_or_default())
}

#[test]
fn a_calc_over_a_source_is_chained_into_it_unless_the_source_has_other_readers() {
    let physical = PhysicalPlan::new((*plan(&chain(bids(100)))).clone(), RuntimeMode::Batch).expect("plans");
    let ops: Vec<Operator> = physical.nodes.iter().map(|n| n.operator.clone()).collect();
    assert_eq!(ops[1..3], [Operator::ChainedCalc { source: 0 }, Operator::ChainedCalc { source: 0 }], "{ops:?}");
    let text = weir_core::physical::explain(&physical, &[]);
    assert!(text.contains("Calc(where=["), "{text}");

    let mut two_readers = chain(bids(100));
    two_readers["nodes"].as_array_mut().expect("nodes").push(json!({"kind": "sink", "id": "all", "input": "bid", "connector": "blackhole"}));
    let physical = PhysicalPlan::new((*plan(&two_readers)).clone(), RuntimeMode::Batch).expect("plans");
    assert_eq!(physical.nodes[1].operator, Operator::Calc, "a source read twice sends its rows");
    assert_eq!(physical.nodes[2].operator, Operator::Calc);
}

#[test]
fn a_chained_calc_gives_the_rows_of_the_source_filtered_and_projected() {
    let events = 20_000;
    let raw = json!({"nodes": [bids(events), {"kind": "sink", "id": "out", "input": "bid", "connector": "collect"}]});
    let source_rows = collected(&run_job(plan(&raw), &options(2, RuntimeMode::Batch)).expect("job runs"));
    let expected: Vec<Row> = sorted(
        source_rows
            .iter()
            .filter(|r| r.get(0).as_i64().is_some_and(|a| a % 7 == 0))
            .map(|r| Row::new(vec![r.get(0).clone(), Value::BigInt(r.get(2).as_i64().unwrap_or(0) * 2), r.get(3).clone()]))
            .collect(),
    );
    assert!(!expected.is_empty() && expected.len() < source_rows.len());
    for mode in [RuntimeMode::Batch, RuntimeMode::Streaming] {
        for workers in [1, 3] {
            let outcome = run_job(plan(&chain(bids(events))), &options(workers, mode)).expect("job runs");
            assert_eq!(collected(&outcome), expected, "{mode:?}, {workers} workers");
            let by_id = |id: &str| outcome.metrics.iter().find(|m| m.id == id).cloned().expect("metrics for node");
            assert_eq!(by_id("bid").records_out, source_rows.len() as u64);
            assert_eq!((by_id("every7th").records_in, by_id("every7th").records_out), (source_rows.len() as u64, expected.len() as u64));
            assert_eq!((by_id("doubled").records_in, by_id("doubled").records_out), (expected.len() as u64, expected.len() as u64));
        }
    }
}

fn csv_source(path: &std::path::Path, ignore_errors: bool) -> serde_json::Value {
    json!({"kind": "source", "id": "bid", "connector": "filesystem",
        "options": {"path": path.to_string_lossy(), "format": "csv", "csv.ignore-parse-errors": ignore_errors.to_string()},
        "schema": [{"name": "auction", "type": "BIGINT"}, {"name": "bidder", "type": "BIGINT"},
                   {"name": "price", "type": "BIGINT"}, {"name": "extra", "type": "STRING"}, {"name": "ts", "type": "TIMESTAMP(3)"}],
        "watermark": {"column": "ts", "delay_ms": 0}})
}

#[test]
fn a_chained_calc_over_csv_keeps_bad_records_places_skips_and_the_watermark() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bids.csv");
    let mut text: String = (0..3000).map(|i| format!("{i},{},{},x{i},2023-11-14 22:13:20\n", 1000 + i, i * 10)).collect();
    text.push_str("3000,1,oops,y,2023-11-14 22:13:20\n");
    // The latest event time, in a record the filter drops.
    text.push_str("3004,9,5,last,2023-11-14 22:14:00\n");
    std::fs::write(&path, text).expect("write data");

    // A bad value in a column the Calc reads (unread columns are not parsed).
    let err = run_job(plan(&chain(csv_source(&path, false))), &options(2, RuntimeMode::Batch)).expect_err("the bad record fails the job");
    assert_eq!(err.to_string(), format!("job failed: {}:3001: column price: cannot parse \"oops\" as BIGINT", path.display()));

    let outcome = run_job(plan(&chain(csv_source(&path, true))), &options(1, RuntimeMode::Streaming)).expect("job runs");
    let expected: Vec<Row> = sorted(
        (0..3000)
            .filter(|i| i % 7 == 0)
            .map(|i| (i, i * 20, format!("x{i}")))
            .map(|(a, p, e)| Row::new(vec![Value::BigInt(a), Value::BigInt(p), Value::String(Arc::from(e.as_str()))]))
            .collect(),
    );
    assert_eq!(collected(&outcome), expected);
    let by_id = |id: &str| outcome.metrics.iter().find(|m| m.id == id).cloned().expect("metrics for node");
    assert_eq!((by_id("bid").records_out, by_id("bid").records_skipped), (3001, 1));
    // The watermark is taken from every record read, before the Calc.
    assert_eq!(by_id("bid").watermark, Some(1_700_000_040_000));
    assert_eq!(by_id("doubled").watermark, by_id("bid").watermark);
}
