//! A processing-time source whose rows a `watermark` node re-times by event time (the DataStream
//! API's `assign_timestamps_and_watermarks`) is not held back by backpressure: the sinks'
//! frontier is then the event-time watermark, which stays behind the source's processing times
//! until the input ends, so a source waiting for its rows to get through waited out its whole
//! stall limit (30 s) once 256k rows were in flight (every such job over 262,144 records).

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use weir_core::plan::{RuntimeMode, parse_job_spec, validate};
use weir_core::runtime::{RunOptions, run_job};

/// More rows than a processing-time split may have in flight (`IN_FLIGHT_ROWS`, 2^18).
const ROWS: i64 = 400_000;

#[test]
fn a_source_retimed_by_a_watermark_node_does_not_wait_for_the_sinks() {
    let spec = json!({"nodes": [
        {"kind": "source", "id": "gen", "connector": "datagen", "schema": [{"name": "ts", "type": "BIGINT"}],
         "options": {"fields.ts.kind": "sequence", "fields.ts.start": "0", "fields.ts.end": (ROWS - 1).to_string()}},
        {"kind": "watermark", "id": "wm", "input": "gen", "column": "ts", "delay_ms": 0},
        {"kind": "aggregate", "id": "agg", "input": "wm", "group_by": [],
         "aggregates": [{"name": "n", "function": "count"}, {"name": "s", "function": "sum", "args": [{"column": "ts"}]}]},
        {"kind": "sink", "id": "out", "input": "agg", "connector": "collect"}]});
    let spec = parse_job_spec(&spec.to_string()).unwrap_or_else(|e| panic!("bad spec: {e}"));
    let plan = validate(&spec).unwrap_or_else(|e| panic!("invalid plan: {e}"));
    let options = RunOptions { workers: Some(1), mode: Some(RuntimeMode::Streaming), ..RunOptions::default() };
    let started = Instant::now();
    let outcome = run_job(Arc::new(plan), &options).unwrap_or_else(|e| panic!("job failed: {e}"));
    let took = started.elapsed();
    let changes = outcome.collected.get("out").cloned().unwrap_or_default();
    let last = changes.last().map(|(_, row)| row.to_string()).unwrap_or_default();
    assert_eq!(last, format!("{ROWS}, {}", ROWS * (ROWS - 1) / 2), "every row counted once");
    // Without the fix this took 30 s and more (the stall limit); it takes about a second.
    assert!(took < Duration::from_secs(20), "the job took {took:?}: its source waited for the sinks");
}
