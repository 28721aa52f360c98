//! Helpers shared by the engine's integration tests: run a JSON job and read what its
//! `collect` sinks received.

#![allow(dead_code)]

use std::sync::Arc;

use weir_core::plan::{JobSpec, Node, RuntimeMode, parse_job_spec, validate};
use weir_core::runtime::{RunOptions, run_job};
use weir_core::sql::{SqlOutcome, SqlSession};
use weir_core::types::{Row, RowKind};

/// Runs `spec` (JSON text) and returns the changelog of the sink `out`.
pub fn run_spec(spec: &str, workers: usize, mode: RuntimeMode) -> Vec<(RowKind, Row)> {
    let spec = parse_job_spec(spec).unwrap_or_else(|e| panic!("bad spec: {e}"));
    let plan = validate(&spec).unwrap_or_else(|e| panic!("invalid plan: {e}"));
    let options = RunOptions { workers: Some(workers), mode: Some(mode), tick_ms: 1, ..RunOptions::default() };
    let outcome = run_job(Arc::new(plan), &options).unwrap_or_else(|e| panic!("job failed: {e}"));
    outcome.collected.get("out").cloned().unwrap_or_default()
}

/// The job of the query `script` ends with (run in `session`), its result going to `collect`
/// sinks.
pub fn collected_query(mut session: SqlSession, script: &str) -> JobSpec {
    let out = session.execute_script(script).unwrap_or_else(|e| panic!("{e}"));
    let Some(SqlOutcome::Query(mut spec)) = out.into_iter().last() else { panic!("not a query") };
    for node in &mut spec.nodes {
        if let Node::Sink(s) = node {
            s.connector = "collect".into();
            s.options.clear();
        }
    }
    spec
}

/// The rows a changelog leaves standing, sorted (a multiset as a sorted list).
pub fn final_rows(changes: &[(RowKind, Row)]) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    for (kind, row) in changes {
        if kind.is_addition() {
            rows.push(row.clone());
        } else if let Some(i) = rows.iter().position(|r| r == row) {
            rows.swap_remove(i);
        } else {
            panic!("retraction of a row that is not there: {kind} {row:?}");
        }
    }
    rows.sort();
    rows
}

/// The rows as printed text, for readable assertions.
pub fn texts(rows: &[Row]) -> Vec<String> {
    rows.iter().map(|r| r.to_string()).collect()
}

/// A `values` node with BIGINT columns named `cols` and the given rows.
pub fn values_node(id: &str, cols: &[&str], rows: &[Vec<Option<i64>>]) -> serde_json::Value {
    let schema: Vec<_> = cols.iter().map(|c| serde_json::json!({"name": c, "type": "BIGINT"})).collect();
    serde_json::json!({"kind": "values", "id": id, "schema": schema, "rows": rows})
}
