//! Tests of the SQL front end: plans for typical queries, every error class, and no panics
//! on truncated scripts.

mod collections;
mod computed;
mod derived_aggregates;
mod errors;
mod flink_scalars;
mod fuzz;
mod golden;
mod json;
mod lateral;
mod list_aggregates;
mod planning;
mod ranking;
mod sorted_over;
mod state_ttl_hints;
mod table_hints;
mod time_functions;
mod values;
mod watermark;
mod window;

use crate::plan::{JobSpec, Node};

use super::{SqlError, SqlOutcome, SqlSession};

/// The tables most tests use (datagen, so planning needs no files).
pub const DDL: &str = "
CREATE TABLE bids (
  auction BIGINT NOT NULL,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3),
  price_x2 AS price * 2,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND,
  PRIMARY KEY (auction) NOT ENFORCED
) WITH ('connector' = 'datagen', 'number-of-rows' = '100');
CREATE TABLE auctions (id BIGINT, seller BIGINT, category INT, name STRING)
  WITH ('connector' = 'datagen', 'number-of-rows' = '10');
CREATE TABLE out_sink (auction BIGINT, total BIGINT) WITH ('connector' = 'blackhole');
";

/// A session with [`DDL`] executed.
pub fn session() -> SqlSession {
    let mut s = SqlSession::new();
    s.execute_script(DDL).unwrap_or_else(|e| panic!("{e}"));
    s
}

/// Plans `sql` (one statement) in a fresh [`session`].
pub fn plan(sql: &str) -> Result<SqlOutcome, SqlError> {
    let mut s = session();
    let mut out = s.execute_script(sql)?;
    Ok(out.remove(0))
}

/// The job of a query or INSERT, checking that it round-trips through JSON.
pub fn job(sql: &str) -> JobSpec {
    let spec = match plan(sql).unwrap_or_else(|e| panic!("{sql}\n{e}")) {
        SqlOutcome::Query(j) | SqlOutcome::Job(j) => j,
        other => panic!("not a job: {other:?}"),
    };
    let json = serde_json::to_string(&spec).expect("serializes");
    let back = crate::plan::parse_job_spec(&json).unwrap_or_else(|e| panic!("reads back: {e}"));
    assert_eq!(back, spec);
    crate::plan::validate(&spec).unwrap_or_else(|e| panic!("{sql}: plan does not validate: {e}"));
    spec
}

/// The node kinds in order.
pub fn kinds(spec: &JobSpec) -> Vec<&'static str> {
    spec.nodes.iter().map(Node::kind).collect()
}

/// The node with this id.
pub fn node<'a>(spec: &'a JobSpec, id: &str) -> &'a Node {
    spec.nodes.iter().find(|n| n.id() == id).unwrap_or_else(|| panic!("no node {id} in {:?}", kinds(spec)))
}

/// The error of a failing statement, as text.
pub fn error(sql: &str) -> String {
    match plan(sql) {
        Ok(o) => panic!("expected an error for {sql}, got {o:?}"),
        Err(e) => e.to_string(),
    }
}

/// Runs the query `sql` (after [`DDL`]) in batch mode on 2 workers and returns the rows the
/// `result` sink is left with, printed and sorted.
pub fn run_rows(sql: &str) -> Vec<String> {
    use std::sync::Arc;

    use crate::plan::RuntimeMode;
    use crate::runtime::{RunOptions, run_job};

    let spec = job(sql);
    let plan = crate::plan::validate(&spec).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let options = RunOptions { workers: Some(2), mode: Some(RuntimeMode::Batch), tick_ms: 1, ..RunOptions::default() };
    let outcome = run_job(Arc::new(plan), &options).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let mut rows: Vec<crate::types::Row> = Vec::new();
    for (kind, row) in outcome.collected.get(super::RESULT_SINK).cloned().unwrap_or_default() {
        if kind.is_addition() {
            rows.push(row);
        } else if let Some(i) = rows.iter().position(|r| *r == row) {
            rows.swap_remove(i);
        }
    }
    let mut texts: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
    texts.sort();
    texts
}
mod limits;
mod more_strings;

/// Checks each `(expression, expected)`: the one row `SELECT {template with the expression}`
/// gives, as text; reports every case that differs at once.
pub fn check_expressions(template: &str, cases: &[(&str, &str)]) {
    let mut failures = Vec::new();
    for (expr, want) in cases {
        let got = run_rows(&format!("SELECT {}", template.replace("{}", expr)));
        if got != [*want] {
            failures.push(format!("{expr}\n    want {want}\n    got  {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}
