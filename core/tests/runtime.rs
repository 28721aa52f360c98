//! The job runtime: cancellation of an unbounded job, failures that name their place, and
//! per-operator counters.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use weir_core::error::{Error, RuntimeError};
use weir_core::plan::{RuntimeMode, parse_job_spec, validate};
use weir_core::runtime::{RunOptions, run_job, start_job};

fn plan(spec: serde_json::Value) -> Arc<weir_core::plan::ValidatedPlan> {
    let spec = parse_job_spec(&spec.to_string()).expect("spec parses");
    Arc::new(validate(&spec).expect("spec validates"))
}

#[test]
fn an_unbounded_job_stops_promptly_when_cancelled() {
    let plan = plan(json!({"nodes": [
        {"kind": "source", "id": "gen", "connector": "datagen", "options": {"rows-per-second": "1000"},
         "schema": [{"name": "x", "type": "BIGINT"}]},
        {"kind": "aggregate", "id": "agg", "input": "gen", "aggregates": [{"name": "n", "function": "count"}]},
        {"kind": "sink", "id": "out", "input": "agg", "connector": "collect"}]}));
    let options = RunOptions { workers: Some(2), mode: Some(RuntimeMode::Streaming), tick_ms: 10, ..RunOptions::default() };
    let job = start_job(plan, &options).expect("job starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while job.collected.read_from("out", 0).is_empty() {
        assert!(Instant::now() < deadline, "no output from a running streaming job");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(job.metrics.snapshot()[0].records_out > 0);
    let cancelled_at = Instant::now();
    job.cancel.cancel();
    match job.wait() {
        Err(Error::Runtime(RuntimeError::Cancelled)) => {}
        other => panic!("expected a cancelled job, got {other:?}"),
    }
    assert!(cancelled_at.elapsed() < Duration::from_secs(5), "cancellation took {:?}", cancelled_at.elapsed());
}

#[test]
fn a_bad_record_fails_the_job_with_its_place_on_any_worker() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("data.csv");
    let mut text: String = (0..5000).map(|i| format!("{i},{}\n", i * 2)).collect();
    text.push_str("5000,oops\n");
    std::fs::write(&path, text).expect("write data");
    let spec = json!({"nodes": [
        {"kind": "source", "id": "t", "connector": "filesystem", "options": {"path": path.to_string_lossy(), "format": "csv"},
         "schema": [{"name": "a", "type": "BIGINT"}, {"name": "b", "type": "BIGINT"}]},
        {"kind": "sink", "id": "out", "input": "t", "connector": "blackhole"}]});
    for workers in [1, 4] {
        let options = RunOptions { workers: Some(workers), mode: Some(RuntimeMode::Batch), ..RunOptions::default() };
        let err = run_job(plan(spec.clone()), &options).expect_err("the job must fail");
        assert_eq!(err.code(), "bad_record");
        assert_eq!(err.to_string(), format!("job failed: {}:5001: column b: cannot parse \"oops\" as BIGINT", path.display()));
    }
}

#[test]
fn an_expression_error_fails_the_job_and_names_the_operator() {
    let spec = json!({"nodes": [
        {"kind": "values", "id": "t", "schema": [{"name": "a", "type": "INT"}], "rows": [[1], [0]]},
        {"kind": "project", "id": "inverse", "input": "t", "columns": [
            {"name": "q", "expr": {"call": {"function": "/", "args": [{"literal": 10}, {"column": "a"}]}}}]},
        {"kind": "sink", "id": "out", "input": "inverse", "connector": "collect"}]});
    let options = RunOptions { workers: Some(2), mode: Some(RuntimeMode::Batch), ..RunOptions::default() };
    let err = run_job(plan(spec), &options).expect_err("division by zero fails the job");
    assert_eq!(err.code(), "eval_error");
    assert!(err.to_string().contains("in inverse:"), "{err}");
    assert!(err.to_string().contains("division by zero"), "{err}");
}

#[test]
fn counters_count_records_per_operator() {
    let spec = json!({"nodes": [
        {"kind": "values", "id": "t", "schema": [{"name": "a", "type": "INT"}], "rows": [[1], [2], [3], [4]]},
        {"kind": "filter", "id": "even", "input": "t", "predicate": {"call": {"function": "=", "args": [
            {"call": {"function": "%", "args": [{"column": "a"}, {"literal": 2}]}}, {"literal": 0}]}}},
        {"kind": "sink", "id": "out", "input": "even", "connector": "collect"}]});
    let options = RunOptions { workers: Some(3), mode: Some(RuntimeMode::Batch), ..RunOptions::default() };
    let outcome = run_job(plan(spec), &options).expect("job runs");
    let by_id = |id: &str| outcome.metrics.iter().find(|m| m.id == id).cloned().expect("metrics for node");
    assert_eq!(by_id("t").records_out, 4);
    assert_eq!((by_id("even").records_in, by_id("even").records_out), (4, 2));
}

#[test]
fn event_time_sources_report_their_watermark_downstream() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("events.csv");
    std::fs::write(&path, "a,2023-11-14 22:13:20\nb,2023-11-14 22:13:25\na,2023-11-14 22:13:30\n").expect("write data");
    let spec = json!({"nodes": [
        {"kind": "source", "id": "events", "connector": "filesystem",
         "options": {"path": path.to_string_lossy(), "format": "csv"},
         "schema": [{"name": "k", "type": "STRING"}, {"name": "ts", "type": "TIMESTAMP(3)"}],
         "watermark": {"column": "ts", "delay_ms": 1000}},
        {"kind": "filter", "id": "keep", "input": "events", "predicate": {"call": {"function": "IS NOT NULL", "args": [{"column": "k"}]}}},
        {"kind": "sink", "id": "out", "input": "keep", "connector": "collect"}]});
    let options = RunOptions { workers: Some(1), mode: Some(RuntimeMode::Streaming), tick_ms: 1000, ..RunOptions::default() };
    let outcome = run_job(plan(spec.clone()), &options).expect("job runs");
    let by_id = |id: &str| outcome.metrics.iter().find(|m| m.id == id).cloned().expect("metrics for node");
    // Last event 22:13:30 (1_700_000_010_000 ms) minus the 1 s delay, at a 1 s tick.
    assert_eq!(by_id("events").watermark, Some(1_700_000_009_000));
    assert_eq!(by_id("keep").watermark, by_id("events").watermark, "a filter's watermark is its input's");
    let batch = RunOptions { mode: Some(RuntimeMode::Batch), ..options };
    let outcome = run_job(plan(spec), &batch).expect("job runs");
    assert!(outcome.metrics.iter().all(|m| m.watermark.is_none()), "batch jobs have no event-time watermark");
}
