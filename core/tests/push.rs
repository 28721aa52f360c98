//! The `push` source in a running job: rows pushed from outside while the job runs come out of
//! it exactly once on any worker count, and closing the input ends the job.

mod common;

use std::sync::Arc;

use serde_json::json;
use weir_core::plan::{RuntimeMode, parse_job_spec, validate};
use weir_core::runtime::{RunOptions, start_job};
use weir_core::types::{Row, Value};

use common::{final_rows, texts};

#[test]
fn pushed_rows_reach_a_streaming_aggregate_once_and_close_ends_the_job() {
    let spec = json!({"nodes": [
        {"kind": "source", "id": "clicks", "connector": "push",
         "schema": [{"name": "user_name", "type": "STRING"}, {"name": "n", "type": "BIGINT"}]},
        {"kind": "aggregate", "id": "agg", "input": "clicks", "group_by": [{"name": "user_name", "expr": {"column": "user_name"}}],
         "aggregates": [{"name": "total", "function": "sum", "args": [{"column": "n"}]}]},
        {"kind": "sink", "id": "out", "input": "agg", "connector": "collect"}]});
    for workers in [1, 3] {
        let plan = validate(&parse_job_spec(&spec.to_string()).expect("spec parses")).expect("spec validates");
        let options = RunOptions { workers: Some(workers), mode: Some(RuntimeMode::Streaming), tick_ms: 5, ..RunOptions::default() };
        let job = start_job(Arc::new(plan), &options).expect("job starts");
        let inputs = job.push_inputs();
        assert_eq!(inputs.keys().collect::<Vec<_>>(), ["clicks"]);
        let input = &inputs["clicks"];
        for batch in 0..10 {
            let rows = (0..30).map(|i| Row::new(vec![Value::String(format!("u{}", i % 3).into()), Value::BigInt(batch * 30 + i)])).collect();
            input.push(rows).expect("input is open");
        }
        input.close();
        let outcome = job.wait().expect("job finishes once its input is closed");
        let changes = outcome.collected.get("out").cloned().unwrap_or_default();
        // u0 gets 0, 3, ..., 297; u1 and u2 the numbers after those.
        assert_eq!(texts(&final_rows(&changes)), ["u0, 14850", "u1, 14950", "u2, 15050"], "{workers} workers");
    }
}
