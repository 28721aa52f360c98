//! `table.exec.state.ttl`: a streaming GROUP BY over keys that never come back keeps only the
//! keys written within the time-to-live (the state entries it reports stay far below the
//! number of keys), and its results are those without a TTL (every key counted once).

mod common;

use std::sync::Arc;

use serde_json::json;
use weir_core::plan::{RuntimeMode, parse_job_spec, validate};
use weir_core::runtime::{RunOptions, run_job};

use common::final_rows;

const ROWS: u64 = 3000;

/// The job's final rows and the aggregate's keyed-state entries at the end, its source
/// writing `rate` new keys per second.
fn run(config: serde_json::Value, rate: u64) -> (Vec<String>, u64) {
    let spec = json!({"config": config, "nodes": [
        {"kind": "source", "id": "gen", "connector": "datagen", "schema": [{"name": "id", "type": "BIGINT"}],
         "options": {"rows-per-second": rate.to_string(), "number-of-rows": ROWS.to_string(), "fields.id.kind": "sequence",
                     "fields.id.start": "1", "fields.id.end": ROWS.to_string()}},
        {"kind": "aggregate", "id": "agg", "input": "gen", "group_by": [{"name": "id", "expr": {"column": "id"}}],
         "aggregates": [{"name": "n", "function": "count"}]},
        {"kind": "sink", "id": "out", "input": "agg", "connector": "collect"}]});
    let spec = parse_job_spec(&spec.to_string()).unwrap_or_else(|e| panic!("bad spec: {e}"));
    let plan = validate(&spec).unwrap_or_else(|e| panic!("invalid plan: {e}"));
    let options = RunOptions { workers: Some(2), mode: Some(RuntimeMode::Streaming), ..RunOptions::default() };
    let outcome = run_job(Arc::new(plan), &options).unwrap_or_else(|e| panic!("job failed: {e}"));
    let rows = final_rows(&outcome.collected.get("out").cloned().unwrap_or_default());
    let entries = outcome.metrics.iter().find(|m| m.id == "agg").and_then(|m| m.state_entries).unwrap_or(u64::MAX);
    (rows.iter().map(|r| r.to_string()).collect(), entries)
}

#[test]
fn idle_keys_expire_without_changing_the_results() {
    let (kept, all_entries) = run(json!({}), 1_000_000);
    assert_eq!(all_entries, ROWS, "without a TTL every key stays");
    // Three seconds of keys against a 100 ms TTL: at the end only the keys of the last few
    // hundred milliseconds (TTL + one cleanup interval + scheduling) may remain, so the bound
    // below leaves a 1.5 s margin for a starved worker on a loaded machine.
    let (expiring, entries) = run(json!({"table.exec.state.ttl": "100 ms"}), ROWS / 3);
    assert_eq!(expiring, kept);
    let expected: Vec<String> = {
        let mut rows: Vec<String> = (1..=ROWS).map(|i| format!("{i}, 1")).collect();
        rows.sort();
        rows
    };
    let mut sorted = expiring.clone();
    sorted.sort();
    assert_eq!(sorted, expected);
    assert!(entries < ROWS / 2, "{entries} of {ROWS} keys still in state after a 3 s job with a 100 ms TTL");
}

#[test]
fn a_bad_ttl_names_its_key() {
    let spec = json!({"config": {"table.exec.state.ttl": "soon"}, "nodes": [
        {"kind": "values", "id": "t", "schema": [{"name": "x", "type": "BIGINT"}], "rows": [[1]]},
        {"kind": "sink", "id": "out", "input": "t", "connector": "collect"}]});
    let spec = parse_job_spec(&spec.to_string()).unwrap_or_else(|e| panic!("bad spec: {e}"));
    let err = validate(&spec).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("table.exec.state.ttl") && err.contains("time-to-live"), "{err}");
}
